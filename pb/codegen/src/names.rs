//! How proto names become Rust names and types. Shared by every emitter so
//! that the model and the codecs agree.

use crate::schema::{Field, FieldType, Label, Message, Schema};

/// `snake_case` of a message name, for the module holding its nested types:
/// `FrameworkID` → `framework_id`, `HTTPCheckInfo` → `http_check_info`.
pub fn snake(name: &str) -> String {
    let chars: Vec<char> = name.chars().collect();
    let mut out = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if c.is_uppercase() {
            let prev = if i > 0 { Some(chars[i - 1]) } else { None };
            let next = chars.get(i + 1).copied();
            let boundary = match prev {
                Some(p) if p.is_lowercase() || p.is_ascii_digit() => true,
                Some(p) if p.is_uppercase() => next.is_some_and(|n| n.is_lowercase()),
                _ => false,
            };
            if boundary {
                out.push('_');
            }
            out.extend(c.to_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

const KEYWORDS: &[&str] = &[
    "as", "break", "const", "continue", "crate", "else", "enum", "extern", "false", "fn", "for",
    "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub", "ref", "return",
    "static", "struct", "trait", "true", "type", "unsafe", "use", "where", "while", "async",
    "await", "dyn", "abstract", "become", "box", "do", "final", "macro", "override", "priv",
    "typeof", "unsized", "virtual", "yield", "try", "gen",
];

/// The Rust identifier of a field (`type` → `r#type`).
pub fn field_ident(name: &str) -> String {
    if KEYWORDS.contains(&name) {
        format!("r#{name}")
    } else {
        name.to_string()
    }
}

/// Absolute Rust path of a message or enum: `mesos.v1.FrameworkInfo.Capability`
/// → `crate::v1::framework_info::Capability`; the one well-known type the
/// operator API uses lives beside the Mesos packages:
/// `google.protobuf.Duration` → `crate::v1::protobuf::Duration`.
pub fn type_path(full_name: &str) -> String {
    let rest = match full_name.strip_prefix("google.") {
        Some(well_known) => format!("v1.{well_known}"),
        None => full_name
            .strip_prefix("mesos.")
            .unwrap_or(full_name)
            .to_string(),
    };
    let parts: Vec<&str> = rest.split('.').collect();
    let mut out = String::from("crate");
    for (i, p) in parts.iter().enumerate() {
        out.push_str("::");
        let last = i + 1 == parts.len();
        if last || p.starts_with(|c: char| c.is_lowercase()) {
            out.push_str(p);
        } else {
            out.push_str(&snake(p));
        }
    }
    out
}

/// The last segment of a full name.
pub fn short_name(full_name: &str) -> &str {
    full_name.rsplit('.').next().unwrap_or(full_name)
}

/// The Rust type of a scalar keyword.
pub fn scalar_type(s: &str) -> &'static str {
    match s {
        "double" => "f64",
        "float" => "f32",
        "int32" | "sint32" | "sfixed32" => "i32",
        "int64" | "sint64" | "sfixed64" => "i64",
        "uint32" | "fixed32" => "u32",
        "uint64" | "fixed64" => "u64",
        "bool" => "bool",
        "string" => "String",
        "bytes" => "Vec<u8>",
        other => panic!("unknown scalar {other}"),
    }
}

/// True when a singular field of this type inside `owner` needs a `Box`
/// (the type can contain `owner` again through singular fields).
pub fn needs_box(schema: &Schema, owner: &Message, field: &Field) -> bool {
    match &field.ty {
        FieldType::Message(t) if field.label != Label::Repeated => {
            t == &owner.full_name || schema.reaches(t, &owner.full_name)
        }
        _ => false,
    }
}

/// The Rust type of one value of the field (no Option/Vec/Box wrapper).
pub fn value_type(ty: &FieldType) -> String {
    match ty {
        FieldType::Scalar(s) => scalar_type(s).to_string(),
        FieldType::Message(m) | FieldType::Enum(m) => type_path(m),
    }
}

/// The Rust type of the struct member for `field` in `owner`.
pub fn member_type(schema: &Schema, owner: &Message, field: &Field) -> String {
    if let Some(entry) = &field.map_entry {
        let e = schema.message(entry).expect("map entry");
        return format!(
            "::std::collections::BTreeMap<{}, {}>",
            value_type(&e.fields[0].ty),
            value_type(&e.fields[1].ty)
        );
    }
    let mut v = value_type(&field.ty);
    if needs_box(schema, owner, field) {
        v = format!("::std::boxed::Box<{v}>");
    }
    match field.label {
        Label::Repeated => format!("::std::vec::Vec<{v}>"),
        Label::Optional => format!("::std::option::Option<{v}>"),
        Label::Required => v,
    }
}

/// Rust literal for a declared default of a field of type `ty`.
pub fn default_literal(ty: &FieldType, value: &str) -> String {
    match ty {
        FieldType::Scalar(s) => match s.as_str() {
            "double" | "float" => {
                if value.contains(['.', 'e', 'E']) {
                    value.to_string()
                } else {
                    format!("{value}.0")
                }
            }
            "string" => format!("{value:?}"),
            "bytes" => format!("b{value:?}"),
            _ => value.to_string(),
        },
        FieldType::Enum(e) => format!("{}::{value}", type_path(e)),
        FieldType::Message(_) => panic!("messages have no default"),
    }
}
