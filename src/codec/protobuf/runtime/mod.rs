//! The support code the generated codec calls, and the codec methods the
//! generated code implements ([`ProtobufCodec`]). Private to the crate.

mod context;
mod reader;
mod writer;

pub use context::{DecodeContext, MAX_DEPTH};
// The whole toolbox the generator can emit calls to, including what the
// current schema happens not to need (wire types of unused field kinds,
// zigzag for sint32/sint64): regenerating from a changed `pb/` must not
// need this file edited.
#[allow(unused_imports)]
pub use reader::{
    fill_bytes, fill_string, Reader, END_GROUP, FIXED32, FIXED64, LEN, START_GROUP, VARINT,
};
#[allow(unused_imports)]
pub use writer::{
    put_int32, put_len_delimited, put_varint, size_int32, sizeof_len, sizeof_varint, unzigzag32,
    unzigzag64, zigzag32, zigzag64,
};

use super::ProtobufMessage;

/// What the generated code implements for every message of [`crate::v1`];
/// [`ProtobufMessage`] is implemented for exactly these (it is sealed: this
/// trait cannot be named outside the crate).
pub trait ProtobufCodec: Default {
    /// Full proto name, for error messages.
    const PROTO_NAME: &'static str;

    /// Merges the fields in `r` into `self` (protobuf merge semantics).
    fn merge_from(&mut self, r: &mut Reader<'_>, ctx: &mut DecodeContext) -> Result<(), Fault>;

    /// Returns the encoded size of `self`, after pushing the sizes of its
    /// sub-messages in the order [`ProtobufCodec::write_to`] needs them.
    fn measure(&self, sizes: &mut Vec<usize>) -> usize;

    /// Appends `self`, taking sub-message sizes from `sizes` starting at `*next`.
    fn write_to(&self, out: &mut Vec<u8>, sizes: &[usize], next: &mut usize);
}

/// Why decoding stopped, before the path and message name are attached.
/// Kept to a byte or two so every `Result` of a primitive read stays in registers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Fault {
    /// Bytes that are not valid protobuf.
    Malformed(Malformed),
    /// A known field arrived with a wire type its declared type cannot have
    /// (the field and wire type are in the [`DecodeContext`]).
    WireType,
    /// Nesting beyond [`MAX_DEPTH`].
    TooDeep,
}

/// What exactly is malformed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Malformed {
    /// Field key out of range.
    KeyOutOfRange,
    /// Varint longer than 10 bytes.
    OverlongVarint,
    /// Truncated varint.
    TruncatedVarint,
    /// Truncated fixed32.
    TruncatedFixed32,
    /// Truncated fixed64.
    TruncatedFixed64,
    /// Length past the end of the message.
    LengthPastEnd,
    /// String field is not valid UTF-8.
    InvalidUtf8,
    /// End-group tag without a matching start.
    StrayEndGroup,
    /// Invalid wire type.
    InvalidWireType,
    /// Group without an end tag.
    UnterminatedGroup,
    /// Field number 0.
    FieldZero,
    /// Mismatched end-group tag.
    MismatchedEndGroup,
}

impl Malformed {
    /// A short description for error messages.
    pub fn as_str(self) -> &'static str {
        match self {
            Malformed::KeyOutOfRange => "field key out of range",
            Malformed::OverlongVarint => "varint longer than 10 bytes",
            Malformed::TruncatedVarint => "truncated varint",
            Malformed::TruncatedFixed32 => "truncated fixed32",
            Malformed::TruncatedFixed64 => "truncated fixed64",
            Malformed::LengthPastEnd => "length past the end of the message",
            Malformed::InvalidUtf8 => "string field is not valid UTF-8",
            Malformed::StrayEndGroup => "end-group tag without a matching start",
            Malformed::InvalidWireType => "invalid wire type",
            Malformed::UnterminatedGroup => "group without an end tag",
            Malformed::FieldZero => "field number 0",
            Malformed::MismatchedEndGroup => "mismatched end-group tag",
        }
    }
}

/// Pushes a default element and returns it, so a repeated message is decoded
/// in place instead of being moved into the vector afterwards.
#[inline]
pub fn push_default<T: Default>(v: &mut Vec<T>) -> &mut T {
    v.push(T::default());
    let last = v.len() - 1;
    &mut v[last]
}

/// Before the first element of a repeated field is stored, reserves room for
/// every occurrence of its `key` left in the message, so the vector is
/// allocated once instead of growing (elements can be large). The count comes
/// from keys actually present, each taking input bytes, so it is bounded by
/// the input size; a malformed tail just ends the count early.
#[inline]
pub fn reserve_for<T>(v: &mut Vec<T>, rest: &Reader<'_>, key: u32) {
    if v.capacity() == 0 {
        v.reserve_exact(1 + count_key(rest.clone(), key));
    }
}

#[cold]
fn count_key(mut r: Reader<'_>, key: u32) -> usize {
    let mut n = 0;
    while !r.is_empty() {
        let Ok(k) = r.key() else { break };
        if k == key {
            n += 1;
        }
        if r.skip(k).is_err() {
            break;
        }
    }
    n
}

/// Measures the sub-message `m` for a length-delimited field: reserves its
/// slot in `sizes` (before its own sub-messages, in write order) and returns
/// the bytes it takes after its key (length prefix included).
#[inline]
pub fn measure_nested<M: ProtobufMessage>(m: &M, sizes: &mut Vec<usize>) -> usize {
    let slot = sizes.len();
    sizes.push(0);
    let n = m.measure(sizes);
    if let Some(s) = sizes.get_mut(slot) {
        *s = n;
    }
    sizeof_len(n)
}

/// Reserves a size slot for a map entry, to be filled by [`fill_slot`].
#[inline]
pub fn reserve_slot(sizes: &mut Vec<usize>) -> usize {
    sizes.push(0);
    sizes.len() - 1
}

/// Records the size measured for a slot from [`reserve_slot`]; returns the
/// bytes it takes after its key (length prefix included).
#[inline]
pub fn fill_slot(sizes: &mut [usize], slot: usize, n: usize) -> usize {
    if let Some(s) = sizes.get_mut(slot) {
        *s = n;
    }
    sizeof_len(n)
}

/// The next measured size, in write order.
#[inline]
pub fn next_size(sizes: &[usize], next: &mut usize) -> usize {
    let n = sizes.get(*next).copied().unwrap_or(0);
    *next += 1;
    n
}

/// Writes the length prefix and body of the sub-message `m`.
#[inline]
pub fn write_nested<M: ProtobufMessage>(
    m: &M,
    out: &mut Vec<u8>,
    sizes: &[usize],
    next: &mut usize,
) {
    let n = next_size(sizes, next);
    put_varint(out, n as u64);
    m.write_to(out, sizes, next);
}

/// Handles a key no fast-path arm matched: a known field with a wrong wire
/// type is a schema error, anything else is skipped (after rejecting field 0).
#[cold]
pub fn unexpected(
    r: &mut Reader<'_>,
    ctx: &mut DecodeContext,
    key: u32,
    known: Option<&'static str>,
) -> Result<(), Fault> {
    if key >> 3 == 0 {
        return Err(Fault::Malformed(Malformed::FieldZero));
    }
    match key & 7 {
        END_GROUP => return Err(Fault::Malformed(Malformed::StrayEndGroup)),
        w if w > FIXED32 => return Err(Fault::Malformed(Malformed::InvalidWireType)),
        _ => {}
    }
    match known {
        Some(field) => {
            ctx.set_wire_mismatch(field, key & 7);
            Err(Fault::WireType)
        }
        None => r.skip(key),
    }
}
