//! The decoding half: serde seeds and visitors that take one field's JSON
//! value straight into the typed model, accepting what the master's parser
//! (stout's `protobuf::parse`) accepts and rejecting what it rejects, with
//! its wording. The generated `read_fields` of every message picks one per
//! field; they are generic over the value type, so each exists once.
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
//!
//! Values are visited as serde_json hands them over (strings borrowed from
//! the input when they have no escapes), with no `serde_json::Value` in
//! between.

use super::missing::{self, Missing, Slot};
use super::JsonMessage;
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use std::collections::BTreeMap;
use std::fmt;
use std::marker::PhantomData;

/// What the generated code implements for every message of the model, with
/// `serde::Serialize` and `serde::Deserialize`; [`JsonMessage`] is
/// implemented for exactly these (it is sealed: this trait cannot be named
/// outside the crate).
pub trait JsonCodec: serde::Serialize + for<'de> serde::Deserialize<'de> + Default {
    /// The index of the field named `key` in declaration order, `u32::MAX`
    /// for a key the message does not have.
    fn field_index(key: &str) -> u32;

    /// Reads the members of one JSON object into `self`, a default message
    /// (decoding in place saves moving large messages around); absent
    /// required fields (here and below) are recorded in `missing`.
    fn read_fields<'de, A: MapAccess<'de>>(
        &mut self,
        map: &mut A,
        missing: &mut Option<Box<Missing>>,
    ) -> Result<(), A::Error>;
}

/// A number as serde_json hands it over.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Num {
    /// A non-negative integer.
    Pos(u64),
    /// A negative integer.
    Neg(i64),
    /// Anything with a fraction or an exponent, or out of integer range.
    Float(f64),
}

/// A scalar conversion: the value, `None` to leave the field unset, or the
/// schema error's text.
pub(crate) type Conv<T> = Result<Option<T>, String>;

/// What the master says for a JSON value of the wrong kind.
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

/// Parses the text of a number sent as a JSON string (the master reads such
/// strings with C++ stream extraction, which takes leading zeros); surrounding
/// JSON whitespace is ignored. Only this string form is read here: number
/// literals are serde_json's.
pub(crate) fn parse_number_text(text: &str) -> Option<Num> {
    let t = text.trim_matches([' ', '\t', '\n', '\r']);
    let unsigned = t.strip_prefix('-').unwrap_or(t);
    let (mantissa, exponent) = match unsigned.find(['e', 'E']) {
        Some(at) => (&unsigned[..at], Some(&unsigned[at + 1..])),
        None => (unsigned, None),
    };
    let (int, frac) = match mantissa.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (mantissa, None),
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let exponent_ok = exponent.is_none_or(|e| digits(e.strip_prefix(['+', '-']).unwrap_or(e)));
    if !digits(int) || !frac.is_none_or(digits) || !exponent_ok {
        return None;
    }
    if frac.is_none() && exponent.is_none() {
        if t.starts_with('-') {
            if let Ok(n) = t.parse::<i64>() {
                return Some(if n < 0 { Num::Neg(n) } else { Num::Pos(0) });
            }
        } else if let Ok(n) = int.parse::<u64>() {
            return Some(Num::Pos(n));
        }
    }
    t.parse::<f64>()
        .ok()
        .filter(|v| v.is_finite())
        .map(Num::Float)
}

fn number_text<K: Scalar>(s: &str, f: Field) -> Conv<K::Value> {
    match parse_number_text(s) {
        Some(n) => K::number(n, f),
        None => Err(format!(
            "Failed to parse '{s}' as a JSON number for field '{}'",
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
        number_text::<Self>(s, f)
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
            _ => number_text::<Self>(s, f),
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
pub(crate) trait JsonEnum: Sized + Copy {
    /// The value with exactly this name.
    fn by_name(name: &str) -> Option<Self>;
    /// This value's name, if the schema declares it.
    fn to_name(self) -> Option<&'static str>;
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

/// Forwards serde's scalar visits to a [`Scalar`] kind, as `$on(self, value)`.
macro_rules! visit_scalars {
    ($on:ident) => {
        fn visit_bool<E: de::Error>(self, b: bool) -> Result<Self::Value, E> {
            let f = self.field();
            self.$on(K::boolean(b, f).map_err(E::custom)?)
        }
        fn visit_u64<E: de::Error>(self, n: u64) -> Result<Self::Value, E> {
            let f = self.field();
            self.$on(K::number(Num::Pos(n), f).map_err(E::custom)?)
        }
        fn visit_i64<E: de::Error>(self, n: i64) -> Result<Self::Value, E> {
            let num = match u64::try_from(n) {
                Ok(u) => Num::Pos(u),
                Err(_) => Num::Neg(n),
            };
            let f = self.field();
            self.$on(K::number(num, f).map_err(E::custom)?)
        }
        fn visit_f64<E: de::Error>(self, d: f64) -> Result<Self::Value, E> {
            let f = self.field();
            self.$on(K::number(Num::Float(d), f).map_err(E::custom)?)
        }
        fn visit_str<E: de::Error>(self, s: &str) -> Result<Self::Value, E> {
            let f = self.field();
            self.$on(K::string(s, f).map_err(E::custom)?)
        }
    };
}

/// Reads one singular scalar or enum value: `Some(value)`, or `None` for
/// `null` / an unknown optional enum name.
pub(crate) struct One<K> {
    field: Field,
    kind: PhantomData<K>,
}

impl<K: Scalar> One<K> {
    /// The seed for field `name`.
    #[inline]
    pub(crate) fn new(name: &'static str, required: bool) -> Self {
        One {
            field: Field { name, required },
            kind: PhantomData,
        }
    }
    fn field(&self) -> Field {
        self.field
    }
    #[allow(clippy::unnecessary_wraps)]
    fn keep<E>(self, v: Option<K::Value>) -> Result<Option<K::Value>, E> {
        Ok(v)
    }
}

impl<'de, K: Scalar> DeserializeSeed<'de> for One<K> {
    type Value = Option<K::Value>;
    #[inline]
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de, K: Scalar> Visitor<'de> for One<K> {
    type Value = Option<K::Value>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "a value for field '{}'", self.field.name)
    }
    visit_scalars!(keep);
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, _: A) -> Result<Self::Value, A::Error> {
        Err(de::Error::custom(not_expecting("array", self.field.name)))
    }
    fn visit_map<A: MapAccess<'de>>(self, _: A) -> Result<Self::Value, A::Error> {
        Err(de::Error::custom(not_expecting("object", self.field.name)))
    }
}

/// Reads a repeated scalar or enum field, replacing what a duplicate key
/// set: an array (nested arrays flattened, `null` entries skipped) or one
/// bare value.
pub(crate) struct Many<'a, K: Scalar> {
    name: &'static str,
    out: &'a mut Vec<K::Value>,
}

impl<'a, K: Scalar> Many<'a, K> {
    /// The seed for field `name`, which fills `out`.
    #[inline]
    pub(crate) fn new(name: &'static str, out: &'a mut Vec<K::Value>) -> Self {
        out.clear();
        Many { name, out }
    }
    fn field(&self) -> Field {
        Field {
            name: self.name,
            required: false,
        }
    }
    #[allow(clippy::unnecessary_wraps)]
    fn keep<E>(self, v: Option<K::Value>) -> Result<(), E> {
        if let Some(v) = v {
            self.out.push(v);
        }
        Ok(())
    }
}

impl<'de, K: Scalar> DeserializeSeed<'de> for Many<'_, K> {
    type Value = ();
    #[inline]
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de, K: Scalar> Visitor<'de> for Many<'_, K> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "values for field '{}'", self.name)
    }
    visit_scalars!(keep);
    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let name = self.name;
        while seq
            .next_element_seed(Many::<K> {
                name,
                out: &mut *self.out,
            })?
            .is_some()
        {}
        Ok(())
    }
    fn visit_map<A: MapAccess<'de>>(self, _: A) -> Result<(), A::Error> {
        Err(de::Error::custom(not_expecting("object", self.name)))
    }
}

/// Reads the members of a JSON object into `target` with its generated
/// `read_fields`, returning the missing required fields found inside.
#[inline]
fn read_object<'de, M: JsonMessage, A: MapAccess<'de>>(
    target: &mut M,
    mut map: A,
) -> Result<Option<Box<Missing>>, A::Error> {
    let mut child = None;
    target.read_fields(&mut map, &mut child)?;
    Ok(child)
}

/// Reads one message field into `target` (a default message) and files its
/// missing required fields under `slot` (a later duplicate key replaces what
/// an earlier one recorded). Yields `false` for `null`.
pub(crate) struct Message<'a, M> {
    slot: Slot,
    missing: &'a mut Option<Box<Missing>>,
    target: &'a mut M,
}

impl<'a, M: JsonMessage> Message<'a, M> {
    /// The seed for the field `slot`, decoding into `target`.
    #[inline]
    pub(crate) fn new(
        slot: Slot,
        missing: &'a mut Option<Box<Missing>>,
        target: &'a mut M,
    ) -> Self {
        missing::forget(missing, slot.number);
        Message {
            slot,
            missing,
            target,
        }
    }
}

impl<'de, M: JsonMessage> DeserializeSeed<'de> for Message<'_, M> {
    type Value = bool;
    #[inline]
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<bool, D::Error> {
        d.deserialize_any(self)
    }
}

/// The master's error for a value that is not an object.
macro_rules! only_objects {
    ($name:expr) => {
        fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
            Err(E::custom(not_expecting("boolean", $name(&self))))
        }
        fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
            Err(E::custom(not_expecting("number", $name(&self))))
        }
        fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
            Err(E::custom(not_expecting("number", $name(&self))))
        }
        fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
            Err(E::custom(not_expecting("number", $name(&self))))
        }
        fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
            Err(E::custom(not_expecting("string", $name(&self))))
        }
    };
}

impl<'de, M: JsonMessage> Visitor<'de> for Message<'_, M> {
    type Value = bool;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "an object for field '{}'", self.slot.name)
    }
    only_objects!(|s: &Self| s.slot.name);
    fn visit_unit<E: de::Error>(self) -> Result<bool, E> {
        Ok(false)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, _: A) -> Result<bool, A::Error> {
        Err(de::Error::custom(not_expecting("array", self.slot.name)))
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<bool, A::Error> {
        let child = read_object(self.target, map)?;
        missing::attach(self.missing, self.slot, None, child);
        Ok(true)
    }
}

/// Reads a repeated message field, replacing what a duplicate key set: an
/// array of objects (nested arrays flattened, `null` entries skipped) or
/// one bare object.
pub(crate) struct Messages<'a, M> {
    slot: Slot,
    missing: &'a mut Option<Box<Missing>>,
    out: &'a mut Vec<M>,
}

impl<'a, M: JsonMessage> Messages<'a, M> {
    /// The seed for the field `slot`, filling `out`.
    #[inline]
    pub(crate) fn new(
        slot: Slot,
        missing: &'a mut Option<Box<Missing>>,
        out: &'a mut Vec<M>,
    ) -> Self {
        missing::forget(missing, slot.number);
        out.clear();
        Messages { slot, missing, out }
    }

    /// Gives back what a short list does not use (growth starts at four
    /// elements, also for large messages).
    #[inline]
    pub(crate) fn finish(out: &mut Vec<M>) {
        if out.len() < out.capacity() / 2 {
            out.shrink_to_fit();
        }
    }
}

impl<'de, M: JsonMessage> DeserializeSeed<'de> for Messages<'_, M> {
    type Value = ();
    #[inline]
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de, M: JsonMessage> Visitor<'de> for Messages<'_, M> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "objects for field '{}'", self.slot.name)
    }
    only_objects!(|s: &Self| s.slot.name);
    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq
            .next_element_seed(Messages {
                slot: self.slot,
                missing: &mut *self.missing,
                out: &mut *self.out,
            })?
            .is_some()
        {}
        Ok(())
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<(), A::Error> {
        let index = self.out.len();
        if index == self.out.capacity() {
            // Vec's own first step for a message over 1 KiB (a Resource is)
            // is one element, then two, then four: three allocations and two
            // copies for a typical offer's resources.
            self.out.reserve(index.max(4));
        }
        self.out.push(M::default());
        let child = match self.out.last_mut() {
            Some(last) => read_object(last, map)?,
            None => None,
        };
        missing::attach(self.missing, self.slot, Some(index), child);
        Ok(())
    }
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

/// A message map value.
struct MapMessage<M>(&'static str, PhantomData<M>);

impl<'de, M: JsonMessage> DeserializeSeed<'de> for MapMessage<M> {
    type Value = ValueRead<M>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de, M: JsonMessage> Visitor<'de> for MapMessage<M> {
    type Value = ValueRead<M>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "an object for field '{}'", self.0)
    }
    only_objects!(|s: &Self| s.0);
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok((None, None))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, _: A) -> Result<Self::Value, A::Error> {
        Err(de::Error::custom(not_expecting("array", self.0)))
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        let mut value = M::default();
        let child = read_object(&mut value, map)?;
        Ok((Some(value), child))
    }
}

impl<M: JsonMessage> MapValue for M {
    fn read<'de, A: MapAccess<'de>>(
        map: &mut A,
        name: &'static str,
    ) -> Result<ValueRead<M>, A::Error> {
        map.next_value_seed(MapMessage(name, PhantomData))
    }
}

/// A string map value (the only scalar map value type in the schema).
impl MapValue for String {
    fn read<'de, A: MapAccess<'de>>(
        map: &mut A,
        name: &'static str,
    ) -> Result<ValueRead<Self>, A::Error> {
        Ok((map.next_value_seed(One::<Str>::new(name, false))?, None))
    }
}

/// Reads a `map<string, V>` field, replacing what a duplicate key set: a
/// JSON object of entries.
pub(crate) struct MapField<'a, V> {
    slot: Slot,
    missing: &'a mut Option<Box<Missing>>,
    out: &'a mut BTreeMap<String, V>,
}

impl<'a, V: MapValue> MapField<'a, V> {
    /// The seed for the field `slot`, filling `out`.
    pub(crate) fn new(
        slot: Slot,
        missing: &'a mut Option<Box<Missing>>,
        out: &'a mut BTreeMap<String, V>,
    ) -> Self {
        missing::forget(missing, slot.number);
        out.clear();
        MapField { slot, missing, out }
    }
}

impl<'de, V: MapValue> DeserializeSeed<'de> for MapField<'_, V> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de, V: MapValue> Visitor<'de> for MapField<'_, V> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "an object for field '{}'", self.slot.name)
    }
    only_objects!(|s: &Self| s.slot.name);
    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_seq<A: SeqAccess<'de>>(self, _: A) -> Result<(), A::Error> {
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

/// Recognises an object key as the index of one of `M`'s fields
/// (`u32::MAX`: not a field), from the key as serde_json hands it over
/// (borrowed from the input unless it has escapes).
pub(crate) struct Key<M>(PhantomData<M>);

impl<M> Key<M> {
    /// The seed.
    #[inline]
    pub(crate) fn new() -> Self {
        Key(PhantomData)
    }
}

impl<'de, M: JsonMessage> DeserializeSeed<'de> for Key<M> {
    type Value = u32;
    #[inline]
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<u32, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de, M: JsonMessage> Visitor<'de> for Key<M> {
    type Value = u32;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a field name")
    }
    #[inline]
    fn visit_str<E: de::Error>(self, key: &str) -> Result<u32, E> {
        Ok(M::field_index(key))
    }
}

/// The top-level object of a document: anything else is the master's
/// `Expecting a JSON object`.
pub(crate) struct Top<'a, M> {
    pub(crate) target: &'a mut M,
    pub(crate) missing: &'a mut Option<Box<Missing>>,
}

impl<'de, M: JsonMessage> DeserializeSeed<'de> for Top<'_, M> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

/// The master's text when the top level is not an object.
pub(crate) const EXPECTING_OBJECT: &str = "Expecting a JSON object";

macro_rules! not_an_object {
    ($($visit:ident: $t:ty),*) => {$(
        fn $visit<E: de::Error>(self, _: $t) -> Result<(), E> {
            Err(E::custom(EXPECTING_OBJECT))
        }
    )*};
}

impl<'de, M: JsonMessage> Visitor<'de> for Top<'_, M> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(EXPECTING_OBJECT)
    }
    not_an_object!(visit_bool: bool, visit_u64: u64, visit_i64: i64, visit_f64: f64, visit_str: &str);
    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Err(E::custom(EXPECTING_OBJECT))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, _: A) -> Result<(), A::Error> {
        Err(de::Error::custom(EXPECTING_OBJECT))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        self.target.read_fields(&mut map, self.missing)
    }
}

/// The body of every message's `Deserialize` impl: the message, or an error
/// in the master's words (`Missing required fields: a.b, c`).
pub(crate) fn message<'de, M: JsonMessage, D: Deserializer<'de>>(d: D) -> Result<M, D::Error> {
    let mut target = M::default();
    let mut missing = None;
    Top {
        target: &mut target,
        missing: &mut missing,
    }
    .deserialize(d)?;
    match missing {
        None => Ok(target),
        Some(m) => Err(de::Error::custom(format!(
            "Missing required fields: {}",
            m.paths().join(", ")
        ))),
    }
}

/// The body of every enum's `Deserialize` impl: a value name (an unknown
/// name is the master's `Failed to find enum for 'X'`), or a number (the
/// model's enums are open).
pub(crate) fn enumeration<'de, E, D>(d: D, from: fn(i32) -> E) -> Result<E, D::Error>
where
    E: JsonEnum,
    D: Deserializer<'de>,
{
    struct V<E>(fn(i32) -> E);
    impl<'v, E: JsonEnum> Visitor<'v> for V<E> {
        type Value = E;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("an enum value name")
        }
        fn visit_str<Er: de::Error>(self, s: &str) -> Result<E, Er> {
            E::by_name(s).ok_or_else(|| Er::custom(format!("Failed to find enum for '{s}'")))
        }
        fn visit_i64<Er: de::Error>(self, n: i64) -> Result<E, Er> {
            i32::try_from(n)
                .map(self.0)
                .map_err(|_| Er::custom(format!("enum number {n} out of range")))
        }
        fn visit_u64<Er: de::Error>(self, n: u64) -> Result<E, Er> {
            i32::try_from(n)
                .map(self.0)
                .map_err(|_| Er::custom(format!("enum number {n} out of range")))
        }
    }
    d.deserialize_any(V(from))
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
            "", "+1", "1.", ".5", "1e", "abc", "1 2", "0x10", "Infinity", "1e999", "-", "1e+",
            "--1",
        ] {
            assert_eq!(parse_number_text(bad), None, "{bad:?}");
        }
    }
}
