//! Reading a RecordIO event stream off an HTTP response body: read in
//! chunks, tell the watchdog that bytes arrived, split records, and hand
//! each one to the caller — until the body ends, a read fails, the framing
//! is corrupt, or the caller stops. Knows nothing of what the records mean,
//! so the scheduler's reader and an executor's can both use it.

use std::io::{self, ErrorKind, Read};
use std::ops::ControlFlow;

use super::control::Control;
use super::read_ahead::{Idle, ReadAhead};
use crate::recordio::{Decoder, RecordIoError};

/// Why [`read_records`] returned.
pub(crate) enum StreamStop<B> {
    /// The caller's handler stopped the stream with this value.
    Handler(B),
    /// The body ended (cleanly, or the connection closed without the final
    /// chunk); `Err` when it ended inside a record or a header.
    Ended(Result<(), RecordIoError>),
    /// A read failed; when the stream's agent was shut down from outside
    /// (close, watchdog, leader change), [`Control::end_stream`] says so.
    ReadFailed(io::Error),
    /// The framing was corrupt (bad header, record over the size limit);
    /// the records before it were handled.
    Framing(RecordIoError),
}

/// Reads `body` to its end, through [`ReadAhead`] (inline while the stream is
/// quiet, on a thread of its own while data is backed up). Each
/// record goes through `decode` (while the chunk is being split) and then, in
/// order, through `handle`, which may stop the stream; while waiting for more
/// bytes, the reader does what `idle` gives it to do (free the events given
/// back to it). Marks activity on `control` for every chunk
/// received (when it is taken, not when it is read: while `handle` is blocked
/// on a slow application, the watchdog must see that, not bytes arriving).
/// The caller shuts the stream's socket down when it is done with it
/// (`Control::end_stream`), which ends the reading thread.
pub(crate) fn read_records<T, B>(
    body: impl Read + Send + 'static,
    max_record_size: usize,
    control: &Control,
    mut decode: impl FnMut(&[u8]) -> T,
    mut handle: impl FnMut(T) -> ControlFlow<B>,
    idle: &impl Idle,
) -> StreamStop<B> {
    let mut ahead = ReadAhead::new(body);
    let mut decoder = Decoder::with_max_record_size(max_record_size);
    let mut batch: Vec<T> = Vec::new();
    loop {
        let filled = match ahead.next(idle) {
            Ok(Some(filled)) => filled,
            Ok(None) => return StreamStop::Ended(decoder.finish()),
            // The connection closed without the final chunk: an end of
            // stream all the same (between records or inside one).
            Err(err) if err.kind() == ErrorKind::UnexpectedEof => {
                return StreamStop::Ended(decoder.finish())
            }
            Err(err) => return StreamStop::ReadFailed(err),
        };
        control.saw_activity();
        let framing = decoder.decode(filled.bytes(), |record| batch.push(decode(record)));
        ahead.give_back(filled);
        for item in batch.drain(..) {
            if let ControlFlow::Break(value) = handle(item) {
                return StreamStop::Handler(value);
            }
        }
        if let Err(err) = framing {
            return StreamStop::Framing(err);
        }
    }
}
