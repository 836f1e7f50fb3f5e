//! Handing a reader thread's items to the application over a bounded
//! channel: back-pressure (block while full, telling the watchdog the wait
//! is the application's, not the peer's), never loss; a dropped receiver
//! closes the client. Generic over the item, so the scheduler's reader and
//! an executor's share it.

use crossbeam_channel::{select, Sender, TrySendError};

use super::control::Control;

/// Hands `item` to the application. False when the client closed or nobody
/// listens any more (in which case the client is closed too).
pub(crate) fn deliver<T>(control: &Control, events: &Sender<T>, item: T) -> bool {
    let item = match events.try_send(item) {
        Ok(()) => return true,
        Err(TrySendError::Disconnected(_)) => return receiver_gone(control),
        Err(TrySendError::Full(item)) => item,
    };
    control.delivering(true);
    let delivered = select! {
        send(events, item) -> sent => sent.is_ok(),
        recv(control.stop_signal()) -> _ => false,
    };
    control.delivering(false);
    if !delivered && !control.is_closed() {
        return receiver_gone(control);
    }
    delivered
}

fn receiver_gone(control: &Control) -> bool {
    log::info!("the event receiver was dropped: closing the subscription");
    control.close();
    false
}
