//! The scheduler's event stream as a [`Protocol`] of the subscription
//! loop: SUBSCRIBE with the FrameworkInfo at the last known leader first
//! (then every master the detector names, following redirects), a stream
//! id required on the response, the framework id and heartbeat interval
//! taken from SUBSCRIBED, ERROR final, jittered exponential backoff with
//! the give-up policy.

use std::sync::Arc;
use std::time::{Duration, Instant};

use crossbeam_channel::Receiver;
use ureq::http::HeaderMap;
use ureq::Agent;

use super::items::{ConnectionState, Item, Received, Termination};
use crate::codec::{DecodeError, Encoding};
use crate::connection::{
    Active, Control, Endpoint, HttpSettings, Outgoing, Posted, Shared, STREAM_ID_HEADER,
};
use crate::error::Error;
use crate::event::Event;
use crate::subscription::{Attempt, Disconnect, End, Next, Protocol, Seen, Start};
use crate::v1::scheduler::call::{Subscribe, Type};
use crate::v1::scheduler::Call;

/// Consecutive failures since the last healthy subscription, for the
/// give-up policy and the certificate-failure bound.
#[derive(Default)]
struct Failures {
    count: u32,
    since: Option<Instant>,
    certificate: u32,
}

/// The scheduler's side of the subscription loop.
pub(crate) struct SchedulerStream {
    shared: Arc<Shared>,
    /// The masters tried since the last healthy subscription, in order
    /// (named by a give-up termination).
    tried: Vec<String>,
    failures: Failures,
    /// Backoff attempts since the last healthy subscription.
    attempt: u32,
    /// The stream being read: its master and id.
    stream: Option<(Endpoint, String)>,
}

impl SchedulerStream {
    pub(crate) fn new(shared: Arc<Shared>) -> Self {
        SchedulerStream {
            shared,
            tried: Vec::new(),
            failures: Failures::default(),
            attempt: 0,
            stream: None,
        }
    }

    /// The masters to try: the last known leader first, then the detector's.
    fn candidates(&self) -> Result<Vec<Endpoint>, Error> {
        let mut list = Vec::new();
        if let Some(hint) = self.shared.session.lock().leader_hint.clone() {
            list.push(hint);
        }
        for endpoint in self.shared.masters.0.candidates()? {
            if !list.contains(&endpoint) {
                list.push(endpoint);
            }
        }
        Ok(list)
    }

    fn subscribe_call(&self) -> Call {
        let state = self.shared.session.lock();
        let framework_info = state.framework_info.clone();
        Call {
            framework_id: framework_info.id.clone().filter(|id| !id.value.is_empty()),
            r#type: Some(Type::SUBSCRIBE),
            subscribe: Some(Subscribe {
                framework_info,
                suppressed_roles: state.suppressed_roles.clone(),
                offer_constraints: state.offer_constraints.clone(),
            }),
            ..Call::default()
        }
    }

    /// Counts a failed attempt: `Err` with the termination when the
    /// subscription must end, else the reason back.
    fn give_up(&mut self, reason: Disconnect) -> Result<Disconnect, Termination> {
        let options = &self.shared.options;
        let failures = &mut self.failures;
        if let Disconnect::CertificateRejected(_) = reason {
            failures.certificate += 1;
            if failures.certificate >= options.max_certificate_failures.max(1) {
                if let Disconnect::CertificateRejected(err) = reason {
                    return Err(Termination::CertificateRejected(err));
                }
            }
        } else {
            failures.certificate = 0;
        }
        failures.count = failures.count.saturating_add(1);
        let since = *failures.since.get_or_insert_with(Instant::now);
        let out_of_attempts = options
            .max_attempts
            .is_some_and(|max| failures.count >= max);
        let out_of_time = options
            .give_up_after
            .is_some_and(|limit| since.elapsed() >= limit);
        if out_of_attempts || out_of_time {
            return Err(Termination::GaveUp {
                masters: self.tried.clone(),
                last: Box::new(reason),
            });
        }
        Ok(reason)
    }
}

impl Protocol for SchedulerStream {
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
        self.shared.options.max_record_size
    }

    fn initial_budget(&self) -> Duration {
        self.shared
            .options
            .budget(self.shared.options.heartbeat_interval)
    }

    fn start(&mut self) -> Start<Termination> {
        if self.shared.session.lock().torn_down {
            // TEARDOWN was accepted but the stream ended before its own end
            // was seen: the framework is gone, subscribing would be refused.
            return Start::End(Termination::TornDown);
        }
        if self.shared.control.take_leader_change() {
            // A redirect's hint may name the deposed leader.
            self.shared.session.lock().leader_hint = None;
        }
        let targets = match self.candidates() {
            Ok(list) if !list.is_empty() => list,
            Ok(_) => {
                return Start::Lost(Disconnect::Failed(Error::Detection {
                    detail: "no master known yet".into(),
                }))
            }
            Err(err) => return Start::Lost(Disconnect::Failed(err)),
        };
        for target in &targets {
            let url = target.url();
            if !self.tried.contains(&url) {
                self.tried.push(url);
            }
        }
        let body = self.shared.settings.encoding.encode(&self.subscribe_call());
        Start::Attempt(Attempt { targets, body })
    }

    fn post(
        &self,
        agent: &Agent,
        target: &Endpoint,
        body: &[u8],
        stop: &Receiver<()>,
    ) -> Result<Posted, Error> {
        let outgoing = Outgoing {
            stop: Some(stop),
            ..Outgoing::body(body)
        };
        self.shared
            .settings
            .post(agent, target, &outgoing, |_, leader| {
                self.shared.session.note_leader(leader)
            })
    }

    fn post_failed(&mut self, target: &Endpoint) {
        let mut state = self.shared.session.lock();
        if state.leader_hint.as_ref() == Some(target) {
            state.leader_hint = None;
        }
    }

    fn opened(&mut self, endpoint: &Endpoint, headers: &HeaderMap) -> Result<(), Error> {
        let stream_id = headers
            .get(STREAM_ID_HEADER)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
            .ok_or_else(|| Error::BadResponse {
                master: endpoint.url(),
                detail: format!("a subscription stream without a {STREAM_ID_HEADER} header"),
            })?;
        log::info!("stream {stream_id} open at {endpoint}");
        self.stream = Some((endpoint.clone(), stream_id));
        Ok(())
    }

    fn decode(&self, encoding: Encoding, record: &[u8]) -> Result<Event, DecodeError> {
        Event::decode(encoding, record)
    }

    fn seen(&mut self, event: &Event, items: &mut Vec<Item>) -> Seen<Termination> {
        log::trace!("event {:?}", event.kind());
        match event {
            Event::Subscribed(subscribed) => {
                let Some((endpoint, stream_id)) = self.stream.clone() else {
                    return Seen::Other;
                };
                let framework_id = subscribed.framework_id.clone();
                let interval = subscribed
                    .heartbeat_interval_seconds
                    .filter(|s| s.is_finite() && *s > 0.0)
                    .and_then(|s| Duration::try_from_secs_f64(s).ok());
                {
                    let mut state = self.shared.session.lock();
                    state.framework_info.id = Some(framework_id.clone());
                    state.leader_hint = Some(endpoint.clone());
                }
                self.shared.session.set_active(Some(Active {
                    stream_id: stream_id.clone(),
                    endpoint: endpoint.clone(),
                    framework_id: framework_id.clone(),
                }));
                log::info!(
                    "subscribed as framework {} at {endpoint} (stream {stream_id})",
                    framework_id.value,
                );
                // A healthy subscription: the give-up clock and the
                // backoff start over at the next drop.
                self.failures = Failures::default();
                self.tried.clear();
                self.attempt = 0;
                items.push(Item::Connection(ConnectionState::Subscribed {
                    master: endpoint.url(),
                    framework_id,
                    stream_id,
                    heartbeat_interval: interval,
                }));
                Seen::Subscribed {
                    budget: interval.map(|i| self.shared.options.budget(i)),
                }
            }
            Event::Error(error) => {
                log::warn!("ERROR event from the master: {}", error.message);
                Seen::Final(Termination::ErrorEvent(error.message.clone()))
            }
            _ => Seen::Other,
        }
    }

    fn event_item(&self, event: Event) -> Item {
        let ack = if self.shared.options.auto_acknowledge {
            event
                .acknowledgement()
                .map(|call| (call, Arc::clone(&self.shared)))
        } else {
            None
        };
        Item::Event(Received::new(event, ack))
    }

    fn undecodable_item(&self, error: DecodeError, record: Vec<u8>) -> Item {
        Item::Undecodable { error, record }
    }

    fn connected_item(&self, master: String) -> Item {
        Item::Connection(ConnectionState::Connected { master })
    }

    fn terminated_item(&self, end: End<Termination>) -> Item {
        Item::Connection(ConnectionState::Terminated(match end {
            End::Closed => Termination::Closed,
            End::Refused(err) => Termination::Refused(err),
            End::NotFound { urls } => Termination::NotFound { urls },
            End::Own(termination) => termination,
        }))
    }

    fn ended(&mut self) -> Option<Termination> {
        let state = self.shared.session.lock();
        (state.tearing_down || state.torn_down).then_some(Termination::TornDown)
    }

    fn lost(&mut self, reason: Disconnect, healthy: bool) -> Next<Item, Termination> {
        self.stream = None;
        if healthy {
            // The give-up clock starts at this drop.
            self.failures.since = Some(Instant::now());
        }
        let reason = if healthy {
            reason
        } else {
            match self.give_up(reason) {
                Ok(reason) => reason,
                Err(termination) => {
                    log::warn!("giving up: {termination}");
                    return Next::End {
                        items: Vec::new(),
                        termination,
                    };
                }
            }
        };
        let delay = self.shared.options.backoff.delay(self.attempt);
        self.attempt = self.attempt.saturating_add(1);
        let attempt = self.attempt;
        log::info!("resubscribing in {delay:?} (attempt {attempt})");
        Next::Retry {
            items: vec![
                Item::Connection(ConnectionState::Disconnected(reason)),
                Item::Connection(ConnectionState::Reconnecting { delay, attempt }),
            ],
            delay,
        }
    }

    fn unsubscribed(&self) {
        self.shared.session.set_active(None);
    }
}
