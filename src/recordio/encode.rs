//! Framing payloads as RecordIO records (for the simulated master and tests).

use super::MAX_HEADER_DIGITS;

/// Appends `payload` to `out` as one record: its length in decimal, `\n`,
/// then the payload bytes.
pub fn encode(payload: &[u8], out: &mut Vec<u8>) {
    let mut digits = [0u8; MAX_HEADER_DIGITS];
    let header = length_digits(payload.len() as u64, &mut digits);
    out.reserve(header.len() + 1 + payload.len());
    out.extend_from_slice(header);
    out.push(b'\n');
    out.extend_from_slice(payload);
}

/// One record in a fresh buffer of exactly the right size.
pub fn encode_to_vec(payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    encode(payload, &mut out);
    out
}

/// Writes `value` in decimal at the end of `buf` and returns those digits.
fn length_digits(mut value: u64, buf: &mut [u8; MAX_HEADER_DIGITS]) -> &[u8] {
    let mut start = buf.len();
    loop {
        start -= 1;
        buf[start] = b'0' + (value % 10) as u8;
        value /= 10;
        if value == 0 {
            return &buf[start..];
        }
    }
}
