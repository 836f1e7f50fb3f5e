//! Typed constructors for every scheduler call, so a scheduler never has to
//! remember which `type` goes with which sub-message.
//!
//! Each function returns a complete [`Call`] with `type` and its sub-message set.
//! `framework_id` is left empty: the client handle fills it in from the
//! subscription (see [`with_framework_id`]). The two exceptions are
//! [`subscribe`] and [`update_framework`], which copy `framework_info.id` into
//! `Call.framework_id` because the master refuses the call when they differ.
//!
//! ```
//! use mesos_http::{call, v1};
//! let offer = v1::OfferID { value: "O1".into() };
//! let c = call::decline([offer], Some(call::refuse_seconds(60.0)));
//! assert_eq!(c.r#type(), v1::scheduler::call::Type::DECLINE);
//! ```

use crate::v1;
use crate::v1::offer::operation::{self, Type as OperationType};
use crate::v1::offer::Operation;
use crate::v1::scheduler::call::{self as sc, Type};
use crate::v1::scheduler::Call;

/// A call of `kind` with nothing else set; the building block of every constructor.
fn typed(kind: Type) -> Call {
    Call {
        r#type: Some(kind),
        ..Call::default()
    }
}

/// Sets `Call.framework_id`, which every call but a first SUBSCRIBE needs.
/// The client does this for you; useful when driving the API by hand.
///
/// For SUBSCRIBE (a re-subscription) and UPDATE_FRAMEWORK the id is also
/// written to `framework_info.id`, since the master requires the two to be equal.
pub fn with_framework_id(mut call: Call, id: v1::FrameworkID) -> Call {
    if let Some(subscribe) = &mut call.subscribe {
        subscribe.framework_info.id = Some(id.clone());
    }
    if let Some(update) = &mut call.update_framework {
        update.framework_info.id = Some(id.clone());
    }
    call.framework_id = Some(id);
    call
}

/// `Filters` that keep the declined resources away for `seconds`
/// (the master's default when no filter is sent is 5 s).
pub fn refuse_seconds(seconds: f64) -> v1::Filters {
    v1::Filters {
        refuse_seconds: Some(seconds),
    }
}

/// SUBSCRIBE: opens the event stream. A `framework_info.id` (re-subscription
/// after a failover) is copied to `Call.framework_id`, as the master requires.
pub fn subscribe(framework_info: v1::FrameworkInfo) -> Call {
    subscribe_with(sc::Subscribe {
        framework_info,
        ..sc::Subscribe::default()
    })
}

/// SUBSCRIBE with the optional parts (`suppressed_roles`, `offer_constraints`).
pub fn subscribe_with(subscribe: sc::Subscribe) -> Call {
    let mut call = typed(Type::SUBSCRIBE);
    call.framework_id = non_empty_id(subscribe.framework_info.id.as_ref());
    call.subscribe = Some(subscribe);
    call
}

/// The id the master compares against: an empty `value` counts as no id (MESOS-9481).
fn non_empty_id(id: Option<&v1::FrameworkID>) -> Option<v1::FrameworkID> {
    id.filter(|id| !id.value.is_empty()).cloned()
}

/// TEARDOWN: removes the framework and kills all its tasks. Irreversible.
pub fn teardown() -> Call {
    typed(Type::TEARDOWN)
}

/// ACCEPT: uses offers with the given operations (see [`launch`], [`reserve`], ...).
/// Offer resources not used by the operations are declined with `filters`.
pub fn accept(
    offer_ids: impl IntoIterator<Item = v1::OfferID>,
    operations: impl IntoIterator<Item = Operation>,
    filters: Option<v1::Filters>,
) -> Call {
    let mut call = typed(Type::ACCEPT);
    call.accept = Some(sc::Accept {
        offer_ids: offer_ids.into_iter().collect(),
        operations: operations.into_iter().collect(),
        filters,
    });
    call
}

/// DECLINE: returns offers unused; `filters` say for how long not to re-offer them.
pub fn decline(
    offer_ids: impl IntoIterator<Item = v1::OfferID>,
    filters: Option<v1::Filters>,
) -> Call {
    let mut call = typed(Type::DECLINE);
    call.decline = Some(sc::Decline {
        offer_ids: offer_ids.into_iter().collect(),
        filters,
    });
    call
}

/// ACCEPT_INVERSE_OFFERS: agrees to release the resources for maintenance.
pub fn accept_inverse_offers(
    inverse_offer_ids: impl IntoIterator<Item = v1::OfferID>,
    filters: Option<v1::Filters>,
) -> Call {
    let mut call = typed(Type::ACCEPT_INVERSE_OFFERS);
    call.accept_inverse_offers = Some(sc::AcceptInverseOffers {
        inverse_offer_ids: inverse_offer_ids.into_iter().collect(),
        filters,
    });
    call
}

/// DECLINE_INVERSE_OFFERS: refuses to release the resources.
pub fn decline_inverse_offers(
    inverse_offer_ids: impl IntoIterator<Item = v1::OfferID>,
    filters: Option<v1::Filters>,
) -> Call {
    let mut call = typed(Type::DECLINE_INVERSE_OFFERS);
    call.decline_inverse_offers = Some(sc::DeclineInverseOffers {
        inverse_offer_ids: inverse_offer_ids.into_iter().collect(),
        filters,
    });
    call
}

/// Role names as owned strings; an empty list means "all roles" to REVIVE/SUPPRESS.
fn role_list<R: Into<String>>(roles: impl IntoIterator<Item = R>) -> Vec<String> {
    roles.into_iter().map(Into::into).collect()
}

/// REVIVE: clears filters and resumes offers. No roles = every role of the
/// framework (the sub-message is then omitted, as the Mesos library does).
pub fn revive<R: Into<String>>(roles: impl IntoIterator<Item = R>) -> Call {
    let mut call = typed(Type::REVIVE);
    let roles = role_list(roles);
    if !roles.is_empty() {
        call.revive = Some(sc::Revive { roles });
    }
    call
}

/// SUPPRESS: stops offers. No roles = every role of the framework.
pub fn suppress<R: Into<String>>(roles: impl IntoIterator<Item = R>) -> Call {
    let mut call = typed(Type::SUPPRESS);
    let roles = role_list(roles);
    if !roles.is_empty() {
        call.suppress = Some(sc::Suppress { roles });
    }
    call
}

/// KILL: kills a task. Give the `agent_id` when known: a wrong one makes the
/// master drop the call silently, a missing one is fine.
pub fn kill(task_id: v1::TaskID, agent_id: Option<v1::AgentID>) -> Call {
    kill_with_policy(task_id, agent_id, None)
}

/// KILL overriding the task's `KillPolicy` (e.g. a shorter grace period).
pub fn kill_with_policy(
    task_id: v1::TaskID,
    agent_id: Option<v1::AgentID>,
    kill_policy: Option<v1::KillPolicy>,
) -> Call {
    let mut call = typed(Type::KILL);
    call.kill = Some(sc::Kill {
        task_id,
        agent_id,
        kill_policy,
    });
    call
}

/// SHUTDOWN: shuts down a custom executor (and its tasks) on an agent.
pub fn shutdown(executor_id: v1::ExecutorID, agent_id: v1::AgentID) -> Call {
    let mut call = typed(Type::SHUTDOWN);
    call.shutdown = Some(sc::Shutdown {
        executor_id,
        agent_id,
    });
    call
}

/// ACKNOWLEDGE with explicit parts. Prefer [`acknowledge_update`], which
/// also knows which updates must not be acknowledged.
pub fn acknowledge(agent_id: v1::AgentID, task_id: v1::TaskID, uuid: Vec<u8>) -> Call {
    let mut call = typed(Type::ACKNOWLEDGE);
    call.acknowledge = Some(sc::Acknowledge {
        agent_id,
        task_id,
        uuid,
    });
    call
}

/// The ACKNOWLEDGE a task status update needs, or `None` when it needs none.
///
/// Only updates carrying `status.uuid` are sent reliably by an agent and
/// retried until acknowledged; updates the master generates itself
/// (reconciliation answers, ...) carry no uuid and must not be acknowledged.
/// The ack echoes `agent_id`, `task_id` and the raw uuid bytes. A status with a
/// uuid but no `agent_id` cannot be acknowledged either (`None`).
pub fn acknowledge_update(status: &v1::TaskStatus) -> Option<Call> {
    let uuid = status.uuid.as_ref()?;
    let agent_id = status.agent_id.clone()?;
    Some(acknowledge(agent_id, status.task_id.clone(), uuid.clone()))
}

/// ACKNOWLEDGE_OPERATION_STATUS with explicit parts. The master's validation
/// requires `agent_id` although the schema marks it optional.
pub fn acknowledge_operation_status(
    agent_id: Option<v1::AgentID>,
    resource_provider_id: Option<v1::ResourceProviderID>,
    operation_id: v1::OperationID,
    uuid: Vec<u8>,
) -> Call {
    let mut call = typed(Type::ACKNOWLEDGE_OPERATION_STATUS);
    call.acknowledge_operation_status = Some(sc::AcknowledgeOperationStatus {
        agent_id,
        resource_provider_id,
        uuid,
        operation_id,
    });
    call
}

/// The ACKNOWLEDGE_OPERATION_STATUS an operation status update needs, or `None`
/// when it has no `uuid` (unreliable, e.g. a RECONCILE_OPERATIONS answer) or
/// no `operation_id`.
pub fn acknowledge_operation_update(status: &v1::OperationStatus) -> Option<Call> {
    let uuid = status.uuid.as_ref()?;
    let operation_id = status.operation_id.clone()?;
    Some(acknowledge_operation_status(
        status.agent_id.clone(),
        status.resource_provider_id.clone(),
        operation_id,
        uuid.value.clone(),
    ))
}

/// RECONCILE for the given tasks (`agent_id` optional per task); answers
/// arrive as UPDATE events without uuid. An empty list is implicit
/// reconciliation, see [`reconcile_all`].
pub fn reconcile(tasks: impl IntoIterator<Item = (v1::TaskID, Option<v1::AgentID>)>) -> Call {
    let mut call = typed(Type::RECONCILE);
    call.reconcile = Some(sc::Reconcile {
        tasks: tasks
            .into_iter()
            .map(|(task_id, agent_id)| sc::reconcile::Task { task_id, agent_id })
            .collect(),
    });
    call
}

/// Implicit RECONCILE: the master answers with the state of every task it knows.
pub fn reconcile_all() -> Call {
    reconcile(std::iter::empty())
}

/// RECONCILE_OPERATIONS for the given operations (empty = all known operations).
pub fn reconcile_operations(
    operations: impl IntoIterator<Item = sc::reconcile_operations::Operation>,
) -> Call {
    let mut call = typed(Type::RECONCILE_OPERATIONS);
    call.reconcile_operations = Some(sc::ReconcileOperations {
        operations: operations.into_iter().collect(),
    });
    call
}

/// MESSAGE: opaque bytes to an executor; delivery is best effort.
pub fn message(agent_id: v1::AgentID, executor_id: v1::ExecutorID, data: Vec<u8>) -> Call {
    let mut call = typed(Type::MESSAGE);
    call.message = Some(sc::Message {
        agent_id,
        executor_id,
        data,
    });
    call
}

/// REQUEST: asks the allocator for resources (the built-in one ignores it).
pub fn request(requests: impl IntoIterator<Item = v1::Request>) -> Call {
    let mut call = typed(Type::REQUEST);
    call.request = Some(sc::Request {
        requests: requests.into_iter().collect(),
    });
    call
}

/// UPDATE_FRAMEWORK: replaces the FrameworkInfo (not user, principal or
/// checkpoint). `framework_info.id` must be set; it is copied to `Call.framework_id`.
pub fn update_framework(framework_info: v1::FrameworkInfo) -> Call {
    update_framework_with(sc::UpdateFramework {
        framework_info,
        ..sc::UpdateFramework::default()
    })
}

/// UPDATE_FRAMEWORK with the optional parts (`suppressed_roles`, `offer_constraints`).
pub fn update_framework_with(update: sc::UpdateFramework) -> Call {
    let mut call = typed(Type::UPDATE_FRAMEWORK);
    call.framework_id = update.framework_info.id.clone();
    call.update_framework = Some(update);
    call
}

/// An offer operation of `kind`; the building block of the operation builders.
fn operation(kind: OperationType) -> Operation {
    Operation {
        r#type: Some(kind),
        ..Operation::default()
    }
}

/// LAUNCH operation: starts tasks (each with its own command or executor).
pub fn launch(tasks: impl IntoIterator<Item = v1::TaskInfo>) -> Operation {
    let mut op = operation(OperationType::LAUNCH);
    op.launch = Some(operation::Launch {
        task_infos: tasks.into_iter().collect(),
    });
    op
}

/// LAUNCH_GROUP operation: starts a task group atomically under one executor.
pub fn launch_group(executor: v1::ExecutorInfo, task_group: v1::TaskGroupInfo) -> Operation {
    let mut op = operation(OperationType::LAUNCH_GROUP);
    op.launch_group = Some(operation::LaunchGroup {
        executor,
        task_group,
    });
    op
}

/// RESERVE operation: dynamically reserves resources (each carrying the
/// reservation to add).
pub fn reserve(resources: impl IntoIterator<Item = v1::Resource>) -> Operation {
    let mut op = operation(OperationType::RESERVE);
    op.reserve = Some(operation::Reserve {
        resources: resources.into_iter().collect(),
        ..operation::Reserve::default()
    });
    op
}

/// UNRESERVE operation: releases dynamically reserved resources.
pub fn unreserve(resources: impl IntoIterator<Item = v1::Resource>) -> Operation {
    let mut op = operation(OperationType::UNRESERVE);
    op.unreserve = Some(operation::Unreserve {
        resources: resources.into_iter().collect(),
    });
    op
}

/// CREATE operation: creates persistent volumes from reserved disk.
pub fn create(volumes: impl IntoIterator<Item = v1::Resource>) -> Operation {
    let mut op = operation(OperationType::CREATE);
    op.create = Some(operation::Create {
        volumes: volumes.into_iter().collect(),
    });
    op
}

/// DESTROY operation: destroys persistent volumes (the data is deleted).
pub fn destroy(volumes: impl IntoIterator<Item = v1::Resource>) -> Operation {
    let mut op = operation(OperationType::DESTROY);
    op.destroy = Some(operation::Destroy {
        volumes: volumes.into_iter().collect(),
    });
    op
}

/// The ids of `offers`, for [`accept`] / [`decline`] straight from an OFFERS event.
pub fn offer_ids<'a>(offers: impl IntoIterator<Item = &'a v1::Offer>) -> Vec<v1::OfferID> {
    offers.into_iter().map(|offer| offer.id.clone()).collect()
}
