//! Binary proto2, as the master reads and writes it (`application/x-protobuf`).
//!
//! The per-message code is generated from `pb/` by `pb/codegen` into
//! `generated.rs`; the private `runtime` holds the primitives it uses. Decoding is
//! strict about structure and lenient about content, like protobuf C++:
//!
//! - every length is checked against the bytes of its enclosing message before
//!   anything is sliced or allocated, so truncated or hostile input is a
//!   [`DecodeErrorKind::Malformed`] error, never a panic;
//! - messages nest at most 100 levels below the top one
//!   ([`DecodeErrorKind::TooDeep`]), which also bounds the decoder's recursion;
//! - unknown fields of every wire type (groups included) are skipped; a known
//!   field with a wire type its type cannot have is a [`DecodeErrorKind::Schema`] error;
//! - unknown enum numbers are kept (the model's enums are open);
//! - repeated scalars are accepted packed or unpacked, and written unpacked;
//! - a singular message field that appears twice is merged, a scalar's last
//!   value wins, and a `oneof` member clears its siblings;
//! - missing `required` fields are reported together, as dotted paths from the
//!   top message (`subscribe.framework_info.user`, `offers[0].id.value`). Each
//!   occurrence of a sub-message is checked on its own, so a required field is
//!   reported missing if an occurrence lacks it even when a later occurrence of
//!   the same (merged) field supplies it.
//!
//! Encoding writes fields in field-number order (as protobuf C++ does),
//! required fields always, optional ones when set. Sub-message sizes are
//! computed once, in a first pass, so the cost is linear in the output size.

use super::{DecodeError, DecodeErrorKind};

#[rustfmt::skip]
#[allow(clippy::all, clippy::pedantic, unused_mut, unused_variables, non_snake_case)]
mod generated;
mod runtime;

use runtime::{DecodeContext, Fault, Reader};

/// A message the binary codec can read and write: every message of
/// [`crate::v1`]; use [`encode`] and [`decode`]. Sealed: the generated code
/// implements its codec methods, which are private to this crate.
pub trait ProtobufMessage: runtime::ProtobufCodec {}

impl<T: runtime::ProtobufCodec> ProtobufMessage for T {}

/// Encodes `message` as one protobuf message (no length prefix).
pub fn encode<M: ProtobufMessage>(message: &M) -> Vec<u8> {
    let mut out = Vec::new();
    encode_into(message, &mut out);
    out
}

/// Appends the encoding of `message` to `out`, so a caller can reuse a buffer
/// or put a frame header (such as a RecordIO length) in front of it.
pub fn encode_into<M: ProtobufMessage>(message: &M, out: &mut Vec<u8>) {
    let mut sizes = Vec::new();
    let total = message.measure(&mut sizes);
    out.reserve(total);
    message.write_to(out, &sizes, &mut 0);
}

/// Decodes one protobuf message (no length prefix) that fills all of `bytes`.
pub fn decode<M: ProtobufMessage>(bytes: &[u8]) -> Result<M, DecodeError> {
    let mut message = M::default();
    let mut ctx = DecodeContext::default();
    if let Err(fault) = message.merge_from(&mut Reader::new(bytes), &mut ctx) {
        return Err(describe(fault, M::PROTO_NAME, &ctx));
    }
    let missing = ctx.take_missing();
    if missing.is_empty() {
        Ok(message)
    } else {
        Err(DecodeError::missing_required(&missing))
    }
}

fn describe(fault: Fault, message: &str, ctx: &DecodeContext) -> DecodeError {
    let path = ctx.fault_path();
    let place = if path.is_empty() {
        message.to_string()
    } else {
        format!("{message} at `{path}`")
    };
    match fault {
        Fault::Malformed(what) => DecodeError::new(
            DecodeErrorKind::Malformed,
            format!("Malformed protobuf in {place}: {}", what.as_str()),
        ),
        Fault::WireType => {
            let (field, wire) = ctx.wire_mismatch().unwrap_or(("?", 0));
            DecodeError::new(
                DecodeErrorKind::Schema,
                format!("Protobuf field `{field}` in {place} has wire type {wire}, which its declared type cannot have"),
            )
        }
        Fault::TooDeep => DecodeError::new(
            DecodeErrorKind::TooDeep,
            format!(
                "Protobuf messages in {message} nest deeper than {} levels",
                runtime::MAX_DEPTH
            ),
        ),
    }
}
