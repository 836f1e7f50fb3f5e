//! Jittered exponential backoff between subscription attempts (defaults from
//! the Mesos docs: start at 0.5 s, double, cap at 15 s).

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::time::Duration;

/// Backoff settings. The delay before attempt `n` (counting from 0 after the
/// last healthy subscription) is a random value in `[d/2, d]` where
/// `d = min(initial × 2ⁿ, max)`; the jitter keeps many schedulers from
/// reconnecting in lock-step after a master failover.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    /// The first delay.
    pub initial: Duration,
    /// The largest delay.
    pub max: Duration,
}

impl Default for Backoff {
    fn default() -> Self {
        Backoff {
            initial: Duration::from_millis(500),
            max: Duration::from_secs(15),
        }
    }
}

impl Backoff {
    /// The un-jittered ceiling for the attempt numbered `attempt`.
    pub fn ceiling(&self, attempt: u32) -> Duration {
        let factor = 1u32.checked_shl(attempt.min(31)).unwrap_or(u32::MAX);
        self.initial
            .checked_mul(factor)
            .unwrap_or(self.max)
            .min(self.max)
    }

    /// A jittered delay for the attempt numbered `attempt`.
    pub fn delay(&self, attempt: u32) -> Duration {
        let ceiling = self.ceiling(attempt);
        let half = ceiling / 2;
        let span = (ceiling - half).as_nanos() as u64;
        if span == 0 {
            return ceiling;
        }
        half + Duration::from_nanos(random_u64() % (span + 1))
    }
}

/// A random delay in `[0, max]`, uniformly spread: how the Mesos executor
/// library spaces its re-subscription attempts.
pub(crate) fn uniform_delay(max: Duration) -> Duration {
    let span = max.as_nanos().min(u128::from(u64::MAX)) as u64;
    if span == 0 {
        return Duration::ZERO;
    }
    Duration::from_nanos(random_u64() % span.saturating_add(1))
}

/// A random number from the standard library's per-process random hash keys
/// (no extra crate needed; quality is ample for jitter).
fn random_u64() -> u64 {
    let mut hasher = RandomState::new().build_hasher();
    hasher.write_u64(0x9e37_79b9_7f4a_7c15);
    hasher.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doubles_up_to_the_cap() {
        let b = Backoff::default();
        assert_eq!(b.ceiling(0), Duration::from_millis(500));
        assert_eq!(b.ceiling(1), Duration::from_secs(1));
        assert_eq!(b.ceiling(4), Duration::from_secs(8));
        assert_eq!(b.ceiling(5), Duration::from_secs(15));
        assert_eq!(b.ceiling(1000), Duration::from_secs(15));
    }

    #[test]
    fn uniform_delays_stay_within_zero_and_max() {
        let max = Duration::from_millis(40);
        let delays: Vec<Duration> = (0..200).map(|_| uniform_delay(max)).collect();
        assert!(delays.iter().all(|d| *d <= max));
        assert!(delays.iter().any(|d| *d < max / 2), "spread below the half");
        assert_eq!(uniform_delay(Duration::ZERO), Duration::ZERO);
    }

    #[test]
    fn jitter_stays_within_half_and_full() {
        let b = Backoff::default();
        for attempt in 0..8 {
            let ceiling = b.ceiling(attempt);
            for _ in 0..50 {
                let d = b.delay(attempt);
                assert!(d >= ceiling / 2 && d <= ceiling, "{d:?} vs {ceiling:?}");
            }
        }
    }
}
