//! The Grep tool: a regex search over files with ripgrep's semantics — its regex syntax, its
//! ignore rules, its `--glob` and `--type` filters, binary files skipped — in three output
//! modes: matching files (newest first), matching lines with context, or counts per file.

use std::path::{Path, PathBuf};

use ignore::overrides::{Override, OverrideBuilder};
use ignore::types::{Types, TypesBuilder};
use regex::bytes::{Regex, RegexBuilder};
use serde_json::Value;

use crate::input::Input;
use crate::{output, paths, walk, ToolContext, ToolResult};

/// Characters of a matching line shown in content mode; minified files would flood otherwise.
const MAX_LINE_CHARS: usize = 1000;

#[derive(Clone, Copy, PartialEq)]
enum Mode {
    FilesWithMatches,
    Content,
    Count,
}

/// Everything the search needs, owned, so it can run on a blocking thread.
struct Search {
    regex: Regex,
    root: PathBuf,
    cwd: PathBuf,
    overrides: Override,
    types: Types,
    mode: Mode,
    line_numbers: bool,
    before: usize,
    after: usize,
}

pub(crate) async fn run(input: &Value, ctx: &ToolContext) -> ToolResult {
    let input = Input::new("Grep", input)?;
    let pattern = input.string("pattern")?;
    let mode = match input.opt_string("output_mode")? {
        None | Some("files_with_matches") => Mode::FilesWithMatches,
        Some("content") => Mode::Content,
        Some("count") => Mode::Count,
        Some(other) => {
            return Err(format!(
                "Grep: `output_mode` {other:?} is not one of \"files_with_matches\", \
                 \"content\", \"count\"."
            ))
        }
    };
    let ignore_case = input.opt_bool("-i")?.unwrap_or(false);
    let line_numbers = input.opt_bool("-n")?.unwrap_or(true);
    let context = input.opt_count("-C")?;
    let after = input.opt_count("-A")?.or(context).unwrap_or(0);
    let before = input.opt_count("-B")?.or(context).unwrap_or(0);
    let head_limit = input.opt_count("head_limit")?.filter(|n| *n > 0);
    let glob = input.opt_string("glob")?;
    let file_type = input.opt_string("type")?;
    let root = match input.opt_string("path")? {
        Some(path) => paths::resolve(ctx, "path", path)?,
        None => ctx.cwd.clone(),
    };

    let regex = RegexBuilder::new(pattern)
        .case_insensitive(ignore_case)
        .build()
        .map_err(|e| format!("Invalid regex {pattern:?}:\n{e}"))?;
    let meta = tokio::fs::metadata(&root)
        .await
        .map_err(|e| paths::io_error(ctx, &paths::display(&ctx.cwd, &root), &e))?;
    let glob_root = if meta.is_dir() {
        root.as_path()
    } else {
        root.parent().unwrap_or(&root)
    };
    let search = Search {
        overrides: overrides(glob_root, glob)?,
        types: types(file_type)?,
        regex,
        root: root.clone(),
        cwd: ctx.cwd.clone(),
        mode,
        line_numbers,
        before: usize::try_from(before).unwrap_or(usize::MAX),
        after: usize::try_from(after).unwrap_or(usize::MAX),
    };
    let limits = Limits {
        entries: head_limit.map(|n| usize::try_from(n).unwrap_or(usize::MAX)),
        bytes: ctx.output_cap,
    };
    tokio::task::spawn_blocking(move || search.run(limits))
        .await
        .map_err(|e| format!("Grep failed unexpectedly: {e}."))
}

/// The `glob` filter as ripgrep's `--glob` overrides: several globs may be separated by spaces
/// or commas (outside braces), and a leading `!` excludes.
fn overrides(root: &Path, glob: Option<&str>) -> Result<Override, String> {
    let mut builder = OverrideBuilder::new(root);
    for part in split_globs(glob.unwrap_or("")) {
        builder
            .add(part)
            .map_err(|e| format!("Invalid `glob` {part:?}: {e}."))?;
    }
    builder.build().map_err(|e| format!("Invalid `glob`: {e}."))
}

/// Splits at whitespace and at commas that are not inside `{...}`.
fn split_globs(globs: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let (mut depth, mut start) = (0usize, 0usize);
    for (i, c) in globs.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth = depth.saturating_sub(1),
            ',' if depth == 0 => {
                parts.push(&globs[start..i]);
                start = i + 1;
            }
            c if c.is_whitespace() => {
                parts.push(&globs[start..i]);
                start = i + c.len_utf8();
            }
            _ => {}
        }
    }
    parts.push(&globs[start..]);
    parts.retain(|p| !p.is_empty());
    parts
}

/// The `type` filter as ripgrep's `--type`, with the file extensions models also use as names.
fn types(file_type: Option<&str>) -> Result<Types, String> {
    let mut builder = TypesBuilder::new();
    builder.add_defaults();
    if let Some(name) = file_type {
        let name = match name {
            "rs" => "rust",
            "rb" => "ruby",
            "yml" => "yaml",
            "kt" => "kotlin",
            "golang" => "go",
            "javascript" | "jsx" => "js",
            "tsx" => "ts",
            other => other,
        };
        builder.select(name);
    }
    builder.build().map_err(|e| {
        format!(
            "Grep: {e}. Use a ripgrep type such as rust, js, ts, py, go, java, c, cpp, md, json, \
             yaml, toml, sh — or the `glob` filter (e.g. \"*.ext\")."
        )
    })
}

/// When the output stops: after `entries` lines or entries (head_limit), or at the size cap.
struct Limits {
    entries: Option<usize>,
    bytes: usize,
}

/// The output lines, stopped at the limits with a note saying there is more.
struct Collector {
    lines: Vec<String>,
    bytes: usize,
    limits: Limits,
    stop: Option<String>,
}

impl Collector {
    fn new(limits: Limits) -> Self {
        Collector {
            lines: Vec::new(),
            bytes: 0,
            limits,
            stop: None,
        }
    }

    /// Adds a line; `false` once the output is full (the line did not fit).
    fn push(&mut self, line: String) -> bool {
        if self.stop.is_some() {
            return false;
        }
        if let Some(limit) = self.limits.entries.filter(|l| self.lines.len() >= *l) {
            self.stop = Some(format!(
                "[Output limited to {limit} lines by head_limit; there are more results.]"
            ));
            return false;
        }
        if self.bytes + line.len() + 1 > self.limits.bytes.saturating_sub(200) && self.bytes > 0 {
            self.stop = Some(
                "[Output size limit reached; there are more results. Narrow the search with \
                 path, glob or type, or set head_limit.]"
                    .into(),
            );
            return false;
        }
        self.bytes += line.len() + 1;
        self.lines.push(line);
        true
    }

    fn finish(self) -> String {
        let mut text = self.lines.join("\n");
        if let Some(note) = self.stop {
            text.push('\n');
            text.push_str(&note);
        }
        // Belt and braces: one overlong first line could still exceed the cap.
        output::cap_lines(&text, self.limits.bytes, "narrow the search")
    }
}

impl Search {
    fn run(self, limits: Limits) -> String {
        let mut out = Collector::new(limits);
        let mut matched_files = Vec::new();
        let mut separate = false;
        for path in self.files() {
            let Some(content) = read_text(&path) else {
                continue;
            };
            let lines = split_lines(&content);
            let shown = paths::display(&self.cwd, &path);
            let room_left = match self.mode {
                Mode::FilesWithMatches => {
                    if lines.iter().any(|l| self.regex.is_match(l)) {
                        matched_files.push((path.clone(), walk::modified(&path)));
                    }
                    true
                }
                Mode::Count => match lines.iter().filter(|l| self.regex.is_match(l)).count() {
                    0 => true,
                    count => out.push(format!("{shown}:{count}")),
                },
                Mode::Content => self.content(&shown, &lines, &mut out, &mut separate),
            };
            if !room_left {
                break;
            }
        }
        if self.mode == Mode::FilesWithMatches {
            // Files are listed only once all are known: the order is by modification time.
            walk::sort_newest_first(&mut matched_files);
            for (path, _) in &matched_files {
                if !out.push(paths::display(&self.cwd, path)) {
                    break;
                }
            }
        }
        if out.lines.is_empty() {
            return "No matches found".into();
        }
        match self.mode {
            Mode::FilesWithMatches => {
                let count = matched_files.len();
                let plural = if count == 1 { "" } else { "s" };
                format!("Found {count} file{plural}\n{}", out.finish())
            }
            Mode::Content | Mode::Count => out.finish(),
        }
    }

    /// The files to search: the root itself when it is a file, else the filtered walk.
    fn files(&self) -> impl Iterator<Item = PathBuf> {
        let mut builder = walk::walker(&self.root, false);
        builder
            .overrides(self.overrides.clone())
            .types(self.types.clone());
        builder
            .build()
            .filter_map(Result::ok)
            .filter(|entry| entry.file_type().is_some_and(|t| t.is_file()))
            .map(ignore::DirEntry::into_path)
    }

    /// Adds one file's matching lines with their context; `false` once the output is full.
    /// `separate` says whether a group was printed before, so the next needs a `--`.
    fn content(
        &self,
        shown: &str,
        lines: &[&[u8]],
        out: &mut Collector,
        separate: &mut bool,
    ) -> bool {
        let matches: Vec<bool> = lines.iter().map(|l| self.regex.is_match(l)).collect();
        let context = self.before > 0 || self.after > 0;
        // The index after the last line printed for this file, once one was.
        let mut printed_to: Option<usize> = None;
        for (index, _) in matches.iter().enumerate().filter(|(_, m)| **m) {
            if printed_to.is_some_and(|p| index < p) {
                continue; // already shown as context of an earlier match
            }
            let start = index
                .saturating_sub(self.before)
                .max(printed_to.unwrap_or(0));
            let end = index.saturating_add(self.after).min(lines.len() - 1);
            // As ripgrep does, `--` separates context groups that do not touch.
            let adjacent = printed_to == Some(start);
            if context && *separate && !adjacent && !out.push("--".into()) {
                return false;
            }
            for (i, line) in lines.iter().enumerate().take(end + 1).skip(start) {
                let mark = if matches[i] { ':' } else { '-' };
                let text = String::from_utf8_lossy(line);
                let text = match text.char_indices().nth(MAX_LINE_CHARS) {
                    Some((cut, _)) => format!("{}… [line cut]", &text[..cut]),
                    None => text.into_owned(),
                };
                let formatted = if self.line_numbers {
                    format!("{shown}{mark}{}{mark}{text}", i + 1)
                } else {
                    format!("{shown}{mark}{text}")
                };
                if !out.push(formatted) {
                    return false;
                }
            }
            printed_to = Some(end + 1);
            *separate = true;
        }
        true
    }
}

/// A file's lines, without line terminators (`\n` or `\r\n`).
fn split_lines(content: &[u8]) -> Vec<&[u8]> {
    let content = content.strip_suffix(b"\n").unwrap_or(content);
    if content.is_empty() {
        return Vec::new();
    }
    content
        .split(|b| *b == b'\n')
        .map(|l| l.strip_suffix(b"\r").unwrap_or(l))
        .collect()
}

/// A file's bytes, or `None` when it cannot be read or is binary (contains NUL), which ripgrep
/// skips as well.
fn read_text(path: &Path) -> Option<Vec<u8>> {
    std::fs::read(path).ok().filter(|bytes| !bytes.contains(&0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_split_at_spaces_and_top_level_commas() {
        assert_eq!(split_globs("*.rs"), ["*.rs"]);
        assert_eq!(split_globs("*.{ts,tsx} !*.d.ts"), ["*.{ts,tsx}", "!*.d.ts"]);
        assert_eq!(split_globs("*.ts,*.tsx"), ["*.ts", "*.tsx"]);
        assert!(split_globs("").is_empty());
    }
}
