//! Joining a client's background threads when it closes, shared by the
//! scheduler and executor handles.

use std::sync::Mutex;
use std::thread::{self, JoinHandle};

/// Joins every thread in `threads` (taking them out), except the calling
/// one: a handle may be dropped on its own reader thread.
pub(crate) fn join_threads(threads: &Mutex<Vec<JoinHandle<()>>>) {
    let threads = std::mem::take(&mut *threads.lock().unwrap_or_else(|p| p.into_inner()));
    let current = thread::current().id();
    for thread in threads {
        if thread.thread().id() != current {
            let _ = thread.join();
        }
    }
}
