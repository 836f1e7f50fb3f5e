//! Incremental parsing of one length header (`digits LF`).

use super::{RecordIoError, MAX_HEADER_DIGITS};

/// The digits of a header seen so far. Fixed-size, so a header split across
/// any number of chunks costs no allocation and no rescanning.
#[derive(Debug, Clone, Default)]
pub(super) struct HeaderParser {
    value: u64,
    len: usize,
    digits: [u8; MAX_HEADER_DIGITS],
}

/// What one byte did to the header.
pub(super) enum HeaderStep {
    /// More header bytes are needed.
    More,
    /// The line feed arrived; the header announced this length.
    Done(u64),
}

impl HeaderParser {
    /// How many header bytes (all digits) have been consumed.
    pub(super) fn len(&self) -> usize {
        self.len
    }

    /// Consumes one byte. On `Done` the parser is reset for the next header.
    #[inline]
    pub(super) fn feed(&mut self, byte: u8) -> Result<HeaderStep, RecordIoError> {
        match byte {
            b'0'..=b'9' => {
                if self.len == MAX_HEADER_DIGITS {
                    return Err(RecordIoError::HeaderTooLong {
                        header: self.seen_with(byte),
                    });
                }
                self.digits[self.len] = byte;
                self.len += 1;
                self.value = self
                    .value
                    .checked_mul(10)
                    .and_then(|v| v.checked_add(u64::from(byte - b'0')))
                    .ok_or_else(|| RecordIoError::LengthOverflow {
                        header: self.seen().to_vec(),
                    })?;
                Ok(HeaderStep::More)
            }
            b'\n' if self.len == 0 => Err(RecordIoError::EmptyHeader),
            b'\n' => {
                let value = self.value;
                *self = HeaderParser::default();
                Ok(HeaderStep::Done(value))
            }
            _ => Err(RecordIoError::InvalidHeaderByte {
                byte,
                position: self.len,
                header: self.seen_with(byte),
            }),
        }
    }

    fn seen(&self) -> &[u8] {
        &self.digits[..self.len]
    }

    fn seen_with(&self, byte: u8) -> Vec<u8> {
        let mut header = Vec::with_capacity(self.len + 1);
        header.extend_from_slice(self.seen());
        header.push(byte);
        header
    }
}
