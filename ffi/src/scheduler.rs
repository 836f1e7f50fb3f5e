//! The scheduler handle: connect, wait for events, close, free.

use super::config::mesos_http_config;
use super::error::{failure_of, mesos_http_error, mesos_http_result};
use super::event::mesos_http_event;
use super::guard::{close_handle, free_handle, guard, guard_value, handle, out_param, Failure};
use super::wait::next_item;
use mesos_http::codec::Encoding;
use mesos_http::{Events, Scheduler};

/// One framework's subscription: a [`Scheduler`] and its event channel.
/// Every function taking a `const mesos_http_scheduler *` may be called from
/// any thread, concurrently (calls block the calling thread only; several
/// threads may wait in `mesos_http_scheduler_next_event` and each event goes
/// to one of them). Only `mesos_http_scheduler_free` needs exclusive access.
pub struct mesos_http_scheduler {
    pub(super) scheduler: Scheduler,
    events: Events,
    pub(super) encoding: Encoding,
}

/// Checks the config and starts subscribing in the background; returns at
/// once. Progress arrives through `mesos_http_scheduler_next_event`
/// (`MESOS_HTTP_EVENT_KIND_CONNECTION` items, then SUBSCRIBED). Calls fail
/// with `MESOS_HTTP_RESULT_NOT_SUBSCRIBED` until then. The config is only
/// read: it stays owned by the caller. On success `*scheduler_out` receives
/// a handle to free with `mesos_http_scheduler_free`; on failure NULL.
#[no_mangle]
pub unsafe extern "C" fn mesos_http_scheduler_connect(
    config: *const mesos_http_config,
    scheduler_out: *mut *mut mesos_http_scheduler,
    error_out: *mut *mut mesos_http_error,
) -> mesos_http_result {
    guard(error_out, || {
        let slot = unsafe { out_param(scheduler_out, "scheduler_out") }?;
        let config = unsafe { handle(config, "config") }?;
        let (builder, encoding) = config.builder()?;
        let (scheduler, events) = builder.connect().map_err(|e| failure_of(&e))?;
        *slot = Box::into_raw(Box::new(mesos_http_scheduler {
            scheduler,
            events,
            encoding,
        }));
        Ok(())
    })
}

/// Waits up to `timeout_ms` milliseconds (negative: without limit; 0: just
/// polls) for the next item: an event from the master or a connection-state
/// change. Returns `MESOS_HTTP_RESULT_OK` with `*event_out` set to a new
/// event (free it with `mesos_http_event_free`), `MESOS_HTTP_RESULT_TIMEOUT`
/// when nothing arrived, or `MESOS_HTTP_RESULT_CLOSED` once the channel is
/// drained after the subscription ended (a `TERMINATED` connection item is
/// the last one) or after `mesos_http_scheduler_close`. `*event_out` is
/// NULL unless the result is OK. Any thread.
#[no_mangle]
pub unsafe extern "C" fn mesos_http_scheduler_next_event(
    scheduler: *const mesos_http_scheduler,
    timeout_ms: i64,
    event_out: *mut *mut mesos_http_event,
    error_out: *mut *mut mesos_http_error,
) -> mesos_http_result {
    next_item(
        error_out,
        event_out,
        timeout_ms,
        || unsafe { handle(scheduler, "scheduler") },
        |this| this.events.receiver(),
        |this, item| mesos_http_event::new(item, this.encoding),
    )
}

/// Stops the subscription: aborts the event stream, stops the library's
/// threads and returns once they have stopped. Events already received stay
/// readable with `next_event`, which then returns `MESOS_HTTP_RESULT_CLOSED`;
/// calls fail with `MESOS_HTTP_RESULT_CLOSED`. The framework stays
/// registered until its failover timeout (use `mesos_http_scheduler_teardown`
/// to remove it). Idempotent. Any thread.
#[no_mangle]
pub unsafe extern "C" fn mesos_http_scheduler_close(
    scheduler: *const mesos_http_scheduler,
    error_out: *mut *mut mesos_http_error,
) -> mesos_http_result {
    close_handle(scheduler, "scheduler", error_out, |this| {
        this.scheduler.close()
    })
}

/// Whether calls can be sent right now (a subscription is active). False for
/// NULL. Any thread.
#[no_mangle]
pub unsafe extern "C" fn mesos_http_scheduler_is_subscribed(
    scheduler: *const mesos_http_scheduler,
) -> bool {
    guard_value(false, || match unsafe { scheduler.as_ref() } {
        Some(this) => this.scheduler.is_subscribed(),
        None => false,
    })
}

/// Closes (as `mesos_http_scheduler_close`) and frees the handle. NULL is
/// allowed and ignored. Call it once, after every other call on this handle
/// has returned, from any thread. Events already taken stay valid.
#[no_mangle]
pub unsafe extern "C" fn mesos_http_scheduler_free(scheduler: *mut mesos_http_scheduler) {
    free_handle(scheduler, |this| this.scheduler.close())
}

/// A handle for the call entry points.
pub(super) unsafe fn scheduler_ref<'a>(
    scheduler: *const mesos_http_scheduler,
) -> Result<&'a mesos_http_scheduler, Failure> {
    unsafe { handle(scheduler, "scheduler") }
}
