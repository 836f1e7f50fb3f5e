//! What each fuzz target does with its input, and the properties it checks.
//! Included by the fuzz crate and by `tests/fuzz_corpus.rs`; it may only use
//! `std` and `mesos_http`.

use std::marker::PhantomData;

use mesos_http::codec::{json, protobuf, DecodeError};
use mesos_http::recordio::{encode, Decoder, RecordIoError};
use mesos_http::v1::scheduler::Event;

/// The record cap used when fuzzing RecordIO: small, so oversized headers
/// are easy for the fuzzer to reach.
pub const RECORDIO_MAX_RECORD_SIZE: usize = 1024;

/// What a RecordIO stream decoded to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordioOutcome {
    /// Every record, in order, up to the first error.
    pub records: Vec<Vec<u8>>,
    /// The first error, from feeding or from `finish`.
    pub error: Option<RecordIoError>,
}

/// Ways of driving the decoder; all must agree.
#[derive(Debug, Clone, Copy)]
enum Api {
    Borrowed,
    PushPop,
    Mixed,
}

/// Fuzz input: one control byte choosing the chunk sizes, then the stream.
///
/// The stream is decoded whole, and in pieces with each API; every run must
/// give the same records and the same error, no record may exceed the cap,
/// the decoder's buffer must stay bounded, and re-encoding a clean stream's
/// records must decode to the same records.
pub fn recordio_decode(data: &[u8]) -> RecordioOutcome {
    let Some((&control, stream)) = data.split_first() else {
        return RecordioOutcome {
            records: Vec::new(),
            error: None,
        };
    };
    let reference = run_recordio(&[stream], Api::Borrowed);
    let pieces = split(stream, control);
    for api in [Api::Borrowed, Api::PushPop, Api::Mixed] {
        let outcome = run_recordio(&pieces, api);
        assert_eq!(
            outcome, reference,
            "{api:?} in pieces differs from one piece"
        );
    }
    for record in &reference.records {
        assert!(record.len() <= RECORDIO_MAX_RECORD_SIZE);
    }
    if reference.error.is_none() {
        let mut reencoded = Vec::new();
        for record in &reference.records {
            encode(record, &mut reencoded);
        }
        assert_eq!(run_recordio(&[&reencoded], Api::PushPop), reference);
    }
    reference
}

fn run_recordio(pieces: &[&[u8]], api: Api) -> RecordioOutcome {
    let mut decoder = Decoder::with_max_record_size(RECORDIO_MAX_RECORD_SIZE);
    let mut records = Vec::new();
    let largest_piece = pieces.iter().map(|p| p.len()).max().unwrap_or(0);
    let bound = 4 * (RECORDIO_MAX_RECORD_SIZE + 32 + largest_piece);
    for (index, piece) in pieces.iter().enumerate() {
        let push = match api {
            Api::Borrowed => false,
            Api::PushPop => true,
            Api::Mixed => index % 3 == 1,
        };
        let result = if push {
            let pushed = decoder.push(piece);
            loop {
                match decoder.pop() {
                    Ok(Some(record)) => records.push(record.to_vec()),
                    Ok(None) => break,
                    Err(error) => {
                        assert_eq!(Err(&error), pushed.as_ref(), "pop error not push's");
                        break;
                    }
                }
            }
            pushed
        } else {
            decoder.decode(piece, |record| records.push(record.to_vec()))
        };
        assert!(
            decoder.buffer_capacity() <= bound,
            "buffer grew to {} bytes",
            decoder.buffer_capacity()
        );
        if let Err(error) = result {
            assert_eq!(decoder.failure(), Some(&error));
            assert_eq!(decoder.finish(), Err(error.clone()), "error not sticky");
            return RecordioOutcome {
                records,
                error: Some(error),
            };
        }
    }
    let error = decoder.finish().err();
    RecordioOutcome { records, error }
}

/// Cuts `stream` into pieces whose sizes a tiny PRNG seeded by `control`
/// picks: below 128 small pieces (1 to 16 bytes), above larger ones.
fn split(stream: &[u8], control: u8) -> Vec<&[u8]> {
    let max_piece = if control < 128 {
        usize::from(control % 16) + 1
    } else {
        (usize::from(control) - 127) * 32
    };
    let mut state = u64::from(control).wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut pieces = Vec::new();
    let mut rest = stream;
    while !rest.is_empty() {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let size = (state % max_piece as u64) as usize + 1;
        let (piece, tail) = rest.split_at(size.min(rest.len()));
        pieces.push(piece);
        rest = tail;
    }
    pieces
}

/// Decodes one JSON event record. `None` means this build's `Event` has no
/// JSON codec yet (the codec branch is not merged). A decoded event must
/// re-encode to JSON that decodes and re-encodes to the same text.
pub fn json_event_decode(data: &[u8]) -> Option<Result<Event, DecodeError>> {
    (&CodecProbe::<Event>::new()).json(data)
}

/// Decodes one protobuf event record. `None` means this build's `Event` has
/// no protobuf codec yet. A decoded event must re-encode to bytes that decode
/// and re-encode to the same bytes (compared as bytes so NaN doubles pass).
pub fn protobuf_event_decode(data: &[u8]) -> Option<Result<Event, DecodeError>> {
    (&CodecProbe::<Event>::new()).protobuf(data)
}

/// Picks the real codec when the message type implements it and a stand-in
/// that returns `None` otherwise (method lookup prefers the impl on
/// `CodecProbe<M>` over the one on `&CodecProbe<M>`). This lets the harness
/// compile before the generated codec impls exist; once both codecs are
/// merged the stand-ins are never chosen and can be deleted.
struct CodecProbe<M>(PhantomData<M>);

impl<M> CodecProbe<M> {
    fn new() -> Self {
        CodecProbe(PhantomData)
    }
}

trait JsonCodec<M> {
    fn json(&self, data: &[u8]) -> Option<Result<M, DecodeError>>;
}

trait ProtobufCodec<M> {
    fn protobuf(&self, data: &[u8]) -> Option<Result<M, DecodeError>>;
}

impl<M: json::JsonMessage> JsonCodec<M> for CodecProbe<M> {
    fn json(&self, data: &[u8]) -> Option<Result<M, DecodeError>> {
        let decoded = json::decode::<M>(data);
        if let Ok(message) = &decoded {
            // Not `decode(encode(m)) == m`: the Mesos mapping writes declared
            // defaults of unset fields, and drops unknown enum names, so one
            // round trip may fill fields in. After that the text must be stable.
            let encoded = json::encode(message);
            match json::decode::<M>(&encoded) {
                Ok(again) => assert_eq!(
                    String::from_utf8_lossy(&json::encode(&again)),
                    String::from_utf8_lossy(&encoded),
                    "JSON re-encoding is not stable"
                ),
                Err(error) => panic!(
                    "our own JSON does not decode ({error}): {}",
                    String::from_utf8_lossy(&encoded)
                ),
            }
        }
        Some(decoded)
    }
}

impl<M: protobuf::ProtobufMessage> ProtobufCodec<M> for CodecProbe<M> {
    fn protobuf(&self, data: &[u8]) -> Option<Result<M, DecodeError>> {
        let decoded = protobuf::decode::<M>(data);
        if let Ok(message) = &decoded {
            let encoded = protobuf::encode(message);
            match protobuf::decode::<M>(&encoded) {
                Ok(again) => assert_eq!(
                    protobuf::encode(&again),
                    encoded,
                    "protobuf re-encoding is not stable"
                ),
                Err(error) => panic!("our own protobuf does not decode ({error}): {encoded:02x?}"),
            }
        }
        Some(decoded)
    }
}

impl<M> JsonCodec<M> for &CodecProbe<M> {
    fn json(&self, _data: &[u8]) -> Option<Result<M, DecodeError>> {
        None
    }
}

impl<M> ProtobufCodec<M> for &CodecProbe<M> {
    fn protobuf(&self, _data: &[u8]) -> Option<Result<M, DecodeError>> {
        None
    }
}
