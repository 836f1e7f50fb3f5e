//! The cost of one call through the [`Scheduler`] handle, against floors
//! measured in the same run on the same loopback server (the replay master,
//! which answers every call 202 at once):
//!
//! - a bare ureq `Agent` POST loop with the same body and headers;
//! - a raw keep-alive POST loop on a `TcpStream` (request written in one
//!   `write`, response head read with one `read`).
//!
//! Each with 1 thread, and with 4 threads sharing one handle / one agent (raw:
//! one connection per thread). Figures are µs per call (wall time divided by
//! calls made by all threads), medians of interleaved rounds.
//!
//! ```text
//! cargo bench --bench calls                     # summary table (5 rounds)
//! cargo bench --bench calls -- --summary 9      # more rounds
//! cargo bench --bench calls -- --calls 5000     # calls per figure per round
//! cargo bench --bench calls -- --criterion      # criterion first, then the table
//! cargo bench --bench calls -- --only client 1 20000  # one figure (profiling)
//! cargo bench --bench calls -- --acks 5000      # acknowledgement cases only
//! ```
//!
//! The acknowledgement cases (`--acks N`, N updates or acknowledgements):
//!
//! - on the instant master, a stream of N updates consumed with one
//!   automatic acknowledgement per update (the time until the master has
//!   counted all N) against the same stream with no acknowledgement
//!   (bound: within 5x);
//! - on a master that answers each call after 1 ms (a round trip away), N
//!   background acknowledgements against N blocking `acknowledge` calls
//!   one at a time (bound: background at least 4x faster).

mod support;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use mesos_http::codec::Encoding;
use mesos_http::v1::{self, AgentID, TaskID, TaskState, TaskStatus};
use mesos_http::{call, Scheduler};
use mesos_http_sim::{Chunking, ReplayMaster};
use support::{arg, flag, median, print_table, Row};

const ENCODING: Encoding = Encoding::Protobuf;

/// What every figure sends: an ACKNOWLEDGE, as the client encodes it.
struct Target {
    master: ReplayMaster,
    scheduler: Scheduler,
    status: TaskStatus,
    body: Vec<u8>,
    raw_request: Vec<u8>,
}

fn setup() -> Target {
    let master = ReplayMaster::start(Vec::new(), Chunking::PerRecord, 0).expect("replay master");
    let (scheduler, events, framework_id) =
        support::subscribed_scheduler(master.url().as_str(), "calls", ENCODING);
    // Keep the channel drained in the background.
    thread::spawn(move || for _ in events.iter() {});
    let status = TaskStatus {
        task_id: TaskID {
            value: "bench-task-0001".into(),
        },
        state: TaskState::TASK_RUNNING,
        agent_id: Some(AgentID {
            value: "bench-agent-S0".into(),
        }),
        uuid: Some(vec![0x42; 16]),
        ..Default::default()
    };
    let ack = call::acknowledge_update(&status).expect("an acknowledgement");
    let body = ENCODING.encode(&call::with_framework_id(ack, framework_id));
    let raw_request = format!(
        "POST /api/v1/scheduler HTTP/1.1\r\nHost: {}\r\nContent-Type: {ct}\r\nAccept: {ct}\r\nMesos-Stream-Id: replay-stream\r\nContent-Length: {}\r\n\r\n",
        master.addr(),
        body.len(),
        ct = ENCODING.content_type()
    );
    let mut raw_request = raw_request.into_bytes();
    raw_request.extend_from_slice(&body);
    Target {
        master,
        scheduler,
        status,
        body,
        raw_request,
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Figure {
    Raw,
    Ureq,
    Client,
}

const FIGURES: &[(&str, Figure)] = &[
    ("raw", Figure::Raw),
    ("ureq", Figure::Ureq),
    ("client", Figure::Client),
];

fn raw_loop(target: &Target, calls: usize) {
    let mut tcp = TcpStream::connect(target.master.addr()).expect("connect");
    tcp.set_nodelay(true).expect("nodelay");
    let mut buf = [0u8; 1024];
    for _ in 0..calls {
        tcp.write_all(&target.raw_request).expect("write");
        let mut have = 0;
        // The whole response is one small segment: usually one read.
        loop {
            let n = tcp.read(&mut buf[have..]).expect("read");
            assert!(n > 0, "server closed");
            have += n;
            if buf[..have].ends_with(b"\r\n\r\n") {
                break;
            }
        }
        assert!(buf.starts_with(b"HTTP/1.1 202"), "not accepted");
    }
}

fn ureq_loop(agent: &ureq::Agent, target: &Target, calls: usize) {
    let url = format!("{}/api/v1/scheduler", target.master.url());
    let ct = ENCODING.content_type();
    for _ in 0..calls {
        let response = agent
            .post(&url)
            .header("Content-Type", ct)
            .header("Accept", ct)
            .header("Mesos-Stream-Id", "replay-stream")
            .send(&target.body[..])
            .expect("post");
        assert_eq!(response.status().as_u16(), 202);
        let _ = response.into_body().read_to_vec();
    }
}

fn client_loop(target: &Target, calls: usize) {
    for _ in 0..calls {
        target
            .scheduler
            .acknowledge(&target.status)
            .expect("acknowledge");
    }
}

/// µs per call for `figure` with `threads` threads making `calls` each.
fn measure(
    target: &Arc<Target>,
    agent: &ureq::Agent,
    figure: Figure,
    threads: usize,
    calls: usize,
) -> f64 {
    let start = Instant::now();
    thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| match figure {
                Figure::Raw => raw_loop(target, calls),
                Figure::Ureq => ureq_loop(agent, target, calls),
                Figure::Client => client_loop(target, calls),
            });
        }
    });
    start.elapsed().as_secs_f64() * 1e6 / (threads * calls) as f64
}

/// A RecordIO stream of `n` status updates, each with its own uuid.
fn updates_file(n: u32) -> Vec<u8> {
    let mut out = Vec::new();
    for i in 0..n {
        let event = v1::scheduler::Event {
            r#type: Some(v1::scheduler::event::Type::UPDATE),
            update: Some(v1::scheduler::event::Update {
                status: update_status(i),
            }),
            ..Default::default()
        };
        mesos_http::recordio::encode(&ENCODING.encode(&event), &mut out);
    }
    out
}

fn update_status(i: u32) -> TaskStatus {
    let mut uuid = [0x5au8; 16];
    uuid[..4].copy_from_slice(&i.to_be_bytes());
    TaskStatus {
        task_id: TaskID {
            value: format!("bench-task-{i}"),
        },
        state: TaskState::TASK_RUNNING,
        agent_id: Some(AgentID {
            value: "bench-agent-S0".into(),
        }),
        uuid: Some(uuid.to_vec()),
        ..Default::default()
    }
}

/// Waits (polling: this is a benchmark, not a test) until the master has
/// counted `n` acknowledgements.
fn until_acknowledged(master: &ReplayMaster, n: u64) {
    let deadline = Instant::now() + Duration::from_secs(120);
    while master.acknowledgements() < n {
        assert!(Instant::now() < deadline, "acknowledgements never arrived");
        thread::sleep(Duration::from_micros(200));
    }
}

/// Seconds to consume a stream of `n` updates, acknowledging each
/// automatically (until the master counted them all) or not at all.
fn stream_of_updates(n: u32, acknowledge: bool) -> f64 {
    let master =
        ReplayMaster::start(updates_file(n), Chunking::PerRecord, 0).expect("replay master");
    let (scheduler, events) = Scheduler::builder(master.url())
        .framework(v1::FrameworkInfo {
            user: "bench".into(),
            name: "acks".into(),
            ..Default::default()
        })
        .encoding(ENCODING)
        .auto_acknowledge(acknowledge)
        .connect()
        .expect("connect");
    let start = Instant::now();
    let mut updates = 0;
    while updates < n {
        let item = events
            .recv_timeout(Duration::from_secs(60))
            .expect("the next event");
        if let mesos_http::Item::Event(received) = item {
            if matches!(&*received, mesos_http::event::Event::Update(_)) {
                updates += 1;
            }
        }
    }
    if acknowledge {
        until_acknowledged(&master, u64::from(n));
    }
    let took = start.elapsed().as_secs_f64();
    scheduler.close();
    took
}

/// Seconds to acknowledge `n` updates at a master that answers each call
/// after `delay`: in the background, or one blocking call at a time.
fn acknowledgements_at(delay: Duration, n: u32, background: bool) -> f64 {
    let master = ReplayMaster::start(Vec::new(), Chunking::PerRecord, 0).expect("replay master");
    master.answer_after(delay);
    let (scheduler, events, _) = support::subscribed_scheduler(&master.url(), "acks", ENCODING);
    thread::spawn(move || for _ in events.iter() {});
    let statuses: Vec<TaskStatus> = (0..n).map(update_status).collect();
    let start = Instant::now();
    for status in &statuses {
        if background {
            scheduler.acknowledge_in_background(status).expect("queued");
        } else {
            scheduler.acknowledge(status).expect("acknowledged");
        }
    }
    until_acknowledged(&master, u64::from(n));
    let took = start.elapsed().as_secs_f64();
    scheduler.close();
    took
}

/// The acknowledgement cases (see the module docs), `n` each.
fn acks(n: u32) {
    let no_ack = stream_of_updates(n, false);
    let per_update = stream_of_updates(n, true);
    let slow = Duration::from_millis(1);
    let background = acknowledgements_at(slow, n, true);
    let blocking = acknowledgements_at(slow, n, false);
    let us = |secs: f64| secs * 1e6 / f64::from(n);
    println!("Acknowledgements ({ENCODING:?}, {n} per case; µs per update)");
    println!(
        "  instant master: one ACK per update {:.1}, no ACK {:.1}: {:.2}x (bound: within 5x)",
        us(per_update),
        us(no_ack),
        per_update / no_ack
    );
    println!(
        "  1 ms master: blocking one at a time {:.1}, background {:.1}: background {:.2}x faster (bound: at least 4x)",
        us(blocking),
        us(background),
        blocking / background
    );
}

fn main() {
    if !support::bench_mode() && !flag("--only") {
        // `cargo test --benches`: a quick smoke run.
        let target = Arc::new(setup());
        let agent = ureq::Agent::new_with_defaults();
        for &(_, figure) in FIGURES {
            measure(&target, &agent, figure, 2, 20);
        }
        acks(20);
        return;
    }
    if let Some(n) = arg::<u32>("--acks") {
        acks(n);
        return;
    }
    let target = Arc::new(setup());
    let agent: ureq::Agent = ureq::Agent::new_with_defaults();
    if let Some(name) = arg::<String>("--only") {
        let figure = FIGURES.iter().find(|f| f.0 == name).expect("figure").1;
        let args: Vec<String> = std::env::args().collect();
        let at = args.iter().position(|a| a == "--only").unwrap();
        let threads = args.get(at + 2).and_then(|v| v.parse().ok()).unwrap_or(1);
        let calls = args
            .get(at + 3)
            .and_then(|v| v.parse().ok())
            .unwrap_or(10_000);
        println!(
            "{:.1} µs/call",
            measure(&target, &agent, figure, threads, calls)
        );
        return;
    }
    let calls: usize = arg("--calls").unwrap_or(2000);
    if flag("--criterion") {
        let mut c = support::criterion();
        let mut group = c.benchmark_group("calls");
        for &(name, figure) in FIGURES {
            for threads in [1, 4] {
                group.bench_function(format!("{name}_{threads}t"), |b| {
                    b.iter_custom(|iters| {
                        let per = measure(&target, &agent, figure, threads, iters as usize);
                        Duration::from_secs_f64(per * 1e-6 * iters as f64)
                    })
                });
            }
        }
        group.finish();
    }
    let rounds: usize = arg("--summary").unwrap_or(5);
    // Warm-up: connections open, pools filled.
    for &(_, figure) in FIGURES {
        measure(&target, &agent, figure, 4, 200);
    }
    let mut times = vec![Vec::new(); FIGURES.len() * 2];
    for round in 0..rounds {
        for (i, &(_, figure)) in FIGURES.iter().enumerate() {
            for (j, threads) in [1, 4].into_iter().enumerate() {
                times[i * 2 + j].push(measure(&target, &agent, figure, threads, calls / threads));
            }
        }
        eprintln!("round {}/{rounds} done", round + 1);
    }
    let m: Vec<f64> = times.iter_mut().map(|t| median(t)).collect();
    let (raw1, raw4, ureq1, ureq4, client1, client4) = (m[0], m[1], m[2], m[3], m[4], m[5]);
    let rows = [
        Row::new(
            "`Scheduler::acknowledge`, 1 thread",
            client1,
            "bare ureq Agent POST",
            ureq1,
        ),
        Row::new(
            "`Scheduler::acknowledge`, 4 threads",
            client4,
            "bare ureq Agent POST",
            ureq4,
        ),
        Row::new(
            "`Scheduler::acknowledge`, 1 thread",
            client1,
            "raw TcpStream POST",
            raw1,
        ),
        Row::new(
            "`Scheduler::acknowledge`, 4 threads",
            client4,
            "raw TcpStream POST",
            raw4,
        ),
        Row::new(
            "bare ureq Agent POST, 1 thread",
            ureq1,
            "raw TcpStream POST",
            raw1,
        ),
        Row::new(
            "bare ureq Agent POST, 4 threads",
            ureq4,
            "raw TcpStream POST",
            raw4,
        ),
    ];
    print_table(
        &format!(
            "Calls ({ENCODING:?} ACKNOWLEDGE, {} bytes; µs per call, medians of {rounds} interleaved rounds of {calls} calls)",
            target.body.len()
        ),
        "µs/call",
        &rows,
    );
    println!("server counted {} calls", target.master.calls());
}
