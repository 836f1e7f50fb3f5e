//! One method per scheduler call type. Each builds its call with the
//! matching [`crate::call`] constructor (the one way to build each call),
//! then goes through [`Scheduler::call`] (framework id, stream id, local
//! validation, leader following, status mapping).

use super::handle::Scheduler;
use crate::call;
use crate::error::{Error, InvalidCall};
use crate::v1;
use crate::v1::scheduler::call::{reconcile_operations, UpdateFramework};
use crate::v1::scheduler::OfferConstraints;

impl Scheduler {
    /// TEARDOWN: removes the framework and kills its tasks. On success the
    /// stream ends for good ([`Termination::TornDown`](super::Termination))
    /// and every later call fails at once with [`Error::Closed`]. Issued
    /// while the client is reconnecting, it waits for the subscription (up to
    /// the larger of the call timeout and
    /// [`subscription_wait`](super::SchedulerBuilder::subscription_wait)),
    /// then sends; if none comes it fails with [`Error::NotSubscribed`] —
    /// it never hangs, and never reports success for a framework it could
    /// not tear down. Acknowledgements already queued in the background
    /// (automatic or [`Scheduler::acknowledge_in_background`]) are sent
    /// first, waiting up to the call timeout for them: after the teardown
    /// nothing can be acknowledged.
    pub fn teardown(&self) -> Result<(), Error> {
        self.call(call::teardown())
    }

    /// ACCEPT: uses offers with operations (LAUNCH, RESERVE, ...).
    pub fn accept(
        &self,
        offer_ids: impl IntoIterator<Item = v1::OfferID>,
        operations: impl IntoIterator<Item = v1::offer::Operation>,
        filters: Option<v1::Filters>,
    ) -> Result<(), Error> {
        self.call(call::accept(offer_ids, operations, filters))
    }

    /// DECLINE: returns offers (filters default to `refuse_seconds` 5 on the
    /// master).
    pub fn decline(
        &self,
        offer_ids: impl IntoIterator<Item = v1::OfferID>,
        filters: Option<v1::Filters>,
    ) -> Result<(), Error> {
        self.call(call::decline(offer_ids, filters))
    }

    /// ACCEPT_INVERSE_OFFERS: agrees to release resources for maintenance.
    pub fn accept_inverse_offers(
        &self,
        inverse_offer_ids: impl IntoIterator<Item = v1::OfferID>,
        filters: Option<v1::Filters>,
    ) -> Result<(), Error> {
        self.call(call::accept_inverse_offers(inverse_offer_ids, filters))
    }

    /// DECLINE_INVERSE_OFFERS: refuses to release resources.
    pub fn decline_inverse_offers(
        &self,
        inverse_offer_ids: impl IntoIterator<Item = v1::OfferID>,
        filters: Option<v1::Filters>,
    ) -> Result<(), Error> {
        self.call(call::decline_inverse_offers(inverse_offer_ids, filters))
    }

    /// REVIVE: clears filters and unsuppresses `roles` (none = all roles).
    pub fn revive<R: Into<String>>(&self, roles: impl IntoIterator<Item = R>) -> Result<(), Error> {
        self.call(call::revive(roles))
    }

    /// REVIVE for every role of the framework: clears all filters and
    /// unsuppresses every role.
    pub fn revive_all(&self) -> Result<(), Error> {
        self.revive(std::iter::empty::<String>())
    }

    /// SUPPRESS for every role of the framework: no offers until REVIVE.
    pub fn suppress_all(&self) -> Result<(), Error> {
        self.suppress(std::iter::empty::<String>())
    }

    /// SUPPRESS: stops offers for `roles` (none = all roles).
    pub fn suppress<R: Into<String>>(
        &self,
        roles: impl IntoIterator<Item = R>,
    ) -> Result<(), Error> {
        self.call(call::suppress(roles))
    }

    /// KILL: kills a task (optionally with a kill policy).
    pub fn kill(
        &self,
        task_id: v1::TaskID,
        agent_id: Option<v1::AgentID>,
        kill_policy: Option<v1::KillPolicy>,
    ) -> Result<(), Error> {
        self.call(call::kill_with_policy(task_id, agent_id, kill_policy))
    }

    /// SHUTDOWN: shuts down a custom executor.
    pub fn shutdown(
        &self,
        executor_id: v1::ExecutorID,
        agent_id: v1::AgentID,
    ) -> Result<(), Error> {
        self.call(call::shutdown(executor_id, agent_id))
    }

    /// ACKNOWLEDGE for a task status: does nothing (`Ok`) when the status
    /// carries no uuid (master-generated updates need no acknowledgement).
    pub fn acknowledge(&self, status: &v1::TaskStatus) -> Result<(), Error> {
        if status.uuid.is_none() {
            return Ok(());
        }
        let call = call::acknowledge_update(status).ok_or_else(|| {
            Error::Invalid(InvalidCall::Client(
                "the status update has a uuid but no agent_id to acknowledge",
            ))
        })?;
        self.call(call)
    }

    /// ACKNOWLEDGE_OPERATION_STATUS for an operation status: does nothing
    /// (`Ok`) when the status carries no uuid.
    pub fn acknowledge_operation_status(&self, status: &v1::OperationStatus) -> Result<(), Error> {
        if status.uuid.is_none() {
            return Ok(());
        }
        let call = call::acknowledge_operation_update(status).ok_or_else(|| {
            Error::Invalid(InvalidCall::Client(
                "the operation status has a uuid but no operation_id",
            ))
        })?;
        self.call(call)
    }

    /// RECONCILE: asks for the latest state of `tasks` (empty = all tasks the
    /// master knows for this framework: implicit reconciliation).
    pub fn reconcile(
        &self,
        tasks: impl IntoIterator<Item = (v1::TaskID, Option<v1::AgentID>)>,
    ) -> Result<(), Error> {
        self.call(call::reconcile(tasks))
    }

    /// RECONCILE_OPERATIONS: asks for the state of `operations` (empty = all).
    pub fn reconcile_operations(
        &self,
        operations: impl IntoIterator<Item = reconcile_operations::Operation>,
    ) -> Result<(), Error> {
        self.call(call::reconcile_operations(operations))
    }

    /// MESSAGE: opaque bytes to an executor (unreliable).
    pub fn message(
        &self,
        agent_id: v1::AgentID,
        executor_id: v1::ExecutorID,
        data: Vec<u8>,
    ) -> Result<(), Error> {
        self.call(call::message(agent_id, executor_id, data))
    }

    /// REQUEST: resource requests (ignored by the built-in allocator).
    pub fn request(&self, requests: impl IntoIterator<Item = v1::Request>) -> Result<(), Error> {
        self.call(call::request(requests))
    }

    /// UPDATE_FRAMEWORK: changes the FrameworkInfo (not user, principal or
    /// checkpoint). Synchronous on the master: `Ok` means applied (200). The
    /// new info is also used for later re-subscriptions. `framework_info.id`
    /// is filled in when unset.
    pub fn update_framework(
        &self,
        framework_info: v1::FrameworkInfo,
        suppressed_roles: Vec<String>,
        offer_constraints: Option<OfferConstraints>,
    ) -> Result<(), Error> {
        self.call(call::update_framework_with(UpdateFramework {
            framework_info,
            suppressed_roles,
            offer_constraints,
        }))
    }
}
