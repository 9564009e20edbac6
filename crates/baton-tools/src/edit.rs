//! The Edit tool: replaces an exact string in a file, once (it must be unique) or everywhere.
//!
//! Uniqueness is what makes an edit safe without line numbers: a model that quotes too little
//! context is told how many places match instead of having the wrong one changed.

use serde_json::Value;

use crate::input::Input;
use crate::{paths, ToolContext, ToolResult};

pub(crate) async fn run(input: &Value, ctx: &ToolContext) -> ToolResult {
    let input = Input::new("Edit", input)?;
    let raw = input.string("file_path")?;
    let old = input.string("old_string")?;
    let new = input.string("new_string")?;
    let replace_all = input.opt_bool("replace_all")?.unwrap_or(false);
    if old == new {
        return Err(
            "Edit: old_string and new_string are identical, so there is nothing to change.".into(),
        );
    }
    let path = paths::resolve_write(ctx, "file_path", raw)?;
    let shown = paths::display(&ctx.cwd, &path);

    if tokio::fs::metadata(&path).await.is_ok_and(|m| m.is_dir()) {
        return Err(format!("{shown} is a directory; Edit changes files."));
    }
    let content = match tokio::fs::read_to_string(&path).await {
        Ok(content) => content,
        // As in Claude Code, an empty old_string on a missing file creates it.
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && old.is_empty() => {
            return create(ctx, &path, &shown, new).await;
        }
        Err(e) if e.kind() == std::io::ErrorKind::InvalidData => {
            return Err(format!(
                "{shown} is not UTF-8 text, so Edit cannot change it. Use Write to replace it \
                 entirely, or Bash."
            ));
        }
        Err(e) => return Err(paths::io_error(ctx, &shown, &e)),
    };
    if old.is_empty() {
        if content.is_empty() {
            return create(ctx, &path, &shown, new).await;
        }
        return Err(format!(
            "Edit: old_string is empty, but {shown} is not. Quote the exact text to replace, or \
             use Write to replace the whole file."
        ));
    }

    let (old, new) = match_line_endings(&content, old, new);
    let count = content.matches(old.as_str()).count();
    if count == 0 {
        return Err(format!(
            "old_string was not found in {shown}. It must match the file exactly, including \
             whitespace and indentation; Read the file to see its current content."
        ));
    }
    if count > 1 && !replace_all {
        return Err(format!(
            "old_string occurs {count} times in {shown}. Add surrounding lines to old_string so \
             that it matches exactly one place, or set replace_all to true to change all {count}."
        ));
    }
    let first_line = content
        .find(old.as_str())
        .map_or(1, |at| content[..at].matches('\n').count() + 1);
    let updated = if replace_all {
        content.replace(old.as_str(), &new)
    } else {
        content.replacen(old.as_str(), &new, 1)
    };
    tokio::fs::write(&path, updated)
        .await
        .map_err(|e| paths::io_error(ctx, &shown, &e))?;
    Ok(if count == 1 {
        format!("Edited {shown}: replaced 1 occurrence (at line {first_line}).")
    } else {
        format!("Edited {shown}: replaced {count} occurrences (the first at line {first_line}).")
    })
}

/// Writes `content` to a new (or empty) file.
async fn create(
    ctx: &ToolContext,
    path: &std::path::Path,
    shown: &str,
    content: &str,
) -> ToolResult {
    if let Some(parent) = path.parent() {
        tokio::fs::create_dir_all(parent)
            .await
            .map_err(|e| paths::io_error(ctx, &paths::display(&ctx.cwd, parent), &e))?;
    }
    tokio::fs::write(path, content)
        .await
        .map_err(|e| paths::io_error(ctx, shown, &e))?;
    Ok(format!(
        "Created {shown} with {} lines.",
        content.lines().count()
    ))
}

/// Read shows lines without their `\r`, so a model quoting several lines of a CRLF file writes
/// `\n`. When the quote is not found as written, it is tried with the file's line endings.
fn match_line_endings(content: &str, old: &str, new: &str) -> (String, String) {
    let crlf_file = content.contains("\r\n");
    if crlf_file && old.contains('\n') && !old.contains('\r') && !content.contains(old) {
        (old.replace('\n', "\r\n"), new.replace('\n', "\r\n"))
    } else {
        (old.to_string(), new.to_string())
    }
}
