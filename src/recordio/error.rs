//! What can be wrong with a RecordIO stream.

use std::fmt;

use super::MAX_HEADER_DIGITS;

/// Why a RecordIO stream cannot be decoded. Once a [`super::Decoder`] has
/// returned one of these it returns the same error from every later call,
/// because after a bad header there is no way to find the next record.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum RecordIoError {
    /// The length header contains a byte other than an ASCII digit before its
    /// line feed: a letter, a sign, whitespace, or the `\r` of a CRLF line end.
    InvalidHeaderByte {
        /// The offending byte.
        byte: u8,
        /// Its offset from the start of the header (0 = first byte).
        position: usize,
        /// The header up to and including the offending byte.
        header: Vec<u8>,
    },
    /// A line feed with no digits before it.
    EmptyHeader,
    /// More than [`MAX_HEADER_DIGITS`] digits without a line feed.
    HeaderTooLong {
        /// The first bytes of the header, including the one that was too many.
        header: Vec<u8>,
    },
    /// The digits denote a number larger than `u64::MAX`.
    LengthOverflow {
        /// The digits read, ending with the one that made the value overflow.
        header: Vec<u8>,
    },
    /// The header announces a record larger than the decoder's cap.
    RecordTooLarge {
        /// The announced payload length.
        length: u64,
        /// The decoder's maximum record size.
        max: usize,
    },
    /// The stream ended inside a record (reported by [`super::Decoder::finish`]).
    Truncated {
        /// The announced payload length, or `None` if the stream ended while
        /// the length header itself was still being read.
        expected: Option<u64>,
        /// How many bytes of the unfinished header (when `expected` is
        /// `None`) or of the payload had arrived.
        received: u64,
    },
}

impl fmt::Display for RecordIoError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RecordIoError::InvalidHeaderByte {
                byte,
                position,
                header,
            } => {
                write!(
                    f,
                    "invalid byte '{}' (0x{byte:02x}) at offset {position} of RecordIO length header \"{}\": only ASCII digits may precede the line feed",
                    [*byte].escape_ascii(),
                    header.escape_ascii(),
                )?;
                if *byte == b'\r' {
                    f.write_str(" (CRLF line ends are not RecordIO)")?;
                }
                Ok(())
            }
            RecordIoError::EmptyHeader => {
                f.write_str("empty RecordIO length header: a line feed with no digits before it")
            }
            RecordIoError::HeaderTooLong { header } => write!(
                f,
                "RecordIO length header \"{}\" has more than {MAX_HEADER_DIGITS} digits without a line feed",
                header.escape_ascii(),
            ),
            RecordIoError::LengthOverflow { header } => write!(
                f,
                "RecordIO length header \"{}\" does not fit in 64 bits",
                header.escape_ascii(),
            ),
            RecordIoError::RecordTooLarge { length, max } => write!(
                f,
                "RecordIO record of {length} bytes exceeds the maximum record size of {max} bytes",
            ),
            RecordIoError::Truncated {
                expected: None,
                received,
            } => write!(
                f,
                "RecordIO stream ended inside a length header ({received} bytes without a line feed)",
            ),
            RecordIoError::Truncated {
                expected: Some(expected),
                received,
            } => write!(
                f,
                "RecordIO stream ended inside a record: {received} of {expected} payload bytes received",
            ),
        }
    }
}

impl std::error::Error for RecordIoError {}
