//! Sending one non-SUBSCRIBE call: fill in the framework id, validate
//! locally with the master's rules, post with the stream id to the leader
//! (the master of the active subscription, or where a redirect of an
//! earlier call pointed), following redirects, and map the status.

use std::time::{Duration, Instant};

use super::http::{error_text, status_error, Outgoing};
use super::session::{Active, WaitEnd};
use super::shared::Shared;
use crate::error::{Error, InvalidCall};
use crate::v1::scheduler::{call::Type, Call};

/// The body of the master's 403 for a call from a framework whose stream is
/// gone (it is within its failover timeout and may re-subscribe). The whole
/// body is compared: it is a fixed protocol text, not a message to parse.
const NOT_SUBSCRIBED_BODY: &str = "Framework is not subscribed";

impl Shared {
    /// Whether calls must be refused with [`Error::Closed`]: closed, or the
    /// framework torn down.
    pub fn refuses_calls(&self) -> bool {
        self.control.is_closed() || self.session.lock().torn_down
    }

    /// Waits up to `timeout` for an active subscription (other than the one
    /// on `stale_stream`). `Closed` when the client closes meanwhile,
    /// `Timeout` when the time runs out.
    pub fn wait_subscribed(
        &self,
        stale_stream: Option<&str>,
        timeout: Duration,
    ) -> Result<Active, Error> {
        let deadline = Instant::now()
            .checked_add(timeout)
            .unwrap_or_else(|| Instant::now() + Duration::from_secs(86_400 * 365));
        self.session
            .wait_active(stale_stream, deadline, || self.control.is_closed())
            .map_err(|end| match end {
                WaitEnd::Closed => Error::Closed,
                WaitEnd::TimedOut => Error::NotSubscribed,
            })
    }

    /// Sends `call`; `Ok` means the master accepted it (202, or 200 for
    /// UPDATE_FRAMEWORK). While no subscription is active (or the master
    /// says the stream is gone), waits for the next one for up to the
    /// configured subscription wait (TEARDOWN: at least the call timeout)
    /// and sends again; without a wait it fails with `NotSubscribed`. See
    /// [`crate::scheduler::Scheduler::call`].
    pub fn send(&self, call: Call) -> Result<(), Error> {
        if self.refuses_calls() {
            return Err(Error::Closed);
        }
        let mut wait = self.options.subscription_wait;
        if call.r#type() == Type::TEARDOWN {
            wait = wait.max(self.settings.call_timeout);
            // The acknowledgements the application already gave go first:
            // after the teardown nothing can be acknowledged any more.
            let flush_until = Instant::now()
                .checked_add(self.settings.call_timeout)
                .unwrap_or_else(Instant::now);
            self.acks.flush(self, flush_until);
        }
        let deadline = Instant::now().checked_add(wait);
        let mut stale: Option<String> = None;
        loop {
            let active = match self.session.active() {
                Some(active) if Some(&active.stream_id) != stale.as_ref() => active,
                _ => {
                    let remaining = deadline
                        .map(|d| d.saturating_duration_since(Instant::now()))
                        .unwrap_or(Duration::MAX);
                    if remaining.is_zero() {
                        return Err(Error::NotSubscribed);
                    }
                    log::debug!("waiting up to {remaining:?} for the subscription");
                    self.wait_subscribed(stale.as_deref(), remaining)?
                }
            };
            let stream_id = active.stream_id.clone();
            match self.send_on(&self.call_agent, call.clone(), active) {
                Err(Error::NotSubscribed) if !self.refuses_calls() => stale = Some(stream_id),
                // Interrupted by close(): that is what the caller sees.
                Err(_) if self.control.is_closed() => return Err(Error::Closed),
                other => return other,
            }
        }
    }

    /// Sends `call` once on the subscription `active`, through `agent` (the
    /// acknowledgement sender has its own).
    pub(super) fn send_on(
        &self,
        agent: &ureq::Agent,
        mut call: Call,
        active: Active,
    ) -> Result<(), Error> {
        let kind = call.r#type();
        if kind == Type::SUBSCRIBE {
            return Err(Error::Invalid(InvalidCall::Client(
                "SUBSCRIBE is sent by the client itself; configure it on the builder",
            )));
        }
        if call.framework_id.is_none() {
            call.framework_id = Some(active.framework_id.clone());
        }
        if let Some(update) = call.update_framework.as_mut() {
            if update.framework_info.id.is_none() {
                update.framework_info.id = call.framework_id.clone();
            }
        }
        crate::validation::validate_outgoing(&call)?;

        let body = self.settings.encoding.encode(&call);
        if kind == Type::TEARDOWN {
            self.session.lock().tearing_down = true;
        }
        let target = self.session.call_target(&active);
        log::debug!("sending {kind:?} to {target}");
        let outgoing = Outgoing {
            stream_id: Some(&active.stream_id),
            ..Outgoing::body(&body)
        };
        let posted = self.settings.post(agent, &target, &outgoing, |_, leader| {
            self.session.note_leader(leader)
        });
        let result = posted.and_then(|posted| {
            let status = posted.response.status().as_u16();
            let expected = if kind == Type::UPDATE_FRAMEWORK {
                200
            } else {
                202
            };
            if status == expected {
                // Read the (empty) body so the connection returns to the pool.
                let _ = error_text(posted.response);
                Ok(())
            } else {
                Err(self.stale_stream_error(status_error(posted.response), &active))
            }
        });
        match (&result, kind) {
            (Ok(()), Type::TEARDOWN) => {
                let mut state = self.session.lock();
                state.torn_down = true;
                state.active = None;
            }
            (Err(_), Type::TEARDOWN) => self.session.lock().tearing_down = false,
            (Ok(()), Type::UPDATE_FRAMEWORK) => {
                if let Some(update) = call.update_framework {
                    let mut state = self.session.lock();
                    state.framework_info = update.framework_info;
                    state.suppressed_roles = update.suppressed_roles;
                    state.offer_constraints = update.offer_constraints;
                }
            }
            _ => {}
        }
        if let Err(err) = &result {
            log::debug!("{kind:?} failed: {err}");
        }
        if result.as_ref().is_err_and(is_stream_id_mismatch) {
            // Our stream is not the one the master knows: no call can pass
            // until we subscribe again.
            if self.session.active().map(|a| a.stream_id) == Some(active.stream_id) {
                self.control.stream_is_stale();
            }
            return Err(Error::NotSubscribed);
        }
        result
    }

    /// A refusal that only means "the stream this call was sent on is gone"
    /// becomes [`Error::NotSubscribed`] (transient): the master's 403
    /// `Framework is not subscribed` (it noticed the drop before the reader
    /// did), or a 400 while the client has already moved to a new stream
    /// (the old stream id no longer matches).
    fn stale_stream_error(&self, error: Error, sent_on: &Active) -> Error {
        match &error {
            Error::Rejected { status: 403, body } if body.trim() == NOT_SUBSCRIBED_BODY => {
                Error::NotSubscribed
            }
            Error::Rejected { status: 400, .. }
                if self
                    .session
                    .active()
                    .is_none_or(|now| now.stream_id != sent_on.stream_id) =>
            {
                Error::NotSubscribed
            }
            _ => error,
        }
    }
}

/// The master's answer to a call whose `Mesos-Stream-Id` is not the one it
/// associates with the framework (400, "The stream ID '..' included in this
/// request didn't match the stream ID currently associated with framework
/// ID ..": the master says so only in words).
fn is_stream_id_mismatch(error: &Error) -> bool {
    matches!(error, Error::Rejected { status: 400, body }
        if body.starts_with("The stream ID") && body.contains("didn't match"))
}
