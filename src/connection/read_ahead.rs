//! Reading a response body for the thread that splits and decodes its
//! records: on that thread while the stream is quiet, on a thread of its own,
//! a few buffers ahead, while data is backed up.
//!
//! Why both: with two cores or more, taking bytes off the socket (ureq's
//! chunked decoding included, a third of the work when one thread did both)
//! overlaps with decoding what came before when another thread does it; but
//! a hand-over between threads costs a wake-up, about 30 µs per event on a
//! quiet stream where every thread on the path sleeps between events. So
//! the body is read inline until reads find their bytes waiting several
//! times in a row (they return at once), then handed to
//! the read-ahead thread, which hands it back after a read that had to wait
//! for the stream.
//!
//! Memory stays bounded: [`BUFFERS`] buffers circulate; while the decoder is
//! behind, the read-ahead thread waits for one to come back, stops reading,
//! and TCP's flow control reaches the master.
//!
//! While the reader waits, it does the work [`Idle`] gives it: dropping what
//! arrives on a channel while it waits on the read-ahead thread, and saying
//! when it blocks in a socket read itself (see the scheduler's `Recycler`).
//! The stream's owner shuts its socket down when it stops
//! ([`Control::end_stream`](super::control::Control::end_stream)), which
//! ends a read in progress on either thread.

use std::io::{self, ErrorKind, Read};
use std::thread;
use std::time::{Duration, Instant};

use crossbeam_channel::{bounded, select, Receiver, Sender};

/// Size of each buffer, and of a read on a quiet stream. The stream agent's
/// input buffer is set to the same size (`HttpSettings::agent`): one read of
/// the body returns at most what that buffer holds. A quiet stream's next
/// event may be a large one; if it fits, it arrives in one read and is
/// decoded where it was read instead of being first assembled from pieces
/// (the benchmark corpus's largest OFFERS event, 116 KB of JSON, on an idle
/// stream: from the master's write to decoding starting, 30–40 µs sooner at
/// p50 than in 64 KiB reads).
pub(crate) const READ_BUFFER: usize = 128 * 1024;

/// Size of a read while the stream is busy, on either thread. All of a
/// read's records are decoded before the first is handed over, so a larger
/// piece only holds that first event back longer; whole buffers there gave
/// the stream bench no better throughput.
const BUSY_PIECE: usize = 64 * 1024;

/// Buffers in flight: one being decoded, one being filled, one ready.
const BUFFERS: usize = 3;

/// A read that returned this soon found its bytes waiting, or nearly: the
/// stream is busy.
const BUSY_READ: Duration = Duration::from_micros(50);

/// Busy reads in a row that hand the body to the read-ahead thread.
const BUSY_READS_TO_READ_AHEAD: u32 = 4;

/// A read that waited this long found a quiet stream: the read-ahead thread
/// hands the body back after it.
const QUIET_READ: Duration = Duration::from_millis(1);

/// What the reader thread does while it waits for bytes.
pub(crate) trait Idle {
    /// What arrives to be dropped on the reader thread.
    type Given;
    /// Where it arrives: dropped as it comes while waiting on the read-ahead
    /// thread, and drained before a socket read.
    fn given(&self) -> &Receiver<Self::Given>;
    /// The reader is about to block in a socket read (`true`), or is back.
    fn blocking(&self, blocked: bool);

    /// Drops everything given so far, without waiting.
    fn drop_given(&self) {
        while self.given().try_recv().is_ok() {}
    }
}

/// Nothing to do while waiting (the executor's reader).
pub(crate) struct NoIdle(Receiver<()>);

impl NoIdle {
    pub(crate) fn new() -> Self {
        NoIdle(crossbeam_channel::never())
    }
}

impl Idle for NoIdle {
    type Given = ();
    fn given(&self) -> &Receiver<()> {
        &self.0
    }
    fn blocking(&self, _: bool) {}
}

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

/// What the read-ahead thread sends, in order.
enum Ahead<B> {
    /// Bytes it read.
    Bytes(Filled),
    /// It caught up: the body is the reader's again.
    Back(B),
    /// The body ended, or a read failed.
    Last(io::Result<()>),
}

/// Where the body is.
enum Mode<B> {
    /// With the reader thread.
    Inline(B),
    /// With the read-ahead thread.
    Ahead,
    /// Ended or failed.
    Done,
}

/// The reader thread's end of a body.
pub(crate) struct ReadAhead<B> {
    mode: Mode<B>,
    busy_in_a_row: u32,
    empty: Sender<Vec<u8>>,
    empty_rx: Receiver<Vec<u8>>,
    /// The read-ahead thread, started the first time data backs up.
    thread: Option<(Sender<B>, Receiver<Ahead<B>>)>,
}

impl<B: Read + Send + 'static> ReadAhead<B> {
    /// Starts reading `body`, inline.
    pub(crate) fn new(body: B) -> Self {
        let (empty, empty_rx) = bounded(BUFFERS);
        for _ in 0..BUFFERS {
            let _ = empty.try_send(vec![0u8; READ_BUFFER]);
        }
        ReadAhead {
            mode: Mode::Inline(body),
            busy_in_a_row: 0,
            empty,
            empty_rx,
            thread: None,
        }
    }

    /// The next bytes of the body, waiting for them; `Ok(None)` once it has
    /// ended. A connection closed without HTTP's final chunk reads as an
    /// `UnexpectedEof` error, as it does from the body itself.
    pub(crate) fn next<I: Idle>(&mut self, idle: &I) -> ReadResult {
        loop {
            match std::mem::replace(&mut self.mode, Mode::Done) {
                Mode::Inline(body) => return self.read_inline(body, idle),
                Mode::Ahead => match self.next_from_thread(idle) {
                    Ahead::Bytes(filled) => {
                        self.mode = Mode::Ahead;
                        return Ok(Some(filled));
                    }
                    Ahead::Back(body) => {
                        self.busy_in_a_row = 0;
                        self.mode = Mode::Inline(body);
                    }
                    Ahead::Last(Ok(())) => return Ok(None),
                    Ahead::Last(Err(err)) => return Err(err),
                },
                Mode::Done => return Ok(None),
            }
        }
    }

    /// Returns a buffer whose bytes have been used, for the next read.
    pub(crate) fn give_back(&self, filled: Filled) {
        let _ = self.empty.try_send(filled.buffer);
    }

    fn read_inline<I: Idle>(&mut self, mut body: B, idle: &I) -> ReadResult {
        let mut buffer = self
            .empty_rx
            .try_recv()
            .unwrap_or_else(|_| vec![0u8; READ_BUFFER]);
        idle.drop_given();
        idle.blocking(true);
        // What was given while the flag was on its way is dropped now.
        idle.drop_given();
        let busy = self.busy_in_a_row > 0;
        let started = Instant::now();
        let result = read_retrying(&mut body, read_space(&mut buffer, busy));
        let waited = started.elapsed();
        idle.blocking(false);
        let len = match result {
            Ok(0) => return Ok(None),
            Ok(len) => len,
            Err(err) => return Err(err),
        };
        let filled = Filled { buffer, len };
        // Not `filled.is_full()`: one event larger than the buffer fills it
        // after a long wait and says nothing about the next one.
        if waited < BUSY_READ {
            self.busy_in_a_row += 1;
        } else {
            self.busy_in_a_row = 0;
        }
        self.mode = if self.busy_in_a_row >= BUSY_READS_TO_READ_AHEAD {
            self.hand_over(body)
        } else {
            Mode::Inline(body)
        };
        Ok(Some(filled))
    }

    /// Gives the body to the read-ahead thread (started on first use); if
    /// no thread can be started, the reader keeps reading it.
    fn hand_over(&mut self, body: B) -> Mode<B> {
        if self.thread.is_none() {
            let (bodies, bodies_rx) = bounded::<B>(1);
            let (out, out_rx) = bounded(BUFFERS + 1);
            let empty = self.empty_rx.clone();
            let spawned = thread::Builder::new()
                .name("mesos-http-read".to_string())
                .spawn(move || read_ahead(&bodies_rx, &empty, &out));
            if spawned.is_err() {
                return Mode::Inline(body);
            }
            self.thread = Some((bodies, out_rx));
        }
        match &self.thread {
            Some((bodies, _)) => match bodies.send(body) {
                Ok(()) => Mode::Ahead,
                Err(returned) => Mode::Inline(returned.into_inner()),
            },
            None => Mode::Inline(body),
        }
    }

    /// The next message of the read-ahead thread; what arrives on `idle`
    /// meanwhile is dropped at once.
    fn next_from_thread<I: Idle>(&self, idle: &I) -> Ahead<B> {
        let Some((_, out)) = &self.thread else {
            return Ahead::Last(Err(io::Error::other("no read-ahead thread")));
        };
        let message = loop {
            select! {
                recv(out) -> message => break message,
                recv(idle.given()) -> given => {
                    if given.is_err() {
                        // Nothing more can come that way: just wait.
                        break out.recv();
                    }
                }
            }
        };
        message.unwrap_or_else(|_| {
            // The thread ended without a word: it could not have (it sends
            // its last result before it returns) unless it panicked.
            Ahead::Last(Err(io::Error::other("the stream's reading thread ended")))
        })
    }
}

/// The part of `buffer` one read may fill: all of it while the stream is
/// quiet, a [`BUSY_PIECE`] while it is busy.
fn read_space(buffer: &mut [u8], busy: bool) -> &mut [u8] {
    let len = if busy {
        BUSY_PIECE.min(buffer.len())
    } else {
        buffer.len()
    };
    &mut buffer[..len]
}

/// One read, retried when interrupted by a signal.
fn read_retrying(body: &mut impl Read, buffer: &mut [u8]) -> io::Result<usize> {
    loop {
        match body.read(buffer) {
            Err(err) if err.kind() == ErrorKind::Interrupted => continue,
            other => return other,
        }
    }
}

/// The read-ahead thread: for each body it is given, fills each buffer it
/// gets back with one read and passes it on, until a read had to wait for
/// the stream (then the body goes back), the body ends, a read fails or the
/// reader is gone.
fn read_ahead<B: Read>(bodies: &Receiver<B>, empty: &Receiver<Vec<u8>>, out: &Sender<Ahead<B>>) {
    while let Ok(mut body) = bodies.recv() {
        loop {
            let Ok(mut buffer) = empty.recv() else { return };
            let started = Instant::now();
            let read = read_retrying(&mut body, read_space(&mut buffer, true));
            let caught_up = started.elapsed() >= QUIET_READ;
            let len = match read {
                Ok(0) => {
                    let _ = out.send(Ahead::Last(Ok(())));
                    return;
                }
                Ok(len) => len,
                Err(err) => {
                    let _ = out.send(Ahead::Last(Err(err)));
                    return;
                }
            };
            if out.send(Ahead::Bytes(Filled { buffer, len })).is_err() {
                return;
            }
            if caught_up {
                if out.send(Ahead::Back(body)).is_err() {
                    return;
                }
                break;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
    use std::sync::{Arc, Mutex};
    use std::time::Duration;

    /// A body handing out its bytes `steps` at a time (cycling through
    /// them), then an error or the end; it records which thread read.
    struct Trickle {
        data: Vec<u8>,
        at: usize,
        steps: Vec<usize>,
        /// How long each read waits before it returns, cycling.
        waits: Vec<Duration>,
        next_step: usize,
        fail_at_end: bool,
        readers: Arc<Mutex<Vec<thread::ThreadId>>>,
        /// How many bytes each read asked for.
        asked: Arc<Mutex<Vec<usize>>>,
    }

    impl Trickle {
        fn new(data: Vec<u8>, steps: &[usize]) -> Self {
            Trickle {
                data,
                at: 0,
                steps: steps.to_vec(),
                waits: vec![Duration::ZERO],
                next_step: 0,
                fail_at_end: false,
                readers: Arc::default(),
                asked: Arc::default(),
            }
        }
    }

    impl Read for Trickle {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            self.readers.lock().unwrap().push(thread::current().id());
            self.asked.lock().unwrap().push(buf.len());
            thread::sleep(self.waits[self.next_step % self.waits.len()]);
            if self.at == self.data.len() && self.fail_at_end {
                return Err(io::Error::new(ErrorKind::ConnectionReset, "reset"));
            }
            let step = self.steps[self.next_step % self.steps.len()];
            self.next_step += 1;
            let n = step.min(buf.len()).min(self.data.len() - self.at);
            buf[..n].copy_from_slice(&self.data[self.at..self.at + n]);
            self.at += n;
            Ok(n)
        }
    }

    /// Records the reader's `blocking` calls and whether anything given
    /// was dropped.
    struct Recorder {
        given: Receiver<Arc<()>>,
        blocked: AtomicBool,
        blocks: AtomicUsize,
    }

    impl Recorder {
        fn new(given: Receiver<Arc<()>>) -> Self {
            Recorder {
                given,
                blocked: AtomicBool::new(false),
                blocks: AtomicUsize::new(0),
            }
        }
    }

    impl Idle for Recorder {
        type Given = Arc<()>;
        fn given(&self) -> &Receiver<Arc<()>> {
            &self.given
        }
        fn blocking(&self, blocked: bool) {
            self.blocked.store(blocked, Ordering::SeqCst);
            if blocked {
                self.blocks.fetch_add(1, Ordering::SeqCst);
            }
        }
    }

    fn drain<B: Read + Send + 'static>(ahead: &mut ReadAhead<B>) -> (Vec<u8>, io::Result<()>) {
        let idle = NoIdle::new();
        let mut got = Vec::new();
        loop {
            match ahead.next(&idle) {
                Ok(Some(filled)) => {
                    got.extend_from_slice(filled.bytes());
                    ahead.give_back(filled);
                }
                Ok(None) => return (got, Ok(())),
                Err(err) => return (got, Err(err)),
            }
        }
    }

    fn data(len: usize) -> Vec<u8> {
        (0..len).map(|i| (i % 251) as u8).collect()
    }

    #[test]
    fn every_byte_arrives_in_order_then_the_end() {
        let full = READ_BUFFER;
        for steps in [
            vec![1],
            vec![7],
            vec![4096],
            vec![full],
            vec![10 * full],
            // Backed up, caught up, backed up again: the body goes to the
            // read-ahead thread and back, more than once.
            vec![full, full, full, 100, full, full, 5, 5, full, full, full],
        ] {
            let len = if steps == [1] { 10_000 } else { 3_000_000 };
            let body = Trickle::new(data(len), &steps);
            let mut ahead = ReadAhead::new(body);
            let (got, end) = drain(&mut ahead);
            assert!(end.is_ok(), "steps {steps:?}: {end:?}");
            assert_eq!(got, data(len), "steps {steps:?}");
        }
    }

    #[test]
    fn a_quiet_read_takes_a_whole_buffer_and_a_busy_one_a_piece() {
        // Reads 0 and 1 find their bytes at once, read 2 waits for them,
        // then four at once hand the body over.
        let mut waits = vec![Duration::ZERO; 50];
        waits[2] = Duration::from_micros(300);
        let mut body = Trickle::new(data(50_000), &[1000]);
        body.waits = waits;
        let asked = Arc::clone(&body.asked);
        let readers = Arc::clone(&body.readers);
        let (got, end) = drain(&mut ReadAhead::new(body));
        assert!(end.is_ok());
        assert_eq!(got, data(50_000));
        let (full, piece) = (READ_BUFFER, BUSY_PIECE);
        let asked = asked.lock().unwrap();
        let readers = readers.lock().unwrap();
        let me = thread::current().id();
        // Exact when no read is slowed past BUSY_READ: [full, piece, piece,
        // full, piece, piece, piece] inline, then pieces on the thread. A
        // machine that slows a read down only makes the next one whole.
        assert_eq!((asked[0], asked[3]), (full, full), "{asked:?}");
        let inline: Vec<usize> = (0..asked.len()).filter(|&i| readers[i] == me).collect();
        assert!(inline.iter().any(|&i| asked[i] == piece), "{asked:?}");
        let ahead: Vec<usize> = (0..asked.len()).filter(|&i| readers[i] != me).collect();
        assert!(!ahead.is_empty(), "never handed over: {readers:?}");
        assert!(ahead.iter().all(|&i| asked[i] == piece), "{asked:?}");
    }

    #[test]
    fn a_quiet_stream_is_read_inline_and_a_busy_one_ahead_and_back() {
        let me = thread::current().id();
        // Every read waits for the stream: all inline.
        let mut quiet = Trickle::new(data(20_000), &[300]);
        quiet.waits = vec![Duration::from_micros(300)];
        let readers = Arc::clone(&quiet.readers);
        let (got, end) = drain(&mut ReadAhead::new(quiet));
        assert!(end.is_ok());
        assert_eq!(got, data(20_000));
        assert!(readers.lock().unwrap().iter().all(|&t| t == me));

        // Busy reads, then one that waits 2 ms, then busy again.
        let busy_reads = BUSY_READS_TO_READ_AHEAD as usize;
        let mut waits = vec![Duration::ZERO; 8];
        waits.push(Duration::from_millis(2));
        waits.extend(vec![Duration::ZERO; 3 * busy_reads]);
        let mut bursty = Trickle::new(data(100_000), &[1000]);
        bursty.waits = waits;
        let readers = Arc::clone(&bursty.readers);
        let (got, _) = drain(&mut ReadAhead::new(bursty));
        assert_eq!(got, data(100_000));
        let readers = readers.lock().unwrap();
        // Inline until four busy reads (a read the machine slowed down past
        // BUSY_READ only delays the hand-over), then on the read-ahead
        // thread; each read there that waited hands the body back.
        assert!(
            readers[..busy_reads].iter().all(|&t| t == me),
            "{readers:?}"
        );
        let cycle = bursty_cycle(busy_reads);
        let waited_ahead: Vec<usize> = (0..readers.len() - 1)
            .filter(|&i| i % cycle == 8 && readers[i] != me)
            .collect();
        assert!(!waited_ahead.is_empty(), "{readers:?}");
        for i in waited_ahead {
            assert_eq!(readers[i + 1], me, "read {} {readers:?}", i + 1);
        }
    }

    /// Reads per cycle of the bursty body's waits.
    fn bursty_cycle(busy_reads: usize) -> usize {
        8 + 1 + 3 * busy_reads
    }

    #[test]
    fn a_failed_read_comes_after_the_bytes_before_it() {
        for steps in [vec![3], vec![READ_BUFFER]] {
            let mut body = Trickle::new(data(10 * READ_BUFFER), &steps);
            body.fail_at_end = true;
            let (got, end) = drain(&mut ReadAhead::new(body));
            assert_eq!(got, data(10 * READ_BUFFER));
            assert_eq!(end.unwrap_err().kind(), ErrorKind::ConnectionReset);
        }
    }

    #[test]
    fn the_read_ahead_thread_waits_for_buffers_to_come_back() {
        let body = Trickle::new(vec![7u8; 100 * READ_BUFFER], &[READ_BUFFER]);
        let mut ahead = ReadAhead::new(body);
        let idle = NoIdle::new();
        // Nothing given back: the inline reads take every pooled buffer
        // (then fresh ones), until the body is handed over; the thread then
        // waits for a buffer.
        let mut held = Vec::new();
        while !matches!(ahead.mode, Mode::Ahead) {
            held.push(ahead.next(&idle).unwrap().unwrap());
            assert!(held.len() < 90, "never handed over");
        }
        let read_inline: usize = held.iter().map(|filled| filled.bytes().len()).sum();
        let (_, out) = ahead.thread.as_ref().expect("handed over");
        assert!(out.recv_timeout(Duration::from_millis(100)).is_err());
        for filled in held {
            ahead.give_back(filled);
        }
        let (got, end) = drain(&mut ahead);
        assert!(end.is_ok());
        assert_eq!(got.len() + read_inline, 100 * READ_BUFFER);
    }

    /// A body whose first read waits for a word on `go`; then it ends.
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
    fn a_socket_read_drains_what_was_given_and_says_it_blocks() {
        let (go_tx, go) = bounded(1);
        let (given_tx, given) = bounded::<Arc<()>>(4);
        let token = Arc::new(());
        given_tx.send(Arc::clone(&token)).unwrap();
        let idle = Arc::new(Recorder::new(given));
        let waiting = Arc::clone(&idle);
        let reader = thread::spawn(move || {
            let mut ahead = ReadAhead::new(Gated { go, sent: false });
            let filled = ahead.next(&*waiting).unwrap().unwrap();
            filled.bytes().to_vec()
        });
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        while !idle.blocked.load(Ordering::SeqCst) && std::time::Instant::now() < deadline {
            thread::sleep(Duration::from_millis(1));
        }
        // Blocked in the read, having dropped what was given before it.
        assert!(idle.blocked.load(Ordering::SeqCst));
        assert_eq!(Arc::strong_count(&token), 1);
        go_tx.send(()).unwrap();
        assert_eq!(reader.join().unwrap(), b"x");
        assert!(!idle.blocked.load(Ordering::SeqCst));
        assert_eq!(idle.blocks.load(Ordering::SeqCst), 1);
    }

    #[test]
    fn what_is_given_while_waiting_on_the_read_ahead_thread_is_dropped_at_once() {
        // Reads on the reader's own thread return at once, so the body is
        // handed over; the first read on the read-ahead thread waits for a
        // word on `go`, then the body ends.
        struct Backed {
            reader: thread::ThreadId,
            go: Receiver<()>,
            ahead_reads: usize,
        }
        impl Read for Backed {
            fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
                if thread::current().id() == self.reader {
                    return Ok(buf.len());
                }
                self.ahead_reads += 1;
                if self.ahead_reads == 1 {
                    let _ = self.go.recv();
                    return Ok(1);
                }
                Ok(0)
            }
        }
        let (go_tx, go) = bounded(1);
        let (given_tx, given) = bounded::<Arc<()>>(4);
        let idle = Arc::new(Recorder::new(given));
        let waiting = Arc::clone(&idle);
        let (ready_tx, ready) = bounded(1);
        let reader = thread::spawn(move || {
            let mut ahead = ReadAhead::new(Backed {
                reader: thread::current().id(),
                go,
                ahead_reads: 0,
            });
            while !matches!(ahead.mode, Mode::Ahead) {
                let filled = ahead.next(&*waiting).unwrap().unwrap();
                ahead.give_back(filled);
            }
            ready_tx.send(()).unwrap();
            let filled = ahead.next(&*waiting).unwrap().unwrap();
            filled.bytes().len()
        });
        ready.recv().unwrap();
        let token = Arc::new(());
        given_tx.send(Arc::clone(&token)).unwrap();
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        while Arc::strong_count(&token) > 1 && std::time::Instant::now() < deadline {
            thread::sleep(Duration::from_millis(1));
        }
        assert_eq!(Arc::strong_count(&token), 1);
        assert!(!reader.is_finished());
        go_tx.send(()).unwrap();
        assert_eq!(reader.join().unwrap(), 1);
    }
}
