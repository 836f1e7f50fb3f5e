//! Bounds-checked reading of the protobuf wire format from one message's bytes.
//!
//! quick-protobuf's `BytesReader` keeps a `start..end` window over the whole
//! buffer and trusts nested lengths (upstream issue #211: a nested length that
//! overruns its parent panics). Here every length-delimited field becomes its
//! own sub-slice after its length was checked against the bytes that remain,
//! so a reader can never look past the message it was given.

use super::{Fault, Malformed};

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

/// Groups nested deeper than this are rejected while skipping them.
const MAX_GROUP_DEPTH: usize = 100;

/// The unread bytes of one message.
#[derive(Debug, Clone, Copy)]
pub struct Reader<'a> {
    buf: &'a [u8],
}

impl<'a> Reader<'a> {
    /// A reader over exactly the bytes of one message.
    #[inline]
    pub fn new(buf: &'a [u8]) -> Self {
        Reader { buf }
    }

    /// True when the message has no more fields.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.buf.is_empty()
    }

    /// The next field key (`number << 3 | wire type`); keys wider than 32 bits
    /// cannot name a valid field and are malformed.
    #[inline]
    pub fn key(&mut self) -> Result<u32, Fault> {
        let key = self.varint()?;
        u32::try_from(key).map_err(|_| Fault::Malformed(Malformed::KeyOutOfRange))
    }

    /// One varint of at most ten bytes.
    #[inline]
    pub fn varint(&mut self) -> Result<u64, Fault> {
        match *self.buf {
            [b, ref rest @ ..] if b < 0x80 => {
                self.buf = rest;
                Ok(u64::from(b))
            }
            [b0, b1, ref rest @ ..] if b1 < 0x80 => {
                self.buf = rest;
                Ok(u64::from(b0 & 0x7f) | u64::from(b1) << 7)
            }
            _ => self.varint_slow(),
        }
    }

    #[cold]
    fn varint_slow(&mut self) -> Result<u64, Fault> {
        let mut value = 0u64;
        for (i, &b) in self.buf.iter().enumerate().take(10) {
            value |= u64::from(b & 0x7f) << (7 * i);
            if b < 0x80 {
                self.buf = &self.buf[i + 1..];
                return Ok(value);
            }
        }
        if self.buf.len() >= 10 {
            Err(Fault::Malformed(Malformed::OverlongVarint))
        } else {
            Err(Fault::Malformed(Malformed::TruncatedVarint))
        }
    }

    /// Four little-endian bytes.
    #[inline]
    pub fn fixed32(&mut self) -> Result<u32, Fault> {
        match self.buf.split_first_chunk::<4>() {
            Some((head, rest)) => {
                self.buf = rest;
                Ok(u32::from_le_bytes(*head))
            }
            None => Err(Fault::Malformed(Malformed::TruncatedFixed32)),
        }
    }

    /// Eight little-endian bytes.
    #[inline]
    pub fn fixed64(&mut self) -> Result<u64, Fault> {
        match self.buf.split_first_chunk::<8>() {
            Some((head, rest)) => {
                self.buf = rest;
                Ok(u64::from_le_bytes(*head))
            }
            None => Err(Fault::Malformed(Malformed::TruncatedFixed64)),
        }
    }

    /// A length-delimited payload, after checking its length against what remains.
    #[inline]
    pub fn len_delimited(&mut self) -> Result<&'a [u8], Fault> {
        let len = self.varint()?;
        match usize::try_from(len) {
            Ok(len) if len <= self.buf.len() => {
                let (payload, rest) = self.buf.split_at(len);
                self.buf = rest;
                Ok(payload)
            }
            _ => Err(Fault::Malformed(Malformed::LengthPastEnd)),
        }
    }

    /// A `string` field: UTF-8 checked, then copied once into its `String`.
    #[inline]
    pub fn string(&mut self) -> Result<String, Fault> {
        let raw = self.len_delimited()?;
        if raw.is_ascii() {
            // SAFETY: ASCII bytes are valid UTF-8. Nearly every string in the
            // Mesos API is ASCII (ids, names, roles, hostnames), and skipping
            // the general validator for them is measurably faster.
            return Ok(unsafe { String::from_utf8_unchecked(raw.to_vec()) });
        }
        match std::str::from_utf8(raw) {
            Ok(s) => Ok(s.to_owned()),
            Err(_) => Err(Fault::Malformed(Malformed::InvalidUtf8)),
        }
    }

    /// A `bytes` field.
    #[inline]
    pub fn bytes(&mut self) -> Result<Vec<u8>, Fault> {
        Ok(self.len_delimited()?.to_vec())
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
