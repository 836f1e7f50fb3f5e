//! Sending one non-SUBSCRIBE call: fill in the framework id, validate
//! locally with the master's rules, post with the stream id to the leader
//! (the master of the active subscription, or where a redirect of an
//! earlier call pointed), following redirects, and map the status.

use super::http::{error_text, status_error};
use super::shared::Shared;
use crate::error::Error;
use crate::v1::scheduler::{call::Type, Call};

impl Shared {
    /// Sends `call`; `Ok` means the master accepted it (202, or 200 for
    /// UPDATE_FRAMEWORK). See [`crate::scheduler::Scheduler::call`].
    pub fn send(&self, call: Call) -> Result<(), Error> {
        self.send_on(&self.call_agent, call)
    }

    /// [`Shared::send`] on `agent` (the acknowledgement sender has its own).
    pub fn send_on(&self, agent: &ureq::Agent, mut call: Call) -> Result<(), Error> {
        if self.control.is_closed() {
            return Err(Error::Closed);
        }
        let kind = call.r#type();
        if kind == Type::SUBSCRIBE {
            return Err(Error::Invalid(
                "SUBSCRIBE is sent by the client itself; configure it on the builder".into(),
            ));
        }
        let active = self.session.active().ok_or(Error::NotSubscribed)?;
        if call.framework_id.is_none() {
            call.framework_id = Some(active.framework_id.clone());
        }
        if let Some(update) = call.update_framework.as_mut() {
            if update.framework_info.id.is_none() {
                update.framework_info.id = call.framework_id.clone();
            }
        }
        crate::validation::validate_outgoing(&call).map_err(|e| Error::Invalid(e.to_string()))?;

        let body = self.settings.encoding.encode(&call);
        if kind == Type::TEARDOWN {
            self.session.lock().tearing_down = true;
        }
        // Where a redirect last said the leader is (after SUBSCRIBED that is
        // the stream's master): a call once answered 307 is not sent the
        // long way round again.
        let target = self
            .session
            .lock()
            .leader_hint
            .clone()
            .unwrap_or_else(|| active.endpoint.clone());
        log::debug!("sending {kind:?} to {target}");
        let posted = self.settings.post(
            agent,
            &target,
            &body,
            Some(&active.stream_id),
            |_, leader| self.session.note_leader(leader),
        );
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
                Err(status_error(posted.response))
            }
        });
        match (&result, kind) {
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
        result
    }
}
