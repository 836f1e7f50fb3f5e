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

fn value_of(c: u8) -> Option<u8> {
    match c {
        b'A'..=b'Z' => Some(c - b'A'),
        b'a'..=b'z' => Some(c - b'a' + 26),
        b'0'..=b'9' => Some(c - b'0' + 52),
        b'+' => Some(62),
        b'/' => Some(63),
        _ => None,
    }
}

/// Decodes like stout: whitespace (space, `\t \n \v \f \r`) anywhere is
/// skipped, decoding stops at the first `=` (padding is optional and
/// anything after it is ignored), a lone trailing character is dropped, and
/// any other character outside the standard alphabet (`-`, `_`, `!`, …) is
/// an error naming that character.
pub(crate) fn decode_lenient(text: &str) -> Result<Vec<u8>, char> {
    let mut out = Vec::with_capacity(text.len() / 4 * 3 + 2);
    let mut quad = [0u8; 4];
    let mut filled = 0;
    for (at, c) in text.char_indices() {
        let byte = text.as_bytes()[at];
        if c == '=' {
            break;
        }
        if matches!(c, ' ' | '\t' | '\n' | '\x0B' | '\x0C' | '\r') {
            continue;
        }
        let Some(v) = value_of(byte).filter(|_| c.is_ascii()) else {
            return Err(c);
        };
        quad[filled] = v;
        filled += 1;
        if filled == 4 {
            out.push(quad[0] << 2 | quad[1] >> 4);
            out.push(quad[1] << 4 | quad[2] >> 2);
            out.push(quad[2] << 6 | quad[3]);
            filled = 0;
        }
    }
    if filled >= 2 {
        out.push(quad[0] << 2 | quad[1] >> 4);
    }
    if filled == 3 {
        out.push(quad[1] << 4 | quad[2] >> 2);
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
