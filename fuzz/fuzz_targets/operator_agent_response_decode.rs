//! Fuzz target: see `mesos_http_fuzz::harness::operator_agent_response_decode`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = mesos_http_fuzz::harness::operator_agent_response_decode(data);
});
