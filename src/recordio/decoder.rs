//! The incremental RecordIO decoder.

use std::collections::VecDeque;
use std::fmt;
use std::ops::Range;

use super::header::{HeaderParser, HeaderStep};
use super::{RecordIoError, DEFAULT_MAX_RECORD_SIZE};

/// Buffer capacity kept after a large record has been handed out: enough that
/// ordinary events never reallocate, small enough that one huge OFFERS event
/// does not pin its memory for the rest of the stream.
const RETAINED_CAPACITY: usize = 1024 * 1024;

/// Where the decoder is inside the current record.
#[derive(Debug)]
enum Phase {
    /// Reading the length header.
    Header(HeaderParser),
    /// The header announced `len` payload bytes; those already received are
    /// buffered in `buf[start..]`.
    Payload { start: usize, len: usize },
}

impl Phase {
    fn new_header() -> Self {
        Phase::Header(HeaderParser::default())
    }
}

/// Splits a RecordIO byte stream into records, whatever the chunking.
///
/// Feed it with either [`Decoder::decode`] (borrowed chunks, records handed
/// to a closure, no copy for records that lie whole in a chunk) or
/// [`Decoder::push`] + [`Decoder::pop`] (buffered, pull one record at a
/// time). Both may be mixed; records always come out in stream order.
/// At end of stream call [`Decoder::finish`] to learn whether the stream was
/// cut inside a record.
///
/// Memory: the decoder buffers only bytes of records not yet complete (and,
/// with `push`, complete records not yet popped). A buffer grows with the
/// bytes that actually arrive, never with the length a header announces, and
/// a header over the cap is rejected before anything is buffered for it.
///
/// After the first error every call returns that same error; records that
/// were complete before the bad bytes are still handed out first.
pub struct Decoder {
    max_record_size: usize,
    buf: Vec<u8>,
    /// Complete records inside `buf` that `pop` has not returned yet.
    ready: VecDeque<Range<usize>>,
    phase: Phase,
    failed: Option<RecordIoError>,
}

impl Default for Decoder {
    fn default() -> Self {
        Decoder::with_max_record_size(DEFAULT_MAX_RECORD_SIZE)
    }
}

impl fmt::Debug for Decoder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Decoder")
            .field("max_record_size", &self.max_record_size)
            .field("buffered_len", &self.buffered_len())
            .field("ready", &self.ready.len())
            .field("phase", &self.phase)
            .field("failed", &self.failed)
            .finish()
    }
}

impl Decoder {
    /// A decoder that accepts records up to [`DEFAULT_MAX_RECORD_SIZE`].
    pub fn new() -> Self {
        Decoder::default()
    }

    /// A decoder that rejects any record longer than `max_record_size` bytes,
    /// to bound the memory a misbehaving peer can make the client use.
    pub fn with_max_record_size(max_record_size: usize) -> Self {
        Decoder {
            max_record_size,
            buf: Vec::new(),
            ready: VecDeque::new(),
            phase: Phase::new_header(),
            failed: None,
        }
    }

    /// The largest record this decoder accepts.
    pub fn max_record_size(&self) -> usize {
        self.max_record_size
    }

    /// The error the decoder stopped at, if any.
    pub fn failure(&self) -> Option<&RecordIoError> {
        self.failed.as_ref()
    }

    /// Bytes held for records not yet complete or not yet popped: what the
    /// decoder costs in memory right now, apart from spare capacity.
    pub fn buffered_len(&self) -> usize {
        self.buf.len() - self.live_start()
    }

    /// The capacity of the internal buffer, for checking that hostile input
    /// cannot make the decoder reserve memory.
    pub fn buffer_capacity(&self) -> usize {
        self.buf.capacity()
    }

    /// Decodes `input`, calling `on_record` with each record completed by it,
    /// in stream order (first any records still waiting from [`Decoder::push`]).
    ///
    /// A record that lies whole inside `input` is passed as a slice of
    /// `input`; only the unfinished tail is copied into the decoder, so this
    /// is the path to use when reading a stream into a fixed buffer.
    ///
    /// Returns the first framing error; records before it have already been
    /// passed to `on_record`.
    pub fn decode<F>(&mut self, input: &[u8], mut on_record: F) -> Result<(), RecordIoError>
    where
        F: FnMut(&[u8]),
    {
        while let Some(range) = self.ready.pop_front() {
            on_record(&self.buf[range]);
        }
        self.check()?;
        let result = self.decode_borrowed(input, &mut on_record);
        self.fail_on(result)
    }

    /// Buffers `input` and splits off every record it completes, to be taken
    /// with [`Decoder::pop`]. Headers are checked as the bytes arrive, so a
    /// bad or oversized header is reported by the `push` that brings it.
    pub fn push(&mut self, input: &[u8]) -> Result<(), RecordIoError> {
        self.check()?;
        if input.is_empty() {
            return Ok(());
        }
        self.compact();
        let scan_from = self.buf.len();
        self.buf.extend_from_slice(input);
        let result = self.scan_buffer(scan_from);
        self.fail_on(result)
    }

    /// The next complete record from [`Decoder::push`], or `None` if more
    /// bytes are needed. Once the records that were complete before a framing
    /// error are drained, returns that error.
    pub fn pop(&mut self) -> Result<Option<&[u8]>, RecordIoError> {
        match self.ready.pop_front() {
            Some(range) => Ok(Some(&self.buf[range])),
            None => self.check().map(|()| None),
        }
    }

    /// Declares the end of the stream: `Ok` if it ended between two records,
    /// [`RecordIoError::Truncated`] if it ended inside a header or payload.
    /// Records still waiting for [`Decoder::pop`] remain available.
    pub fn finish(&mut self) -> Result<(), RecordIoError> {
        self.check()?;
        let truncated = match &self.phase {
            Phase::Header(parser) if parser.len() == 0 => return Ok(()),
            Phase::Header(parser) => RecordIoError::Truncated {
                expected: None,
                received: parser.len() as u64,
            },
            Phase::Payload { start, len } => RecordIoError::Truncated {
                expected: Some(*len as u64),
                received: (self.buf.len() - start) as u64,
            },
        };
        self.fail_on(Err(truncated))
    }

    /// Completes a record already partly buffered, then decodes the rest of
    /// `input` in place, buffering only an unfinished payload at its end.
    fn decode_borrowed(
        &mut self,
        mut input: &[u8],
        on_record: &mut impl FnMut(&[u8]),
    ) -> Result<(), RecordIoError> {
        if let Phase::Payload { start, len } = self.phase {
            let missing = len - (self.buf.len() - start);
            let take = missing.min(input.len());
            self.buf.extend_from_slice(&input[..take]);
            input = &input[take..];
            if take < missing {
                return Ok(());
            }
            on_record(&self.buf[start..start + len]);
            self.phase = Phase::new_header();
        }
        // No record in progress and nothing queued: the buffer holds nothing live.
        self.release_buffer();
        let max = self.max_record_size;
        loop {
            match &mut self.phase {
                Phase::Header(parser) => {
                    let (consumed, length) = parse_header(parser, input)?;
                    input = &input[consumed..];
                    let Some(length) = length else {
                        return Ok(());
                    };
                    let len = checked_size(length, max)?;
                    self.phase = Phase::Payload { start: 0, len };
                }
                Phase::Payload { len, .. } => {
                    let len = *len;
                    if input.len() < len {
                        self.buf.extend_from_slice(input);
                        return Ok(());
                    }
                    on_record(&input[..len]);
                    input = &input[len..];
                    self.phase = Phase::new_header();
                }
            }
        }
    }

    /// Parses `buf[pos..]`, queueing every record that is now complete.
    fn scan_buffer(&mut self, mut pos: usize) -> Result<(), RecordIoError> {
        let max = self.max_record_size;
        loop {
            match &mut self.phase {
                Phase::Header(parser) => {
                    let (consumed, length) = parse_header(parser, &self.buf[pos..])?;
                    pos += consumed;
                    let Some(length) = length else {
                        return Ok(());
                    };
                    let len = checked_size(length, max)?;
                    self.phase = Phase::Payload { start: pos, len };
                }
                Phase::Payload { start, len } => {
                    let end = *start + *len;
                    if self.buf.len() < end {
                        return Ok(());
                    }
                    self.ready.push_back(*start..end);
                    pos = end;
                    self.phase = Phase::new_header();
                }
            }
        }
    }

    /// Where the bytes still needed begin: the oldest unpopped record, else
    /// the payload in progress, else the end (header bytes live in the parser).
    fn live_start(&self) -> usize {
        match (self.ready.front(), &self.phase) {
            (Some(range), _) => range.start,
            (None, Phase::Payload { start, .. }) => *start,
            (None, Phase::Header(_)) => self.buf.len(),
        }
    }

    /// Drops consumed bytes from the front of the buffer, but only when they
    /// are at least as many as the live bytes moved, so every byte is moved
    /// O(1) times in total however the input is chunked.
    fn compact(&mut self) {
        let shift = self.live_start();
        if shift == 0 {
            return;
        }
        if shift == self.buf.len() {
            self.release_buffer();
        } else if shift >= self.buf.len() - shift {
            self.buf.copy_within(shift.., 0);
            self.buf.truncate(self.buf.len() - shift);
        } else {
            return;
        }
        for range in &mut self.ready {
            *range = range.start - shift..range.end - shift;
        }
        if let Phase::Payload { start, .. } = &mut self.phase {
            *start -= shift;
        }
    }

    /// Empties the buffer (its contents must be dead), giving back memory a
    /// large record made it take.
    fn release_buffer(&mut self) {
        self.buf.clear();
        if self.buf.capacity() > RETAINED_CAPACITY {
            self.buf.shrink_to(RETAINED_CAPACITY);
        }
    }

    fn check(&self) -> Result<(), RecordIoError> {
        match &self.failed {
            Some(error) => Err(error.clone()),
            None => Ok(()),
        }
    }

    fn fail_on(&mut self, result: Result<(), RecordIoError>) -> Result<(), RecordIoError> {
        if let Err(error) = &result {
            self.failed = Some(error.clone());
        }
        result
    }
}

/// Feeds header bytes from `input` to `parser` until the line feed or the
/// end of `input`; returns the bytes consumed and the length if complete.
#[inline]
fn parse_header(
    parser: &mut HeaderParser,
    input: &[u8],
) -> Result<(usize, Option<u64>), RecordIoError> {
    for (index, &byte) in input.iter().enumerate() {
        if let HeaderStep::Done(length) = parser.feed(byte)? {
            return Ok((index + 1, Some(length)));
        }
    }
    Ok((input.len(), None))
}

/// The announced length as a buffer size, if within the cap.
fn checked_size(length: u64, max: usize) -> Result<usize, RecordIoError> {
    match usize::try_from(length) {
        Ok(len) if len <= max => Ok(len),
        _ => Err(RecordIoError::RecordTooLarge { length, max }),
    }
}
