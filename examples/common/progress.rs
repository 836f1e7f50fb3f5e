//! A live progress line: redrawn in place (`\r`) on a terminal, printed as
//! one line per change when the output goes to a file or a pipe.

use std::io::{IsTerminal, Write};

/// Where each task of a batch is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Counts {
    /// Not launched yet.
    pub queued: usize,
    /// Launched and not ended (staging, starting, running, killing).
    pub running: usize,
    /// Ended with TASK_FINISHED.
    pub finished: usize,
    /// Ended any other way.
    pub failed: usize,
}

impl Counts {
    /// The progress text.
    pub fn line(&self) -> String {
        format!(
            "queued {}  running {}  finished {}  failed {}",
            self.queued, self.running, self.finished, self.failed
        )
    }
}

/// Prints [`Counts`] whenever they change, and log lines around them.
pub struct Progress {
    tty: bool,
    shown: Option<Counts>,
}

impl Progress {
    /// Redraws in place when stdout is a terminal.
    pub fn new() -> Self {
        Progress {
            tty: std::io::stdout().is_terminal(),
            shown: None,
        }
    }

    /// Shows `counts` if they differ from what is shown.
    pub fn update(&mut self, counts: Counts) {
        if self.shown == Some(counts) {
            return;
        }
        self.shown = Some(counts);
        let mut out = std::io::stdout().lock();
        if self.tty {
            // Back to column 0, the new text, then erase what is left of the old.
            let _ = write!(out, "\r{}\x1b[K", counts.line());
        } else {
            let _ = writeln!(out, "{}", counts.line());
        }
        let _ = out.flush();
    }

    /// Prints a line of its own, keeping the progress line below it.
    pub fn log(&mut self, line: &str) {
        let mut out = std::io::stdout().lock();
        if self.tty && self.shown.is_some() {
            let _ = write!(out, "\r\x1b[K");
        }
        let _ = writeln!(out, "{line}");
        if let (true, Some(counts)) = (self.tty, self.shown) {
            let _ = write!(out, "{}", counts.line());
        }
        let _ = out.flush();
    }

    /// Ends the progress line (a newline on a terminal).
    pub fn finish(&mut self) {
        if self.tty && self.shown.is_some() {
            println!();
        }
        self.shown = None;
    }
}
