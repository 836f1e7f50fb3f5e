//! Scheduler calls. Each blocks the calling thread until the master answers
//! (202) or the call fails; any thread may call, concurrently. Each fails
//! fast with `MESOS_HTTP_RESULT_NOT_SUBSCRIBED` while no subscription is
//! active, and with `MESOS_HTTP_RESULT_INVALID_CALL` when local validation
//! (the master's own rules) refuses the call before it is sent.

use std::ffi::c_char;

use super::error::{failure_of, mesos_http_error, mesos_http_result};
use super::event::mesos_http_event;
use super::guard::{
    byte_slice, guard, handle, optional_str, pointer_array, required_str, string_array, Failure,
};
use super::scheduler::{mesos_http_scheduler, scheduler_ref};
use mesos_http::call;
use mesos_http::error::Error;
use mesos_http::resources::scalar_resource;
use mesos_http::v1;
use mesos_http::v1::scheduler::Call;
use mesos_http::Scheduler;

fn sent(result: Result<(), Error>) -> Result<(), Failure> {
    result.map_err(|e| failure_of(&e))
}

/// REVIVE and SUPPRESS: the same arguments, a different call.
unsafe fn for_roles(
    scheduler: *const mesos_http_scheduler,
    roles: *const *const c_char,
    role_count: usize,
    error_out: *mut *mut mesos_http_error,
    call: fn(&Scheduler, Vec<String>) -> Result<(), Error>,
) -> mesos_http_result {
    guard(error_out, || {
        let this = unsafe { scheduler_ref(scheduler) }?;
        let roles = unsafe { string_array(roles, role_count, "roles") }?;
        sent(call(&this.scheduler, roles))
    })
}

fn offer_ids(ids: Vec<String>) -> Vec<v1::OfferID> {
    ids.into_iter().map(|value| v1::OfferID { value }).collect()
}

/// Launches one shell command on one offer: ACCEPT with a LAUNCH of a task
/// named `name` (id `task_id`) running `/bin/sh -c command` with `cpus`
/// CPUs and `mem` MiB, on the offer's agent `agent_id`
/// (`mesos_http_event_offer_agent_id`). Resources left in the offer return
/// to the master.
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn mesos_http_scheduler_launch(
    scheduler: *const mesos_http_scheduler,
    offer_id: *const c_char,
    agent_id: *const c_char,
    task_id: *const c_char,
    name: *const c_char,
    command: *const c_char,
    cpus: f64,
    mem: f64,
    error_out: *mut *mut mesos_http_error,
) -> mesos_http_result {
    guard(error_out, || {
        let this = unsafe { scheduler_ref(scheduler) }?;
        let offer_id = unsafe { required_str(offer_id, "offer_id") }?;
        let agent_id = unsafe { required_str(agent_id, "agent_id") }?;
        let task_id = unsafe { required_str(task_id, "task_id") }?;
        let name = unsafe { required_str(name, "name") }?;
        let command = unsafe { required_str(command, "command") }?;
        let task = command_task(task_id, agent_id, name, command, cpus, mem)?;
        let ids = offer_ids(vec![offer_id.to_string()]);
        sent(this.scheduler.accept(ids, [call::launch([task])], None))
    })
}

/// ACCEPT with a LAUNCH of one task given as an encoded `mesos.v1.TaskInfo`
/// (in the configured encoding), on `offer_count` offers of one agent.
/// Bytes that do not decode fail with `MESOS_HTTP_RESULT_INVALID_ARGUMENT`.
#[no_mangle]
pub unsafe extern "C" fn mesos_http_scheduler_accept_launch(
    scheduler: *const mesos_http_scheduler,
    offer_ids_ptr: *const *const c_char,
    offer_count: usize,
    task_info: *const u8,
    task_info_len: usize,
    error_out: *mut *mut mesos_http_error,
) -> mesos_http_result {
    guard(error_out, || {
        let this = unsafe { scheduler_ref(scheduler) }?;
        let ids = unsafe { string_array(offer_ids_ptr, offer_count, "offer_ids") }?;
        if ids.is_empty() {
            return Err(Failure::invalid("at least one offer id is needed"));
        }
        let bytes = unsafe { byte_slice(task_info, task_info_len, "task_info") }?;
        let task: v1::TaskInfo = this
            .encoding
            .decode(bytes)
            .map_err(|e| Failure::invalid(format!("TaskInfo does not decode: {e}")))?;
        sent(
            this.scheduler
                .accept(offer_ids(ids), [call::launch([task])], None),
        )
    })
}

/// DECLINE: returns offers. `refuse_seconds` >= 0 asks the master not to
/// offer those resources again for that long; negative keeps the master's
/// default (5 s).
#[no_mangle]
pub unsafe extern "C" fn mesos_http_scheduler_decline(
    scheduler: *const mesos_http_scheduler,
    offer_ids_ptr: *const *const c_char,
    offer_count: usize,
    refuse_seconds: f64,
    error_out: *mut *mut mesos_http_error,
) -> mesos_http_result {
    guard(error_out, || {
        let this = unsafe { scheduler_ref(scheduler) }?;
        let ids = unsafe { string_array(offer_ids_ptr, offer_count, "offer_ids") }?;
        if refuse_seconds.is_nan() {
            return Err(Failure::invalid("`refuse_seconds` is NaN"));
        }
        let filters = (refuse_seconds >= 0.0).then(|| call::refuse_seconds(refuse_seconds));
        sent(this.scheduler.decline(offer_ids(ids), filters))
    })
}

/// ACKNOWLEDGE (or ACKNOWLEDGE_OPERATION_STATUS) for a status update event.
/// Does nothing and returns OK when the event needs no acknowledgement (any
/// other event, or an update without uuid; see `mesos_http_event_needs_ack`).
/// The event stays owned by the caller.
#[no_mangle]
pub unsafe extern "C" fn mesos_http_scheduler_acknowledge(
    scheduler: *const mesos_http_scheduler,
    event: *const mesos_http_event,
    error_out: *mut *mut mesos_http_error,
) -> mesos_http_result {
    guard(error_out, || {
        let this = unsafe { scheduler_ref(scheduler) }?;
        let event = unsafe { handle(event, "event") }?;
        match &event.fields.acknowledgement {
            Some(ack) => sent(this.scheduler.call(ack.clone())),
            None => Ok(()),
        }
    })
}

/// KILL: kills a task; `agent_id` may be NULL when unknown.
#[no_mangle]
pub unsafe extern "C" fn mesos_http_scheduler_kill(
    scheduler: *const mesos_http_scheduler,
    task_id: *const c_char,
    agent_id: *const c_char,
    error_out: *mut *mut mesos_http_error,
) -> mesos_http_result {
    guard(error_out, || {
        let this = unsafe { scheduler_ref(scheduler) }?;
        let task_id = unsafe { required_str(task_id, "task_id") }?;
        let agent_id = unsafe { optional_str(agent_id, "agent_id") }?;
        sent(this.scheduler.kill(
            v1::TaskID {
                value: task_id.to_string(),
            },
            agent_id.map(|value| v1::AgentID {
                value: value.to_string(),
            }),
            None,
        ))
    })
}

/// RECONCILE: asks for the latest status of `count` tasks; the answers come
/// as UPDATE events without uuid. `agent_ids` may be NULL, and so may any of
/// its entries (agent unknown). `count` 0 asks for every task the master
/// knows of this framework (implicit reconciliation).
#[no_mangle]
pub unsafe extern "C" fn mesos_http_scheduler_reconcile(
    scheduler: *const mesos_http_scheduler,
    task_ids: *const *const c_char,
    agent_ids: *const *const c_char,
    count: usize,
    error_out: *mut *mut mesos_http_error,
) -> mesos_http_result {
    guard(error_out, || {
        let this = unsafe { scheduler_ref(scheduler) }?;
        let tasks = unsafe { string_array(task_ids, count, "task_ids") }?;
        let agents: Vec<Option<String>> = if agent_ids.is_null() {
            vec![None; tasks.len()]
        } else {
            let pointers = unsafe { pointer_array(agent_ids, count, "agent_ids") }?;
            pointers
                .iter()
                .enumerate()
                .map(|(i, p)| {
                    unsafe { optional_str(*p, &format!("agent_ids[{i}]")) }
                        .map(|s| s.map(str::to_string))
                })
                .collect::<Result<_, _>>()?
        };
        let pairs = tasks.into_iter().zip(agents).map(|(task, agent)| {
            (
                v1::TaskID { value: task },
                agent.map(|value| v1::AgentID { value }),
            )
        });
        sent(this.scheduler.reconcile(pairs))
    })
}

/// REVIVE: clears offer filters and unsuppresses `roles` (count 0: all).
#[no_mangle]
pub unsafe extern "C" fn mesos_http_scheduler_revive(
    scheduler: *const mesos_http_scheduler,
    roles: *const *const c_char,
    role_count: usize,
    error_out: *mut *mut mesos_http_error,
) -> mesos_http_result {
    // SAFETY: the caller's pointers, checked by `for_roles`.
    unsafe { for_roles(scheduler, roles, role_count, error_out, |s, r| s.revive(r)) }
}

/// SUPPRESS: stops offers for `roles` (count 0: all) until REVIVE.
#[no_mangle]
pub unsafe extern "C" fn mesos_http_scheduler_suppress(
    scheduler: *const mesos_http_scheduler,
    roles: *const *const c_char,
    role_count: usize,
    error_out: *mut *mut mesos_http_error,
) -> mesos_http_result {
    // SAFETY: the caller's pointers, checked by `for_roles`.
    unsafe {
        for_roles(scheduler, roles, role_count, error_out, |s, r| {
            s.suppress(r)
        })
    }
}

/// TEARDOWN: removes the framework and kills its tasks. The subscription
/// then ends for good: a `TERMINATED` connection item follows.
#[no_mangle]
pub unsafe extern "C" fn mesos_http_scheduler_teardown(
    scheduler: *const mesos_http_scheduler,
    error_out: *mut *mut mesos_http_error,
) -> mesos_http_result {
    guard(error_out, || {
        let this = unsafe { scheduler_ref(scheduler) }?;
        sent(this.scheduler.teardown())
    })
}

/// Any call but SUBSCRIBE, as an encoded `mesos.v1.scheduler.Call` in the
/// configured encoding. `framework_id` is filled in when absent. Bytes that
/// do not decode fail with `MESOS_HTTP_RESULT_INVALID_ARGUMENT`.
#[no_mangle]
pub unsafe extern "C" fn mesos_http_scheduler_call(
    scheduler: *const mesos_http_scheduler,
    call_bytes: *const u8,
    len: usize,
    error_out: *mut *mut mesos_http_error,
) -> mesos_http_result {
    guard(error_out, || {
        let this = unsafe { scheduler_ref(scheduler) }?;
        let bytes = unsafe { byte_slice(call_bytes, len, "call") }?;
        let call: Call = this
            .encoding
            .decode(bytes)
            .map_err(|e| Failure::invalid(format!("Call does not decode: {e}")))?;
        sent(this.scheduler.call(call))
    })
}

/// The one task the `*_accept_command` calls launch: a shell command with
/// `cpus` (> 0) and `mem` (>= 0; none when 0) on the offer's agent.
pub(super) fn command_task(
    task_id: &str,
    agent_id: &str,
    name: &str,
    command: &str,
    cpus: f64,
    mem: f64,
) -> Result<v1::TaskInfo, Failure> {
    if !(cpus.is_finite() && cpus > 0.0) {
        return Err(Failure::invalid(format!("`cpus` must be > 0, got {cpus}")));
    }
    if !(mem.is_finite() && mem >= 0.0) {
        return Err(Failure::invalid(format!("`mem` must be >= 0, got {mem}")));
    }
    let mut resources = vec![scalar_resource("cpus", cpus)];
    if mem > 0.0 {
        resources.push(scalar_resource("mem", mem));
    }
    Ok(v1::TaskInfo {
        name: name.to_string(),
        task_id: v1::TaskID {
            value: task_id.to_string(),
        },
        agent_id: v1::AgentID {
            value: agent_id.to_string(),
        },
        resources,
        command: Some(v1::CommandInfo {
            shell: Some(true),
            value: Some(command.to_string()),
            ..Default::default()
        }),
        ..Default::default()
    })
}
