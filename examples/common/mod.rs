//! Pieces shared by the `execute` and `batch` examples: argument reading,
//! connecting to a master (or starting the embedded simulated one), and
//! printing status updates the same way.
//!
//! Each example uses a subset, hence the `dead_code` allowance.
#![allow(dead_code)]

pub mod cli;
pub mod cluster;
pub mod interrupt;
pub mod progress;
pub mod report;
pub mod tasks;
