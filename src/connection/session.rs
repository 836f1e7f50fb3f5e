//! What the client knows about its subscription, shared by the reader thread
//! and every handle: the framework (info and assigned id), the active stream
//! (id and master), and the last leader a redirect pointed at.

use std::sync::{Mutex, MutexGuard};

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
}

/// Mutex-protected [`SessionState`].
#[derive(Debug)]
pub(crate) struct Session(Mutex<SessionState>);

impl Session {
    pub fn new(
        framework_info: v1::FrameworkInfo,
        suppressed_roles: Vec<String>,
        offer_constraints: Option<OfferConstraints>,
    ) -> Self {
        Session(Mutex::new(SessionState {
            framework_info,
            suppressed_roles,
            offer_constraints,
            active: None,
            leader_hint: None,
            tearing_down: false,
        }))
    }

    /// The state; a poisoned lock is recovered (updates are single assignments).
    pub fn lock(&self) -> MutexGuard<'_, SessionState> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
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
    pub fn note_leader(&self, leader: &Endpoint) {
        self.lock().leader_hint = Some(leader.clone());
    }
}
