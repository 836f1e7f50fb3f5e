//! The reader thread: subscribe (trying the leader hint, then every known
//! master, following redirects), read the RecordIO stream, decode events,
//! hand them to the application over a bounded channel (blocking when it is
//! full: back-pressure, never loss), and reconnect with backoff when the
//! stream ends — until closed or ended for good.

use std::cell::RefCell;
use std::ops::ControlFlow;
use std::sync::Arc;
use std::time::Duration;
use std::time::Instant;

use crossbeam_channel::Sender;
use ureq::http::Response;
use ureq::Body;

use super::control::Interrupt;
use super::delivery::deliver;
use super::endpoint::Endpoint;
use super::http::{status_error, Outgoing, Purpose, STREAM_ID_HEADER};
use super::items::{ConnectionState, Disconnect, Item, Received, Recycler, Termination};
use super::read_ahead::Idle;
use super::session::Active;
use super::shared::Shared;
use super::stream::{read_records, StreamStop};
use crate::codec::Encoding;
use crate::error::Error;
use crate::event::Event;
use crate::recordio::RecordIoError;
use crate::v1::scheduler::call::{Subscribe, Type};
use crate::v1::scheduler::Call;

/// How one subscription attempt (or stream) ended.
enum Outcome {
    /// Closed by the application, or the event receiver is gone.
    Closed,
    /// Over for good.
    Final(Termination),
    /// Try again after a backoff. `healthy` means the stream got as far as
    /// SUBSCRIBED, so the backoff starts over.
    Retry { reason: Disconnect, healthy: bool },
}

/// The reader thread's state.
pub(crate) struct Reader {
    shared: Arc<Shared>,
    events: Sender<Item>,
    /// Events the application dropped, given back to be freed on this
    /// thread (see [`Recycler`]).
    recycler: Arc<Recycler>,
    /// The masters tried since the last healthy subscription, in order
    /// (named by a give-up termination).
    tried: RefCell<Vec<String>>,
}

/// Consecutive failures since the last healthy subscription, for the
/// give-up policy and the certificate-failure bound.
#[derive(Default)]
struct Failures {
    count: u32,
    since: Option<Instant>,
    certificate: u32,
}

impl Reader {
    pub fn new(shared: Arc<Shared>, events: Sender<Item>) -> Self {
        let recycler = Recycler::new(events.capacity().unwrap_or(1024));
        Reader {
            shared,
            events,
            recycler,
            tried: RefCell::new(Vec::new()),
        }
    }

    fn note_tried(&self, master: String) {
        let mut tried = self.tried.borrow_mut();
        if !tried.contains(&master) {
            tried.push(master);
        }
    }

    /// Counts a failed attempt: `Err` with the termination when the
    /// subscription must end, else the reason back.
    fn give_up(
        &self,
        failures: &mut Failures,
        reason: Disconnect,
    ) -> Result<Disconnect, Termination> {
        let options = &self.shared.options;
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
                masters: self.tried.borrow().clone(),
                last: Box::new(reason),
            });
        }
        Ok(reason)
    }

    /// The thread body. Returns when closed or ended for good; the event
    /// channel closes when `self` is dropped.
    pub fn run(self) {
        // Even if this thread panics, the watchdog and `close()` must not
        // wait for it forever.
        let _finished = Finished(&self.shared);
        let mut attempt: u32 = 0;
        let mut failures = Failures::default();
        loop {
            if self.shared.control.is_closed() {
                break;
            }
            match self.subscribe_once() {
                Outcome::Closed => break,
                Outcome::Final(termination) => {
                    log::info!("subscription ended for good: {termination:?}");
                    self.shared.session.set_active(None);
                    self.emit_final(termination);
                    break;
                }
                Outcome::Retry { reason, healthy } => {
                    self.shared.session.set_active(None);
                    if healthy {
                        // The clock and the counts start again at this drop.
                        failures = Failures {
                            since: Some(Instant::now()),
                            ..Failures::default()
                        };
                        self.tried.borrow_mut().clear();
                    }
                    let reason = if healthy {
                        reason
                    } else {
                        match self.give_up(&mut failures, reason) {
                            Ok(reason) => reason,
                            Err(termination) => {
                                log::warn!("giving up: {termination}");
                                self.emit_final(termination);
                                break;
                            }
                        }
                    };
                    log::info!("disconnected from the master: {reason}");
                    if !self.deliver(Item::Connection(ConnectionState::Disconnected(reason))) {
                        break;
                    }
                    if healthy {
                        attempt = 0;
                    }
                    let delay = self.shared.options.backoff.delay(attempt);
                    attempt = attempt.saturating_add(1);
                    log::info!("resubscribing in {delay:?} (attempt {attempt})");
                    let item = Item::Connection(ConnectionState::Reconnecting { delay, attempt });
                    if !self.deliver(item) || !self.shared.control.sleep(delay) {
                        break;
                    }
                }
            }
        }
        log::debug!("reader thread finished");
    }

    fn emit_final(&self, termination: Termination) {
        // Calls must fail from now on, but the final item must still reach
        // the application: deliver first, then close.
        self.deliver(Item::Connection(ConnectionState::Terminated(termination)));
        self.shared.control.close();
    }

    /// Hands an item to the application, blocking while the channel is full
    /// (the watchdog is told, so a slow application is not taken for a dead
    /// master). False when closed or nobody is listening any more.
    fn deliver(&self, item: Item) -> bool {
        deliver(&self.shared.control, &self.events, item)
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

    fn subscribe_once(&self) -> Outcome {
        if self.shared.session.lock().torn_down {
            // TEARDOWN was accepted but the stream ended before its own end
            // was seen: the framework is gone, subscribing would be refused.
            return Outcome::Final(Termination::TornDown);
        }
        if self.shared.control.take_leader_change() {
            // A redirect's hint may name the deposed leader.
            self.shared.session.lock().leader_hint = None;
        }
        let candidates = match self.candidates() {
            Ok(list) if !list.is_empty() => list,
            Ok(_) => {
                let err = Error::Detection {
                    detail: "no master known yet".into(),
                };
                return Outcome::Retry {
                    reason: Disconnect::Failed(err),
                    healthy: false,
                };
            }
            Err(err) => {
                return Outcome::Retry {
                    reason: Disconnect::Failed(err),
                    healthy: false,
                }
            }
        };
        let settings = &self.shared.settings;
        let body = settings.encoding.encode(&self.subscribe_call());
        let budget = self
            .shared
            .options
            .budget(self.shared.options.heartbeat_interval);
        let mut last_error = None;
        for endpoint in candidates {
            let agent = settings.agent(Purpose::Stream);
            if !self.shared.control.begin_stream(&agent, budget) {
                return Outcome::Closed;
            }
            log::info!("subscribing at {endpoint}");
            self.note_tried(endpoint.url());
            let outgoing = Outgoing {
                stop: Some(self.shared.control.stop_signal()),
                ..Outgoing::body(&body)
            };
            let posted = settings.post(&agent, &endpoint, &outgoing, |_, leader| {
                self.shared.session.note_leader(leader)
            });
            let posted = match posted {
                Ok(posted) => posted,
                Err(err) => {
                    match self.shared.control.end_stream() {
                        Some(Interrupt::Closed) => return Outcome::Closed,
                        Some(Interrupt::LeaderChanged) => {
                            return Outcome::Retry {
                                reason: Disconnect::LeaderChanged {
                                    master: Some(endpoint.url()),
                                },
                                healthy: false,
                            }
                        }
                        _ => {}
                    }
                    log::info!("subscription at {endpoint} failed: {err}");
                    self.forget_hint(&endpoint);
                    last_error = Some(err);
                    continue;
                }
            };
            let status = posted.response.status().as_u16();
            match status {
                200 => return self.read_stream(posted.endpoint, posted.response),
                400 | 401 | 403 | 405 | 406 | 415 => {
                    // The body first: ending the stream shuts its socket.
                    let err = status_error(posted.response);
                    self.shared.control.end_stream();
                    log::warn!("the master refused SUBSCRIBE: {err}");
                    return Outcome::Final(Termination::Refused(err));
                }
                _ => {
                    let err = status_error(posted.response);
                    self.shared.control.end_stream();
                    log::info!("subscription at {} failed: {err}", posted.endpoint);
                    last_error = Some(err);
                }
            }
        }
        let err = last_error.unwrap_or_else(|| Error::Unavailable {
            body: "no master reachable".into(),
        });
        let reason = if err.is_certificate_rejected() {
            Disconnect::CertificateRejected(err)
        } else {
            Disconnect::Failed(err)
        };
        Outcome::Retry {
            reason,
            healthy: false,
        }
    }

    fn forget_hint(&self, endpoint: &Endpoint) {
        let mut state = self.shared.session.lock();
        if state.leader_hint.as_ref() == Some(endpoint) {
            state.leader_hint = None;
        }
    }

    fn read_stream(&self, endpoint: Endpoint, response: Response<Body>) -> Outcome {
        let headers = response.headers();
        let stream_id = headers
            .get(STREAM_ID_HEADER)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let encoding = headers
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .and_then(Encoding::from_content_type)
            .unwrap_or(self.shared.settings.encoding);
        let Some(stream_id) = stream_id else {
            self.shared.control.end_stream();
            let err = Error::BadResponse {
                master: endpoint.url(),
                detail: format!("a subscription stream without a {STREAM_ID_HEADER} header"),
            };
            return Outcome::Retry {
                reason: Disconnect::Failed(err),
                healthy: false,
            };
        };
        log::info!("connected to {endpoint} (stream {stream_id})");
        let master = endpoint.url();
        if !self.deliver(Item::Connection(ConnectionState::Connected {
            master: master.clone(),
        })) {
            self.shared.control.end_stream();
            return Outcome::Closed;
        }

        let mut stream = StreamState {
            endpoint,
            stream_id,
            subscribed: false,
        };
        let stop = read_records(
            response.into_body().into_reader(),
            self.shared.options.max_record_size,
            &self.shared.control,
            |record| {
                self.recycler.drop_given();
                Event::decode(encoding, record).map_err(|e| (e, record.to_vec()))
            },
            |decoded| match self.handle(decoded, &mut stream) {
                Some(outcome) => ControlFlow::Break(outcome),
                None => ControlFlow::Continue(()),
            },
            &*self.recycler,
        );
        self.recycler.drop_given();
        let healthy = stream.subscribed;
        let master = stream.endpoint.url();
        match stop {
            StreamStop::Handler(outcome) => {
                self.shared.control.end_stream();
                outcome
            }
            StreamStop::Ended(finish) => self.stream_ended(finish, healthy, master),
            StreamStop::ReadFailed(err) => match self.shared.control.end_stream() {
                Some(Interrupt::Closed) => Outcome::Closed,
                Some(Interrupt::Stalled(silence)) => Outcome::Retry {
                    reason: Disconnect::HeartbeatTimeout { master, silence },
                    healthy,
                },
                Some(Interrupt::LeaderChanged) => Outcome::Retry {
                    reason: Disconnect::LeaderChanged {
                        master: Some(master),
                    },
                    healthy,
                },
                Some(Interrupt::StaleStream) => Outcome::Retry {
                    reason: stale_stream(master),
                    healthy,
                },
                None => Outcome::Retry {
                    reason: Disconnect::Failed(Error::from_io(err, &master)),
                    healthy,
                },
            },
            StreamStop::Framing(err) => {
                self.shared.control.end_stream();
                log::warn!("corrupt event stream from {}: {err}", stream.endpoint);
                Outcome::Retry {
                    reason: Disconnect::Protocol {
                        master,
                        detail: err.to_string(),
                    },
                    healthy,
                }
            }
        }
    }

    fn stream_ended(
        &self,
        finish: Result<(), RecordIoError>,
        healthy: bool,
        master: String,
    ) -> Outcome {
        let interrupt = self.shared.control.end_stream();
        match interrupt {
            Some(Interrupt::Closed) => return Outcome::Closed,
            Some(Interrupt::Stalled(silence)) => {
                return Outcome::Retry {
                    reason: Disconnect::HeartbeatTimeout { master, silence },
                    healthy,
                }
            }
            Some(Interrupt::LeaderChanged) => {
                return Outcome::Retry {
                    reason: Disconnect::LeaderChanged {
                        master: Some(master),
                    },
                    healthy,
                }
            }
            Some(Interrupt::StaleStream) => {
                return Outcome::Retry {
                    reason: stale_stream(master),
                    healthy,
                }
            }
            None => {}
        }
        let state = self.shared.session.lock();
        if state.tearing_down || state.torn_down {
            return Outcome::Final(Termination::TornDown);
        }
        drop(state);
        let reason = match finish {
            Ok(()) => Disconnect::StreamEnded { master },
            Err(err @ RecordIoError::Truncated { .. }) => Disconnect::StreamTruncated {
                master,
                detail: err.to_string(),
            },
            Err(err) => Disconnect::Protocol {
                master,
                detail: err.to_string(),
            },
        };
        Outcome::Retry { reason, healthy }
    }

    /// Handles one decoded record; `Some` ends the stream.
    fn handle(
        &self,
        decoded: Result<Event, (crate::codec::DecodeError, Vec<u8>)>,
        stream: &mut StreamState,
    ) -> Option<Outcome> {
        let event = match decoded {
            Ok(event) => event,
            Err((error, record)) => {
                log::warn!("undecodable event ({} bytes): {error}", record.len());
                return (!self.deliver(Item::Undecodable { error, record }))
                    .then_some(Outcome::Closed);
            }
        };
        log::trace!("event {:?}", event.kind());
        let mut terminal = None;
        match &event {
            Event::Subscribed(subscribed) => {
                let framework_id = subscribed.framework_id.clone();
                let interval = subscribed
                    .heartbeat_interval_seconds
                    .filter(|s| s.is_finite() && *s > 0.0)
                    .and_then(|s| Duration::try_from_secs_f64(s).ok());
                {
                    let mut state = self.shared.session.lock();
                    state.framework_info.id = Some(framework_id.clone());
                    state.leader_hint = Some(stream.endpoint.clone());
                }
                self.shared.session.set_active(Some(Active {
                    stream_id: stream.stream_id.clone(),
                    endpoint: stream.endpoint.clone(),
                    framework_id: framework_id.clone(),
                }));
                if let Some(interval) = interval {
                    self.shared
                        .control
                        .set_budget(self.shared.options.budget(interval));
                }
                stream.subscribed = true;
                log::info!(
                    "subscribed as framework {} at {} (stream {})",
                    framework_id.value,
                    stream.endpoint,
                    stream.stream_id
                );
                let state = ConnectionState::Subscribed {
                    master: stream.endpoint.url(),
                    framework_id,
                    stream_id: stream.stream_id.clone(),
                    heartbeat_interval: interval,
                };
                if !self.deliver(Item::Connection(state)) {
                    return Some(Outcome::Closed);
                }
            }
            Event::Error(error) => {
                log::warn!("ERROR event from the master: {}", error.message);
                terminal = Some(Outcome::Final(Termination::ErrorEvent(
                    error.message.clone(),
                )));
            }
            _ => {}
        }
        let ack = if self.shared.options.auto_acknowledge {
            event
                .acknowledgement()
                .map(|call| (call, self.shared.clone()))
        } else {
            None
        };
        let recycler = Some(Arc::clone(&self.recycler));
        if !self.deliver(Item::Event(Received::new(event, ack, recycler))) {
            return Some(Outcome::Closed);
        }
        terminal
    }
}

/// What the reader knows about the stream it is reading.
struct StreamState {
    endpoint: Endpoint,
    stream_id: String,
    subscribed: bool,
}

/// Marks the reader finished when dropped (also on panic): no subscription,
/// client closed, watchdog released.
struct Finished<'a>(&'a Shared);

impl Drop for Finished<'_> {
    fn drop(&mut self) {
        self.0.session.set_active(None);
        self.0.control.close();
        self.0.control.reader_finished();
    }
}

/// Why a stream the master no longer associates with the framework was dropped.
fn stale_stream(master: String) -> Disconnect {
    Disconnect::Failed(Error::BadResponse {
        master,
        detail: format!(
            "the master refused the stream's {STREAM_ID_HEADER} (it associates another stream with the framework)"
        ),
    })
}
