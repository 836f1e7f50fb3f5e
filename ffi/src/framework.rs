//! The framework layer's handle (`mesos_http::framework`): a durable
//! framework id and launch records in a state directory, automatic
//! reconciliation, and each task state change delivered once.

use std::ffi::{c_char, CString};
use std::sync::Mutex;
use std::time::Duration;

use crossbeam_channel::RecvTimeoutError;

use super::calls::command_task;
use super::config::mesos_http_config;
use super::error::{c_string_lossy, failure_of, mesos_http_error, mesos_http_result};
use super::event::mesos_http_event;
use super::framework_event::framework_fields;
use super::guard::{
    close_handle, free_handle, guard, guard_value, handle, optional_str, out_param, required_str,
    string_array, Failure,
};
use mesos_http::call;
use mesos_http::codec::Encoding;
use mesos_http::framework::{Framework, FrameworkError};
use mesos_http::v1;
use mesos_http::Scheduler;

/// A framework on the framework layer. Use it from one thread: the loop on
/// `mesos_http_framework_next_event` and the calls share the handle's state
/// (a call made while another thread waits in `next_event` waits for it).
pub struct mesos_http_framework {
    framework: Mutex<Framework>,
    /// The same subscription, closable while a thread waits in next_event.
    scheduler: Scheduler,
    encoding: Encoding,
    /// What the state directory held at connect: (task id, ended state or -1).
    restored: Vec<(CString, i32)>,
}

fn failure_of_framework(err: &FrameworkError) -> Failure {
    match err {
        FrameworkError::Call(err) => failure_of(err),
        FrameworkError::StaleOffer(_) => {
            Failure::new(mesos_http_result::StaleOffer, err.to_string())
        }
        FrameworkError::Store(_) => Failure::new(mesos_http_result::Store, err.to_string()),
        FrameworkError::Config(_) => Failure::new(mesos_http_result::Config, err.to_string()),
        _ => Failure::new(mesos_http_result::Config, err.to_string()),
    }
}

fn done(result: Result<(), FrameworkError>) -> Result<(), Failure> {
    result.map_err(|e| failure_of_framework(&e))
}

fn framework_ref<'a>(
    framework: *const mesos_http_framework,
) -> Result<&'a mesos_http_framework, Failure> {
    unsafe { handle(framework, "framework") }
}

impl mesos_http_framework {
    fn lock(&self) -> std::sync::MutexGuard<'_, Framework> {
        // A panic caught at the boundary may have poisoned it; the state is
        // still consistent (each method leaves it so).
        self.framework.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Connects on the framework layer. `state_dir` (NULL for none) is a
/// directory that keeps the framework id and launch records: started again
/// with the same directory, the framework resumes (same id), reconciles the
/// tasks it had launched and reports each state change once. A state
/// directory needs a failover timeout (`mesos_http_config_set_failover_timeout`);
/// without one this fails with `MESOS_HTTP_RESULT_CONFIG`. Updates are
/// acknowledged when their event is freed (`mesos_http_event_free`): do not
/// call `mesos_http_scheduler_acknowledge` for them. On success
/// `*framework_out` receives a handle to free with `mesos_http_framework_free`.
#[no_mangle]
pub unsafe extern "C" fn mesos_http_framework_connect(
    config: *const mesos_http_config,
    state_dir: *const c_char,
    framework_out: *mut *mut mesos_http_framework,
    error_out: *mut *mut mesos_http_error,
) -> mesos_http_result {
    guard(error_out, || {
        let slot = unsafe { out_param(framework_out, "framework_out") }?;
        let config = unsafe { handle(config, "config") }?;
        let state_dir = unsafe { optional_str(state_dir, "state_dir") }?;
        let (builder, encoding) = config.builder()?;
        let info = config.framework_info()?;
        let mut framework = Framework::builder(builder, info);
        if let Some(dir) = state_dir {
            framework = framework.state_dir(dir);
        }
        let framework = framework.connect().map_err(|e| failure_of_framework(&e))?;
        let restored = framework
            .restored()
            .iter()
            .map(|r| {
                (
                    c_string_lossy(&r.task_id.value),
                    r.ended.map_or(-1, |s| s.0),
                )
            })
            .collect();
        let scheduler = framework.scheduler().clone();
        *slot = Box::into_raw(Box::new(mesos_http_framework {
            scheduler,
            framework: Mutex::new(framework),
            encoding,
            restored,
        }));
        Ok(())
    })
}

/// Waits up to `timeout_ms` milliseconds (negative: without limit; 0: one
/// poll) for the next item, reconciling meanwhile. Items: `CONNECTION`
/// (a `SUBSCRIBED` one when subscribed, again after each re-subscription),
/// `OFFERS`, `RESCIND`, `UPDATE` (one per real state change of a task this
/// framework launched; duplicates and repeats are absorbed),
/// `UNKNOWN_TASK`, and other events. A `TERMINATED` connection item is the
/// last (its message says why: also when the master assigned another
/// framework id than the stored one). OK with `*event_out` set (free it
/// with `mesos_http_event_free`, which acknowledges an update),
/// `MESOS_HTTP_RESULT_TIMEOUT`, or `MESOS_HTTP_RESULT_CLOSED` after the end.
#[no_mangle]
pub unsafe extern "C" fn mesos_http_framework_next_event(
    framework: *const mesos_http_framework,
    timeout_ms: i64,
    event_out: *mut *mut mesos_http_event,
    error_out: *mut *mut mesos_http_error,
) -> mesos_http_result {
    let mut outcome = mesos_http_result::Ok;
    let result = guard(error_out, || {
        let slot = unsafe { out_param(event_out, "event_out") }?;
        let this = framework_ref(framework)?;
        let mut framework = this.lock();
        let received = match u64::try_from(timeout_ms) {
            Ok(ms) => framework.next_timeout(Duration::from_millis(ms)),
            Err(_) => framework.next().ok_or(RecvTimeoutError::Disconnected),
        };
        match received {
            Ok(item) => {
                let (fields, held) = framework_fields(item, this.encoding);
                *slot = Box::into_raw(Box::new(mesos_http_event {
                    fields,
                    _held: held.map(Mutex::new),
                }));
            }
            Err(RecvTimeoutError::Timeout) => outcome = mesos_http_result::Timeout,
            Err(RecvTimeoutError::Disconnected) => outcome = mesos_http_result::Closed,
        }
        Ok(())
    });
    if result == mesos_http_result::Ok {
        outcome
    } else {
        result
    }
}

/// Launches one shell command on one offer (as `mesos_http_scheduler_launch`),
/// recording the launch in the state directory first and tracking the task
/// from then on. An offer from before the last re-subscription (or
/// rescinded, or used) fails with `MESOS_HTTP_RESULT_STALE_OFFER` and sends
/// nothing.
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn mesos_http_framework_launch(
    framework: *const mesos_http_framework,
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
        let this = framework_ref(framework)?;
        let offer_id = unsafe { required_str(offer_id, "offer_id") }?;
        let agent_id = unsafe { required_str(agent_id, "agent_id") }?;
        let task_id = unsafe { required_str(task_id, "task_id") }?;
        let name = unsafe { required_str(name, "name") }?;
        let command = unsafe { required_str(command, "command") }?;
        let task = command_task(task_id, agent_id, name, command, cpus, mem)?;
        let offer = v1::OfferID {
            value: offer_id.to_string(),
        };
        done(this.lock().accept([offer], [call::launch([task])], None))
    })
}

/// DECLINE (as `mesos_http_scheduler_decline`); offers no longer
/// outstanding are left out, and nothing is sent when none is.
#[no_mangle]
pub unsafe extern "C" fn mesos_http_framework_decline(
    framework: *const mesos_http_framework,
    offer_ids_ptr: *const *const c_char,
    offer_count: usize,
    refuse_seconds: f64,
    error_out: *mut *mut mesos_http_error,
) -> mesos_http_result {
    guard(error_out, || {
        let this = framework_ref(framework)?;
        let ids = unsafe { string_array(offer_ids_ptr, offer_count, "offer_ids") }?;
        if refuse_seconds.is_nan() {
            return Err(Failure::invalid("`refuse_seconds` is NaN"));
        }
        let filters = (refuse_seconds >= 0.0).then(|| call::refuse_seconds(refuse_seconds));
        let ids = ids.into_iter().map(|value| v1::OfferID { value });
        done(this.lock().decline(ids, filters))
    })
}

/// TEARDOWN: removes the framework and kills its tasks; on success the state
/// directory is cleared (the next run registers a new framework). A
/// `TERMINATED` connection item follows.
#[no_mangle]
pub unsafe extern "C" fn mesos_http_framework_teardown(
    framework: *const mesos_http_framework,
    error_out: *mut *mut mesos_http_error,
) -> mesos_http_result {
    guard(error_out, || {
        let this = framework_ref(framework)?;
        done(this.lock().teardown())
    })
}

/// How many tasks the state directory held at connect (launched by an
/// earlier run). 0 for NULL.
#[no_mangle]
pub unsafe extern "C" fn mesos_http_framework_restored_count(
    framework: *const mesos_http_framework,
) -> usize {
    guard_value(0, || {
        unsafe { framework.as_ref() }.map_or(0, |this| this.restored.len())
    })
}

/// The id of restored task `index`; NULL when out of range. Lives as long
/// as the handle.
#[no_mangle]
pub unsafe extern "C" fn mesos_http_framework_restored_task_id(
    framework: *const mesos_http_framework,
    index: usize,
) -> *const c_char {
    guard_value(std::ptr::null(), || {
        unsafe { framework.as_ref() }
            .and_then(|this| this.restored.get(index))
            .map_or(std::ptr::null(), |(id, _)| id.as_ptr())
    })
}

/// The terminal state restored task `index` ended in (a
/// `mesos_http_task_state`), or -1 when it had not ended (it is being
/// reconciled: its current state arrives as an `UPDATE`) or out of range.
#[no_mangle]
pub unsafe extern "C" fn mesos_http_framework_restored_state(
    framework: *const mesos_http_framework,
    index: usize,
) -> i32 {
    guard_value(-1, || {
        unsafe { framework.as_ref() }
            .and_then(|this| this.restored.get(index))
            .map_or(-1, |(_, state)| *state)
    })
}

/// Stops the subscription (as `mesos_http_scheduler_close`); the framework
/// stays registered until its failover timeout and the state directory keeps
/// its id. Idempotent.
#[no_mangle]
pub unsafe extern "C" fn mesos_http_framework_close(
    framework: *const mesos_http_framework,
    error_out: *mut *mut mesos_http_error,
) -> mesos_http_result {
    close_handle(framework, "framework", error_out, |this| {
        this.scheduler.close()
    })
}

/// Closes and frees the handle. NULL is allowed and ignored. Events already
/// taken stay valid.
#[no_mangle]
pub unsafe extern "C" fn mesos_http_framework_free(framework: *mut mesos_http_framework) {
    free_handle(framework, |this| this.scheduler.close())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{
        mesos_http_config_free, mesos_http_config_new, mesos_http_config_set_framework,
        mesos_http_config_set_masters,
    };

    #[test]
    fn null_handles_are_refused_and_accessors_give_their_defaults() {
        let mut error = std::ptr::null_mut();
        let mut event = std::ptr::null_mut();
        unsafe {
            assert_eq!(
                mesos_http_framework_next_event(std::ptr::null(), 0, &mut event, &mut error),
                mesos_http_result::NullArgument
            );
            crate::error::mesos_http_error_free(error);
            assert!(event.is_null());
            assert_eq!(mesos_http_framework_restored_count(std::ptr::null()), 0);
            assert!(mesos_http_framework_restored_task_id(std::ptr::null(), 0).is_null());
            assert_eq!(mesos_http_framework_restored_state(std::ptr::null(), 0), -1);
            mesos_http_framework_free(std::ptr::null_mut());
        }
    }

    #[test]
    fn a_state_dir_without_a_failover_timeout_is_a_configuration_error() {
        let config = mesos_http_config_new();
        let mut error = std::ptr::null_mut();
        let mut framework = std::ptr::null_mut();
        unsafe {
            mesos_http_config_set_masters(config, c"http://127.0.0.1:1".as_ptr(), &mut error);
            mesos_http_config_set_framework(config, c"u".as_ptr(), c"n".as_ptr(), &mut error);
            let dir = std::env::temp_dir()
                .join(format!("mesos-http-ffi-nofailover-{}", std::process::id()));
            let dir = CString::new(dir.display().to_string()).unwrap();
            assert_eq!(
                mesos_http_framework_connect(config, dir.as_ptr(), &mut framework, &mut error),
                mesos_http_result::Config
            );
            assert!(framework.is_null());
            assert_eq!(
                crate::error::mesos_http_error_result(error),
                mesos_http_result::Config
            );
            crate::error::mesos_http_error_free(error);
            mesos_http_config_free(config);
        }
    }
}
