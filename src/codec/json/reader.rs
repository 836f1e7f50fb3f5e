//! The JSON scanner under the decoder: one pass over the bytes, no
//! intermediate tree, no allocation except where a value needs it.
//!
//! It is specialised for what the Mesos master sends (compact ASCII, few
//! escapes): strings are scanned eight bytes at a time and, when they hold no
//! escape, handed out as slices of the input (UTF-8 is checked only for
//! strings that contain a non-ASCII byte); escapes are resolved on a slow
//! path into a reused buffer; numbers are parsed here, without going through
//! text when they are exact in a `f64`.
//!
//! What counts as well-formed follows serde_json, which the decoder used
//! before: RFC 8259 JSON, nesting of arrays and objects bounded by
//! [`MAX_DEPTH`] inside decoded values, unbounded (and without recursion)
//! inside skipped ones, numbers out of `f64` range rejected where a value is
//! read but not where it is skipped, skipped strings not checked for UTF-8.

use crate::codec::{DecodeError, DecodeErrorKind};

/// Nesting limit for arrays and objects read into the model (serde_json's
/// default, which the previous decoder had): a hostile document cannot
/// overflow the stack.
pub(crate) const MAX_DEPTH: u32 = 128;

/// A decoding failure on its way up (boxed, so that results stay small on
/// the hot path).
#[doc(hidden)]
#[derive(Debug)]
pub struct Fail(Box<DecodeError>);

impl Fail {
    /// A well-formed value that does not fit the schema.
    #[cold]
    pub(crate) fn schema(detail: String) -> Fail {
        Fail(Box::new(DecodeError::new(DecodeErrorKind::Schema, detail)))
    }

    pub(crate) fn kind(&self) -> DecodeErrorKind {
        self.0.kind()
    }

    pub(crate) fn into_error(self) -> DecodeError {
        *self.0
    }
}

pub(crate) type Result<T> = std::result::Result<T, Fail>;

/// A position in one JSON document.
#[doc(hidden)]
pub struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
    /// Array/object levels still allowed.
    depth: u32,
    /// Unescaped text of the current string, when it had escapes.
    scratch: Vec<u8>,
    /// Open containers of the value being skipped (`true` = object).
    skipping: Vec<bool>,
}

/// What a string is read as; the three differ in what they let through, as
/// serde_json's paths for them did.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// A value read into the model: control characters and unpaired
    /// surrogate escapes are errors (UTF-8 is checked by the caller).
    Value,
    /// The key of a member of a decoded object: raw control characters pass
    /// and an unpaired surrogate escape becomes U+FFFD (it names no field).
    Key,
    /// A skipped string: control characters are errors, unpaired
    /// surrogate escapes pass.
    Skip,
}

/// A string's text as the scanner found it.
enum Text {
    /// `bytes[start..end]`, no escapes; `ascii` when no byte is >= 0x80.
    Raw {
        start: usize,
        end: usize,
        ascii: bool,
    },
    /// Unescaped into `scratch`.
    Scratch,
}

impl<'a> Reader<'a> {
    pub(crate) fn new(bytes: &'a [u8]) -> Self {
        Reader {
            bytes,
            pos: 0,
            depth: MAX_DEPTH,
            scratch: Vec::new(),
            skipping: Vec::new(),
        }
    }

    // ----------------------------------------------------------------------
    // Errors.

    #[cold]
    #[inline(never)]
    pub(crate) fn syntax(&self, what: &str) -> Fail {
        let before = &self.bytes[..self.pos.min(self.bytes.len())];
        let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
        let column = before.len()
            - before
                .iter()
                .rposition(|&b| b == b'\n')
                .map_or(0, |p| p + 1);
        Fail(Box::new(DecodeError::new(
            DecodeErrorKind::Syntax,
            format!("{what} at line {line} column {column}"),
        )))
    }

    #[cold]
    #[inline(never)]
    fn eof(&self) -> Fail {
        self.syntax("EOF while parsing a value")
    }

    // ----------------------------------------------------------------------
    // Whitespace and structure.

    #[inline]
    fn skip_ws(&mut self) {
        while let Some(&b) = self.bytes.get(self.pos) {
            if b > b' ' || !matches!(b, b' ' | b'\t' | b'\n' | b'\r') {
                return;
            }
            self.pos += 1;
        }
    }

    /// The first byte of the next value (after whitespace), not consumed.
    #[inline]
    pub(crate) fn peek(&mut self) -> Result<u8> {
        if let Some(&b) = self.bytes.get(self.pos) {
            if b > b' ' {
                return Ok(b);
            }
        }
        self.skip_ws();
        match self.bytes.get(self.pos) {
            Some(&b) => Ok(b),
            None => Err(self.eof()),
        }
    }

    /// Ends the document: only whitespace may follow.
    pub(crate) fn end(&mut self) -> Result<()> {
        self.skip_ws();
        if self.pos < self.bytes.len() {
            return Err(self.syntax("trailing characters"));
        }
        Ok(())
    }

    #[inline]
    fn enter(&mut self) -> Result<()> {
        self.depth -= 1;
        if self.depth == 0 {
            return Err(Fail(Box::new(DecodeError::new(
                DecodeErrorKind::TooDeep,
                format!(
                    "recursion limit exceeded: more than {} nested arrays and objects",
                    MAX_DEPTH - 1
                ),
            ))));
        }
        Ok(())
    }

    #[inline]
    fn leave(&mut self) {
        self.depth += 1;
    }

    /// Opens the object whose `{` [`Reader::peek`] just returned.
    #[inline]
    pub(crate) fn begin_object(&mut self) -> Result<()> {
        self.enter()?;
        self.pos += 1;
        Ok(())
    }

    /// Opens the array whose `[` [`Reader::peek`] just returned.
    #[inline]
    pub(crate) fn begin_array(&mut self) -> Result<()> {
        self.enter()?;
        self.pos += 1;
        Ok(())
    }

    /// Moves to the next member of an open object: `Some(field)` where
    /// `field` is the index of the message field its key names (`u32::MAX`:
    /// none), the reader then at its value; `None` after the closing `}`.
    /// `first` is true before the first member and is cleared here.
    ///
    /// `fast` gets the bytes after the key's opening quote and recognises a
    /// field name written plainly, quote and colon included (`value":`, as
    /// the master writes every key), returning the field and the length it
    /// matched. Anything else (escapes, spaces, unknown keys) goes to the
    /// general path: the key is scanned and unescaped and `lookup` maps its
    /// bytes to a field. UTF-8 is not checked in keys: a key that is not
    /// UTF-8 names no field.
    #[inline]
    pub fn next_key(
        &mut self,
        first: &mut bool,
        fast: impl FnOnce(&[u8]) -> Option<(u32, usize)>,
        lookup: impl FnOnce(&[u8]) -> u32,
    ) -> Result<Option<u32>> {
        if !self.member(first)? {
            return Ok(None);
        }
        let bytes = self.bytes;
        if let Some((field, len)) = bytes.get(self.pos + 1..).and_then(fast) {
            self.pos += 1 + len;
            return Ok(Some(field));
        }
        let field = match self.string(Mode::Key)? {
            Text::Raw { start, end, .. } => lookup(&bytes[start..end]),
            Text::Scratch => lookup(&self.scratch),
        };
        self.colon()?;
        Ok(Some(field))
    }

    /// Like [`Reader::next_key`] for a map field: the key as a string.
    pub(crate) fn next_map_key(&mut self, first: &mut bool) -> Result<Option<String>> {
        if !self.member(first)? {
            return Ok(None);
        }
        let key = self.str_value()?.to_owned();
        self.colon()?;
        Ok(Some(key))
    }

    /// Steps over `,` or the closing `}`: `true` when a member (its key's
    /// opening quote) follows.
    #[inline]
    fn member(&mut self, first: &mut bool) -> Result<bool> {
        // Compact JSON: `,"` between members, `{"` before the first.
        match self.bytes.get(self.pos) {
            Some(b',') if !*first && self.bytes.get(self.pos + 1) == Some(&b'"') => {
                self.pos += 1;
                Ok(true)
            }
            Some(b'"') if *first => {
                *first = false;
                Ok(true)
            }
            Some(b'}') => {
                *first = false;
                self.pos += 1;
                self.leave();
                Ok(false)
            }
            _ => self.member_slow(first),
        }
    }

    fn member_slow(&mut self, first: &mut bool) -> Result<bool> {
        let mut b = self.peek_in(IN_OBJECT)?;
        if *first {
            *first = false;
            if b == b'}' {
                self.pos += 1;
                self.leave();
                return Ok(false);
            }
        } else {
            match b {
                b',' => {
                    self.pos += 1;
                    b = self.peek_in(IN_OBJECT)?;
                }
                b'}' => {
                    self.pos += 1;
                    self.leave();
                    return Ok(false);
                }
                _ => return Err(self.syntax("expected `,` or `}`")),
            }
        }
        if b != b'"' {
            return Err(self.syntax("key must be a string"));
        }
        Ok(true)
    }

    #[inline]
    fn colon(&mut self) -> Result<()> {
        if self.peek_in(IN_OBJECT)? != b':' {
            return Err(self.syntax("expected `:`"));
        }
        self.pos += 1;
        Ok(())
    }

    /// Moves to the next element of an open array: `true` when a value
    /// follows, `false` after the closing `]`.
    #[inline]
    pub(crate) fn next_element(&mut self, first: &mut bool) -> Result<bool> {
        let b = self.peek_in(IN_LIST)?;
        if *first {
            *first = false;
            if b == b']' {
                self.pos += 1;
                self.leave();
                return Ok(false);
            }
            return Ok(true);
        }
        match b {
            b',' => {
                self.pos += 1;
                Ok(true)
            }
            b']' => {
                self.pos += 1;
                self.leave();
                Ok(false)
            }
            _ => Err(self.syntax("expected `,` or `]`")),
        }
    }

    /// [`Reader::peek`] inside a container, with an error that says so.
    #[inline]
    fn peek_in(&mut self, container: &str) -> Result<u8> {
        match self.bytes.get(self.pos) {
            Some(&b) if b > b' ' => Ok(b),
            _ => {
                self.skip_ws();
                match self.bytes.get(self.pos) {
                    Some(&b) => Ok(b),
                    None => Err(self.syntax(container)),
                }
            }
        }
    }

    // ----------------------------------------------------------------------
    // Strings.

    /// The string right at the reader when it is plain ASCII without
    /// escapes (nearly every string the master sends), the reader moved past
    /// it; `None` (the reader unmoved) for anything else.
    #[inline]
    pub(crate) fn plain_str(&mut self) -> Option<&'a str> {
        let bytes = self.bytes;
        if bytes.get(self.pos) != Some(&b'"') {
            return None;
        }
        let start = self.pos + 1;
        let (end, non_ascii) = super::scan::plain_run(bytes, start);
        if non_ascii || bytes.get(end) != Some(&b'"') {
            return None;
        }
        self.pos = end + 1;
        let raw = bytes.get(start..end)?;
        // SAFETY: `plain_run` found no byte >= 0x80 before `end`, and ASCII
        // is valid UTF-8.
        Some(unsafe { std::str::from_utf8_unchecked(raw) })
    }

    /// Reads a string value (the reader is at its opening quote), checked
    /// to be UTF-8, with escapes resolved.
    #[inline]
    pub(crate) fn str_value(&mut self) -> Result<&str> {
        let bytes = self.bytes;
        match self.string(Mode::Value)? {
            Text::Raw {
                start,
                end,
                ascii: true,
            } => {
                let raw = &bytes[start..end];
                // SAFETY: the scanner saw no byte >= 0x80 in `raw` (its flag
                // is conservative: it may be false for ASCII text, never true
                // for non-ASCII text), and ASCII is valid UTF-8.
                Ok(unsafe { std::str::from_utf8_unchecked(raw) })
            }
            Text::Raw { start, end, .. } => match std::str::from_utf8(&bytes[start..end]) {
                Ok(s) => Ok(s),
                Err(e) => {
                    self.pos = start + e.valid_up_to();
                    Err(self.syntax(INVALID_UTF8))
                }
            },
            Text::Scratch => match std::str::from_utf8(&self.scratch) {
                Ok(s) => Ok(s),
                Err(_) => Err(self.syntax(INVALID_UTF8)),
            },
        }
    }

    /// Scans the string at the reader (its opening quote) and moves past it.
    #[inline]
    fn string(&mut self, mode: Mode) -> Result<Text> {
        let bytes = self.bytes;
        let start = self.pos + 1;
        let (i, non_ascii) = super::scan::plain_run(bytes, start);
        match bytes.get(i) {
            Some(b'"') => {
                self.pos = i + 1;
                Ok(Text::Raw {
                    start,
                    end: i,
                    ascii: !non_ascii,
                })
            }
            Some(b'\\') => self.escaped(start, i, mode),
            Some(_) if mode == Mode::Key => self.escaped(start, i, mode),
            Some(_) => {
                self.pos = i;
                Err(self.syntax("control character (\\u0000-\\u001F) found while parsing a string"))
            }
            None => {
                self.pos = i;
                Err(self.syntax("EOF while parsing a string"))
            }
        }
    }

    /// The slow path of [`Reader::string`]: `bytes[start..i]` is plain text
    /// and `bytes[i]` is a backslash (or a control character in a key).
    /// Unescapes into `scratch`.
    #[cold]
    #[inline(never)]
    fn escaped(&mut self, start: usize, mut i: usize, mode: Mode) -> Result<Text> {
        let bytes = self.bytes;
        let mut out = std::mem::take(&mut self.scratch);
        out.clear();
        out.extend_from_slice(&bytes[start..i]);
        let result = loop {
            match bytes.get(i) {
                None => {
                    self.pos = i;
                    break Err(self.syntax("EOF while parsing a string"));
                }
                Some(b'"') => {
                    self.pos = i + 1;
                    break Ok(Text::Scratch);
                }
                Some(&b) if b < 0x20 && mode != Mode::Key => {
                    self.pos = i;
                    break Err(self.syntax(
                        "control character (\\u0000-\\u001F) found while parsing a string",
                    ));
                }
                Some(b'\\') => {
                    let escape = bytes.get(i + 1).copied();
                    i += 2;
                    let simple = match escape {
                        Some(b'"') => b'"',
                        Some(b'\\') => b'\\',
                        Some(b'/') => b'/',
                        Some(b'b') => 0x08,
                        Some(b'f') => 0x0c,
                        Some(b'n') => b'\n',
                        Some(b'r') => b'\r',
                        Some(b't') => b'\t',
                        Some(b'u') => {
                            match self.unicode_escape(&mut i, mode == Mode::Value) {
                                Ok(c) => {
                                    let mut buf = [0; 4];
                                    out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
                                }
                                Err(e) => break Err(e),
                            }
                            continue;
                        }
                        None => {
                            self.pos = bytes.len();
                            break Err(self.syntax("EOF while parsing a string"));
                        }
                        Some(_) => {
                            self.pos = i - 1;
                            break Err(self.syntax("invalid escape"));
                        }
                    };
                    out.push(simple);
                }
                Some(&b) => {
                    out.push(b);
                    i += 1;
                }
            }
        };
        self.scratch = out;
        result
    }

    /// Decodes `\uXXXX` (`bytes[*i..]` is the `XXXX`), with a following
    /// `\uXXXX` when the two form a surrogate pair.
    fn unicode_escape(&mut self, i: &mut usize, value: bool) -> Result<char> {
        let first = self.hex4(*i)?;
        *i += 4;
        let unpaired = |r: &mut Self, what: &str| {
            if value {
                Err(r.syntax(what))
            } else {
                Ok(char::REPLACEMENT_CHARACTER)
            }
        };
        match first {
            0xD800..=0xDBFF => {
                if self.bytes.get(*i..*i + 2) != Some(b"\\u") {
                    self.pos = *i;
                    return unpaired(self, "lone leading surrogate in hex escape");
                }
                let second = self.hex4(*i + 2)?;
                if !(0xDC00..=0xDFFF).contains(&second) {
                    self.pos = *i;
                    // Leave the second escape to be read on its own.
                    return unpaired(self, "lone leading surrogate in hex escape");
                }
                *i += 6;
                let c = 0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00);
                Ok(char::from_u32(c).unwrap_or(char::REPLACEMENT_CHARACTER))
            }
            0xDC00..=0xDFFF => {
                self.pos = *i;
                unpaired(self, "lone trailing surrogate in hex escape")
            }
            c => Ok(char::from_u32(c).unwrap_or(char::REPLACEMENT_CHARACTER)),
        }
    }

    fn hex4(&mut self, at: usize) -> Result<u32> {
        let Some(digits) = self.bytes.get(at..at + 4) else {
            self.pos = self.bytes.len();
            return Err(self.syntax("EOF while parsing a string"));
        };
        let mut n = 0;
        for (k, &d) in digits.iter().enumerate() {
            let v = match d {
                b'0'..=b'9' => d - b'0',
                b'a'..=b'f' => d - b'a' + 10,
                b'A'..=b'F' => d - b'A' + 10,
                _ => {
                    self.pos = at + k;
                    return Err(self.syntax("invalid escape"));
                }
            };
            n = n << 4 | u32::from(v);
        }
        Ok(n)
    }

    // ----------------------------------------------------------------------
    // Numbers and literals.

    /// Reads a number (the reader is at `-` or a digit).
    #[inline]
    pub(crate) fn number(&mut self) -> Result<Num> {
        self.lex_number(true)
    }

    /// Scans a number with the JSON grammar; computes its value when
    /// `evaluate` (an out-of-range value is then an error, as in
    /// serde_json; a skipped number is not evaluated).
    fn lex_number(&mut self, evaluate: bool) -> Result<Num> {
        let bytes = self.bytes;
        let start = self.pos;
        let mut i = start;
        let negative = bytes.get(i) == Some(&b'-');
        if negative {
            i += 1;
        }
        let mut mantissa: u64 = 0;
        let mut exact = true;
        let mut fraction_digits: i32 = 0;
        match bytes.get(i) {
            // Leading zeros (`007`) are accepted, as the master's parser
            // (picojson) accepts them, although strict JSON does not.
            Some(b'0'..=b'9') => i = digits(bytes, i, &mut mantissa, &mut exact),
            _ => {
                self.pos = i;
                return Err(self.syntax("invalid number"));
            }
        }
        let mut float = false;
        if bytes.get(i) == Some(&b'.') {
            float = true;
            i += 1;
            let digits_start = i;
            i = digits(bytes, i, &mut mantissa, &mut exact);
            fraction_digits = i32::try_from(i - digits_start).unwrap_or(i32::MAX);
            if i == digits_start {
                self.pos = i;
                return Err(self.syntax("invalid number"));
            }
        }
        let mut exponent: i32 = 0;
        if matches!(bytes.get(i), Some(b'e' | b'E')) {
            float = true;
            i += 1;
            let exp_negative = match bytes.get(i) {
                Some(b'-') => {
                    i += 1;
                    true
                }
                Some(b'+') => {
                    i += 1;
                    false
                }
                _ => false,
            };
            let digits_start = i;
            while let Some(&d) = bytes.get(i) {
                if !d.is_ascii_digit() {
                    break;
                }
                exponent = exponent
                    .saturating_mul(10)
                    .saturating_add(i32::from(d - b'0'));
                i += 1;
            }
            if i == digits_start {
                self.pos = i;
                return Err(self.syntax("invalid number"));
            }
            if exp_negative {
                exponent = -exponent;
            }
        }
        self.pos = i;
        if !evaluate {
            return Ok(Num::Pos(0));
        }
        if !float && exact {
            return Ok(if !negative {
                Num::Pos(mantissa)
            } else if mantissa == 0 {
                // serde_json reads `-0` as the double -0.0.
                Num::Float(-0.0)
            } else if mantissa <= 1 << 63 {
                Num::Neg((mantissa as i64).wrapping_neg())
            } else {
                #[allow(clippy::cast_precision_loss)]
                Num::Float(-(mantissa as f64))
            });
        }
        let scale = exponent.saturating_sub(fraction_digits);
        if exact && mantissa <= 1 << 53 && (-22..=22).contains(&scale) {
            // Both operands exact, so one correctly rounded operation.
            #[allow(clippy::cast_precision_loss)]
            let m = mantissa as f64;
            let p = POW10[scale.unsigned_abs() as usize];
            let v = if scale < 0 { m / p } else { m * p };
            return Ok(Num::Float(if negative { -v } else { v }));
        }
        self.slow_float(start, i)
    }

    #[cold]
    #[inline(never)]
    fn slow_float(&mut self, start: usize, end: usize) -> Result<Num> {
        let text = std::str::from_utf8(&self.bytes[start..end]).unwrap_or("");
        match text.parse::<f64>() {
            Ok(v) if v.is_finite() => Ok(Num::Float(v)),
            _ => {
                self.pos = start;
                Err(self.syntax("number out of range"))
            }
        }
    }

    /// Reads `true` or `false` (the reader is at `t` or `f`).
    pub(crate) fn boolean(&mut self) -> Result<bool> {
        if self.bytes.get(self.pos) == Some(&b't') {
            self.literal(b"true")?;
            Ok(true)
        } else {
            self.literal(b"false")?;
            Ok(false)
        }
    }

    /// Reads `null` (the reader is at `n`).
    pub(crate) fn null(&mut self) -> Result<()> {
        self.literal(b"null")
    }

    fn literal(&mut self, word: &'static [u8]) -> Result<()> {
        if self.bytes.get(self.pos..self.pos + word.len()) == Some(word) {
            self.pos += word.len();
            Ok(())
        } else {
            Err(self.syntax("expected ident"))
        }
    }

    // ----------------------------------------------------------------------
    // Skipping and checking.

    /// Skips one value of any shape, checking its syntax, without recursion
    /// and without a depth limit (as serde_json skips an ignored value).
    pub(crate) fn skip(&mut self) -> Result<()> {
        self.skipping.clear();
        'value: loop {
            match self.peek()? {
                b'{' => {
                    self.pos += 1;
                    if self.peek_in(IN_OBJECT)? == b'}' {
                        self.pos += 1;
                    } else {
                        self.skipping.push(true);
                        self.skip_key()?;
                        continue 'value;
                    }
                }
                b'[' => {
                    self.pos += 1;
                    if self.peek_in(IN_LIST)? == b']' {
                        self.pos += 1;
                    } else {
                        self.skipping.push(false);
                        continue 'value;
                    }
                }
                b'"' => {
                    self.string(Mode::Skip)?;
                }
                b'-' | b'0'..=b'9' => {
                    self.lex_number(false)?;
                }
                b't' => self.literal(b"true")?,
                b'f' => self.literal(b"false")?,
                b'n' => self.literal(b"null")?,
                _ => return Err(self.syntax("expected value")),
            }
            while let Some(&object) = self.skipping.last() {
                match self.peek_in(if object { IN_OBJECT } else { IN_LIST })? {
                    b',' => {
                        self.pos += 1;
                        if object {
                            self.skip_key()?;
                        }
                        continue 'value;
                    }
                    b'}' if object => {
                        self.pos += 1;
                        self.skipping.pop();
                    }
                    b']' if !object => {
                        self.pos += 1;
                        self.skipping.pop();
                    }
                    _ if object => return Err(self.syntax("expected `,` or `}`")),
                    _ => return Err(self.syntax("expected `,` or `]`")),
                }
            }
            return Ok(());
        }
    }

    fn skip_key(&mut self) -> Result<()> {
        if self.peek_in(IN_OBJECT)? != b'"' {
            return Err(self.syntax("key must be a string"));
        }
        self.string(Mode::Skip)?;
        self.colon()
    }

    /// Checks that the whole input, from the start, is one well-formed
    /// document (the master parses before it maps, so a syntax error
    /// anywhere wins over a schema error found first).
    pub(crate) fn check_document(bytes: &[u8]) -> Result<()> {
        let mut r = Reader::new(bytes);
        r.skip()?;
        r.end()
    }

    /// The error for a value of the wrong JSON type for field `name`. The
    /// value's own syntax is checked first, as a parser would.
    #[cold]
    #[inline(never)]
    pub(crate) fn mismatch(&mut self, name: &str) -> Fail {
        let first = match self.peek() {
            Ok(b) => b,
            Err(e) => return e,
        };
        let checked = match first {
            b'"' => self.str_value().map(|_| "string"),
            b'-' | b'0'..=b'9' => self.number().map(|_| "number"),
            b't' | b'f' => self.boolean().map(|_| "boolean"),
            b'n' => self.null().map(|()| "null"),
            b'[' => Ok("array"),
            b'{' => Ok("object"),
            _ => Err(self.syntax("expected value")),
        };
        match checked {
            Ok(what) => Fail::schema(format!("Not expecting a JSON {what} for field '{name}'")),
            Err(e) => e,
        }
    }
}

const IN_OBJECT: &str = "EOF while parsing an object";
const IN_LIST: &str = "EOF while parsing a list";
const INVALID_UTF8: &str = "invalid unicode code point";

/// Consumes the decimal digits at `bytes[i..]`, appending them to
/// `mantissa` while it stays exact (`exact` is cleared once it would no
/// longer fit a `u64`; the value is then read from the text). Returns where
/// the digits end.
#[inline]
fn digits(bytes: &[u8], mut i: usize, mantissa: &mut u64, exact: &mut bool) -> usize {
    // Eight at a time while there is room for eight more.
    while *exact && *mantissa <= (u64::MAX - 99_999_999) / 100_000_000 {
        let Some(v) = bytes
            .get(i..)
            .and_then(|rest| rest.first_chunk::<8>())
            .and_then(eight_digits)
        else {
            break;
        };
        *mantissa = *mantissa * 100_000_000 + v;
        i += 8;
    }
    while let Some(&d) = bytes.get(i) {
        let digit = d.wrapping_sub(b'0');
        if digit > 9 {
            break;
        }
        if *exact {
            match mantissa
                .checked_mul(10)
                .and_then(|m| m.checked_add(u64::from(digit)))
            {
                Some(m) => *mantissa = m,
                None => *exact = false,
            }
        }
        i += 1;
    }
    i
}

/// The value of eight ASCII digits, or `None` if any byte is not a digit
/// (SWAR: the digit test and three multiplications instead of eight steps).
#[inline]
fn eight_digits(chunk: &[u8; 8]) -> Option<u64> {
    let w = u64::from_le_bytes(*chunk);
    let v = w.wrapping_sub(0x3030_3030_3030_3030);
    if (w.wrapping_add(0x4646_4646_4646_4646) | v) & 0x8080_8080_8080_8080 != 0 {
        return None;
    }
    // Pairs, then fours, then all eight (the first digit is the low byte).
    let v = v.wrapping_mul(10).wrapping_add(v >> 8);
    let low = (v & 0x0000_00FF_0000_00FF).wrapping_mul(0x000F_4240_0000_0064);
    let high = ((v >> 16) & 0x0000_00FF_0000_00FF).wrapping_mul(0x0000_2710_0000_0001);
    Some((low.wrapping_add(high) >> 32) & 0xFFFF_FFFF)
}

#[cfg(test)]
mod tests {
    use super::{Num, Reader};

    fn number(text: &str) -> Option<Num> {
        let mut r = Reader::new(text.as_bytes());
        let n = r.number().ok()?;
        r.end().ok()?;
        Some(n)
    }

    #[test]
    fn integers_of_every_length_are_exact() {
        let mut n: u64 = 0;
        for digit in (1..=20).map(|k| k % 10) {
            n = n.wrapping_mul(10).wrapping_add(digit);
            let text = n.to_string();
            assert_eq!(number(&text), Some(Num::Pos(n)), "{text}");
        }
        assert_eq!(number("18446744073709551615"), Some(Num::Pos(u64::MAX)));
        assert_eq!(
            number("18446744073709551616"),
            Some(Num::Float(18446744073709551616.0))
        );
        assert_eq!(number("-9223372036854775808"), Some(Num::Neg(i64::MIN)));
        assert_eq!(number("-12345678901"), Some(Num::Neg(-12345678901)));
        assert!(matches!(number("-0"), Some(Num::Float(z)) if z == 0.0 && z.is_sign_negative()));
        assert_eq!(number("0"), Some(Num::Pos(0)));
    }

    #[test]
    fn floats_are_correctly_rounded() {
        for text in [
            "1700000000.778858",
            "1795310423.784355",
            "235299.0",
            "0.1",
            "-2.5e-3",
            "12345678.12345678",
            "1234567890123456789.5",
            "9007199254740993.0",
            "1e22",
            "1e23",
            "4.9e-324",
            "1.7976931348623157e308",
            "0.00000000000000000000000000001",
        ] {
            let want: f64 = text.parse().unwrap();
            assert_eq!(number(text), Some(Num::Float(want)), "{text}");
        }
        assert!(number("1e309").is_none());
        for bad in ["1.", ".5", "-", "1e", "1e+", "+1", "0x1"] {
            assert!(number(bad).is_none(), "{bad}");
        }
        // Leading zeros are the master's parser's (picojson's) leniency.
        assert_eq!(number("01"), Some(Num::Pos(1)));
        assert_eq!(number("-007"), Some(Num::Neg(-7)));
        assert_eq!(number("000.25"), Some(Num::Float(0.25)));
    }
}

/// Powers of ten exact in a `f64`.
const POW10: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

/// A JSON number as the scanner read it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Num {
    /// A negative integer that fits `i64`.
    Neg(i64),
    /// A non-negative integer that fits `u64`.
    Pos(u64),
    /// Anything with a fraction or exponent, `-0`, or an integer too large
    /// for 64 bits.
    Float(f64),
}
