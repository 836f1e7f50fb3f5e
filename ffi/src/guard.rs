//! The boundary discipline shared by every entry point: panics caught,
//! failures turned into a result code plus an optional error object, and raw
//! arguments checked before they become Rust values.

use std::any::Any;
use std::ffi::{c_char, CStr};
use std::panic::{catch_unwind, AssertUnwindSafe};

use super::error::{mesos_http_error, mesos_http_result};

/// A failure on its way out: the code, the detail, the HTTP status (or 0).
#[derive(Debug)]
pub(super) struct Failure {
    pub(super) result: mesos_http_result,
    pub(super) message: String,
    pub(super) http_status: u16,
}

impl Failure {
    pub(super) fn new(result: mesos_http_result, message: impl Into<String>) -> Self {
        Failure {
            result,
            message: message.into(),
            http_status: 0,
        }
    }

    pub(super) fn null(what: &str) -> Self {
        Failure::new(mesos_http_result::NullArgument, format!("`{what}` is NULL"))
    }

    pub(super) fn invalid(message: impl Into<String>) -> Self {
        Failure::new(mesos_http_result::InvalidArgument, message)
    }
}

/// Runs a fallible entry point: clears `*error_out`, catches panics, and on
/// failure stores a new error object in `*error_out` (when not NULL).
pub(super) fn guard(
    error_out: *mut *mut mesos_http_error,
    body: impl FnOnce() -> Result<(), Failure>,
) -> mesos_http_result {
    if !error_out.is_null() {
        // SAFETY: the caller passes NULL or a writable pointer.
        unsafe { error_out.write(std::ptr::null_mut()) };
    }
    let failure = match catch_unwind(AssertUnwindSafe(body)) {
        Ok(Ok(())) => return mesos_http_result::Ok,
        Ok(Err(failure)) => failure,
        Err(payload) => Failure::new(mesos_http_result::Panic, panic_message(payload)),
    };
    let result = failure.result;
    if !error_out.is_null() {
        // Building the error object must not unwind either.
        if let Ok(error) = catch_unwind(AssertUnwindSafe(|| {
            Box::into_raw(Box::new(mesos_http_error::from_failure(failure)))
        })) {
            // SAFETY: as above.
            unsafe { error_out.write(error) };
        }
    }
    result
}

/// Runs an infallible entry point (accessors, `*_free`): a panic yields
/// `fallback` instead of unwinding into C.
pub(super) fn guard_value<T>(fallback: T, body: impl FnOnce() -> T) -> T {
    catch_unwind(AssertUnwindSafe(body)).unwrap_or(fallback)
}

fn panic_message(payload: Box<dyn Any + Send>) -> String {
    let detail = if let Some(text) = payload.downcast_ref::<&str>() {
        (*text).to_string()
    } else if let Some(text) = payload.downcast_ref::<String>() {
        text.clone()
    } else {
        "(no message)".to_string()
    };
    format!("internal error (a Rust panic was caught at the C boundary): {detail}")
}

/// A required NUL-terminated UTF-8 string argument.
pub(super) unsafe fn required_str<'a>(ptr: *const c_char, what: &str) -> Result<&'a str, Failure> {
    if ptr.is_null() {
        return Err(Failure::null(what));
    }
    // SAFETY: non-NULL, and the caller promises a NUL-terminated string.
    let bytes = unsafe { CStr::from_ptr(ptr) };
    bytes
        .to_str()
        .map_err(|e| Failure::invalid(format!("`{what}` is not valid UTF-8: {e}")))
}

/// An optional string argument: NULL means absent.
pub(super) unsafe fn optional_str<'a>(
    ptr: *const c_char,
    what: &str,
) -> Result<Option<&'a str>, Failure> {
    if ptr.is_null() {
        Ok(None)
    } else {
        unsafe { required_str(ptr, what) }.map(Some)
    }
}

/// A pointer/length pair; NULL is accepted only with length 0.
pub(super) unsafe fn byte_slice<'a>(
    ptr: *const u8,
    len: usize,
    what: &str,
) -> Result<&'a [u8], Failure> {
    if len == 0 {
        return Ok(&[]);
    }
    if ptr.is_null() {
        return Err(Failure::null(what));
    }
    if len > isize::MAX as usize {
        return Err(Failure::invalid(format!(
            "`{what}` length {len} is too large"
        )));
    }
    // SAFETY: non-NULL, length bounded, caller promises `len` readable bytes.
    Ok(unsafe { std::slice::from_raw_parts(ptr, len) })
}

/// An array of `count` pointers; NULL is accepted only with count 0.
pub(super) unsafe fn pointer_array<'a, T>(
    ptr: *const *const T,
    count: usize,
    what: &str,
) -> Result<&'a [*const T], Failure> {
    if count == 0 {
        return Ok(&[]);
    }
    if ptr.is_null() {
        return Err(Failure::null(what));
    }
    if count > isize::MAX as usize / std::mem::size_of::<*const T>() {
        return Err(Failure::invalid(format!(
            "`{what}` count {count} is too large"
        )));
    }
    // SAFETY: non-NULL, size bounded, caller promises `count` readable pointers.
    Ok(unsafe { std::slice::from_raw_parts(ptr, count) })
}

/// An array of `count` required strings.
pub(super) unsafe fn string_array(
    ptr: *const *const c_char,
    count: usize,
    what: &str,
) -> Result<Vec<String>, Failure> {
    let pointers = unsafe { pointer_array(ptr, count, what) }?;
    pointers
        .iter()
        .enumerate()
        .map(|(index, item)| {
            unsafe { required_str(*item, &format!("{what}[{index}]")) }.map(str::to_string)
        })
        .collect()
}

/// A handle argument that must not be NULL.
pub(super) unsafe fn handle<'a, T>(ptr: *const T, what: &str) -> Result<&'a T, Failure> {
    // SAFETY: the caller passes NULL or a live handle from this library.
    unsafe { ptr.as_ref() }.ok_or_else(|| Failure::null(what))
}

/// A mutable handle argument that must not be NULL.
pub(super) unsafe fn handle_mut<'a, T>(ptr: *mut T, what: &str) -> Result<&'a mut T, Failure> {
    // SAFETY: as above; the header says a config is used by one thread at a time.
    unsafe { ptr.as_mut() }.ok_or_else(|| Failure::null(what))
}

/// An out-parameter that must not be NULL; cleared before any work so a
/// failure never leaves a stale pointer behind.
pub(super) unsafe fn out_param<'a, T>(
    ptr: *mut *mut T,
    what: &str,
) -> Result<&'a mut *mut T, Failure> {
    // SAFETY: the caller passes NULL or a writable pointer.
    let slot = unsafe { ptr.as_mut() }.ok_or_else(|| Failure::null(what))?;
    *slot = std::ptr::null_mut();
    Ok(slot)
}

/// `*_close`: runs `close` on a non-NULL handle.
pub(super) fn close_handle<T>(
    ptr: *const T,
    what: &str,
    error_out: *mut *mut mesos_http_error,
    close: impl FnOnce(&T),
) -> mesos_http_result {
    guard(error_out, || {
        close(unsafe { handle(ptr, what) }?);
        Ok(())
    })
}

/// `*_free`: closes (with `close`) and frees a handle; NULL is ignored.
pub(super) fn free_handle<T>(ptr: *mut T, close: impl FnOnce(&T)) {
    guard_value((), || {
        if !ptr.is_null() {
            // SAFETY: the caller passes a live handle from this library, once.
            let this = unsafe { Box::from_raw(ptr) };
            close(&this);
            drop(this);
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_becomes_a_result_and_an_error_object() {
        let mut error: *mut mesos_http_error = std::ptr::null_mut();
        let result = guard(&mut error, || panic!("boom"));
        assert_eq!(result, mesos_http_result::Panic);
        assert!(!error.is_null());
        let message = unsafe { CStr::from_ptr(super::super::mesos_http_error_message(error)) };
        assert!(message.to_str().unwrap().contains("boom"), "{message:?}");
        unsafe { super::super::mesos_http_error_free(error) };
    }

    #[test]
    fn success_clears_a_stale_error_pointer() {
        let mut error: *mut mesos_http_error = std::ptr::NonNull::dangling().as_ptr();
        assert_eq!(guard(&mut error, || Ok(())), mesos_http_result::Ok);
        assert!(error.is_null());
    }

    #[test]
    fn null_with_a_length_is_refused_but_empty_is_fine() {
        assert!(unsafe { byte_slice(std::ptr::null(), 0, "b") }
            .unwrap()
            .is_empty());
        let err = unsafe { byte_slice(std::ptr::null(), 3, "b") }.unwrap_err();
        assert_eq!(err.result, mesos_http_result::NullArgument);
        let err = unsafe { pointer_array::<c_char>(std::ptr::null(), 2, "ids") }.unwrap_err();
        assert_eq!(err.result, mesos_http_result::NullArgument);
    }

    #[test]
    fn strings_must_be_utf8() {
        let bad = [0xffu8, 0xfe, 0];
        let err = unsafe { required_str(bad.as_ptr().cast(), "name") }.unwrap_err();
        assert_eq!(err.result, mesos_http_result::InvalidArgument);
        assert!(err.message.contains("name"));
    }
}
