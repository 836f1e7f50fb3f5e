//! Decode throughput of the SUBSCRIBE stream: RecordIO framing + codec → typed
//! [`Event`]s, for JSON and protobuf, measured against a floor in the same run:
//! serde_json parsing every JSON record into `serde::de::IgnoredAny` (the
//! least work any JSON decoder must do).
//!
//! The corpus (a realistic 64 MiB stream, same events in both encodings) is
//! made by `benches/make-corpus.sh`; the bench reads the directory named by
//! `MESOS_HTTP_BENCH_CORPUS` (default `target/bench-corpus`).
//!
//! ```text
//! cargo bench --bench decode                 # criterion, then a summary table
//! cargo bench --bench decode -- --summary    # interleaved rounds, table only
//! cargo bench --bench decode -- --only json 5 # passes of one figure (profiling)
//! ```
//!
//! Every figure reports MB/s of JSON payload (also for protobuf, whose payload
//! is smaller), so the numbers compare the time to deliver the same events.

use criterion::{BenchmarkId, Criterion, SamplingMode, Throughput};
use mesos_http::codec::Encoding;
use mesos_http::event::Event;
use mesos_http::recordio::Decoder;
use std::collections::BTreeMap;
use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

const GROUP: &str = "decode";

/// The figures, in table order: name, encoding (`None` = floor), chunk size.
const FIGURES: &[(&str, Option<Encoding>, usize)] = &[
    ("floor", None, 0),
    ("json", Some(Encoding::Json), 64 * 1024),
    ("json_4k", Some(Encoding::Json), 4 * 1024),
    ("json_16m", Some(Encoding::Json), 16 * 1024 * 1024),
    ("protobuf", Some(Encoding::Protobuf), 64 * 1024),
    ("protobuf_4k", Some(Encoding::Protobuf), 4 * 1024),
    ("protobuf_16m", Some(Encoding::Protobuf), 16 * 1024 * 1024),
];

struct Corpus {
    json_stream: Vec<u8>,
    pb_stream: Vec<u8>,
    /// Every JSON record, split out in advance for the floor.
    json_records: Vec<(usize, usize)>,
    json_payload_bytes: u64,
}

impl Corpus {
    fn stream(&self, encoding: Encoding) -> &[u8] {
        match encoding {
            Encoding::Json => &self.json_stream,
            Encoding::Protobuf => &self.pb_stream,
        }
    }
}

fn corpus_dir() -> PathBuf {
    std::env::var_os("MESOS_HTTP_BENCH_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("target/bench-corpus"))
}

fn load() -> Result<(Corpus, serde_json::Value), String> {
    let dir = corpus_dir();
    let read = |name: &str| {
        std::fs::read(dir.join(name)).map_err(|e| format!("{}: {e}", dir.join(name).display()))
    };
    let json_stream = read("corpus.json.rio")?;
    let pb_stream = read("corpus.pb.rio")?;
    let meta: serde_json::Value =
        serde_json::from_slice(&read("corpus.meta.json")?).map_err(|e| e.to_string())?;
    let mut json_records = Vec::new();
    let mut decoder = Decoder::new();
    let base = json_stream.as_ptr() as usize;
    decoder
        .decode(&json_stream, |r| {
            json_records.push((r.as_ptr() as usize - base, r.len()))
        })
        .map_err(|e| e.to_string())?;
    decoder.finish().map_err(|e| e.to_string())?;
    let json_payload_bytes = json_records.iter().map(|r| r.1 as u64).sum();
    Ok((
        Corpus {
            json_stream,
            pb_stream,
            json_records,
            json_payload_bytes,
        },
        meta,
    ))
}

/// Decodes a whole stream fed in `chunk`-sized pieces, calling `each` with
/// every event.
fn decode_stream(stream: &[u8], encoding: Encoding, chunk: usize, mut each: impl FnMut(Event)) {
    let mut decoder = Decoder::new();
    for piece in stream.chunks(chunk) {
        decoder
            .decode(piece, |record| match Event::decode(encoding, record) {
                Ok(event) => each(event),
                Err(e) => panic!("corpus record does not decode: {e}"),
            })
            .expect("corpus is valid RecordIO");
    }
    decoder.finish().expect("corpus ends between records");
}

/// Events per type name and offers, as `corpus.meta.json` counts them.
fn tally(corpus: &Corpus, encoding: Encoding) -> (BTreeMap<String, u64>, u64) {
    let mut by_type = BTreeMap::new();
    let mut offers = 0;
    decode_stream(corpus.stream(encoding), encoding, 64 * 1024, |event| {
        let name = event.kind().name().unwrap_or("?").to_string();
        *by_type.entry(name).or_insert(0) += 1;
        offers += event.offers().map_or(0, |o| o.len() as u64);
    });
    (by_type, offers)
}

/// Checks both encodings decode to the event and offer counts of the meta file.
fn check_counts(corpus: &Corpus, meta: &serde_json::Value) -> Result<(), String> {
    let want_types: BTreeMap<String, u64> = meta["by_type"]
        .as_object()
        .ok_or("corpus.meta.json: no by_type")?
        .iter()
        .map(|(k, v)| (k.clone(), v.as_u64().unwrap_or(0)))
        .collect();
    let want_offers = meta["offers"]
        .as_u64()
        .ok_or("corpus.meta.json: no offers")?;
    let want_events = meta["events"]
        .as_u64()
        .ok_or("corpus.meta.json: no events")?;
    let want_payload = meta["json_payload_bytes"].as_u64();
    if want_payload != Some(corpus.json_payload_bytes) {
        return Err(format!(
            "JSON payload is {} bytes, meta says {want_payload:?}",
            corpus.json_payload_bytes
        ));
    }
    if corpus.json_records.len() as u64 != want_events {
        return Err(format!(
            "{} JSON records, meta says {want_events} events",
            corpus.json_records.len()
        ));
    }
    for encoding in [Encoding::Json, Encoding::Protobuf] {
        let (types, offers) = tally(corpus, encoding);
        if types != want_types || offers != want_offers {
            return Err(format!(
                "{encoding:?} decodes to {types:?} with {offers} offers; meta says {want_types:?} with {want_offers}"
            ));
        }
    }
    eprintln!(
        "corpus checked: {want_events} events, {want_offers} offers, {} bytes of JSON payload, both encodings",
        corpus.json_payload_bytes
    );
    Ok(())
}

/// One pass of a figure over the whole corpus; returns a value to keep the
/// work observable.
fn run(corpus: &Corpus, encoding: Option<Encoding>, chunk: usize) -> u64 {
    match encoding {
        None => {
            let mut n = 0;
            for &(start, len) in &corpus.json_records {
                let record = &corpus.json_stream[start..start + len];
                let parsed: serde::de::IgnoredAny =
                    serde_json::from_slice(record).expect("corpus record is JSON");
                black_box(parsed);
                n += 1;
            }
            n
        }
        Some(encoding) => {
            let mut n = 0;
            decode_stream(corpus.stream(encoding), encoding, chunk, |event| {
                black_box(&event);
                n += 1;
            });
            n
        }
    }
}

fn criterion_benches(corpus: &Corpus) {
    let mut c = Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4))
        .configure_from_args();
    let mut group = c.benchmark_group(GROUP);
    group.sampling_mode(SamplingMode::Flat);
    group.throughput(Throughput::Bytes(corpus.json_payload_bytes));
    for &(name, encoding, chunk) in FIGURES {
        group.bench_function(BenchmarkId::from_parameter(name), |b| {
            b.iter(|| run(corpus, encoding, chunk))
        });
    }
    group.finish();
    c.final_summary();
}

/// Median seconds per pass as criterion recorded them, if it ran `name`.
fn criterion_estimate(name: &str) -> Option<f64> {
    let home = std::env::var_os("CRITERION_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("CARGO_TARGET_DIR").map(|t| Path::new(&t).join("criterion")))
        .unwrap_or_else(|| PathBuf::from("target/criterion"));
    let path = home.join(GROUP).join(name).join("new/estimates.json");
    let text = std::fs::read(path).ok()?;
    let v: serde_json::Value = serde_json::from_slice(&text).ok()?;
    v["median"]["point_estimate"].as_f64().map(|ns| ns / 1e9)
}

/// Interleaved rounds: every figure once per round, so machine load hits
/// them alike; medians per figure.
fn interleaved(corpus: &Corpus, rounds: usize) -> Vec<Option<f64>> {
    let mut times = vec![Vec::new(); FIGURES.len()];
    for round in 0..rounds {
        for (i, &(_, encoding, chunk)) in FIGURES.iter().enumerate() {
            let start = Instant::now();
            black_box(run(corpus, encoding, chunk));
            times[i].push(start.elapsed().as_secs_f64());
        }
        eprintln!("round {}/{rounds} done", round + 1);
    }
    times
        .into_iter()
        .map(|mut t| {
            t.sort_by(f64::total_cmp);
            t.get(t.len() / 2).copied()
        })
        .collect()
}

fn print_table(corpus: &Corpus, seconds: &[Option<f64>], source: &str) {
    let floor = seconds[0];
    let mb = corpus.json_payload_bytes as f64 / 1e6;
    println!("\nDecode throughput, {source} (MB/s of JSON payload, {mb:.1} MB)");
    println!("| figure | MB/s | × floor time |");
    println!("|---|---:|---:|");
    for (&(name, _, _), s) in FIGURES.iter().zip(seconds) {
        let Some(s) = s else {
            println!("| {name} | – | – |");
            continue;
        };
        let ratio = floor.map_or("–".to_string(), |f| format!("{:.2}", s / f));
        println!("| {name} | {:.0} | {ratio} |", mb / s);
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let bench_mode = args.iter().any(|a| a == "--bench");
    let (corpus, meta) = match load() {
        Ok(loaded) => loaded,
        Err(e) => {
            eprintln!(
                "decode bench: no corpus in {} ({e}).\n\
                 Generate it with `benches/make-corpus.sh` (needs protoc and Python's \
                 `protobuf`), or point MESOS_HTTP_BENCH_CORPUS at a directory holding \
                 corpus.json.rio, corpus.pb.rio and corpus.meta.json.",
                corpus_dir().display()
            );
            // Under `cargo test --benches` a missing corpus is not a failure.
            std::process::exit(if bench_mode { 1 } else { 0 });
        }
    };
    // `--only FIGURE`: one pass of one figure, unchecked and untimed, for
    // running under a profiler (`valgrind --tool=callgrind`).
    if let Some(at) = args.iter().position(|a| a == "--only") {
        let name = args.get(at + 1).map(String::as_str).unwrap_or("json");
        let Some(&(_, encoding, chunk)) = FIGURES.iter().find(|f| f.0 == name) else {
            eprintln!("decode bench: no figure named {name}");
            std::process::exit(1);
        };
        let passes = args.get(at + 2).and_then(|n| n.parse().ok()).unwrap_or(1);
        for _ in 0..passes {
            black_box(run(&corpus, encoding, chunk));
        }
        return;
    }
    if let Err(e) = check_counts(&corpus, &meta) {
        eprintln!("decode bench: corpus check failed: {e}");
        std::process::exit(1);
    }
    if let Some(at) = args.iter().position(|a| a == "--summary") {
        let rounds = args.get(at + 1).and_then(|r| r.parse().ok()).unwrap_or(7);
        let seconds = interleaved(&corpus, rounds);
        print_table(
            &corpus,
            &seconds,
            &format!("medians of {rounds} interleaved rounds"),
        );
        return;
    }
    criterion_benches(&corpus);
    if bench_mode {
        let seconds: Vec<Option<f64>> = FIGURES
            .iter()
            .map(|(name, _, _)| criterion_estimate(name))
            .collect();
        print_table(&corpus, &seconds, "criterion medians");
    }
}
