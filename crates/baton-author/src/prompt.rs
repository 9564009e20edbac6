//! What the authoring agent is told: the guide, the workspace, the task and the answer's form;
//! on a repair, its last script and the exact diagnostics. And how its script is read back.

use std::path::Path;

/// The author may look at the repository but change nothing.
pub const READ_ONLY_TOOLS: [&str; 3] = ["Read", "Glob", "Grep"];

/// Entries of the workspace listing the author is shown; it can Glob for the rest.
const LISTING_LIMIT: usize = 60;

/// The guide as the author reads it: every topic but the long reference (the `format` and
/// `semantics` topics carry what a script needs; the rest is for people).
fn guide() -> String {
    baton_guide::all_except(&["reference"])
}

const ANSWER_FORM: &str = "Answer with the complete workflow script in ONE ```js code block and \
nothing else. The first statement must be `export const meta = {...}` as a pure literal. Put \
everything that varies (files, names, numbers, models) into `args` with defaults, so the script \
runs with no args.";

/// The first request: guide, workspace, task.
pub fn draft_prompt(task: &str, workspace: &str) -> String {
    format!(
        "You write baton workflow scripts. Read the guide, look at the workspace if the task \
         needs it (tools: Read, Glob, Grep), then write the script for the task.\n\n{guide}\n\
         # The workspace\n\n{workspace}\n\n# The task\n\n{task}\n\n{ANSWER_FORM}\n",
        guide = guide(),
    )
}

/// A repair: the same context, the last script and what failed in it.
pub fn repair_prompt(task: &str, workspace: &str, script: &str, diagnostics: &str) -> String {
    format!(
        "You write baton workflow scripts. Your last script for the task below failed baton's \
         checks. Fix every problem listed and keep what works.\n\n{guide}\n# The workspace\n\n\
         {workspace}\n\n# The task\n\n{task}\n\n# Your last script\n\n```js\n{script}\n```\n\n\
         # What failed\n\n{diagnostics}\n\n{ANSWER_FORM}\n",
        guide = guide(),
    )
}

/// The workspace as the author first sees it: its path and its top-level entries. An
/// unreadable workspace is an error the user must fix before anything is spent.
pub fn workspace_summary(dir: &Path) -> std::io::Result<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)?
        .filter_map(|entry| entry.ok())
        .map(|entry| {
            let name = entry.file_name().to_string_lossy().into_owned();
            match entry.file_type() {
                Ok(kind) if kind.is_dir() => format!("{name}/"),
                _ => name,
            }
        })
        .filter(|name| name != ".git/" && name != ".baton/")
        .collect();
    names.sort();
    let more = names.len().saturating_sub(LISTING_LIMIT);
    names.truncate(LISTING_LIMIT);
    let mut out = format!("Directory: {}\nTop-level entries:\n", dir.display());
    if names.is_empty() {
        out.push_str("(empty)\n");
    }
    for name in names {
        out.push_str(&format!("- {name}\n"));
    }
    if more > 0 {
        out.push_str(&format!("- … and {more} more (use Glob)\n"));
    }
    Ok(out)
}

/// The script in the author's answer: the first fenced block that holds `export const meta`
/// (else the first fenced block), or the whole answer when it has no fence. `None` when the
/// answer holds nothing that could be a script.
pub fn extract_script(answer: &str) -> Option<String> {
    let blocks = fenced_blocks(answer);
    let chosen = blocks
        .iter()
        .find(|b| b.contains("export const meta"))
        .or(blocks.first())
        .cloned()
        .unwrap_or_else(|| answer.to_string());
    let script = chosen.trim();
    (!script.is_empty()).then(|| format!("{script}\n"))
}

fn fenced_blocks(text: &str) -> Vec<String> {
    let mut blocks = Vec::new();
    let mut current: Option<Vec<&str>> = None;
    for line in text.lines() {
        let fence = line.trim_start().starts_with("```");
        match (&mut current, fence) {
            (None, true) => current = Some(Vec::new()),
            (Some(lines), true) => {
                blocks.push(lines.join("\n"));
                current = None;
            }
            (Some(lines), false) => lines.push(line),
            (None, false) => {}
        }
    }
    // An unclosed fence (a model that stopped short) still holds the script.
    if let Some(lines) = current {
        blocks.push(lines.join("\n"));
    }
    blocks
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_fenced_script_or_the_whole_answer() {
        let answer = "Here:\n```js\nexport const meta = {name: \"a\", description: \"\"};\nreturn 1;\n```\nDone.";
        assert_eq!(
            extract_script(answer).unwrap(),
            "export const meta = {name: \"a\", description: \"\"};\nreturn 1;\n"
        );
        let bare = "export const meta = {name: \"a\", description: \"\"};\n";
        assert_eq!(extract_script(bare).unwrap(), bare);
        let unclosed = "```javascript\nexport const meta = {};\n";
        assert_eq!(
            extract_script(unclosed).unwrap(),
            "export const meta = {};\n"
        );
        assert_eq!(extract_script("  \n"), None);
    }

    #[test]
    fn prompts_carry_the_guide_the_task_and_the_failure() {
        let draft = draft_prompt("review the .py files", "Directory: /w\n");
        assert!(draft.contains("review the .py files"));
        assert!(draft.contains(baton_guide::topic("patterns").unwrap().text.trim()));
        let repair = repair_prompt("t", "w", "return 1;", "a.js:1:2: error: boom");
        assert!(repair.contains("a.js:1:2: error: boom") && repair.contains("return 1;"));
    }
}
