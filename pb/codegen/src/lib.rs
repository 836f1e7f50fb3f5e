//! Code generator for mesos-http: reads the project's `pb/*.proto` files and
//! writes the typed model (`src/v1/`) and both codecs (`src/codec/*/generated.rs`).
//!
//! The generated code is checked in; `tests/generated_code.rs` in the main crate
//! regenerates it in memory and fails when the checked-in copy is stale.

pub mod emit_json;
pub mod emit_protobuf;
pub mod emit_types;
pub mod names;
pub mod parse;
pub mod schema;

use std::path::Path;

/// The schema files, relative to `pb/`, in dependency order.
pub const PROTO_FILES: &[&str] = &[
    "mesos/v1/mesos.proto",
    "mesos/v1/scheduler/scheduler.proto",
    "mesos/v1/executor/executor.proto",
    "google/protobuf/duration.proto",
    "mesos/v1/allocator/allocator.proto",
    "mesos/v1/maintenance/maintenance.proto",
    "mesos/v1/quota/quota.proto",
    "mesos/v1/master/master.proto",
    "mesos/v1/agent/agent.proto",
];

/// Parses the schema under `pb_dir`.
pub fn load(pb_dir: &Path) -> Result<schema::Schema, String> {
    parse::parse_files(pb_dir, PROTO_FILES)
}

/// Every generated file as (path relative to the repository root, contents).
pub fn generate(pb_dir: &Path) -> Result<Vec<(String, String)>, String> {
    let schema = load(pb_dir)?;
    let mut files = emit_types::emit(&schema);
    files.extend(emit_protobuf::emit(&schema));
    files.extend(emit_json::emit(&schema));
    Ok(files)
}
