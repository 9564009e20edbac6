//! Turns `--args`, `--args-file` and `--arg k=v` into the script's `args` value.

use std::io::Read;

use anyhow::{bail, Context, Result};
use serde_json::{Map, Value};

use crate::cli::InputArgs;

pub fn script_args(inputs: &InputArgs) -> Result<Option<Value>> {
    let mut args = match (&inputs.args, &inputs.args_file) {
        (Some(text), _) => Some(parse_args_text(text, "--args")?),
        (None, Some(path)) => {
            let text = if path.as_os_str() == "-" {
                let mut text = String::new();
                std::io::stdin()
                    .read_to_string(&mut text)
                    .context("cannot read --args-file - from standard input")?;
                text
            } else {
                std::fs::read_to_string(path)
                    .with_context(|| format!("cannot read --args-file {}", path.display()))?
            };
            let value = serde_json::from_str(&text).map_err(|e| {
                anyhow::anyhow!(
                    "--args-file {} is not valid JSON: {e} (line {}, column {})",
                    path.display(),
                    e.line(),
                    e.column()
                )
            })?;
            Some(value)
        }
        (None, None) => None,
    };

    if !inputs.arg.is_empty() {
        let mut object = match args.take() {
            None => Map::new(),
            Some(Value::Object(map)) => map,
            Some(_) => bail!("--arg adds keys to an object, but --args / --args-file gave a value that is not an object"),
        };
        for pair in &inputs.arg {
            let Some((key, value)) = pair.split_once('=') else {
                bail!("--arg {pair}: expected KEY=VALUE, e.g. --arg shards=4");
            };
            if key.is_empty() {
                bail!("--arg {pair}: the key is empty; expected KEY=VALUE");
            }
            let value =
                serde_json::from_str(value).unwrap_or_else(|_| Value::String(value.to_string()));
            object.insert(key.to_string(), value);
        }
        args = Some(Value::Object(object));
    }
    Ok(args)
}

/// JSON when it parses; plain text otherwise, unless it looks like broken JSON (starts with
/// `{` or `[`), which is an error rather than a surprise string.
fn parse_args_text(text: &str, flag: &str) -> Result<Value> {
    match serde_json::from_str(text) {
        Ok(value) => Ok(value),
        Err(error) => {
            let trimmed = text.trim_start();
            if trimmed.starts_with('{') || trimmed.starts_with('[') {
                bail!(
                    "{flag} is not valid JSON: {error} (column {})",
                    error.column()
                );
            }
            Ok(Value::String(text.to_string()))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn inputs(args: Option<&str>, arg: &[&str]) -> InputArgs {
        InputArgs {
            args: args.map(String::from),
            args_file: None,
            arg: arg.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn json_text_and_plain_text() {
        assert_eq!(
            script_args(&inputs(Some(r#"{"a":1}"#), &[])).unwrap(),
            Some(json!({"a": 1}))
        );
        assert_eq!(
            script_args(&inputs(Some("42"), &[])).unwrap(),
            Some(json!(42))
        );
        assert_eq!(
            script_args(&inputs(Some("hello"), &[])).unwrap(),
            Some(json!("hello"))
        );
        assert!(script_args(&inputs(Some("{\"a\":"), &[])).is_err());
        assert_eq!(script_args(&inputs(None, &[])).unwrap(), None);
    }

    #[test]
    fn repeated_arg_builds_an_object() {
        let args = script_args(&inputs(
            Some(r#"{"a":1}"#),
            &["n=3", "name=x", "list=[1,2]"],
        ))
        .unwrap();
        assert_eq!(
            args,
            Some(json!({"a": 1, "n": 3, "name": "x", "list": [1, 2]}))
        );
        assert!(script_args(&inputs(Some("[1]"), &["n=3"])).is_err());
        assert!(script_args(&inputs(None, &["novalue"])).is_err());
    }
}
