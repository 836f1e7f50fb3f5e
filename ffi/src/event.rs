//! The event handle and its accessors. Accessors never fail loudly: on the
//! wrong kind of event, a NULL event or an index out of range they return
//! NULL, 0, -1 or `MESOS_HTTP_RESULT_NO_FIELD`, as each one documents.

use std::ffi::{c_char, CString};

use super::error::mesos_http_result;
use super::event_fields::{
    mesos_http_connection_state, mesos_http_event_kind, EventFields, OfferFields,
};
use super::guard::{guard_value, required_str};
use mesos_http::codec::Encoding;
use mesos_http::v1;
use mesos_http::Item;

/// One item from `mesos_http_scheduler_next_event`: an event from the
/// master or a connection-state change. Owned by the caller, freed with
/// `mesos_http_event_free`; strings and bytes returned by its accessors live
/// exactly as long as it does. Immutable: may be read from any thread.
pub struct mesos_http_event {
    pub(super) fields: EventFields,
    /// What must live as long as the event: a framework item's pending
    /// acknowledgement, sent when the event is freed.
    pub(super) _held: Option<std::sync::Mutex<Box<dyn std::any::Any + Send>>>,
}

impl mesos_http_event {
    pub(super) fn new(item: Item, encoding: Encoding) -> Self {
        mesos_http_event {
            fields: EventFields::from_item(item, encoding),
            _held: None,
        }
    }
}

/// Mesos task states (`mesos.v1.TaskState`), as returned by
/// `mesos_http_event_task_state`. A newer master may send a value not listed.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum mesos_http_task_state {
    /// TASK_STARTING.
    Starting = 0,
    /// TASK_RUNNING.
    Running = 1,
    /// TASK_FINISHED: terminal, the command exited 0.
    Finished = 2,
    /// TASK_FAILED: terminal.
    Failed = 3,
    /// TASK_KILLED: terminal.
    Killed = 4,
    /// TASK_LOST: terminal.
    Lost = 5,
    /// TASK_STAGING.
    Staging = 6,
    /// TASK_ERROR: terminal, the task description was invalid.
    Error = 7,
    /// TASK_KILLING.
    Killing = 8,
    /// TASK_DROPPED: terminal.
    Dropped = 9,
    /// TASK_UNREACHABLE.
    Unreachable = 10,
    /// TASK_GONE: terminal.
    Gone = 11,
    /// TASK_GONE_BY_OPERATOR: terminal.
    GoneByOperator = 12,
    /// TASK_UNKNOWN.
    Unknown = 13,
}

fn fields<'a>(event: *const mesos_http_event) -> Option<&'a EventFields> {
    // SAFETY: the caller passes NULL or a live event from this library.
    unsafe { event.as_ref() }.map(|event| &event.fields)
}

pub(super) fn c_ptr(value: Option<&CString>) -> *const c_char {
    value.map_or(std::ptr::null(), |s| s.as_ptr())
}

/// A string field of the event, or NULL (also for a NULL event or a panic).
fn text(
    event: *const mesos_http_event,
    pick: impl FnOnce(&EventFields) -> Option<&CString>,
) -> *const c_char {
    guard_value(std::ptr::null(), || c_ptr(fields(event).and_then(pick)))
}

/// Offer `index` of the event, if there is one.
fn offer<'a>(event: *const mesos_http_event, index: usize) -> Option<&'a OfferFields> {
    fields(event).and_then(|f| f.offers.get(index))
}

/// Stores borrowed bytes in the out-parameters `data` and `len`: cleared
/// first, then set from `pick` when it finds them (`NO_FIELD` when not);
/// `NULL_ARGUMENT` when an out-parameter or the event (`fields`) is missing.
/// Shared by the scheduler's and the executor's events.
pub(super) fn borrowed_bytes<F>(
    fields: Option<&F>,
    data: *mut *const u8,
    len: *mut usize,
    pick: impl FnOnce(&F) -> Option<&[u8]>,
) -> mesos_http_result {
    guard_value(mesos_http_result::Panic, || {
        if data.is_null() || len.is_null() {
            return mesos_http_result::NullArgument;
        }
        // SAFETY: both checked non-NULL; the caller passes writable pointers.
        unsafe {
            data.write(std::ptr::null());
            len.write(0);
        }
        let Some(fields) = fields else {
            return mesos_http_result::NullArgument;
        };
        match pick(fields) {
            Some(bytes) => {
                // SAFETY: as above.
                unsafe {
                    data.write(bytes.as_ptr());
                    len.write(bytes.len());
                }
                mesos_http_result::Ok
            }
            None => mesos_http_result::NoField,
        }
    })
}

/// What the item is. `MESOS_HTTP_EVENT_KIND_UNKNOWN` for NULL.
#[no_mangle]
pub unsafe extern "C" fn mesos_http_event_get_kind(
    event: *const mesos_http_event,
) -> mesos_http_event_kind {
    guard_value(mesos_http_event_kind::Unknown, || {
        fields(event).map_or(mesos_http_event_kind::Unknown, |f| f.kind)
    })
}

/// The state a `MESOS_HTTP_EVENT_KIND_CONNECTION` item reports;
/// `MESOS_HTTP_CONNECTION_STATE_NONE` for any other item or NULL.
#[no_mangle]
pub unsafe extern "C" fn mesos_http_event_connection_state(
    event: *const mesos_http_event,
) -> mesos_http_connection_state {
    guard_value(mesos_http_connection_state::None, || {
        fields(event).map_or(mesos_http_connection_state::None, |f| f.connection_state)
    })
}

/// The event encoded in the scheduler's configured encoding (a
/// `mesos.v1.scheduler.Event`), for fields the accessors do not cover. It is
/// encoded again from the decoded event (at the first call), so fields this
/// library's schema does not know are not included; an event of an unknown
/// type keeps its record as received. For `MESOS_HTTP_EVENT_KIND_UNDECODABLE` the raw record. Sets
/// `*data` and `*len` (borrowed from the event); returns
/// `MESOS_HTTP_RESULT_NO_FIELD` for connection items and
/// `MESOS_HTTP_RESULT_NULL_ARGUMENT` when an argument is NULL.
#[no_mangle]
pub unsafe extern "C" fn mesos_http_event_bytes(
    event: *const mesos_http_event,
    data: *mut *const u8,
    len: *mut usize,
) -> mesos_http_result {
    borrowed_bytes(fields(event), data, len, EventFields::bytes)
}

/// How many offers an OFFERS or INVERSE_OFFERS event carries (1 for RESCIND
/// and RESCIND_INVERSE_OFFER, whose offer id is at index 0); 0 otherwise.
#[no_mangle]
pub unsafe extern "C" fn mesos_http_event_offer_count(event: *const mesos_http_event) -> usize {
    guard_value(0, || fields(event).map_or(0, |f| f.offers.len()))
}

/// The id of offer `index`; NULL when out of range.
#[no_mangle]
pub unsafe extern "C" fn mesos_http_event_offer_id(
    event: *const mesos_http_event,
    index: usize,
) -> *const c_char {
    guard_value(std::ptr::null(), || {
        c_ptr(offer(event, index).map(|o| &o.id))
    })
}

/// The agent of offer `index` (where a task on it would run); NULL when out
/// of range or for a rescind.
#[no_mangle]
pub unsafe extern "C" fn mesos_http_event_offer_agent_id(
    event: *const mesos_http_event,
    index: usize,
) -> *const c_char {
    guard_value(std::ptr::null(), || {
        c_ptr(offer(event, index).and_then(|o| o.agent_id.as_ref()))
    })
}

/// The hostname of offer `index`; NULL when out of range or not an offer.
#[no_mangle]
pub unsafe extern "C" fn mesos_http_event_offer_hostname(
    event: *const mesos_http_event,
    index: usize,
) -> *const c_char {
    guard_value(std::ptr::null(), || {
        c_ptr(offer(event, index).and_then(|o| o.hostname.as_ref()))
    })
}

/// The total of the scalar resource `name` (`"cpus"`, `"mem"`, `"disk"`,
/// `"gpus"`) in offer `index`, over all roles and reservations; 0 when the
/// offer has none. -1 when the event, index or name is unusable.
#[no_mangle]
pub unsafe extern "C" fn mesos_http_event_offer_scalar(
    event: *const mesos_http_event,
    index: usize,
    name: *const c_char,
) -> f64 {
    guard_value(-1.0, || {
        let Ok(name) = (unsafe { required_str(name, "name") }) else {
            return -1.0;
        };
        let Some(offer) = offer(event, index) else {
            return -1.0;
        };
        offer
            .resources
            .iter()
            .filter(|r| r.name == name && r.r#type == v1::value::Type::SCALAR)
            .filter_map(|r| r.scalar.as_ref().map(|s| s.value))
            .sum()
    })
}

/// The task of an UPDATE event; NULL otherwise.
#[no_mangle]
pub unsafe extern "C" fn mesos_http_event_task_id(event: *const mesos_http_event) -> *const c_char {
    text(event, |f| f.task_id.as_ref())
}

/// The agent of an UPDATE, UPDATE_OPERATION_STATUS, MESSAGE or FAILURE
/// event, when it names one; NULL otherwise.
#[no_mangle]
pub unsafe extern "C" fn mesos_http_event_agent_id(
    event: *const mesos_http_event,
) -> *const c_char {
    text(event, |f| f.agent_id.as_ref())
}

/// The framework id of a SUBSCRIBED event or a `SUBSCRIBED` connection
/// item; NULL otherwise.
#[no_mangle]
pub unsafe extern "C" fn mesos_http_event_framework_id(
    event: *const mesos_http_event,
) -> *const c_char {
    text(event, |f| f.framework_id.as_ref())
}

/// The master's URL of a `CONNECTED` or `SUBSCRIBED` connection item; NULL
/// otherwise.
#[no_mangle]
pub unsafe extern "C" fn mesos_http_event_master(event: *const mesos_http_event) -> *const c_char {
    text(event, |f| f.master.as_ref())
}

/// Human-readable text: the status message of an UPDATE, the message of an
/// ERROR, a description of a FAILURE, of a connection item (why it
/// disconnected or terminated) or of why a record was undecodable. NULL when
/// there is none. NUL bytes inside are replaced by U+FFFD.
#[no_mangle]
pub unsafe extern "C" fn mesos_http_event_message(event: *const mesos_http_event) -> *const c_char {
    text(event, |f| f.message.as_ref())
}

/// The reason of an UPDATE (`"REASON_COMMAND_EXECUTOR_FAILED"`, ...); NULL
/// when absent.
#[no_mangle]
pub unsafe extern "C" fn mesos_http_event_reason(event: *const mesos_http_event) -> *const c_char {
    text(event, |f| f.reason.as_ref())
}

/// The task state of an UPDATE (a `mesos_http_task_state` value, or a newer
/// one); -1 for any other event.
#[no_mangle]
pub unsafe extern "C" fn mesos_http_event_task_state(event: *const mesos_http_event) -> i32 {
    guard_value(-1, || {
        fields(event).and_then(|f| f.task_state).unwrap_or(-1)
    })
}

/// The uuid of a status update (16 raw bytes, borrowed from the event).
/// `MESOS_HTTP_RESULT_NO_FIELD` when it has none (then no acknowledgement
/// is due), `MESOS_HTTP_RESULT_NULL_ARGUMENT` when an argument is NULL.
#[no_mangle]
pub unsafe extern "C" fn mesos_http_event_uuid(
    event: *const mesos_http_event,
    data: *mut *const u8,
    len: *mut usize,
) -> mesos_http_result {
    borrowed_bytes(fields(event), data, len, |f| f.uuid.as_deref())
}

/// Whether the event is a status update that must be acknowledged
/// (`mesos_http_scheduler_acknowledge`). False for NULL.
#[no_mangle]
pub unsafe extern "C" fn mesos_http_event_needs_ack(event: *const mesos_http_event) -> bool {
    guard_value(false, || {
        fields(event).is_some_and(|f| f.acknowledgement.is_some())
    })
}

/// The heartbeat interval in seconds announced by SUBSCRIBED (event or
/// connection item); 0 when absent.
#[no_mangle]
pub unsafe extern "C" fn mesos_http_event_heartbeat_interval(
    event: *const mesos_http_event,
) -> f64 {
    guard_value(0.0, || {
        fields(event)
            .and_then(|f| f.heartbeat_interval)
            .unwrap_or(0.0)
    })
}

/// Frees an event. NULL is allowed and ignored.
#[no_mangle]
pub unsafe extern "C" fn mesos_http_event_free(event: *mut mesos_http_event) {
    guard_value((), || {
        if !event.is_null() {
            drop(unsafe { Box::from_raw(event) });
        }
    })
}

/// The name of a task state (`"TASK_FINISHED"`); NULL for a value this
/// library does not know. Static string. Any thread.
#[no_mangle]
pub extern "C" fn mesos_http_task_state_name(state: i32) -> *const c_char {
    guard_value(std::ptr::null(), || {
        TASK_STATE_NAMES
            .iter()
            .find(|(value, _)| *value == state)
            .map_or(std::ptr::null(), |(_, name)| name.as_ptr())
    })
}

/// Whether a task in this state is over for good (FINISHED, FAILED, KILLED,
/// ERROR, LOST, DROPPED, GONE, GONE_BY_OPERATOR). Any thread.
#[no_mangle]
pub extern "C" fn mesos_http_task_state_is_terminal(state: i32) -> bool {
    use mesos_http_task_state as S;
    guard_value(false, || {
        [
            S::Finished,
            S::Failed,
            S::Killed,
            S::Error,
            S::Lost,
            S::Dropped,
            S::Gone,
            S::GoneByOperator,
        ]
        .iter()
        .any(|s| *s as i32 == state)
    })
}

const TASK_STATE_NAMES: [(i32, &std::ffi::CStr); 14] = [
    (0, c"TASK_STARTING"),
    (1, c"TASK_RUNNING"),
    (2, c"TASK_FINISHED"),
    (3, c"TASK_FAILED"),
    (4, c"TASK_KILLED"),
    (5, c"TASK_LOST"),
    (6, c"TASK_STAGING"),
    (7, c"TASK_ERROR"),
    (8, c"TASK_KILLING"),
    (9, c"TASK_DROPPED"),
    (10, c"TASK_UNREACHABLE"),
    (11, c"TASK_GONE"),
    (12, c"TASK_GONE_BY_OPERATOR"),
    (13, c"TASK_UNKNOWN"),
];

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::CStr;

    #[test]
    fn task_state_names_agree_with_the_schema() {
        for (value, name) in TASK_STATE_NAMES {
            assert_eq!(
                v1::TaskState(value).name(),
                Some(name.to_str().unwrap()),
                "value {value}"
            );
            let got = unsafe { CStr::from_ptr(mesos_http_task_state_name(value)) };
            assert_eq!(got, name);
        }
        assert!(mesos_http_task_state_name(99).is_null());
        assert!(mesos_http_task_state_is_terminal(2));
        assert!(!mesos_http_task_state_is_terminal(1));
        assert!(!mesos_http_task_state_is_terminal(10));
    }

    #[test]
    fn accessors_on_null_return_their_documented_defaults() {
        let null = std::ptr::null();
        unsafe {
            assert_eq!(
                mesos_http_event_get_kind(null),
                mesos_http_event_kind::Unknown
            );
            assert!(mesos_http_event_task_id(null).is_null());
            assert_eq!(mesos_http_event_task_state(null), -1);
            assert_eq!(mesos_http_event_offer_count(null), 0);
            assert_eq!(
                mesos_http_event_offer_scalar(null, 0, c"cpus".as_ptr()),
                -1.0
            );
            let mut data = std::ptr::null();
            let mut len = 0;
            assert_eq!(
                mesos_http_event_bytes(null, &mut data, &mut len),
                mesos_http_result::NullArgument
            );
            mesos_http_event_free(std::ptr::null_mut());
        }
    }
}
