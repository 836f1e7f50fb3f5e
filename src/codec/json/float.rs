//! Doubles printed like the master prints them (rapidjson's `dtoa` +
//! `Prettify`): shortest round-trip digits; integral values keep `.0`
//! (`15.0`, `0.0`, `-0.0`); plain decimals while the decimal exponent is in
//! (-6, 21], exponent form outside it (`1e21`, `1e-7`, `1.5e300`, no `+`).
//!
//! Non-finite values: Mesos's patched rapidjson writes ±infinity as the JSON
//! strings `"Infinity"` / `"-Infinity"`, which this writer copies. For NaN
//! Mesos writes a bare `NaN` token, which is not JSON; this writer writes the
//! string `"NaN"` instead, which the decoder here reads back as NaN (the
//! master itself would reject it).
//!
//! Digits come from serde_json's shortest round-trip formatting; rapidjson uses
//! Grisu2, which for a rare few doubles picks a longer digit string. Such a
//! value would print differently from the master but still decode to the
//! same double.

/// Appends `v` formatted as described in the module documentation.
pub(crate) fn write(out: &mut Vec<u8>, v: f64) {
    if v.is_nan() {
        out.extend_from_slice(b"\"NaN\"");
        return;
    }
    if v.is_infinite() {
        out.extend_from_slice(if v > 0.0 {
            b"\"Infinity\""
        } else {
            b"\"-Infinity\""
        });
        return;
    }
    if v.is_sign_negative() {
        out.push(b'-');
    }
    if v == 0.0 {
        out.extend_from_slice(b"0.0");
        return;
    }
    // serde_json's own shortest round-trip text (`1658206780088562.2`,
    // `1e+16`, `0.00001`, `1.5e-6`), so that the digits are the same
    // whichever of the two prints a value; only the layout is redone here.
    let mut text = [0u8; 40];
    let mut rest = &mut text[..];
    if serde_json::to_writer(&mut rest, &v.abs()).is_err() {
        return;
    }
    let written = 40 - rest.len();
    let text = &text[..written];
    let (mantissa, exponent) = match text.iter().position(|&c| c == b'e') {
        Some(at) => (&text[..at], parse_exponent(&text[at + 1..])),
        None => (text, 0),
    };
    let mut digits = [0u8; 40];
    let mut length = 0usize;
    let mut point = None;
    for &c in mantissa {
        if c == b'.' {
            point = Some(length);
        } else if length < digits.len() {
            digits[length] = c;
            length += 1;
        }
    }
    let point = i32::try_from(point.unwrap_or(length)).unwrap_or(0);
    let leading = digits[..length].iter().take_while(|&&d| d == b'0').count();
    let trailing = digits[leading..length]
        .iter()
        .rev()
        .take_while(|&&d| d == b'0')
        .count();
    let kk = point - i32::try_from(leading).unwrap_or(0) + exponent;
    prettify(out, &digits[leading..length - trailing], kk);
}

/// rapidjson's `Prettify`, with `kk` the position of the decimal point
/// relative to the first digit (value = 0.d1d2d3… × 10^kk).
fn prettify(out: &mut Vec<u8>, digits: &[u8], kk: i32) {
    let length = i32::try_from(digits.len()).unwrap_or(i32::MAX);
    let k = kk - length;
    if (0..=21).contains(&kk) && k >= 0 {
        out.extend_from_slice(digits);
        for _ in 0..k {
            out.push(b'0');
        }
        out.extend_from_slice(b".0");
    } else if 0 < kk && kk <= 21 {
        let split = kk as usize;
        out.extend_from_slice(&digits[..split]);
        out.push(b'.');
        out.extend_from_slice(&digits[split..]);
    } else if -6 < kk && kk <= 0 {
        out.extend_from_slice(b"0.");
        for _ in 0..(-kk) {
            out.push(b'0');
        }
        out.extend_from_slice(digits);
    } else {
        out.push(digits[0]);
        if digits.len() > 1 {
            out.push(b'.');
            out.extend_from_slice(&digits[1..]);
        }
        out.push(b'e');
        out.extend_from_slice((kk - 1).to_string().as_bytes());
    }
}

fn parse_exponent(text: &[u8]) -> i32 {
    let (negative, digits) = match text.split_first() {
        Some((b'-', rest)) => (true, rest),
        Some((b'+', rest)) => (false, rest),
        _ => (false, text),
    };
    let magnitude = digits
        .iter()
        .fold(0i32, |acc, &d| acc * 10 + i32::from(d - b'0'));
    if negative {
        -magnitude
    } else {
        magnitude
    }
}

#[cfg(test)]
mod tests {
    fn f(v: f64) -> String {
        let mut out = Vec::new();
        super::write(&mut out, v);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn table() {
        for (v, want) in [
            (0.0, "0.0"),
            (-0.0, "-0.0"),
            (1.0, "1.0"),
            (-1.0, "-1.0"),
            (15.0, "15.0"),
            (0.1, "0.1"),
            (2.5, "2.5"),
            (1e20, "100000000000000000000.0"),
            (1e21, "1e21"),
            (1.5e21, "1.5e21"),
            (1e-6, "0.000001"),
            (1.5e-6, "0.0000015"),
            (1e-7, "1e-7"),
            (1.25e-7, "1.25e-7"),
            (1e300, "1e300"),
            (-1e300, "-1e300"),
            (1795310423.784355, "1795310423.784355"),
            (5e-324, "5e-324"),
            (f64::MAX, "1.7976931348623157e308"),
            (f64::INFINITY, "\"Infinity\""),
            (f64::NEG_INFINITY, "\"-Infinity\""),
            (f64::NAN, "\"NaN\""),
            (f64::from(0.1f32), "0.10000000149011612"),
            (1e16, "10000000000000000.0"),
            (1.5e-5, "0.000015"),
            (123456789012345678.0, "123456789012345680.0"),
        ] {
            assert_eq!(f(v), want, "{v:e}");
        }
    }
}
