//! The checked-in C header must be exactly what cbindgen generates from
//! `ffi/src/` today; `MESOS_HTTP_BLESS=1` rewrites it instead of failing.

use std::path::Path;

fn generated_header(root: &Path) -> String {
    let config =
        cbindgen::Config::from_file(root.join("cbindgen.toml")).expect("cbindgen.toml parses");
    let bindings = cbindgen::Builder::new()
        .with_config(config)
        .with_src(root.join("src/lib.rs"))
        .generate()
        .expect("cbindgen understands the crate");
    let mut out = Vec::new();
    bindings.write(&mut out);
    String::from_utf8(out).expect("cbindgen writes UTF-8")
}

#[test]
fn checked_in_header_is_up_to_date() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let path = root.join("include/mesos_http.h");
    let fresh = generated_header(root);
    if std::env::var_os("MESOS_HTTP_BLESS").is_some_and(|v| v == "1") {
        std::fs::write(&path, &fresh).expect("header is writable");
        return;
    }
    let checked_in = std::fs::read_to_string(&path).unwrap_or_default();
    if checked_in != fresh {
        let first_difference = checked_in
            .lines()
            .zip(fresh.lines())
            .position(|(a, b)| a != b)
            .unwrap_or_else(|| checked_in.lines().count().min(fresh.lines().count()))
            + 1;
        panic!(
            "ffi/include/mesos_http.h is stale (first difference at line {first_difference}); \
             regenerate it with: MESOS_HTTP_BLESS=1 cargo test -p mesos-http-ffi --test ffi_header"
        );
    }
}

#[test]
fn header_declares_every_entry_point_and_the_thread_rules() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let header = generated_header(root);
    for needle in [
        "mesos_http_result mesos_http_scheduler_connect(",
        "mesos_http_result mesos_http_scheduler_next_event(",
        "mesos_http_result mesos_http_scheduler_acknowledge(",
        "void mesos_http_scheduler_free(",
        "void mesos_http_event_free(",
        "void mesos_http_error_free(",
        "void mesos_http_config_free(",
        "MESOS_HTTP_RESULT_PANIC",
        "MESOS_HTTP_EVENT_KIND_UPDATE = 4",
        "MESOS_HTTP_TASK_STATE_FINISHED = 2",
        "MESOS_HTTP_ENCODING_PROTOBUF",
        "typedef struct mesos_http_scheduler mesos_http_scheduler;",
        "Threads:",
    ] {
        assert!(header.contains(needle), "header lacks {needle:?}");
    }
}
