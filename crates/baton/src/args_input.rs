//! Turns the input flags into the script's `args` value, in this order: one base value
//! (`--args`, `--args-file`, or JSON on standard input; see `stdin_args.rs` for when it is
//! read), then each `--arg key=value` added as a key, then `--input`'s records as `rows`.
//! Keys and rows need the base to be an object (or absent, which starts an empty one).

use std::path::Path;

use anyhow::{bail, Context, Result};
use serde_json::{Map, Value};

use crate::cli::InputArgs;
use crate::input_rows::read_rows;
use crate::stdin_args::{self, StdinKind};

/// Where standard input comes from: the process's own, or a test's text.
pub trait StdinSource {
    fn kind(&self) -> StdinKind;
    /// All of it; `explicit` when the user asked for it with `-`.
    fn read(&self, explicit: bool) -> Result<String>;
}

/// The process's standard input.
struct ProcessStdin;

impl StdinSource for ProcessStdin {
    fn kind(&self) -> StdinKind {
        stdin_args::kind()
    }

    fn read(&self, explicit: bool) -> Result<String> {
        stdin_args::read_all(explicit)
    }
}

pub fn script_args(inputs: &InputArgs) -> Result<Option<Value>> {
    gather(inputs, &ProcessStdin)
}

pub fn gather(inputs: &InputArgs, stdin: &dyn StdinSource) -> Result<Option<Value>> {
    let base = base_args(inputs, stdin)?;
    let with_keys = add_keys(base, &inputs.arg)?;
    add_rows(with_keys, inputs.input.as_deref())
}

/// `--args`, `--args-file`, or standard input when it is a pipe or a file; `-` reads it always.
fn base_args(inputs: &InputArgs, stdin: &dyn StdinSource) -> Result<Option<Value>> {
    match (&inputs.args, &inputs.args_file) {
        (Some(text), _) if text == "-" => explicit_stdin(stdin, "--args -").map(Some),
        (Some(text), _) => parse_args_text(text, "--args").map(Some),
        (None, Some(path)) if path.as_os_str() == "-" => {
            explicit_stdin(stdin, "--args-file -").map(Some)
        }
        (None, Some(path)) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read --args-file {}", path.display()))?;
            let flag = format!("--args-file {}", path.display());
            parse_json(&text, &flag, "").map(Some)
        }
        (None, None) if stdin.kind() == StdinKind::Data => {
            let text = stdin.read(false)?;
            if text.trim().is_empty() {
                return Ok(None);
            }
            let hint = "; baton reads args from standard input when it is a pipe or a file and no --args or --args-file is given: run with </dev/null to ignore it";
            parse_json(&text, "standard input", hint).map(Some)
        }
        (None, None) => Ok(None),
    }
}

fn explicit_stdin(stdin: &dyn StdinSource, flag: &str) -> Result<Value> {
    let text = stdin.read(true)?;
    if text.trim().is_empty() {
        bail!("{flag}: standard input is empty; {flag} expects JSON there");
    }
    parse_json(&text, &format!("{flag} (standard input)"), "")
}

/// Strict JSON: what comes from a file or a pipe is never taken as plain text.
fn parse_json(text: &str, what: &str, hint: &str) -> Result<Value> {
    serde_json::from_str(text).map_err(|e| {
        anyhow::anyhow!(
            "{what} is not valid JSON: {} (line {}, column {}){hint}",
            json_error_text(&e),
            e.line(),
            e.column()
        )
    })
}

/// serde_json's message without the position it appends ("… at line 1 column 9"), for
/// messages that say the position their own way.
pub fn json_error_text(error: &serde_json::Error) -> String {
    let message = error.to_string();
    match message.rsplit_once(" at line ") {
        Some((text, _)) => text.to_string(),
        None => message,
    }
}

/// Each `--arg key=value` as a key of the object; values are JSON when they parse.
fn add_keys(args: Option<Value>, pairs: &[String]) -> Result<Option<Value>> {
    if pairs.is_empty() {
        return Ok(args);
    }
    let mut object = match args {
        None => Map::new(),
        Some(Value::Object(map)) => map,
        Some(_) => bail!("--arg adds keys to an object, but the args given (--args, --args-file or standard input) are not an object"),
    };
    for pair in pairs {
        let Some((key, value)) = pair.split_once('=') else {
            bail!("--arg {pair}: expected KEY=VALUE, e.g. --arg shards=4");
        };
        if key.is_empty() {
            bail!("--arg {pair}: the key is empty; expected KEY=VALUE");
        }
        let value = parse_value_text(value, &format!("--arg {key}"))?;
        object.insert(key.to_string(), value);
    }
    Ok(Some(Value::Object(object)))
}

/// `--input`'s records as `args.rows`.
fn add_rows(args: Option<Value>, input: Option<&Path>) -> Result<Option<Value>> {
    let Some(path) = input else {
        return Ok(args);
    };
    let mut object = match args {
        None => Map::new(),
        Some(Value::Object(map)) => map,
        Some(_) => bail!(
            "--input {} adds `rows` to an object, but the args given are not an object; give an object with --args or use --arg key=value",
            path.display()
        ),
    };
    if object.contains_key("rows") {
        bail!(
            "--input {} would replace the `rows` key the args already have; rename that key",
            path.display()
        );
    }
    object.insert("rows".into(), Value::Array(read_rows(path)?));
    Ok(Some(Value::Object(object)))
}

/// `--args` text: one value, never `key=value` (that is `--arg`'s job).
fn parse_args_text(text: &str, flag: &str) -> Result<Value> {
    let value = parse_value_text(text, flag)?;
    if let Value::String(plain) = &value {
        if let Some((key, _)) = plain.split_once('=').filter(|(k, _)| looks_like_key(k)) {
            bail!(
                "{flag} {plain}: --args takes one JSON value (or plain text), and this looks like KEY=VALUE; to set the key `{key}`, use --arg {plain}"
            );
        }
    }
    Ok(value)
}

fn looks_like_key(text: &str) -> bool {
    let mut chars = text.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
}

/// The rule for a value typed on the command line (`--args`, and each `--arg`'s value): JSON
/// when it parses; plain text otherwise, unless it starts like JSON (`{`, `[` or `"`), which
/// must then be valid JSON: a broken object is an error, never a surprise string.
fn parse_value_text(text: &str, flag: &str) -> Result<Value> {
    match serde_json::from_str(text) {
        Ok(value) => Ok(value),
        Err(error) => {
            let trimmed = text.trim_start();
            if trimmed.starts_with(['{', '[', '"']) {
                bail!(
                    "{flag} is not valid JSON: {} (column {}); values that start with {{, [ or \" must be JSON",
                    json_error_text(&error),
                    error.column()
                );
            }
            Ok(Value::String(text.to_string()))
        }
    }
}

#[cfg(test)]
#[path = "args_input/tests.rs"]
mod tests;
