//! A small command-line reader: `--flag value`, `--flag=value` and bare
//! `--switch`, without pulling in an argument-parsing crate.

use std::str::FromStr;

/// Reads flags one by one; the caller decides which take a value.
pub struct Flags {
    args: std::vec::IntoIter<String>,
    inline: Option<String>,
    current: String,
}

impl Flags {
    /// The process's arguments after the program name.
    pub fn from_env() -> Self {
        Flags::new(std::env::args().skip(1).collect())
    }

    /// Given arguments (for tests and reuse).
    pub fn new(args: Vec<String>) -> Self {
        Flags {
            args: args.into_iter(),
            inline: None,
            current: String::new(),
        }
    }

    /// The next flag's name without the leading `--`; `None` at the end.
    pub fn next_flag(&mut self) -> Result<Option<String>, String> {
        if let Some(value) = self.inline.take() {
            return Err(format!(
                "--{} does not take a value (got {value:?})",
                self.current
            ));
        }
        let Some(arg) = self.args.next() else {
            return Ok(None);
        };
        if arg == "-h" {
            self.current = "help".into();
            return Ok(Some(self.current.clone()));
        }
        let Some(flag) = arg.strip_prefix("--") else {
            return Err(format!("unexpected argument {arg:?} (flags start with --)"));
        };
        match flag.split_once('=') {
            Some((name, value)) => {
                self.current = name.to_string();
                self.inline = Some(value.to_string());
            }
            None => self.current = flag.to_string(),
        }
        Ok(Some(self.current.clone()))
    }

    /// The value of the flag just read.
    pub fn value(&mut self) -> Result<String, String> {
        if let Some(value) = self.inline.take() {
            return Ok(value);
        }
        self.args
            .next()
            .ok_or_else(|| format!("--{} needs a value", self.current))
    }

    /// The value of the flag just read, parsed.
    pub fn parsed<T: FromStr>(&mut self) -> Result<T, String>
    where
        T::Err: std::fmt::Display,
    {
        let text = self.value()?;
        text.parse()
            .map_err(|e| format!("--{} {text:?}: {e}", self.current))
    }

    /// The value of the flag just read is a file holding one JSON document
    /// of type `T` (a schema type, read with its serde impl as the master
    /// reads JSON: `--task task.json` as in `mesos-execute`).
    pub fn json_file<T: serde::de::DeserializeOwned>(&mut self) -> Result<T, String> {
        let path = self.value()?;
        let bytes = std::fs::read(&path).map_err(|e| format!("--{} {path}: {e}", self.current))?;
        serde_json::from_slice(&bytes).map_err(|e| format!("--{} {path}: {e}", self.current))
    }

    /// A number of seconds (fractions allowed, not negative).
    pub fn seconds(&mut self) -> Result<f64, String> {
        let value: f64 = self.parsed()?;
        if value.is_finite() && value >= 0.0 {
            Ok(value)
        } else {
            Err(format!("--{} needs a number of seconds >= 0", self.current))
        }
    }
}

/// The `main` both examples share: parse the options (`Ok(None)` means
/// `--help`), run, and turn the outcome into the process's exit status
/// (the run's own code, 2 for bad arguments, 1 for a failure).
pub fn run_main<O>(
    name: &str,
    usage: &str,
    parse: impl FnOnce() -> Result<Option<O>, String>,
    run: impl FnOnce(O) -> Result<u8, String>,
) -> std::process::ExitCode {
    use std::process::ExitCode;
    let options = match parse() {
        Ok(Some(options)) => options,
        Ok(None) => {
            println!("{usage}\n\n{}", super::cluster::USAGE);
            return ExitCode::SUCCESS;
        }
        Err(err) => {
            eprintln!("{name}: {err}\n(see --help)");
            return ExitCode::from(2);
        }
    };
    match run(options) {
        Ok(code) => ExitCode::from(code),
        Err(err) => {
            eprintln!("{name}: {err}");
            ExitCode::from(1)
        }
    }
}
