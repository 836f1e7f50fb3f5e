//! The subscription loop, on the reader thread, for any [`Protocol`]:
//! subscribe (trying each peer the protocol names), read the RecordIO
//! stream inline, decode each record, deliver it over the bounded channel
//! (blocking while it is full: back-pressure, never loss), and when the
//! stream ends map why, ask the protocol's retry policy, back off — until
//! closed or ended for good. The last item is always the protocol's
//! `Terminated`, when a receiver is still there to take it.

use std::ops::ControlFlow;

use crossbeam_channel::Sender;
use ureq::http::Response;
use ureq::Body;

use super::disconnect::Disconnect;
use super::protocol::{End, Next, Protocol, Seen, Start};
use super::refusal::{classify, Answer};
use crate::codec::{DecodeError, Encoding};
use crate::connection::{
    deliver, read_records, status_error, Interrupt, Posted, Purpose, StreamStop, STREAM_ID_HEADER,
};
use crate::error::Error;
use crate::recordio::RecordIoError;

/// How many records in a row may fail to decode before the stream is
/// dropped as corrupt ([`Disconnect::Protocol`]) and re-subscribed. One
/// undecodable record is delivered and the stream goes on (as the Mesos
/// libraries do: a newer peer may send what this schema cannot read); a
/// run this long means the stream as a whole is unreadable (e.g. its
/// records are in the other encoding), and a run of undecodable records
/// would otherwise keep the watchdog quiet for ever.
pub(crate) const MAX_UNDECODABLE_RUN: u32 = 16;

/// How one subscription attempt (or stream) ended.
enum Outcome<T> {
    /// Closed by the application, or the event receiver is gone.
    Closed,
    /// Over for good.
    Final(End<T>),
    /// Lost; `healthy` means the stream got as far as SUBSCRIBED.
    Lost { reason: Disconnect, healthy: bool },
}

impl<T> Outcome<T> {
    fn lost(reason: Disconnect) -> Self {
        Outcome::Lost {
            reason,
            healthy: false,
        }
    }
}

/// The reader thread's state: the protocol and the channel's sending end.
/// Dropping it (at the end of [`Subscription::run`], or by a panic) marks
/// the subscription inactive, closes the client and releases the watchdog;
/// the channel closes right after.
pub(crate) struct Subscription<P: Protocol> {
    protocol: P,
    events: Sender<P::Item>,
}

impl<P: Protocol> Subscription<P> {
    pub(crate) fn new(protocol: P, events: Sender<P::Item>) -> Self {
        Subscription { protocol, events }
    }

    /// The thread body. Returns when closed or ended for good.
    pub(crate) fn run(mut self) {
        loop {
            if self.protocol.control().is_closed() {
                self.closed();
                break;
            }
            let (reason, healthy) = match self.attempt() {
                Outcome::Closed => {
                    self.closed();
                    break;
                }
                Outcome::Final(end) => {
                    self.terminate(Vec::new(), end);
                    break;
                }
                Outcome::Lost { reason, healthy } => (reason, healthy),
            };
            self.protocol.unsubscribed();
            log::info!("disconnected: {reason}");
            match self.protocol.lost(reason, healthy) {
                Next::Retry { items, delay } => {
                    if !items.into_iter().all(|item| self.deliver(item)) {
                        self.closed();
                        break;
                    }
                    if !self.protocol.control().sleep(delay) {
                        self.closed();
                        break;
                    }
                }
                Next::End { items, termination } => {
                    self.terminate(items, End::Own(termination));
                    break;
                }
            }
        }
        log::debug!("subscription loop finished");
    }

    /// Delivers `items` and the final item, then closes the client (calls
    /// fail from now on, but the final item must reach the application
    /// first).
    fn terminate(&self, items: Vec<P::Item>, end: End<P::Termination>) {
        log::info!("subscription ended for good");
        self.protocol.unsubscribed();
        if items.into_iter().all(|item| self.deliver(item)) {
            self.deliver(self.protocol.terminated_item(end));
        }
        self.protocol.control().close();
    }

    /// Closed from outside: the `Terminated(Closed)` item, if there is
    /// room for it (closing never waits for the application, which may be
    /// the thread closing).
    fn closed(&self) {
        let _ = self
            .events
            .try_send(self.protocol.terminated_item(End::Closed));
    }

    /// Hands an item to the application, blocking while the channel is
    /// full. False when closed or nobody listens any more.
    fn deliver(&self, item: P::Item) -> bool {
        deliver(self.protocol.control(), &self.events, item)
    }

    /// One attempt: try every peer until one answers 200, then read its
    /// stream to the end.
    fn attempt(&mut self) -> Outcome<P::Termination> {
        let attempt = match self.protocol.start() {
            Start::Attempt(attempt) => attempt,
            Start::Lost(reason) => return Outcome::lost(reason),
            Start::End(termination) => return Outcome::Final(End::Own(termination)),
        };
        let budget = self.protocol.initial_budget();
        let mut last_error = None;
        let mut not_found = Vec::new();
        let mut only_not_found = true;
        for target in attempt.targets {
            let control = self.protocol.control();
            let agent = self.protocol.settings().agent(Purpose::Stream);
            if !control.begin_stream(&agent, budget) {
                return Outcome::Closed;
            }
            log::info!("subscribing at {target}");
            let posted =
                match self
                    .protocol
                    .post(&agent, &target, &attempt.body, control.stop_signal())
                {
                    Ok(posted) => posted,
                    Err(err) => {
                        match self.protocol.control().end_stream() {
                            Some(Interrupt::Closed) => return Outcome::Closed,
                            Some(Interrupt::LeaderChanged) => {
                                return Outcome::lost(Disconnect::LeaderChanged {
                                    master: Some(target.url()),
                                })
                            }
                            _ => {}
                        }
                        self.protocol.post_failed(&target);
                        if let Error::NotFound { url, .. } = &err {
                            // The one post path reports a 404 as this error:
                            // nothing serves this API there, final once every
                            // peer tried answered so.
                            log::warn!("{err}");
                            not_found.push(url.clone());
                        } else {
                            log::info!("subscription at {target} failed: {err}");
                            only_not_found = false;
                        }
                        last_error = Some(err);
                        continue;
                    }
                };
            let status = posted.response.status().as_u16();
            match classify(status) {
                Answer::Stream => return self.read(posted),
                Answer::Refused => {
                    // The body first: ending the stream shuts its socket.
                    let err = status_error(posted.response);
                    self.protocol.control().end_stream();
                    log::warn!("SUBSCRIBE refused by {}: {err}", posted.endpoint);
                    return Outcome::Final(End::Refused(err));
                }
                Answer::Transient => {
                    let err = status_error(posted.response);
                    self.protocol.control().end_stream();
                    log::info!("subscription at {} failed: {err}", posted.endpoint);
                    only_not_found = false;
                    last_error = Some(err);
                }
            }
        }
        if only_not_found && !not_found.is_empty() {
            return Outcome::Final(End::NotFound { urls: not_found });
        }
        let err = last_error.unwrap_or_else(|| Error::Unavailable {
            body: "no peer reachable".into(),
        });
        Outcome::lost(if err.is_certificate_rejected() {
            Disconnect::CertificateRejected(err)
        } else {
            Disconnect::Failed(err)
        })
    }

    /// Reads the stream a peer opened, to its end.
    fn read(&mut self, posted: Posted) -> Outcome<P::Termination> {
        let Posted { endpoint, response } = posted;
        let url = endpoint.url();
        if let Err(err) = self.protocol.opened(&endpoint, response.headers()) {
            self.protocol.control().end_stream();
            return Outcome::lost(Disconnect::Failed(err));
        }
        let encoding = response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .and_then(Encoding::from_content_type)
            .unwrap_or(self.protocol.settings().encoding);
        log::info!("connected to {endpoint}");
        self.protocol.control().stream_open();
        if !self.deliver(self.protocol.connected_item(url.clone())) {
            self.protocol.control().end_stream();
            return Outcome::Closed;
        }
        let mut stream = StreamState {
            url,
            encoding,
            healthy: false,
            undecodable_run: 0,
        };
        let stop = self.read_body(response, &mut stream);
        self.stopped(stop, stream)
    }

    fn read_body(
        &mut self,
        response: Response<Body>,
        stream: &mut StreamState,
    ) -> StreamStop<Outcome<P::Termination>> {
        let body = response.into_body().into_reader();
        let max = self.protocol.max_record_size();
        read_records(body, max, |record| {
            match self.protocol.decode(stream.encoding, record) {
                Ok(event) => self.handle(event, stream),
                Err(error) => self.undecodable(error, record, stream),
            }
        })
    }

    /// Delivers one decoded event (and what the protocol puts before it).
    fn handle(
        &mut self,
        event: P::Event,
        stream: &mut StreamState,
    ) -> ControlFlow<Outcome<P::Termination>> {
        stream.undecodable_run = 0;
        let control = self.protocol.control();
        // A sign of life only once decoded: bytes that make no event, and
        // the time spent decoding, count as silence.
        control.saw_activity();
        let mut items = Vec::new();
        let seen = self.protocol.seen(&event, &mut items);
        let mut terminal = None;
        match seen {
            Seen::Subscribed { budget } => {
                stream.healthy = true;
                if let Some(budget) = budget {
                    self.protocol.control().set_budget(budget);
                }
            }
            Seen::Other => {}
            Seen::Final(termination) => terminal = Some(termination),
        }
        items.push(self.protocol.event_item(event));
        for item in items {
            if !self.deliver(item) {
                return ControlFlow::Break(Outcome::Closed);
            }
        }
        match terminal {
            Some(termination) => ControlFlow::Break(Outcome::Final(End::Own(termination))),
            None => ControlFlow::Continue(()),
        }
    }

    /// Delivers a record that is no event; a long run of them ends the
    /// stream (see [`MAX_UNDECODABLE_RUN`]).
    fn undecodable(
        &mut self,
        error: DecodeError,
        record: &[u8],
        stream: &mut StreamState,
    ) -> ControlFlow<Outcome<P::Termination>> {
        log::warn!("undecodable event ({} bytes): {error}", record.len());
        stream.undecodable_run += 1;
        let detail = (stream.undecodable_run >= MAX_UNDECODABLE_RUN).then(|| {
            format!(
                "{} records in a row could not be decoded as {:?} events (last: {error})",
                stream.undecodable_run, stream.encoding
            )
        });
        let item = self.protocol.undecodable_item(error, record.to_vec());
        if !self.deliver(item) {
            return ControlFlow::Break(Outcome::Closed);
        }
        match detail {
            Some(detail) => ControlFlow::Break(Outcome::Lost {
                reason: Disconnect::Protocol {
                    master: stream.url.clone(),
                    detail,
                },
                healthy: stream.healthy,
            }),
            None => ControlFlow::Continue(()),
        }
    }

    /// Why the stream stopped, as the loop acts on it: an interruption
    /// from outside (close, watchdog, leader change, stale stream) takes
    /// precedence over what the read saw.
    fn stopped(
        &mut self,
        stop: StreamStop<Outcome<P::Termination>>,
        stream: StreamState,
    ) -> Outcome<P::Termination> {
        let interrupt = self.protocol.control().end_stream();
        let StreamState {
            url: master,
            healthy,
            ..
        } = stream;
        let lost = |reason| Outcome::Lost { reason, healthy };
        if let StreamStop::Handler(outcome) = stop {
            return outcome;
        }
        match interrupt {
            Some(Interrupt::Closed) => return Outcome::Closed,
            Some(Interrupt::Stalled(silence)) => {
                return lost(Disconnect::HeartbeatTimeout { master, silence })
            }
            Some(Interrupt::LeaderChanged) => {
                return lost(Disconnect::LeaderChanged {
                    master: Some(master),
                })
            }
            Some(Interrupt::StaleStream) => return lost(stale_stream(master)),
            None => {}
        }
        match stop {
            StreamStop::Handler(outcome) => outcome,
            StreamStop::Ended(finish) => {
                if let Some(termination) = self.protocol.ended() {
                    return Outcome::Final(End::Own(termination));
                }
                lost(match finish {
                    Ok(()) => Disconnect::StreamEnded { master },
                    Err(err @ RecordIoError::Truncated { .. }) => Disconnect::StreamTruncated {
                        master,
                        detail: err.to_string(),
                    },
                    Err(err) => Disconnect::Protocol {
                        master,
                        detail: err.to_string(),
                    },
                })
            }
            StreamStop::ReadFailed(err) => lost(Disconnect::Failed(Error::from_io(err, &master))),
            StreamStop::Framing(err) => {
                log::warn!("corrupt event stream from {master}: {err}");
                lost(Disconnect::Protocol {
                    master,
                    detail: err.to_string(),
                })
            }
        }
    }
}

impl<P: Protocol> Drop for Subscription<P> {
    fn drop(&mut self) {
        // Also on a panic: calls must not wait for a subscription that
        // will never come, nor the watchdog and `close()` for this thread.
        self.protocol.unsubscribed();
        let control = self.protocol.control();
        control.close();
        control.reader_finished();
    }
}

/// What the loop knows about the stream it is reading.
struct StreamState {
    url: String,
    encoding: Encoding,
    /// SUBSCRIBED arrived on it.
    healthy: bool,
    /// Records in a row that could not be decoded.
    undecodable_run: u32,
}

/// Why a stream the master no longer associates with the framework was
/// dropped.
fn stale_stream(master: String) -> Disconnect {
    Disconnect::Failed(Error::BadResponse {
        master,
        detail: format!(
            "the master refused the stream's {STREAM_ID_HEADER} (it associates another stream with the framework)"
        ),
    })
}
