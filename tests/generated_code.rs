//! The generated model and codecs are checked in; this regenerates them in
//! memory from `pb/` and fails when a checked-in file differs, so the schema and
//! the code can never drift apart. Fix with `cargo run -p mesos-http-codegen`.

use std::path::Path;

#[test]
fn checked_in_generated_code_matches_pb() {
    let files = mesos_http_codegen::generate(Path::new("pb")).expect("pb/ parses");
    assert!(files.len() >= 3, "the generator writes at least the three model files");
    let mut stale = Vec::new();
    for (path, text) in &files {
        match std::fs::read_to_string(path) {
            Ok(on_disk) if &on_disk == text => {}
            Ok(_) => stale.push(format!("{path} differs")),
            Err(e) => stale.push(format!("{path}: {e}")),
        }
    }
    assert!(
        stale.is_empty(),
        "generated code is stale; run `cargo run -p mesos-http-codegen`:\n{}",
        stale.join("\n")
    );
}
