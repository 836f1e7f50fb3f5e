//! Base64 for `bytes` fields through the `base64` crate: standard padded
//! output; input decoded as leniently as stout's `base64::decode`, which is
//! what the master uses. stout skips whitespace anywhere, stops at the first
//! `=` (padding is optional and anything after it is ignored), drops a lone
//! trailing character and ignores the unused bits of the last character; a
//! short pre-pass does the skipping, the crate decodes the rest.

use base64::alphabet;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig, STANDARD};
use base64::engine::DecodePaddingMode;
use base64::Engine;

/// The standard alphabet without padding and with stout's tolerance for
/// unused trailing bits.
const LENIENT: GeneralPurpose = GeneralPurpose::new(
    &alphabet::STANDARD,
    GeneralPurposeConfig::new()
        .with_decode_padding_mode(DecodePaddingMode::RequireNone)
        .with_decode_allow_trailing_bits(true),
);

/// The standard (RFC 4648 §4) padded encoding of `data`.
pub(crate) fn encode(data: &[u8]) -> String {
    STANDARD.encode(data)
}

fn is_digit(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'+' || b == b'/'
}

/// Whitespace as stout's `isspace` sees it: space, `\t \n \v \f \r`.
fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | 0x0B | 0x0C | b'\r')
}

/// Decodes like stout (see the module documentation); any other character
/// outside the standard alphabet (`-`, `_`, `!`, …) is an error naming that
/// character.
pub(crate) fn decode_lenient(text: &str) -> Result<Vec<u8>, char> {
    let bytes = text.as_bytes();
    let end = bytes.iter().position(|&b| b == b'=').unwrap_or(bytes.len());
    let body = &bytes[..end];
    let mut owned;
    let mut digits = body;
    if let Some(bad) = body.iter().position(|&b| !is_digit(b)) {
        // Rare: whitespace to skip, or a character to refuse.
        owned = Vec::with_capacity(body.len());
        for (at, &b) in body.iter().enumerate().skip(bad) {
            if is_digit(b) {
                continue;
            }
            if !is_space(b) {
                // `at` is where a character starts: every byte before it was ASCII.
                return Err(text
                    .get(at..)
                    .and_then(|t| t.chars().next())
                    .unwrap_or('\u{FFFD}'));
            }
        }
        owned.extend(body.iter().copied().filter(|&b| is_digit(b)));
        digits = &owned;
    }
    let whole = digits.len() - digits.len() % 4;
    let usable = if digits.len() % 4 == 1 {
        whole
    } else {
        digits.len()
    };
    LENIENT.decode(&digits[..usable]).map_err(|_| '\u{FFFD}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_padded() {
        assert_eq!(encode(b""), "");
        assert_eq!(encode(b"f"), "Zg==");
        assert_eq!(encode(b"fo"), "Zm8=");
        assert_eq!(encode(b"foo"), "Zm9v");
        assert_eq!(encode(b"user:password"), "dXNlcjpwYXNzd29yZA==");
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
        assert_eq!(decode_lenient("Zm9vYh").unwrap(), b"foob");
        assert_eq!(decode_lenient(""), Ok(Vec::new()));
        assert_eq!(decode_lenient("ab-c"), Err('-'));
        assert_eq!(decode_lenient("ab_c"), Err('_'));
        assert_eq!(decode_lenient("abé"), Err('é'));
    }
}
