//! Replay mode of the simulated master: a loopback server that streams a
//! recorded RecordIO file to the first subscriber as fast as the socket
//! takes it and answers every other call with 202 at once, counting them.
//!
//! It exists to measure clients (this one, or any other in any language) on
//! identical bytes, with no cluster logic in the way: `sim-master --replay
//! FILE [--chunk BYTES]` runs it, and the benchmarks use it directly.
//!
//! After the file, the first subscriber's stream stays open: records given to
//! [`ReplayMaster::push`] are written to it from the caller's thread (so a
//! latency measurement starts at the real write). Later subscribers get the
//! SUBSCRIBED record only. A file that does not start with SUBSCRIBED gets one
//! of the server's own in front.

use std::collections::BTreeMap;
use std::io::{self, BufReader, BufWriter, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::ops::Range;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::{self, JoinHandle};
use std::time::Duration;

use super::http::request::{read_body, read_head};
use super::http::response::record_chunk;
use mesos_http::codec::Encoding;
use mesos_http::recordio::{encode_to_vec, Decoder};
use mesos_http::v1;
use mesos_http::v1::scheduler::event::{Subscribed, Type as EventType};
use mesos_http::v1::scheduler::{call::Type as CallType, Call};

/// How the replayed file is cut into HTTP chunks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Chunking {
    /// One RecordIO record (header and payload) per chunk, as a master writes.
    #[default]
    PerRecord,
    /// Chunks of this many bytes of the RecordIO stream, cutting records
    /// anywhere.
    Bytes(usize),
}

/// What the replay master was sent, counted as calls arrived.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReplayCounts {
    /// Every request but SUBSCRIBE.
    pub calls: u64,
    /// Calls per type name (`ACKNOWLEDGE`, ...); `?` for undecodable bodies.
    pub by_type: BTreeMap<String, u64>,
    /// SUBSCRIBE requests.
    pub subscribes: u64,
}

/// A running replay master; stops when dropped.
pub struct ReplayMaster {
    addr: SocketAddr,
    shared: Arc<State>,
    accept: Option<JoinHandle<()>>,
}

struct State {
    file: Vec<u8>,
    /// Each record's whole RecordIO frame in `file`.
    frames: Vec<Range<usize>>,
    encoding: Encoding,
    /// The SUBSCRIBED frame sent before the file, if the file has none.
    prefix: Vec<u8>,
    /// The SUBSCRIBED frame later subscribers get.
    subscribed: Vec<u8>,
    chunking: Chunking,
    first_taken: AtomicBool,
    stop: AtomicBool,
    calls: AtomicU64,
    acks: AtomicU64,
    counts: Mutex<ReplayCounts>,
    /// Uuids of ACKNOWLEDGE calls, in arrival order.
    acked: Mutex<Vec<Vec<u8>>>,
    /// The type name of every call, in arrival order.
    arrivals: Mutex<Vec<String>>,
    /// The first subscriber's socket once the file is written.
    live: Mutex<Option<TcpStream>>,
    file_written: AtomicBool,
    connections: Mutex<Vec<TcpStream>>,
    /// While true, calls are counted on arrival but not answered.
    held: Mutex<bool>,
    /// Each call's answer waits this long (nanoseconds): a master a
    /// network round trip away.
    answer_delay_nanos: AtomicU64,
    released: Condvar,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl ReplayMaster {
    /// Starts serving `file` (a RecordIO stream in one encoding, e.g.
    /// `corpus.json.rio`) on 127.0.0.1:`port` (0: any free port).
    pub fn start(file: Vec<u8>, chunking: Chunking, port: u16) -> io::Result<ReplayMaster> {
        let invalid = |e: String| io::Error::new(io::ErrorKind::InvalidData, e);
        if chunking == Chunking::Bytes(0) {
            return Err(invalid("chunk size must be positive".into()));
        }
        let mut frames = Vec::new();
        let mut decoder = Decoder::new();
        let base = file.as_ptr() as usize;
        let mut start = 0;
        decoder
            .decode(&file, |record| {
                let end = record.as_ptr() as usize - base + record.len();
                frames.push(start..end);
                start = end;
            })
            .map_err(|e| invalid(format!("not a RecordIO stream: {e}")))?;
        decoder
            .finish()
            .map_err(|e| invalid(format!("not a RecordIO stream: {e}")))?;
        let first_record = frames.first().map(|f| {
            let frame = &file[f.clone()];
            let newline = frame.iter().position(|&b| b == b'\n').unwrap_or(0);
            &frame[newline + 1..]
        });
        let encoding = match first_record.and_then(|r| r.first()) {
            Some(b'{') | None => Encoding::Json,
            Some(_) => Encoding::Protobuf,
        };
        let first_is_subscribed = first_record
            .and_then(|r| encoding.decode::<v1::scheduler::Event>(r).ok())
            .is_some_and(|e| e.r#type == Some(EventType::SUBSCRIBED));
        let (prefix, subscribed) = if first_is_subscribed {
            (Vec::new(), file[frames[0].clone()].to_vec())
        } else {
            let event = v1::scheduler::Event {
                r#type: Some(EventType::SUBSCRIBED),
                subscribed: Some(Subscribed {
                    framework_id: v1::FrameworkID {
                        value: "replay-framework".into(),
                    },
                    heartbeat_interval_seconds: Some(15.0),
                    master_info: None,
                }),
                ..Default::default()
            };
            let framed = encode_to_vec(&encoding.encode(&event));
            (framed.clone(), framed)
        };
        let listener = TcpListener::bind(("127.0.0.1", port))?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(State {
            file,
            frames,
            encoding,
            prefix,
            subscribed,
            chunking,
            first_taken: AtomicBool::new(false),
            stop: AtomicBool::new(false),
            calls: AtomicU64::new(0),
            acks: AtomicU64::new(0),
            counts: Mutex::new(ReplayCounts::default()),
            acked: Mutex::new(Vec::new()),
            arrivals: Mutex::new(Vec::new()),
            live: Mutex::new(None),
            file_written: AtomicBool::new(false),
            connections: Mutex::new(Vec::new()),
            held: Mutex::new(false),
            released: Condvar::new(),
            answer_delay_nanos: AtomicU64::new(0),
        });
        let state = Arc::clone(&shared);
        let accept = thread::Builder::new()
            .name("mesos-replay-accept".into())
            .spawn(move || accept_loop(&state, listener))?;
        Ok(ReplayMaster {
            addr,
            shared,
            accept: Some(accept),
        })
    }

    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The listening address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The encoding of the replayed file (JSON unless its first record is
    /// not a JSON object).
    pub fn encoding(&self) -> Encoding {
        self.shared.encoding
    }

    /// Records in the file.
    pub fn records(&self) -> usize {
        self.shared.frames.len()
    }

    /// The exact number of bytes the first subscriber receives up to the end
    /// of the file (response head and every chunk), so a raw reader knows
    /// when it has read everything.
    pub fn first_stream_len(&self) -> u64 {
        let chunk = |len: usize| (format!("{len:x}").len() + 4 + len) as u64;
        let state = &self.shared;
        let mut total = stream_head(state.encoding).len() as u64;
        if !state.prefix.is_empty() {
            total += chunk(state.prefix.len());
        }
        total += match state.chunking {
            Chunking::PerRecord => state.frames.iter().map(|f| chunk(f.len())).sum::<u64>(),
            Chunking::Bytes(size) => state.file.chunks(size).map(|c| chunk(c.len())).sum(),
        };
        total
    }

    /// Calls answered so far (every request but SUBSCRIBE).
    pub fn calls(&self) -> u64 {
        self.shared.calls.load(Ordering::SeqCst)
    }

    /// ACKNOWLEDGE calls answered so far.
    pub fn acknowledgements(&self) -> u64 {
        self.shared.acks.load(Ordering::SeqCst)
    }

    /// The uuids of the ACKNOWLEDGE calls answered so far, in arrival order.
    pub fn acknowledged_uuids(&self) -> Vec<Vec<u8>> {
        lock(&self.shared.acked).clone()
    }

    /// The type name of every call so far (`ACKNOWLEDGE`, `TEARDOWN`,
    /// ...), in the order they arrived.
    pub fn call_types_in_order(&self) -> Vec<String> {
        lock(&self.shared.arrivals).clone()
    }

    /// Everything counted so far.
    pub fn counts(&self) -> ReplayCounts {
        lock(&self.shared.counts).clone()
    }

    /// Whether the whole file has been written to the first subscriber.
    pub fn file_written(&self) -> bool {
        self.shared.file_written.load(Ordering::SeqCst)
    }

    /// Writes `record` (one event, encoded) to the first subscriber as one
    /// chunk, from this thread, once the file has been written. Fails when
    /// there is no such subscriber (yet) or its connection is gone.
    pub fn push(&self, record: &[u8]) -> io::Result<()> {
        self.push_chunk(&ReplayMaster::http_chunk(record))
    }

    /// The HTTP chunk a master writes for one record (RecordIO header and
    /// payload), for [`ReplayMaster::push_chunk`]: built once, a latency
    /// measurement's timed write is the master's write and nothing else.
    pub fn http_chunk(record: &[u8]) -> Vec<u8> {
        record_chunk(record)
    }

    /// Writes `chunk` (from [`ReplayMaster::http_chunk`]) to the first
    /// subscriber as [`ReplayMaster::push`] does.
    pub fn push_chunk(&self, chunk: &[u8]) -> io::Result<()> {
        let mut live = lock(&self.shared.live);
        let Some(stream) = live.as_mut() else {
            return Err(io::Error::new(
                io::ErrorKind::NotConnected,
                "no subscriber has received the whole file yet",
            ));
        };
        stream.write_all(chunk)
    }

    /// While `hold` is true, calls are counted as they arrive but their
    /// answers wait (a master that is slow to answer); `false` answers them.
    pub fn hold_calls(&self, hold: bool) {
        *lock(&self.shared.held) = hold;
        self.shared.released.notify_all();
    }

    /// Answers every call `delay` after reading it (zero: at once), as a
    /// master a round trip away would; for benchmarks of what is in flight.
    pub fn answer_after(&self, delay: Duration) {
        let nanos = u64::try_from(delay.as_nanos()).unwrap_or(u64::MAX);
        self.shared
            .answer_delay_nanos
            .store(nanos, Ordering::SeqCst);
    }

    /// Stops serving, closing every connection; returns the counts.
    pub fn stop(mut self) -> ReplayCounts {
        self.shutdown();
        self.counts()
    }

    fn shutdown(&mut self) {
        if self.shared.stop.swap(true, Ordering::SeqCst) {
            return;
        }
        self.hold_calls(false);
        // Wake the accept loop.
        let _ = TcpStream::connect(self.addr);
        if let Some(accept) = self.accept.take() {
            let _ = accept.join();
        }
        for conn in lock(&self.shared.connections).drain(..) {
            let _ = conn.shutdown(Shutdown::Both);
        }
        if let Some(live) = lock(&self.shared.live).take() {
            let _ = live.shutdown(Shutdown::Both);
        }
    }
}

impl Drop for ReplayMaster {
    fn drop(&mut self) {
        self.shutdown();
    }
}

fn accept_loop(state: &Arc<State>, listener: TcpListener) {
    for incoming in listener.incoming() {
        if state.stop.load(Ordering::SeqCst) {
            break;
        }
        let Ok(tcp) = incoming else { continue };
        let _ = tcp.set_nodelay(true);
        if let Ok(clone) = tcp.try_clone() {
            lock(&state.connections).push(clone);
        }
        let state = Arc::clone(state);
        let _ = thread::Builder::new()
            .name("mesos-replay-conn".into())
            .spawn(move || {
                let _ = serve(&state, tcp);
            });
    }
}

const ACCEPTED: &[u8] = b"HTTP/1.1 202 Accepted\r\nContent-Length: 0\r\n\r\n";

fn serve(state: &State, tcp: TcpStream) -> io::Result<()> {
    let mut reader = BufReader::with_capacity(64 * 1024, tcp.try_clone()?);
    let mut writer = &tcp;
    // Answers to pipelined requests leave together, once no further request
    // is already buffered (each still answered before waiting for more).
    let mut answers = Vec::new();
    loop {
        if reader.buffer().is_empty() && !answers.is_empty() {
            writer.write_all(&answers)?;
            answers.clear();
        }
        let Ok(mut request) = read_head(&mut reader) else {
            return Ok(());
        };
        let Ok(body) = read_body(&mut reader, &request) else {
            return Ok(());
        };
        request.body = body;
        let encoding = request
            .header("Content-Type")
            .and_then(Encoding::from_content_type)
            .unwrap_or_default();
        let call = encoding.decode::<Call>(&request.body).ok();
        let kind = call.as_ref().and_then(|c| c.r#type);
        if kind == Some(CallType::SUBSCRIBE) {
            lock(&state.counts).subscribes += 1;
            writer.write_all(&answers)?;
            return stream(state, &tcp);
        }
        state.calls.fetch_add(1, Ordering::SeqCst);
        if let Some(ack) = call.as_ref().and_then(|c| c.acknowledge.as_ref()) {
            lock(&state.acked).push(ack.uuid.clone());
            state.acks.fetch_add(1, Ordering::SeqCst);
        }
        {
            let name = kind.and_then(|k| k.name()).unwrap_or("?");
            lock(&state.arrivals).push(name.to_string());
            let mut counts = lock(&state.counts);
            counts.calls += 1;
            *counts.by_type.entry(name.to_string()).or_insert(0) += 1;
        }
        let mut held = lock(&state.held);
        while *held && !state.stop.load(Ordering::SeqCst) {
            held = state.released.wait(held).unwrap_or_else(|p| p.into_inner());
        }
        drop(held);
        let delay = state.answer_delay_nanos.load(Ordering::SeqCst);
        if delay > 0 {
            thread::sleep(Duration::from_nanos(delay));
        }
        answers.extend_from_slice(ACCEPTED);
    }
}

/// Answers SUBSCRIBE: the whole file for the first subscriber (then the
/// stream stays open for [`ReplayMaster::push`]), SUBSCRIBED only for others.
fn stream(state: &State, tcp: &TcpStream) -> io::Result<()> {
    let head = stream_head(state.encoding);
    let mut out = BufWriter::with_capacity(64 * 1024, tcp);
    out.write_all(head.as_bytes())?;
    let first = !state.first_taken.swap(true, Ordering::SeqCst);
    if !first {
        write_chunk(&mut out, &state.subscribed)?;
        out.flush()?;
        return wait_for_close(tcp);
    }
    if !state.prefix.is_empty() {
        write_chunk(&mut out, &state.prefix)?;
    }
    match state.chunking {
        Chunking::PerRecord => {
            for frame in &state.frames {
                write_chunk(&mut out, &state.file[frame.clone()])?;
            }
        }
        Chunking::Bytes(size) => {
            for piece in state.file.chunks(size) {
                write_chunk(&mut out, piece)?;
            }
        }
    }
    out.flush()?;
    drop(out);
    *lock(&state.live) = Some(tcp.try_clone()?);
    state.file_written.store(true, Ordering::SeqCst);
    log::info!(
        "replayed {} records ({} bytes) to the first subscriber",
        state.frames.len(),
        state.file.len()
    );
    wait_for_close(tcp)
}

fn stream_head(encoding: Encoding) -> String {
    format!(
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nMesos-Stream-Id: replay-stream\r\nContent-Type: {}\r\n\r\n",
        encoding.content_type()
    )
}

fn write_chunk(out: &mut impl Write, payload: &[u8]) -> io::Result<()> {
    write!(out, "{:x}\r\n", payload.len())?;
    out.write_all(payload)?;
    out.write_all(b"\r\n")
}

/// Blocks until the subscriber closes its side (it sends nothing more).
fn wait_for_close(tcp: &TcpStream) -> io::Result<()> {
    let mut sink = [0u8; 256];
    let mut reader = tcp;
    while reader.read(&mut sink)? > 0 {}
    Ok(())
}
