//! The executor's event handle and its accessors, flattened once from the
//! channel item so that accessors only borrow. Like the scheduler's: on the
//! wrong kind of event, NULL or an index out of range they return NULL, 0,
//! -1 or `MESOS_HTTP_RESULT_NO_FIELD`.

use std::ffi::{c_char, CString};

use super::error::{c_string_lossy, mesos_http_result};
use super::event::{borrowed_bytes, c_ptr};
use super::event_fields::mesos_http_connection_state;
use super::guard::guard_value;
use mesos_http::executor::{ConnectionState, Event, Item};
use mesos_http::v1;

/// What a `mesos_http_executor_event` is: the values of
/// `mesos.v1.executor.Event.Type` for the agent's events; the library's own
/// items after 100.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum mesos_http_executor_event_kind {
    /// A type this library does not know, or a known type without its payload.
    Unknown = 0,
    /// The agent accepted the subscription.
    Subscribed = 1,
    /// Run a task (`task_count` 1); answer with an update.
    Launch = 2,
    /// Kill the task at index 0; answer with a terminal update.
    Kill = 3,
    /// The agent has the update with this uuid (task at index 0).
    Acknowledged = 4,
    /// Bytes from the scheduler (`mesos_http_executor_event_data`).
    Message = 5,
    /// An error from the agent (message).
    Error = 6,
    /// Kill every task and exit within the shutdown grace period.
    Shutdown = 7,
    /// Run a group of tasks (`task_count` of them).
    LaunchGroup = 8,
    /// Keep-alive.
    Heartbeat = 9,
    /// The connection changed state (`mesos_http_executor_event_connection_state`).
    Connection = 100,
    /// A record that did not decode; the stream goes on.
    Undecodable = 101,
}

/// One task named by an event.
struct TaskFields {
    id: CString,
    name: Option<CString>,
    command: Option<CString>,
    data: Option<Vec<u8>>,
}

/// One item from `mesos_http_executor_next_event`. Owned by the caller,
/// freed with `mesos_http_executor_event_free`; what its accessors return
/// lives as long as it does. Immutable: readable from any thread.
pub struct mesos_http_executor_event {
    kind: mesos_http_executor_event_kind,
    connection_state: mesos_http_connection_state,
    tasks: Vec<TaskFields>,
    data: Option<Vec<u8>>,
    uuid: Option<Vec<u8>>,
    message: Option<CString>,
}

impl mesos_http_executor_event {
    pub(super) fn new(item: Item) -> Self {
        use mesos_http_executor_event_kind as K;
        let mut this = mesos_http_executor_event {
            kind: K::Unknown,
            connection_state: mesos_http_connection_state::None,
            tasks: Vec::new(),
            data: None,
            uuid: None,
            message: None,
        };
        let event = match item {
            Item::Event(event) => event,
            Item::Connection(state) => {
                this.kind = K::Connection;
                this.connection_state = match &state {
                    ConnectionState::Connected { .. } => mesos_http_connection_state::Connected,
                    ConnectionState::Subscribed { .. } => mesos_http_connection_state::Subscribed,
                    ConnectionState::Disconnected(_) => mesos_http_connection_state::Disconnected,
                    ConnectionState::Reconnecting { .. } => {
                        mesos_http_connection_state::Reconnecting
                    }
                    _ => mesos_http_connection_state::Terminated,
                };
                this.message = Some(c_string_lossy(&format!("{state:?}")));
                return this;
            }
            Item::Undecodable { error, record } => {
                this.kind = K::Undecodable;
                this.message = Some(c_string_lossy(&error.to_string()));
                this.data = Some(record);
                return this;
            }
        };
        this.tasks = event.tasks().iter().map(task_fields).collect();
        this.kind = match event {
            Event::Subscribed(_) => K::Subscribed,
            Event::Launch(_) => K::Launch,
            Event::LaunchGroup(_) => K::LaunchGroup,
            Event::Kill(kill) => {
                this.tasks.push(id_only(&kill.task_id));
                K::Kill
            }
            Event::Acknowledged(ack) => {
                this.tasks.push(id_only(&ack.task_id));
                this.uuid = Some(ack.uuid);
                K::Acknowledged
            }
            Event::Message(message) => {
                this.data = Some(message.data);
                K::Message
            }
            Event::Error(error) => {
                this.message = Some(c_string_lossy(&error.message));
                K::Error
            }
            Event::Shutdown => K::Shutdown,
            Event::Heartbeat => K::Heartbeat,
            _ => K::Unknown,
        };
        this
    }
}

fn task_fields(task: &v1::TaskInfo) -> TaskFields {
    TaskFields {
        id: c_string_lossy(&task.task_id.value),
        name: Some(c_string_lossy(&task.name)),
        command: task
            .command
            .as_ref()
            .and_then(|c| c.value.as_deref())
            .map(c_string_lossy),
        data: task.data.clone(),
    }
}

fn id_only(id: &v1::TaskID) -> TaskFields {
    TaskFields {
        id: c_string_lossy(&id.value),
        name: None,
        command: None,
        data: None,
    }
}

fn event<'a>(event: *const mesos_http_executor_event) -> Option<&'a mesos_http_executor_event> {
    // SAFETY: the caller passes NULL or a live event from this library.
    unsafe { event.as_ref() }
}

fn task<'a>(ptr: *const mesos_http_executor_event, index: usize) -> Option<&'a TaskFields> {
    event(ptr).and_then(|e| e.tasks.get(index))
}

/// What the item is; `MESOS_HTTP_EXECUTOR_EVENT_KIND_UNKNOWN` for NULL.
#[no_mangle]
pub unsafe extern "C" fn mesos_http_executor_event_get_kind(
    ptr: *const mesos_http_executor_event,
) -> mesos_http_executor_event_kind {
    guard_value(mesos_http_executor_event_kind::Unknown, || {
        event(ptr).map_or(mesos_http_executor_event_kind::Unknown, |e| e.kind)
    })
}

/// The state of a `CONNECTION` item; `MESOS_HTTP_CONNECTION_STATE_NONE` otherwise.
#[no_mangle]
pub unsafe extern "C" fn mesos_http_executor_event_connection_state(
    ptr: *const mesos_http_executor_event,
) -> mesos_http_connection_state {
    guard_value(mesos_http_connection_state::None, || {
        event(ptr).map_or(mesos_http_connection_state::None, |e| e.connection_state)
    })
}

/// How many tasks the event names: LAUNCH 1, LAUNCH_GROUP the group's size,
/// KILL and ACKNOWLEDGED 1; 0 otherwise.
#[no_mangle]
pub unsafe extern "C" fn mesos_http_executor_event_task_count(
    ptr: *const mesos_http_executor_event,
) -> usize {
    guard_value(0, || event(ptr).map_or(0, |e| e.tasks.len()))
}

/// The id of task `index`; NULL when out of range.
#[no_mangle]
pub unsafe extern "C" fn mesos_http_executor_event_task_id(
    ptr: *const mesos_http_executor_event,
    index: usize,
) -> *const c_char {
    guard_value(std::ptr::null(), || c_ptr(task(ptr, index).map(|t| &t.id)))
}

/// The name of launched task `index`; NULL when out of range or not a launch.
#[no_mangle]
pub unsafe extern "C" fn mesos_http_executor_event_task_name(
    ptr: *const mesos_http_executor_event,
    index: usize,
) -> *const c_char {
    guard_value(std::ptr::null(), || {
        c_ptr(task(ptr, index).and_then(|t| t.name.as_ref()))
    })
}

/// The command (`CommandInfo.value`) of launched task `index`; NULL when it
/// has none.
#[no_mangle]
pub unsafe extern "C" fn mesos_http_executor_event_task_command(
    ptr: *const mesos_http_executor_event,
    index: usize,
) -> *const c_char {
    guard_value(std::ptr::null(), || {
        c_ptr(task(ptr, index).and_then(|t| t.command.as_ref()))
    })
}

/// The `data` of launched task `index` (borrowed). `NO_FIELD` when it has none.
#[no_mangle]
pub unsafe extern "C" fn mesos_http_executor_event_task_data(
    ptr: *const mesos_http_executor_event,
    index: usize,
    data: *mut *const u8,
    len: *mut usize,
) -> mesos_http_result {
    borrowed_bytes(event(ptr), data, len, |e| {
        e.tasks.get(index).and_then(|t| t.data.as_deref())
    })
}

/// The bytes of a MESSAGE, or the raw record of an UNDECODABLE item (borrowed).
#[no_mangle]
pub unsafe extern "C" fn mesos_http_executor_event_data(
    ptr: *const mesos_http_executor_event,
    data: *mut *const u8,
    len: *mut usize,
) -> mesos_http_result {
    borrowed_bytes(event(ptr), data, len, |e| e.data.as_deref())
}

/// The uuid of an ACKNOWLEDGED event (16 bytes, borrowed).
#[no_mangle]
pub unsafe extern "C" fn mesos_http_executor_event_uuid(
    ptr: *const mesos_http_executor_event,
    data: *mut *const u8,
    len: *mut usize,
) -> mesos_http_result {
    borrowed_bytes(event(ptr), data, len, |e| e.uuid.as_deref())
}

/// Text: an ERROR's message, a connection item's description, why a record
/// was undecodable; NULL otherwise.
#[no_mangle]
pub unsafe extern "C" fn mesos_http_executor_event_message(
    ptr: *const mesos_http_executor_event,
) -> *const c_char {
    guard_value(std::ptr::null(), || {
        c_ptr(event(ptr).and_then(|e| e.message.as_ref()))
    })
}

/// Frees an executor event. NULL is allowed and ignored.
#[no_mangle]
pub unsafe extern "C" fn mesos_http_executor_event_free(ptr: *mut mesos_http_executor_event) {
    guard_value((), || {
        if !ptr.is_null() {
            drop(unsafe { Box::from_raw(ptr) });
        }
    })
}
