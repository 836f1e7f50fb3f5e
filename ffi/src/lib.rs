//! The C ABI of mesos-http: a thin layer over [`mesos_http::Scheduler`] (and,
//! for custom executors, [`mesos_http::executor::Executor`]) for programs
//! written in C or bound through a C FFI (Python `ctypes`, ...).
//!
//! This is its own crate (`mesos-http-ffi`, built as `libmesos_http_ffi.a`
//! and `libmesos_http_ffi.so`) so that Rust users of `mesos-http` never
//! build a C library. The header `include/mesos_http.h` is generated from
//! this crate by cbindgen (configuration in `cbindgen.toml`) and checked in;
//! the `ffi_header` test fails when it is stale and rewrites it when
//! `MESOS_HTTP_BLESS=1`.
//!
//! The contract every entry point follows, repeated in the header:
//! - Handles are opaque and owned by the caller until passed to their
//!   `*_free` function; every `*_free` accepts NULL.
//! - Every pointer argument is checked for NULL and every string for UTF-8;
//!   a pointer with a length may be NULL only when the length is 0.
//! - A fallible function returns a [`mesos_http_result`] and, when its last
//!   argument `error_out` is not NULL, stores a new [`mesos_http_error`]
//!   there on failure (NULL on success). Nothing is kept in global state, so
//!   threads never see each other's errors.
//! - No panic ever crosses the boundary: each entry point catches it and
//!   reports `MESOS_HTTP_RESULT_PANIC`.
//!
//! Safety, for every `unsafe extern "C"` function here: pointers must be NULL
//! or point to valid objects of the declared type (handles obtained from this
//! library and not yet freed; `len` readable bytes for a pointer/length
//! pair; NUL-terminated strings).
#![warn(missing_docs)]
#![allow(non_camel_case_types)]
#![allow(clippy::missing_safety_doc)]

mod calls;
mod config;
mod error;
mod event;
mod event_fields;
mod executor;
mod executor_event;
mod framework;
mod framework_event;
mod guard;
mod scheduler;
mod wait;

pub use calls::*;
pub use config::*;
pub use error::*;
pub use event::*;
pub use event_fields::{mesos_http_connection_state, mesos_http_event_kind};
pub use executor::*;
pub use executor_event::*;
pub use framework::*;
pub use scheduler::*;

#[cfg(test)]
mod tests;
