//! The executor's reader thread: SUBSCRIBE (re-sending what the agent has
//! not acknowledged), read the stream into typed events, and after a
//! disconnection follow the Mesos executor library
//! (`src/executor/executor.cpp`): a checkpointing executor retries after a
//! random delay in `[0, backoff max]` until the recovery timeout, any other
//! executor gives up at once.

use std::ops::ControlFlow;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crossbeam_channel::Sender;
use ureq::http::Response;
use ureq::Body;

use super::event::Event;
use super::items::{ConnectionState, Item, Termination};
use super::shared::Shared;
use crate::codec::{DecodeError, Encoding};
use crate::connection::{
    deliver, read_records, status_error, uniform_delay, Disconnect, Interrupt, NoIdle, Purpose,
    StreamStop,
};
use crate::error::Error;
use crate::recordio::RecordIoError;

/// How one subscription attempt (or stream) ended.
enum Outcome {
    /// Closed by the application, or nobody listens.
    Closed,
    /// Over for good.
    Final(Termination),
    /// Disconnected; maybe retried.
    Lost(Disconnect),
}

pub(crate) struct Reader {
    shared: Arc<Shared>,
    events: Sender<Item>,
    /// A SHUTDOWN event arrived: the end of the stream is final.
    shutting_down: bool,
}

impl Reader {
    pub fn new(shared: Arc<Shared>, events: Sender<Item>) -> Self {
        Reader {
            shared,
            events,
            shutting_down: false,
        }
    }

    fn deliver(&self, item: Item) -> bool {
        deliver(&self.shared.control, &self.events, item)
    }

    /// The thread body; the channel closes when it returns.
    pub fn run(mut self) {
        let shared = Arc::clone(&self.shared);
        let _finished = Finished(&shared);
        // Set at the first disconnection after a subscription (or at the
        // start): retries stop once it passes.
        let mut deadline: Option<Instant> = None;
        let mut attempt: u32 = 0;
        loop {
            if self.shared.control.is_closed() {
                break;
            }
            let outcome = self.subscribe_once(&mut deadline, &mut attempt);
            self.shared.tracking().subscribed = false;
            let reason = match outcome {
                Outcome::Closed => break,
                Outcome::Final(termination) => {
                    self.terminate(termination);
                    break;
                }
                Outcome::Lost(reason) => reason,
            };
            log::info!("disconnected from the agent: {reason:?}");
            if !self.deliver(Item::Connection(ConnectionState::Disconnected(reason))) {
                break;
            }
            let recovery = &self.shared.recovery;
            if self.shutting_down {
                self.terminate(Termination::Shutdown);
                break;
            }
            if !recovery.checkpoint {
                self.terminate(Termination::NotCheckpointing);
                break;
            }
            let now = Instant::now();
            let deadline = *deadline.get_or_insert(now + recovery.timeout);
            if now >= deadline {
                self.terminate(Termination::RecoveryTimeout(recovery.timeout));
                break;
            }
            let remaining = deadline - now;
            let delay = uniform_delay(recovery.backoff_max).min(remaining);
            attempt = attempt.saturating_add(1);
            let item = ConnectionState::Reconnecting {
                delay,
                attempt,
                remaining,
            };
            if !self.deliver(Item::Connection(item)) || !self.shared.control.sleep(delay) {
                break;
            }
        }
        log::debug!("executor reader thread finished");
    }

    fn terminate(&self, termination: Termination) {
        log::info!("executor subscription ended for good: {termination:?}");
        // The final item must still reach the application: deliver, then close.
        self.deliver(Item::Connection(ConnectionState::Terminated(termination)));
        self.shared.control.close();
    }

    fn subscribe_once(&mut self, deadline: &mut Option<Instant>, attempt: &mut u32) -> Outcome {
        let shared = Arc::clone(&self.shared);
        let call = shared.subscribe_call();
        let resent = call
            .subscribe
            .as_ref()
            .map(|s| (s.unacknowledged_tasks.len(), s.unacknowledged_updates.len()))
            .unwrap_or_default();
        let body = shared.settings.encoding.encode(&call);
        let agent = shared.settings.agent(Purpose::Stream);
        if !shared.control.begin_stream(&agent, Duration::MAX) {
            return Outcome::Closed;
        }
        log::info!(
            "subscribing at {} ({} tasks, {} updates unacknowledged)",
            shared.endpoint,
            resent.0,
            resent.1
        );
        let response = match shared.post(&agent, &body, Some(shared.control.stop_signal())) {
            Ok(response) => response,
            Err(err) => {
                if shared.control.end_stream() == Some(Interrupt::Closed) {
                    return Outcome::Closed;
                }
                return Outcome::Lost(Disconnect::Failed(err));
            }
        };
        match response.status().as_u16() {
            200 => {}
            400 | 401 | 403 | 405 | 406 | 415 => {
                // The body first: ending the stream shuts its socket.
                let err = status_error(response);
                shared.control.end_stream();
                log::warn!("the agent refused SUBSCRIBE: {err}");
                return Outcome::Final(Termination::Refused(err));
            }
            _ => {
                let err = status_error(response);
                shared.control.end_stream();
                return Outcome::Lost(Disconnect::Failed(err));
            }
        }
        if !self.deliver(Item::Connection(ConnectionState::Connected {
            agent: shared.endpoint.url(),
        })) {
            shared.control.end_stream();
            return Outcome::Closed;
        }
        self.read_stream(response, resent, deadline, attempt)
    }

    fn read_stream(
        &mut self,
        response: Response<Body>,
        resent: (usize, usize),
        deadline: &mut Option<Instant>,
        attempt: &mut u32,
    ) -> Outcome {
        let shared = Arc::clone(&self.shared);
        let encoding = response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .and_then(Encoding::from_content_type)
            .unwrap_or(shared.settings.encoding);
        let body = response.into_body().into_reader();
        let stop = read_records(
            body,
            shared.max_record_size,
            &shared.control,
            |record| Event::decode(encoding, record).map_err(|e| (e, record.to_vec())),
            |decoded| self.handle(decoded, resent, deadline, attempt),
            &NoIdle::new(),
        );
        let interrupt = shared.control.end_stream();
        if matches!(stop, StreamStop::Handler(())) || interrupt == Some(Interrupt::Closed) {
            return Outcome::Closed;
        }
        let master = shared.endpoint.url();
        Outcome::Lost(match stop {
            StreamStop::Handler(()) | StreamStop::Ended(Ok(())) => {
                Disconnect::StreamEnded { master }
            }
            StreamStop::Ended(Err(err @ RecordIoError::Truncated { .. })) => {
                Disconnect::StreamTruncated {
                    master,
                    detail: err.to_string(),
                }
            }
            StreamStop::Ended(Err(err)) | StreamStop::Framing(err) => Disconnect::Protocol {
                master,
                detail: err.to_string(),
            },
            StreamStop::ReadFailed(err) => Disconnect::Failed(Error::from_io(err, &master)),
        })
    }

    /// Delivers one decoded record; `Break` when the client is closed.
    fn handle(
        &mut self,
        decoded: Result<Event, (DecodeError, Vec<u8>)>,
        resent: (usize, usize),
        deadline: &mut Option<Instant>,
        attempt: &mut u32,
    ) -> ControlFlow<()> {
        let item = match decoded {
            Ok(event) => {
                self.note(&event, resent, deadline, attempt);
                match &event {
                    Event::Subscribed(subscribed) => {
                        let state = ConnectionState::Subscribed {
                            agent_id: subscribed.agent_info.id.clone().unwrap_or_default(),
                            resent,
                        };
                        if !self.deliver(Item::Connection(state)) {
                            return ControlFlow::Break(());
                        }
                    }
                    Event::Shutdown => self.shutting_down = true,
                    _ => {}
                }
                Item::Event(event)
            }
            Err((error, record)) => {
                log::warn!(
                    "undecodable executor event ({} bytes): {error}",
                    record.len()
                );
                Item::Undecodable { error, record }
            }
        };
        if self.deliver(item) {
            ControlFlow::Continue(())
        } else {
            ControlFlow::Break(())
        }
    }

    /// Bookkeeping before an event is delivered: subscription state, tasks
    /// to remember, updates the agent now has.
    fn note(
        &self,
        event: &Event,
        resent: (usize, usize),
        deadline: &mut Option<Instant>,
        attempt: &mut u32,
    ) {
        match event {
            Event::Subscribed(subscribed) => {
                self.shared.tracking().subscribed = true;
                *deadline = None;
                *attempt = 0;
                log::info!(
                    "executor {} subscribed on agent {} (re-sent {} tasks, {} updates)",
                    self.shared.executor_id.value,
                    subscribed
                        .agent_info
                        .id
                        .as_ref()
                        .map(|id| id.value.as_str())
                        .unwrap_or("?"),
                    resent.0,
                    resent.1
                );
            }
            Event::Launch(_) | Event::LaunchGroup(_) => self.shared.launched(event.tasks()),
            Event::Acknowledged(ack) => self.shared.acknowledged(&ack.task_id, &ack.uuid),
            Event::Error(error) => log::warn!("ERROR event from the agent: {}", error.message),
            _ => {}
        }
    }
}

/// Marks the reader finished when dropped (also on panic).
struct Finished<'a>(&'a Shared);

impl Drop for Finished<'_> {
    fn drop(&mut self) {
        self.0.tracking().subscribed = false;
        self.0.control.close();
        self.0.control.reader_finished();
    }
}
