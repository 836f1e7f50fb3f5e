//! The [`Scheduler`] handle: cheap to clone, usable from any thread, closes
//! the subscription when the last clone goes away.

use std::fmt;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use super::builder::SchedulerBuilder;
use crate::connection::IntoMasters;
use crate::connection::{join_threads, Shared};
use crate::error::Error;
use crate::v1;
use crate::v1::scheduler::Call;

/// A handle on one framework's subscription: issues calls (blocking, from any
/// thread) while the reader thread feeds the [`Events`](super::Events)
/// channel. `Send + Sync + Clone`; all clones share one subscription, and it
/// is closed when [`Scheduler::close`] is called or the last clone is dropped.
#[derive(Clone)]
pub struct Scheduler {
    handle: Arc<Handle>,
}

struct Handle {
    shared: Arc<Shared>,
    threads: Mutex<Vec<JoinHandle<()>>>,
}

impl Scheduler {
    /// Starts configuring a scheduler for `masters`: `"http://host:5050"`,
    /// `"https://host:5050"`, `"h1:5050,h2:5050"` (tried in turn) or a
    /// [`Masters`](crate::connection::Masters) value.
    pub fn builder(masters: impl IntoMasters) -> SchedulerBuilder {
        SchedulerBuilder::new(masters.into_masters())
    }

    pub(crate) fn start(shared: Arc<Shared>, threads: Vec<JoinHandle<()>>) -> Self {
        Scheduler {
            handle: Arc::new(Handle {
                shared,
                threads: Mutex::new(threads),
            }),
        }
    }

    pub(crate) fn shared(&self) -> &Arc<Shared> {
        &self.handle.shared
    }

    /// Sends any call but SUBSCRIBE (which the client manages). Fills in
    /// `framework_id` and the `Mesos-Stream-Id` header, validates the call
    /// locally with the master's rules (so a bad call fails with
    /// [`Error::Invalid`] before anything is sent), and posts it to the
    /// subscribed master. `Ok` means accepted: 202, or 200 for
    /// UPDATE_FRAMEWORK.
    ///
    /// While no subscription is active (connecting, or between a dropped
    /// stream and the next SUBSCRIBED, including the master's own `403
    /// Framework is not subscribed` in that window) it fails with the
    /// transient [`Error::NotSubscribed`] — at once by default, or after
    /// waiting up to [`SchedulerBuilder::subscription_wait`] for the
    /// re-subscription. After the client closed or a `teardown()` was
    /// accepted it fails with [`Error::Closed`] without sending anything.
    pub fn call(&self, call: Call) -> Result<(), Error> {
        self.handle.shared.send(call)
    }

    /// Waits until calls can be sent: returns `Ok` as soon as a subscription
    /// is active, [`Error::NotSubscribed`] if none is within `timeout`, and
    /// [`Error::Closed`] at once when the client closes (or the framework
    /// was torn down). Use it after a `Disconnected` item to get through the
    /// reconnect gap, or before the first call.
    pub fn wait_subscribed(&self, timeout: std::time::Duration) -> Result<(), Error> {
        if self.handle.shared.refuses_calls() {
            return Err(Error::Closed);
        }
        self.handle
            .shared
            .wait_subscribed(None, timeout)
            .map(|_| ())
    }

    /// The framework id, once the master has assigned one (or the one given
    /// in the FrameworkInfo).
    pub fn framework_id(&self) -> Option<v1::FrameworkID> {
        self.handle.shared.session.framework_id()
    }

    /// The current `Mesos-Stream-Id`, while subscribed.
    pub fn stream_id(&self) -> Option<String> {
        self.handle.shared.session.active().map(|a| a.stream_id)
    }

    /// The URL of the master the subscription is on, while subscribed.
    pub fn master(&self) -> Option<String> {
        self.handle
            .shared
            .session
            .active()
            .map(|a| a.endpoint.url())
    }

    /// Whether calls can be sent right now.
    pub fn is_subscribed(&self) -> bool {
        self.handle.shared.session.active().is_some()
    }

    /// Whether the scheduler is closed (by `close()`, because the
    /// subscription ended for good, or because a `teardown()` was accepted):
    /// calls fail with [`Error::Closed`].
    pub fn is_closed(&self) -> bool {
        self.handle.shared.refuses_calls()
    }

    /// Stops the reader thread (aborting a read in progress) and closes the
    /// event channel, whose last item is then
    /// [`Termination::Closed`](crate::Termination::Closed) (unless the
    /// channel is full: closing never waits for the application); later
    /// calls fail with [`Error::Closed`]. Returns once the reader has
    /// stopped. The framework stays registered with the master
    /// until its failover timeout expires (use `teardown` to remove it).
    pub fn close(&self) {
        self.handle.close();
    }
}

impl Handle {
    fn close(&self) {
        self.shared.control.close();
        // Calls in flight on other threads (connecting, waiting for an
        // answer) end at once, as `Closed`. Only here, not when the client
        // ends by itself: a TEARDOWN's answer may still be on its way then.
        self.shared.call_agent.clone().shutdown();
        self.shared.acks.join();
        join_threads(&self.threads);
    }
}

impl Drop for Handle {
    fn drop(&mut self) {
        self.close();
    }
}

impl fmt::Debug for Scheduler {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Scheduler")
            .field("framework_id", &self.framework_id().map(|id| id.value))
            .field("master", &self.master())
            .field("closed", &self.is_closed())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shareable<T: Send + Sync + Clone + 'static>() {}

    #[test]
    fn handle_and_events_cross_threads() {
        shareable::<Scheduler>();
        shareable::<super::super::Events>();
        fn send<T: Send>() {}
        send::<super::super::Item>();
    }
}
