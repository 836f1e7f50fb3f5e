//! RecordIO framing: the stout vectors, arbitrary chunking, every class of
//! bad header, the size cap, truncation and the sticky failed state.

use mesos_http::recordio::{
    encode, encode_to_vec, Decoder, RecordIoError, DEFAULT_MAX_RECORD_SIZE, MAX_HEADER_DIGITS,
};

/// The example from stout's recordio tests: three records and an empty one.
const STOUT_STREAM: &[u8] = b"6\nhello!0\n1\n 13\n13 characters";

fn stout_records() -> Vec<Vec<u8>> {
    vec![
        b"hello!".to_vec(),
        Vec::new(),
        b" ".to_vec(),
        b"13 characters".to_vec(),
    ]
}

/// A tiny xorshift PRNG so chunk sizes vary reproducibly without a crate.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// How a test drives the decoder.
#[derive(Debug, Clone, Copy)]
enum Api {
    /// `push` then `pop` until empty, after every piece.
    PushPop,
    /// `decode` with a closure.
    Borrowed,
    /// Alternates the two, piece by piece.
    Mixed,
}

const APIS: [Api; 3] = [Api::PushPop, Api::Borrowed, Api::Mixed];

/// Feeds `pieces` through `decoder` and collects the records, stopping at
/// the first error (the records before it are kept).
fn feed(
    decoder: &mut Decoder,
    api: Api,
    pieces: &[&[u8]],
) -> (Vec<Vec<u8>>, Result<(), RecordIoError>) {
    let mut records = Vec::new();
    for (index, piece) in pieces.iter().enumerate() {
        let use_push = match api {
            Api::PushPop => true,
            Api::Borrowed => false,
            Api::Mixed => index % 2 == 0,
        };
        let result = if use_push {
            let pushed = decoder.push(piece);
            loop {
                match decoder.pop() {
                    Ok(Some(record)) => records.push(record.to_vec()),
                    Ok(None) => break,
                    Err(error) => {
                        assert_eq!(pushed, Err(error.clone()), "pop and push disagree");
                        break;
                    }
                }
            }
            pushed
        } else {
            decoder.decode(piece, |record| records.push(record.to_vec()))
        };
        if let Err(error) = result {
            return (records, Err(error));
        }
    }
    (records, Ok(()))
}

/// Decodes a whole stream given as pieces, including `finish`.
fn decode_pieces(api: Api, max: usize, pieces: &[&[u8]]) -> Result<Vec<Vec<u8>>, RecordIoError> {
    let mut decoder = Decoder::with_max_record_size(max);
    let (records, result) = feed(&mut decoder, api, pieces);
    result?;
    decoder.finish()?;
    Ok(records)
}

/// The error a stream produces and the records that came out before it.
fn error_of(api: Api, max: usize, stream: &[u8]) -> (Vec<Vec<u8>>, RecordIoError) {
    let mut decoder = Decoder::with_max_record_size(max);
    let (records, result) = feed(&mut decoder, api, &[stream]);
    let error = match result {
        Err(error) => error,
        Ok(()) => decoder
            .finish()
            .expect_err("stream should have been rejected"),
    };
    (records, error)
}

fn split_by_sizes(stream: &[u8], mut size: impl FnMut() -> usize) -> Vec<&[u8]> {
    let mut pieces = Vec::new();
    let mut rest = stream;
    while !rest.is_empty() {
        let n = size().clamp(1, rest.len());
        pieces.push(&rest[..n]);
        rest = &rest[n..];
    }
    pieces
}

/// Records with multi-byte UTF-8, an empty one and one long enough to need
/// a multi-digit header.
fn utf8_records() -> Vec<Vec<u8>> {
    let mut long = String::new();
    for i in 0..40 {
        long.push_str(["ä", "€", "𝄞", "x", "日本"][i % 5]);
    }
    vec![
        "{\"type\":\"SUBSCRIBED\"}".as_bytes().to_vec(),
        "héllo wörld".as_bytes().to_vec(),
        Vec::new(),
        "🦀 Крабы 蟹".as_bytes().to_vec(),
        long.into_bytes(),
        "\n0\n".as_bytes().to_vec(),
        "z".as_bytes().to_vec(),
    ]
}

fn encode_all(records: &[Vec<u8>]) -> Vec<u8> {
    let mut stream = Vec::new();
    for record in records {
        encode(record, &mut stream);
    }
    stream
}

#[test]
fn stout_vector_decodes_to_four_records_including_an_empty_one() {
    for api in APIS {
        assert_eq!(
            decode_pieces(api, DEFAULT_MAX_RECORD_SIZE, &[STOUT_STREAM]),
            Ok(stout_records()),
            "{api:?}"
        );
    }
}

#[test]
fn stout_records_encode_to_the_stout_vector() {
    assert_eq!(encode_all(&stout_records()), STOUT_STREAM);
}

#[test]
fn encoder_writes_decimal_length_line_feed_payload() {
    assert_eq!(encode_to_vec(b"hello!"), b"6\nhello!");
    assert_eq!(encode_to_vec(b""), b"0\n");
    let payload = vec![b'x'; 1000];
    let framed = encode_to_vec(&payload);
    assert_eq!(&framed[..5], b"1000\n");
    assert_eq!(&framed[5..], &payload[..]);

    let mut out = b"prefix".to_vec();
    encode(b"ab", &mut out);
    encode(b"", &mut out);
    assert_eq!(out, b"prefix2\nab0\n");
}

#[test]
fn empty_input_gives_no_records_and_no_error() {
    for api in APIS {
        assert_eq!(decode_pieces(api, DEFAULT_MAX_RECORD_SIZE, &[]), Ok(vec![]));
        assert_eq!(
            decode_pieces(api, DEFAULT_MAX_RECORD_SIZE, &[b"", b""]),
            Ok(vec![])
        );
    }
    let mut decoder = Decoder::new();
    assert_eq!(decoder.pop(), Ok(None));
    assert_eq!(decoder.finish(), Ok(()));
}

#[test]
fn leading_zeros_are_accepted() {
    let stream = b"005\nhello0000\n00000000000000000003\nabc";
    for api in APIS {
        assert_eq!(
            decode_pieces(api, DEFAULT_MAX_RECORD_SIZE, &[stream]),
            Ok(vec![b"hello".to_vec(), Vec::new(), b"abc".to_vec()])
        );
    }
}

#[test]
fn every_single_split_point_yields_the_same_records() {
    let records = utf8_records();
    let stream = encode_all(&records);
    for api in APIS {
        for split in 0..=stream.len() {
            let (a, b) = stream.split_at(split);
            assert_eq!(
                decode_pieces(api, 4096, &[a, b]),
                Ok(records.clone()),
                "{api:?} split at {split}"
            );
        }
    }
}

#[test]
fn every_pair_of_split_points_yields_the_same_records() {
    let records = stout_records();
    let stream = encode_all(&records);
    for api in APIS {
        for first in 0..=stream.len() {
            for second in first..=stream.len() {
                let pieces = [&stream[..first], &stream[first..second], &stream[second..]];
                assert_eq!(
                    decode_pieces(api, 4096, &pieces),
                    Ok(records.clone()),
                    "{api:?} split at {first} and {second}"
                );
            }
        }
    }
}

#[test]
fn one_and_two_byte_pieces_yield_the_same_records() {
    let records = utf8_records();
    let stream = encode_all(&records);
    for api in APIS {
        for size in [1, 2] {
            let pieces: Vec<&[u8]> = stream.chunks(size).collect();
            assert_eq!(
                decode_pieces(api, 4096, &pieces),
                Ok(records.clone()),
                "{api:?} pieces of {size}"
            );
        }
    }
}

#[test]
fn pseudo_random_pieces_yield_the_same_records() {
    let records = utf8_records();
    let mut stream = Vec::new();
    for _ in 0..20 {
        stream.extend_from_slice(&encode_all(&records));
    }
    let expected: Vec<Vec<u8>> = (0..20).flat_map(|_| records.clone()).collect();
    for seed in 1..=50u64 {
        let mut rng = XorShift(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
        let max_piece = 1 + rng.below(300);
        let pieces = split_by_sizes(&stream, || 1 + rng.below(max_piece));
        for api in APIS {
            assert_eq!(
                decode_pieces(api, 4096, &pieces),
                Ok(expected.clone()),
                "{api:?} seed {seed}"
            );
        }
    }
}

#[test]
fn records_whole_inside_a_chunk_are_passed_without_copying() {
    let stream = encode_all(&utf8_records());
    let mut decoder = Decoder::new();
    let range = stream.as_ptr_range();
    let mut borrowed = 0;
    decoder
        .decode(&stream, |record| {
            assert!(range.contains(&record.as_ptr()) || record.is_empty());
            borrowed += 1;
        })
        .unwrap();
    assert_eq!(borrowed, utf8_records().len());
    assert_eq!(decoder.buffer_capacity(), 0, "nothing should be buffered");
}

#[test]
fn a_large_record_in_small_chunks_is_reassembled_in_both_apis() {
    let payload: Vec<u8> = (0..1_000_000u32).map(|i| (i % 251) as u8).collect();
    let mut stream = encode_to_vec(&payload);
    encode(b"tail", &mut stream);
    let pieces: Vec<&[u8]> = stream.chunks(4096).collect();
    for api in APIS {
        assert_eq!(
            decode_pieces(api, DEFAULT_MAX_RECORD_SIZE, &pieces),
            Ok(vec![payload.clone(), b"tail".to_vec()]),
            "{api:?}"
        );
    }
}

#[test]
fn pushed_records_can_be_popped_later_in_order() {
    let mut decoder = Decoder::new();
    let records = utf8_records();
    let stream = encode_all(&records);
    for piece in stream.chunks(7) {
        decoder.push(piece).unwrap();
    }
    decoder.push(b"3\nen").unwrap();
    for record in &records {
        assert_eq!(decoder.pop(), Ok(Some(&record[..])));
    }
    assert_eq!(decoder.pop(), Ok(None));
    assert_eq!(
        decoder.buffered_len(),
        2,
        "only the partial payload is held"
    );
    decoder.push(b"d").unwrap();
    assert_eq!(decoder.pop(), Ok(Some(&b"end"[..])));
    assert_eq!(decoder.finish(), Ok(()));
}

/// Checks that `stream` is rejected with `expected`, fed whole and byte by
/// byte, through every API.
fn assert_rejected(stream: &[u8], max: usize, expected: &RecordIoError) {
    for api in APIS {
        let (_, error) = error_of(api, max, stream);
        assert_eq!(&error, expected, "{api:?} {:?}", stream.escape_ascii());
        let bytes: Vec<&[u8]> = stream.chunks(1).collect();
        let mut decoder = Decoder::with_max_record_size(max);
        let (_, result) = feed(&mut decoder, api, &bytes);
        assert_eq!(result.as_ref(), Err(expected), "{api:?} byte by byte");
    }
}

fn invalid(byte: u8, position: usize, header: &[u8]) -> RecordIoError {
    RecordIoError::InvalidHeaderByte {
        byte,
        position,
        header: header.to_vec(),
    }
}

#[test]
fn non_digit_header_bytes_are_rejected_with_the_byte_and_position() {
    let max = DEFAULT_MAX_RECORD_SIZE;
    assert_rejected(b"abc\nxyz", max, &invalid(b'a', 0, b"a"));
    assert_rejected(b"12x\n", max, &invalid(b'x', 2, b"12x"));
    assert_rejected(b"+5\nhello", max, &invalid(b'+', 0, b"+"));
    assert_rejected(b"-1\n", max, &invalid(b'-', 0, b"-"));
    assert_rejected(b" 5\nhello", max, &invalid(b' ', 0, b" "));
    assert_rejected(b"5 \nhello", max, &invalid(b' ', 1, b"5 "));
    assert_rejected(b"5\r\nhello", max, &invalid(b'\r', 1, b"5\r"));
    assert_rejected(b"0x10\n", max, &invalid(b'x', 1, b"0x"));
    assert_rejected(b"\t5\n", max, &invalid(b'\t', 0, b"\t"));
    assert_rejected(b"\xff\n", max, &invalid(0xff, 0, b"\xff"));
}

#[test]
fn an_empty_header_line_is_rejected() {
    assert_rejected(b"\n5\nhello", 1024, &RecordIoError::EmptyHeader);
    for api in APIS {
        let (records, error) = error_of(api, 1024, b"1\na\n1\nb");
        assert_eq!(error, RecordIoError::EmptyHeader, "{api:?}");
        assert_eq!(records, vec![b"a".to_vec()], "{api:?}");
    }
}

#[test]
fn more_than_twenty_digits_are_rejected() {
    let digits21 = [b'0'; 21];
    let expected = RecordIoError::HeaderTooLong {
        header: digits21.to_vec(),
    };
    let mut stream = digits21.to_vec();
    stream.extend_from_slice(b"\n");
    assert_rejected(&stream, 1024, &expected);
}

#[test]
fn a_long_header_is_rejected_as_soon_as_the_twenty_first_byte_arrives() {
    for api in APIS {
        let mut decoder = Decoder::with_max_record_size(1024);
        for i in 0..MAX_HEADER_DIGITS {
            let (_, result) = feed(&mut decoder, api, &[b"1"]);
            assert_eq!(result, Ok(()), "{api:?} digit {i}");
        }
        let (_, result) = feed(&mut decoder, api, &[b"1"]);
        assert!(
            matches!(result, Err(RecordIoError::HeaderTooLong { ref header }) if header.len() == 21),
            "{api:?} {result:?}"
        );
        assert!(decoder.buffer_capacity() <= 64, "{api:?}");
    }
}

#[test]
fn lengths_beyond_u64_are_rejected() {
    let expected = RecordIoError::LengthOverflow {
        header: b"18446744073709551616".to_vec(),
    };
    assert_rejected(b"18446744073709551616\n", 1024, &expected);
    assert_rejected(b"99999999999999999999\n", 1024, &{
        RecordIoError::LengthOverflow {
            header: b"99999999999999999999".to_vec(),
        }
    });
}

#[test]
fn u64_max_is_a_valid_header_but_over_the_cap() {
    assert_rejected(
        b"18446744073709551615\n",
        DEFAULT_MAX_RECORD_SIZE,
        &RecordIoError::RecordTooLarge {
            length: u64::MAX,
            max: DEFAULT_MAX_RECORD_SIZE,
        },
    );
}

#[test]
fn records_over_the_cap_are_rejected_and_at_the_cap_accepted() {
    assert_rejected(
        b"11\n01234567890",
        10,
        &RecordIoError::RecordTooLarge {
            length: 11,
            max: 10,
        },
    );
    for api in APIS {
        assert_eq!(
            decode_pieces(api, 10, &[b"10\n0123456789"]),
            Ok(vec![b"0123456789".to_vec()])
        );
        assert_eq!(
            decode_pieces(api, 0, &[b"0\n0\n"]),
            Ok(vec![vec![], vec![]])
        );
    }
}

#[test]
fn an_oversized_header_is_rejected_before_any_allocation() {
    let expected = RecordIoError::RecordTooLarge {
        length: 99_999_999_999_999,
        max: 1024,
    };
    let mut decoder = Decoder::with_max_record_size(1024);
    assert_eq!(decoder.push(b"99999999999999\n"), Err(expected.clone()));
    assert!(
        decoder.buffer_capacity() <= 64,
        "{}",
        decoder.buffer_capacity()
    );

    let mut decoder = Decoder::with_max_record_size(1024);
    let result = decoder.decode(b"99999999999999\nxxxx", |_| panic!("no record"));
    assert_eq!(result, Err(expected));
    assert_eq!(decoder.buffer_capacity(), 0);
}

#[test]
fn buffers_grow_with_arriving_bytes_not_with_the_announced_length() {
    for api in [Api::PushPop, Api::Borrowed] {
        let mut decoder = Decoder::new();
        let (records, result) = feed(&mut decoder, api, &[b"60000000\n", &[b'x'; 100]]);
        assert_eq!(result, Ok(()));
        assert!(records.is_empty());
        assert!(
            decoder.buffer_capacity() < 4096,
            "{api:?} capacity {}",
            decoder.buffer_capacity()
        );
        assert_eq!(
            decoder.finish(),
            Err(RecordIoError::Truncated {
                expected: Some(60_000_000),
                received: 100,
            })
        );
    }
}

#[test]
fn finish_reports_a_stream_cut_inside_a_header_or_payload() {
    let cases: [(&[u8], Result<(), RecordIoError>); 6] = [
        (b"5\nhello", Ok(())),
        (b"0\n", Ok(())),
        (
            b"5\nhel",
            Err(RecordIoError::Truncated {
                expected: Some(5),
                received: 3,
            }),
        ),
        (
            b"5\n",
            Err(RecordIoError::Truncated {
                expected: Some(5),
                received: 0,
            }),
        ),
        (
            b"12",
            Err(RecordIoError::Truncated {
                expected: None,
                received: 2,
            }),
        ),
        (
            b"5\nhello1",
            Err(RecordIoError::Truncated {
                expected: None,
                received: 1,
            }),
        ),
    ];
    for api in APIS {
        for (stream, expected) in &cases {
            let pieces: Vec<&[u8]> = stream.chunks(2).collect();
            let mut decoder = Decoder::new();
            let (_, result) = feed(&mut decoder, api, &pieces);
            assert_eq!(result, Ok(()));
            assert_eq!(
                &decoder.finish(),
                expected,
                "{api:?} {}",
                stream.escape_ascii()
            );
        }
    }
}

#[test]
fn the_first_error_is_returned_by_every_later_call() {
    let error = invalid(b'\r', 1, b"5\r");
    let mut decoder = Decoder::new();
    assert_eq!(decoder.push(b"1\na1\nb5\r\nhello"), Err(error.clone()));
    // Records complete before the bad header are still handed out, in order.
    assert_eq!(decoder.pop(), Ok(Some(&b"a"[..])));
    assert_eq!(decoder.pop(), Ok(Some(&b"b"[..])));
    assert_eq!(decoder.pop(), Err(error.clone()));
    assert_eq!(decoder.pop(), Err(error.clone()));
    assert_eq!(decoder.push(b"1\nc"), Err(error.clone()));
    assert_eq!(decoder.push(b""), Err(error.clone()));
    assert_eq!(
        decoder.decode(b"1\nc", |_| panic!("no record after failure")),
        Err(error.clone())
    );
    assert_eq!(decoder.finish(), Err(error.clone()));
    assert_eq!(decoder.failure(), Some(&error));

    let mut decoder = Decoder::new();
    let mut seen = Vec::new();
    let result = decoder.decode(b"1\na+1\nb", |r| seen.push(r.to_vec()));
    assert_eq!(result, Err(invalid(b'+', 0, b"+")));
    assert_eq!(seen, vec![b"a".to_vec()]);
    assert_eq!(
        decoder.decode(b"1\nc", |_| panic!("no record after failure")),
        Err(invalid(b'+', 0, b"+"))
    );
}

#[test]
fn truncation_from_finish_is_sticky_too() {
    let truncated = RecordIoError::Truncated {
        expected: Some(3),
        received: 1,
    };
    let mut decoder = Decoder::new();
    decoder.push(b"3\na").unwrap();
    assert_eq!(decoder.finish(), Err(truncated.clone()));
    assert_eq!(decoder.push(b"bc"), Err(truncated.clone()));
    assert_eq!(decoder.pop(), Err(truncated.clone()));
    assert_eq!(decoder.finish(), Err(truncated));
}

#[test]
fn error_messages_name_the_problem_and_show_the_bytes_escaped() {
    let text = |stream: &[u8], max: usize| error_of(Api::Borrowed, max, stream).1.to_string();
    let crlf = text(b"5\r\nhello", 1024);
    assert!(crlf.contains(r#""5\r""#), "{crlf}");
    assert!(crlf.contains("0x0d") && crlf.contains("CRLF"), "{crlf}");
    let binary = text(b"12\xff\n", 1024);
    assert!(
        binary.contains(r#""12\xff""#) && binary.contains("offset 2"),
        "{binary}"
    );
    assert!(text(b"\n", 1024).contains("empty"));
    let long = text(&[b'0'; 25], 1024);
    assert!(
        long.contains(&"0".repeat(21)) && long.contains("20 digits"),
        "{long}"
    );
    let overflow = text(b"18446744073709551616\n", 1024);
    assert!(overflow.contains("64 bits"), "{overflow}");
    let large = text(b"2048\n", 1024);
    assert!(large.contains("2048") && large.contains("1024"), "{large}");
    let cut = text(b"5\nab", 1024);
    assert!(cut.contains("2 of 5"), "{cut}");
    let cut_header = text(b"12", 1024);
    assert!(cut_header.contains("length header") && cut_header.contains("2 bytes"));
}
