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
//! Decoding accepts what the master accepts (see `read` for the details:
//! `null` = absent, numbers and booleans as strings, lenient base64, unknown
//! keys ignored, duplicate keys: the last one wins, a bare value for a
//! repeated field, unknown enum names dropped) and fails with the master's
//! wording where it has one. Two deliberate differences: a `uint64` above
//! `i64::MAX` keeps its exact value (the master reads it as a double and
//! ends up with 0 for `18446744073709551615`), and number literals with
//! leading zeros (`007`) are a syntax error here (only inside strings are
//! they accepted).

mod base64;
mod float;
#[doc(hidden)]
pub mod missing;
mod read;
mod write;

#[rustfmt::skip]
#[allow(clippy::all, clippy::pedantic, unused_mut, unused_variables, non_snake_case)]
mod generated;

use super::{DecodeError, DecodeErrorKind};
use missing::Missing;
use serde::de::{self, Deserializer as _, MapAccess, Visitor};
use std::fmt;
use std::marker::PhantomData;

/// Implemented by the generated code for every message of the model, so
/// [`encode`] and [`decode`] accept any of them.
pub trait JsonMessage: Sized + Default {
    /// Appends this message as one JSON object.
    #[doc(hidden)]
    fn write_json(&self, out: &mut Vec<u8>);

    /// Reads the members of one JSON object into `self`, a default message
    /// (decoding in place saves moving large messages around); absent
    /// required fields (here and below) are recorded in `missing`.
    #[doc(hidden)]
    fn read_json<'de, A: MapAccess<'de>>(
        &mut self,
        map: A,
        missing: &mut Option<Box<Missing>>,
    ) -> Result<(), A::Error>;
}

/// Encodes `message` as one JSON document, as the master would write it.
pub fn encode<M: JsonMessage>(message: &M) -> Vec<u8> {
    let mut out = Vec::with_capacity(256);
    message.write_json(&mut out);
    out
}

/// Appends `message` as one JSON document to `out`, so a caller can reuse
/// one buffer for many messages (or write a RecordIO header first).
pub fn encode_into<M: JsonMessage>(message: &M, out: &mut Vec<u8>) {
    message.write_json(out);
}

/// Decodes one JSON document (whitespace around it is fine, anything else
/// after it is not). The top level must be an object.
///
/// Errors: [`DecodeErrorKind::Syntax`] for malformed JSON (serde_json's
/// message; the master prefixes its own with `Failed to parse body into
/// JSON: `), [`DecodeErrorKind::TooDeep`] past serde_json's nesting limit
/// (128 nested arrays/objects inside known fields; the value of an unknown
/// key is skipped without recursion, so its depth is not limited),
/// [`DecodeErrorKind::Schema`] for well-formed JSON that does not fit
/// (`Expecting a JSON object`, `Not expecting a JSON number for field 'type'`,
/// `Failed to base64 decode bytes field 'uuid': Invalid character '!'`, …)
/// and [`DecodeErrorKind::MissingRequired`]
/// (`Missing required fields: acknowledge.uuid`).
pub fn decode<M: JsonMessage>(bytes: &[u8]) -> Result<M, DecodeError> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let mut missing = None;
    let decoded = de.deserialize_any(TopLevel::<M> {
        missing: &mut missing,
        kind: PhantomData,
    });
    let message = match decoded {
        Ok(m) => m,
        Err(e) => return Err(convert_error(&e, bytes)),
    };
    if let Err(e) = de.end() {
        return Err(convert_error(&e, bytes));
    }
    match missing {
        Some(m) => Err(DecodeError::missing_required(&m.paths())),
        None => Ok(message),
    }
}

struct TopLevel<'a, M> {
    missing: &'a mut Option<Box<Missing>>,
    kind: PhantomData<M>,
}

const NOT_AN_OBJECT: &str = "Expecting a JSON object";

impl<'de, M: JsonMessage> Visitor<'de> for TopLevel<'_, M> {
    type Value = M;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<M, A::Error> {
        let mut message = M::default();
        message.read_json(map, self.missing)?;
        Ok(message)
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<M, E> {
        Err(E::custom(NOT_AN_OBJECT))
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<M, E> {
        Err(E::custom(NOT_AN_OBJECT))
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<M, E> {
        Err(E::custom(NOT_AN_OBJECT))
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<M, E> {
        Err(E::custom(NOT_AN_OBJECT))
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<M, E> {
        Err(E::custom(NOT_AN_OBJECT))
    }
    fn visit_unit<E: de::Error>(self) -> Result<M, E> {
        Err(E::custom(NOT_AN_OBJECT))
    }
    fn visit_seq<A: de::SeqAccess<'de>>(self, _: A) -> Result<M, A::Error> {
        Err(de::Error::custom(NOT_AN_OBJECT))
    }
}

/// Maps a serde_json error to the master's classification. Like the master,
/// which parses the whole document before looking at the schema, a syntax
/// error anywhere wins over a schema error met earlier in the text.
fn convert_error(e: &serde_json::Error, bytes: &[u8]) -> DecodeError {
    use serde_json::error::Category;
    match e.classify() {
        Category::Data => {
            if let Err(syntax) = serde_json::from_slice::<de::IgnoredAny>(bytes) {
                if !matches!(syntax.classify(), Category::Data) {
                    return convert_error(&syntax, bytes);
                }
            }
            DecodeError::new(DecodeErrorKind::Schema, without_position(e))
        }
        Category::Syntax | Category::Eof | Category::Io => {
            let text = e.to_string();
            let kind = if text.starts_with("recursion limit exceeded") {
                DecodeErrorKind::TooDeep
            } else {
                DecodeErrorKind::Syntax
            };
            DecodeError::new(kind, text)
        }
    }
}

/// serde_json appends ` at line L column C` to messages raised by visitors.
fn without_position(e: &serde_json::Error) -> String {
    let text = e.to_string();
    let suffix = format!(" at line {} column {}", e.line(), e.column());
    match text.strip_suffix(&suffix) {
        Some(s) => s.to_string(),
        None => text,
    }
}
