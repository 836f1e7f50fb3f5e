//! Randomized mutations of valid JSON events and calls: the decoder must
//! never panic, whatever it is given, and what it accepts must survive an
//! encode → decode → encode round trip unchanged (the Mesos mapping fills in
//! declared defaults and drops unknown enum names, so the first re-encoding
//! is the fixed point, not the input).
//!
//! Comparing two decoder versions: with `JSON_MUTATION_OUTCOMES=write:PATH`
//! the test records every case's outcome (error kind, or a hash of the
//! decoded value), with `JSON_MUTATION_OUTCOMES=check:PATH` it compares
//! against such a file and lists every case that differs. The cases are the
//! same on every run (fixed seed), so outcomes written by one version of the
//! decoder can be checked by another.

use mesos_http::codec::json::{decode, encode, JsonMessage};
use mesos_http::codec::DecodeError;
use mesos_http::v1::scheduler::{Call, Event};
use std::collections::hash_map::DefaultHasher;
use std::fmt::Debug;
use std::hash::{Hash, Hasher};
use std::path::Path;

/// xorshift64*: deterministic, no dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// Tokens worth splicing in: structure, edge-case numbers and strings.
const TOKENS: &[&[u8]] = &[
    b"{",
    b"}",
    b"[",
    b"]",
    b",",
    b":",
    b"\"",
    b"\\",
    b"null",
    b"true",
    b"false",
    b"0",
    b"-0",
    b"-",
    b"007",
    b"1e999",
    b"-1e999",
    b"1e-999",
    b"1.5",
    b"1.",
    b".5",
    b"1e",
    b"18446744073709551616",
    b"-9223372036854775809",
    b"9223372036854775808",
    b"4294967297",
    b"\"Infinity\"",
    b"\"NaN\"",
    b"\"-42\"",
    b"\"true\"",
    b"\"\\u0000\"",
    b"\"\\ud800\"",
    b"\"\\ud83d\\ude00\"",
    b"\"\\x\"",
    b"\xff",
    b"\xc3\xa9",
    b"\xe2\x98",
    b"\t",
    b"\n",
    b"\x01",
    b"{}",
    b"[]",
    b"[[1,[2]],null]",
    b"{\"value\":\"v\"}",
    b"\"TASK_RUNNING\"",
    b"\"SCALAR\"",
    b"\"AAAA\"",
    b"\"a-b\"",
    b"\"type\"",
    b"\"value\"",
    b"\"parent\"",
    b"\"offers\"",
    b"\"status\"",
    b"\"uuid\"",
];

fn mutate(rng: &mut Rng, input: &[u8]) -> Vec<u8> {
    let mut out = input.to_vec();
    for _ in 0..1 + rng.below(3) {
        let at = rng.below(out.len() + 1);
        match rng.below(7) {
            0 if at < out.len() => out[at] = rng.next() as u8,
            1 if at < out.len() => {
                let set = b"{}[]\",:\\0123456789-+.eEtfnu ";
                out[at] = set[rng.below(set.len())];
            }
            2 => {
                let end = (at + 1 + rng.below(8)).min(out.len());
                out.drain(at.min(end)..end);
            }
            3 => {
                let token = TOKENS[rng.below(TOKENS.len())];
                out.splice(at..at, token.iter().copied());
            }
            4 => {
                let end = (at + 1 + rng.below(24)).min(out.len());
                let piece = out[at.min(end)..end].to_vec();
                out.splice(at..at, piece);
            }
            5 => out.truncate(at),
            _ => {
                // Replace a whole string or number with a token.
                let token = TOKENS[rng.below(TOKENS.len())];
                let end = (at + 1 + rng.below(12)).min(out.len());
                out.splice(at.min(end)..end, token.iter().copied());
            }
        }
    }
    out
}

fn hash_of(value: &impl Debug) -> u64 {
    let mut h = DefaultHasher::new();
    format!("{value:?}").hash(&mut h);
    h.finish()
}

/// Decodes `input` and checks the re-encoding property; returns the outcome
/// line recorded for version comparisons.
fn outcome<M: JsonMessage + Debug + PartialEq>(input: &[u8]) -> String {
    let decoded: Result<M, DecodeError> = decode(input);
    match decoded {
        Ok(m) => {
            let once = encode(&m);
            let back: M = decode(&once).unwrap_or_else(|e| {
                panic!(
                    "re-encoding of {:?} does not decode: {e}\n{}",
                    String::from_utf8_lossy(input),
                    String::from_utf8_lossy(&once)
                )
            });
            assert_eq!(
                encode(&back),
                once,
                "unstable re-encoding of {:?}",
                String::from_utf8_lossy(input)
            );
            format!("ok {:016x}", hash_of(&m))
        }
        Err(e) => format!("err {:?}", e.kind()),
    }
}

fn seeds(dir: &str) -> Vec<Vec<u8>> {
    let mut files: Vec<_> = std::fs::read_dir(Path::new("tests/data/json").join(dir))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    files.iter().map(|p| std::fs::read(p).unwrap()).collect()
}

/// Hand-made records with the lenient forms the master accepts.
const EXTRA_EVENTS: &[&str] = &[
    r#"{"type":"UPDATE","update":{"status":{"task_id":{"value":"t\u0031 \"q\" \u00e9 \ud83d\ude00"},"state":"TASK_RUNNING","timestamp":"1.5e9","uuid":"AAEC AwQ=","healthy":"true","labels":{"labels":{"key":"k"}},"container_status":{"container_id":{"value":"c","parent":{"value":"p"}},"executor_pid":"-1"}}},"extra":[{"a":[1,2,{"b":null}]},-0.0,1e300]}"#,
    r#" {"type":"OFFERS","offers":{"offers":[{"id":{"value":"o"},"framework_id":{"value":"f"},"agent_id":{"value":"a"},"hostname":"h","resources":[{"name":"ports","type":"RANGES","ranges":{"range":[{"begin":"31000","end":3.2e4}]}},{"name":"cpus","type":"SCALAR","scalar":{"value":-0}}],"attributes":{"name":"x","type":"SET","set":{"item":[["a"],null,"b"]}}}]}} "#,
    r#"{"type":"SUBSCRIBED","subscribed":{"framework_id":{"value":"f"},"heartbeat_interval_seconds":"Infinity","master_info":{"id":"m","ip":-1,"port":"5050","address":{"port":18446744073709551615}}}}"#,
];

#[test]
fn mutated_records_never_panic_and_reencode_stably() {
    let mut lines = Vec::new();
    let mut inputs = Vec::new();
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut events = seeds("events");
    events.extend(EXTRA_EVENTS.iter().map(|s| s.as_bytes().to_vec()));
    let calls = seeds("calls");
    assert!(
        events.len() > 30 && calls.len() > 30,
        "seed records missing"
    );
    for (i, seed) in events.iter().enumerate() {
        assert!(
            decode::<Event>(seed).is_ok(),
            "event seed {i} does not decode"
        );
        for m in 0..400 {
            let input = mutate(&mut rng, seed);
            lines.push(format!("event {i} {m} {}", outcome::<Event>(&input)));
            inputs.push(input);
        }
    }
    for (i, seed) in calls.iter().enumerate() {
        assert!(
            decode::<Call>(seed).is_ok(),
            "call seed {i} does not decode"
        );
        for m in 0..100 {
            let input = mutate(&mut rng, seed);
            lines.push(format!("call {i} {m} {}", outcome::<Call>(&input)));
            inputs.push(input);
        }
    }
    let accepted = lines.iter().filter(|l| l.contains(" ok ")).count();
    assert!(
        accepted > lines.len() / 20 && accepted < lines.len() * 19 / 20,
        "mutations should give both accepted and rejected records: {accepted} of {}",
        lines.len()
    );
    compare_with_recorded(&lines, &inputs);
}

fn compare_with_recorded(lines: &[String], inputs: &[Vec<u8>]) {
    let Ok(mode) = std::env::var("JSON_MUTATION_OUTCOMES") else {
        return;
    };
    let text = lines.join("\n");
    if let Some(path) = mode.strip_prefix("write:") {
        std::fs::write(path, text).unwrap();
    } else if let Some(path) = mode.strip_prefix("check:") {
        let recorded = std::fs::read_to_string(path).unwrap();
        let recorded: Vec<&str> = recorded.lines().collect();
        assert_eq!(recorded.len(), lines.len(), "different case lists");
        let differing: Vec<String> = recorded
            .iter()
            .zip(lines.iter().zip(inputs))
            .filter(|(a, (b, _))| **a != b.as_str())
            .map(|(a, (b, input))| {
                format!(
                    "recorded: {a}\n     now: {b}\n   input: {}",
                    input.escape_ascii()
                )
            })
            .collect();
        assert!(
            differing.is_empty(),
            "{} cases differ:\n{}",
            differing.len(),
            differing.join("\n")
        );
    } else {
        panic!("JSON_MUTATION_OUTCOMES must be write:PATH or check:PATH");
    }
}
