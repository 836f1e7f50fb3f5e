//! One method per scheduler call type. Each builds the call, then goes
//! through [`Scheduler::call`] (framework id, stream id, local validation,
//! leader following, status mapping).

use super::handle::Scheduler;
use crate::error::Error;
use crate::v1;
use crate::v1::scheduler::call::{self, reconcile, reconcile_operations, Type};
use crate::v1::scheduler::{Call, OfferConstraints};

fn call_of(kind: Type) -> Call {
    Call {
        r#type: Some(kind),
        ..Call::default()
    }
}

impl Scheduler {
    /// TEARDOWN: removes the framework and kills its tasks. On success the
    /// stream ends for good ([`Termination::TornDown`](super::Termination)).
    pub fn teardown(&self) -> Result<(), Error> {
        self.call(call_of(Type::TEARDOWN))
    }

    /// ACCEPT: uses offers with operations (LAUNCH, RESERVE, ...).
    pub fn accept(
        &self,
        offer_ids: impl IntoIterator<Item = v1::OfferID>,
        operations: impl IntoIterator<Item = v1::offer::Operation>,
        filters: Option<v1::Filters>,
    ) -> Result<(), Error> {
        self.call(Call {
            accept: Some(call::Accept {
                offer_ids: offer_ids.into_iter().collect(),
                operations: operations.into_iter().collect(),
                filters,
            }),
            ..call_of(Type::ACCEPT)
        })
    }

    /// DECLINE: returns offers (filters default to `refuse_seconds` 5 on the
    /// master).
    pub fn decline(
        &self,
        offer_ids: impl IntoIterator<Item = v1::OfferID>,
        filters: Option<v1::Filters>,
    ) -> Result<(), Error> {
        self.call(Call {
            decline: Some(call::Decline {
                offer_ids: offer_ids.into_iter().collect(),
                filters,
            }),
            ..call_of(Type::DECLINE)
        })
    }

    /// ACCEPT_INVERSE_OFFERS: agrees to release resources for maintenance.
    pub fn accept_inverse_offers(
        &self,
        inverse_offer_ids: impl IntoIterator<Item = v1::OfferID>,
        filters: Option<v1::Filters>,
    ) -> Result<(), Error> {
        self.call(Call {
            accept_inverse_offers: Some(call::AcceptInverseOffers {
                inverse_offer_ids: inverse_offer_ids.into_iter().collect(),
                filters,
            }),
            ..call_of(Type::ACCEPT_INVERSE_OFFERS)
        })
    }

    /// DECLINE_INVERSE_OFFERS: refuses to release resources.
    pub fn decline_inverse_offers(
        &self,
        inverse_offer_ids: impl IntoIterator<Item = v1::OfferID>,
        filters: Option<v1::Filters>,
    ) -> Result<(), Error> {
        self.call(Call {
            decline_inverse_offers: Some(call::DeclineInverseOffers {
                inverse_offer_ids: inverse_offer_ids.into_iter().collect(),
                filters,
            }),
            ..call_of(Type::DECLINE_INVERSE_OFFERS)
        })
    }

    /// REVIVE: clears filters and unsuppresses `roles` (none = all roles).
    pub fn revive<R: Into<String>>(&self, roles: impl IntoIterator<Item = R>) -> Result<(), Error> {
        self.call(Call {
            revive: Some(call::Revive {
                roles: roles.into_iter().map(Into::into).collect(),
            }),
            ..call_of(Type::REVIVE)
        })
    }

    /// SUPPRESS: stops offers for `roles` (none = all roles).
    pub fn suppress<R: Into<String>>(
        &self,
        roles: impl IntoIterator<Item = R>,
    ) -> Result<(), Error> {
        self.call(Call {
            suppress: Some(call::Suppress {
                roles: roles.into_iter().map(Into::into).collect(),
            }),
            ..call_of(Type::SUPPRESS)
        })
    }

    /// KILL: kills a task (optionally with a kill policy).
    pub fn kill(
        &self,
        task_id: v1::TaskID,
        agent_id: Option<v1::AgentID>,
        kill_policy: Option<v1::KillPolicy>,
    ) -> Result<(), Error> {
        self.call(Call {
            kill: Some(call::Kill {
                task_id,
                agent_id,
                kill_policy,
            }),
            ..call_of(Type::KILL)
        })
    }

    /// SHUTDOWN: shuts down a custom executor.
    pub fn shutdown(
        &self,
        executor_id: v1::ExecutorID,
        agent_id: v1::AgentID,
    ) -> Result<(), Error> {
        self.call(Call {
            shutdown: Some(call::Shutdown {
                executor_id,
                agent_id,
            }),
            ..call_of(Type::SHUTDOWN)
        })
    }

    /// ACKNOWLEDGE for a task status: does nothing (`Ok`) when the status
    /// carries no uuid (master-generated updates need no acknowledgement).
    pub fn acknowledge(&self, status: &v1::TaskStatus) -> Result<(), Error> {
        let Some(uuid) = status.uuid.clone() else {
            return Ok(());
        };
        let agent_id = status.agent_id.clone().ok_or_else(|| {
            Error::Invalid("the status update has a uuid but no agent_id to acknowledge".into())
        })?;
        self.call(Call {
            acknowledge: Some(call::Acknowledge {
                agent_id,
                task_id: status.task_id.clone(),
                uuid,
            }),
            ..call_of(Type::ACKNOWLEDGE)
        })
    }

    /// ACKNOWLEDGE_OPERATION_STATUS for an operation status: does nothing
    /// (`Ok`) when the status carries no uuid.
    pub fn acknowledge_operation_status(&self, status: &v1::OperationStatus) -> Result<(), Error> {
        let Some(uuid) = status.uuid.as_ref() else {
            return Ok(());
        };
        let operation_id = status.operation_id.clone().ok_or_else(|| {
            Error::Invalid("the operation status has a uuid but no operation_id".into())
        })?;
        self.call(Call {
            acknowledge_operation_status: Some(call::AcknowledgeOperationStatus {
                agent_id: status.agent_id.clone(),
                resource_provider_id: status.resource_provider_id.clone(),
                uuid: uuid.value.clone(),
                operation_id,
            }),
            ..call_of(Type::ACKNOWLEDGE_OPERATION_STATUS)
        })
    }

    /// RECONCILE: asks for the latest state of `tasks` (empty = all tasks the
    /// master knows for this framework: implicit reconciliation).
    pub fn reconcile(
        &self,
        tasks: impl IntoIterator<Item = (v1::TaskID, Option<v1::AgentID>)>,
    ) -> Result<(), Error> {
        let tasks = tasks
            .into_iter()
            .map(|(task_id, agent_id)| reconcile::Task { task_id, agent_id })
            .collect();
        self.call(Call {
            reconcile: Some(call::Reconcile { tasks }),
            ..call_of(Type::RECONCILE)
        })
    }

    /// RECONCILE_OPERATIONS: asks for the state of `operations` (empty = all).
    pub fn reconcile_operations(
        &self,
        operations: impl IntoIterator<Item = reconcile_operations::Operation>,
    ) -> Result<(), Error> {
        self.call(Call {
            reconcile_operations: Some(call::ReconcileOperations {
                operations: operations.into_iter().collect(),
            }),
            ..call_of(Type::RECONCILE_OPERATIONS)
        })
    }

    /// MESSAGE: opaque bytes to an executor (unreliable).
    pub fn message(
        &self,
        agent_id: v1::AgentID,
        executor_id: v1::ExecutorID,
        data: Vec<u8>,
    ) -> Result<(), Error> {
        self.call(Call {
            message: Some(call::Message {
                agent_id,
                executor_id,
                data,
            }),
            ..call_of(Type::MESSAGE)
        })
    }

    /// REQUEST: resource requests (ignored by the built-in allocator).
    pub fn request(&self, requests: impl IntoIterator<Item = v1::Request>) -> Result<(), Error> {
        self.call(Call {
            request: Some(call::Request {
                requests: requests.into_iter().collect(),
            }),
            ..call_of(Type::REQUEST)
        })
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
        self.call(Call {
            update_framework: Some(call::UpdateFramework {
                framework_info,
                suppressed_roles,
                offer_constraints,
            }),
            ..call_of(Type::UPDATE_FRAMEWORK)
        })
    }
}
