//! The README and docs/ promise things that code must keep true:
//! - the quick start is exactly the two commands a newcomer runs, and
//!   `.ci/run` ends with the test command the README names;
//! - the README's Rust code is code that compiles: the complete scheduler is
//!   `examples/minimal.rs` word for word (compiled and run by
//!   `tests/examples_minimal.rs`) and the executor is the executor module's
//!   doc example (compiled as a doc test);
//! - the dependency table names every `[dependencies]` entry of Cargo.toml,
//!   and nothing that is not one;
//! - every relative link in the README and docs/ resolves, every docs/ page
//!   is linked from the README, and every `--example` / `--bench` named in
//!   a command exists.

use std::collections::BTreeSet;
use std::path::Path;

fn read(path: &str) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn readme() -> String {
    read("README.md")
}

/// The markdown files the checks cover: the README and every docs/ page.
fn documents() -> Vec<String> {
    let mut paths = vec!["README.md".to_string()];
    let mut pages: Vec<String> = std::fs::read_dir("docs")
        .expect("a docs/ directory")
        .map(|entry| entry.expect("docs/ entry").path())
        .filter(|path| path.extension().is_some_and(|e| e == "md"))
        .map(|path| path.to_string_lossy().into_owned())
        .collect();
    pages.sort();
    paths.extend(pages);
    paths
}

/// The fenced code blocks of a markdown text whose info string is `lang`.
fn code_blocks(text: &str, lang: &str) -> Vec<String> {
    let mut blocks = Vec::new();
    let mut current: Option<Vec<&str>> = None;
    for line in text.lines() {
        match &mut current {
            None if line.trim_end() == format!("```{lang}") => current = Some(Vec::new()),
            Some(lines) if line.trim_end() == "```" => {
                blocks.push(lines.join("\n"));
                current = None;
            }
            Some(lines) => lines.push(line),
            None => {}
        }
    }
    blocks
}

/// The first fenced block (any language) after `heading`.
fn first_block_after(text: &str, heading: &str) -> String {
    let start = text
        .find(heading)
        .unwrap_or_else(|| panic!("no {heading:?} section"));
    let rest = &text[start..];
    let open = rest.find("```").expect("a code block") + 3;
    let body = open + rest[open..].find('\n').expect("an info string line") + 1;
    let close = body + rest[body..].find("```").expect("a closed block");
    rest[body..close].trim_end().to_string()
}

#[test]
fn quick_start_is_the_execute_run_and_the_ci_test_command() {
    let block = first_block_after(&readme(), "## Quick start");
    let commands: Vec<&str> = block.lines().collect();
    assert_eq!(
        commands,
        [
            "cargo run --example execute -- --command 'echo hello'",
            "bash .ci/run"
        ]
    );
    let ci = read(".ci/run");
    let last = ci
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
        .expect("a command");
    assert_eq!(
        last, "cargo test --all-features",
        ".ci/run must end with the test command the README names"
    );
    assert!(
        readme().contains("`cargo test --all-features`"),
        "the README names the test command"
    );
}

#[test]
fn the_complete_scheduler_is_examples_minimal_verbatim() {
    let example = read("examples/minimal.rs");
    let body: Vec<&str> = example
        .lines()
        .skip_while(|l| l.starts_with("//!") || l.is_empty())
        .collect();
    let body = body.join("\n");
    assert!(
        body.contains("Scheduler::builder"),
        "the example subscribes"
    );
    let blocks = code_blocks(&readme(), "rust");
    assert!(
        blocks.iter().any(|b| b.trim_end() == body.trim_end()),
        "README's complete scheduler differs from examples/minimal.rs"
    );
}

/// Asserts that the one doc test (fenced as ```` ```lang ````) in the module
/// docs of `path` is also a Rust block of the README.
fn readme_has_the_doc_test_of(path: &str, lang: &str) {
    let module = read(path);
    let doc: Vec<&str> = module
        .lines()
        .take_while(|l| l.starts_with("//!"))
        .map(|l| {
            l.strip_prefix("//! ")
                .unwrap_or(l.trim_start_matches("//!"))
        })
        .collect();
    let doc = doc.join("\n");
    let tested = code_blocks(&doc, lang);
    assert_eq!(tested.len(), 1, "one doc test in {path}");
    let blocks = code_blocks(&readme(), "rust");
    assert!(
        blocks.iter().any(|b| b.trim_end() == tested[0].trim_end()),
        "a README block differs from the doc test in {path}"
    );
}

#[test]
fn the_executor_example_is_the_executor_modules_doc_test() {
    readme_has_the_doc_test_of("src/executor/mod.rs", "no_run");
}

#[test]
fn the_operator_example_is_the_operator_modules_doc_test() {
    readme_has_the_doc_test_of("src/operator/mod.rs", "");
}

#[test]
fn every_rust_block_in_the_readme_is_checked() {
    // The three above are the README's only Rust blocks: a new one needs a
    // check that it compiles (an example or a doc test it equals).
    assert_eq!(code_blocks(&readme(), "rust").len(), 3);
}

/// The names under a `[section]` of a Cargo manifest: each `name = ...`
/// line up to the next section.
fn manifest_section_names(manifest: &str, section: &str) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    let mut inside = false;
    for line in manifest.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            inside = line == section;
            continue;
        }
        if inside && !line.is_empty() && !line.starts_with('#') {
            if let Some((name, _)) = line.split_once('=') {
                names.insert(name.trim().to_string());
            }
        }
    }
    names
}

#[test]
fn the_dependency_table_names_every_dependency() {
    let dependencies = manifest_section_names(&read("Cargo.toml"), "[dependencies]");
    assert!(dependencies.contains("ureq"), "parsed {dependencies:?}");
    let readme = readme();
    let start = readme
        .find("## Dependencies")
        .expect("a Dependencies section");
    let section = &readme[start..];
    let section = &section[..section[3..].find("\n## ").map_or(section.len(), |i| i + 3)];
    let listed: BTreeSet<String> = section
        .lines()
        .filter(|l| l.starts_with("| `"))
        .filter_map(|l| l[3..].split('`').next())
        .map(str::to_string)
        .collect();
    assert_eq!(
        listed, dependencies,
        "the README's dependency table and Cargo.toml's [dependencies] differ"
    );
}

/// The targets of markdown links `[text](target)` in `text`.
fn link_targets(text: &str) -> Vec<String> {
    let mut targets = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find("](") {
        let after = &rest[at + 2..];
        if let Some(end) = after.find(')') {
            targets.push(after[..end].to_string());
        }
        rest = after;
    }
    targets
}

#[test]
fn relative_links_resolve_and_every_docs_page_is_linked() {
    for path in documents() {
        let base = Path::new(&path).parent().expect("a parent directory");
        for target in link_targets(&read(&path)) {
            if target.contains("://") || target.starts_with('#') || target.starts_with("mailto:") {
                continue;
            }
            let file = target.split('#').next().unwrap_or(&target);
            assert!(
                base.join(file).exists(),
                "{path} links to {target}, which does not exist"
            );
        }
    }
    let readme = readme();
    for page in documents().iter().skip(1) {
        assert!(
            readme.contains(&format!("]({page})")),
            "README.md does not link to {page}"
        );
    }
}

/// The word after each `flag` in `text` (`--example minimal` → `minimal`).
fn names_after(text: &str, flag: &str) -> BTreeSet<String> {
    text.split(flag)
        .skip(1)
        .filter_map(|rest| rest.split_whitespace().next())
        .map(|name| name.trim_matches(|c: char| c == '`' || c == ',' || c == ')'))
        .filter(|name| {
            name.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        })
        .map(str::to_string)
        .collect()
}

#[test]
fn every_example_and_bench_named_in_a_command_exists() {
    for path in documents() {
        let text = read(&path);
        for example in names_after(&text, "--example ") {
            assert!(
                Path::new(&format!("examples/{example}.rs")).is_file(),
                "{path} runs --example {example}, which does not exist"
            );
        }
        for bench in names_after(&text, "--bench ") {
            assert!(
                Path::new(&format!("benches/{bench}.rs")).is_file(),
                "{path} runs --bench {bench}, which does not exist"
            );
        }
    }
}
