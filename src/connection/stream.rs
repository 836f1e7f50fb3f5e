//! Reading a RecordIO event stream off an HTTP response body, on the
//! calling thread: read a chunk, split it into records, hand each record
//! to the caller as soon as it is complete — until the body ends, a read
//! fails, the framing is corrupt, or the caller stops. Knows nothing of
//! what the records mean, so every stream (scheduler, executor, operator)
//! reads through it.

use std::io::{self, ErrorKind, Read};
use std::ops::ControlFlow;

use crate::recordio::{Decoder, RecordIoError};

/// Size of one read from the stream's socket (and of ureq's input buffer
/// on a stream agent, so one read returns what one read can hold): large
/// enough that a big event (a JSON OFFERS of ~100 KB) usually arrives in
/// one read.
pub(crate) const READ_BUFFER: usize = 128 * 1024;

/// Why [`read_records`] returned.
pub(crate) enum StreamStop<B> {
    /// The caller's handler stopped the stream with this value.
    Handler(B),
    /// The body ended (cleanly, or the connection closed without the final
    /// chunk); `Err` when it ended inside a record or a header.
    Ended(Result<(), RecordIoError>),
    /// A read failed; when the stream's agent was shut down from outside
    /// (close, watchdog, leader change), `Control::end_stream` says so.
    ReadFailed(io::Error),
    /// The framing was corrupt (bad header, record over the size limit);
    /// the records before it were handled.
    Framing(RecordIoError),
}

/// Reads `body` to its end, handing each record to `handle` in stream
/// order the moment it is complete; `handle` may stop the stream. Nothing
/// larger than `max_record_size` is ever buffered for a record (the
/// decoder refuses its header first).
pub(crate) fn read_records<B>(
    mut body: impl Read,
    max_record_size: usize,
    mut handle: impl FnMut(&[u8]) -> ControlFlow<B>,
) -> StreamStop<B> {
    let mut decoder = Decoder::with_max_record_size(max_record_size);
    let mut buffer = vec![0u8; READ_BUFFER];
    loop {
        let read = match body.read(&mut buffer) {
            Ok(0) => return StreamStop::Ended(decoder.finish()),
            Ok(read) => read,
            Err(err) if err.kind() == ErrorKind::Interrupted => continue,
            // The connection closed without the final chunk: an end of
            // stream all the same (between records or inside one).
            Err(err) if err.kind() == ErrorKind::UnexpectedEof => {
                return StreamStop::Ended(decoder.finish())
            }
            Err(err) => return StreamStop::ReadFailed(err),
        };
        // A framing error surfaces from `pop` once the records complete
        // before it have been handled.
        let _ = decoder.push(&buffer[..read]);
        loop {
            match decoder.pop() {
                Ok(Some(record)) => {
                    if let ControlFlow::Break(value) = handle(record) {
                        return StreamStop::Handler(value);
                    }
                }
                Ok(None) => break,
                Err(err) => return StreamStop::Framing(err),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::recordio::encode_to_vec;

    /// Hands out its bytes a few at a time, as a socket may.
    struct Trickle(Vec<u8>, usize);

    impl Read for Trickle {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let n = self.1.min(buf.len()).min(self.0.len());
            buf[..n].copy_from_slice(&self.0[..n]);
            self.0.drain(..n);
            Ok(n)
        }
    }

    fn stream(records: &[&[u8]]) -> Vec<u8> {
        records.iter().flat_map(|r| encode_to_vec(r)).collect()
    }

    #[test]
    fn records_arrive_whole_and_in_order_whatever_the_read_sizes() {
        let bytes = stream(&[b"one", b"", b"three"]);
        for step in [1, 2, 5, 1024] {
            let mut seen = Vec::new();
            let stop = read_records(Trickle(bytes.clone(), step), 1024, |r| {
                seen.push(r.to_vec());
                ControlFlow::<()>::Continue(())
            });
            assert!(matches!(stop, StreamStop::Ended(Ok(()))), "step {step}");
            assert_eq!(seen, [b"one".to_vec(), Vec::new(), b"three".to_vec()]);
        }
    }

    #[test]
    fn the_handler_stops_the_stream_at_the_record_it_chose() {
        let bytes = stream(&[b"a", b"b", b"c"]);
        let mut seen = 0;
        let stop = read_records(&bytes[..], 1024, |_| {
            seen += 1;
            if seen == 2 {
                ControlFlow::Break("second")
            } else {
                ControlFlow::Continue(())
            }
        });
        assert!(matches!(stop, StreamStop::Handler("second")));
        assert_eq!(seen, 2);
    }

    #[test]
    fn a_cut_record_and_an_oversized_header_are_told_apart() {
        let mut bytes = stream(&[b"whole"]);
        bytes.extend_from_slice(b"10\nabc");
        let stop = read_records(&bytes[..], 1024, |_| ControlFlow::<()>::Continue(()));
        assert!(matches!(
            stop,
            StreamStop::Ended(Err(RecordIoError::Truncated { .. }))
        ));
        let mut seen = 0;
        let stop = read_records(&b"1\nx99999\n"[..], 16, |_| {
            seen += 1;
            ControlFlow::<()>::Continue(())
        });
        assert!(matches!(stop, StreamStop::Framing(_)));
        assert_eq!(seen, 1, "the record before the bad header was handled");
    }
}
