//! [`FrameworkStats`]: a snapshot of counters the framework layer keeps as
//! it goes (plain integers on the application's thread; the only shared
//! ones are the acknowledgement meter's atomics). Taking one costs a few
//! small map copies, nothing per task.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::event::Event;
use crate::v1::TaskState;
use crate::{Disconnect, Received};

/// Successes and failures of one call type.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CallCount {
    /// Accepted by the master.
    pub ok: u64,
    /// Failed (network, refused, not subscribed...).
    pub failed: u64,
    /// Refused locally without a request (a stale offer).
    pub refused_locally: u64,
}

/// What became of task status updates.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct UpdateCounts {
    /// Handed to the application as a real change.
    pub delivered: u64,
    /// Absorbed: the same uuid again.
    pub duplicates: u64,
    /// Absorbed: older than the state held, or after the task's end.
    pub stale: u64,
    /// Absorbed: the state held already (typically a reconciliation answer).
    pub repeats: u64,
    /// About tasks the application did not launch (handed over as such).
    pub unknown: u64,
}

/// Acknowledgements of updates the application was handed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AckCounts {
    /// Acknowledgements queued (absorbed updates at once, delivered ones
    /// when the application dropped them).
    pub acknowledged: u64,
    /// Updates needing an acknowledgement that the application still holds.
    pub pending: u64,
    /// Total time from arrival to acknowledgement, over `acknowledged`.
    pub latency_total: Duration,
    /// The longest such time.
    pub latency_max: Duration,
}

/// Reconciliation progress.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ReconcileCounts {
    /// Explicit rounds begun (one per subscription with open tasks).
    pub rounds_started: u64,
    /// Rounds in which every task answered.
    pub rounds_completed: u64,
    /// Whether a round is in progress.
    pub in_round: bool,
    /// Explicit RECONCILE calls (rounds and the launch watchdog).
    pub explicit_calls: u64,
    /// Tasks named in them, in total.
    pub tasks_asked: u64,
    /// Implicit RECONCILE calls.
    pub implicit_calls: u64,
}

/// A snapshot of the framework's counters (see [`Framework::stats`](super::Framework::stats)).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FrameworkStats {
    /// Calls made through the framework, by call type (`ACCEPT`, `DECLINE`,
    /// `RECONCILE`, `KILL`, ...).
    pub calls: BTreeMap<&'static str, CallCount>,
    /// SUBSCRIBED received (first and re-subscriptions).
    pub subscriptions: u64,
    /// Disconnections by reason (`stream_ended`, `heartbeat_timeout`, ...).
    pub disconnects: BTreeMap<&'static str, u64>,
    /// Events received, by type (`OFFERS`, `UPDATE`, `HEARTBEAT`, ...).
    pub events: BTreeMap<&'static str, u64>,
    /// Task status updates, by what became of them.
    pub updates: UpdateCounts,
    /// Acknowledgements.
    pub acks: AckCounts,
    /// Items waiting in the event channel when the snapshot was taken.
    pub channel_depth: usize,
    /// Tracked tasks by state (`None`: launched, no update yet).
    pub tasks: Vec<(Option<TaskState>, usize)>,
    /// Reconciliation.
    pub reconciliation: ReconcileCounts,
}

impl FrameworkStats {
    /// The snapshot in the Prometheus text exposition format, every metric
    /// prefixed `mesos_framework_`.
    pub fn to_prometheus(&self) -> String {
        let mut out = String::new();
        let mut metric = |name: &str, kind: &str, help: &str, rows: Vec<(String, String)>| {
            let _ = writeln!(out, "# HELP mesos_framework_{name} {help}");
            let _ = writeln!(out, "# TYPE mesos_framework_{name} {kind}");
            for (labels, value) in rows {
                let _ = writeln!(out, "mesos_framework_{name}{labels} {value}");
            }
        };
        let plain = |v: u64| vec![(String::new(), v.to_string())];
        let mut calls = Vec::new();
        for (kind, count) in &self.calls {
            for (outcome, n) in [
                ("ok", count.ok),
                ("failed", count.failed),
                ("refused_locally", count.refused_locally),
            ] {
                calls.push((
                    format!("{{type=\"{kind}\",outcome=\"{outcome}\"}}"),
                    n.to_string(),
                ));
            }
        }
        metric(
            "calls_total",
            "counter",
            "Calls by type and outcome.",
            calls,
        );
        metric(
            "subscriptions_total",
            "counter",
            "SUBSCRIBED received.",
            plain(self.subscriptions),
        );
        let by = |label: &str, map: &BTreeMap<&'static str, u64>| {
            map.iter()
                .map(|(k, v)| (format!("{{{label}=\"{k}\"}}"), v.to_string()))
                .collect()
        };
        metric(
            "disconnects_total",
            "counter",
            "Disconnections by reason.",
            by("reason", &self.disconnects),
        );
        metric(
            "events_total",
            "counter",
            "Events by type.",
            by("type", &self.events),
        );
        let u = &self.updates;
        let updates = [
            ("delivered", u.delivered),
            ("duplicate", u.duplicates),
            ("stale", u.stale),
            ("repeat", u.repeats),
            ("unknown", u.unknown),
        ]
        .iter()
        .map(|(k, v)| (format!("{{verdict=\"{k}\"}}"), v.to_string()))
        .collect();
        metric(
            "updates_total",
            "counter",
            "Task status updates by verdict.",
            updates,
        );
        metric(
            "acknowledged_total",
            "counter",
            "Acknowledgements queued.",
            plain(self.acks.acknowledged),
        );
        metric(
            "acknowledgements_pending",
            "gauge",
            "Updates held by the application, unacknowledged.",
            plain(self.acks.pending),
        );
        metric(
            "acknowledgement_latency_seconds_sum",
            "counter",
            "Total time from arrival to acknowledgement.",
            vec![(
                String::new(),
                self.acks.latency_total.as_secs_f64().to_string(),
            )],
        );
        metric(
            "acknowledgement_latency_seconds_max",
            "gauge",
            "Longest time from arrival to acknowledgement.",
            vec![(
                String::new(),
                self.acks.latency_max.as_secs_f64().to_string(),
            )],
        );
        metric(
            "channel_depth",
            "gauge",
            "Items waiting in the event channel.",
            plain(self.channel_depth as u64),
        );
        let tasks = self
            .tasks
            .iter()
            .map(|(state, n)| {
                let name = state.map_or("LAUNCHED".to_string(), |s| {
                    s.name()
                        .map_or_else(|| format!("TaskState({})", s.0), str::to_string)
                });
                (format!("{{state=\"{name}\"}}"), n.to_string())
            })
            .collect();
        metric("tasks", "gauge", "Tracked tasks by state.", tasks);
        let r = &self.reconciliation;
        metric(
            "reconcile_rounds_started_total",
            "counter",
            "Explicit reconciliation rounds begun.",
            plain(r.rounds_started),
        );
        metric(
            "reconcile_rounds_completed_total",
            "counter",
            "Rounds in which every task answered.",
            plain(r.rounds_completed),
        );
        metric(
            "reconcile_calls_total",
            "counter",
            "RECONCILE calls by kind.",
            vec![
                ("{kind=\"explicit\"}".into(), r.explicit_calls.to_string()),
                ("{kind=\"implicit\"}".into(), r.implicit_calls.to_string()),
            ],
        );
        out
    }
}

/// The counters kept on the application's thread.
#[derive(Debug, Default)]
pub(crate) struct Counters {
    pub stats: FrameworkStats,
}

impl Counters {
    pub fn call(&mut self, kind: &'static str, ok: bool) {
        let count = self.stats.calls.entry(kind).or_default();
        if ok {
            count.ok += 1;
        } else {
            count.failed += 1;
        }
    }

    pub fn refused(&mut self, kind: &'static str) {
        self.stats.calls.entry(kind).or_default().refused_locally += 1;
    }

    pub fn event(&mut self, event: &Event) {
        *self.stats.events.entry(event_kind(event)).or_default() += 1;
    }

    pub fn disconnect(&mut self, why: &Disconnect) {
        let reason = match why {
            Disconnect::StreamEnded { .. } => "stream_ended",
            Disconnect::StreamTruncated { .. } => "stream_truncated",
            Disconnect::HeartbeatTimeout { .. } => "heartbeat_timeout",
            Disconnect::Protocol { .. } => "protocol",
            Disconnect::Failed(_) => "failed",
            Disconnect::CertificateRejected(_) => "certificate_rejected",
            Disconnect::LeaderChanged { .. } => "leader_changed",
            #[allow(unreachable_patterns)]
            _ => "other",
        };
        *self.stats.disconnects.entry(reason).or_default() += 1;
    }
}

fn event_kind(event: &Event) -> &'static str {
    match event {
        Event::Subscribed(_) => "SUBSCRIBED",
        Event::Offers(_) => "OFFERS",
        Event::InverseOffers(_) => "INVERSE_OFFERS",
        Event::Rescind(_) => "RESCIND",
        Event::RescindInverseOffer(_) => "RESCIND_INVERSE_OFFER",
        Event::Update(_) => "UPDATE",
        Event::UpdateOperationStatus(_) => "UPDATE_OPERATION_STATUS",
        Event::Message(_) => "MESSAGE",
        Event::Failure(_) => "FAILURE",
        Event::Error(_) => "ERROR",
        Event::Heartbeat => "HEARTBEAT",
        Event::Unknown(_) => "UNKNOWN",
    }
}

/// Acknowledgement counters shared with the guards that hold updates.
#[derive(Debug, Default)]
pub(crate) struct AckMeter {
    acknowledged: AtomicU64,
    pending: AtomicU64,
    latency_total_us: AtomicU64,
    latency_max_us: AtomicU64,
}

impl AckMeter {
    pub fn snapshot(&self) -> AckCounts {
        AckCounts {
            acknowledged: self.acknowledged.load(Ordering::Relaxed),
            pending: self.pending.load(Ordering::Relaxed),
            latency_total: Duration::from_micros(self.latency_total_us.load(Ordering::Relaxed)),
            latency_max: Duration::from_micros(self.latency_max_us.load(Ordering::Relaxed)),
        }
    }

    fn done(&self, since: Instant) {
        let us = u64::try_from(since.elapsed().as_micros()).unwrap_or(u64::MAX);
        self.acknowledged.fetch_add(1, Ordering::Relaxed);
        self.latency_total_us.fetch_add(us, Ordering::Relaxed);
        self.latency_max_us.fetch_max(us, Ordering::Relaxed);
    }
}

/// Holds a delivered update whose acknowledgement waits for the
/// application: dropping it queues the acknowledgement (the scheduler's
/// automatic acknowledgement) and records the latency.
#[derive(Debug)]
pub(crate) struct AckGuard {
    received: Option<Received>,
    meter: Arc<AckMeter>,
    arrived: Instant,
}

impl AckGuard {
    /// A guard over `received`; `None` when it needs no acknowledgement.
    pub fn hold(received: Received, meter: &Arc<AckMeter>, arrived: Instant) -> Option<Self> {
        if !received.will_acknowledge() {
            return None;
        }
        meter.pending.fetch_add(1, Ordering::Relaxed);
        Some(AckGuard {
            received: Some(received),
            meter: Arc::clone(meter),
            arrived,
        })
    }

    /// Acknowledges an absorbed update at once.
    pub fn release(received: Received, meter: &AckMeter, arrived: Instant) {
        if received.will_acknowledge() {
            drop(received);
            meter.done(arrived);
        }
    }

    /// Acknowledges now and returns the master's answer.
    pub fn acknowledge(mut self) -> Result<(), crate::Error> {
        let received = self.received.take().expect("held until dropped");
        self.meter.pending.fetch_sub(1, Ordering::Relaxed);
        self.meter.done(self.arrived);
        received.acknowledge()
    }
}

impl Drop for AckGuard {
    fn drop(&mut self) {
        if let Some(received) = self.received.take() {
            drop(received);
            self.meter.pending.fetch_sub(1, Ordering::Relaxed);
            self.meter.done(self.arrived);
        }
    }
}
