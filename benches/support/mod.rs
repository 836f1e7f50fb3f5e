//! What the client benches share: the corpus, the replay master, interleaved
//! rounds and the summary table (every figure beside its floor, as a ratio).
#![allow(dead_code)]

use std::time::Duration;

pub mod corpus;

/// Reads one corpus file, generating the corpus first if it is missing (see
/// [`corpus`]); under `cargo test --benches`, where nothing is timed and the
/// corpus is not generated, a missing corpus ends the bench with status 0.
pub fn corpus_file(name: &str) -> Vec<u8> {
    let dir = if bench_mode() || flag("--only") {
        match corpus::ensure() {
            Ok(dir) => dir,
            Err(e) => {
                eprintln!(
                    "cannot generate the corpus in {}: {e}",
                    corpus::dir().display()
                );
                std::process::exit(1);
            }
        }
    } else {
        corpus::dir()
    };
    let path = dir.join(name);
    match std::fs::read(&path) {
        Ok(bytes) => bytes,
        Err(e) => {
            eprintln!(
                "no corpus at {} ({e}): run `cargo bench` or `benches/make-corpus.sh` to generate it",
                path.display()
            );
            std::process::exit(if bench_mode() { 1 } else { 0 });
        }
    }
}

/// The value after `flag` on the command line, parsed.
pub fn arg<T: std::str::FromStr>(flag: &str) -> Option<T> {
    let args: Vec<String> = std::env::args().collect();
    let at = args.iter().position(|a| a == flag)?;
    args.get(at + 1).and_then(|v| v.parse().ok())
}

/// Whether `flag` is on the command line.
pub fn flag(flag: &str) -> bool {
    std::env::args().any(|a| a == flag)
}

/// Whether this is a real run (`cargo bench`) rather than `cargo test --benches`.
pub fn bench_mode() -> bool {
    flag("--bench") || flag("--summary")
}

/// The median of `samples` (sorted in place).
pub fn median(samples: &mut [f64]) -> f64 {
    percentile(samples, 0.5)
}

/// The `p` quantile (0..1) of `samples` (sorted in place), nearest rank.
pub fn percentile(samples: &mut [f64], p: f64) -> f64 {
    if samples.is_empty() {
        return f64::NAN;
    }
    samples.sort_by(f64::total_cmp);
    let rank = ((samples.len() as f64 * p).ceil() as usize).clamp(1, samples.len());
    samples[rank - 1]
}

/// One row of a summary table: a figure, its value, the floor's name and
/// value (same unit, measured in the same run).
pub struct Row {
    pub figure: String,
    pub value: f64,
    pub floor: String,
    pub floor_value: f64,
}

impl Row {
    pub fn new(
        figure: impl Into<String>,
        value: f64,
        floor: impl Into<String>,
        floor_value: f64,
    ) -> Self {
        Row {
            figure: figure.into(),
            value,
            floor: floor.into(),
            floor_value,
        }
    }
}

/// Prints a markdown table, ready to paste into docs/performance.md.
pub fn print_table(title: &str, unit: &str, rows: &[Row]) {
    println!("\n{title}");
    println!("| figure | {unit} | floor | {unit} | ratio |");
    println!("|---|---:|---|---:|---:|");
    for row in rows {
        println!(
            "| {} | {} | {} | {} | {:.2} |",
            row.figure,
            fmt(row.value),
            row.floor,
            fmt(row.floor_value),
            row.value / row.floor_value
        );
    }
}

fn fmt(v: f64) -> String {
    if v >= 100.0 {
        format!("{v:.0}")
    } else if v >= 10.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.2}")
    }
}

/// Criterion with the settings every client bench uses: few samples, short.
pub fn criterion() -> criterion::Criterion {
    criterion::Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3))
        .configure_from_args()
}

/// A scheduler subscribed at `master_url` as framework `name`, returned once
/// the SUBSCRIBED event (the last item a subscription delivers) has been
/// taken, with the framework id the master gave.
pub fn subscribed_scheduler(
    master_url: &str,
    name: &str,
    encoding: mesos_http::codec::Encoding,
) -> (
    mesos_http::Scheduler,
    mesos_http::Events,
    mesos_http::v1::FrameworkID,
) {
    let (scheduler, events) = mesos_http::Scheduler::builder(master_url)
        .framework(mesos_http::v1::FrameworkInfo {
            user: "bench".into(),
            name: name.into(),
            ..Default::default()
        })
        .encoding(encoding)
        .connect()
        .expect("connect");
    loop {
        let item = events
            .recv_timeout(Duration::from_secs(10))
            .expect("SUBSCRIBED");
        if let mesos_http::Item::Event(received) = item {
            if let mesos_http::event::Event::Subscribed(s) = &*received {
                let framework_id = s.framework_id.clone();
                return (scheduler, events, framework_id);
            }
        }
    }
}
