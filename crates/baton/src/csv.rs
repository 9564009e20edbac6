//! A small RFC 4180 CSV reader for `--input data.csv`: a header row, then one record per row,
//! each an object keyed by the header with every value kept as a string.
//!
//! Written here rather than taken from a crate: the whole format is quotes, doubled quotes,
//! commas and line breaks inside quotes, and CRLF, and what we need on top (the physical line
//! a record starts on, for error messages) is easiest to get from our own loop.
//!
//! Choices where files in the wild differ from the RFC:
//! - a line break is `\r\n`, `\n` or a lone `\r`; a UTF-8 byte order mark is skipped;
//! - empty lines are skipped (a trailing one is in almost every file);
//! - a quote inside an unquoted field is kept as a character (`5" screen`), but text after a
//!   closing quote (`"a"b`) is an error: it is almost always a quote that was not doubled;
//! - header names are trimmed of surrounding spaces; an empty or repeated name is an error.

use std::fmt;

use serde_json::{Map, Value};

/// A malformed file: the physical line (1-based) and what is wrong there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsvError {
    pub line: usize,
    pub message: String,
}

impl fmt::Display for CsvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

/// One record and the physical line it starts on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    pub line: usize,
    pub fields: Vec<String>,
}

/// The records of `text` as the header names them: `[{header: value, …}, …]`, values as strings.
pub fn rows(text: &str) -> Result<Vec<Value>, CsvError> {
    let mut records = records(text)?.into_iter();
    let Some(header) = records.next() else {
        return Err(CsvError {
            line: 1,
            message: "the file is empty; a CSV input starts with a header row naming the columns"
                .into(),
        });
    };
    let names = header_names(&header)?;
    records
        .map(|record| {
            if record.fields.len() != names.len() {
                return Err(CsvError {
                    line: record.line,
                    message: format!(
                        "{} but the header (line {}) has {}; a field holding a comma or a line break must be in double quotes",
                        count(record.fields.len(), "field"),
                        header.line,
                        names.len()
                    ),
                });
            }
            let object: Map<String, Value> = names
                .iter()
                .cloned()
                .zip(record.fields.into_iter().map(Value::String))
                .collect();
            Ok(Value::Object(object))
        })
        .collect()
}

fn header_names(header: &Record) -> Result<Vec<String>, CsvError> {
    let mut names: Vec<String> = Vec::with_capacity(header.fields.len());
    for (i, field) in header.fields.iter().enumerate() {
        let name = field.trim().to_string();
        let problem = if name.is_empty() {
            Some(format!("column {} of the header has no name", i + 1))
        } else if names.contains(&name) {
            Some(format!("the header names column '{name}' twice"))
        } else {
            None
        };
        if let Some(message) = problem {
            return Err(CsvError {
                line: header.line,
                message,
            });
        }
        names.push(name);
    }
    Ok(names)
}

/// How a field ended.
#[derive(PartialEq, Eq)]
enum End {
    Comma,
    Line,
    Input,
}

/// Every non-empty record of `text`, with the line each starts on.
pub fn records(text: &str) -> Result<Vec<Record>, CsvError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut chars = text.chars().peekable();
    let mut line = 1;
    let mut records = Vec::new();
    while chars.peek().is_some() {
        let start = line;
        let mut fields = Vec::new();
        // An empty line is a record of one empty unquoted field: skipped.
        let mut empty = true;
        loop {
            let mut field = String::new();
            let quoted = chars.peek() == Some(&'"');
            if quoted {
                chars.next();
                empty = false;
                let opened = line;
                loop {
                    match chars.next() {
                        None => {
                            return Err(CsvError {
                                line: opened,
                                message: "a quoted field is never closed (a `\"` is missing)"
                                    .into(),
                            })
                        }
                        Some('"') if chars.peek() == Some(&'"') => {
                            chars.next();
                            field.push('"');
                        }
                        Some('"') => break,
                        Some(c) => {
                            // Line breaks inside quotes are part of the value, kept as written.
                            let crlf = c == '\r' && chars.peek() == Some(&'\n');
                            field.push(c);
                            if crlf {
                                field.push('\n');
                                chars.next();
                            }
                            if c == '\r' || c == '\n' {
                                line += 1;
                            }
                        }
                    }
                }
            }
            let end = loop {
                match chars.next() {
                    None => break End::Input,
                    Some(',') => break End::Comma,
                    Some('\n') => {
                        line += 1;
                        break End::Line;
                    }
                    Some('\r') => {
                        if chars.peek() == Some(&'\n') {
                            chars.next();
                        }
                        line += 1;
                        break End::Line;
                    }
                    Some(c) if quoted => {
                        return Err(CsvError {
                            line,
                            message: format!(
                                "unexpected {c:?} after the closing quote of a field; a quote inside a quoted field is written twice (\"\")"
                            ),
                        })
                    }
                    Some(c) => {
                        empty = false;
                        field.push(c);
                    }
                }
            };
            if end == End::Comma {
                empty = false;
            }
            fields.push(field);
            if end != End::Comma {
                break;
            }
        }
        if !empty {
            records.push(Record {
                line: start,
                fields,
            });
        }
    }
    Ok(records)
}

fn count(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

#[cfg(test)]
#[path = "csv/tests.rs"]
mod tests;
