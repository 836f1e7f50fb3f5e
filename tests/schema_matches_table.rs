//! The project's `pb/*.proto` files must declare exactly what the official
//! field tables list: same names, numbers, labels, types, defaults,
//! deprecation, oneofs and map entries.
//!
//! - `tests/data/proto-fields-minimal.tsv`: every type reachable from the
//!   scheduler and executor APIs must be declared;
//! - `tests/data/proto-fields-operator.tsv`: every type of master.proto,
//!   agent.proto, quota.proto, maintenance.proto and allocator.proto must be
//!   declared (that table writes `value`, `deprecated` and `map_entry` where
//!   the others write `enum_value`, `true` and `true`: normalised on reading);
//! - `tests/data/proto-fields-full.tsv` (all of mesos.proto, scheduler.proto
//!   and executor.proto): any further type pb/ declares must be declared in
//!   whole, exactly as that table says (`mesos.v1.Value`, the parent of the
//!   reachable `Value.Scalar`, `Value.Range`, ..., and the mesos.proto types
//!   the operator API reaches).
//!
//! The one type outside these tables is `google.protobuf.Duration`, checked
//! field by field below.

use mesos_http_codegen::schema::{FieldType, Label, Schema};
use std::collections::BTreeSet;
use std::path::Path;

const COLUMNS: &[&str] = &[
    "kind",
    "full_name",
    "field_name",
    "number",
    "label",
    "type",
    "default",
    "packed",
    "deprecated",
    "oneof",
    "map_entry",
    "file",
];

fn table_rows(path: &str) -> BTreeSet<String> {
    let text = std::fs::read_to_string(path).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split('\t').collect();
    let index: Vec<usize> = COLUMNS
        .iter()
        .map(|c| header.iter().position(|h| h == c).unwrap())
        .collect();
    lines
        .map(|l| {
            let cells: Vec<&str> = l.split('\t').collect();
            index
                .iter()
                .map(
                    |&i| match (header[i], cells.get(i).copied().unwrap_or("")) {
                        ("kind", "value") => "enum_value",
                        ("deprecated", "deprecated") | ("map_entry", "map_entry") => "true",
                        (_, cell) => cell,
                    },
                )
                .collect::<Vec<_>>()
                .join("\t")
        })
        .collect()
}

fn schema_rows(schema: &Schema) -> BTreeSet<String> {
    let mut rows = BTreeSet::new();
    let row = |cells: [&str; 12]| cells.join("\t");
    for m in &schema.messages {
        let entry = if m.map_entry { "true" } else { "" };
        rows.insert(row([
            "message",
            &m.full_name,
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            entry,
            &m.file,
        ]));
        for o in &m.oneofs {
            rows.insert(row([
                "oneof",
                &m.full_name,
                o,
                "",
                "",
                "",
                "",
                "",
                "",
                "",
                "",
                &m.file,
            ]));
        }
        for f in &m.fields {
            let number = f.number.to_string();
            let packed = match (&f.ty, f.label) {
                (FieldType::Scalar(s), Label::Repeated) if s != "string" && s != "bytes" => "false",
                (FieldType::Enum(_), Label::Repeated) => "false",
                _ => "",
            };
            rows.insert(row([
                "field",
                &m.full_name,
                &f.name,
                &number,
                f.label.as_str(),
                f.ty.table_name(),
                f.default.as_deref().unwrap_or(""),
                packed,
                if f.deprecated { "true" } else { "" },
                f.oneof.as_deref().unwrap_or(""),
                "",
                &m.file,
            ]));
        }
    }
    for e in &schema.enums {
        rows.insert(row([
            "enum",
            &e.full_name,
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            &e.file,
        ]));
        for v in &e.values {
            let number = v.number.to_string();
            let dep = if v.deprecated { "true" } else { "" };
            rows.insert(row([
                "enum_value",
                &e.full_name,
                &v.name,
                &number,
                "",
                "",
                "",
                "",
                dep,
                "",
                "",
                &e.file,
            ]));
        }
    }
    rows
}

fn type_of(row: &str) -> &str {
    row.split('\t').nth(1).unwrap()
}

fn report(what: &str, rows: &[&String]) -> String {
    format!(
        "{what}:\n{}",
        rows.iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join("\n")
    )
}

const DURATION: &str = "google.protobuf.Duration";

#[test]
fn pb_files_declare_exactly_the_official_tables() {
    let schema = mesos_http_codegen::load(Path::new("pb")).expect("pb/ parses");
    let ours: BTreeSet<String> = schema_rows(&schema)
        .into_iter()
        .filter(|r| type_of(r) != DURATION)
        .collect();
    let minimal = table_rows("tests/data/proto-fields-minimal.tsv");
    let operator = table_rows("tests/data/proto-fields-operator.tsv");
    let full = table_rows("tests/data/proto-fields-full.tsv");

    for (name, required) in [("minimal", &minimal), ("operator", &operator)] {
        let missing: Vec<_> = required.difference(&ours).collect();
        assert!(
            missing.is_empty(),
            "{}",
            report(
                &format!("rows of the {name} table that pb/ lacks or declares differently"),
                &missing
            )
        );
    }

    let declared: BTreeSet<&str> = ours.iter().map(|r| type_of(r)).collect();
    let official: BTreeSet<String> = full
        .iter()
        .chain(&operator)
        .filter(|r| declared.contains(type_of(r)))
        .cloned()
        .collect();
    let extra: Vec<_> = ours.difference(&official).collect();
    assert!(
        extra.is_empty(),
        "{}",
        report("rows pb/ declares that no table has", &extra)
    );
    let partial: Vec<_> = official.difference(&ours).collect();
    assert!(
        partial.is_empty(),
        "{}",
        report("rows of declared types that pb/ lacks", &partial)
    );

    assert_eq!(
        schema.messages.len(),
        339,
        "messages (with map entries and Duration)"
    );
    assert_eq!(schema.enums.len(), 47);
}

#[test]
fn duration_is_the_well_known_type_as_an_ordinary_message() {
    let schema = mesos_http_codegen::load(Path::new("pb")).expect("pb/ parses");
    let duration = schema.message(DURATION).expect("declared");
    assert_eq!(duration.file, "google/protobuf/duration.proto");
    let fields: Vec<_> = duration
        .fields
        .iter()
        .map(|f| (f.name.as_str(), f.number, f.label, f.ty.table_name()))
        .collect();
    assert_eq!(
        fields,
        [
            ("seconds", 1, Label::Optional, "int64"),
            ("nanos", 2, Label::Optional, "int32"),
        ]
    );
    let drain = schema
        .message("mesos.v1.master.Call.DrainAgent")
        .expect("declared");
    let grace = drain
        .fields
        .iter()
        .find(|f| f.name == "max_grace_period")
        .expect("declared");
    assert_eq!(grace.ty, FieldType::Message(DURATION.to_string()));
}
