//! The decoding half: serde seeds that read one field's JSON value straight
//! into the typed model, accepting what the master's parser (stout's
//! `protobuf::parse`) accepts and rejecting what it rejects, with its
//! wording. The generated code picks one seed per field.
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
use super::JsonMessage;
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use std::collections::BTreeMap;
use std::fmt;
use std::marker::PhantomData;

pub(crate) use serde::de::IgnoredAny;

/// What the master calls each kind of JSON value in its errors.
fn not_expecting(what: &str, field: &str) -> String {
    format!("Not expecting a JSON {what} for field '{field}'")
}

/// A JSON number as the parser produced it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Num {
    /// A negative integer that fits `i64`.
    Neg(i64),
    /// A non-negative integer that fits `u64`.
    Pos(u64),
    /// Anything with a fraction or exponent, or too large for 64 bits.
    Float(f64),
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
    fn number(_n: Num, f: Field) -> Result<Option<Self::Value>, String> {
        Err(not_expecting("number", f.name))
    }
    fn string(_s: &str, f: Field) -> Result<Option<Self::Value>, String> {
        Err(not_expecting("string", f.name))
    }
    fn owned_string(s: String, f: Field) -> Result<Option<Self::Value>, String> {
        Self::string(&s, f)
    }
    fn boolean(_b: bool, f: Field) -> Result<Option<Self::Value>, String> {
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

fn number_text<K: Scalar>(s: &str, f: Field, what: &str) -> Result<Option<K::Value>, String> {
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
    fn number(n: Num, _f: Field) -> Result<Option<T>, String> {
        Ok(Some(match n {
            Num::Neg(i) => T::from_i64(i),
            Num::Pos(u) => T::from_u64(u),
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
            Num::Float(d) if d >= 0.0 => T::from_u64(d as u64),
            #[allow(clippy::cast_possible_truncation)]
            Num::Float(d) => T::from_i64(d as i64),
        }))
    }
    fn string(s: &str, f: Field) -> Result<Option<T>, String> {
        number_text::<Self>(s, f, "number")
    }
}

/// A `double` field.
pub(crate) struct F64;

impl Scalar for F64 {
    type Value = f64;
    #[allow(clippy::cast_precision_loss)]
    fn number(n: Num, _f: Field) -> Result<Option<f64>, String> {
        Ok(Some(match n {
            Num::Neg(i) => i as f64,
            Num::Pos(u) => u as f64,
            Num::Float(d) => d,
        }))
    }
    fn string(s: &str, f: Field) -> Result<Option<f64>, String> {
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
    fn number(n: Num, f: Field) -> Result<Option<f32>, String> {
        F64::number(n, f).map(|v| v.map(|d| d as f32))
    }
    #[allow(clippy::cast_possible_truncation)]
    fn string(s: &str, f: Field) -> Result<Option<f32>, String> {
        F64::string(s, f).map(|v| v.map(|d| d as f32))
    }
}

/// A `bool` field.
pub(crate) struct Bool;

impl Scalar for Bool {
    type Value = bool;
    fn boolean(b: bool, _f: Field) -> Result<Option<bool>, String> {
        Ok(Some(b))
    }
    fn string(s: &str, f: Field) -> Result<Option<bool>, String> {
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
    fn string(s: &str, _f: Field) -> Result<Option<String>, String> {
        Ok(Some(s.to_owned()))
    }
    fn owned_string(s: String, _f: Field) -> Result<Option<String>, String> {
        Ok(Some(s))
    }
}

/// A `bytes` field: base64, decoded leniently like the master.
pub(crate) struct Bytes;

impl Scalar for Bytes {
    type Value = Vec<u8>;
    fn string(s: &str, f: Field) -> Result<Option<Vec<u8>>, String> {
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
    fn string(s: &str, f: Field) -> Result<Option<E>, String> {
        match E::by_name(s) {
            Some(v) => Ok(Some(v)),
            None if f.required => Err(format!("Failed to find enum for '{s}'")),
            None => Ok(None),
        }
    }
}

/// Reads an object key and maps it to a field index (`u32::MAX` when the
/// message has no such field) without allocating. Keys are read as raw
/// bytes (escapes resolved, UTF-8 not re-validated): a key that is not valid
/// UTF-8 cannot name a field, and the master does not validate it either.
pub(crate) struct Key<F>(pub(crate) F);

impl<'de, F: Fn(&[u8]) -> u32> DeserializeSeed<'de> for Key<F> {
    type Value = u32;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<u32, D::Error> {
        d.deserialize_bytes(self)
    }
}

impl<'de, F: Fn(&[u8]) -> u32> Visitor<'de> for Key<F> {
    type Value = u32;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a field name")
    }
    fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<u32, E> {
        Ok((self.0)(v))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<u32, E> {
        Ok((self.0)(v.as_bytes()))
    }
}

/// Forwards every non-container JSON value to a [`Scalar`] kind.
macro_rules! scalar_visits {
    ($k:ty, $field:expr, $done:expr) => {
        fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
            let r = <$k>::boolean(v, $field(&self)).map_err(E::custom)?;
            Ok($done(self, r))
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
            let n = if v < 0 {
                Num::Neg(v)
            } else {
                Num::Pos(v.unsigned_abs())
            };
            let r = <$k>::number(n, $field(&self)).map_err(E::custom)?;
            Ok($done(self, r))
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
            let r = <$k>::number(Num::Pos(v), $field(&self)).map_err(E::custom)?;
            Ok($done(self, r))
        }
        fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
            let r = <$k>::number(Num::Float(v), $field(&self)).map_err(E::custom)?;
            Ok($done(self, r))
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
            let r = <$k>::string(v, $field(&self)).map_err(E::custom)?;
            Ok($done(self, r))
        }
        fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
            let r = <$k>::owned_string(v, $field(&self)).map_err(E::custom)?;
            Ok($done(self, r))
        }
    };
}

/// A singular scalar or enum field: `Some(value)`, or `None` for `null` /
/// an unknown optional enum name.
pub(crate) struct One<K> {
    field: Field,
    kind: PhantomData<K>,
}

impl<K> One<K> {
    pub(crate) fn new(name: &'static str, required: bool) -> Self {
        One {
            field: Field { name, required },
            kind: PhantomData,
        }
    }
}

impl<'de, K: Scalar> DeserializeSeed<'de> for One<K> {
    type Value = Option<K::Value>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de, K: Scalar> Visitor<'de> for One<K> {
    type Value = Option<K::Value>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a value for field '{}'", self.field.name)
    }
    scalar_visits!(K, |s: &Self| s.field, |_s, r| r);
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, _seq: A) -> Result<Self::Value, A::Error> {
        Err(de::Error::custom(not_expecting("array", self.field.name)))
    }
    fn visit_map<A: MapAccess<'de>>(self, _map: A) -> Result<Self::Value, A::Error> {
        Err(de::Error::custom(not_expecting("object", self.field.name)))
    }
}

/// A repeated scalar or enum field, appended to `out`.
pub(crate) struct Many<'a, K: Scalar> {
    name: &'static str,
    out: &'a mut Vec<K::Value>,
}

impl<'a, K: Scalar> Many<'a, K> {
    pub(crate) fn new(name: &'static str, out: &'a mut Vec<K::Value>) -> Self {
        Many { name, out }
    }
    fn field(&self) -> Field {
        Field {
            name: self.name,
            required: false,
        }
    }
}

impl<'de, K: Scalar> DeserializeSeed<'de> for Many<'_, K> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de, K: Scalar> Visitor<'de> for Many<'_, K> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "values for field '{}'", self.name)
    }
    scalar_visits!(K, |s: &Self| s.field(), |s: Self, r: Option<K::Value>| {
        if let Some(v) = r {
            s.out.push(v);
        }
    });
    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let name = self.name;
        let out = self.out;
        while seq
            .next_element_seed(Many::<K> {
                name,
                out: &mut *out,
            })?
            .is_some()
        {}
        Ok(())
    }
    fn visit_map<A: MapAccess<'de>>(self, _map: A) -> Result<(), A::Error> {
        Err(de::Error::custom(not_expecting("object", self.name)))
    }
}

/// Errors for a non-object JSON value where a message is expected.
macro_rules! message_mismatch {
    ($name:expr) => {
        fn visit_bool<E: de::Error>(self, _v: bool) -> Result<Self::Value, E> {
            Err(E::custom(not_expecting("boolean", $name(&self))))
        }
        fn visit_i64<E: de::Error>(self, _v: i64) -> Result<Self::Value, E> {
            Err(E::custom(not_expecting("number", $name(&self))))
        }
        fn visit_u64<E: de::Error>(self, _v: u64) -> Result<Self::Value, E> {
            Err(E::custom(not_expecting("number", $name(&self))))
        }
        fn visit_f64<E: de::Error>(self, _v: f64) -> Result<Self::Value, E> {
            Err(E::custom(not_expecting("number", $name(&self))))
        }
        fn visit_str<E: de::Error>(self, _v: &str) -> Result<Self::Value, E> {
            Err(E::custom(not_expecting("string", $name(&self))))
        }
    };
}

/// A message field read in place into `target` (a default message): `true`
/// when an object was read, `false` for `null`. Missing required fields
/// inside are left in `missing` for the caller to file.
pub(crate) struct MsgInto<'a, M> {
    name: &'static str,
    target: &'a mut M,
    missing: &'a mut Option<Box<Missing>>,
}

impl<'de, M: JsonMessage> DeserializeSeed<'de> for MsgInto<'_, M> {
    type Value = bool;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<bool, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de, M: JsonMessage> Visitor<'de> for MsgInto<'_, M> {
    type Value = bool;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "an object for field '{}'", self.name)
    }
    message_mismatch!(|s: &Self| s.name);
    fn visit_unit<E: de::Error>(self) -> Result<bool, E> {
        Ok(false)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, _seq: A) -> Result<bool, A::Error> {
        Err(de::Error::custom(not_expecting("array", self.name)))
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<bool, A::Error> {
        self.target.read_json(map, self.missing)?;
        Ok(true)
    }
}

/// Reads one message field into `target` (a default message) and files its
/// missing required fields under `slot` (a later duplicate key replaces what
/// an earlier one recorded). Returns `false` for `null`.
pub(crate) fn message<'de, A: MapAccess<'de>, M: JsonMessage>(
    map: &mut A,
    missing: &mut Option<Box<Missing>>,
    slot: Slot,
    target: &mut M,
) -> Result<bool, A::Error> {
    missing::forget(missing, slot.number);
    let mut child = None;
    let present = map.next_value_seed(MsgInto {
        name: slot.name,
        target,
        missing: &mut child,
    })?;
    missing::attach(missing, slot, None, child);
    Ok(present)
}

/// A repeated message field, appended to `out`.
pub(crate) struct ManyMsg<'a, M> {
    slot: Slot,
    out: &'a mut Vec<M>,
    missing: &'a mut Option<Box<Missing>>,
}

impl<'de, M: JsonMessage> DeserializeSeed<'de> for ManyMsg<'_, M> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de, M: JsonMessage> Visitor<'de> for ManyMsg<'_, M> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "objects for field '{}'", self.slot.name)
    }
    message_mismatch!(|s: &Self| s.slot.name);
    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let (slot, out, missing) = (self.slot, self.out, self.missing);
        while seq
            .next_element_seed(ManyMsg {
                slot,
                out: &mut *out,
                missing: &mut *missing,
            })?
            .is_some()
        {}
        Ok(())
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<(), A::Error> {
        let index = self.out.len();
        self.out.push(M::default());
        let mut child = None;
        if let Some(last) = self.out.last_mut() {
            last.read_json(map, &mut child)?;
        }
        missing::attach(self.missing, self.slot, Some(index), child);
        Ok(())
    }
}

/// Reads a repeated message field (replacing what a duplicate key set).
pub(crate) fn messages<'de, A: MapAccess<'de>, M: JsonMessage>(
    map: &mut A,
    missing: &mut Option<Box<Missing>>,
    slot: Slot,
    out: &mut Vec<M>,
) -> Result<(), A::Error> {
    missing::forget(missing, slot.number);
    out.clear();
    map.next_value_seed(ManyMsg { slot, out, missing })
}

/// One map value (`None` for `null`) and the required fields missing in it.
pub(crate) type ValueRead<V> = (Option<V>, Option<Box<Missing>>);

/// The value half of a `map<string, V>` field.
pub(crate) trait MapValue: Sized + Default {
    /// Reads one value; returns the missing required fields inside it.
    fn read<'de, A: MapAccess<'de>>(
        map: &mut A,
        name: &'static str,
    ) -> Result<ValueRead<Self>, A::Error>;
}

impl<M: JsonMessage> MapValue for M {
    fn read<'de, A: MapAccess<'de>>(
        map: &mut A,
        name: &'static str,
    ) -> Result<ValueRead<M>, A::Error> {
        let mut child = None;
        let mut value = M::default();
        let present = map.next_value_seed(MsgInto {
            name,
            target: &mut value,
            missing: &mut child,
        })?;
        Ok((present.then_some(value), child))
    }
}

/// A `map<string, V>` field: a JSON object of entries.
pub(crate) struct MapOf<'a, V> {
    slot: Slot,
    out: &'a mut BTreeMap<String, V>,
    missing: &'a mut Option<Box<Missing>>,
}

impl<'de, V: MapValue> DeserializeSeed<'de> for MapOf<'_, V> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de, V: MapValue> Visitor<'de> for MapOf<'_, V> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "an object for map field '{}'", self.slot.name)
    }
    message_mismatch!(|s: &Self| s.slot.name);
    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_seq<A: SeqAccess<'de>>(self, _seq: A) -> Result<(), A::Error> {
        Err(de::Error::custom(not_expecting("array", self.slot.name)))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut index = 0;
        while let Some(key) = map.next_key::<String>()? {
            let (value, child) = V::read(&mut map, self.slot.name)?;
            missing::attach(
                self.missing,
                self.slot,
                Some(index),
                missing::map_entry_value(child),
            );
            self.out.insert(key, value.unwrap_or_default());
            index += 1;
        }
        Ok(())
    }
}

/// Reads a `map<string, V>` field (replacing what a duplicate key set).
pub(crate) fn map_field<'de, A: MapAccess<'de>, V: MapValue>(
    map: &mut A,
    missing: &mut Option<Box<Missing>>,
    slot: Slot,
    out: &mut BTreeMap<String, V>,
) -> Result<(), A::Error> {
    missing::forget(missing, slot.number);
    out.clear();
    map.next_value_seed(MapOf { slot, out, missing })
}

/// A string map value (the only scalar map value type in the schema).
impl MapValue for String {
    fn read<'de, A: MapAccess<'de>>(
        map: &mut A,
        name: &'static str,
    ) -> Result<ValueRead<Self>, A::Error> {
        let v = map.next_value_seed(One::<Str>::new(name, false))?;
        Ok((v, None))
    }
}

/// Skips the value of a key the message does not have.
#[inline]
pub(crate) fn skip<'de, A: MapAccess<'de>>(map: &mut A) -> Result<(), A::Error> {
    map.next_value::<IgnoredAny>().map(|_| ())
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
