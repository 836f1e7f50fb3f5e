//! The benchmark corpus: a deterministic, realistic SUBSCRIBE stream of a busy
//! framework, written as RecordIO in both encodings with identical events.
//!
//! The stream is SUBSCRIBED, HEARTBEAT, then one simulated second at a time:
//! one OFFERS event (10–100 offers from distinct agents of 2,000, each with
//! cpus, mem, disk and ports ranges and 3–6 attributes), 50–250 task UPDATEs
//! (every state a task passes through, version-4 uuids), now and then a
//! RESCIND of a recent offer, in shuffled order, and a HEARTBEAT every 15
//! seconds; until the JSON payload reaches the requested size. The benches'
//! corpus (64 MiB, seed 1) has 84,373 events: SUBSCRIBED, 556 OFFERS of
//! 11.5–118 KB carrying 31,319 offers, 83,725 UPDATEs of 363 bytes on
//! average, 38 HEARTBEATs and 53 RESCINDs.
//!
//! Events are built as [`mesos_http::v1`] values and written by the library's
//! own codecs, so the corpus needs nothing outside this repository and is
//! exactly what a master writes. The same seed and size always give the
//! same bytes. Files written to the output directory: `corpus.json.rio`,
//! `corpus.pb.rio` and `corpus.meta.json` (the counts the benches check).

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use fastrand::Rng;
use mesos_http::codec::Encoding;
use mesos_http::recordio;
use mesos_http::v1::scheduler::event::{self, Offers, Rescind, Subscribed, Update};
use mesos_http::v1::scheduler::Event;
use mesos_http::v1::task_status::{Reason, Source};
use mesos_http::v1::value::{Range, Ranges, Scalar, Text, Type as ValueType};
use mesos_http::v1::{
    network_info, resource, Address, AgentID, Attribute, ContainerID, ContainerStatus, ExecutorID,
    FrameworkID, MasterInfo, NetworkInfo, Offer, OfferID, Resource, TaskID, TaskState, TaskStatus,
    URL,
};

/// The size of the benches' corpus: MiB of JSON payload.
pub const DEFAULT_MIB: f64 = 64.0;
/// The seed of the benches' corpus.
pub const DEFAULT_SEED: u64 = 1;
/// Agents in the simulated cluster (offers come from distinct agents).
const AGENTS: usize = 2000;

const ATTR_TEXT: &[(&str, &[&str])] = &[
    (
        "instance_type",
        &["m5.4xlarge", "c6i.8xlarge", "r6g.2xlarge"],
    ),
    ("os", &["debian12", "ubuntu22.04", "rhel9"]),
    ("pool", &["default", "batch", "gpu", "ingest"]),
    ("zone", &["us-east-1a", "us-east-1b", "us-east-1c"]),
];
const ATTR_SCALAR: &[(&str, &[f64])] = &[
    ("generation", &[2.0, 3.0, 4.0]),
    ("network_gbps", &[10.0, 25.0, 40.0]),
    ("ssd_count", &[0.0, 1.0, 2.0, 4.0]),
];

/// What was written: the counts `corpus.meta.json` holds.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Meta {
    /// Events per type name (`OFFERS`, `UPDATE`, ...).
    pub by_type: BTreeMap<String, u64>,
    /// Events in all.
    pub events: u64,
    /// Offers over all OFFERS events.
    pub offers: u64,
    /// Payload bytes (RecordIO headers excluded) of the JSON stream.
    pub json_payload_bytes: u64,
    /// Payload bytes of the protobuf stream.
    pub pb_payload_bytes: u64,
    /// The smallest and largest OFFERS event, JSON bytes.
    pub offers_bytes: (u64, u64),
}

/// The corpus directory the benches use: `MESOS_HTTP_BENCH_CORPUS`, by
/// default `target/bench-corpus`.
pub fn dir() -> PathBuf {
    std::env::var_os("MESOS_HTTP_BENCH_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("target/bench-corpus"))
}

/// The corpus directory, with the default corpus generated there first if
/// its files are missing (about a second in a release build).
pub fn ensure() -> std::io::Result<PathBuf> {
    let dir = dir();
    let complete = ["corpus.json.rio", "corpus.pb.rio", "corpus.meta.json"]
        .iter()
        .all(|name| dir.join(name).is_file());
    if !complete {
        eprintln!("generating the benchmark corpus in {}", dir.display());
        let meta = generate(&dir, DEFAULT_MIB, DEFAULT_SEED)?;
        eprintln!("{}", summary(&meta));
    }
    Ok(dir)
}

/// One line on what a corpus holds.
pub fn summary(meta: &Meta) -> String {
    format!(
        "{} events {:?}, {} offers (OFFERS events of {}–{} bytes), {} bytes of JSON payload, {} of protobuf",
        meta.events,
        meta.by_type,
        meta.offers,
        meta.offers_bytes.0,
        meta.offers_bytes.1,
        meta.json_payload_bytes,
        meta.pb_payload_bytes
    )
}

/// Writes a corpus of `mib` MiB of JSON payload generated from `seed` into
/// `dir` (created if needed; files are written under temporary names and
/// renamed, so an interrupted run leaves no half corpus).
pub fn generate(dir: &Path, mib: f64, seed: u64) -> std::io::Result<Meta> {
    std::fs::create_dir_all(dir)?;
    let json_path = dir.join("corpus.json.rio");
    let pb_path = dir.join("corpus.pb.rio");
    let json_tmp = dir.join("corpus.json.rio.tmp");
    let pb_tmp = dir.join("corpus.pb.rio.tmp");
    let mut json_out = std::io::BufWriter::new(std::fs::File::create(&json_tmp)?);
    let mut pb_out = std::io::BufWriter::new(std::fs::File::create(&pb_tmp)?);
    let limit = (mib * 1024.0 * 1024.0) as u64;
    let mut meta = Meta {
        offers_bytes: (u64::MAX, 0),
        ..Meta::default()
    };
    let mut stream = Stream::new(seed);
    let mut framed = Vec::new();
    while meta.json_payload_bytes < limit {
        let event = stream.next_event();
        let json = Encoding::Json.encode(&event);
        let pb = Encoding::Protobuf.encode(&event);
        for (payload, out) in [(&json, &mut json_out), (&pb, &mut pb_out)] {
            framed.clear();
            recordio::encode(payload, &mut framed);
            out.write_all(&framed)?;
        }
        let kind = event.r#type().name().unwrap_or("?").to_string();
        *meta.by_type.entry(kind).or_insert(0) += 1;
        meta.events += 1;
        meta.json_payload_bytes += json.len() as u64;
        meta.pb_payload_bytes += pb.len() as u64;
        if let Some(offers) = &event.offers {
            meta.offers += offers.offers.len() as u64;
            let size = json.len() as u64;
            meta.offers_bytes = (meta.offers_bytes.0.min(size), meta.offers_bytes.1.max(size));
        }
    }
    json_out
        .into_inner()
        .map_err(|e| e.into_error())?
        .sync_all()?;
    pb_out
        .into_inner()
        .map_err(|e| e.into_error())?
        .sync_all()?;
    std::fs::rename(&json_tmp, &json_path)?;
    std::fs::rename(&pb_tmp, &pb_path)?;
    let meta_json = serde_json::json!({
        "generator": "benches/support/corpus.rs",
        "seed": seed,
        "mib": mib,
        "events": meta.events,
        "by_type": meta.by_type,
        "offers": meta.offers,
        "json_file_bytes": std::fs::metadata(&json_path)?.len(),
        "pb_file_bytes": std::fs::metadata(&pb_path)?.len(),
        "json_payload_bytes": meta.json_payload_bytes,
        "pb_payload_bytes": meta.pb_payload_bytes,
    });
    let text = serde_json::to_vec_pretty(&meta_json).map_err(std::io::Error::other)?;
    std::fs::write(dir.join("corpus.meta.json"), text)?;
    Ok(meta)
}

/// One agent of the simulated cluster, as its offers describe it.
struct Agent {
    id: AgentID,
    hostname: String,
    url: URL,
    ip: String,
    attributes: Vec<Attribute>,
}

/// A task that reported TASK_RUNNING and has not ended yet.
struct Running {
    task_id: TaskID,
    agent_id: AgentID,
}

/// The event source: a cluster of agents, a framework and its tasks, and the
/// queue of the current simulated second's events.
struct Stream {
    rng: Rng,
    master_id: String,
    framework_id: FrameworkID,
    agents: Vec<Agent>,
    running: Vec<Running>,
    recent_offers: Vec<OfferID>,
    offer_seq: u64,
    task_seq: u64,
    now: f64,
    second: u64,
    /// Events still to hand out, last first.
    pending: Vec<Event>,
}

impl Stream {
    fn new(seed: u64) -> Self {
        let mut rng = Rng::with_seed(seed);
        let master_id = uuid_text(&mut rng);
        let framework_id = FrameworkID {
            value: format!("{}-0000", uuid_text(&mut rng)),
        };
        let agents = (0..AGENTS)
            .map(|i| agent(&mut rng, &master_id, i))
            .collect();
        let mut stream = Stream {
            rng,
            master_id,
            framework_id,
            agents,
            running: Vec::new(),
            recent_offers: Vec::new(),
            offer_seq: 0,
            task_seq: 0,
            now: 1_700_000_000.0,
            second: 0,
            pending: Vec::new(),
        };
        let subscribed = stream.subscribed();
        stream.pending = vec![heartbeat(), subscribed];
        stream
    }

    fn next_event(&mut self) -> Event {
        if self.pending.is_empty() {
            self.next_second();
        }
        self.pending.pop().expect("every second has events")
    }

    /// Queues one simulated second: an OFFERS event, 50–250 UPDATEs, maybe a
    /// RESCIND, shuffled; then a HEARTBEAT every 15 seconds.
    fn next_second(&mut self) {
        self.second += 1;
        let mut batch = vec![self.offers()];
        for _ in 0..self.rng.usize(50..=250) {
            let status = self.status();
            batch.push(Event {
                r#type: Some(event::Type::UPDATE),
                update: Some(Update { status }),
                ..Event::default()
            });
        }
        if self.rng.f64() < 0.1 && !self.recent_offers.is_empty() {
            let offer_id = self.recent_offers[self.rng.usize(..self.recent_offers.len())].clone();
            batch.push(Event {
                r#type: Some(event::Type::RESCIND),
                rescind: Some(Rescind { offer_id }),
                ..Event::default()
            });
        }
        self.rng.shuffle(&mut batch);
        if self.second % 15 == 0 {
            batch.push(heartbeat());
        }
        batch.reverse();
        self.pending = batch;
    }

    fn subscribed(&self) -> Event {
        let hostname = "master-1.dc1.example.net".to_string();
        Event {
            r#type: Some(event::Type::SUBSCRIBED),
            subscribed: Some(Subscribed {
                framework_id: self.framework_id.clone(),
                heartbeat_interval_seconds: Some(15.0),
                master_info: Some(MasterInfo {
                    id: self.master_id.clone(),
                    ip: 16_777_343,
                    port: 5050,
                    pid: Some("master@127.0.0.1:5050".into()),
                    hostname: Some(hostname.clone()),
                    version: Some("1.12.0".into()),
                    address: Some(Address {
                        hostname: Some(hostname),
                        ip: Some("127.0.0.1".into()),
                        port: 5050,
                    }),
                    ..MasterInfo::default()
                }),
            }),
            ..Event::default()
        }
    }

    /// One OFFERS event: one offer from each of 10–100 distinct agents.
    fn offers(&mut self) -> Event {
        let count = self.rng.usize(10..=100);
        let mut picked: Vec<usize> = (0..self.agents.len()).collect();
        // A partial Fisher-Yates: the first `count` entries are a sample.
        for i in 0..count {
            let j = self.rng.usize(i..picked.len());
            picked.swap(i, j);
        }
        let offers = picked[..count].iter().map(|&a| self.offer(a)).collect();
        Event {
            r#type: Some(event::Type::OFFERS),
            offers: Some(Offers { offers }),
            ..Event::default()
        }
    }

    fn offer(&mut self, agent: usize) -> Offer {
        self.offer_seq += 1;
        let rng = &mut self.rng;
        let mut ports = Vec::new();
        let mut low = 31_000;
        for _ in 0..rng.usize(1..=3) {
            let begin = low + rng.u64(0..400);
            let end = begin + rng.u64(10..500);
            ports.push(Range { begin, end });
            low = end + 2;
        }
        let cpus = rng.u64(1..64) as f64 / 2.0;
        let mem = rng.u64(512..250_000) as f64;
        let disk = rng.u64(1000..2_000_000) as f64;
        let executor_ids = if rng.f64() < 0.3 {
            (0..rng.usize(1..=3))
                .map(|_| ExecutorID {
                    value: format!("executor-{}", rng.u32(0..1_000_000)),
                })
                .collect()
        } else {
            Vec::new()
        };
        let id = OfferID {
            value: format!("{}-O{}", self.master_id, self.offer_seq),
        };
        self.recent_offers.push(id.clone());
        if self.recent_offers.len() > 500 {
            self.recent_offers.remove(0);
        }
        let agent = &self.agents[agent];
        Offer {
            id,
            framework_id: self.framework_id.clone(),
            agent_id: agent.id.clone(),
            hostname: agent.hostname.clone(),
            url: Some(agent.url.clone()),
            resources: vec![
                scalar_resource("cpus", cpus),
                scalar_resource("mem", mem),
                scalar_resource("disk", disk),
                Resource {
                    name: "ports".into(),
                    r#type: ValueType::RANGES,
                    ranges: Some(Ranges { range: ports }),
                    role: Some("*".into()),
                    allocation_info: Some(any_role()),
                    ..Resource::default()
                },
            ],
            attributes: agent.attributes.clone(),
            executor_ids,
            allocation_info: Some(any_role()),
            ..Offer::default()
        }
    }

    /// The next task status: a running task ends (55 %) or a new task starts.
    fn status(&mut self) -> TaskStatus {
        self.now += self.rng.f64() / 100.0;
        let rng = &mut self.rng;
        let (task_id, agent_id, ip, state, container) =
            if !self.running.is_empty() && rng.f64() < 0.55 {
                let task = self.running.swap_remove(rng.usize(..self.running.len()));
                let state = match rng.u32(0..100) {
                    0..80 => TaskState::TASK_FINISHED,
                    80..92 => TaskState::TASK_FAILED,
                    92..98 => TaskState::TASK_KILLED,
                    _ => TaskState::TASK_LOST,
                };
                (task.task_id, task.agent_id, None, state, None)
            } else {
                self.task_seq += 1;
                let task_id = TaskID {
                    value: format!("web-{:07}.{}", self.task_seq, uuid_text(rng)),
                };
                let agent = &self.agents[rng.usize(..self.agents.len())];
                let container = ContainerID {
                    value: uuid_text(rng),
                    ..ContainerID::default()
                };
                let state = if rng.bool() {
                    TaskState::TASK_RUNNING
                } else {
                    TaskState::TASK_STARTING
                };
                if state == TaskState::TASK_RUNNING {
                    self.running.push(Running {
                        task_id: task_id.clone(),
                        agent_id: agent.id.clone(),
                    });
                }
                let ip = Some(agent.ip.clone());
                (task_id, agent.id.clone(), ip, state, Some(container))
            };
        let message = match state {
            TaskState::TASK_FINISHED => Some("Command exited with status 0"),
            TaskState::TASK_FAILED => Some("Command exited with status 1"),
            TaskState::TASK_KILLED => Some("Command terminated with signal Terminated"),
            TaskState::TASK_LOST => Some("Agent lost"),
            _ => None,
        };
        let lost = state == TaskState::TASK_LOST;
        let reason = match state {
            TaskState::TASK_LOST => Some(Reason::REASON_AGENT_REMOVED),
            TaskState::TASK_FAILED => Some(Reason::REASON_COMMAND_EXECUTOR_FAILED),
            _ => None,
        };
        let container_status = match (state, container) {
            (TaskState::TASK_RUNNING, Some(container)) => Some(ContainerStatus {
                container_id: Some(container),
                network_infos: vec![NetworkInfo {
                    ip_addresses: vec![network_info::IPAddress {
                        protocol: Some(network_info::Protocol::IPv4),
                        ip_address: ip,
                    }],
                    ..NetworkInfo::default()
                }],
                ..ContainerStatus::default()
            }),
            _ => None,
        };
        TaskStatus {
            task_id,
            state,
            message: message.map(String::from),
            source: Some(if lost {
                Source::SOURCE_MASTER
            } else {
                Source::SOURCE_EXECUTOR
            }),
            reason,
            agent_id: Some(agent_id),
            timestamp: Some((self.now * 1e6).round() / 1e6),
            uuid: Some(uuid_v4(rng).to_vec()),
            container_status,
            ..TaskStatus::default()
        }
    }
}

fn heartbeat() -> Event {
    Event {
        r#type: Some(event::Type::HEARTBEAT),
        ..Event::default()
    }
}

fn agent(rng: &mut Rng, master_id: &str, i: usize) -> Agent {
    let hostname = format!("agent-{i:04}.dc1.example.net");
    let ip = format!("10.{}.{}.{}", rng.u8(..), rng.u8(..), rng.u8(1..255));
    let mut names: Vec<&str> = ATTR_TEXT
        .iter()
        .map(|a| a.0)
        .chain(ATTR_SCALAR.iter().map(|a| a.0))
        .collect();
    rng.shuffle(&mut names);
    let attributes = names[..rng.usize(3..=6)]
        .iter()
        .map(|&name| {
            if let Some((_, values)) = ATTR_TEXT.iter().find(|a| a.0 == name) {
                Attribute {
                    name: name.into(),
                    r#type: ValueType::TEXT,
                    text: Some(Text {
                        value: values[rng.usize(..values.len())].into(),
                    }),
                    ..Attribute::default()
                }
            } else {
                let values = ATTR_SCALAR.iter().find(|a| a.0 == name).unwrap().1;
                Attribute {
                    name: name.into(),
                    r#type: ValueType::SCALAR,
                    scalar: Some(Scalar {
                        value: values[rng.usize(..values.len())],
                    }),
                    ..Attribute::default()
                }
            }
        })
        .collect();
    Agent {
        id: AgentID {
            value: format!("{master_id}-S{i}"),
        },
        url: URL {
            scheme: "http".into(),
            address: Address {
                hostname: Some(hostname.clone()),
                ip: Some(ip.clone()),
                port: 5051,
            },
            path: Some("/slave(1)".into()),
            ..URL::default()
        },
        hostname,
        ip,
        attributes,
    }
}

fn scalar_resource(name: &str, value: f64) -> Resource {
    Resource {
        name: name.into(),
        r#type: ValueType::SCALAR,
        scalar: Some(Scalar { value }),
        role: Some("*".into()),
        allocation_info: Some(any_role()),
        ..Resource::default()
    }
}

fn any_role() -> resource::AllocationInfo {
    resource::AllocationInfo {
        role: Some("*".into()),
    }
}

/// 16 random bytes with the version-4 and variant bits set, as the master
/// requires of a status update's uuid.
fn uuid_v4(rng: &mut Rng) -> [u8; 16] {
    let mut bytes = rng.u128(..).to_be_bytes();
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    bytes
}

/// A uuid in its text form, for ids.
fn uuid_text(rng: &mut Rng) -> String {
    let hex = format!("{:032x}", rng.u128(..));
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}
