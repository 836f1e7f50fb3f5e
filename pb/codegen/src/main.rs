//! `cargo run -p mesos-http-codegen`: rewrite the generated files from `pb/`.

use std::path::Path;

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let files = match mesos_http_codegen::generate(&root.join("pb")) {
        Ok(files) => files,
        Err(e) => {
            eprintln!("codegen: {e}");
            std::process::exit(1);
        }
    };
    for (path, text) in files {
        let full = root.join(&path);
        if std::fs::read_to_string(&full).ok().as_deref() == Some(text.as_str()) {
            continue;
        }
        if let Some(dir) = full.parent() {
            std::fs::create_dir_all(dir).expect("create output directory");
        }
        std::fs::write(&full, text).expect("write generated file");
        println!("wrote {path}");
    }
}
