//! The decoding half: readers that take one field's JSON value from the
//! scanner ([`super::reader`]) straight into the typed model, accepting what
//! the master's parser (stout's `protobuf::parse`) accepts and rejecting what
//! it rejects, with its wording. The generated code picks one per field.
//!
//! * `null` is the same as an absent key.
//! * Numbers and booleans may come as strings (`"-42"`, `"2.5"`, `"true"`);
//!   doubles also take `"Infinity"`, `"-Infinity"` and `"NaN"`.
//! * Integer fields take any JSON number and truncate or wrap like a C++
//!   `static_cast` (`1.9` → 1, `-1` into `uint32` → 4294967295). Unlike the
//!   master, which keeps only values that fit `int64` exact, a `uint64`
//!   above `i64::MAX` keeps its exact value.
//! * A repeated field takes an array or one bare value (a one-element
//!   list); arrays nested in that array are flattened, `null` entries skipped.
//! * Enums are read by exact value name only; an unknown name leaves an
//!   optional field unset and drops a repeated entry, and is an error for a
//!   required field.

use super::missing::{self, Missing, Slot};
pub(crate) use super::reader::Num;
use super::reader::{Fail, Reader, Result};
use super::JsonMessage;
use std::collections::BTreeMap;
use std::marker::PhantomData;

/// A scalar conversion: the value, `None` to leave the field unset, or the
/// schema error's text.
pub(crate) type Conv<T> = std::result::Result<Option<T>, String>;

/// What the master calls each kind of JSON value in its errors.
fn not_expecting(what: &str, field: &str) -> String {
    format!("Not expecting a JSON {what} for field '{field}'")
}

/// The field a value is read for.
#[derive(Clone, Copy)]
pub(crate) struct Field {
    pub(crate) name: &'static str,
    pub(crate) required: bool,
}

/// How one kind of scalar (proto scalar type or enum) reads JSON values.
/// `Ok(None)` means "leave the field unset" (an unknown enum name).
pub(crate) trait Scalar {
    type Value;
    fn number(_n: Num, f: Field) -> Conv<Self::Value> {
        Err(not_expecting("number", f.name))
    }
    fn string(_s: &str, f: Field) -> Conv<Self::Value> {
        Err(not_expecting("string", f.name))
    }
    fn boolean(_b: bool, f: Field) -> Conv<Self::Value> {
        Err(not_expecting("boolean", f.name))
    }
}

/// Parses the text of a number sent as a JSON string, with the JSON number
/// grammar (leading zeros allowed, as the master allows them); surrounding
/// JSON whitespace is ignored.
pub(crate) fn parse_number_text(text: &str) -> Option<Num> {
    let t = text.trim_matches([' ', '\t', '\n', '\r']);
    let b = t.as_bytes();
    let mut i = 0;
    let negative = b.first() == Some(&b'-');
    if negative {
        i += 1;
    }
    let int_start = i;
    while i < b.len() && b[i].is_ascii_digit() {
        i += 1;
    }
    if i == int_start {
        return None;
    }
    let int_end = i;
    let mut integral = true;
    if i < b.len() && b[i] == b'.' {
        integral = false;
        i += 1;
        let s = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i == s {
            return None;
        }
    }
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        integral = false;
        i += 1;
        if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
            i += 1;
        }
        let s = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i == s {
            return None;
        }
    }
    if i != b.len() {
        return None;
    }
    if integral {
        let digits = &t[int_start..int_end];
        if negative {
            if let Ok(n) = t.parse::<i64>() {
                return Some(if n < 0 { Num::Neg(n) } else { Num::Pos(0) });
            }
        } else if let Ok(n) = digits.parse::<u64>() {
            return Some(Num::Pos(n));
        }
    }
    t.parse::<f64>()
        .ok()
        .filter(|v| v.is_finite())
        .map(Num::Float)
}

fn number_text<K: Scalar>(s: &str, f: Field, what: &str) -> Conv<K::Value> {
    match parse_number_text(s) {
        Some(n) => K::number(n, f),
        None => Err(format!(
            "Failed to parse '{s}' as a JSON {what} for field '{}'",
            f.name
        )),
    }
}

/// Integer conversions with C++ `static_cast` semantics (wrap; truncate
/// toward zero from doubles).
pub(crate) trait Wrapping: Sized {
    fn from_i64(n: i64) -> Self;
    fn from_u64(n: u64) -> Self;
}

macro_rules! wrapping {
    ($($t:ty),*) => {$(
        impl Wrapping for $t {
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss, clippy::cast_possible_wrap)]
            fn from_i64(n: i64) -> Self { n as $t }
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss, clippy::cast_possible_wrap)]
            fn from_u64(n: u64) -> Self { n as $t }
        }
    )*};
}
wrapping!(i32, i64, u32, u64);

/// An integer field of Rust type `T`.
pub(crate) struct Int<T>(PhantomData<T>);

impl<T: Wrapping> Scalar for Int<T> {
    type Value = T;
    fn number(n: Num, _f: Field) -> Conv<T> {
        Ok(Some(match n {
            Num::Neg(i) => T::from_i64(i),
            Num::Pos(u) => T::from_u64(u),
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
            Num::Float(d) if d >= 0.0 => T::from_u64(d as u64),
            #[allow(clippy::cast_possible_truncation)]
            Num::Float(d) => T::from_i64(d as i64),
        }))
    }
    fn string(s: &str, f: Field) -> Conv<T> {
        number_text::<Self>(s, f, "number")
    }
}

/// A `double` field.
pub(crate) struct F64;

impl Scalar for F64 {
    type Value = f64;
    #[allow(clippy::cast_precision_loss)]
    fn number(n: Num, _f: Field) -> Conv<f64> {
        Ok(Some(match n {
            Num::Neg(i) => i as f64,
            Num::Pos(u) => u as f64,
            Num::Float(d) => d,
        }))
    }
    fn string(s: &str, f: Field) -> Conv<f64> {
        match s {
            "Infinity" => Ok(Some(f64::INFINITY)),
            "-Infinity" => Ok(Some(f64::NEG_INFINITY)),
            "NaN" => Ok(Some(f64::NAN)),
            _ => number_text::<Self>(s, f, "number"),
        }
    }
}

/// A `float` field (read as a double, then narrowed). The current schema has
/// no `float` field; kept so the generator covers every scalar type.
#[allow(dead_code)]
pub(crate) struct F32;

impl Scalar for F32 {
    type Value = f32;
    #[allow(clippy::cast_possible_truncation)]
    fn number(n: Num, f: Field) -> Conv<f32> {
        F64::number(n, f).map(|v| v.map(|d| d as f32))
    }
    #[allow(clippy::cast_possible_truncation)]
    fn string(s: &str, f: Field) -> Conv<f32> {
        F64::string(s, f).map(|v| v.map(|d| d as f32))
    }
}

/// A `bool` field.
pub(crate) struct Bool;

impl Scalar for Bool {
    type Value = bool;
    fn boolean(b: bool, _f: Field) -> Conv<bool> {
        Ok(Some(b))
    }
    fn string(s: &str, f: Field) -> Conv<bool> {
        match s.trim_matches([' ', '\t', '\n', '\r']) {
            "true" => Ok(Some(true)),
            "false" => Ok(Some(false)),
            _ => Err(format!(
                "Failed to parse '{s}' as a JSON boolean for field '{}'",
                f.name
            )),
        }
    }
}

/// A `string` field.
pub(crate) struct Str;

impl Scalar for Str {
    type Value = String;
    fn string(s: &str, _f: Field) -> Conv<String> {
        Ok(Some(s.to_owned()))
    }
}

/// A `bytes` field: base64, decoded leniently like the master.
pub(crate) struct Bytes;

impl Scalar for Bytes {
    type Value = Vec<u8>;
    fn string(s: &str, f: Field) -> Conv<Vec<u8>> {
        super::base64::decode_lenient(s).map(Some).map_err(|c| {
            format!(
                "Failed to base64 decode bytes field '{}': Invalid character '{c}'",
                f.name
            )
        })
    }
}

/// Implemented by the generated code for every enum of the model.
pub(crate) trait JsonEnum: Sized {
    /// The value with exactly this name.
    fn by_name(name: &str) -> Option<Self>;
}

/// An enum field: only the exact value name, as a string.
pub(crate) struct Enum<E>(PhantomData<E>);

impl<E: JsonEnum> Scalar for Enum<E> {
    type Value = E;
    fn string(s: &str, f: Field) -> Conv<E> {
        match E::by_name(s) {
            Some(v) => Ok(Some(v)),
            None if f.required => Err(format!("Failed to find enum for '{s}'")),
            None => Ok(None),
        }
    }
}

/// Reads one scalar value that is not `null`, an array or an object.
#[inline]
fn scalar<K: Scalar>(rd: &mut Reader<'_>, first: u8, f: Field) -> Result<Option<K::Value>> {
    let converted = match first {
        b'"' => match rd.plain_str() {
            Some(s) => K::string(s, f),
            None => K::string(rd.str_value()?, f),
        },
        b'-' | b'0'..=b'9' => K::number(rd.number()?, f),
        b't' | b'f' => K::boolean(rd.boolean()?, f),
        _ => return Err(rd.mismatch(f.name)),
    };
    converted.map_err(Fail::schema)
}

/// A singular scalar or enum field: `Some(value)`, or `None` for `null` /
/// an unknown optional enum name.
#[inline]
pub(crate) fn one<K: Scalar>(
    rd: &mut Reader<'_>,
    name: &'static str,
    required: bool,
) -> Result<Option<K::Value>> {
    match rd.peek()? {
        b'n' => rd.null().map(|()| None),
        first => scalar::<K>(rd, first, Field { name, required }),
    }
}

/// A `string` field: [`one`] with the common case (a plain string right
/// at the reader) taken first.
#[inline]
pub(crate) fn string(rd: &mut Reader<'_>, name: &'static str) -> Result<Option<String>> {
    match rd.plain_str() {
        Some(s) => Ok(Some(s.to_owned())),
        None => one::<Str>(rd, name, false),
    }
}

/// A repeated scalar or enum field (replacing what a duplicate key set):
/// an array, or one bare value.
#[inline]
pub(crate) fn many<K: Scalar>(
    rd: &mut Reader<'_>,
    name: &'static str,
    out: &mut Vec<K::Value>,
) -> Result<()> {
    out.clear();
    many_into::<K>(rd, name, out)
}

/// Arrays nested in the array are flattened and `null` entries skipped, as
/// in the master.
fn many_into<K: Scalar>(
    rd: &mut Reader<'_>,
    name: &'static str,
    out: &mut Vec<K::Value>,
) -> Result<()> {
    let f = Field {
        name,
        required: false,
    };
    match rd.peek()? {
        b'[' => {
            rd.begin_array()?;
            let mut first = true;
            while rd.next_element(&mut first)? {
                match rd.peek()? {
                    b'n' => rd.null()?,
                    b'[' => many_into::<K>(rd, name, out)?,
                    b => {
                        if let Some(v) = scalar::<K>(rd, b, f)? {
                            out.push(v);
                        }
                    }
                }
            }
            Ok(())
        }
        b'n' => rd.null(),
        b => {
            if let Some(v) = scalar::<K>(rd, b, f)? {
                out.push(v);
            }
            Ok(())
        }
    }
}

/// Reads one message field into `target` (a default message) and files its
/// missing required fields under `slot` (a later duplicate key replaces what
/// an earlier one recorded). Returns `false` for `null`.
#[inline]
pub(crate) fn message<M: JsonMessage>(
    rd: &mut Reader<'_>,
    missing: &mut Option<Box<Missing>>,
    slot: Slot,
    target: &mut M,
) -> Result<bool> {
    missing::forget(missing, slot.number);
    match rd.peek()? {
        b'{' => {
            rd.begin_object()?;
            let mut child = None;
            target.read_json(rd, &mut child)?;
            missing::attach(missing, slot, None, child);
            Ok(true)
        }
        b'n' => rd.null().map(|()| false),
        _ => Err(rd.mismatch(slot.name)),
    }
}

/// Reads a repeated message field (replacing what a duplicate key set): an
/// array of objects (nested arrays flattened, `null` entries skipped) or one
/// bare object.
#[inline]
pub(crate) fn messages<M: JsonMessage>(
    rd: &mut Reader<'_>,
    missing: &mut Option<Box<Missing>>,
    slot: Slot,
    out: &mut Vec<M>,
) -> Result<()> {
    missing::forget(missing, slot.number);
    out.clear();
    messages_into(rd, missing, slot, out)?;
    // Growth below starts at four elements, also for large messages; give
    // back what a short list does not use.
    if out.len() < out.capacity() / 2 {
        out.shrink_to_fit();
    }
    Ok(())
}

fn messages_into<M: JsonMessage>(
    rd: &mut Reader<'_>,
    missing: &mut Option<Box<Missing>>,
    slot: Slot,
    out: &mut Vec<M>,
) -> Result<()> {
    match rd.peek()? {
        b'[' => {
            rd.begin_array()?;
            let mut first = true;
            while rd.next_element(&mut first)? {
                messages_into(rd, missing, slot, out)?;
            }
            Ok(())
        }
        b'{' => {
            rd.begin_object()?;
            let index = out.len();
            if index == out.capacity() {
                // Vec's own first step for a message over 1 KiB (a Resource
                // is) is one element, then two, then four: three allocations
                // and two copies for a typical offer's resources.
                out.reserve(index.max(4));
            }
            out.push(M::default());
            let mut child = None;
            if let Some(last) = out.last_mut() {
                last.read_json(rd, &mut child)?;
            }
            missing::attach(missing, slot, Some(index), child);
            Ok(())
        }
        b'n' => rd.null(),
        _ => Err(rd.mismatch(slot.name)),
    }
}

/// One map value (`None` for `null`) and the required fields missing in it.
pub(crate) type ValueRead<V> = (Option<V>, Option<Box<Missing>>);

/// The value half of a `map<string, V>` field.
pub(crate) trait MapValue: Sized + Default {
    /// Reads one value; returns the missing required fields inside it.
    fn read(rd: &mut Reader<'_>, name: &'static str) -> Result<ValueRead<Self>>;
}

impl<M: JsonMessage> MapValue for M {
    fn read(rd: &mut Reader<'_>, name: &'static str) -> Result<ValueRead<M>> {
        match rd.peek()? {
            b'{' => {
                rd.begin_object()?;
                let mut child = None;
                let mut value = M::default();
                value.read_json(rd, &mut child)?;
                Ok((Some(value), child))
            }
            b'n' => rd.null().map(|()| (None, None)),
            _ => Err(rd.mismatch(name)),
        }
    }
}

/// A string map value (the only scalar map value type in the schema).
impl MapValue for String {
    fn read(rd: &mut Reader<'_>, name: &'static str) -> Result<ValueRead<Self>> {
        Ok((one::<Str>(rd, name, false)?, None))
    }
}

/// Reads a `map<string, V>` field (replacing what a duplicate key set): a
/// JSON object of entries.
pub(crate) fn map_field<V: MapValue>(
    rd: &mut Reader<'_>,
    missing: &mut Option<Box<Missing>>,
    slot: Slot,
    out: &mut BTreeMap<String, V>,
) -> Result<()> {
    missing::forget(missing, slot.number);
    out.clear();
    match rd.peek()? {
        b'{' => {
            rd.begin_object()?;
            let mut first = true;
            let mut index = 0;
            while let Some(key) = rd.next_map_key(&mut first)? {
                let (value, child) = V::read(rd, slot.name)?;
                missing::attach(missing, slot, Some(index), missing::map_entry_value(child));
                out.insert(key, value.unwrap_or_default());
                index += 1;
            }
            Ok(())
        }
        b'n' => rd.null(),
        _ => Err(rd.mismatch(slot.name)),
    }
}
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn number_text() {
        assert_eq!(parse_number_text("-42"), Some(Num::Neg(-42)));
        assert_eq!(parse_number_text(" 007 "), Some(Num::Pos(7)));
        assert_eq!(parse_number_text("-0"), Some(Num::Pos(0)));
        assert_eq!(parse_number_text("2.5"), Some(Num::Float(2.5)));
        assert_eq!(parse_number_text("1e3"), Some(Num::Float(1000.0)));
        assert_eq!(
            parse_number_text("18446744073709551615"),
            Some(Num::Pos(u64::MAX))
        );
        assert_eq!(
            parse_number_text("18446744073709551616"),
            Some(Num::Float(18446744073709551616.0))
        );
        for bad in [
            "", "+1", "1.", ".5", "1e", "abc", "1 2", "0x10", "Infinity", "1e999",
        ] {
            assert_eq!(parse_number_text(bad), None, "{bad:?}");
        }
    }
}
