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
//! wording where it has one; like the master it also accepts number literals
//! with leading zeros (`007`). One deliberate difference: a `uint64` above
//! `i64::MAX` keeps its exact value (the master reads it as a double and
//! ends up with 0 for `18446744073709551615`).
//!
//! Decoding runs on a scanner of its own (`reader`), built for this job:
//! one pass, no intermediate tree, keys recognised in place by a generated
//! match per message, strings copied once at their final size, numbers
//! parsed without going through text (decimal text is read exactly, i.e.
//! correctly rounded, also past 19 significant digits). Well-formedness
//! is judged as serde_json judges it (which this codec used before), with
//! nesting bounded inside decoded values ([`DecodeErrorKind::TooDeep`]) and
//! skipped values walked without recursion.

mod base64;
mod float;
#[doc(hidden)]
pub mod missing;
mod read;
mod reader;
mod scan;
mod write;

#[rustfmt::skip]
#[allow(clippy::all, clippy::pedantic, unused_mut, unused_variables, non_snake_case)]
mod generated;

use super::{DecodeError, DecodeErrorKind};
use missing::Missing;
pub use reader::{Fail, Reader};

/// Implemented by the generated code for every message of the model, so
/// [`encode`] and [`decode`] accept any of them.
pub trait JsonMessage: Sized + Default {
    /// Appends this message as one JSON object.
    #[doc(hidden)]
    fn write_json(&self, out: &mut Vec<u8>);

    /// Reads the members of one JSON object (its `{` already consumed) into
    /// `self`, a default message (decoding in place saves moving large
    /// messages around); absent required fields (here and below) are
    /// recorded in `missing`.
    #[doc(hidden)]
    fn read_json(
        &mut self,
        reader: &mut Reader<'_>,
        missing: &mut Option<Box<Missing>>,
    ) -> Result<(), Fail>;
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
/// Errors: [`DecodeErrorKind::Syntax`] for malformed JSON (the master
/// prefixes its own message with `Failed to parse body into JSON: `),
/// [`DecodeErrorKind::TooDeep`] past 127 nested arrays/objects inside known
/// fields (the value of an unknown key is skipped without recursion, so its
/// depth is not limited), [`DecodeErrorKind::Schema`] for well-formed JSON
/// that does not fit (`Expecting a JSON object`, `Not expecting a JSON
/// number for field 'type'`, `Failed to base64 decode bytes field 'uuid':
/// Invalid character '!'`, …) and [`DecodeErrorKind::MissingRequired`]
/// (`Missing required fields: acknowledge.uuid`). Like the master, which
/// parses the whole text before looking at the schema, a syntax error
/// anywhere wins over a schema error met earlier in the text.
pub fn decode<M: JsonMessage>(bytes: &[u8]) -> Result<M, DecodeError> {
    let mut reader = Reader::new(bytes);
    let mut missing = None;
    let mut message = M::default();
    if let Err(fail) = read_document(&mut reader, &mut message, &mut missing) {
        if fail.kind() == DecodeErrorKind::Schema {
            if let Err(syntax) = Reader::check_document(bytes) {
                return Err(syntax.into_error());
            }
        }
        return Err(fail.into_error());
    }
    match missing {
        Some(m) => Err(DecodeError::missing_required(&m.paths())),
        None => Ok(message),
    }
}

fn read_document<M: JsonMessage>(
    reader: &mut Reader<'_>,
    message: &mut M,
    missing: &mut Option<Box<Missing>>,
) -> Result<(), Fail> {
    if reader.peek()? != b'{' {
        return Err(Fail::schema("Expecting a JSON object".to_string()));
    }
    reader.begin_object()?;
    message.read_json(reader, missing)?;
    reader.end()
}
