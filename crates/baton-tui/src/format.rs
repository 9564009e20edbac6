//! How numbers and text look on screen: durations, token counts, costs, and text cut or
//! wrapped to a display width (wide characters count two columns).

use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// `0.4s`, `12s`, `3m05s`, `2h07m`.
pub fn duration(ms: u64) -> String {
    let seconds = ms / 1000;
    if ms < 10_000 {
        format!("{}.{}s", seconds, (ms % 1000) / 100)
    } else if seconds < 60 {
        format!("{seconds}s")
    } else if seconds < 3600 {
        format!("{}m{:02}s", seconds / 60, seconds % 60)
    } else {
        format!("{}h{:02}m", seconds / 3600, (seconds % 3600) / 60)
    }
}

/// `950`, `12.3k`, `456k`, `1.2M`, `45M`.
pub fn tokens(n: u64) -> String {
    match n {
        0..=999 => n.to_string(),
        1_000..=99_999 => format!("{:.1}k", n as f64 / 1e3),
        100_000..=999_999 => format!("{}k", n / 1_000),
        1_000_000..=99_999_999 => format!("{:.1}M", n as f64 / 1e6),
        _ => format!("{}M", n / 1_000_000),
    }
}

/// `$0.00`, `$1.23`, `$120`.
pub fn cost(usd: f64) -> String {
    if usd >= 100.0 {
        format!("${usd:.0}")
    } else {
        format!("${usd:.2}")
    }
}

/// Text that is safe to put on a terminal: a tab becomes a space, other control characters
/// (the escape that starts a terminal sequence, carriage returns) are dropped; newlines stay.
/// Tool output and model text can hold anything.
pub fn clean(text: &str) -> String {
    if !text.chars().any(|c| c.is_control() && c != '\n') {
        return text.to_string();
    }
    text.chars()
        .filter_map(|c| match c {
            '\n' => Some('\n'),
            '\t' => Some(' '),
            c if c.is_control() => None,
            c => Some(c),
        })
        .collect()
}

/// [`clean`] for one-line names (labels, models, phase titles): newlines become spaces too.
pub fn clean_name(text: &str) -> String {
    one_line(text)
}

/// At most `max` characters, the last one `…` when cut.
pub fn cut(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        None => text.to_string(),
        Some(_) => {
            let end = text
                .char_indices()
                .nth(max.saturating_sub(1))
                .map_or(text.len(), |(i, _)| i);
            format!("{}…", &text[..end])
        }
    }
}

/// Text on one line: every run of whitespace (newlines too) and control characters becomes
/// one space.
pub fn one_line(text: &str) -> String {
    let mut out = String::with_capacity(text.len().min(256));
    let mut space = false;
    for c in text.trim().chars() {
        if c.is_whitespace() || c.is_control() {
            space = true;
        } else {
            if space {
                out.push(' ');
                space = false;
            }
            out.push(c);
        }
    }
    out
}

pub fn width(text: &str) -> usize {
    UnicodeWidthStr::width(text)
}

/// Cut to `columns` display columns, ending in `…` when cut.
pub fn fit(text: &str, columns: usize) -> String {
    if width(text) <= columns {
        return text.to_string();
    }
    if columns == 0 {
        return String::new();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in text.chars() {
        let w = c.width().unwrap_or(0);
        if used + w > columns - 1 {
            break;
        }
        used += w;
        out.push(c);
    }
    out.push('…');
    out
}

/// Word-wraps one line of text to `columns`, breaking words longer than a line. Leading
/// spaces (code's indentation) are kept on every line the text wraps to, up to half a line.
pub fn wrap(text: &str, columns: usize) -> Vec<String> {
    let columns = columns.max(1);
    let body = text.trim_start_matches(' ');
    let indent = (text.len() - body.len()).min(columns / 2);
    if indent > 0 {
        let margin = " ".repeat(indent);
        return wrap(body, columns - indent)
            .into_iter()
            .map(|line| format!("{margin}{line}"))
            .collect();
    }
    let mut lines = Vec::new();
    let mut line = String::new();
    let mut used = 0;
    for word in text.split(' ') {
        let w = width(word);
        if used > 0 && used + 1 + w <= columns {
            line.push(' ');
            line.push_str(word);
            used += 1 + w;
            continue;
        }
        if used > 0 {
            lines.push(std::mem::take(&mut line));
            used = 0;
        }
        // A word longer than the line is broken at the edge.
        for c in word.chars() {
            let cw = c.width().unwrap_or(0);
            if used + cw > columns {
                lines.push(std::mem::take(&mut line));
                used = 0;
            }
            line.push(c);
            used += cw;
        }
    }
    lines.push(line);
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(duration(0), "0.0s");
        assert_eq!(duration(430), "0.4s");
        assert_eq!(duration(9_999), "9.9s");
        assert_eq!(duration(12_000), "12s");
        assert_eq!(duration(185_000), "3m05s");
        assert_eq!(duration(7_620_000), "2h07m");
    }

    #[test]
    fn token_counts_and_costs() {
        assert_eq!(tokens(950), "950");
        assert_eq!(tokens(12_345), "12.3k");
        assert_eq!(tokens(456_789), "456k");
        assert_eq!(tokens(1_234_567), "1.2M");
        assert_eq!(tokens(123_456_789), "123M");
        assert_eq!(cost(0.0), "$0.00");
        assert_eq!(cost(1.234), "$1.23");
        assert_eq!(cost(120.4), "$120");
    }

    #[test]
    fn cutting_and_fitting_count_characters_and_columns() {
        assert_eq!(cut("abcdef", 10), "abcdef");
        assert_eq!(cut("abcdef", 4), "abc…");
        assert_eq!(cut("ééééé", 3), "éé…");
        assert_eq!(fit("abcdef", 6), "abcdef");
        assert_eq!(fit("abcdef", 4), "abc…");
        assert_eq!(fit("日本語です", 5), "日本…");
        assert_eq!(fit("abc", 0), "");
        assert_eq!(one_line("  a\n\tb  c\r\n"), "a b c");
        assert_eq!(one_line("red \u{1b}[31mtext"), "red [31mtext");
        assert_eq!(clean("a\tb\r\nc\u{1b}[2J"), "a b\nc[2J");
    }

    #[test]
    fn wrapping_breaks_at_spaces_and_inside_long_words() {
        assert_eq!(wrap("the quick brown fox", 9), ["the quick", "brown fox"]);
        assert_eq!(wrap("abcdefghij", 4), ["abcd", "efgh", "ij"]);
        assert_eq!(wrap("", 4), [""]);
        assert_eq!(wrap("a b", 0), ["a", "b"]);
        assert_eq!(wrap("    let x = 1;", 12), ["    let x =", "    1;"]);
    }
}
