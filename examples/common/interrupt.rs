//! Ctrl-C as a channel, so the main loop can `select!` on it next to the
//! event channel and timers.

use crossbeam_channel::Receiver;

/// A channel that receives `()` on each Ctrl-C (SIGINT), and also on
/// SIGTERM and SIGHUP (ctrlc's `termination` feature, which the workspace
/// turns on for `sim-master`): being told to stop is handled like Ctrl-C.
pub fn interrupt_channel() -> Result<Receiver<()>, String> {
    let (tx, rx) = crossbeam_channel::bounded(4);
    ctrlc::set_handler(move || {
        let _ = tx.try_send(());
    })
    .map_err(|e| format!("cannot install the Ctrl-C handler: {e}"))?;
    Ok(rx)
}
