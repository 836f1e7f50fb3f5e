//! RecordIO framing as the Mesos master writes it on the SUBSCRIBE stream.
//!
//! A stream is a sequence of records, each the payload length in ASCII
//! decimal, a line feed, then exactly that many payload bytes:
//! `6\nhello!0\n1\n 13\n13 characters` holds `hello!`, an empty record, ` `
//! and `13 characters`. There is no magic, checksum or trailer.
//!
//! This module does no I/O: the connection code reads bytes from the socket
//! and hands them to a [`Decoder`], which returns complete records however the
//! bytes were split into chunks. Two ways to get records out:
//!
//! * [`Decoder::decode`] takes a borrowed chunk and calls a closure with each
//!   complete record. A record that lies whole inside the chunk is passed
//!   without being copied; only a record split across chunks is buffered. This
//!   is the path for the stream reader: each payload byte is copied at most
//!   once after the socket read.
//! * [`Decoder::push`] / [`Decoder::pop`] buffer the bytes and hand records
//!   out one at a time, for callers that want to pull.
//!
//! The header grammar is stricter than the one in Mesos itself (which accepts
//! `+5`, hex and, by wrapping, `-1`): only 1 to 20 ASCII digits, then `\n`.
//! Every violation is a typed [`RecordIoError`], and the first error is final.
//! Record sizes are capped ([`DEFAULT_MAX_RECORD_SIZE`] unless configured) and
//! a header over the cap is rejected before any memory is set aside for it.

mod decoder;
mod encode;
mod error;
mod header;

pub use decoder::Decoder;
pub use encode::{encode, encode_to_vec};
pub use error::RecordIoError;

/// The record size a [`Decoder`] accepts unless told otherwise: large enough
/// for an OFFERS event from a big cluster, small enough that a corrupt or
/// hostile header cannot make the client buffer gigabytes.
pub const DEFAULT_MAX_RECORD_SIZE: usize = 64 * 1024 * 1024;

/// The longest length header accepted, in digits. `u64::MAX` has 20 digits,
/// so a longer header is corrupt (or padded with zeros beyond reason) and is
/// rejected without waiting for its line feed.
pub const MAX_HEADER_DIGITS: usize = 20;
