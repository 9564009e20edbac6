//! The Read tool: a text file with line numbers, like `cat -n`, a window of lines at a time.

use serde_json::Value;
use tokio::io::{AsyncBufReadExt, BufReader};

use crate::input::Input;
use crate::{paths, ToolContext, ToolResult};

/// Lines shown when the call gives no `limit`.
const DEFAULT_LIMIT: u64 = 2000;
/// Characters of one line shown; the rest of a longer line (minified code, data) is cut.
const MAX_LINE_CHARS: usize = 2000;
/// Bytes inspected for NUL to tell binary files from text, as git and ripgrep do.
const BINARY_PROBE: usize = 8192;

pub(crate) async fn run(input: &Value, ctx: &ToolContext) -> ToolResult {
    let input = Input::new("Read", input)?;
    let raw = input.string("file_path")?;
    // Line numbers are 1-based; an offset of 0 is read as "from the start".
    let offset = input.opt_count("offset")?.unwrap_or(1).max(1);
    let limit = input.opt_count("limit")?.unwrap_or(DEFAULT_LIMIT);
    if limit == 0 {
        return Err("Read: `limit` must be at least 1 (the number of lines to show).".into());
    }
    let path = paths::resolve(ctx, "file_path", raw)?;
    let shown = paths::display(&ctx.cwd, &path);

    let meta = tokio::fs::metadata(&path)
        .await
        .map_err(|e| paths::io_error(ctx, &shown, &e))?;
    if meta.is_dir() {
        return Err(format!(
            "{shown} is a directory, not a file. Use Bash (`ls {shown}`) or Glob to list its \
             contents."
        ));
    }
    let file = tokio::fs::File::open(&path)
        .await
        .map_err(|e| paths::io_error(ctx, &shown, &e))?;
    let mut reader = BufReader::with_capacity(BINARY_PROBE, file);
    let probe = reader
        .fill_buf()
        .await
        .map_err(|e| paths::io_error(ctx, &shown, &e))?;
    if probe.contains(&0) {
        return Err(format!(
            "{shown} is a binary file (it contains NUL bytes); Read shows text files only. Use \
             Bash (e.g. `file {shown}` or `xxd {shown} | head`) to inspect it."
        ));
    }

    let window = Window {
        first: offset,
        last: offset.saturating_add(limit - 1),
        budget: ctx.output_cap.saturating_sub(200).max(1),
    };
    let mut page = Page::default();
    let mut line = Vec::new();
    loop {
        line.clear();
        let n = reader
            .read_until(b'\n', &mut line)
            .await
            .map_err(|e| paths::io_error(ctx, &shown, &e))?;
        if n == 0 {
            break;
        }
        page.add(&line, &window);
    }
    Ok(page.finish(&shown, &window))
}

/// The lines the call asked for, and how many bytes of them fit.
struct Window {
    first: u64,
    last: u64,
    budget: usize,
}

/// The output being built while the file is read to its end (to count its lines).
#[derive(Default)]
struct Page {
    text: String,
    total: u64,
    last_shown: u64,
    cut_at_budget: bool,
    long_lines: bool,
}

impl Page {
    fn add(&mut self, raw: &[u8], window: &Window) {
        self.total += 1;
        let n = self.total;
        if n < window.first || n > window.last || self.cut_at_budget {
            return;
        }
        let raw = raw.strip_suffix(b"\n").unwrap_or(raw);
        let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
        let text = String::from_utf8_lossy(raw);
        let text = match text.char_indices().nth(MAX_LINE_CHARS) {
            Some((cut, _)) => {
                self.long_lines = true;
                format!("{}… [line cut]", &text[..cut])
            }
            None => text.into_owned(),
        };
        let formatted = format!("{n:>6}\t{text}\n");
        // Always show at least one line, however small the budget.
        if self.last_shown != 0 && self.text.len() + formatted.len() > window.budget {
            self.cut_at_budget = true;
            return;
        }
        self.text.push_str(&formatted);
        self.last_shown = n;
    }

    fn finish(mut self, shown: &str, window: &Window) -> String {
        if self.total == 0 {
            return format!("(The file {shown} exists but is empty.)");
        }
        if self.last_shown == 0 {
            return format!(
                "(The file {shown} has {} lines; offset {} is past its end.)",
                self.total, window.first
            );
        }
        let next = self.last_shown + 1;
        if self.cut_at_budget {
            self.text.push_str(&format!(
                "\n(Output size limit reached after line {}; the file has {} lines. Read again \
                 with offset={next} to continue.)",
                self.last_shown, self.total
            ));
        } else if self.last_shown < self.total {
            self.text.push_str(&format!(
                "\n(Showing lines {}-{} of {}. Read again with offset={next} to see more.)",
                window.first, self.last_shown, self.total
            ));
        }
        if self.long_lines {
            self.text.push_str(&format!(
                "\n(Lines longer than {MAX_LINE_CHARS} characters were cut.)"
            ));
        }
        self.text
    }
}
