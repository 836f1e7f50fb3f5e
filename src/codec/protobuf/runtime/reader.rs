//! Reading the protobuf wire format through quick-protobuf's `BytesReader`,
//! behind a thin guard.
//!
//! `BytesReader` keeps a `start..end` window over a buffer and trusts nested
//! lengths (upstream issue #211: a nested length that overruns its parent
//! panics or reads the parent's bytes). The guard: every [`Reader`] owns
//! exactly the bytes of one message, and every length prefix is checked
//! against the bytes that remain before `BytesReader::read_bytes` slices, so
//! a reader can never look past the message it was given.

use super::{Fault, Malformed};
use quick_protobuf::BytesReader;

/// Wire type 0: varint.
pub const VARINT: u32 = 0;
/// Wire type 1: 8 little-endian bytes.
pub const FIXED64: u32 = 1;
/// Wire type 2: varint length, then that many bytes.
pub const LEN: u32 = 2;
/// Wire type 3: start of a (deprecated) group.
pub const START_GROUP: u32 = 3;
/// Wire type 4: end of a group.
pub const END_GROUP: u32 = 4;
/// Wire type 5: 4 little-endian bytes.
pub const FIXED32: u32 = 5;

/// Sets `target` to the `string` payload `raw` after checking it is UTF-8.
#[inline]
pub fn fill_string(raw: &[u8], target: &mut String) -> Result<(), Fault> {
    let text = std::str::from_utf8(raw).map_err(|_| Fault::Malformed(Malformed::InvalidUtf8))?;
    if target.capacity() == 0 {
        // The usual case, a fresh field: one exact allocation.
        *target = text.to_owned();
    } else {
        target.clear();
        target.push_str(text);
    }
    Ok(())
}

/// Sets `target` to the `bytes` payload `raw`.
#[inline]
pub fn fill_bytes(raw: &[u8], target: &mut Vec<u8>) -> Result<(), Fault> {
    if target.capacity() == 0 {
        *target = raw.to_vec();
    } else {
        target.clear();
        target.extend_from_slice(raw);
    }
    Ok(())
}

/// Groups nested deeper than this are rejected while skipping them.
const MAX_GROUP_DEPTH: usize = 100;

/// quick-protobuf reports a varint of more than ten bytes as `Varint` and
/// one cut short as the end of the buffer.
fn varint_fault(e: quick_protobuf::Error) -> Fault {
    match e {
        quick_protobuf::Error::Varint => Fault::Malformed(Malformed::OverlongVarint),
        _ => Fault::Malformed(Malformed::TruncatedVarint),
    }
}

/// The unread bytes of one message: quick-protobuf's cursor over exactly
/// that message's bytes.
#[derive(Debug, Clone)]
pub struct Reader<'a> {
    buf: &'a [u8],
    inner: BytesReader,
}

impl<'a> Reader<'a> {
    /// A reader over exactly the bytes of one message.
    #[inline]
    pub fn new(buf: &'a [u8]) -> Self {
        Reader {
            buf,
            inner: BytesReader::from_bytes(buf),
        }
    }

    /// True when the message has no more fields.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.inner.is_eof()
    }

    /// The next field key (`number << 3 | wire type`); keys wider than 32 bits
    /// cannot name a valid field and are malformed.
    #[inline]
    pub fn key(&mut self) -> Result<u32, Fault> {
        let key = self.varint()?;
        u32::try_from(key).map_err(|_| Fault::Malformed(Malformed::KeyOutOfRange))
    }

    /// The next unread byte, without consuming it.
    #[inline]
    fn peek(&self) -> Option<u8> {
        self.buf.get(self.buf.len() - self.inner.len()).copied()
    }

    /// One varint of at most ten bytes. Most are one byte (every key of this
    /// schema, most lengths and numbers): after a peek, quick-protobuf reads
    /// those with `read_u8`, which inlines, and the rest with
    /// `read_varint64`, which does not.
    #[inline]
    pub fn varint(&mut self) -> Result<u64, Fault> {
        match self.peek() {
            Some(b) if b < 0x80 => self
                .inner
                .read_u8(self.buf)
                .map(u64::from)
                .map_err(varint_fault),
            _ => self.inner.read_varint64(self.buf).map_err(varint_fault),
        }
    }

    /// Four little-endian bytes.
    #[inline]
    pub fn fixed32(&mut self) -> Result<u32, Fault> {
        self.inner
            .read_fixed32(self.buf)
            .map_err(|_| Fault::Malformed(Malformed::TruncatedFixed32))
    }

    /// Eight little-endian bytes.
    #[inline]
    pub fn fixed64(&mut self) -> Result<u64, Fault> {
        self.inner
            .read_fixed64(self.buf)
            .map_err(|_| Fault::Malformed(Malformed::TruncatedFixed64))
    }

    /// A length-delimited payload. The guard: the length prefix is read on a
    /// copy of the cursor and checked against what remains before
    /// quick-protobuf reads it again and slices.
    #[inline]
    pub fn len_delimited(&mut self) -> Result<&'a [u8], Fault> {
        let (len, remaining) = match self.peek() {
            Some(b) if b < 0x80 => (u64::from(b), self.inner.len() - 1),
            _ => {
                let mut peek = self.inner.clone();
                let len = peek.read_varint64(self.buf).map_err(varint_fault)?;
                (len, peek.len())
            }
        };
        match usize::try_from(len) {
            Ok(len) if len <= remaining => self
                .inner
                .read_bytes(self.buf)
                .map_err(|_| Fault::Malformed(Malformed::LengthPastEnd)),
            _ => Err(Fault::Malformed(Malformed::LengthPastEnd)),
        }
    }

    /// Skips the value of a field this decoder does not know, whatever its wire
    /// type. Groups are skipped up to their matching end tag.
    pub fn skip(&mut self, key: u32) -> Result<(), Fault> {
        match key & 7 {
            VARINT => self.varint().map(drop),
            FIXED64 => self.fixed64().map(drop),
            LEN => self.len_delimited().map(drop),
            FIXED32 => self.fixed32().map(drop),
            START_GROUP => self.skip_group(key >> 3),
            END_GROUP => Err(Fault::Malformed(Malformed::StrayEndGroup)),
            _ => Err(Fault::Malformed(Malformed::InvalidWireType)),
        }
    }

    /// Skips to the end tag of the group `number` opened; loops only while it
    /// consumes bytes, and bounds the nesting of inner groups.
    fn skip_group(&mut self, number: u32) -> Result<(), Fault> {
        let mut open = vec![number];
        while let Some(&innermost) = open.last() {
            if self.is_empty() {
                return Err(Fault::Malformed(Malformed::UnterminatedGroup));
            }
            let key = self.key()?;
            if key >> 3 == 0 {
                return Err(Fault::Malformed(Malformed::FieldZero));
            }
            match key & 7 {
                START_GROUP => {
                    if open.len() >= MAX_GROUP_DEPTH {
                        return Err(Fault::TooDeep);
                    }
                    open.push(key >> 3);
                }
                END_GROUP if key >> 3 == innermost => {
                    open.pop();
                }
                END_GROUP => return Err(Fault::Malformed(Malformed::MismatchedEndGroup)),
                _ => self.skip(key)?,
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn varints_of_every_length() {
        for v in [0u64, 1, 127, 128, 300, 1 << 35, u64::MAX] {
            let mut out = Vec::new();
            super::super::writer::put_varint(&mut out, v);
            let mut r = Reader::new(&out);
            assert_eq!(r.varint(), Ok(v));
            assert!(r.is_empty());
        }
    }

    #[test]
    fn truncated_and_overlong_varints_are_malformed() {
        assert!(matches!(
            Reader::new(&[0x80]).varint(),
            Err(Fault::Malformed(_))
        ));
        assert!(matches!(
            Reader::new(&[0xff; 11]).varint(),
            Err(Fault::Malformed(_))
        ));
    }

    #[test]
    fn length_past_end_is_malformed() {
        let mut r = Reader::new(&[0x05, 1, 2]);
        assert!(matches!(r.len_delimited(), Err(Fault::Malformed(_))));
        let mut r = Reader::new(&[0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]);
        assert!(matches!(r.len_delimited(), Err(Fault::Malformed(_))));
    }

    #[test]
    fn groups_are_skipped_to_their_end_tag() {
        // field 1 start-group, inner varint field 2 = 5, nested group 3, end 3, end 1, then 0x08 0x01.
        let bytes = [0x0b, 0x10, 0x05, 0x1b, 0x1c, 0x0c, 0x08, 0x01];
        let mut r = Reader::new(&bytes);
        let key = r.key().unwrap();
        r.skip(key).unwrap();
        assert_eq!(r.key(), Ok(0x08));
        let mut r = Reader::new(&[0x0b, 0x14]);
        let key = r.key().unwrap();
        assert!(r.skip(key).is_err());
        let mut r = Reader::new(&[0x0b]);
        let key = r.key().unwrap();
        assert!(r.skip(key).is_err());
    }
}
