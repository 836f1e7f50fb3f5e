//! Missing `required` fields, collected while decoding and listed the way
//! the master's `Missing required fields: …` error lists them (protobuf's
//! `FindInitializationErrors`): for each message, first its own absent
//! required fields in declaration order, then the problems inside its
//! present message fields in field-number order, repeated entries as
//! `name[i].`, each path dotted from the top message.
//!
//! Nothing is allocated while every message is complete.

/// The absent required fields of one decoded message and of the messages
/// inside it. Only exists when something is missing.
#[derive(Debug, Default)]
pub struct Missing {
    own: Vec<&'static str>,
    nested: Vec<Nested>,
}

#[derive(Debug)]
struct Nested {
    number: u32,
    index: Option<usize>,
    name: &'static str,
    inner: Box<Missing>,
}

/// Where a nested message's problems are filed in its parent.
#[derive(Clone, Copy)]
pub(crate) struct Slot {
    pub(crate) number: u32,
    pub(crate) name: &'static str,
}

/// Records that the message being decoded lacks the required fields of
/// `required` (bit, name) whose bit is not set in `seen`.
#[inline]
pub(crate) fn check_required(
    missing: &mut Option<Box<Missing>>,
    seen: u64,
    mask: u64,
    required: &[(u32, &'static str)],
) {
    if seen & mask == mask {
        return;
    }
    let m = missing.get_or_insert_with(Box::default);
    for &(bit, name) in required {
        if seen & (1u64 << bit) == 0 {
            m.own.push(name);
        }
    }
}

/// Files a nested message's problems (if any) under `slot` / `index`.
#[inline(always)]
pub(crate) fn attach(
    missing: &mut Option<Box<Missing>>,
    slot: Slot,
    index: Option<usize>,
    child: Option<Box<Missing>>,
) {
    if let Some(inner) = child {
        attach_problems(missing, slot, index, inner);
    }
}

#[cold]
#[inline(never)]
fn attach_problems(
    missing: &mut Option<Box<Missing>>,
    slot: Slot,
    index: Option<usize>,
    inner: Box<Missing>,
) {
    missing
        .get_or_insert_with(Box::default)
        .nested
        .push(Nested {
            number: slot.number,
            index,
            name: slot.name,
            inner,
        });
}

/// Wraps a map value's problems as those of the entry message's `value` field.
pub(crate) fn map_entry_value(child: Option<Box<Missing>>) -> Option<Box<Missing>> {
    child.map(|inner| {
        Box::new(Missing {
            own: Vec::new(),
            nested: vec![Nested {
                number: 2,
                index: None,
                name: "value",
                inner,
            }],
        })
    })
}

/// Drops what was recorded for field `number`: a later duplicate key
/// replaces the earlier value (last one wins).
#[inline(always)]
pub(crate) fn forget(missing: &mut Option<Box<Missing>>, number: u32) {
    if missing.is_some() {
        forget_field(missing, number);
    }
}

#[cold]
#[inline(never)]
fn forget_field(missing: &mut Option<Box<Missing>>, number: u32) {
    if let Some(m) = missing {
        m.nested.retain(|n| n.number != number);
        if m.own.is_empty() && m.nested.is_empty() {
            *missing = None;
        }
    }
}

impl Missing {
    /// Every dotted path, in the master's order.
    pub(crate) fn paths(&self) -> Vec<String> {
        let mut out = Vec::new();
        self.collect(&mut String::new(), &mut out);
        out
    }

    fn collect(&self, prefix: &mut String, out: &mut Vec<String>) {
        for name in &self.own {
            out.push(format!("{prefix}{name}"));
        }
        let mut nested: Vec<&Nested> = self.nested.iter().collect();
        nested.sort_by_key(|n| (n.number, n.index));
        for n in nested {
            let len = prefix.len();
            prefix.push_str(n.name);
            if let Some(i) = n.index {
                prefix.push_str(&format!("[{i}]"));
            }
            prefix.push('.');
            n.inner.collect(prefix, out);
            prefix.truncate(len);
        }
    }
}
