//! What the detector thread has found, shared with the client: the current
//! leader (or why there is none), the listeners to tell when that changes,
//! and every host ZooKeeper has named as a master (they get credentials).

use std::collections::HashSet;
use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use crate::connection::masters::LeaderListener;
use crate::connection::Endpoint;

/// The detector's view of the election.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Detected {
    /// Nothing read from ZooKeeper yet; the text says what is in the way.
    Pending(String),
    /// This master leads.
    Leader(Endpoint),
    /// ZooKeeper answered: no usable leader (none registered, or its znode
    /// is unreadable). The text says which.
    NoLeader(String),
}

impl Detected {
    /// Whether going from `self` to `next` is a leader change listeners must
    /// hear about (new reasons for the same absence are not). The first
    /// answer is not a change: nobody can hold a stream to a leader that was
    /// never named, and the client already waits for that answer (telling
    /// listeners dropped the first stream at once, as `LeaderChanged`, when
    /// the reader had subscribed to that very leader before they ran).
    fn differs_from(&self, next: &Detected) -> bool {
        match (self, next) {
            (Detected::Leader(a), Detected::Leader(b)) => a != b,
            (Detected::NoLeader(_), Detected::NoLeader(_)) => false,
            (Detected::Pending(_), _) => false,
            _ => true,
        }
    }
}

struct State {
    current: Detected,
    listeners: Vec<LeaderListener>,
    trusted: HashSet<String>,
}

/// Mutex-protected detection state with a condition variable for the first
/// result.
pub struct Detection {
    state: Mutex<State>,
    changed: Condvar,
}

impl Detection {
    pub fn new() -> Self {
        Detection {
            state: Mutex::new(State {
                current: Detected::Pending("not connected to ZooKeeper yet".into()),
                listeners: Vec::new(),
                trusted: HashSet::new(),
            }),
            changed: Condvar::new(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // Every update is a single assignment: a poisoned lock is consistent.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The current view; while still pending, waits up to `patience` for the
    /// first answer from ZooKeeper.
    pub fn current(&self, patience: Duration) -> Detected {
        let deadline = Instant::now() + patience;
        let mut state = self.lock();
        while matches!(state.current, Detected::Pending(_)) {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                break;
            }
            state = self
                .changed
                .wait_timeout(state, left)
                .unwrap_or_else(|p| p.into_inner())
                .0;
        }
        state.current.clone()
    }

    /// Records what ZooKeeper said; tells the listeners when the leader
    /// changed. Listeners run outside the lock.
    pub fn publish(&self, next: Detected) {
        let mut listeners = {
            let mut state = self.lock();
            let notify = state.current.differs_from(&next);
            if let Detected::Leader(endpoint) = &next {
                state.trusted.insert(endpoint.host().to_string());
            }
            if notify {
                log::info!("leading master: {next:?} (was {:?})", state.current);
            }
            state.current = next;
            self.changed.notify_all();
            if !notify {
                return;
            }
            std::mem::take(&mut state.listeners)
        };
        listeners.retain(|listener| listener());
        let mut state = self.lock();
        // Keep listeners added while these ran.
        listeners.append(&mut state.listeners);
        state.listeners = listeners;
    }

    /// Reports ZooKeeper trouble. A known leader (or known absence) stays
    /// in force — the master's own stream says whether it is alive — so only
    /// a still-pending view gets the new reason.
    pub fn publish_pending(&self, reason: &str) {
        let mut state = self.lock();
        if let Detected::Pending(old) = &mut state.current {
            *old = reason.to_string();
        }
    }

    /// Adds a listener for leader changes.
    pub fn listen(&self, listener: LeaderListener) {
        self.lock().listeners.push(listener);
    }

    /// Whether ZooKeeper ever named `host` as the leading master.
    pub fn trusts(&self, host: &str) -> bool {
        self.lock().trusted.contains(host)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;

    fn leader(text: &str) -> Detected {
        Detected::Leader(Endpoint::parse(text).unwrap())
    }

    #[test]
    fn listeners_hear_changes_only_and_can_leave() {
        let detection = Detection::new();
        let calls = Arc::new(AtomicUsize::new(0));
        let counter = calls.clone();
        detection.listen(Box::new(move || counter.fetch_add(1, Ordering::SeqCst) < 2));
        detection.publish(Detected::Pending("still trying".into()));
        assert_eq!(calls.load(Ordering::SeqCst), 0);
        // The first answer is not a change.
        detection.publish(leader("a:1"));
        detection.publish(leader("a:1"));
        assert_eq!(calls.load(Ordering::SeqCst), 0);
        detection.publish(leader("c:3"));
        assert_eq!(calls.load(Ordering::SeqCst), 1);
        detection.publish(Detected::NoLeader("gone".into()));
        detection.publish(Detected::NoLeader("still gone".into()));
        assert_eq!(calls.load(Ordering::SeqCst), 2);
        // The listener returned false on its third call: it is dropped after.
        detection.publish(leader("b:2"));
        detection.publish(leader("a:1"));
        assert_eq!(calls.load(Ordering::SeqCst), 3);
        assert!(detection.trusts("a") && detection.trusts("b") && detection.trusts("c"));
        assert!(!detection.trusts("d"));
    }

    #[test]
    fn a_first_answer_of_no_leader_is_not_a_change_either() {
        let detection = Detection::new();
        let calls = Arc::new(AtomicUsize::new(0));
        let counter = calls.clone();
        detection.listen(Box::new(move || {
            counter.fetch_add(1, Ordering::SeqCst) < 10
        }));
        detection.publish(Detected::NoLeader("none registered".into()));
        assert_eq!(calls.load(Ordering::SeqCst), 0);
        detection.publish(leader("a:1"));
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    }

    #[test]
    fn current_waits_for_the_first_answer() {
        let detection = Arc::new(Detection::new());
        let publisher = {
            let detection = detection.clone();
            std::thread::spawn(move || detection.publish(leader("m:5050")))
        };
        let seen = detection.current(Duration::from_secs(30));
        publisher.join().unwrap();
        assert_eq!(seen, leader("m:5050"));
        assert!(matches!(
            Detection::new().current(Duration::ZERO),
            Detected::Pending(_)
        ));
    }
}
