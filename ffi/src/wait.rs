//! Waiting on an event channel with a C-style timeout, shared by the
//! scheduler's and the executor's `next_event`.

use std::time::Duration;

use crossbeam_channel::{Receiver, RecvTimeoutError};

use super::error::{mesos_http_error, mesos_http_result};
use super::guard::{guard, out_param};

/// Waits up to `timeout_ms` (negative: without limit; 0: poll) for the next
/// item of `channel` (found through `source`, which checks the handle) and
/// stores `wrap(item)` in `*out`. OK with an item, TIMEOUT when nothing
/// came, CLOSED once the channel is drained and closed; `*out` is NULL
/// unless OK.
pub(super) fn next_item<H, I, E>(
    error_out: *mut *mut mesos_http_error,
    out: *mut *mut E,
    timeout_ms: i64,
    source: impl FnOnce() -> Result<H, super::guard::Failure>,
    channel: impl FnOnce(&H) -> &Receiver<I>,
    wrap: impl FnOnce(&H, I) -> E,
) -> mesos_http_result {
    let mut outcome = mesos_http_result::Ok;
    let result = guard(error_out, || {
        let slot = unsafe { out_param(out, "event_out") }?;
        let this = source()?;
        let events = channel(&this);
        let received = match u64::try_from(timeout_ms) {
            Ok(ms) => events.recv_timeout(Duration::from_millis(ms)),
            Err(_) => events.recv().map_err(|_| RecvTimeoutError::Disconnected),
        };
        match received {
            Ok(item) => *slot = Box::into_raw(Box::new(wrap(&this, item))),
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
