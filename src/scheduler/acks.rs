//! Non-blocking acknowledgement for applications that acknowledge
//! explicitly: the same background sender automatic acknowledgement uses
//! (see [`Received`](super::Received)). The blocking
//! [`Scheduler::acknowledge`] stays for those who want the master's answer.

use super::handle::Scheduler;
use crate::call;
use crate::error::Error;
use crate::v1;

impl Scheduler {
    /// Queues the ACKNOWLEDGE of a task status for the background sender and
    /// returns at once: it is sent on a pooled keep-alive connection, retried
    /// (with backoff) while the subscription lasts, and dropped with a log
    /// line if the subscription ends first (the agent re-sends the update).
    /// Does nothing (`Ok`) for a status without uuid. Fails with
    /// [`Error::NotSubscribed`] or [`Error::Closed`] when it cannot be
    /// queued, and [`Error::Invalid`] for a uuid without `agent_id`. Waits
    /// only while thousands of acknowledgements are already queued.
    pub fn acknowledge_in_background(&self, status: &v1::TaskStatus) -> Result<(), Error> {
        if status.uuid.is_none() {
            return Ok(());
        }
        let ack = call::acknowledge_update(status).ok_or_else(|| {
            Error::Invalid("the status update has a uuid but no agent_id to acknowledge".into())
        })?;
        let shared = self.shared();
        shared.acks.enqueue(shared, ack)
    }

    /// Like [`Scheduler::acknowledge_in_background`] for an operation status
    /// (ACKNOWLEDGE_OPERATION_STATUS): does nothing (`Ok`) without uuid.
    pub fn acknowledge_operation_status_in_background(
        &self,
        status: &v1::OperationStatus,
    ) -> Result<(), Error> {
        if status.uuid.is_none() {
            return Ok(());
        }
        let ack = call::acknowledge_operation_update(status).ok_or_else(|| {
            Error::Invalid("the operation status has a uuid but no operation_id".into())
        })?;
        let shared = self.shared();
        shared.acks.enqueue(shared, ack)
    }
}
