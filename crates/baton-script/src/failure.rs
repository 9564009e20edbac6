//! Why a script failed, told the way a user needs it: the message, the position in the
//! original file with a code frame, and the script's own stack (sandbox frames removed).

use std::collections::HashMap;
use std::fmt;

use crate::diagnostic::Diagnostic;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailureKind {
    /// The script threw, or its returned value could not be stored.
    Thrown,
    /// QuickJS refused to compile the script (oxc accepted it).
    Syntax,
    /// The script used more CPU time than its limit.
    CpuLimit,
    /// The script's heap outgrew its limit.
    HeapLimit,
    /// The script waits on a promise nothing can settle.
    Deadlock,
    /// The sandbox itself broke; a bug in baton.
    Internal,
}

/// One frame of the script's stack, with a 1-based line and a column in characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StackFrame {
    pub function: Option<String>,
    pub file: String,
    pub line: u32,
    pub column: u32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScriptError {
    pub kind: FailureKind,
    /// One line: `TypeError: cannot read property 'x' of null`.
    pub message: String,
    /// The script's frames, innermost first; sandbox and wrapper frames are left out.
    pub stack: Vec<StackFrame>,
    /// Message, position with a code frame, and the stack, ready to print.
    pub rendered: String,
}

impl fmt::Display for ScriptError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.rendered)
    }
}

impl ScriptError {
    /// A failure with no position in the script.
    pub fn plain(kind: FailureKind, message: impl Into<String>) -> Self {
        let message = message.into();
        ScriptError {
            kind,
            rendered: message.clone(),
            message,
            stack: Vec::new(),
        }
    }

    /// A failure from a JavaScript error: `stack` is QuickJS's stack text, whose columns count
    /// bytes; `sources` maps script names to their text so columns can be given in characters
    /// and a code frame drawn.
    pub fn from_js(
        kind: FailureKind,
        message: String,
        stack: &str,
        sources: &HashMap<String, String>,
    ) -> Self {
        let frames: Vec<StackFrame> = stack
            .lines()
            .filter_map(parse_frame)
            .filter(|frame| sources.contains_key(&frame.file))
            .map(|mut frame| {
                frame.column = char_column(&sources[&frame.file], frame.line, frame.column);
                frame
            })
            .collect();
        let mut rendered = match frames.first() {
            Some(top) => Diagnostic::error(message.clone(), top.line, top.column)
                .render(&top.file, &sources[&top.file]),
            None => message.clone(),
        };
        for frame in &frames {
            let name = frame.function.as_deref().unwrap_or("<script>");
            rendered.push_str(&format!(
                "\n    at {name} ({}:{}:{})",
                frame.file, frame.line, frame.column
            ));
        }
        ScriptError {
            kind,
            message,
            stack: frames,
            rendered,
        }
    }
}

/// Parses `    at name (file:line:col)` or `    at file:line:col`.
fn parse_frame(line: &str) -> Option<StackFrame> {
    let rest = line.trim().strip_prefix("at ")?;
    let (function, location) = match rest.strip_suffix(')').and_then(|r| r.split_once(" (")) {
        Some((name, location)) => (Some(name.to_string()), location),
        None => (None, rest),
    };
    let mut parts = location.rsplitn(3, ':');
    let column = parts.next()?.parse().ok()?;
    let line_number = parts.next()?.parse().ok()?;
    let file = parts.next()?.to_string();
    let function = function.filter(|name| name != "<anonymous>" && name != "<eval>");
    Some(StackFrame {
        function,
        file,
        line: line_number,
        column,
    })
}

/// Converts QuickJS's 1-based byte column to a 1-based character column on that line.
fn char_column(source: &str, line: u32, byte_column: u32) -> u32 {
    let Some(text) = source.lines().nth(line.saturating_sub(1) as usize) else {
        return byte_column;
    };
    let bytes = (byte_column.saturating_sub(1) as usize).min(text.len());
    let mut end = bytes;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text[..end].chars().count() as u32 + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_are_parsed_filtered_and_counted_in_characters() {
        let sources = HashMap::from([(
            "a.workflow.js".to_string(),
            "line one\nconst é = 'ééé'; null.x;\n".to_string(),
        )]);
        let stack = "    at <anonymous> (a.workflow.js:2:22)\n    at runMain (<baton>:10:3)\n    at <eval> (a.workflow.js:3:1)\n";
        let error =
            ScriptError::from_js(FailureKind::Thrown, "TypeError: x".into(), stack, &sources);
        assert_eq!(error.stack.len(), 2);
        assert_eq!((error.stack[0].line, error.stack[0].column), (2, 18));
        assert!(
            error
                .rendered
                .starts_with("a.workflow.js:2:18: error: TypeError: x"),
            "{}",
            error.rendered
        );
    }

    #[test]
    fn frames_without_a_function_name_parse() {
        let frame = parse_frame("    at v.js:2:11").unwrap();
        assert_eq!(
            (frame.file.as_str(), frame.line, frame.column),
            ("v.js", 2, 11)
        );
        assert_eq!(frame.function, None);
    }
}
