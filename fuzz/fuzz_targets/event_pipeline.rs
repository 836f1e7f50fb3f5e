//! Fuzz target: see `mesos_http_fuzz::harness::event_pipeline`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = mesos_http_fuzz::harness::event_pipeline(data);
});
