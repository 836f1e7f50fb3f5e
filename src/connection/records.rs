//! The parts of a reader thread that do not depend on which API it speaks:
//! pulling RecordIO records off an HTTP body, and handing items to the
//! application over a bounded channel with back-pressure. The scheduler and
//! executor readers differ only in what a record decodes to and what they
//! do with it.

use std::io::{self, ErrorKind, Read};

use crossbeam_channel::{select, Sender, TrySendError};

use super::control::Control;
use crate::recordio::{Decoder, RecordIoError};

/// Size of each read from the stream.
const READ_BUFFER: usize = 64 * 1024;

/// How reading a stream ended.
#[derive(Debug)]
pub(crate) enum StreamEnd {
    /// The peer ended the body (or closed the connection); the decoder's
    /// verdict on where: `Ok` between records, an error inside one.
    Ended(Result<(), RecordIoError>),
    /// A read failed (possibly because the stream's agent was shut down
    /// from outside: ask [`Control::end_stream`] why).
    Failed(io::Error),
    /// The framing was corrupt (bad header, record over the size limit).
    Corrupt(RecordIoError),
    /// The record handler asked to stop.
    Stopped,
}

/// Reads `body` until it ends, passing every complete record to `on_record`
/// in stream order; `on_record` returns false to stop. Every read that
/// brings bytes tells `control` the peer is alive.
pub(crate) fn read_records(
    body: &mut dyn Read,
    max_record_size: usize,
    control: &Control,
    mut on_record: impl FnMut(&[u8]) -> bool,
) -> StreamEnd {
    let mut decoder = Decoder::with_max_record_size(max_record_size);
    let mut buffer = vec![0u8; READ_BUFFER];
    loop {
        let n = match body.read(&mut buffer) {
            Ok(0) => return StreamEnd::Ended(decoder.finish()),
            Ok(n) => n,
            Err(err) if err.kind() == ErrorKind::Interrupted => continue,
            // The connection closed without the final chunk: an end of
            // stream all the same (between records or inside one).
            Err(err) if err.kind() == ErrorKind::UnexpectedEof => {
                return StreamEnd::Ended(decoder.finish())
            }
            Err(err) => return StreamEnd::Failed(err),
        };
        control.saw_activity();
        let framing = decoder.push(&buffer[..n]);
        loop {
            match decoder.pop() {
                Ok(Some(record)) => {
                    if !on_record(record) {
                        return StreamEnd::Stopped;
                    }
                }
                Ok(None) => break,
                Err(err) => return StreamEnd::Corrupt(err),
            }
        }
        if let Err(err) = framing {
            return StreamEnd::Corrupt(err);
        }
    }
}

/// Hands `item` to the application, blocking while the channel is full (the
/// watchdog is told, so a slow application is not taken for a dead peer).
/// False when the client closed or nobody listens any more; in the latter
/// case the client is closed too.
pub(crate) fn deliver<T>(control: &Control, events: &Sender<T>, item: T) -> bool {
    let item = match events.try_send(item) {
        Ok(()) => return true,
        Err(TrySendError::Disconnected(_)) => return receiver_gone(control),
        Err(TrySendError::Full(item)) => item,
    };
    control.delivering(true);
    let delivered = select! {
        send(events, item) -> sent => sent.is_ok(),
        recv(control.stop_signal()) -> _ => false,
    };
    control.delivering(false);
    if !delivered && !control.is_closed() {
        return receiver_gone(control);
    }
    delivered
}

fn receiver_gone(control: &Control) -> bool {
    log::info!("the event receiver was dropped: closing the subscription");
    control.close();
    false
}
