//! What the client knows about its subscription, shared by the reader thread
//! and every handle: the framework (info and assigned id), the active stream
//! (id and master), and the last leader a redirect pointed at.

use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use super::endpoint::Endpoint;
use crate::v1;
use crate::v1::scheduler::OfferConstraints;

/// The subscription in force: calls need its stream id and go to its master.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Active {
    pub stream_id: String,
    pub endpoint: Endpoint,
    pub framework_id: v1::FrameworkID,
}

#[derive(Debug)]
pub(crate) struct SessionState {
    /// Sent on every SUBSCRIBE; `id` is filled in once the master assigns one.
    pub framework_info: v1::FrameworkInfo,
    pub suppressed_roles: Vec<String>,
    pub offer_constraints: Option<OfferConstraints>,
    pub active: Option<Active>,
    /// Where a redirect last said the leader is; tried first next time.
    pub leader_hint: Option<Endpoint>,
    /// A TEARDOWN was sent: the next stream end is final.
    pub tearing_down: bool,
    /// A TEARDOWN was accepted: the framework is gone, every call is refused
    /// with `Closed` and no new subscription is attempted.
    pub torn_down: bool,
}

/// Mutex-protected [`SessionState`], with a condition variable signalled
/// whenever the active subscription changes (for callers that wait for one).
#[derive(Debug)]
pub(crate) struct Session {
    state: Mutex<SessionState>,
    changed: Condvar,
}

/// Why [`Session::wait_active`] gave up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum WaitEnd {
    /// The deadline passed first.
    TimedOut,
    /// The client closed (or the framework was torn down) meanwhile.
    Closed,
}

/// How often a waiter re-checks the close flag (which lives elsewhere).
const CLOSE_CHECK: Duration = Duration::from_millis(50);

impl Session {
    pub fn new(
        framework_info: v1::FrameworkInfo,
        suppressed_roles: Vec<String>,
        offer_constraints: Option<OfferConstraints>,
    ) -> Self {
        Session {
            state: Mutex::new(SessionState {
                framework_info,
                suppressed_roles,
                offer_constraints,
                active: None,
                leader_hint: None,
                tearing_down: false,
                torn_down: false,
            }),
            changed: Condvar::new(),
        }
    }

    /// The state; a poisoned lock is recovered (updates are single assignments).
    pub fn lock(&self) -> MutexGuard<'_, SessionState> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Sets (or clears) the active subscription and wakes the waiters.
    pub fn set_active(&self, active: Option<Active>) {
        self.lock().active = active;
        self.changed.notify_all();
    }

    /// Waits until a subscription is active whose stream id is not
    /// `stale_stream` (the one a call just found dead), until `deadline`, or
    /// until `closed()` says the client is closed.
    pub fn wait_active(
        &self,
        stale_stream: Option<&str>,
        deadline: Instant,
        closed: impl Fn() -> bool,
    ) -> Result<Active, WaitEnd> {
        let mut state = self.lock();
        loop {
            if closed() || state.torn_down {
                return Err(WaitEnd::Closed);
            }
            if let Some(active) = &state.active {
                if Some(active.stream_id.as_str()) != stale_stream {
                    return Ok(active.clone());
                }
            }
            let now = Instant::now();
            if now >= deadline {
                return Err(WaitEnd::TimedOut);
            }
            let slice = (deadline - now).min(CLOSE_CHECK);
            state = self
                .changed
                .wait_timeout(state, slice)
                .unwrap_or_else(|p| p.into_inner())
                .0;
        }
    }

    pub fn active(&self) -> Option<Active> {
        self.lock().active.clone()
    }

    pub fn framework_id(&self) -> Option<v1::FrameworkID> {
        let state = self.lock();
        state
            .active
            .as_ref()
            .map(|a| a.framework_id.clone())
            .or_else(|| state.framework_info.id.clone())
            .filter(|id| !id.value.is_empty())
    }

    /// Records a redirect target as the probable leader.
    /// Where a call on the subscription `active` goes: where a redirect
    /// last said the leader is (after SUBSCRIBED that is the stream's
    /// master), so a call once answered 307 is not sent the long way round
    /// again.
    pub fn call_target(&self, active: &Active) -> Endpoint {
        self.lock()
            .leader_hint
            .clone()
            .unwrap_or_else(|| active.endpoint.clone())
    }

    pub fn note_leader(&self, leader: &Endpoint) {
        self.lock().leader_hint = Some(leader.clone());
    }
}
