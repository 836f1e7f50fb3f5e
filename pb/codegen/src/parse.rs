//! A parser for the proto2 subset the project's schema uses: `syntax`,
//! `package`, `import`, `option`, nested `message` / `enum`, `oneof`,
//! `map<K, V>` and field options `default` / `deprecated`. Type references are
//! resolved with protobuf's scoping rules once every file is read.

use crate::schema::{Enum, EnumValue, Field, FieldType, Label, Message, Schema};
use std::path::Path;

const SCALARS: &[&str] = &[
    "double", "float", "int32", "int64", "uint32", "uint64", "sint32", "sint64", "fixed32",
    "fixed64", "sfixed32", "sfixed64", "bool", "string", "bytes",
];

/// Reads `files` (paths relative to `root`) and returns the resolved schema.
pub fn parse_files(root: &Path, files: &[&str]) -> Result<Schema, String> {
    let mut schema = Schema::default();
    for file in files {
        let text = std::fs::read_to_string(root.join(file))
            .map_err(|e| format!("{}: {e}", root.join(file).display()))?;
        parse_text(file, &text, &mut schema).map_err(|e| format!("{file}: {e}"))?;
    }
    resolve(&mut schema)?;
    Ok(schema)
}

/// Parses one file's text into `schema` (references stay unresolved).
pub fn parse_text(file: &str, text: &str, schema: &mut Schema) -> Result<(), String> {
    let tokens = tokenize(text)?;
    let mut p = Parser {
        tokens,
        pos: 0,
        file: file.to_string(),
        package: String::new(),
    };
    while !p.at_end() {
        match p.peek() {
            "syntax" => {
                p.next();
                p.expect("=")?;
                let s = p.next_string()?;
                if s != "proto2" {
                    return Err(format!("only proto2 is supported, found {s}"));
                }
                p.expect(";")?;
            }
            "package" => {
                p.next();
                p.package = p.next_ident()?;
                p.expect(";")?;
            }
            "import" => {
                p.next();
                p.next_string()?;
                p.expect(";")?;
            }
            "option" => p.skip_option()?,
            "message" => {
                let scope = p.package.clone();
                p.message(&scope, schema)?
            }
            "enum" => {
                let scope = p.package.clone();
                p.enum_(&scope, schema)?
            }
            other => return Err(format!("unexpected `{other}` at top level")),
        }
    }
    Ok(())
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Word(String),
    Str(String),
    Sym(char),
}

fn tokenize(text: &str) -> Result<Vec<Tok>, String> {
    let mut out = Vec::new();
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
        } else if c == '/' && chars.get(i + 1) == Some(&'/') {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && chars.get(i + 1) == Some(&'*') {
            i += 2;
            while i + 1 < chars.len() && !(chars[i] == '*' && chars[i + 1] == '/') {
                i += 1;
            }
            i += 2;
        } else if c == '"' || c == '\'' {
            let mut s = String::new();
            i += 1;
            while i < chars.len() && chars[i] != c {
                if chars[i] == '\\' {
                    i += 1;
                }
                s.push(*chars.get(i).ok_or("unterminated string")?);
                i += 1;
            }
            i += 1;
            out.push(Tok::Str(s));
        } else if "{}[]<>;=,()".contains(c) {
            out.push(Tok::Sym(c));
            i += 1;
        } else if c.is_alphanumeric() || c == '_' || c == '.' || c == '-' || c == '+' {
            let start = i;
            while i < chars.len() && (chars[i].is_alphanumeric() || "_.-+".contains(chars[i])) {
                i += 1;
            }
            out.push(Tok::Word(chars[start..i].iter().collect()));
        } else {
            return Err(format!("unexpected character {c:?}"));
        }
    }
    Ok(out)
}

struct Parser {
    tokens: Vec<Tok>,
    pos: usize,
    file: String,
    package: String,
}

impl Parser {
    fn at_end(&self) -> bool {
        self.pos >= self.tokens.len()
    }

    fn peek(&self) -> &str {
        match self.tokens.get(self.pos) {
            Some(Tok::Word(w)) => w,
            Some(Tok::Str(_)) => "\"",
            Some(Tok::Sym(c)) => match c {
                '{' => "{",
                '}' => "}",
                '[' => "[",
                ']' => "]",
                '<' => "<",
                '>' => ">",
                ';' => ";",
                '=' => "=",
                ',' => ",",
                _ => "?",
            },
            None => "",
        }
    }

    fn next(&mut self) -> Option<Tok> {
        let t = self.tokens.get(self.pos).cloned();
        self.pos += 1;
        t
    }

    fn expect(&mut self, sym: &str) -> Result<(), String> {
        if self.peek() == sym {
            self.pos += 1;
            Ok(())
        } else {
            Err(format!("expected `{sym}`, found `{}`", self.peek()))
        }
    }

    fn next_ident(&mut self) -> Result<String, String> {
        match self.next() {
            Some(Tok::Word(w)) => Ok(w),
            other => Err(format!("expected a name, found {other:?}")),
        }
    }

    fn next_string(&mut self) -> Result<String, String> {
        match self.next() {
            Some(Tok::Str(s)) => Ok(s),
            other => Err(format!("expected a string, found {other:?}")),
        }
    }

    fn skip_option(&mut self) -> Result<(), String> {
        while self.peek() != ";" {
            if self.next().is_none() {
                return Err("unterminated option".into());
            }
        }
        self.expect(";")
    }

    fn message(&mut self, scope: &str, schema: &mut Schema) -> Result<(), String> {
        self.expect("message")?;
        let name = self.next_ident()?;
        let full_name = format!("{scope}.{name}");
        self.expect("{")?;
        let index = schema.messages.len();
        schema.messages.push(Message {
            full_name: full_name.clone(),
            file: self.file.clone(),
            fields: Vec::new(),
            oneofs: Vec::new(),
            map_entry: false,
        });
        let mut fields = Vec::new();
        let mut oneofs = Vec::new();
        while self.peek() != "}" {
            match self.peek() {
                "message" => self.message(&full_name, schema)?,
                "enum" => self.enum_(&full_name, schema)?,
                "option" => self.skip_option()?,
                "oneof" => {
                    self.next();
                    let group = self.next_ident()?;
                    self.expect("{")?;
                    while self.peek() != "}" {
                        let mut f = self.field(Label::Optional, &full_name, schema)?;
                        f.oneof = Some(group.clone());
                        fields.push(f);
                    }
                    self.expect("}")?;
                    oneofs.push(group);
                }
                "optional" | "required" | "repeated" => {
                    let label = match self.next_ident()?.as_str() {
                        "optional" => Label::Optional,
                        "required" => Label::Required,
                        _ => Label::Repeated,
                    };
                    fields.push(self.field(label, &full_name, schema)?);
                }
                "map" => fields.push(self.map_field(&full_name, schema)?),
                "" => return Err(format!("unterminated message {full_name}")),
                other => return Err(format!("unexpected `{other}` in message {full_name}")),
            }
        }
        self.expect("}")?;
        schema.messages[index].fields = fields;
        schema.messages[index].oneofs = oneofs;
        Ok(())
    }

    /// `TYPE name = N [options];` (the label is already consumed).
    fn field(&mut self, label: Label, scope: &str, _s: &mut Schema) -> Result<Field, String> {
        let ty = self.next_ident()?;
        let name = self.next_ident()?;
        self.expect("=")?;
        let number = self.number()?;
        let (default, deprecated) = self.field_options()?;
        self.expect(";")?;
        Ok(Field {
            name,
            number,
            label,
            ty: unresolved(&ty, scope),
            default,
            deprecated,
            oneof: None,
            map_entry: None,
        })
    }

    /// `map<K, V> name = N;` becomes a repeated field of a synthesized entry
    /// message `NameEntry { optional K key = 1; optional V value = 2; }`.
    fn map_field(&mut self, scope: &str, schema: &mut Schema) -> Result<Field, String> {
        self.expect("map")?;
        self.expect("<")?;
        let key = self.next_ident()?;
        self.expect(",")?;
        let value = self.next_ident()?;
        self.expect(">")?;
        let name = self.next_ident()?;
        self.expect("=")?;
        let number = self.number()?;
        let (_, deprecated) = self.field_options()?;
        self.expect(";")?;
        let entry = format!("{scope}.{}Entry", camel(&name));
        let entry_field = |n: &str, number, ty: &str| Field {
            name: n.into(),
            number,
            label: Label::Optional,
            ty: unresolved(ty, scope),
            default: None,
            deprecated: false,
            oneof: None,
            map_entry: None,
        };
        schema.messages.push(Message {
            full_name: entry.clone(),
            file: self.file.clone(),
            fields: vec![entry_field("key", 1, &key), entry_field("value", 2, &value)],
            oneofs: Vec::new(),
            map_entry: true,
        });
        Ok(Field {
            name,
            number,
            label: Label::Repeated,
            ty: FieldType::Message(entry.clone()),
            default: None,
            deprecated,
            oneof: None,
            map_entry: Some(entry),
        })
    }

    fn number(&mut self) -> Result<u32, String> {
        let w = self.next_ident()?;
        w.parse().map_err(|_| format!("bad field number {w}"))
    }

    fn field_options(&mut self) -> Result<(Option<String>, bool), String> {
        let (mut default, mut deprecated) = (None, false);
        if self.peek() != "[" {
            return Ok((default, deprecated));
        }
        self.next();
        loop {
            let key = self.next_ident()?;
            self.expect("=")?;
            let value = match self.next() {
                Some(Tok::Word(w)) | Some(Tok::Str(w)) => w,
                other => return Err(format!("bad option value {other:?}")),
            };
            match key.as_str() {
                "default" => default = Some(value),
                "deprecated" => deprecated = value == "true",
                _ => {}
            }
            if self.peek() == "," {
                self.next();
                continue;
            }
            self.expect("]")?;
            return Ok((default, deprecated));
        }
    }

    fn enum_(&mut self, scope: &str, schema: &mut Schema) -> Result<(), String> {
        self.expect("enum")?;
        let name = self.next_ident()?;
        self.expect("{")?;
        let mut values = Vec::new();
        while self.peek() != "}" {
            if self.peek() == "option" {
                self.skip_option()?;
                continue;
            }
            let name = self.next_ident()?;
            self.expect("=")?;
            let w = self.next_ident()?;
            let number = w.parse().map_err(|_| format!("bad enum number {w}"))?;
            let (_, deprecated) = self.field_options()?;
            self.expect(";")?;
            values.push(EnumValue {
                name,
                number,
                deprecated,
            });
        }
        self.expect("}")?;
        schema.enums.push(Enum {
            full_name: format!("{scope}.{name}"),
            file: self.file.clone(),
            values,
        });
        Ok(())
    }
}

/// `FooBar` from `foo_bar`, as protoc names map entries.
fn camel(name: &str) -> String {
    let mut out = String::new();
    let mut upper = true;
    for c in name.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// Until resolution a reference is stored as `Message("<scope>|<name as written>")`.
fn unresolved(ty: &str, scope: &str) -> FieldType {
    if SCALARS.contains(&ty) {
        FieldType::Scalar(ty.to_string())
    } else {
        FieldType::Message(format!("{scope}|{ty}"))
    }
}

fn resolve(schema: &mut Schema) -> Result<(), String> {
    let messages: std::collections::HashSet<String> = schema
        .messages
        .iter()
        .map(|m| m.full_name.clone())
        .collect();
    let enums: std::collections::HashSet<String> =
        schema.enums.iter().map(|e| e.full_name.clone()).collect();
    let lookup = |scope: &str, name: &str| -> Result<FieldType, String> {
        let found = |cand: &str| {
            if messages.contains(cand) {
                Some(FieldType::Message(cand.to_string()))
            } else if enums.contains(cand) {
                Some(FieldType::Enum(cand.to_string()))
            } else {
                None
            }
        };
        if let Some(abs) = name.strip_prefix('.') {
            return found(abs).ok_or(format!("unknown type {name}"));
        }
        let mut scope = scope.to_string();
        loop {
            let cand = if scope.is_empty() {
                name.to_string()
            } else {
                format!("{scope}.{name}")
            };
            if let Some(t) = found(&cand) {
                return Ok(t);
            }
            match scope.rfind('.') {
                Some(i) => scope.truncate(i),
                None if !scope.is_empty() => scope.clear(),
                None => return Err(format!("unknown type {name}")),
            }
        }
    };
    for m in &mut schema.messages {
        for f in &mut m.fields {
            if let FieldType::Message(r) = &f.ty {
                if let Some((scope, name)) = r.split_once('|') {
                    f.ty = lookup(scope, name)
                        .map_err(|e| format!("{}.{}: {e}", m.full_name, f.name))?;
                }
            }
        }
    }
    Ok(())
}
