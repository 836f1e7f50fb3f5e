//! State shared by the executor handle and its reader thread: the HTTP
//! settings, the close/stop control, and what the agent has not yet
//! acknowledged (launched tasks and sent updates), which every SUBSCRIBE
//! re-sends, as the Mesos executor library requires.

use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use ureq::http::Response;
use ureq::{Agent, Body};

use crossbeam_channel::Receiver;

use crate::connection::{
    error_text, status_error, Control, Endpoint, HttpSettings, Outgoing, Purpose,
};
use crate::error::Error;
use crate::v1;
use crate::v1::executor::call::{Subscribe, Type, Update};
use crate::v1::executor::Call;

/// Reconnection settings.
#[derive(Debug, Clone)]
pub(crate) struct Recovery {
    /// Re-subscribe after a disconnection (the framework checkpoints).
    pub checkpoint: bool,
    /// Give up after this long without a subscription.
    pub timeout: Duration,
    /// Upper bound of the random delay between attempts.
    pub backoff_max: Duration,
}

/// What the agent has not acknowledged yet.
#[derive(Debug, Default)]
pub(crate) struct Tracking {
    pub subscribed: bool,
    /// Launched tasks with no acknowledged update yet, in launch order.
    pub tasks: Vec<v1::TaskInfo>,
    /// Updates without ACKNOWLEDGED, in the order they were sent.
    pub updates: Vec<Update>,
}

pub(crate) struct Shared {
    pub settings: HttpSettings,
    pub call_agent: Agent,
    pub control: Control,
    pub endpoint: Endpoint,
    pub framework_id: v1::FrameworkID,
    pub executor_id: v1::ExecutorID,
    /// `Authorization: Bearer` value.
    pub token: Option<String>,
    pub recovery: Recovery,
    pub shutdown_grace_period: Duration,
    pub max_record_size: usize,
    tracking: Mutex<Tracking>,
}

impl Shared {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        settings: HttpSettings,
        endpoint: Endpoint,
        framework_id: v1::FrameworkID,
        executor_id: v1::ExecutorID,
        token: Option<String>,
        recovery: Recovery,
        shutdown_grace_period: Duration,
        max_record_size: usize,
    ) -> Shared {
        let control = Control::new();
        let call_agent = settings.agent(Purpose::Call);
        Shared {
            call_agent,
            settings,
            control,
            endpoint,
            framework_id,
            executor_id,
            token,
            recovery,
            shutdown_grace_period,
            max_record_size,
            tracking: Mutex::new(Tracking::default()),
        }
    }

    /// The tracking state; a poisoned lock is recovered (every change is a
    /// single push, removal or assignment).
    pub fn tracking(&self) -> MutexGuard<'_, Tracking> {
        self.tracking.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// A call of `kind` with the ids filled in.
    pub fn call(&self, kind: Type) -> Call {
        Call {
            executor_id: self.executor_id.clone(),
            framework_id: self.framework_id.clone(),
            r#type: Some(kind),
            ..Call::default()
        }
    }

    /// SUBSCRIBE with everything the agent has not acknowledged.
    pub fn subscribe_call(&self) -> Call {
        let tracking = self.tracking();
        Call {
            subscribe: Some(Subscribe {
                unacknowledged_tasks: tracking.tasks.clone(),
                unacknowledged_updates: tracking.updates.clone(),
            }),
            ..self.call(Type::SUBSCRIBE)
        }
    }

    /// Posts `body` on `agent` through the client's one post path (as the
    /// scheduler's calls), with the `Bearer` token; the response whatever
    /// its status. With `stop`, the caller stops waiting when the client
    /// closes (see [`HttpSettings::post`]).
    pub fn post(
        &self,
        agent: &Agent,
        body: &[u8],
        stop: Option<&Receiver<()>>,
    ) -> Result<Response<Body>, Error> {
        let bearer = self.token.as_ref().map(|token| format!("Bearer {token}"));
        let outgoing = Outgoing {
            authorization: bearer.as_deref(),
            stop,
            ..Outgoing::body(body)
        };
        let posted = self
            .settings
            .post(agent, &self.endpoint, &outgoing, |_, _| {})?;
        Ok(posted.response)
    }

    /// Sends a call other than SUBSCRIBE; `Ok` on 202.
    pub fn send(&self, call: &Call) -> Result<(), Error> {
        if self.control.is_closed() {
            return Err(Error::Closed);
        }
        crate::validation::validate_executor_call(call)?;
        if !self.tracking().subscribed {
            return Err(Error::NotSubscribed);
        }
        let body = self.settings.encoding.encode(call);
        let response = match self.post(&self.call_agent, &body, None) {
            // Interrupted by close(): that is what the caller sees.
            Err(_) if self.control.is_closed() => return Err(Error::Closed),
            other => other?,
        };
        match response.status().as_u16() {
            202 => {
                // Read the (empty) body so the connection returns to the pool.
                let _ = error_text(response);
                Ok(())
            }
            403 => not_subscribed(error_text(response)),
            _ => Err(status_error(response)),
        }
    }

    /// LAUNCH / LAUNCH_GROUP: the tasks stay unacknowledged until the agent
    /// acknowledges one of their updates.
    pub fn launched(&self, tasks: &[v1::TaskInfo]) {
        let mut tracking = self.tracking();
        for task in tasks {
            if !tracking.tasks.iter().any(|t| t.task_id == task.task_id) {
                tracking.tasks.push(task.clone());
            }
        }
    }

    /// ACKNOWLEDGED: the update is the agent's now, and so is its task.
    pub fn acknowledged(&self, task_id: &v1::TaskID, uuid: &[u8]) {
        let mut tracking = self.tracking();
        tracking
            .updates
            .retain(|u| u.status.uuid.as_deref() != Some(uuid));
        tracking.tasks.retain(|t| &t.task_id != task_id);
    }
}

/// The agent's answer when a call arrives while it has no subscription for
/// the executor (it saw the stream drop before the executor did).
const NOT_SUBSCRIBED_BODY: &str = "Executor is not subscribed";

/// A 403: the reconnect gap ([`NOT_SUBSCRIBED_BODY`]) is the transient
/// [`Error::NotSubscribed`] — an update is kept and re-sent with the next
/// SUBSCRIBE, as the Mesos executor library does — any other 403 (an
/// executor-claim mismatch) is a refusal.
fn not_subscribed(body: String) -> Result<(), Error> {
    if body.trim() == NOT_SUBSCRIBED_BODY {
        log::info!("the agent has no subscription for this executor (yet): {body}");
        Err(Error::NotSubscribed)
    } else {
        Err(Error::Rejected { status: 403, body })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_reconnect_gap_is_transient_and_other_refusals_are_not() {
        let gap = not_subscribed("Executor is not subscribed".into()).unwrap_err();
        assert!(matches!(gap, Error::NotSubscribed), "{gap:?}");
        assert!(gap.is_transient());
        let claim =
            not_subscribed("Authenticated principal 'x' does not match".into()).unwrap_err();
        assert!(
            matches!(claim, Error::Rejected { status: 403, .. }),
            "{claim:?}"
        );
    }
}
