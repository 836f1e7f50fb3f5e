//! The README promises things that code must keep true: its quick start is
//! exactly the two commands CI and a newcomer run (`bash .ci/run`, which ends
//! with the cargo command the README names), and its complete scheduler
//! is `examples/minimal.rs` word for word (that file is compiled and run by
//! `tests/examples_minimal.rs`, so the README's code is too).

fn readme() -> String {
    std::fs::read_to_string("README.md").expect("README.md")
}

#[test]
fn quick_start_is_the_execute_run_and_the_ci_test_command() {
    let readme = readme();
    let start = readme
        .find("## Quick start")
        .expect("a Quick start section");
    let block = &readme[start..];
    let open = block.find("```sh\n").expect("a sh block") + 6;
    let close = open + block[open..].find("```").expect("closed block");
    let commands: Vec<&str> = block[open..close].lines().collect();
    assert_eq!(
        commands,
        [
            "cargo run --example execute -- --command 'echo hello'",
            "bash .ci/run"
        ]
    );
    let ci = std::fs::read_to_string(".ci/run").expect(".ci/run");
    let last = ci
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .expect("a command");
    assert_eq!(
        last, "cargo test --all-features",
        ".ci/run must end with the cargo command the README names"
    );
    assert!(
        readme.contains("runs\n`cargo test --all-features` at the workspace root"),
        "the README says what .ci/run runs"
    );
}

#[test]
fn the_complete_scheduler_is_examples_minimal_verbatim() {
    let example = std::fs::read_to_string("examples/minimal.rs").expect("examples/minimal.rs");
    let body: Vec<&str> = example
        .lines()
        .skip_while(|l| l.starts_with("//!") || l.is_empty())
        .collect();
    let body = body.join("\n");
    assert!(
        body.contains("Scheduler::builder"),
        "the example subscribes"
    );
    assert!(
        readme().contains(&format!("```rust\n{}\n```", body.trim_end())),
        "README's complete scheduler differs from examples/minimal.rs"
    );
}
