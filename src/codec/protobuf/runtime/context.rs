//! State carried through one decode: nesting depth, required fields found
//! missing, and the path to where an error happened.

use super::{Fault, Reader};
use crate::codec::protobuf::ProtobufMessage;

/// Messages may nest this deep below the top one (protobuf C++'s default limit).
pub const MAX_DEPTH: u32 = 100;

/// One step of a path below the top message: a field name, and the element
/// index when the field is repeated.
#[derive(Debug, Clone, Copy)]
struct Step {
    field: &'static str,
    index: Option<usize>,
}

/// Decode-wide state. Everything here is touched on the error path only,
/// except the depth counter.
#[derive(Debug, Default)]
pub struct DecodeContext {
    depth: u32,
    /// Dotted paths of missing required fields, relative to the current message
    /// until the enclosing call prefixes them.
    missing: Vec<String>,
    /// Where the fault happened, innermost step first.
    fault_path: Vec<Step>,
    /// For [`Fault::WireType`]: the field and the wire type it arrived with.
    wire_mismatch: Option<(&'static str, u32)>,
}

impl DecodeContext {
    /// Decodes the sub-message `bytes` of field `field` (element `index` of a
    /// repeated field) with `merge`, one level deeper.
    #[inline]
    pub fn nested<F>(
        &mut self,
        bytes: &[u8],
        field: &'static str,
        index: Option<usize>,
        merge: F,
    ) -> Result<(), Fault>
    where
        F: FnOnce(&mut Reader<'_>, &mut Self) -> Result<(), Fault>,
    {
        if self.depth >= MAX_DEPTH {
            self.fault_path.push(Step { field, index });
            return Err(Fault::TooDeep);
        }
        self.depth += 1;
        let missing_before = self.missing.len();
        let result = merge(&mut Reader::new(bytes), self);
        self.depth -= 1;
        if let Err(fault) = result {
            self.fault_path.push(Step { field, index });
            return Err(fault);
        }
        if self.missing.len() > missing_before {
            self.prefix_missing(missing_before, Step { field, index });
        }
        Ok(())
    }

    /// Merges the sub-message `bytes` into `message`.
    #[inline]
    pub fn message<M: ProtobufMessage>(
        &mut self,
        bytes: &[u8],
        field: &'static str,
        index: Option<usize>,
        message: &mut M,
    ) -> Result<(), Fault> {
        self.nested(bytes, field, index, |r, ctx| message.merge_from(r, ctx))
    }

    /// Where the current message's missing-field reports start.
    #[inline]
    pub fn missing_mark(&self) -> usize {
        self.missing.len()
    }

    /// Reports the current message's required fields whose bit in `seen` is
    /// clear (bit `i` stands for `required[i]`). They go before those of its
    /// sub-messages (found since `mark`), as protobuf C++ lists them.
    #[cold]
    pub fn report_missing(&mut self, mark: usize, seen: u64, required: &[&'static str]) {
        let at = mark.min(self.missing.len());
        let absent = required
            .iter()
            .enumerate()
            .filter(|(i, _)| seen & (1u64 << i) == 0)
            .map(|(_, f)| (*f).to_string());
        self.missing.splice(at..at, absent);
    }

    #[cold]
    fn prefix_missing(&mut self, from: usize, step: Step) {
        let prefix = match step.index {
            Some(i) => format!("{}[{i}].", step.field),
            None => format!("{}.", step.field),
        };
        for path in &mut self.missing[from..] {
            path.insert_str(0, &prefix);
        }
    }

    /// The missing required fields, each once, in the order found.
    pub fn take_missing(&mut self) -> Vec<String> {
        if self.missing.is_empty() {
            return Vec::new();
        }
        let mut seen = std::collections::HashSet::new();
        std::mem::take(&mut self.missing)
            .into_iter()
            .filter(|p| seen.insert(p.clone()))
            .collect()
    }

    /// Records which field had an impossible wire type.
    #[cold]
    pub fn set_wire_mismatch(&mut self, field: &'static str, wire: u32) {
        self.wire_mismatch = Some((field, wire));
    }

    /// The field and wire type recorded for a [`Fault::WireType`].
    pub fn wire_mismatch(&self) -> Option<(&'static str, u32)> {
        self.wire_mismatch
    }

    /// The dotted path to where the last fault happened (empty at the top).
    pub fn fault_path(&self) -> String {
        let mut out = String::new();
        for step in self.fault_path.iter().rev() {
            if !out.is_empty() {
                out.push('.');
            }
            out.push_str(step.field);
            if let Some(i) = step.index {
                out.push_str(&format!("[{i}]"));
            }
        }
        out
    }
}
