//! Shared checks for the fuzz targets. The same file is compiled into
//! `tests/fuzz_corpus.rs`, so `cargo test` replays the corpus through
//! exactly the calls the fuzzer makes.

pub mod harness;
