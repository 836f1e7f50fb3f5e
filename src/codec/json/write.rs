//! The encoding half: appends JSON text to a `Vec<u8>` exactly as the Mesos
//! master prints it (rapidjson as patched by Mesos), so that re-encoding an
//! event the master sent reproduces its bytes.
//!
//! Objects are written without knowing in advance which fields are present:
//! every member is written with a leading comma (`,"key":`), and
//! [`end_object`] turns the first comma into the opening brace.

use super::float;

/// Closes an object whose members were appended after `start` (each with a
/// leading comma).
#[inline]
pub(crate) fn end_object(out: &mut Vec<u8>, start: usize) {
    if out.len() == start {
        out.extend_from_slice(b"{}");
    } else {
        out[start] = b'{';
        out.push(b'}');
    }
}

/// Writes a JSON string: only `"`, `\` and control characters are escaped
/// (`\b \t \n \f \r`, others as `\u00XX` with upper-case hex); `/` and
/// non-ASCII characters pass through, as rapidjson writes them.
pub(crate) fn string(out: &mut Vec<u8>, s: &str) {
    out.push(b'"');
    let bytes = s.as_bytes();
    let mut run = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let escape: &[u8] = match b {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            0x08 => b"\\b",
            b'\t' => b"\\t",
            b'\n' => b"\\n",
            0x0C => b"\\f",
            b'\r' => b"\\r",
            0x00..=0x1F => {
                out.extend_from_slice(&bytes[run..i]);
                run = i + 1;
                const HEX: &[u8; 16] = b"0123456789ABCDEF";
                out.extend_from_slice(b"\\u00");
                out.push(HEX[usize::from(b >> 4)]);
                out.push(HEX[usize::from(b & 0xF)]);
                continue;
            }
            _ => continue,
        };
        out.extend_from_slice(&bytes[run..i]);
        out.extend_from_slice(escape);
        run = i + 1;
    }
    out.extend_from_slice(&bytes[run..]);
    out.push(b'"');
}

/// Writes a name that needs no escaping (enum value names).
#[inline]
pub(crate) fn plain_string(out: &mut Vec<u8>, s: &str) {
    out.push(b'"');
    out.extend_from_slice(s.as_bytes());
    out.push(b'"');
}

/// Writes bytes as standard padded base64 in a JSON string.
pub(crate) fn bytes(out: &mut Vec<u8>, b: &[u8]) {
    out.push(b'"');
    super::base64::encode_into(out, b);
    out.push(b'"');
}

/// Writes `true` / `false`.
#[inline]
pub(crate) fn boolean(out: &mut Vec<u8>, b: bool) {
    out.extend_from_slice(if b { b"true" } else { b"false" });
}

/// Writes an unsigned integer as a JSON number (full `u64` range).
pub(crate) fn uint(out: &mut Vec<u8>, mut n: u64) {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    loop {
        i -= 1;
        // `n % 10` is below 10, so the cast cannot truncate.
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend_from_slice(&buf[i..]);
}

/// Writes a signed integer as a JSON number (never as a string).
pub(crate) fn int(out: &mut Vec<u8>, n: i64) {
    if n < 0 {
        out.push(b'-');
    }
    uint(out, n.unsigned_abs());
}

/// Writes a double the way the master does; see [`float::write`].
#[inline]
pub(crate) fn double(out: &mut Vec<u8>, v: f64) {
    float::write(out, v);
}

#[allow(dead_code)] // no `float` field in the current schema
/// Writes a float widened to double first, as Mesos does
/// (`0.1f32` → `0.10000000149011612`).
#[inline]
pub(crate) fn float32(out: &mut Vec<u8>, v: f32) {
    float::write(out, f64::from(v));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(f: impl Fn(&mut Vec<u8>)) -> String {
        let mut v = Vec::new();
        f(&mut v);
        String::from_utf8(v).unwrap()
    }

    #[test]
    fn integers() {
        assert_eq!(s(|o| uint(o, 0)), "0");
        assert_eq!(s(|o| uint(o, u64::MAX)), "18446744073709551615");
        assert_eq!(s(|o| int(o, i64::MIN)), "-9223372036854775808");
        assert_eq!(s(|o| int(o, -7)), "-7");
    }

    #[test]
    fn strings() {
        assert_eq!(
            s(|o| string(o, "a\"b\\c/d\u{1}\u{1f}\u{7f}é\n")),
            "\"a\\\"b\\\\c/d\\u0001\\u001F\u{7f}é\\n\""
        );
    }

    #[test]
    fn empty_object() {
        assert_eq!(s(|o| end_object(o, 0)), "{}");
    }
}
