//! Diagnostics of a workflow script: a severity, a message and a 1-based position, rendered
//! as `path:line:col: error: message` with a short code frame.

use std::fmt;

/// How bad a [`Diagnostic`] is: an error refuses the script, a warning is only reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    Error,
    Warning,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        })
    }
}

/// One problem found in a script, at a position in the original file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    pub message: String,
    /// 1-based line number.
    pub line: u32,
    /// 1-based column, counted in Unicode scalar values (chars) from the start of the line.
    pub column: u32,
}

impl Diagnostic {
    pub fn error(message: impl Into<String>, line: u32, column: u32) -> Self {
        Diagnostic {
            severity: Severity::Error,
            message: message.into(),
            line,
            column,
        }
    }

    pub fn warning(message: impl Into<String>, line: u32, column: u32) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            message: message.into(),
            line,
            column,
        }
    }

    /// A diagnostic at a byte offset of `source` (as parsers report positions).
    ///
    /// Only `\n` ends a line: that is how QuickJS numbers the lines of its stack traces, so
    /// static errors and runtime errors name the same lines. An offset past the end is clamped
    /// to the end; an offset inside a multi-byte char points at that char.
    pub fn at_offset(
        severity: Severity,
        message: impl Into<String>,
        source: &str,
        byte_offset: usize,
    ) -> Self {
        let (line, column) = line_column(source, byte_offset);
        Diagnostic {
            severity,
            message: message.into(),
            line,
            column,
        }
    }

    /// `path:line:col: error: message`, then a code frame: the line before (when there is one),
    /// the line itself, and a caret under the column:
    ///
    /// ```text
    /// path.js:4:8: error: something
    ///    3 | const x = foo(
    ///    4 |   bar: baz()
    ///      |        ^
    /// ```
    ///
    /// The result has no trailing newline. A position outside `source` renders the header only.
    pub fn render(&self, path: &str, source: &str) -> String {
        let mut out = format!(
            "{path}:{}:{}: {}: {}",
            self.line, self.column, self.severity, self.message
        );
        let lines: Vec<&str> = source.split('\n').collect();
        let index = self.line as usize;
        if index == 0 || index > lines.len() {
            return out;
        }
        // Width of the gutter: at least 4 so that short files line up like long ones.
        let width = index.to_string().len().max(4);
        let text = |n: usize| lines[n - 1].strip_suffix('\r').unwrap_or(lines[n - 1]);
        if index > 1 {
            out.push_str(&format!("\n{:>width$} | {}", index - 1, text(index - 1)));
        }
        let current = text(index);
        out.push_str(&format!("\n{index:>width$} | {current}"));
        // Copy tabs from the line into the caret's indent so that the caret stays under the
        // right character whatever the terminal's tab width.
        let indent: String = current
            .chars()
            .chain(std::iter::repeat(' '))
            .take(self.column.saturating_sub(1) as usize)
            .map(|c| if c == '\t' { '\t' } else { ' ' })
            .collect();
        out.push_str(&format!("\n{:width$} | {indent}^", ""));
        out
    }
}

/// 1-based (line, column) of a byte offset; the column counts chars.
fn line_column(source: &str, byte_offset: usize) -> (u32, u32) {
    let mut offset = byte_offset.min(source.len());
    while !source.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &source[..offset];
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let line = before.bytes().filter(|&b| b == b'\n').count() + 1;
    let column = before[line_start..].chars().count() + 1;
    (to_u32(line), to_u32(column))
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_become_one_based_lines_and_char_columns() {
        let src = "ab\ncd\n";
        assert_eq!(line_column(src, 0), (1, 1));
        assert_eq!(line_column(src, 1), (1, 2));
        assert_eq!(line_column(src, 2), (1, 3)); // the newline itself
        assert_eq!(line_column(src, 3), (2, 1));
        assert_eq!(line_column(src, 6), (3, 1)); // end of file after a final newline
        assert_eq!(line_column(src, 99), (3, 1)); // clamped
    }

    #[test]
    fn columns_count_chars_not_bytes() {
        // "é" is 2 bytes, "😀" is 4 bytes: `x` is the 4th char of the line.
        let src = "// é😀x\né😀y";
        let x = src.find('x').unwrap();
        assert_eq!(line_column(src, x), (1, 6));
        let y = src.find('y').unwrap();
        assert_eq!(line_column(src, y), (2, 3));
        // An offset inside a multi-byte char points at that char.
        assert_eq!(line_column(src, y - 1), (2, 2));
    }

    #[test]
    fn crlf_lines_count_once() {
        let src = "a\r\nb";
        assert_eq!(line_column(src, 3), (2, 1));
    }

    #[test]
    fn at_offset_sets_severity_and_position() {
        let d = Diagnostic::at_offset(Severity::Warning, "w", "x\n  y", 4);
        assert_eq!(d, Diagnostic::warning("w", 2, 3));
        let e = Diagnostic::at_offset(Severity::Error, String::from("e"), "x", 0);
        assert_eq!(e, Diagnostic::error("e", 1, 1));
    }

    #[test]
    fn render_shows_previous_line_and_caret() {
        let src = "a\nb\nconst x = foo(\n  bar: baz()\n";
        let d = Diagnostic::error("unexpected token", 4, 8);
        let expected = "s.js:4:8: error: unexpected token\n\
                        \x20  3 | const x = foo(\n\
                        \x20  4 |   bar: baz()\n\
                        \x20    |        ^";
        assert_eq!(d.render("s.js", src), expected);
    }

    #[test]
    fn render_first_line_has_no_previous_line() {
        let d = Diagnostic::warning("careful", 1, 3);
        let expected = "w.js:1:3: warning: careful\n   1 | let\n     |   ^";
        assert_eq!(d.render("w.js", "let\r\nx"), expected);
    }

    #[test]
    fn render_keeps_tabs_under_the_caret_and_widens_the_gutter() {
        let mut src = "\n".repeat(12344);
        src.push_str("\tfoo(1)");
        let d = Diagnostic::error("bad", 12345, 3);
        let out = d.render("t.js", &src);
        assert!(
            out.ends_with("12344 | \n12345 | \tfoo(1)\n      | \t ^"),
            "{out}"
        );
    }

    #[test]
    fn render_out_of_range_is_header_only() {
        let d = Diagnostic::error("eof", 9, 1);
        assert_eq!(d.render("e.js", "x"), "e.js:9:1: error: eof");
    }
}
