//! Latency from the master's write to the application's `recv`, p50 to
//! p99.9, against a floor measured in the same run: a raw TCP ping-pong on
//! loopback (one thread writes the same HTTP chunk, another thread blocked in
//! `read` takes it; for an OFFERS event that thread then decodes the record,
//! the work the client cannot skip).
//!
//! Events: a HEARTBEAT (a small event on an idle stream), and the largest
//! OFFERS event of the corpus (a large event being decoded). Each sample
//! waits for the previous one to arrive, so nothing queues; floor and client
//! samples alternate one by one, so noise on the machine hits both alike. In
//! both, the event is dropped after the time is taken (the application's
//! business after `recv`).
//!
//! ```text
//! cargo bench --bench latency                    # summary (5 rounds, ~40 s)
//! cargo bench --bench latency -- --gap-us 1000 --samples 4000 --offers 2000
//!                                                # every event on an idle stream (~3 min)
//! cargo bench --bench latency -- --only OFFERS    # the cases whose name has this
//! ```
//!
//! `--samples` counts HEARTBEATs per round, `--offers` OFFERS events (a
//! tenth of `--samples` unless given).
//! A tail percentile needs many samples to hold still: on the 2-core
//! virtual machine this was written on, the largest JSON OFFERS event's p99
//! moved between −61 and +179 µs from its floor from run to run with 3,000
//! samples, and between −37 and +33 µs with 10,000 (the defaults: 5 rounds
//! of 2,000).
//!
//! Back to back (the default), the threads involved are still awake when the
//! next sample starts; with `--gap-us`, every sample starts after that pause,
//! so each thread on the path is woken from idle, as on a quiet stream.

mod support;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::thread;
use std::time::{Duration, Instant};

use crossbeam_channel::bounded;
use mesos_http::codec::Encoding;
use mesos_http::event::Event;
use mesos_http::recordio::Decoder;
use mesos_http::v1::scheduler::event::Type as EventType;
use mesos_http::{Item, Scheduler};
use mesos_http_sim::{Chunking, ReplayMaster};
use support::{arg, percentile, print_table, Row};

/// The largest OFFERS record of the corpus in `encoding`.
fn largest_offers(encoding: Encoding) -> Vec<u8> {
    let name = match encoding {
        Encoding::Json => "corpus.json.rio",
        Encoding::Protobuf => "corpus.pb.rio",
    };
    let file = support::corpus_file(name);
    let mut best: Vec<u8> = Vec::new();
    let mut decoder = Decoder::new();
    decoder
        .decode(&file, |record| {
            if record.len() > best.len()
                && Event::decode(encoding, record).is_ok_and(|e| e.kind() == EventType::OFFERS)
            {
                best = record.to_vec();
            }
        })
        .expect("corpus is RecordIO");
    best
}

fn heartbeat(encoding: Encoding) -> Vec<u8> {
    encoding.encode(&mesos_http::v1::scheduler::Event {
        r#type: Some(EventType::HEARTBEAT),
        ..Default::default()
    })
}

/// Floor: a raw TCP connection and a thread blocked in `read` that reads
/// each chunk straight into one buffer of the chunk's size (no copy but the
/// kernel's) and, for an OFFERS event, decodes it there, then reports the
/// time; the event is dropped after that, as an application drops it after
/// `recv`.
struct Raw {
    writer: TcpStream,
    chunk: Vec<u8>,
    done: crossbeam_channel::Receiver<Instant>,
    reading: Option<thread::JoinHandle<()>>,
}

impl Raw {
    fn start(record: &[u8], encoding: Encoding, decode: bool) -> Raw {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let writer = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        let (mut reader, _) = listener.accept().unwrap();
        writer.set_nodelay(true).unwrap();
        let chunk = ReplayMaster::http_chunk(record);
        let len = chunk.len();
        let record_len = record.len();
        let (done_tx, done) = bounded::<Instant>(1);
        // Named, so that a profile tells it from the client's reader.
        let reading = thread::Builder::new()
            .name("floor-read".into())
            .spawn(move || {
                let mut whole = vec![0u8; len];
                loop {
                    if reader.read_exact(&mut whole).is_err() {
                        return;
                    }
                    let event = decode.then(|| {
                        let start = len - 2 - record_len;
                        Event::decode(encoding, &whole[start..len - 2]).unwrap()
                    });
                    if done_tx.send(Instant::now()).is_err() {
                        return;
                    }
                    drop(std::hint::black_box(event));
                }
            })
            .unwrap();
        Raw {
            writer,
            chunk,
            done,
            reading: Some(reading),
        }
    }

    /// µs from the write to the reading thread having the (decoded) record.
    fn sample(&mut self) -> f64 {
        let t0 = Instant::now();
        self.writer.write_all(&self.chunk).unwrap();
        let t1 = self.done.recv().unwrap();
        (t1 - t0).as_secs_f64() * 1e6
    }
}

impl Drop for Raw {
    fn drop(&mut self) {
        let _ = self.writer.shutdown(std::net::Shutdown::Both);
        if let Some(reading) = self.reading.take() {
            let _ = reading.join();
        }
    }
}

/// A replay file of one SUBSCRIBED record in `encoding`: the replay master
/// serves a file's encoding (an empty file would be JSON for both).
fn subscribed_file(encoding: Encoding) -> Vec<u8> {
    use mesos_http::v1::scheduler::event::Subscribed;
    let record = encoding.encode(&mesos_http::v1::scheduler::Event {
        r#type: Some(EventType::SUBSCRIBED),
        subscribed: Some(Subscribed {
            framework_id: mesos_http::v1::FrameworkID {
                value: "latency".into(),
            },
            heartbeat_interval_seconds: Some(15.0),
            master_info: None,
        }),
        ..Default::default()
    });
    mesos_http::recordio::encode_to_vec(&record)
}

/// Client: the replay master and a subscribed scheduler.
struct Client {
    master: ReplayMaster,
    scheduler: Scheduler,
    events: mesos_http::Events,
    chunk: Vec<u8>,
}

impl Client {
    fn start(record: &[u8], encoding: Encoding) -> Client {
        let master =
            ReplayMaster::start(subscribed_file(encoding), Chunking::PerRecord, 0).unwrap();
        let (scheduler, events, _) =
            support::subscribed_scheduler(master.url().as_str(), "latency", encoding);
        while !master.file_written() {
            thread::sleep(Duration::from_millis(1));
        }
        Client {
            master,
            scheduler,
            events,
            chunk: ReplayMaster::http_chunk(record),
        }
    }

    /// µs from the master's write to `recv` returning the event.
    fn sample(&mut self) -> f64 {
        let t0 = Instant::now();
        self.master.push_chunk(&self.chunk).unwrap();
        loop {
            if let Item::Event(e) = self.events.recv_timeout(Duration::from_secs(10)).unwrap() {
                let t1 = Instant::now();
                std::hint::black_box(&*e);
                return (t1 - t0).as_secs_f64() * 1e6;
            }
        }
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        self.scheduler.close();
    }
}

fn main() {
    let offers = [Encoding::Json, Encoding::Protobuf].map(largest_offers);
    if !support::bench_mode() {
        return;
    }
    let rounds: usize = arg("--summary").unwrap_or(5);
    let samples: usize = arg("--samples").unwrap_or(20_000);
    let offers_samples: usize = arg("--offers").unwrap_or(samples / 10);
    let gap = Duration::from_micros(arg("--gap-us").unwrap_or(0));
    let only: Option<String> = arg("--only");
    let mut cases: Vec<(String, Vec<u8>, Encoding, bool, usize)> = vec![
        (
            "HEARTBEAT, JSON".into(),
            heartbeat(Encoding::Json),
            Encoding::Json,
            false,
            samples,
        ),
        (
            "HEARTBEAT, protobuf".into(),
            heartbeat(Encoding::Protobuf),
            Encoding::Protobuf,
            false,
            samples,
        ),
        (
            format!("OFFERS ({} KB), JSON", offers[0].len() / 1000),
            offers[0].clone(),
            Encoding::Json,
            true,
            offers_samples,
        ),
        (
            format!("OFFERS ({} KB), protobuf", offers[1].len() / 1000),
            offers[1].clone(),
            Encoding::Protobuf,
            true,
            offers_samples,
        ),
    ];
    cases.retain(|(name, ..)| {
        only.as_ref()
            .is_none_or(|only| name.contains(only.as_str()))
    });
    let mut floor = vec![Vec::new(); cases.len()];
    let mut client = vec![Vec::new(); cases.len()];
    for round in 0..rounds {
        for (i, (_, record, encoding, decode, n)) in cases.iter().enumerate() {
            // Sample by sample, floor and client alternating, so that a
            // burst of noise on the machine lands on both alike.
            let mut raw = Raw::start(record, *encoding, *decode);
            let mut through_client = Client::start(record, *encoding);
            for _ in 0..*n {
                floor[i].push(raw.sample());
                thread::sleep(gap);
                client[i].push(through_client.sample());
                thread::sleep(gap);
            }
        }
        eprintln!("round {}/{rounds} done", round + 1);
    }
    let mut rows = Vec::new();
    for (i, (name, _, _, decode, _)) in cases.iter().enumerate() {
        let floor_name = if *decode {
            "raw TCP + decode"
        } else {
            "raw TCP"
        };
        for (p, label) in [(0.5, "p50"), (0.9, "p90"), (0.99, "p99"), (0.999, "p99.9")] {
            let c = percentile(&mut client[i], p);
            let f = percentile(&mut floor[i], p);
            rows.push(Row::new(
                format!("{name}: write → recv {label} ({:+.0} µs)", c - f),
                c,
                format!("{floor_name} {label}"),
                f,
            ));
        }
    }
    print_table(
        &format!(
            "Latency (µs, {rounds} rounds of {samples} heartbeats / {} offers, {} µs between samples)",
            offers_samples,
            gap.as_micros()
        ),
        "µs",
        &rows,
    );
}
