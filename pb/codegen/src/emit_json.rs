//! Emits the JSON codec (`src/codec/json/generated.rs`).

use crate::schema::Schema;

/// The generated JSON codec file.
pub fn emit(_schema: &Schema) -> Vec<(String, String)> {
    Vec::new()
}
