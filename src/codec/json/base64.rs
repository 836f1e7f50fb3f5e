//! Base64 for `bytes` fields: standard padded output; input decoded as
//! leniently as stout's `base64::decode`, which is what the master uses.

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Appends the standard (RFC 4648 §4) padded encoding of `data`.
pub(crate) fn encode_into(out: &mut Vec<u8>, data: &[u8]) {
    out.reserve(data.len().div_ceil(3) * 4);
    let mut chunks = data.chunks_exact(3);
    for c in &mut chunks {
        let n = u32::from(c[0]) << 16 | u32::from(c[1]) << 8 | u32::from(c[2]);
        for shift in [18, 12, 6, 0] {
            out.push(ALPHABET[((n >> shift) & 63) as usize]);
        }
    }
    match *chunks.remainder() {
        [a] => {
            let n = u32::from(a) << 16;
            out.push(ALPHABET[((n >> 18) & 63) as usize]);
            out.push(ALPHABET[((n >> 12) & 63) as usize]);
            out.extend_from_slice(b"==");
        }
        [a, b] => {
            let n = u32::from(a) << 16 | u32::from(b) << 8;
            out.push(ALPHABET[((n >> 18) & 63) as usize]);
            out.push(ALPHABET[((n >> 12) & 63) as usize]);
            out.push(ALPHABET[((n >> 6) & 63) as usize]);
            out.push(b'=');
        }
        _ => {}
    }
}

/// Marks in [`DECODE`] for bytes that are not base64 digits.
const INVALID: u8 = 0xFF;
const SPACE: u8 = 0xFE;
const PAD: u8 = 0xFD;

/// Each byte's base64 value, or what else it is to the lenient decoder.
static DECODE: [u8; 256] = {
    let mut table = [INVALID; 256];
    let mut i = 0;
    while i < 64 {
        table[ALPHABET[i] as usize] = i as u8;
        i += 1;
    }
    table[b'=' as usize] = PAD;
    table[b' ' as usize] = SPACE;
    table[b'\t' as usize] = SPACE;
    table[b'\n' as usize] = SPACE;
    table[0x0B] = SPACE;
    table[0x0C] = SPACE;
    table[b'\r' as usize] = SPACE;
    table
};

/// Decodes like stout: whitespace (space, `\t \n \v \f \r`) anywhere is
/// skipped, decoding stops at the first `=` (padding is optional and
/// anything after it is ignored), a lone trailing character is dropped, and
/// any other character outside the standard alphabet (`-`, `_`, `!`, …) is
/// an error naming that character.
pub(crate) fn decode_lenient(text: &str) -> Result<Vec<u8>, char> {
    let bytes = text.as_bytes();
    let padding = bytes
        .iter()
        .rev()
        .take(2)
        .take_while(|&&b| b == b'=')
        .count();
    // Exact for canonical input (no whitespace): the buffer is allocated once.
    let mut out = Vec::with_capacity((bytes.len() - padding) * 3 / 4);
    // Whole groups of four plain digits first (all of canonical input but
    // its padded end), then the lenient byte loop for the rest.
    let mut quads = bytes.chunks_exact(4);
    let mut plain = 0;
    for quad in &mut quads {
        let [a, b, c, d] = [quad[0], quad[1], quad[2], quad[3]].map(|x| DECODE[usize::from(x)]);
        if (a | b | c | d) >= 64 {
            break;
        }
        out.push(a << 2 | b >> 4);
        out.push(b << 4 | c >> 2);
        out.push(c << 6 | d);
        plain += 4;
    }
    let mut acc: u32 = 0;
    let mut filled = 0;
    for (at, &b) in bytes.iter().enumerate().skip(plain) {
        let v = DECODE[usize::from(b)];
        if v < 64 {
            acc = acc << 6 | u32::from(v);
            filled += 1;
            if filled == 4 {
                out.extend_from_slice(&acc.to_be_bytes()[1..]);
                acc = 0;
                filled = 0;
            }
            continue;
        }
        match v {
            PAD => break,
            SPACE => continue,
            // `at` is where a character starts: every byte before it was ASCII.
            _ => {
                return Err(text
                    .get(at..)
                    .and_then(|t| t.chars().next())
                    .unwrap_or('\u{FFFD}'))
            }
        }
    }
    match filled {
        2 => out.push((acc >> 4) as u8),
        3 => out.extend_from_slice(&((acc >> 2) as u16).to_be_bytes()),
        _ => {}
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn enc(b: &[u8]) -> String {
        let mut v = Vec::new();
        encode_into(&mut v, b);
        String::from_utf8(v).unwrap()
    }

    #[test]
    fn encodes_padded() {
        assert_eq!(enc(b""), "");
        assert_eq!(enc(b"f"), "Zg==");
        assert_eq!(enc(b"fo"), "Zm8=");
        assert_eq!(enc(b"foo"), "Zm9v");
        assert_eq!(enc(b"user:password"), "dXNlcjpwYXNzd29yZA==");
    }

    #[test]
    fn decodes_leniently() {
        assert_eq!(
            decode_lenient("dXNlcjpwYXNzd29yZA==").unwrap(),
            b"user:password"
        );
        assert_eq!(
            decode_lenient("dXNlcjpwYXNzd29yZA").unwrap(),
            b"user:password"
        );
        assert_eq!(
            decode_lenient("dXNlcjpwYXNzd29yZA=").unwrap(),
            b"user:password"
        );
        assert_eq!(
            decode_lenient("dXNl cjpw\tYXNz\nd29y\x0BZA\x0C\r==").unwrap(),
            b"user:password"
        );
        assert_eq!(decode_lenient("Zm9v=garbage!").unwrap(), b"foo");
        assert_eq!(decode_lenient("Zm9vY").unwrap(), b"foo");
        assert_eq!(decode_lenient("ab-c"), Err('-'));
        assert_eq!(decode_lenient("ab_c"), Err('_'));
        assert_eq!(decode_lenient("abé"), Err('é'));
    }
}
