//! What each fuzz target does with its input, and the properties it checks.
//! Included by the fuzz crate and by `tests/fuzz_corpus.rs`; it may only use
//! `std` and `mesos_http`.

use mesos_http::codec::{json, protobuf, DecodeError, Encoding, Message};
use mesos_http::event::Event as TypedEvent;
use mesos_http::recordio::{encode, Decoder, RecordIoError};
use mesos_http::v1::executor::Event as ExecutorEvent;
use mesos_http::v1::scheduler::{Call, Event};
use mesos_http::v1::{agent, master};
use mesos_http::validation;

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

/// Decodes one JSON event record. A decoded event must re-encode to JSON that
/// decodes and re-encodes to the same text (not `decode(encode(m)) == m`: the
/// Mesos mapping writes declared defaults of unset fields and drops unknown enum
/// names, so one round trip may fill fields in; after that the text is stable).
pub fn json_event_decode(data: &[u8]) -> Result<Event, DecodeError> {
    json_round_trip(data)
}

/// Decodes one protobuf event record. A decoded event must re-encode to bytes
/// that decode and re-encode to the same bytes (compared as bytes so NaN
/// doubles pass).
pub fn protobuf_event_decode(data: &[u8]) -> Result<Event, DecodeError> {
    protobuf_round_trip(data)
}

/// Decodes one JSON call body as the simulated master does, then runs the
/// master's validation on what decoded (it must not panic on any call, and
/// must accept or refuse the re-encoded call the same way). Round trip as
/// for events.
pub fn json_call_decode(data: &[u8]) -> Result<Call, DecodeError> {
    let decoded = json_round_trip::<Call>(data);
    if let Ok(call) = &decoded {
        check_validation_is_stable(call, json::decode::<Call>(&json::encode(call)));
    }
    decoded
}

/// Decodes one protobuf call body as the simulated master does; checks as
/// for [`json_call_decode`].
pub fn protobuf_call_decode(data: &[u8]) -> Result<Call, DecodeError> {
    let decoded = protobuf_round_trip::<Call>(data);
    if let Ok(call) = &decoded {
        check_validation_is_stable(call, protobuf::decode::<Call>(&protobuf::encode(call)));
    }
    decoded
}

fn check_validation_is_stable(call: &Call, again: Result<Call, DecodeError>) {
    let again = again.expect("checked by the round trip");
    let principal = Some("fuzzer");
    let first = validation::validate_as(call, principal).map_err(|e| e.body());
    let second = validation::validate_as(&again, principal).map_err(|e| e.body());
    // A round trip may fill in declared defaults, which validation can see
    // (an explicit default is still valid input): compare only whether the
    // verdict text is produced without panicking, and that accepting stays
    // accepting.
    if first.is_ok() {
        assert_eq!(second, Ok(()), "a valid call is refused after a round trip");
    }
    let _ = validation::validate_outgoing(call);
}

/// What an executor event record decoded to, in each encoding.
#[derive(Debug)]
pub struct ExecutorOutcome {
    /// The input read as a JSON record.
    pub json: Result<ExecutorEvent, DecodeError>,
    /// The input read as a protobuf record.
    pub protobuf: Result<ExecutorEvent, DecodeError>,
}

/// Decodes one executor event record (what an agent sends an executor on
/// its SUBSCRIBE stream) in both encodings, each with the round-trip check;
/// whatever decodes must also survive the other encoding unchanged.
pub fn executor_event_decode(data: &[u8]) -> ExecutorOutcome {
    let outcome = ExecutorOutcome {
        json: json_round_trip::<ExecutorEvent>(data),
        protobuf: protobuf_round_trip::<ExecutorEvent>(data),
    };
    for event in [&outcome.json, &outcome.protobuf].into_iter().flatten() {
        let via = protobuf::decode::<ExecutorEvent>(&protobuf::encode(event))
            .expect("checked by the round trip");
        assert_eq!(
            protobuf::encode(&via),
            protobuf::encode(event),
            "protobuf re-encoding is not stable"
        );
    }
    outcome
}

/// The record cap used by the pipeline target.
pub const PIPELINE_MAX_RECORD_SIZE: usize = 4096;

/// What a SUBSCRIBE stream turned into: the client's view of each record.
#[derive(Debug, Clone, PartialEq)]
pub struct PipelineOutcome {
    /// The encoding the stream was read in.
    pub encoding: Encoding,
    /// One entry per record, in order: the typed event, or why it did not decode.
    pub events: Vec<Result<TypedEvent, DecodeError>>,
    /// The framing error that ended the stream, if any (from `finish` too).
    pub framing: Option<RecordIoError>,
}

/// Fuzz input: one byte choosing the encoding (low bit: 0 protobuf, 1 JSON),
/// one choosing the chunk sizes, then the stream bytes.
///
/// The stream goes through what the client's reader does: the RecordIO
/// decoder fed chunk by chunk, each record decoded to a typed
/// `event::Event`. The typed result must not depend on the chunking; every
/// typed event must give back a message that re-encodes and decodes to the
/// same kind of event.
pub fn event_pipeline(data: &[u8]) -> PipelineOutcome {
    let (encoding, control, stream) = match data {
        [e, c, rest @ ..] => (
            if e & 1 == 0 {
                Encoding::Protobuf
            } else {
                Encoding::Json
            },
            *c,
            rest,
        ),
        _ => (Encoding::Protobuf, 0, &[][..]),
    };
    let reference = run_pipeline(encoding, &[stream]);
    let chunked = run_pipeline(encoding, &split(stream, control));
    // Compared as Debug text: a NaN double (a heartbeat interval, say) is
    // not equal to itself, but prints the same.
    assert_eq!(
        format!("{chunked:?}"),
        format!("{reference:?}"),
        "chunking changed the events"
    );
    for event in reference.events.iter().flatten() {
        let proto = event.to_proto();
        let again = TypedEvent::decode(encoding, &encoding.encode(&proto))
            .expect("a typed event re-encodes to a decodable record");
        assert_eq!(again.kind(), event.kind(), "the kind survives re-encoding");
    }
    reference
}

fn run_pipeline(encoding: Encoding, pieces: &[&[u8]]) -> PipelineOutcome {
    let mut decoder = Decoder::with_max_record_size(PIPELINE_MAX_RECORD_SIZE);
    let mut events = Vec::new();
    let mut framing = None;
    for piece in pieces {
        let result = decoder.decode(piece, |record| {
            events.push(TypedEvent::decode(encoding, record));
        });
        if let Err(error) = result {
            framing = Some(error);
            break;
        }
    }
    if framing.is_none() {
        framing = decoder.finish().err();
    }
    PipelineOutcome {
        encoding,
        events,
        framing,
    }
}

/// JSON decode with the stable re-encoding check.
fn json_round_trip<M: Message>(data: &[u8]) -> Result<M, DecodeError> {
    let decoded = json::decode::<M>(data);
    if let Ok(message) = &decoded {
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
    decoded
}

/// Protobuf decode with the stable re-encoding check.
fn protobuf_round_trip<M: Message>(data: &[u8]) -> Result<M, DecodeError> {
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
    decoded
}

/// What one operator input decoded to in each encoding.
#[derive(Debug)]
pub struct OperatorOutcome<M> {
    /// The input read as JSON.
    pub json: Result<M, DecodeError>,
    /// The input read as binary protobuf.
    pub protobuf: Result<M, DecodeError>,
}

/// Reads one input as `M` in both encodings, each with its stable
/// re-encoding check (operator records and answers arrive in either).
fn operator_decode<M: Message>(data: &[u8]) -> OperatorOutcome<M> {
    OperatorOutcome {
        json: json_round_trip(data),
        protobuf: protobuf_round_trip(data),
    }
}

/// Decodes one record of the master's operator event stream
/// (`mesos.v1.master.Event`) as JSON and as protobuf.
pub fn operator_master_event_decode(data: &[u8]) -> OperatorOutcome<master::Event> {
    operator_decode(data)
}

/// Decodes one master operator answer (`mesos.v1.master.Response`) as JSON
/// and as protobuf.
pub fn operator_master_response_decode(data: &[u8]) -> OperatorOutcome<master::Response> {
    operator_decode(data)
}

/// Decodes one agent operator answer (`mesos.v1.agent.Response`) as JSON
/// and as protobuf.
pub fn operator_agent_response_decode(data: &[u8]) -> OperatorOutcome<agent::Response> {
    operator_decode(data)
}
