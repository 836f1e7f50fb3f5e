//! The executor side: a handle over [`mesos_http::executor::Executor`] for a
//! custom executor written in C, started by a Mesos agent. Connect from the
//! environment the agent sets, wait for events, send UPDATE / MESSAGE /
//! HEARTBEAT, close, free.

use std::ffi::c_char;

use super::config::encoding_from_u32;
use super::error::{failure_of, mesos_http_error, mesos_http_result};
use super::executor_event::mesos_http_executor_event;
use super::guard::{
    byte_slice, close_handle, free_handle, guard, guard_value, handle, optional_str, out_param,
    required_str,
};
use super::guard::{pointer_array, Failure};
use super::wait::next_item;
use mesos_http::executor::{self, task_status, Executor, ExecutorBuilder};
use mesos_http::v1;

/// A custom executor's subscription to its agent: an [`Executor`] and its
/// event channel. Every function taking a `const mesos_http_executor *` may
/// be called from any thread, concurrently; only
/// `mesos_http_executor_free` needs exclusive access.
pub struct mesos_http_executor {
    executor: Executor,
    events: executor::Events,
}

/// Connects an executor configured by the environment the agent sets
/// (`MESOS_FRAMEWORK_ID`, `MESOS_EXECUTOR_ID`, `MESOS_SLAVE_PID`,
/// `MESOS_CHECKPOINT`, `MESOS_RECOVERY_TIMEOUT`, ...). With `count` 0 the
/// process environment is read; otherwise the `count` pairs
/// `names[i]=values[i]` are used instead (a launcher passing them on, or a
/// test). `encoding` is a `mesos_http_encoding`. Returns at once; progress
/// arrives through `mesos_http_executor_next_event`. A missing or malformed
/// variable fails with `MESOS_HTTP_RESULT_CONFIG` and a message naming it.
/// On success `*executor_out` receives a handle to free with
/// `mesos_http_executor_free`; on failure NULL.
#[no_mangle]
pub unsafe extern "C" fn mesos_http_executor_connect(
    names: *const *const c_char,
    values: *const *const c_char,
    count: usize,
    encoding: u32,
    executor_out: *mut *mut mesos_http_executor,
    error_out: *mut *mut mesos_http_error,
) -> mesos_http_result {
    guard(error_out, || {
        let slot = unsafe { out_param(executor_out, "executor_out") }?;
        let encoding = encoding_from_u32(encoding)?;
        let builder = if count == 0 {
            Executor::from_env()
        } else {
            let names = unsafe { pointer_array(names, count, "names") }?;
            let values = unsafe { pointer_array(values, count, "values") }?;
            let mut vars = Vec::with_capacity(count);
            for (index, (name, value)) in names.iter().zip(values).enumerate() {
                let name = unsafe { required_str(*name, &format!("names[{index}]")) }?;
                let value = unsafe { required_str(*value, &format!("values[{index}]")) }?;
                vars.push((name.to_string(), value.to_string()));
            }
            Executor::from_vars(vars)
        };
        let builder: ExecutorBuilder =
            builder.map_err(|e| Failure::new(mesos_http_result::Config, e.to_string()))?;
        let (executor, events) = builder
            .encoding(encoding)
            .connect()
            .map_err(|e| failure_of(&e))?;
        *slot = Box::into_raw(Box::new(mesos_http_executor { executor, events }));
        Ok(())
    })
}

/// Waits up to `timeout_ms` milliseconds (negative: without limit; 0: just
/// polls) for the next item: an event from the agent or a connection-state
/// change. `MESOS_HTTP_RESULT_OK` with `*event_out` set (free it with
/// `mesos_http_executor_event_free`), `MESOS_HTTP_RESULT_TIMEOUT`, or
/// `MESOS_HTTP_RESULT_CLOSED` once the channel is drained after the
/// subscription ended (a `TERMINATED` connection item is the last one).
#[no_mangle]
pub unsafe extern "C" fn mesos_http_executor_next_event(
    executor: *const mesos_http_executor,
    timeout_ms: i64,
    event_out: *mut *mut mesos_http_executor_event,
    error_out: *mut *mut mesos_http_error,
) -> mesos_http_result {
    next_item(
        error_out,
        event_out,
        timeout_ms,
        || unsafe { handle(executor, "executor") },
        |this| &this.events,
        |_, item| mesos_http_executor_event::new(item),
    )
}

/// Sends a status update for `task_id` in `state` (a `mesos_http_task_state`
/// value) with an optional `message` (NULL: none) and optional `data`
/// (`data_len` bytes; NULL with 0). The library adds a fresh uuid (written
/// to `uuid_out`, 16 bytes, when not NULL), SOURCE_EXECUTOR, the executor
/// id and a timestamp, and keeps the update until the agent acknowledges it,
/// re-sending it after a reconnection: while disconnected the update is kept
/// and OK is returned. Any thread.
#[no_mangle]
pub unsafe extern "C" fn mesos_http_executor_update(
    executor: *const mesos_http_executor,
    task_id: *const c_char,
    state: i32,
    message: *const c_char,
    data: *const u8,
    data_len: usize,
    uuid_out: *mut u8,
    error_out: *mut *mut mesos_http_error,
) -> mesos_http_result {
    guard(error_out, || {
        let this = unsafe { handle(executor, "executor") }?;
        let task_id = unsafe { required_str(task_id, "task_id") }?;
        let message = unsafe { optional_str(message, "message") }?;
        let data = unsafe { byte_slice(data, data_len, "data") }?;
        let state = v1::TaskState(state);
        if state.name().is_none() {
            return Err(Failure::invalid(format!("{} is not a task state", state.0)));
        }
        let id = v1::TaskID {
            value: task_id.to_string(),
        };
        let mut status = task_status(&id, state);
        status.message = message.map(str::to_string);
        status.data = (!data.is_empty()).then(|| data.to_vec());
        let uuid = this.executor.update(status).map_err(|e| failure_of(&e))?;
        if !uuid_out.is_null() && uuid.len() == 16 {
            // SAFETY: the caller passes NULL or 16 writable bytes.
            unsafe { std::ptr::copy_nonoverlapping(uuid.as_ptr(), uuid_out, 16) };
        }
        Ok(())
    })
}

/// Sends `len` bytes to the scheduler (a MESSAGE; no delivery guarantee).
/// `MESOS_HTTP_RESULT_NOT_SUBSCRIBED` while disconnected. Any thread.
#[no_mangle]
pub unsafe extern "C" fn mesos_http_executor_message(
    executor: *const mesos_http_executor,
    data: *const u8,
    len: usize,
    error_out: *mut *mut mesos_http_error,
) -> mesos_http_result {
    guard(error_out, || {
        let this = unsafe { handle(executor, "executor") }?;
        let data = unsafe { byte_slice(data, len, "data") }?;
        this.executor
            .message(data.to_vec())
            .map_err(|e| failure_of(&e))
    })
}

/// Sends a HEARTBEAT call. Any thread.
#[no_mangle]
pub unsafe extern "C" fn mesos_http_executor_heartbeat(
    executor: *const mesos_http_executor,
    error_out: *mut *mut mesos_http_error,
) -> mesos_http_result {
    guard(error_out, || {
        let this = unsafe { handle(executor, "executor") }?;
        this.executor.heartbeat().map_err(|e| failure_of(&e))
    })
}

/// How many updates the agent has not acknowledged yet (0 for NULL).
#[no_mangle]
pub unsafe extern "C" fn mesos_http_executor_unacknowledged_updates(
    executor: *const mesos_http_executor,
) -> usize {
    guard_value(0, || match unsafe { executor.as_ref() } {
        Some(this) => this.executor.unacknowledged_updates().len(),
        None => 0,
    })
}

/// The shutdown grace period in milliseconds (how long the agent waits
/// after SHUTDOWN before killing the executor); 0 for NULL.
#[no_mangle]
pub unsafe extern "C" fn mesos_http_executor_shutdown_grace_period_ms(
    executor: *const mesos_http_executor,
) -> u64 {
    guard_value(0, || match unsafe { executor.as_ref() } {
        Some(this) => {
            u64::try_from(this.executor.shutdown_grace_period().as_millis()).unwrap_or(u64::MAX)
        }
        None => 0,
    })
}

/// Stops the subscription and the library's thread; events already received
/// stay readable, then `next_event` returns CLOSED. Idempotent. Any thread.
#[no_mangle]
pub unsafe extern "C" fn mesos_http_executor_close(
    executor: *const mesos_http_executor,
    error_out: *mut *mut mesos_http_error,
) -> mesos_http_result {
    close_handle(executor, "executor", error_out, |this| {
        this.executor.close()
    })
}

/// Closes and frees the handle. NULL is allowed and ignored. Call it once,
/// after every other call on this handle has returned.
#[no_mangle]
pub unsafe extern "C" fn mesos_http_executor_free(executor: *mut mesos_http_executor) {
    free_handle(executor, |this| this.executor.close())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::{mesos_http_error_free, mesos_http_error_message};
    use std::ffi::CStr;

    #[test]
    fn null_arguments_and_a_bad_environment_are_refused() {
        unsafe {
            let mut executor: *mut mesos_http_executor = std::ptr::NonNull::dangling().as_ptr();
            let mut error = std::ptr::null_mut();
            let names = [c"MESOS_FRAMEWORK_ID".as_ptr()];
            let values = [c"f-1".as_ptr()];
            let result = mesos_http_executor_connect(
                names.as_ptr(),
                values.as_ptr(),
                1,
                1,
                &mut executor,
                &mut error,
            );
            assert_eq!(result, mesos_http_result::Config);
            assert!(executor.is_null(), "cleared on failure");
            let message = CStr::from_ptr(mesos_http_error_message(error))
                .to_str()
                .unwrap();
            assert!(message.contains("MESOS_EXECUTOR_ID"), "{message}");
            mesos_http_error_free(error);

            let result = mesos_http_executor_connect(
                std::ptr::null(),
                values.as_ptr(),
                1,
                1,
                &mut executor,
                std::ptr::null_mut(),
            );
            assert_eq!(result, mesos_http_result::NullArgument);
            let result = mesos_http_executor_connect(
                names.as_ptr(),
                values.as_ptr(),
                1,
                7,
                &mut executor,
                std::ptr::null_mut(),
            );
            assert_eq!(result, mesos_http_result::InvalidArgument, "encoding 7");

            let none = std::ptr::null();
            assert_eq!(
                mesos_http_executor_update(
                    none,
                    c"t".as_ptr(),
                    1,
                    none.cast(),
                    none.cast(),
                    0,
                    std::ptr::null_mut(),
                    std::ptr::null_mut()
                ),
                mesos_http_result::NullArgument
            );
            assert_eq!(
                mesos_http_executor_message(none, std::ptr::null(), 0, std::ptr::null_mut()),
                mesos_http_result::NullArgument
            );
            assert_eq!(mesos_http_executor_unacknowledged_updates(none), 0);
            assert_eq!(mesos_http_executor_shutdown_grace_period_ms(none), 0);
            mesos_http_executor_free(std::ptr::null_mut());
            let mut event = std::ptr::null_mut();
            assert_eq!(
                mesos_http_executor_next_event(none, 0, &mut event, std::ptr::null_mut()),
                mesos_http_result::NullArgument
            );
            assert!(event.is_null());
            crate::mesos_http_executor_event_free(std::ptr::null_mut());
            assert!(crate::mesos_http_executor_event_task_id(std::ptr::null(), 0).is_null());
        }
    }
}
