//! The state every handle, every delivered event (for auto-acknowledgement)
//! and the reader thread share.

use std::time::Duration;

use ureq::Agent;

use super::acks::AckSender;
use super::backoff::Backoff;
use super::control::Control;
use super::http::{HttpSettings, Purpose};
use super::masters::Masters;
use super::session::Session;

/// Settings of the subscription stream.
#[derive(Debug, Clone)]
pub(crate) struct StreamOptions {
    pub missed_heartbeats: u32,
    /// Assumed until SUBSCRIBED says otherwise.
    pub heartbeat_interval: Duration,
    pub backoff: Backoff,
    pub max_record_size: usize,
    pub auto_acknowledge: bool,
    /// How long a call made while (re)subscribing waits for the
    /// subscription; zero fails at once with `NotSubscribed`.
    pub subscription_wait: Duration,
    /// End the subscription after this many consecutive failed attempts.
    pub max_attempts: Option<u32>,
    /// End the subscription once attempts have failed for this long.
    pub give_up_after: Option<Duration>,
    /// End the subscription after this many consecutive attempts whose
    /// master certificate failed verification.
    pub max_certificate_failures: u32,
}

impl StreamOptions {
    /// How long a stream may stay silent given a heartbeat interval.
    pub fn budget(&self, interval: Duration) -> Duration {
        interval
            .checked_mul(self.missed_heartbeats.max(1))
            .unwrap_or(Duration::MAX)
    }
}

/// Shared client state. See the module docs.
pub(crate) struct Shared {
    pub settings: HttpSettings,
    /// Keep-alive agent for calls; never used for the stream, never shut down
    /// except by dropping.
    pub call_agent: Agent,
    pub control: Control,
    pub session: Session,
    pub masters: Masters,
    pub options: StreamOptions,
    /// Sends acknowledgements in the background (see `acks.rs`).
    pub acks: AckSender,
}

impl Shared {
    pub fn new(
        settings: HttpSettings,
        session: Session,
        masters: Masters,
        options: StreamOptions,
    ) -> Self {
        let control = Control::new();
        let call_agent = settings.agent(Purpose::Call);
        let acks = AckSender::new(&settings);
        Shared {
            settings,
            call_agent,
            control,
            session,
            masters,
            options,
            acks,
        }
    }
}
