//! The configuration handle: plain settings collected by setters, turned into
//! a [`SchedulerBuilder`] at connect time (so one config can connect several
//! schedulers and stays owned by the caller).

use std::ffi::c_char;
use std::time::Duration;

use super::error::{mesos_http_error, mesos_http_result};
use super::guard::{
    byte_slice, guard, guard_value, handle_mut, optional_str, required_str, Failure,
};
use mesos_http::codec::Encoding;
use mesos_http::connection::Masters;
use mesos_http::v1;
use mesos_http::Scheduler;
use mesos_http::SchedulerBuilder;

/// The encodings a config accepts (`mesos_http_config_set_encoding`,
/// `mesos_http_config_set_framework_info`). Passed as `uint32_t` so that an
/// out-of-range value is an error, not undefined behaviour.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum mesos_http_encoding {
    /// `application/json` (the Mesos JSON mapping).
    Json = 0,
    /// `application/x-protobuf` (the default: smaller and faster).
    Protobuf = 1,
}

pub(super) fn encoding_from_u32(value: u32) -> Result<Encoding, Failure> {
    match value {
        v if v == mesos_http_encoding::Json as u32 => Ok(Encoding::Json),
        v if v == mesos_http_encoding::Protobuf as u32 => Ok(Encoding::Protobuf),
        other => Err(Failure::invalid(format!(
            "encoding {other} is neither MESOS_HTTP_ENCODING_JSON nor MESOS_HTTP_ENCODING_PROTOBUF"
        ))),
    }
}

/// Settings for `mesos_http_scheduler_connect`. Create with
/// `mesos_http_config_new`, free with `mesos_http_config_free`. Not
/// synchronized: use one config from one thread at a time.
#[derive(Debug, Default)]
pub struct mesos_http_config {
    masters: Option<String>,
    framework: Option<v1::FrameworkInfo>,
    encoding: Option<Encoding>,
    credentials: Option<(String, String)>,
    ca_pem: Vec<Vec<u8>>,
    connect_timeout: Option<Duration>,
    call_timeout: Option<Duration>,
    backoff: Option<(Duration, Duration)>,
    max_record_size: Option<usize>,
    event_capacity: Option<usize>,
    failover_timeout: Option<f64>,
}

impl mesos_http_config {
    /// The FrameworkInfo to subscribe with (the failover timeout applied).
    pub(super) fn framework_info(&self) -> Result<v1::FrameworkInfo, Failure> {
        let mut framework = self.framework.clone().ok_or_else(|| {
            Failure::new(
                mesos_http_result::Config,
                "no framework set (mesos_http_config_set_framework or _set_framework_info)",
            )
        })?;
        if let Some(seconds) = self.failover_timeout {
            framework.failover_timeout = Some(seconds);
        }
        Ok(framework)
    }

    /// The builder these settings describe.
    pub(super) fn builder(&self) -> Result<(SchedulerBuilder, Encoding), Failure> {
        let masters = self.masters.as_deref().ok_or_else(|| {
            Failure::new(
                mesos_http_result::Config,
                "no masters set (mesos_http_config_set_masters)",
            )
        })?;
        let framework = self.framework_info()?;
        let encoding = self.encoding.unwrap_or_default();
        let mut builder = Scheduler::builder(masters)
            .framework(framework)
            .encoding(encoding);
        if let Some((principal, secret)) = &self.credentials {
            builder = builder.credentials(principal.as_str(), secret);
        }
        for pem in &self.ca_pem {
            builder = builder.ca_pem(pem);
        }
        if let Some(timeout) = self.connect_timeout {
            builder = builder.connect_timeout(timeout);
        }
        if let Some(timeout) = self.call_timeout {
            builder = builder.call_timeout(timeout);
        }
        if let Some((initial, max)) = self.backoff {
            builder = builder.backoff(initial, max);
        }
        if let Some(bytes) = self.max_record_size {
            builder = builder.max_record_size(bytes);
        }
        if let Some(capacity) = self.event_capacity {
            builder = builder.event_capacity(capacity);
        }
        Ok((builder, encoding))
    }
}

/// A new, empty config (masters and framework must be set before connecting).
/// Returns NULL only if the library failed internally. Any thread.
#[no_mangle]
pub extern "C" fn mesos_http_config_new() -> *mut mesos_http_config {
    guard_value(std::ptr::null_mut(), || {
        Box::into_raw(Box::<mesos_http_config>::default())
    })
}

/// Frees a config. NULL is allowed and ignored. Schedulers connected with it
/// are not affected.
#[no_mangle]
pub unsafe extern "C" fn mesos_http_config_free(config: *mut mesos_http_config) {
    guard_value((), || {
        if !config.is_null() {
            drop(unsafe { Box::from_raw(config) });
        }
    })
}

/// The masters: `"http://host:5050"`, `"https://host:5050"` or a
/// comma-separated list `"h1:5050,h2:5050"` tried in turn (redirects find
/// the leader). Checked now: a bad address fails with
/// `MESOS_HTTP_RESULT_CONFIG`.
#[no_mangle]
pub unsafe extern "C" fn mesos_http_config_set_masters(
    config: *mut mesos_http_config,
    masters: *const c_char,
    error_out: *mut *mut mesos_http_error,
) -> mesos_http_result {
    guard(error_out, || {
        let config = unsafe { handle_mut(config, "config") }?;
        let masters = unsafe { required_str(masters, "masters") }?;
        Masters::parse(masters)
            .map_err(|e| Failure::new(mesos_http_result::Config, e.to_string()))?;
        config.masters = Some(masters.to_string());
        Ok(())
    })
}

/// The framework from its two required fields, for programs that do not
/// build a FrameworkInfo message themselves. Replaces any earlier framework.
#[no_mangle]
pub unsafe extern "C" fn mesos_http_config_set_framework(
    config: *mut mesos_http_config,
    user: *const c_char,
    name: *const c_char,
    error_out: *mut *mut mesos_http_error,
) -> mesos_http_result {
    guard(error_out, || {
        let config = unsafe { handle_mut(config, "config") }?;
        let user = unsafe { required_str(user, "user") }?;
        let name = unsafe { required_str(name, "name") }?;
        if user.is_empty() || name.is_empty() {
            return Err(Failure::invalid("`user` and `name` must not be empty"));
        }
        config.framework = Some(v1::FrameworkInfo {
            user: user.to_string(),
            name: name.to_string(),
            ..Default::default()
        });
        Ok(())
    })
}

/// The framework as an encoded `mesos.v1.FrameworkInfo` (`encoding` is a
/// `mesos_http_encoding`), for every field the plain setter lacks: id for
/// failover, `failover_timeout`, roles, capabilities. Replaces any earlier
/// framework. Bytes that do not decode fail with
/// `MESOS_HTTP_RESULT_INVALID_ARGUMENT`.
#[no_mangle]
pub unsafe extern "C" fn mesos_http_config_set_framework_info(
    config: *mut mesos_http_config,
    encoding: u32,
    bytes: *const u8,
    len: usize,
    error_out: *mut *mut mesos_http_error,
) -> mesos_http_result {
    guard(error_out, || {
        let config = unsafe { handle_mut(config, "config") }?;
        let encoding = encoding_from_u32(encoding)?;
        let bytes = unsafe { byte_slice(bytes, len, "bytes") }?;
        let info: v1::FrameworkInfo = encoding
            .decode(bytes)
            .map_err(|e| Failure::invalid(format!("FrameworkInfo does not decode: {e}")))?;
        config.framework = Some(info);
        Ok(())
    })
}

/// The encoding of calls and events (a `mesos_http_encoding`; default
/// protobuf). Event bytes from `mesos_http_event_bytes` and the bytes taken
/// by `mesos_http_scheduler_call` and `_accept_launch` use it.
#[no_mangle]
pub unsafe extern "C" fn mesos_http_config_set_encoding(
    config: *mut mesos_http_config,
    encoding: u32,
    error_out: *mut *mut mesos_http_error,
) -> mesos_http_result {
    guard(error_out, || {
        let config = unsafe { handle_mut(config, "config") }?;
        config.encoding = Some(encoding_from_u32(encoding)?);
        Ok(())
    })
}

/// HTTP Basic credentials, sent to the configured masters' hosts only.
#[no_mangle]
pub unsafe extern "C" fn mesos_http_config_set_credentials(
    config: *mut mesos_http_config,
    principal: *const c_char,
    secret: *const c_char,
    error_out: *mut *mut mesos_http_error,
) -> mesos_http_result {
    guard(error_out, || {
        let config = unsafe { handle_mut(config, "config") }?;
        let principal = unsafe { required_str(principal, "principal") }?;
        let secret = unsafe { optional_str(secret, "secret") }?.unwrap_or("");
        config.credentials = Some((principal.to_string(), secret.to_string()));
        Ok(())
    })
}

/// Trusts the CA certificates in this PEM file for HTTPS instead of the
/// built-in roots. May be called several times. The file is read now: an
/// unreadable one fails with `MESOS_HTTP_RESULT_CONFIG`; bad PEM content
/// fails at connect.
#[no_mangle]
pub unsafe extern "C" fn mesos_http_config_add_ca_file(
    config: *mut mesos_http_config,
    path: *const c_char,
    error_out: *mut *mut mesos_http_error,
) -> mesos_http_result {
    guard(error_out, || {
        let config = unsafe { handle_mut(config, "config") }?;
        let path = unsafe { required_str(path, "path") }?;
        let pem = std::fs::read(path).map_err(|e| {
            Failure::new(
                mesos_http_result::Config,
                format!("cannot read CA file {path}: {e}"),
            )
        })?;
        config.ca_pem.push(pem);
        Ok(())
    })
}

/// Timeouts in milliseconds: TCP/TLS connect (default 10 000) and the budget
/// of one call, redirects included (default 75 000). 0 keeps the default.
#[no_mangle]
pub unsafe extern "C" fn mesos_http_config_set_timeouts(
    config: *mut mesos_http_config,
    connect_timeout_ms: u64,
    call_timeout_ms: u64,
    error_out: *mut *mut mesos_http_error,
) -> mesos_http_result {
    guard(error_out, || {
        let config = unsafe { handle_mut(config, "config") }?;
        if connect_timeout_ms > 0 {
            config.connect_timeout = Some(Duration::from_millis(connect_timeout_ms));
        }
        if call_timeout_ms > 0 {
            config.call_timeout = Some(Duration::from_millis(call_timeout_ms));
        }
        Ok(())
    })
}

/// Delay between subscription attempts, in milliseconds: starts at
/// `initial_ms` and doubles up to `max_ms` (default 500 to 15 000).
#[no_mangle]
pub unsafe extern "C" fn mesos_http_config_set_backoff(
    config: *mut mesos_http_config,
    initial_ms: u64,
    max_ms: u64,
    error_out: *mut *mut mesos_http_error,
) -> mesos_http_result {
    guard(error_out, || {
        let config = unsafe { handle_mut(config, "config") }?;
        if max_ms < initial_ms {
            return Err(Failure::invalid("`max_ms` is smaller than `initial_ms`"));
        }
        config.backoff = Some((
            Duration::from_millis(initial_ms),
            Duration::from_millis(max_ms),
        ));
        Ok(())
    })
}

/// Largest event record accepted, in bytes (default 64 MiB); a larger one
/// drops the stream before any memory is set aside for it. Must be > 0.
#[no_mangle]
pub unsafe extern "C" fn mesos_http_config_set_max_record_size(
    config: *mut mesos_http_config,
    bytes: usize,
    error_out: *mut *mut mesos_http_error,
) -> mesos_http_result {
    guard(error_out, || {
        let config = unsafe { handle_mut(config, "config") }?;
        if bytes == 0 {
            return Err(Failure::invalid("`bytes` must be greater than 0"));
        }
        config.max_record_size = Some(bytes);
        Ok(())
    })
}

/// Capacity of the event channel (default 1024). When it is full the reader
/// waits and TCP pushes back on the master: nothing is dropped. Must be > 0.
#[no_mangle]
pub unsafe extern "C" fn mesos_http_config_set_event_capacity(
    config: *mut mesos_http_config,
    capacity: usize,
    error_out: *mut *mut mesos_http_error,
) -> mesos_http_result {
    guard(error_out, || {
        let config = unsafe { handle_mut(config, "config") }?;
        if capacity == 0 {
            return Err(Failure::invalid("`capacity` must be greater than 0"));
        }
        config.event_capacity = Some(capacity);
        Ok(())
    })
}

/// How long the master keeps the framework (and its tasks) after the
/// scheduler disconnects, in seconds; overrides the FrameworkInfo's value.
/// Required by `mesos_http_framework_connect` with a state directory: with
/// the default of 0 the master removes the framework on the first
/// disconnection. Must be finite and >= 0.
#[no_mangle]
pub unsafe extern "C" fn mesos_http_config_set_failover_timeout(
    config: *mut mesos_http_config,
    seconds: f64,
    error_out: *mut *mut mesos_http_error,
) -> mesos_http_result {
    guard(error_out, || {
        let config = unsafe { handle_mut(config, "config") }?;
        if !(seconds.is_finite() && seconds >= 0.0) {
            return Err(Failure::invalid(format!(
                "`seconds` must be finite and >= 0, got {seconds}"
            )));
        }
        config.failover_timeout = Some(seconds);
        Ok(())
    })
}
