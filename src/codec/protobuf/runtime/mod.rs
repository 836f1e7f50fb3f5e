//! The support code the generated codec calls. Not a public API: it is public
//! only because [`ProtobufMessage`](super::ProtobufMessage)'s hidden methods name it.

mod context;
mod reader;
mod writer;

pub use context::{DecodeContext, MAX_DEPTH};
pub use reader::{Reader, END_GROUP, FIXED32, FIXED64, LEN, START_GROUP, VARINT};
pub use writer::{
    put_int32, put_len_delimited, put_varint, size_int32, sizeof_len, sizeof_varint, unzigzag32,
    unzigzag64, zigzag32, zigzag64,
};

use super::ProtobufMessage;

/// Why decoding stopped, before the path and message name are attached.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// Bytes that are not valid protobuf.
    Malformed(&'static str),
    /// A known field arrived with a wire type its declared type cannot have.
    WireType {
        /// The field's proto name.
        field: &'static str,
        /// The wire type found.
        wire: u32,
    },
    /// Nesting beyond [`MAX_DEPTH`].
    TooDeep,
}

/// Pushes a default element and returns it, so a repeated message is decoded
/// in place instead of being moved into the vector afterwards.
#[inline]
pub fn push_default<T: Default>(v: &mut Vec<T>) -> &mut T {
    v.push(T::default());
    let last = v.len() - 1;
    &mut v[last]
}

/// Reads a repeated scalar that may arrive unpacked (one value of wire type
/// `wire`) or packed (wire type 2 holding any number of values).
#[inline]
pub fn repeated_scalar<T>(
    r: &mut Reader<'_>,
    key: u32,
    field: &'static str,
    wire: u32,
    out: &mut Vec<T>,
    read: impl Fn(&mut Reader<'_>) -> Result<T, Fault>,
) -> Result<(), Fault> {
    let found = key & 7;
    if found == wire {
        out.push(read(r)?);
        Ok(())
    } else if found == LEN {
        let mut packed = Reader::new(r.len_delimited()?);
        while !packed.is_empty() {
            out.push(read(&mut packed)?);
        }
        Ok(())
    } else {
        Err(Fault::WireType { field, wire: found })
    }
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
pub fn unexpected(r: &mut Reader<'_>, key: u32, known: Option<&'static str>) -> Result<(), Fault> {
    if key >> 3 == 0 {
        return Err(Fault::Malformed("field number 0"));
    }
    match key & 7 {
        END_GROUP => return Err(Fault::Malformed("end-group tag without a matching start")),
        w if w > FIXED32 => return Err(Fault::Malformed("invalid wire type")),
        _ => {}
    }
    match known {
        Some(field) => Err(Fault::WireType {
            field,
            wire: key & 7,
        }),
        None => r.skip(key),
    }
}
