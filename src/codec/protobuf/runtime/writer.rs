//! Writing the protobuf wire format into a `Vec<u8>` through quick-protobuf's
//! `Writer`, and the matching sizes (quick-protobuf's `sizeofs`).
//!
//! The `Writer` reports I/O errors of its backend; a `Vec<u8>` never has
//! any (it can only abort on allocation failure), so they are ignored here.

use quick_protobuf::Writer;

pub use quick_protobuf::sizeofs::{sizeof_len, sizeof_varint};

/// Appends `v` as a varint.
#[inline]
pub fn put_varint(out: &mut Vec<u8>, v: u64) {
    let _infallible = Writer::new(out).write_varint(v);
}

/// Appends a length prefix and the payload of a `string` or `bytes` field.
#[inline]
pub fn put_len_delimited(out: &mut Vec<u8>, payload: &[u8]) {
    let _infallible = Writer::new(out).write_bytes(payload);
}

/// Encoded size of an `int32` or enum value: negative numbers take ten bytes.
#[inline]
pub fn size_int32(v: i32) -> usize {
    sizeof_varint(i64::from(v) as u64)
}

/// Appends an `int32` or enum value (sign-extended to 64 bits, as protobuf does).
#[inline]
pub fn put_int32(out: &mut Vec<u8>, v: i32) {
    let _infallible = Writer::new(out).write_int32(v);
}

/// Zigzag encoding of `sint32`.
#[inline]
#[allow(dead_code)] // for sint fields; the schema has none today
pub fn zigzag32(v: i32) -> u32 {
    ((v << 1) ^ (v >> 31)) as u32
}

/// Zigzag encoding of `sint64`.
#[inline]
#[allow(dead_code)] // for sint fields; the schema has none today
pub fn zigzag64(v: i64) -> u64 {
    ((v << 1) ^ (v >> 63)) as u64
}

/// Zigzag decoding of `sint32` (the low 32 bits of the varint).
#[inline]
#[allow(dead_code)] // for sint fields; the schema has none today
pub fn unzigzag32(v: u64) -> i32 {
    let v = v as u32;
    ((v >> 1) as i32) ^ -((v & 1) as i32)
}

/// Zigzag decoding of `sint64`.
#[inline]
#[allow(dead_code)] // for sint fields; the schema has none today
pub fn unzigzag64(v: u64) -> i64 {
    ((v >> 1) as i64) ^ -((v & 1) as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn negative_int32_takes_ten_bytes() {
        let mut out = Vec::new();
        put_int32(&mut out, -1);
        assert_eq!(out.len(), 10);
        assert_eq!(size_int32(-1), 10);
    }

    #[test]
    fn zigzag_round_trips() {
        for v in [0, -1, 1, i32::MIN, i32::MAX] {
            assert_eq!(unzigzag32(u64::from(zigzag32(v))), v);
        }
        for v in [0, -1, 1, i64::MIN, i64::MAX] {
            assert_eq!(unzigzag64(zigzag64(v)), v);
        }
        assert_eq!(zigzag32(-1), 1);
        assert_eq!(zigzag64(1), 2);
    }
}
