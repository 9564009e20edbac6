//! `--input data.csv|data.jsonl`: a file of records that becomes `args.rows`, so a workflow can
//! fan out over a spreadsheet. The format comes from the extension: `.csv` (a header row, every
//! value a string; see `csv.rs`) or `.jsonl`/`.ndjson` (one JSON object per line, blank lines
//! skipped). A malformed file is an error naming its line.

use std::path::Path;

use anyhow::{anyhow, bail, Context, Result};
use serde_json::Value;

use crate::args_input::json_error_text;
use crate::csv;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Csv,
    Jsonl,
}

impl Format {
    fn of(path: &Path) -> Result<Format> {
        let extension = path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase);
        match extension.as_deref() {
            Some("csv") => Ok(Format::Csv),
            Some("jsonl" | "ndjson") => Ok(Format::Jsonl),
            _ => bail!(
                "--input {}: cannot tell its format from the name; give a .csv file (a header row, then one record per line) or a .jsonl / .ndjson file (one JSON object per line)",
                path.display()
            ),
        }
    }
}

/// The records of `path`, in file order.
pub fn read_rows(path: &Path) -> Result<Vec<Value>> {
    let format = Format::of(path)?;
    let bytes = std::fs::read(path)
        .with_context(|| format!("--input {}: cannot read it", path.display()))?;
    let text = utf8(bytes).map_err(|message| anyhow!("--input {}: {message}", path.display()))?;
    let rows = match format {
        Format::Csv => csv::rows(&text).map_err(|e| e.to_string()),
        Format::Jsonl => jsonl_rows(&text),
    };
    rows.map_err(|message| anyhow!("--input {}: {message}", path.display()))
}

/// The text, or which line holds the first byte that is not UTF-8.
fn utf8(bytes: Vec<u8>) -> Result<String, String> {
    String::from_utf8(bytes).map_err(|error| {
        let valid = &error.as_bytes()[..error.utf8_error().valid_up_to()];
        let line = valid.iter().filter(|&&b| b == b'\n').count() + 1;
        format!("line {line}: not UTF-8 text (save the file as UTF-8)")
    })
}

/// One JSON object per line; blank lines are skipped.
fn jsonl_rows(text: &str) -> Result<Vec<Value>, String> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut rows = Vec::new();
    for (index, line) in text.split('\n').enumerate() {
        let number = index + 1;
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let value: Value = serde_json::from_str(line).map_err(|error| {
            // The line is the file's; serde_json's column is the one within this line.
            format!(
                "line {number}: not valid JSON: {} (column {})",
                json_error_text(&error),
                error.column()
            )
        })?;
        if !value.is_object() {
            return Err(format!(
                "line {number}: expected a JSON object (one record per line), found {}",
                kind(&value)
            ));
        }
        rows.push(value);
    }
    Ok(rows)
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn jsonl_objects_blank_lines_and_crlf() {
        let rows = jsonl_rows("{\"a\":1}\r\n\n  \n{\"a\":[2],\"b\":null}\n").unwrap();
        assert_eq!(rows, vec![json!({"a": 1}), json!({"a": [2], "b": null})]);
        assert_eq!(jsonl_rows("").unwrap(), Vec::<Value>::new());
    }

    #[test]
    fn a_bad_jsonl_line_is_named() {
        let error = jsonl_rows("{\"a\":1}\n\n{\"a\":}\n").unwrap_err();
        assert!(error.starts_with("line 3: not valid JSON: "), "{error}");
        assert!(!error.contains("at line"), "{error}");
        let error = jsonl_rows("{\"a\":1}\n[1,2]\n").unwrap_err();
        assert_eq!(
            error,
            "line 2: expected a JSON object (one record per line), found an array"
        );
    }

    #[test]
    fn the_format_comes_from_the_extension() {
        assert_eq!(Format::of(Path::new("a/b.CSV")).unwrap(), Format::Csv);
        assert_eq!(Format::of(Path::new("b.ndjson")).unwrap(), Format::Jsonl);
        assert_eq!(Format::of(Path::new("b.jsonl")).unwrap(), Format::Jsonl);
        let error = Format::of(Path::new("data.json")).unwrap_err().to_string();
        assert!(
            error.contains(".csv") && error.contains(".jsonl"),
            "{error}"
        );
    }

    #[test]
    fn non_utf8_names_its_line() {
        assert_eq!(
            utf8(b"a\nb\n\xff\n".to_vec()).unwrap_err(),
            "line 3: not UTF-8 text (save the file as UTF-8)"
        );
    }
}
