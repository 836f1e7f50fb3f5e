//! Reading a response body on a thread of its own, a few buffers ahead of
//! the thread that splits and decodes the records: with two cores or more,
//! taking bytes off the socket (ureq's chunked decoding included, a third of
//! the work when one thread did both) overlaps with decoding what came
//! before instead of adding to it.
//!
//! Memory stays bounded: [`BUFFERS`] buffers circulate between the two
//! threads; while the decoder is behind, the reading thread waits for one to
//! come back, stops reading, and TCP's flow control reaches the master.
//!
//! The reading thread ends when the body ends or a read fails, or, once the
//! decoder has gone, at its next read: the stream's owner shuts its socket
//! down when it stops ([`Control::end_stream`](super::control::Control::end_stream)),
//! which ends that read at once.

use std::io::{self, ErrorKind, Read};
use std::thread;

use crossbeam_channel::{bounded, select, Receiver, Sender};

/// Size of each read from the stream.
const READ_BUFFER: usize = 64 * 1024;

/// Buffers in flight: one being decoded, one being filled, one ready.
const BUFFERS: usize = 3;

/// Bytes read from the body: `buffer[..len]`.
pub(crate) struct Filled {
    buffer: Vec<u8>,
    len: usize,
}

impl Filled {
    /// The bytes read.
    pub(crate) fn bytes(&self) -> &[u8] {
        self.buffer.get(..self.len).unwrap_or_default()
    }
}

/// What one read produced: bytes, the end of the body (`Ok(None)`), or the
/// read's error.
type ReadResult = io::Result<Option<Filled>>;

/// The decoder's end of a body being read on its own thread.
pub(crate) struct ReadAhead {
    filled: Receiver<ReadResult>,
    empty: Sender<Vec<u8>>,
}

impl ReadAhead {
    /// Starts reading `body` on a new thread.
    pub(crate) fn spawn(body: impl Read + Send + 'static) -> io::Result<ReadAhead> {
        let (filled_tx, filled) = bounded(BUFFERS);
        let (empty, empty_rx) = bounded(BUFFERS);
        for _ in 0..BUFFERS {
            let _ = empty.try_send(vec![0u8; READ_BUFFER]);
        }
        thread::Builder::new()
            .name("mesos-http-read".to_string())
            .spawn(move || read_into(body, &empty_rx, &filled_tx))?;
        Ok(ReadAhead { filled, empty })
    }

    /// The next bytes of the body, waiting for them; `Ok(None)` once it has
    /// ended. A connection closed without HTTP's final chunk reads as an
    /// `UnexpectedEof` error, as it does from the body itself.
    ///
    /// While it waits, whatever arrives on `meanwhile` is dropped here, at
    /// once: the events the application has finished with are freed while
    /// the stream is quiet, not when the next event arrives and waits for
    /// that work.
    pub(crate) fn next<G>(&self, meanwhile: &Receiver<G>) -> ReadResult {
        let filled = loop {
            select! {
                recv(self.filled) -> filled => break filled,
                recv(meanwhile) -> given => {
                    if given.is_err() {
                        // Nothing more can come that way: just wait.
                        break self.filled.recv();
                    }
                }
            }
        };
        filled.unwrap_or_else(|_| {
            // The reading thread ended without a word: it could not have
            // (it sends its last result before it returns) unless it panicked.
            Err(io::Error::other("the stream's reading thread ended"))
        })
    }

    /// Returns a buffer whose bytes have been used, for the next read.
    pub(crate) fn give_back(&self, filled: Filled) {
        let _ = self.empty.try_send(filled.buffer);
    }
}

/// The reading thread: fills each buffer it gets back with one read and
/// passes it on, until the body ends, a read fails or the decoder is gone.
fn read_into(mut body: impl Read, empty: &Receiver<Vec<u8>>, filled: &Sender<ReadResult>) {
    while let Ok(mut buffer) = empty.recv() {
        let result = loop {
            match body.read(&mut buffer) {
                Err(err) if err.kind() == ErrorKind::Interrupted => continue,
                other => break other,
            }
        };
        let (result, last) = match result {
            Ok(0) => (Ok(None), true),
            Ok(len) => (Ok(Some(Filled { buffer, len })), false),
            Err(err) => (Err(err), true),
        };
        if filled.send(result).is_err() || last {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crossbeam_channel::never;
    use std::sync::Arc;
    use std::time::Duration;

    /// A body handing out its bytes `step` at a time, then an error or the end.
    struct Trickle {
        data: Vec<u8>,
        at: usize,
        step: usize,
        fail_at_end: bool,
    }

    impl Read for Trickle {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            if self.at == self.data.len() && self.fail_at_end {
                return Err(io::Error::new(ErrorKind::ConnectionReset, "reset"));
            }
            let n = self.step.min(buf.len()).min(self.data.len() - self.at);
            buf[..n].copy_from_slice(&self.data[self.at..self.at + n]);
            self.at += n;
            Ok(n)
        }
    }

    fn drain(ahead: &ReadAhead) -> (Vec<u8>, io::Result<()>) {
        let mut got = Vec::new();
        loop {
            match ahead.next(&never::<()>()) {
                Ok(Some(filled)) => {
                    got.extend_from_slice(filled.bytes());
                    ahead.give_back(filled);
                }
                Ok(None) => return (got, Ok(())),
                Err(err) => return (got, Err(err)),
            }
        }
    }

    #[test]
    fn every_byte_arrives_in_order_then_the_end() {
        let data: Vec<u8> = (0..1_000_000u32).map(|i| (i % 251) as u8).collect();
        for step in [1usize, 7, 4096, READ_BUFFER, 10 * READ_BUFFER] {
            let body = Trickle {
                data: data[..if step == 1 { 10_000 } else { data.len() }].to_vec(),
                at: 0,
                step,
                fail_at_end: false,
            };
            let expected = body.data.clone();
            let ahead = ReadAhead::spawn(body).unwrap();
            let (got, end) = drain(&ahead);
            assert!(end.is_ok(), "step {step}: {end:?}");
            assert_eq!(got, expected, "step {step}");
        }
    }

    #[test]
    fn a_failed_read_comes_after_the_bytes_before_it() {
        let body = Trickle {
            data: b"0123456789".to_vec(),
            at: 0,
            step: 3,
            fail_at_end: true,
        };
        let ahead = ReadAhead::spawn(body).unwrap();
        let (got, end) = drain(&ahead);
        assert_eq!(got, b"0123456789");
        assert_eq!(end.unwrap_err().kind(), ErrorKind::ConnectionReset);
    }

    #[test]
    fn the_reader_waits_for_buffers_to_come_back() {
        let body = Trickle {
            data: vec![7u8; 100 * READ_BUFFER],
            at: 0,
            step: READ_BUFFER,
            fail_at_end: false,
        };
        let ahead = ReadAhead::spawn(body).unwrap();
        // Nothing given back: exactly BUFFERS reads happen, then it waits.
        let held: Vec<Filled> = (0..BUFFERS)
            .map(|_| ahead.next(&never::<()>()).unwrap().unwrap())
            .collect();
        assert!(ahead
            .filled
            .recv_timeout(Duration::from_millis(100))
            .is_err());
        for filled in held {
            ahead.give_back(filled);
        }
        let (got, end) = drain(&ahead);
        assert!(end.is_ok());
        assert_eq!(got.len(), (100 - BUFFERS) * READ_BUFFER);
    }

    /// A body whose only read waits for a word on `go`.
    struct Gated {
        go: Receiver<()>,
        sent: bool,
    }

    impl Read for Gated {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            if self.sent {
                return Ok(0);
            }
            let _ = self.go.recv();
            self.sent = true;
            buf[0] = b'x';
            Ok(1)
        }
    }

    #[test]
    fn what_arrives_meanwhile_is_dropped_while_waiting_for_bytes() {
        let (go_tx, go) = bounded(1);
        let ahead = ReadAhead::spawn(Gated { go, sent: false }).unwrap();
        let (given_tx, given) = bounded::<Arc<()>>(4);
        let token = Arc::new(());
        given_tx.send(Arc::clone(&token)).unwrap();
        let waiter = thread::spawn(move || {
            let filled = ahead.next(&given).unwrap().unwrap();
            filled.bytes().to_vec()
        });
        // Dropped by the waiting thread while no byte has arrived yet.
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        while Arc::strong_count(&token) > 1 && std::time::Instant::now() < deadline {
            thread::sleep(Duration::from_millis(1));
        }
        assert_eq!(Arc::strong_count(&token), 1);
        assert!(!waiter.is_finished());
        go_tx.send(()).unwrap();
        assert_eq!(waiter.join().unwrap(), b"x");
    }
}
