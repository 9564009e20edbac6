//! What `runs`, `show`, `result` and `logs` share: opening this workspace's journal, and
//! formatting its numbers (times, durations, tokens, cost) and tables for a terminal.

use anyhow::{Context, Result};
use baton_journal::{CallRecord, RunRecord, RunSummary, Store};
use baton_model::{RunStatus, Usage};

use crate::workspace::journal_dir;

/// The journal of the workspace around the current directory (or `$BATON_HOME`).
pub fn open_store() -> Result<Store> {
    let here = std::env::current_dir().context("cannot read the current directory")?;
    Ok(Store::open(&journal_dir(&here))?)
}

/// Writes `text` to stdout. A closed pipe (`baton runs | head`) ends the output quietly
/// instead of panicking the way `print!` does.
pub fn emit(text: &str) -> Result<()> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(anyhow::Error::new(e).context("cannot write to standard output"))
        }
        _ => Ok(()),
    }
}

/// `2 agents`, `1 agent`.
pub fn plural(n: impl Into<u64>, noun: &str) -> String {
    let n = n.into();
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// `YYYY-MM-DD HH:MM:SS` in UTC. Written out by hand: a date library for one line of output
/// is not worth a dependency, and UTC reads the same on every machine that shares a journal.
pub fn format_time(ms: i64) -> String {
    let secs = ms.div_euclid(1000);
    let (days, rest) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let (year, month, day) = civil_from_days(days);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02}:{:02}",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60
    )
}

/// Days since 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// `0.42s`, `12.3s`, `4m05s`, `2h03m`: precise for short runs, readable for long ones.
pub fn format_duration(ms: u64) -> String {
    let secs = ms / 1000;
    if ms < 10_000 {
        format!("{:.2}s", ms as f64 / 1000.0)
    } else if secs < 60 {
        format!("{:.1}s", ms as f64 / 1000.0)
    } else if secs < 3600 {
        format!("{}m{:02}s", secs / 60, secs % 60)
    } else {
        format!("{}h{:02}m", secs / 3600, secs % 3600 / 60)
    }
}

/// Exact below 10 000, then `12.3k` / `4.5M`: a column of token counts stays narrow.
pub fn format_tokens(n: u64) -> String {
    match n {
        0..=9_999 => n.to_string(),
        10_000..=999_999 => format!("{:.1}k", n as f64 / 1e3),
        _ => format!("{:.1}M", n as f64 / 1e6),
    }
}

/// `$0.0123`, or nothing when free (`sim`, unpriced models): a column of `$0.0000` hides the
/// runs that did cost something.
pub fn format_cost(usd: f64) -> String {
    if usd > 0.0 {
        format!("${usd:.4}")
    } else {
        String::new()
    }
}

/// Every token that went in (cache reads and writes included) plus every token that came out.
pub fn total_tokens(usage: &Usage) -> u64 {
    usage.total_input() + usage.output_tokens
}

/// How long the run took; so far, while it runs. A crashed run has no end the journal knows.
pub fn run_duration_ms(summary: &RunSummary) -> Option<u64> {
    let end = match (summary.ended_at_ms, summary.status) {
        (Some(end), _) => end,
        (None, RunStatus::Running | RunStatus::Paused) => baton_journal::now_ms(),
        (None, _) => return None,
    };
    Some(end.saturating_sub(summary.started_at_ms).max(0) as u64)
}

/// `a` (the label), or `#3` for a call without one.
pub fn call_name(call: &CallRecord) -> String {
    call.label
        .clone()
        .unwrap_or_else(|| format!("#{}", call.seq))
}

/// Cuts `text` to `max` characters (never inside one), saying how much was left out.
pub fn cap(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        None => text.to_string(),
        Some((end, _)) => {
            let cut = text[end..].chars().count();
            format!("{}\n… ({cut} more characters not shown)", &text[..end])
        }
    }
}

/// Indents every line of `text`, so multi-line prompts and answers stay under their heading.
pub fn indent(text: &str, by: &str) -> String {
    text.lines()
        .map(|line| format!("{by}{line}").trim_end().to_string())
        .collect::<Vec<_>>()
        .join("\n")
}

/// The next thing to type for a run, given how it stands.
pub fn hint(record: &RunRecord) -> String {
    let id = &record.summary.id;
    match record.summary.status {
        RunStatus::Completed => format!("`baton result {id}` prints its result"),
        RunStatus::Crashed => format!(
            "its process is gone; `baton resume {id}` continues it, reusing finished agents"
        ),
        RunStatus::Failed | RunStatus::Stopped | RunStatus::Interrupted => format!(
            "`baton logs {id}` shows its log; `baton resume {id}` runs it again, reusing finished agents"
        ),
        RunStatus::Running | RunStatus::Paused => {
            format!("`baton logs {id}` shows its log so far")
        }
    }
}

/// A plain text table: columns as wide as their widest cell, numbers aligned right, no
/// trailing spaces (the output is diffed and grepped as often as read).
pub struct Table {
    headers: Vec<&'static str>,
    right: Vec<bool>,
    rows: Vec<Vec<String>>,
}

impl Table {
    /// `columns`: each header, and whether its cells align right.
    pub fn new(columns: &[(&'static str, bool)]) -> Table {
        Table {
            headers: columns.iter().map(|(h, _)| *h).collect(),
            right: columns.iter().map(|(_, r)| *r).collect(),
            rows: Vec::new(),
        }
    }

    pub fn row(&mut self, cells: Vec<String>) {
        self.rows.push(cells);
    }

    /// The table, each line starting with `indent`.
    pub fn render(&self, indent: &str) -> String {
        let headers: Vec<String> = self.headers.iter().map(|h| h.to_string()).collect();
        let lines: Vec<&Vec<String>> = std::iter::once(&headers).chain(&self.rows).collect();
        let widths: Vec<usize> = (0..self.headers.len())
            .map(|col| {
                let cells = lines.iter().filter_map(|line| line.get(col));
                cells.map(|c| c.chars().count()).max().unwrap_or(0)
            })
            .collect();
        let mut out = String::new();
        for line in lines {
            let mut text = indent.to_string();
            for (col, width) in widths.iter().enumerate() {
                let cell = line.get(col).map_or("", String::as_str);
                let pad = " ".repeat(width - cell.chars().count());
                if self.right[col] {
                    text.push_str(&format!("{pad}{cell}  "));
                } else {
                    text.push_str(&format!("{cell}{pad}  "));
                }
            }
            out.push_str(text.trim_end());
            out.push('\n');
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_come_out_in_utc() {
        assert_eq!(format_time(0), "1970-01-01 00:00:00");
        assert_eq!(format_time(951_782_400_000), "2000-02-29 00:00:00");
        assert_eq!(format_time(1_735_689_599_000), "2024-12-31 23:59:59");
    }

    #[test]
    fn numbers_stay_short() {
        assert_eq!(format_duration(420), "0.42s");
        assert_eq!(format_duration(245_000), "4m05s");
        assert_eq!(format_tokens(12_345), "12.3k");
        assert_eq!(format_cost(0.0), "");
        assert_eq!(format_cost(0.01234), "$0.0123");
        assert_eq!(cap("héllo", 2), "hé\n… (3 more characters not shown)");
    }
}
