//! The parsed schema: what the emitters read. Names are full proto names
//! (`mesos.v1.FrameworkInfo.Capability`), in declaration order.

/// Everything declared in the project's `.proto` files.
#[derive(Debug, Default)]
pub struct Schema {
    /// Messages (including synthesized map entries), in declaration order.
    pub messages: Vec<Message>,
    /// Enums, in declaration order.
    pub enums: Vec<Enum>,
}

/// One `message`.
#[derive(Debug, Clone)]
pub struct Message {
    /// Full proto name, e.g. `mesos.v1.scheduler.Call.Accept`.
    pub full_name: String,
    /// The `.proto` file, relative to `pb/`.
    pub file: String,
    /// Fields in declaration order (this order is also the JSON key order).
    pub fields: Vec<Field>,
    /// Names of the `oneof` groups, in declaration order.
    pub oneofs: Vec<String>,
    /// True for the entry message a `map<K, V>` field implies.
    pub map_entry: bool,
}

/// Field label (proto2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Label {
    /// `optional`
    Optional,
    /// `required`
    Required,
    /// `repeated`
    Repeated,
}

impl Label {
    /// The keyword as written in a `.proto` file.
    pub fn as_str(self) -> &'static str {
        match self {
            Label::Optional => "optional",
            Label::Required => "required",
            Label::Repeated => "repeated",
        }
    }
}

/// A field's type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldType {
    /// A scalar keyword such as `uint32` or `bytes`.
    Scalar(String),
    /// A message, by full name.
    Message(String),
    /// An enum, by full name.
    Enum(String),
}

impl FieldType {
    /// The type as the field table writes it: scalar keyword or full name.
    pub fn table_name(&self) -> &str {
        match self {
            FieldType::Scalar(s) | FieldType::Message(s) | FieldType::Enum(s) => s,
        }
    }
}

/// One field of a message.
#[derive(Debug, Clone)]
pub struct Field {
    /// Proto field name (snake_case).
    pub name: String,
    /// Field number.
    pub number: u32,
    /// Label; fields inside a `oneof` are `Optional`.
    pub label: Label,
    /// Type.
    pub ty: FieldType,
    /// Declared default, as written (strings unquoted).
    pub default: Option<String>,
    /// `[deprecated = true]`
    pub deprecated: bool,
    /// The `oneof` group this field belongs to.
    pub oneof: Option<String>,
    /// For a `map<K, V>` field: the synthesized entry message's full name.
    pub map_entry: Option<String>,
}

/// One `enum`.
#[derive(Debug, Clone)]
pub struct Enum {
    /// Full proto name.
    pub full_name: String,
    /// The `.proto` file, relative to `pb/`.
    pub file: String,
    /// Values in declaration order.
    pub values: Vec<EnumValue>,
}

/// One enum value.
#[derive(Debug, Clone)]
pub struct EnumValue {
    /// Value name as declared.
    pub name: String,
    /// Number.
    pub number: i32,
    /// `[deprecated = true]`
    pub deprecated: bool,
}

impl Schema {
    /// The message with this full name.
    pub fn message(&self, full_name: &str) -> Option<&Message> {
        self.messages.iter().find(|m| m.full_name == full_name)
    }

    /// The enum with this full name.
    pub fn enum_(&self, full_name: &str) -> Option<&Enum> {
        self.enums.iter().find(|e| e.full_name == full_name)
    }

    /// True when `target` can be reached from `from` through singular or
    /// required message fields: such a field needs a `Box` to have a finite size.
    pub fn reaches(&self, from: &str, target: &str) -> bool {
        let mut seen = std::collections::HashSet::new();
        let mut stack = vec![from.to_string()];
        while let Some(name) = stack.pop() {
            if !seen.insert(name.clone()) {
                continue;
            }
            let Some(m) = self.message(&name) else {
                continue;
            };
            for f in &m.fields {
                if f.label == Label::Repeated {
                    continue;
                }
                if let FieldType::Message(t) = &f.ty {
                    if t == target {
                        return true;
                    }
                    stack.push(t.clone());
                }
            }
        }
        false
    }
}
