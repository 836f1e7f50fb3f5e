//! The SUBSCRIBE stream through the client (socket → reader thread →
//! channel → application), against floors measured in the same run on the
//! same bytes (the corpus replayed by the replay master over loopback):
//!
//! - decode-only: RecordIO framing + codec → typed events, from memory, in
//!   64 KiB pieces (the public `Decoder` and `Event::decode`);
//! - raw socket read: the same response read from a `TcpStream` into a
//!   buffer, nothing decoded.
//!
//! Client figures: one record per HTTP chunk (as a master writes), 4 KiB,
//! 1 MiB and 16 MiB chunks, and one acknowledgement per update (automatic
//! acknowledgement on: the time runs until the server has counted every
//! acknowledgement). Seconds per pass over the corpus; medians of
//! interleaved rounds.
//!
//! ```text
//! cargo bench --bench stream                          # summary (15 rounds, ~1 min)
//! cargo bench --bench stream -- --summary 5             # quicker, noisier
//! cargo bench --bench stream -- --only json client_ack  # one pass (profiling)
//! ```
//!
//! Why 15 rounds: one pass takes a few hundred milliseconds, and on a
//! 2-core machine its time moves by several per cent from pass to pass (four
//! threads, the replay master's among them, share the two cores). Medians of
//! 5 rounds put single ratios up to 10 % off from run to run; of 15, within
//! a few per cent.

mod support;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use mesos_http::codec::Encoding;
use mesos_http::event::Event;
use mesos_http::recordio::Decoder;
use mesos_http::{Item, Scheduler};
use mesos_http_sim::{Chunking, ReplayMaster};
use support::{arg, median, print_table, Row};

struct Corpus {
    encoding: Encoding,
    file: Vec<u8>,
    events: u64,
    /// UPDATEs carrying a uuid: the acknowledgements owed.
    acks: u64,
}

fn load(encoding: Encoding) -> Corpus {
    let name = match encoding {
        Encoding::Json => "corpus.json.rio",
        Encoding::Protobuf => "corpus.pb.rio",
    };
    let file = support::corpus_file(name);
    let (mut events, mut acks) = (0, 0);
    decode(&file, encoding, 64 * 1024, |event| {
        events += 1;
        acks += u64::from(event.acknowledgement().is_some());
    });
    Corpus {
        encoding,
        file,
        events,
        acks,
    }
}

fn decode(stream: &[u8], encoding: Encoding, chunk: usize, mut each: impl FnMut(Event)) {
    let mut decoder = Decoder::new();
    for piece in stream.chunks(chunk) {
        decoder
            .decode(piece, |record| {
                each(Event::decode(encoding, record).expect("corpus record decodes"))
            })
            .expect("corpus is RecordIO");
    }
    decoder.finish().expect("corpus ends between records");
}

#[derive(Clone, Copy, PartialEq, Debug)]
enum Figure {
    DecodeOnly,
    RawRead,
    Client(Chunking),
    ClientAck,
}

const FIGURES: &[(&str, Figure)] = &[
    ("decode", Figure::DecodeOnly),
    ("raw", Figure::RawRead),
    ("client", Figure::Client(Chunking::PerRecord)),
    ("client_4k", Figure::Client(Chunking::Bytes(4 << 10))),
    ("client_1m", Figure::Client(Chunking::Bytes(1 << 20))),
    ("client_16m", Figure::Client(Chunking::Bytes(16 << 20))),
    ("client_ack", Figure::ClientAck),
];

/// Seconds for one pass of `figure` over the corpus.
fn run(corpus: &Corpus, figure: Figure) -> f64 {
    match figure {
        Figure::DecodeOnly => {
            let start = Instant::now();
            let mut n = 0u64;
            decode(&corpus.file, corpus.encoding, 64 * 1024, |e| {
                std::hint::black_box(&e);
                n += 1;
            });
            assert_eq!(n, corpus.events);
            start.elapsed().as_secs_f64()
        }
        Figure::RawRead => {
            let master = ReplayMaster::start(corpus.file.clone(), Chunking::PerRecord, 0).unwrap();
            let total = master.first_stream_len();
            let body = corpus
                .encoding
                .encode(&mesos_http::call::subscribe(framework()));
            let start = Instant::now();
            let mut tcp = TcpStream::connect(master.addr()).unwrap();
            let head = format!(
                "POST /api/v1/scheduler HTTP/1.1\r\nHost: {}\r\nContent-Type: {ct}\r\nAccept: {ct}\r\nContent-Length: {}\r\n\r\n",
                master.addr(),
                body.len(),
                ct = corpus.encoding.content_type()
            );
            tcp.write_all(head.as_bytes()).unwrap();
            tcp.write_all(&body).unwrap();
            let mut buf = vec![0u8; 64 * 1024];
            let mut read = 0u64;
            while read < total {
                let n = tcp.read(&mut buf).unwrap();
                assert!(n > 0, "stream ended early");
                read += n as u64;
            }
            start.elapsed().as_secs_f64()
        }
        Figure::Client(chunking) => client_pass(corpus, chunking, false),
        Figure::ClientAck => client_pass(corpus, Chunking::PerRecord, true),
    }
}

fn framework() -> mesos_http::v1::FrameworkInfo {
    mesos_http::v1::FrameworkInfo {
        user: "bench".into(),
        name: "stream".into(),
        ..Default::default()
    }
}

/// Connect, receive every event (dropping each at once), and with `ack`
/// wait until the server has counted every acknowledgement.
fn client_pass(corpus: &Corpus, chunking: Chunking, ack: bool) -> f64 {
    let master = ReplayMaster::start(corpus.file.clone(), chunking, 0).unwrap();
    let start = Instant::now();
    let (scheduler, events) = Scheduler::builder(master.url().as_str())
        .framework(framework())
        .encoding(corpus.encoding)
        .auto_acknowledge(ack)
        .call_timeout(Duration::from_secs(30))
        .connect()
        .unwrap();
    let mut n = 0;
    while n < corpus.events {
        match events.recv_timeout(Duration::from_secs(60)) {
            Ok(Item::Event(received)) => {
                std::hint::black_box(&*received);
                n += 1;
            }
            Ok(_) => {}
            Err(e) => panic!("after {n} events: {e}"),
        }
    }
    if ack {
        let deadline = Instant::now() + Duration::from_secs(120);
        while master.acknowledgements() < corpus.acks {
            assert!(
                Instant::now() < deadline,
                "acknowledgements lost: {} of {}",
                master.acknowledgements(),
                corpus.acks
            );
            std::thread::sleep(Duration::from_micros(200));
        }
    }
    let seconds = start.elapsed().as_secs_f64();
    scheduler.close();
    drop(events);
    if ack {
        assert_eq!(
            master.acknowledgements(),
            corpus.acks,
            "every update acknowledged once"
        );
    }
    seconds
}

fn main() {
    let corpora: Vec<Corpus> = [Encoding::Json, Encoding::Protobuf].map(load).into();
    if !support::bench_mode() && !support::flag("--only") {
        return; // `cargo test --benches`: the corpus loads and checks.
    }
    if let Some(at) = std::env::args().position(|a| a == "--only") {
        let args: Vec<String> = std::env::args().collect();
        let enc = args.get(at + 1).map(String::as_str).unwrap_or("json");
        let name = args.get(at + 2).map(String::as_str).unwrap_or("client");
        let corpus = &corpora[usize::from(enc != "json")];
        let figure = FIGURES.iter().find(|f| f.0 == name).expect("figure").1;
        println!("{enc} {name}: {:.3} s", run(corpus, figure));
        return;
    }
    let rounds: usize = arg("--summary").unwrap_or(15);
    let mut times = vec![vec![Vec::new(); FIGURES.len()]; corpora.len()];
    for round in 0..rounds {
        for (c, corpus) in corpora.iter().enumerate() {
            for (i, &(_, figure)) in FIGURES.iter().enumerate() {
                times[c][i].push(run(corpus, figure));
            }
        }
        eprintln!("round {}/{rounds} done", round + 1);
    }
    let mut rows = Vec::new();
    for (c, corpus) in corpora.iter().enumerate() {
        let m: Vec<f64> = times[c].iter_mut().map(|t| median(t) * 1e3).collect();
        let enc = match corpus.encoding {
            Encoding::Json => "JSON",
            Encoding::Protobuf => "protobuf",
        };
        let (decode_ms, raw_ms, client_ms) = (m[0], m[1], m[2]);
        rows.push(Row::new(
            format!("{enc}: through the client"),
            client_ms,
            "decode-only",
            decode_ms,
        ));
        rows.push(Row::new(
            format!("{enc}: raw socket read"),
            raw_ms,
            "decode-only",
            decode_ms,
        ));
        for (i, label) in [
            (3, "4 KiB chunks"),
            (4, "1 MiB chunks"),
            (5, "16 MiB chunks"),
        ] {
            rows.push(Row::new(
                format!("{enc}: client, {label}"),
                m[i],
                "client, one record per chunk",
                client_ms,
            ));
        }
        rows.push(Row::new(
            format!("{enc}: client, one ack per update"),
            m[6],
            "client, no acks",
            client_ms,
        ));
    }
    let first = &corpora[0];
    print_table(
        &format!(
            "Stream ({} events, {} acknowledgements owed; ms per pass, medians of {rounds} interleaved rounds)",
            first.events, first.acks
        ),
        "ms",
        &rows,
    );
}
