//! Results and error objects: a C program branches on the result code and
//! shows the error's message, which carries the detail (the master's own
//! words for a rejected call).

use std::ffi::{c_char, CString};

use super::guard::{guard_value, Failure};
use mesos_http::error::Error;

/// What a call returned. `MESOS_HTTP_RESULT_OK` is 0; everything else is a
/// failure except `MESOS_HTTP_RESULT_TIMEOUT` and `MESOS_HTTP_RESULT_CLOSED`
/// from `mesos_http_scheduler_next_event`, which are normal outcomes there.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum mesos_http_result {
    /// Success.
    Ok = 0,
    /// `next_event`: nothing arrived within the timeout.
    Timeout = 1,
    /// The scheduler is closed (the event channel is drained and closed, or
    /// a call was made after close).
    Closed = 2,
    /// A required pointer argument was NULL.
    NullArgument = 3,
    /// An argument was unusable: bad UTF-8, a length too large, a value out
    /// of range, bytes that do not decode as the expected message.
    InvalidArgument = 4,
    /// The event has no such field (an accessor on the wrong kind of event).
    NoField = 5,
    /// The configuration is unusable (bad master URL, unreadable CA file,
    /// FrameworkInfo without user or name).
    Config = 6,
    /// No subscription is active right now; retry after the next
    /// `MESOS_HTTP_CONNECTION_STATE_SUBSCRIBED`.
    NotSubscribed = 7,
    /// The master refused the call; the HTTP status is in the error object.
    Rejected = 8,
    /// HTTP 401: credentials missing or refused.
    Unauthorized = 9,
    /// HTTP 503: no leader, or the leader is recovering.
    Unavailable = 10,
    /// A redirect loop or an unusable redirect.
    Redirect = 11,
    /// The TLS handshake failed.
    Tls = 12,
    /// A network timeout (connect or the per-call budget).
    NetworkTimeout = 13,
    /// The network failed (refused, reset, unexpected end of stream).
    Connection = 14,
    /// Not produced (the library never fails to encode a call); the value
    /// stays reserved.
    Encode = 15,
    /// A master answered in a way the protocol does not allow.
    Decode = 16,
    /// The call failed local validation (the master would refuse it).
    InvalidCall = 17,
    /// A bug: Rust code panicked; the panic was caught at the boundary.
    Panic = 18,
    /// The offer is not outstanding on the current subscription (it came
    /// before a re-subscription, was rescinded or already used); nothing
    /// was sent.
    StaleOffer = 19,
    /// The framework store (state directory) could not be read or written.
    Store = 20,
}

impl mesos_http_result {
    /// The code's name as a static C string.
    pub(super) fn c_name(self) -> &'static std::ffi::CStr {
        match self {
            mesos_http_result::Ok => c"MESOS_HTTP_RESULT_OK",
            mesos_http_result::Timeout => c"MESOS_HTTP_RESULT_TIMEOUT",
            mesos_http_result::Closed => c"MESOS_HTTP_RESULT_CLOSED",
            mesos_http_result::NullArgument => c"MESOS_HTTP_RESULT_NULL_ARGUMENT",
            mesos_http_result::InvalidArgument => c"MESOS_HTTP_RESULT_INVALID_ARGUMENT",
            mesos_http_result::NoField => c"MESOS_HTTP_RESULT_NO_FIELD",
            mesos_http_result::Config => c"MESOS_HTTP_RESULT_CONFIG",
            mesos_http_result::NotSubscribed => c"MESOS_HTTP_RESULT_NOT_SUBSCRIBED",
            mesos_http_result::Rejected => c"MESOS_HTTP_RESULT_REJECTED",
            mesos_http_result::Unauthorized => c"MESOS_HTTP_RESULT_UNAUTHORIZED",
            mesos_http_result::Unavailable => c"MESOS_HTTP_RESULT_UNAVAILABLE",
            mesos_http_result::Redirect => c"MESOS_HTTP_RESULT_REDIRECT",
            mesos_http_result::Tls => c"MESOS_HTTP_RESULT_TLS",
            mesos_http_result::NetworkTimeout => c"MESOS_HTTP_RESULT_NETWORK_TIMEOUT",
            mesos_http_result::Connection => c"MESOS_HTTP_RESULT_CONNECTION",
            mesos_http_result::Encode => c"MESOS_HTTP_RESULT_ENCODE",
            mesos_http_result::Decode => c"MESOS_HTTP_RESULT_DECODE",
            mesos_http_result::InvalidCall => c"MESOS_HTTP_RESULT_INVALID_CALL",
            mesos_http_result::Panic => c"MESOS_HTTP_RESULT_PANIC",
            mesos_http_result::StaleOffer => c"MESOS_HTTP_RESULT_STALE_OFFER",
            mesos_http_result::Store => c"MESOS_HTTP_RESULT_STORE",
        }
    }
}

/// The detail of one failure: result code, message, HTTP status. Created by
/// the library on failure, owned by the caller, freed with
/// `mesos_http_error_free`. Immutable, so it may be read from any thread.
pub struct mesos_http_error {
    result: mesos_http_result,
    message: CString,
    http_status: u16,
}

impl mesos_http_error {
    pub(super) fn from_failure(failure: Failure) -> Self {
        mesos_http_error {
            result: failure.result,
            message: c_string_lossy(&format!(
                "{}: {}",
                failure.result.c_name().to_string_lossy(),
                failure.message
            )),
            http_status: failure.http_status,
        }
    }
}

/// A C string from text that may contain NUL bytes (they are replaced, so
/// that the message is never cut short silently).
pub(super) fn c_string_lossy(text: &str) -> CString {
    CString::new(text.replace('\0', "\u{FFFD}")).unwrap_or_default()
}

/// Maps the client's error to a code, its message and the HTTP status.
pub(super) fn failure_of(error: &Error) -> Failure {
    let (result, status) = match error {
        Error::NotSubscribed => (mesos_http_result::NotSubscribed, 0),
        Error::Rejected { status, .. } => (mesos_http_result::Rejected, *status),
        Error::Unauthorized { .. } => (mesos_http_result::Unauthorized, 401),
        Error::Unavailable { .. } => (mesos_http_result::Unavailable, 503),
        Error::RedirectLoop { .. } | Error::BadRedirect { .. } => (mesos_http_result::Redirect, 0),
        Error::Tls { .. } => (mesos_http_result::Tls, 0),
        Error::Timeout { .. } => (mesos_http_result::NetworkTimeout, 0),
        Error::Connection { .. } | Error::Detection { .. } => (mesos_http_result::Connection, 0),
        Error::BadResponse { .. } => (mesos_http_result::Decode, 0),
        Error::Invalid(_) => (mesos_http_result::InvalidCall, 0),
        Error::Config(_) => (mesos_http_result::Config, 0),
        Error::Closed => (mesos_http_result::Closed, 0),
        // A kind added to the library later: its message says what it is.
        _ => (mesos_http_result::Connection, 0),
    };
    Failure {
        result,
        message: error.to_string(),
        http_status: status,
    }
}

/// The name of a result code (`"MESOS_HTTP_RESULT_REJECTED"`), for logs.
/// Returns a static string; "MESOS_HTTP_RESULT_UNKNOWN" for a value that is
/// not a result code. Any thread.
#[no_mangle]
pub extern "C" fn mesos_http_result_name(result: u32) -> *const c_char {
    guard_value(
        c"MESOS_HTTP_RESULT_UNKNOWN".as_ptr(),
        || match result_from_u32(result) {
            Some(code) => code.c_name().as_ptr(),
            None => c"MESOS_HTTP_RESULT_UNKNOWN".as_ptr(),
        },
    )
}

fn result_from_u32(value: u32) -> Option<mesos_http_result> {
    const ALL: [mesos_http_result; 21] = [
        mesos_http_result::Ok,
        mesos_http_result::Timeout,
        mesos_http_result::Closed,
        mesos_http_result::NullArgument,
        mesos_http_result::InvalidArgument,
        mesos_http_result::NoField,
        mesos_http_result::Config,
        mesos_http_result::NotSubscribed,
        mesos_http_result::Rejected,
        mesos_http_result::Unauthorized,
        mesos_http_result::Unavailable,
        mesos_http_result::Redirect,
        mesos_http_result::Tls,
        mesos_http_result::NetworkTimeout,
        mesos_http_result::Connection,
        mesos_http_result::Encode,
        mesos_http_result::Decode,
        mesos_http_result::InvalidCall,
        mesos_http_result::Panic,
        mesos_http_result::StaleOffer,
        mesos_http_result::Store,
    ];
    ALL.into_iter().find(|code| *code as u32 == value)
}

/// The result code the error was reported with; `MESOS_HTTP_RESULT_OK`
/// when `error` is NULL. Any thread.
#[no_mangle]
pub unsafe extern "C" fn mesos_http_error_result(
    error: *const mesos_http_error,
) -> mesos_http_result {
    guard_value(mesos_http_result::Panic, || {
        match unsafe { error.as_ref() } {
            Some(error) => error.result,
            None => mesos_http_result::Ok,
        }
    })
}

/// The error's message: `"<RESULT_NAME>: <detail>"`, e.g. the master's body
/// for a rejected call. Valid until `mesos_http_error_free(error)`. Never
/// NULL: a NULL `error` gives a static "no error". Any thread.
#[no_mangle]
pub unsafe extern "C" fn mesos_http_error_message(error: *const mesos_http_error) -> *const c_char {
    guard_value(c"no error".as_ptr(), || match unsafe { error.as_ref() } {
        Some(error) => error.message.as_ptr(),
        None => c"no error".as_ptr(),
    })
}

/// The HTTP status the master answered with, when the failure was an HTTP
/// answer (`MESOS_HTTP_RESULT_REJECTED`, `_UNAUTHORIZED`, `_UNAVAILABLE`);
/// 0 otherwise or when `error` is NULL. Any thread.
#[no_mangle]
pub unsafe extern "C" fn mesos_http_error_http_status(error: *const mesos_http_error) -> u16 {
    guard_value(0, || match unsafe { error.as_ref() } {
        Some(error) => error.http_status,
        None => 0,
    })
}

/// Frees an error. NULL is allowed and ignored. Any thread, once.
#[no_mangle]
pub unsafe extern "C" fn mesos_http_error_free(error: *mut mesos_http_error) {
    guard_value((), || {
        if !error.is_null() {
            drop(unsafe { Box::from_raw(error) });
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_through_the_numbers() {
        for value in 0..21u32 {
            let code = result_from_u32(value).expect("every number below 21 is a code");
            assert_eq!(code as u32, value);
            assert!(code
                .c_name()
                .to_str()
                .unwrap()
                .starts_with("MESOS_HTTP_RESULT_"));
        }
        assert_eq!(result_from_u32(21), None);
    }

    #[test]
    fn rejected_keeps_the_status_and_the_body() {
        let failure = failure_of(&Error::Rejected {
            status: 400,
            body: "Framework is not subscribed".into(),
        });
        assert_eq!(failure.result, mesos_http_result::Rejected);
        assert_eq!(failure.http_status, 400);
        assert!(failure.message.contains("Framework is not subscribed"));
    }
}
