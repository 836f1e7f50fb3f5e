//! The encoding half: the pieces the generated `Serialize` impls use so that
//! `serde_json::to_vec(&message)` writes what the master writes (rapidjson as
//! patched by Mesos), and the formatter [`super::encode`] adds for the one
//! thing serde_json cannot be told through `Serialize`: the hex case of
//! `\u00XX` escapes.

use super::float;
use serde::ser::{Serialize, SerializeSeq, Serializer};
use serde_json::ser::{CharEscape, CompactFormatter, Formatter};
use std::io;

/// A `double` as the master prints it (`15.0`, `1e21`, `"Infinity"`; NaN as
/// the string `"NaN"`, see [`float`]).
///
/// serde_json's own shortest round-trip digits are the master's; only its
/// layout differs for large and a few small magnitudes (`1e+16` where the
/// master prints `10000000000000000.0`, `1e-6` for `0.000001`). Those values
/// go out as raw JSON text holding the master's form.
pub(crate) struct Double(pub(crate) f64);

/// True when serde_json prints `v` (finite) exactly as the master does.
fn same_layout(v: f64) -> bool {
    let a = v.abs();
    a == 0.0 || (1e-5..1e16).contains(&a) || a < 1e-6
}

impl Serialize for Double {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let v = self.0;
        if v.is_nan() {
            s.serialize_str("NaN")
        } else if v.is_infinite() {
            s.serialize_str(if v > 0.0 { "Infinity" } else { "-Infinity" })
        } else if same_layout(v) {
            s.serialize_f64(v)
        } else {
            let mut text = Vec::with_capacity(32);
            float::write(&mut text, v);
            let text = String::from_utf8(text).map_err(serde::ser::Error::custom)?;
            serde_json::value::RawValue::from_string(text)
                .map_err(serde::ser::Error::custom)?
                .serialize(s)
        }
    }
}

/// A `bytes` field: standard padded base64 in a string.
pub(crate) struct Bytes<'a>(pub(crate) &'a [u8]);

impl Serialize for Bytes<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&super::base64::encode(self.0))
    }
}

/// A repeated enum field: the names of its known values (the master cannot
/// write a number its schema does not declare).
pub(crate) struct EnumNames<'a, E>(pub(crate) &'a [E]);

impl<E: super::de::JsonEnum> EnumNames<'_, E> {
    /// True when at least one value has a name (else the field is left out).
    pub(crate) fn any(&self) -> bool {
        self.0.iter().any(|v| v.to_name().is_some())
    }
}

impl<E: super::de::JsonEnum> Serialize for EnumNames<'_, E> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(None)?;
        for name in self.0.iter().filter_map(|v| v.to_name()) {
            seq.serialize_element(name)?;
        }
        seq.end()
    }
}

/// An enum on its own (not as a field): its name, or the number when the
/// schema does not declare it.
pub(crate) fn enumeration<E: super::de::JsonEnum, S: Serializer>(
    value: E,
    number: i32,
    s: S,
) -> Result<S::Ok, S::Error> {
    match value.to_name() {
        Some(name) => s.serialize_str(name),
        None => s.serialize_i32(number),
    }
}

/// serde_json's compact output, with control characters escaped as
/// rapidjson escapes them: `\u001F` (upper-case hex) where serde_json
/// writes `\u001f`. Everything else (`\b \t \n \f \r`, `\"`, `\\`, `/` and
/// non-ASCII left alone) is already the same.
pub(crate) struct MasterFormatter;

impl Formatter for MasterFormatter {
    fn write_char_escape<W: ?Sized + io::Write>(
        &mut self,
        writer: &mut W,
        char_escape: CharEscape,
    ) -> io::Result<()> {
        match char_escape {
            CharEscape::AsciiControl(byte) => {
                const HEX: &[u8; 16] = b"0123456789ABCDEF";
                writer.write_all(&[
                    b'\\',
                    b'u',
                    b'0',
                    b'0',
                    HEX[usize::from(byte >> 4)],
                    HEX[usize::from(byte & 0xF)],
                ])
            }
            other => CompactFormatter.write_char_escape(writer, other),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn master(v: f64) -> String {
        let mut out = Vec::new();
        float::write(&mut out, v);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn doubles_print_as_the_master_prints_them() {
        let mut v: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut values = vec![
            0.0,
            -0.0,
            1.0,
            15.0,
            0.1,
            1e15,
            1e16,
            1.5e16,
            1e20,
            1e21,
            1e22,
            1e-5,
            1e-6,
            1.5e-6,
            1e-7,
            5e-324,
            f64::MAX,
            f64::INFINITY,
            f64::NAN,
        ];
        for _ in 0..20_000 {
            // xorshift: doubles of every magnitude.
            v ^= v << 13;
            v ^= v >> 7;
            v ^= v << 17;
            values.push(f64::from_bits(v));
        }
        for x in values {
            let serde = serde_json::to_string(&Double(x)).unwrap();
            assert_eq!(serde, master(x), "{x:e}");
        }
    }

    #[test]
    fn control_characters_in_upper_case_hex() {
        let mut out = Vec::new();
        let mut ser = serde_json::Serializer::with_formatter(&mut out, MasterFormatter);
        "a\"b\\c/d\u{1}\u{1f}\u{7f}é\n".serialize(&mut ser).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "\"a\\\"b\\\\c/d\\u0001\\u001F\u{7f}é\\n\""
        );
    }
}
