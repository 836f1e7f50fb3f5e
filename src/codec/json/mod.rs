//! JSON in the Mesos (stout) mapping, which is not proto3's JSON mapping.
//!
//! Encoding writes what the master writes, byte for byte: proto field names
//! as keys in declaration order, enums as value names, `bytes` as padded
//! standard base64, every integer as a JSON number (full `u64` range),
//! doubles as the master prints them (`15.0`, `1e21`, `"Infinity"`; see
//! below for NaN), unset fields omitted except non-deprecated optional
//! fields with a declared default, which are written with that default
//! (`"failover_timeout":0.0`, `"port":5050`), empty repeated fields and maps
//! omitted, maps as objects.
//!
//! Things the master cannot write and this encoder therefore leaves out:
//! * an enum number the schema does not declare (the model's enums are
//!   open): an optional field is treated as unset (so its declared default,
//!   if any, is written), a repeated field skips that entry, a required
//!   field is omitted;
//! * NaN, which the master prints as a bare `NaN` token (invalid JSON), is
//!   written as the string `"NaN"`, which [`decode`] reads back.
//!
//! The model can hold several members of one `oneof`; the encoder writes
//! every member that is set.
//!
//! Decoding accepts what the master accepts (see `de` for the details:
//! `null` = absent, numbers and booleans as strings, lenient base64, unknown
//! keys ignored, duplicate keys: the last one wins, a bare value for a
//! repeated field, unknown enum names dropped) and fails with the master's
//! wording where it has one. Two deliberate differences: a `uint64` above
//! `i64::MAX` keeps its exact value (the master reads it as a double and
//! ends up with 0 for `18446744073709551615`), and number literals with
//! leading zeros (`007`), which the master's parser takes but no master
//! writes, are a syntax error as in serde_json.
//!
//! This module is a thin layer over serde: the generated code implements
//! `serde::Serialize` and `serde::Deserialize` for every message and enum of
//! the model in this mapping, so `serde_json::to_vec(&event)` and
//! `serde_json::from_slice::<v1::TaskInfo>(..)` work directly; [`encode`]
//! and [`decode`] add the master's error kinds and wording (and, for
//! encoding, upper-case hex in `\u00XX` escapes, which serde_json writes in
//! lower case). Decoding visits keys and strings as serde_json hands them
//! over, borrowed from the input where they have no escapes, with no
//! `serde_json::Value` in between. Nesting is bounded by serde_json's
//! recursion limit (128 arrays/objects, [`DecodeErrorKind::TooDeep`]); the
//! value of an unknown key is skipped by serde_json without recursion.

mod base64;
mod de;
mod float;
mod missing;
mod ser;

#[rustfmt::skip]
#[allow(clippy::all, clippy::pedantic, unused_mut, unused_variables, non_snake_case)]
mod generated;

use super::{DecodeError, DecodeErrorKind};
use serde::de::{DeserializeSeed, IgnoredAny};
use serde_json::error::Category;

/// A message the JSON mapping can read and write: every message of the
/// model (which also implements `serde::Serialize` and
/// `serde::Deserialize`), so [`encode`] and [`decode`] accept any of them.
/// Sealed: the generated code implements its decoding methods, which are
/// private to this crate.
pub trait JsonMessage: de::JsonCodec {}

impl<T: de::JsonCodec> JsonMessage for T {}

/// Encodes `message` as one JSON document, as the master would write it.
pub fn encode<M: JsonMessage>(message: &M) -> Vec<u8> {
    let mut out = Vec::with_capacity(256);
    encode_into(message, &mut out);
    out
}

/// Appends `message` as one JSON document to `out`, so a caller can reuse
/// one buffer for many messages (or write a RecordIO header first).
pub fn encode_into<M: JsonMessage>(message: &M, out: &mut Vec<u8>) {
    let mut serializer = serde_json::Serializer::with_formatter(out, ser::MasterFormatter);
    // Cannot fail: a `Vec` takes every write, map keys are strings and the
    // doubles' raw text is valid JSON.
    let _infallible = message.serialize(&mut serializer);
}

/// Decodes one JSON document (whitespace around it is fine, anything else
/// after it is not). The top level must be an object.
///
/// Errors: [`DecodeErrorKind::Syntax`] for malformed JSON in serde_json's
/// words (the master prefixes its own message with `Failed to parse body
/// into JSON: `), [`DecodeErrorKind::TooDeep`] past serde_json's recursion
/// limit of 128 nested arrays/objects inside known fields (the value of an
/// unknown key is skipped without recursion, so its depth is not limited),
/// [`DecodeErrorKind::Schema`] for well-formed JSON that does not fit
/// (`Expecting a JSON object`, `Not expecting a JSON number for field
/// 'type'`, `Failed to base64 decode bytes field 'uuid': Invalid character
/// '!'`, …) and [`DecodeErrorKind::MissingRequired`] (`Missing required
/// fields: acknowledge.uuid`). Like the master, which parses the whole text
/// before looking at the schema, a syntax error anywhere wins over a schema
/// error met earlier in the text.
pub fn decode<M: JsonMessage>(bytes: &[u8]) -> Result<M, DecodeError> {
    // The whole text is checked for UTF-8 once, so serde_json need not
    // check each string again (its `from_slice` does, string by string).
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => return Err(not_utf8(&e, bytes)),
    };
    let mut message = M::default();
    let mut missing = None;
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let read = de::Top {
        target: &mut message,
        missing: &mut missing,
    }
    .deserialize(&mut deserializer)
    .and_then(|()| deserializer.end());
    if let Err(e) = read {
        return Err(classify(&e, bytes));
    }
    match missing {
        Some(m) => Err(DecodeError::missing_required(&m.paths())),
        None => Ok(message),
    }
}

/// The kind and detail of a serde_json error. A schema error stands only
/// when the whole text is well-formed.
#[cold]
fn classify(e: &serde_json::Error, bytes: &[u8]) -> DecodeError {
    if e.classify() == Category::Data {
        if let Err(syntax) = serde_json::from_slice::<IgnoredAny>(bytes) {
            if syntax.classify() != Category::Data {
                return not_json(&syntax);
            }
        }
        let text = e.to_string();
        let position = format!(" at line {} column {}", e.line(), e.column());
        let detail = text.strip_suffix(&position).unwrap_or(&text);
        return DecodeError::new(DecodeErrorKind::Schema, detail);
    }
    not_json(e)
}

/// Invalid UTF-8 is a syntax error, as serde_json reports it inside a
/// string; elsewhere serde_json's own complaint (an unexpected byte) comes
/// first.
#[cold]
fn not_utf8(e: &std::str::Utf8Error, bytes: &[u8]) -> DecodeError {
    match serde_json::from_slice::<IgnoredAny>(bytes) {
        Err(syntax) if syntax.classify() != Category::Data => not_json(&syntax),
        _ => DecodeError::new(
            DecodeErrorKind::Syntax,
            format!("invalid UTF-8 at byte {}", e.valid_up_to()),
        ),
    }
}

fn not_json(e: &serde_json::Error) -> DecodeError {
    let text = e.to_string();
    let kind = if text.starts_with("recursion limit exceeded") {
        DecodeErrorKind::TooDeep
    } else {
        DecodeErrorKind::Syntax
    };
    DecodeError::new(kind, text)
}
