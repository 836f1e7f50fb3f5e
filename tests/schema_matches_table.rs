//! The project's `pb/*.proto` files must declare exactly what the official
//! field table (`tests/data/proto-fields-minimal.tsv`) lists: same names,
//! numbers, labels, types, defaults, deprecation, oneofs and map entries.
//! The only extra rows allowed belong to types the table's companion list
//! (`proto-unreachable.txt`) names as official but unreachable (`mesos.v1.Value`
//! holds the reachable `Value.Scalar`, `Value.Range`, ... and must exist for them).

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

fn table_rows() -> BTreeSet<String> {
    let text = std::fs::read_to_string("tests/data/proto-fields-minimal.tsv").unwrap();
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
                .map(|&i| cells.get(i).copied().unwrap_or(""))
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

fn unreachable_types() -> BTreeSet<String> {
    std::fs::read_to_string("tests/data/proto-unreachable.txt")
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| l.split('\t').nth(1).map(str::to_string))
        .collect()
}

#[test]
fn pb_files_declare_exactly_the_official_table() {
    let schema = mesos_http_codegen::load(Path::new("pb")).expect("pb/ parses");
    let ours = schema_rows(&schema);
    let table = table_rows();
    let missing: Vec<_> = table.difference(&ours).collect();
    assert!(
        missing.is_empty(),
        "rows of the table that pb/ lacks or declares differently:\n{}",
        missing
            .iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join("\n")
    );
    let allowed = unreachable_types();
    let extra: Vec<_> = ours
        .difference(&table)
        .filter(|r| !allowed.contains(r.split('\t').nth(1).unwrap()))
        .collect();
    assert!(
        extra.is_empty(),
        "rows pb/ declares that the table does not:\n{}",
        extra
            .iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join("\n")
    );
    assert_eq!(
        schema.messages.len(),
        183 + 1,
        "183 reachable messages plus mesos.v1.Value"
    );
    assert_eq!(schema.enums.len(), 33);
}
