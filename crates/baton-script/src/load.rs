//! A workflow script, checked and ready to evaluate: its source, its `meta`, and the body
//! rewritten as an async function without moving a single line or column.

use std::path::{Path, PathBuf};

use crate::diagnostic::Diagnostic;
use crate::meta::{analyze, Meta};

/// The wrapper that turns the body into `async function (args, workflow) { … }`. Its tokens are
/// written into the blanked-out `meta` statement, so every position in the body stays where it
/// was in the file. `args` and `workflow` are parameters so a nested workflow gets its own
/// `args` and cannot nest further.
const WRAPPER_TOKENS: [&str; 9] = [
    "(", "async", "function", "(", "args", ",", "workflow", ")", "{",
];

#[derive(Debug, Clone)]
pub struct Script {
    /// Where the script came from; its display form names the script in error positions.
    pub path: PathBuf,
    pub source: String,
    pub meta: Meta,
    /// `baton check` warnings (unknown `meta` keys).
    pub warnings: Vec<Diagnostic>,
    /// The source as QuickJS evaluates it: evaluates to the body's async function.
    pub(crate) wrapped: String,
}

/// A script that failed its static checks: every problem, with the text to render them.
#[derive(Debug, Clone)]
pub struct ScriptProblems {
    pub path: PathBuf,
    pub source: String,
    pub diagnostics: Vec<Diagnostic>,
}

impl ScriptProblems {
    /// Every problem as `file:line:col: error: …` with a code frame.
    pub fn render(&self) -> String {
        let name = self.path.display().to_string();
        self.diagnostics
            .iter()
            .map(|d| d.render(&name, &self.source))
            .collect::<Vec<_>>()
            .join("\n")
    }
}

impl Script {
    /// Checks `source` statically (syntax, a pure-literal `meta`, no imports) and prepares it.
    pub fn from_source(path: impl AsRef<Path>, source: String) -> Result<Script, ScriptProblems> {
        let path = path.as_ref().to_path_buf();
        let problems = |diagnostics| ScriptProblems {
            path: path.clone(),
            source: source.clone(),
            diagnostics,
        };
        let analysis = analyze(&source).map_err(problems)?;
        let wrapped = wrap(&source, analysis.meta_statement.clone()).ok_or_else(|| {
            let at = Diagnostic::at_offset(
                crate::diagnostic::Severity::Error,
                "the `export const meta = …` statement is too short to hold the runtime's wrapper; put `meta` on fewer lines",
                &source,
                analysis.meta_statement.start,
            );
            problems(vec![at])
        })?;
        Ok(Script {
            path,
            source,
            meta: analysis.meta,
            warnings: analysis.warnings,
            wrapped,
        })
    }

    /// The name the script is known by in stack traces and error positions.
    pub fn display_name(&self) -> String {
        self.path.display().to_string()
    }
}

/// Blanks the `meta` statement (keeping its newlines and the byte width of every character, as
/// QuickJS counts columns in bytes), writes the wrapper's tokens into that space, and closes the
/// function after the last line.
fn wrap(source: &str, meta: std::ops::Range<usize>) -> Option<String> {
    let region = &source[meta.clone()];
    let mut blank: Vec<u8> = region
        .bytes()
        .map(|b| if b == b'\n' || b == b'\r' { b } else { b' ' })
        .collect();

    // Place tokens greedily line by line, one space between tokens that would otherwise merge.
    let mut tokens = WRAPPER_TOKENS.iter().peekable();
    let mut line_start = 0;
    while line_start <= blank.len() && tokens.peek().is_some() {
        let line_end = blank[line_start..]
            .iter()
            .position(|&b| b == b'\n' || b == b'\r')
            .map_or(blank.len(), |i| line_start + i);
        let mut at = line_start;
        let mut previous_is_word = false;
        while let Some(token) = tokens.peek() {
            let is_word = token.chars().all(|c| c.is_ascii_alphabetic());
            let gap = usize::from(previous_is_word && is_word);
            if at + gap + token.len() > line_end {
                break;
            }
            at += gap;
            blank[at..at + token.len()].copy_from_slice(token.as_bytes());
            at += token.len();
            previous_is_word = is_word;
            tokens.next();
        }
        line_start = line_end + 1;
    }
    if tokens.peek().is_some() {
        return None;
    }

    let mut wrapped = String::with_capacity(source.len() + 8);
    wrapped.push_str(&source[..meta.start]);
    wrapped.push_str(std::str::from_utf8(&blank).ok()?);
    wrapped.push_str(&source[meta.end..]);
    wrapped.push_str("\n})");
    Some(wrapped)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn squeeze(text: &str) -> String {
        text.split_whitespace().collect()
    }

    #[test]
    fn wrapper_keeps_every_line_and_column() {
        let source = "// hello\nexport const meta = {\n  name: 'é',\n  description: 'd',\n}; const x = 1;\nreturn x;\n";
        let start = source.find("export").unwrap();
        let end = source.find("};").unwrap() + 2;
        let wrapped = wrap(source, start..end).unwrap();
        let original: Vec<&str> = source.lines().collect();
        let rewritten: Vec<&str> = wrapped.lines().collect();
        assert_eq!(rewritten[0], original[0]);
        assert!(
            squeeze(&wrapped).starts_with("//hello(asyncfunction(args,workflow){"),
            "{wrapped}"
        );
        assert_eq!(rewritten[4].len(), original[4].len());
        assert!(rewritten[4].ends_with(" const x = 1;"));
        assert_eq!(rewritten[5], "return x;");
        assert_eq!(rewritten.last(), Some(&"})"));
    }

    #[test]
    fn wrapper_spreads_over_short_lines() {
        let source = "export const meta =\n{\nname:'n',\ndescription:'',\n}\nreturn 1";
        let end = source.find("}\n").unwrap() + 1;
        let wrapped = wrap(source, 0..end).unwrap();
        assert!(
            squeeze(&wrapped).starts_with("(asyncfunction(args,workflow){return1"),
            "{wrapped}"
        );
        assert!(
            wrapped.contains("async function"),
            "words stay apart: {wrapped}"
        );
        assert_eq!(wrapped.lines().count(), source.lines().count() + 1);
    }
}
