//! The tool definitions offered to the model: names, descriptions and input schemas, worded
//! the way models know them from Claude Code.
//!
//! These are part of the cached prompt prefix, so they are constant text built the same way
//! on every call (`serde_json` keeps insertion order): no configuration values, no paths, no
//! timestamps.

use serde_json::{json, Value};

use crate::{ToolSpec, BUILT_IN};

/// Tool definitions offered to the model, in the fixed order of [`BUILT_IN`], filtered by
/// `allowed` (`None` = all). Byte-identical across calls.
pub fn definitions(allowed: Option<&[String]>) -> Vec<ToolSpec> {
    BUILT_IN
        .iter()
        .filter(|name| allowed.is_none_or(|allowed| allowed.iter().any(|a| a == *name)))
        .map(|name| {
            let (description, input_schema) = definition(name);
            ToolSpec {
                name: (*name).to_string(),
                description: description.to_string(),
                input_schema,
                hosted: None,
            }
        })
        .collect()
}

fn definition(name: &str) -> (&'static str, Value) {
    match name {
        "Read" => (READ, read_schema()),
        "Write" => (WRITE, write_schema()),
        "Edit" => (EDIT, edit_schema()),
        "Bash" => (BASH, bash_schema()),
        "Glob" => (GLOB, glob_schema()),
        _ => (GREP, grep_schema()),
    }
}

/// An object schema with the given properties, required fields, and nothing else allowed.
fn object(properties: Value, required: &[&str]) -> Value {
    json!({
        "type": "object",
        "properties": properties,
        "required": required,
        "additionalProperties": false,
    })
}

const READ: &str = "\
Reads a file from the local filesystem.

Usage:
- file_path may be absolute or relative to the working directory.
- By default it reads up to 2000 lines from the start of the file. For long files, give offset \
(the 1-based line to start at) and limit (the number of lines).
- Lines longer than 2000 characters are cut.
- Results are returned in cat -n format: the line number, a tab, then the line.
- It reads files only, not directories: to list a directory use Glob, or ls via Bash.
- Binary files cannot be read.";

fn read_schema() -> Value {
    object(
        json!({
            "file_path": {"type": "string", "description": "The path of the file to read"},
            "offset": {
                "type": "integer",
                "description": "The line number to start reading from (1-based). Only give it \
                                for files too large to read at once"
            },
            "limit": {
                "type": "integer",
                "description": "The number of lines to read. Only give it for files too large \
                                to read at once"
            },
        }),
        &["file_path"],
    )
}

const WRITE: &str = "\
Writes a file to the local filesystem.

Usage:
- This tool overwrites the file if it exists, and creates missing parent directories.
- For changes to an existing file prefer Edit, which sends only the changed part.
- file_path may be absolute or relative to the working directory.";

fn write_schema() -> Value {
    object(
        json!({
            "file_path": {"type": "string", "description": "The path of the file to write"},
            "content": {"type": "string", "description": "The content to write to the file"},
        }),
        &["file_path", "content"],
    )
}

const EDIT: &str = "\
Performs exact string replacements in a file.

Usage:
- Read the file first, so old_string matches its current content exactly.
- Keep the indentation (tabs/spaces) exactly as it appears in the file. The line-number prefix \
of Read output (number and tab) is not part of the file: never include it in old_string or \
new_string.
- The edit fails if old_string is not found, or if it occurs more than once: then add \
surrounding lines to make it unique, or set replace_all to change every occurrence (useful for \
renaming a variable).
- An empty old_string on a file that does not exist creates it with new_string.";

fn edit_schema() -> Value {
    object(
        json!({
            "file_path": {"type": "string", "description": "The path of the file to modify"},
            "old_string": {"type": "string", "description": "The text to replace"},
            "new_string": {
                "type": "string",
                "description": "The text to replace it with (must differ from old_string)"
            },
            "replace_all": {
                "type": "boolean",
                "default": false,
                "description": "Replace all occurrences of old_string (default false)"
            },
        }),
        &["file_path", "old_string", "new_string"],
    )
}

const BASH: &str = "\
Executes a bash command in the working directory, with an optional timeout, and returns its \
output (stdout and stderr together).

Usage:
- The command runs non-interactively: stdin is empty, so commands that prompt will fail or \
wait until the timeout. Pass flags such as --yes or -y where needed.
- The timeout is in milliseconds: 120000 (2 minutes) by default, at most 600000 (10 minutes). \
On timeout the command and everything it started are killed.
- Output beyond 30000 bytes is cut in the middle.
- Each command runs in a fresh shell starting in the working directory: cd and variables do not \
carry over to the next call. Background processes (&) are killed when the command finishes.
- A non-zero exit code is reported as an error, with the output.
- Prefer the dedicated tools over shell equivalents: Read rather than cat/head/tail, Edit and \
Write rather than sed/echo redirection, Glob rather than find, Grep rather than grep/rg.
- Chain dependent commands with &&; quote paths that contain spaces.";

fn bash_schema() -> Value {
    object(
        json!({
            "command": {"type": "string", "description": "The command to execute"},
            "timeout": {
                "type": "number",
                "description": "Optional timeout in milliseconds (max 600000)"
            },
            "description": {
                "type": "string",
                "description": "Clear, concise description of what this command does in 5-10 \
                                words"
            },
        }),
        &["command"],
    )
}

const GLOB: &str = "\
Fast file pattern matching.

Usage:
- Supports glob patterns like \"**/*.js\" or \"src/**/*.ts\"; * stays within one directory, ** \
crosses directories, {a,b} lists alternatives.
- Returns matching file paths sorted by modification time, newest first (at most 100).
- Files ignored by .gitignore and hidden files are skipped, as ripgrep does (a pattern that names \
a hidden directory, such as \".github/**\", searches it).
- Use it to find files by name; use Grep to search their contents.";

fn glob_schema() -> Value {
    object(
        json!({
            "pattern": {"type": "string", "description": "The glob pattern to match files against"},
            "path": {
                "type": "string",
                "description": "The directory to search in. Omit it to search the working \
                                directory"
            },
        }),
        &["pattern"],
    )
}

const GREP: &str = "\
A powerful search tool built on ripgrep's semantics.

Usage:
- Supports full regex syntax (e.g. \"log.*Error\", \"function\\s+\\w+\"). The syntax is \
ripgrep's: literal braces need escaping (\"interface\\{\\}\" to find \"interface{}\").
- Filter files with glob (e.g. \"*.js\", \"**/*.{ts,tsx}\") or type (e.g. \"js\", \"py\", \
\"rust\").
- output_mode: \"files_with_matches\" lists matching files, newest first (the default); \
\"content\" shows matching lines (with -n line numbers, on by default, and -A/-B/-C context); \
\"count\" shows the number of matching lines per file.
- Patterns match within single lines.
- Files ignored by .gitignore, hidden files and binary files are skipped.
- Use head_limit to see only the first N lines or entries.";

fn grep_schema() -> Value {
    object(
        json!({
            "pattern": {
                "type": "string",
                "description": "The regular expression pattern to search for in file contents"
            },
            "path": {
                "type": "string",
                "description": "File or directory to search in. Defaults to the working \
                                directory"
            },
            "glob": {
                "type": "string",
                "description": "Glob pattern to filter files (e.g. \"*.js\", \"*.{ts,tsx}\")"
            },
            "output_mode": {
                "type": "string",
                "enum": ["content", "files_with_matches", "count"],
                "description": "Output mode: \"content\" shows matching lines, \
                                \"files_with_matches\" shows file paths (default), \"count\" \
                                shows match counts"
            },
            "-i": {"type": "boolean", "description": "Case insensitive search"},
            "-n": {
                "type": "boolean",
                "description": "Show line numbers in output (content mode; default true)"
            },
            "-A": {
                "type": "number",
                "description": "Number of lines to show after each match (content mode)"
            },
            "-B": {
                "type": "number",
                "description": "Number of lines to show before each match (content mode)"
            },
            "-C": {
                "type": "number",
                "description": "Number of lines to show before and after each match (content \
                                mode)"
            },
            "type": {
                "type": "string",
                "description": "File type to search (ripgrep --type), e.g. js, py, rust, go, \
                                java. More efficient than glob for standard file types"
            },
            "head_limit": {
                "type": "number",
                "description": "Show only the first N lines (content mode) or entries (other \
                                modes)"
            },
        }),
        &["pattern"],
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_tools_in_fixed_order_and_identical_across_calls() {
        let defs = definitions(None);
        let names: Vec<&str> = defs.iter().map(|d| d.name.as_str()).collect();
        assert_eq!(names, BUILT_IN);
        let a = serde_json::to_string(&defs).unwrap();
        let b = serde_json::to_string(&definitions(None)).unwrap();
        assert_eq!(a, b);
    }

    #[test]
    fn filtered_by_allowed_keeping_the_order() {
        let allowed = vec!["Grep".to_string(), "Read".to_string(), "Nope".to_string()];
        let names: Vec<String> = definitions(Some(&allowed))
            .into_iter()
            .map(|d| d.name)
            .collect();
        assert_eq!(names, ["Read", "Grep"]);
        assert!(definitions(Some(&[])).is_empty());
    }

    #[test]
    fn schemas_require_their_fields() {
        for def in definitions(None) {
            assert_eq!(def.input_schema["type"], "object", "{}", def.name);
            let required = def.input_schema["required"].as_array().unwrap();
            for field in required {
                let field = field.as_str().unwrap();
                assert!(
                    def.input_schema["properties"].get(field).is_some(),
                    "{}: {field}",
                    def.name
                );
            }
        }
    }
}
