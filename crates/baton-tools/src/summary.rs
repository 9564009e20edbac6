//! One-line descriptions of tool calls for progress displays: `Bash: cargo test`,
//! `Read: src/main.rs`, `Grep: "fn main" in src`.

use serde_json::Value;

/// Longest summary, in characters; longer ones end in `…`.
const MAX_CHARS: usize = 80;

/// One line describing a call for progress displays, at most 80 characters. Works on any
/// input, including malformed ones (missing fields are left out).
pub fn summarize(name: &str, input: &Value) -> String {
    let field = |key: &str| input.get(key).and_then(Value::as_str).map(one_line);
    let detail = match name {
        "Bash" => field("command"),
        "Read" | "Write" | "Edit" => field("file_path"),
        "Glob" => field("pattern").map(|pattern| match field("path") {
            Some(path) => format!("{pattern} in {path}"),
            None => pattern,
        }),
        "Grep" => field("pattern").map(|pattern| match field("path") {
            Some(path) => format!("\"{pattern}\" in {path}"),
            None => format!("\"{pattern}\""),
        }),
        _ => None,
    };
    let line = match detail {
        Some(detail) => format!("{name}: {detail}"),
        None => one_line(name),
    };
    truncate(&line)
}

/// Whitespace runs (newlines included) collapsed to single spaces.
fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn truncate(line: &str) -> String {
    match line.char_indices().nth(MAX_CHARS - 1) {
        Some((cut, _)) if line.chars().count() > MAX_CHARS => format!("{}…", &line[..cut]),
        _ => line.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn each_tool_has_its_own_summary() {
        let cases = [
            (
                "Bash",
                json!({"command": "cargo test -p foo"}),
                "Bash: cargo test -p foo",
            ),
            (
                "Read",
                json!({"file_path": "src/main.rs"}),
                "Read: src/main.rs",
            ),
            (
                "Write",
                json!({"file_path": "a.txt", "content": "x"}),
                "Write: a.txt",
            ),
            ("Edit", json!({"file_path": "b.rs"}), "Edit: b.rs"),
            ("Glob", json!({"pattern": "**/*.rs"}), "Glob: **/*.rs"),
            (
                "Glob",
                json!({"pattern": "*.ts", "path": "web"}),
                "Glob: *.ts in web",
            ),
            (
                "Grep",
                json!({"pattern": "fn main", "path": "src"}),
                "Grep: \"fn main\" in src",
            ),
            ("Grep", json!({"pattern": "todo"}), "Grep: \"todo\""),
            ("Other", json!({}), "Other"),
            ("Read", json!({"file_path": 42}), "Read"),
        ];
        for (name, input, expected) in cases {
            assert_eq!(summarize(name, &input), expected);
        }
    }

    #[test]
    fn long_and_multiline_commands_fit_one_line() {
        let command = format!("echo start\n{}", "x".repeat(200));
        let summary = summarize("Bash", &json!({ "command": command }));
        assert!(!summary.contains('\n'));
        assert_eq!(summary.chars().count(), MAX_CHARS);
        assert!(summary.ends_with('…'));
    }
}
