//! The executor's event stream as a [`Protocol`] of the subscription loop:
//! SUBSCRIBE at the agent re-sending what it has not acknowledged, and
//! after a disconnection the Mesos executor library's policy
//! (`src/executor/executor.cpp`): a checkpointing executor retries after a
//! random delay in `[0, backoff max]` until the recovery timeout, any other
//! executor gives up at once; the end of the stream after SHUTDOWN is final.

use std::sync::Arc;
use std::time::{Duration, Instant};

use crossbeam_channel::Receiver;
use ureq::http::HeaderMap;
use ureq::Agent;

use super::event::Event;
use super::items::{ConnectionState, Item, Termination};
use super::shared::Shared;
use crate::codec::{DecodeError, Encoding};
use crate::connection::{uniform_delay, Control, Endpoint, HttpSettings, Posted};
use crate::error::Error;
use crate::subscription::{Attempt, Disconnect, End, Next, Protocol, Seen, Start};

/// The executor's side of the subscription loop.
pub(crate) struct ExecutorStream {
    shared: Arc<Shared>,
    /// A SHUTDOWN event arrived: the end of the stream is final.
    shutting_down: bool,
    /// Set at the first disconnection after a subscription (or at the
    /// start): retries stop once it passes.
    deadline: Option<Instant>,
    /// Attempts since the last subscription.
    attempt: u32,
    /// How many tasks and updates the SUBSCRIBE in flight re-sent.
    resent: (usize, usize),
}

impl ExecutorStream {
    pub(crate) fn new(shared: Arc<Shared>) -> Self {
        ExecutorStream {
            shared,
            shutting_down: false,
            deadline: None,
            attempt: 0,
            resent: (0, 0),
        }
    }
}

impl Protocol for ExecutorStream {
    type Event = Event;
    type Item = Item;
    type Termination = Termination;

    fn control(&self) -> &Control {
        &self.shared.control
    }

    fn settings(&self) -> &HttpSettings {
        &self.shared.settings
    }

    fn max_record_size(&self) -> usize {
        self.shared.max_record_size
    }

    fn initial_budget(&self) -> Duration {
        // The agent's heartbeats are not announced: no watchdog.
        Duration::MAX
    }

    fn start(&mut self) -> Start<Termination> {
        let call = self.shared.subscribe_call();
        self.resent = call
            .subscribe
            .as_ref()
            .map(|s| (s.unacknowledged_tasks.len(), s.unacknowledged_updates.len()))
            .unwrap_or_default();
        log::info!(
            "subscribing ({} tasks, {} updates unacknowledged)",
            self.resent.0,
            self.resent.1
        );
        Start::Attempt(Attempt {
            targets: vec![self.shared.endpoint.clone()],
            body: self.shared.settings.encoding.encode(&call),
        })
    }

    fn post(
        &self,
        agent: &Agent,
        target: &Endpoint,
        body: &[u8],
        stop: &Receiver<()>,
    ) -> Result<Posted, Error> {
        let response = self.shared.post(agent, body, Some(stop))?;
        Ok(Posted {
            endpoint: target.clone(),
            response,
        })
    }

    fn opened(&mut self, _: &Endpoint, _: &HeaderMap) -> Result<(), Error> {
        Ok(())
    }

    fn decode(&self, encoding: Encoding, record: &[u8]) -> Result<Event, DecodeError> {
        Event::decode(encoding, record)
    }

    fn seen(&mut self, event: &Event, items: &mut Vec<Item>) -> Seen<Termination> {
        match event {
            Event::Subscribed(subscribed) => {
                self.shared.tracking().subscribed = true;
                self.deadline = None;
                self.attempt = 0;
                let agent_id = subscribed.agent_info.id.clone().unwrap_or_default();
                log::info!(
                    "executor {} subscribed on agent {} (re-sent {} tasks, {} updates)",
                    self.shared.executor_id.value,
                    agent_id.value,
                    self.resent.0,
                    self.resent.1
                );
                items.push(Item::Connection(ConnectionState::Subscribed {
                    agent_id,
                    resent_tasks: self.resent.0,
                    resent_updates: self.resent.1,
                }));
                return Seen::Subscribed { budget: None };
            }
            Event::Launch(_) | Event::LaunchGroup(_) => self.shared.launched(event.tasks()),
            Event::Acknowledged(ack) => self.shared.acknowledged(&ack.task_id, &ack.uuid),
            Event::Error(error) => log::warn!("ERROR event from the agent: {}", error.message),
            Event::Shutdown => self.shutting_down = true,
            _ => {}
        }
        Seen::Other
    }

    fn event_item(&self, event: Event) -> Item {
        Item::Event(event)
    }

    fn undecodable_item(&self, error: DecodeError, record: Vec<u8>) -> Item {
        Item::Undecodable { error, record }
    }

    fn connected_item(&self, agent: String) -> Item {
        Item::Connection(ConnectionState::Connected { agent })
    }

    fn terminated_item(&self, end: End<Termination>) -> Item {
        Item::Connection(ConnectionState::Terminated(match end {
            End::Closed => Termination::Closed,
            End::Refused(err) => Termination::Refused(err),
            End::NotFound { urls } => Termination::NotFound { urls },
            End::Own(termination) => termination,
        }))
    }

    fn lost(&mut self, reason: Disconnect, _healthy: bool) -> Next<Item, Termination> {
        let mut items = vec![Item::Connection(ConnectionState::Disconnected(reason))];
        let recovery = &self.shared.recovery;
        let end = |items, termination| Next::End { items, termination };
        if self.shutting_down {
            return end(items, Termination::Shutdown);
        }
        if !recovery.checkpoint {
            return end(items, Termination::NotCheckpointing);
        }
        let now = Instant::now();
        let deadline = *self.deadline.get_or_insert(now + recovery.timeout);
        if now >= deadline {
            return end(items, Termination::RecoveryTimeout(recovery.timeout));
        }
        let remaining = deadline - now;
        let delay = uniform_delay(recovery.backoff_max).min(remaining);
        self.attempt = self.attempt.saturating_add(1);
        items.push(Item::Connection(ConnectionState::Reconnecting {
            delay,
            attempt: self.attempt,
            remaining,
        }));
        Next::Retry { items, delay }
    }

    fn unsubscribed(&self) {
        self.shared.tracking().subscribed = false;
    }
}
