//! Emits the protobuf codec (`src/codec/protobuf/generated.rs`).

use crate::schema::Schema;

/// The generated protobuf codec file.
pub fn emit(_schema: &Schema) -> Vec<(String, String)> {
    Vec::new()
}
