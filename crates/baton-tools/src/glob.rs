//! The Glob tool: files whose path matches a glob such as `**/*.rs`, newest first.
//!
//! Patterns match the path relative to the search root, and `*` stays within one directory
//! (`src/*.ts` lists `src/` only; `**` crosses directories). The ripgrep ignore rules of
//! [`crate::walk`] apply.

use std::path::{Path, PathBuf};

use globset::{GlobBuilder, GlobMatcher};
use serde_json::Value;

use crate::input::Input;
use crate::{output, paths, walk, ToolContext, ToolResult};

/// Paths listed at most; the newest come first, so these are the likeliest to matter.
const MAX_RESULTS: usize = 100;

pub(crate) async fn run(input: &Value, ctx: &ToolContext) -> ToolResult {
    let input = Input::new("Glob", input)?;
    let pattern = input.string("pattern")?;
    let base = match input.opt_string("path")? {
        Some(path) => paths::resolve(ctx, "path", path)?,
        None => ctx.cwd.clone(),
    };
    // Walk only below the pattern's literal directories: `crates/foo/**/*.rs` need not visit
    // the whole tree, and absolute or `../` patterns then work too.
    let (prefix, rest) = split_literal_prefix(pattern);
    let root = paths::confine(ctx, &base.join(prefix))?;
    let shown_root = paths::display(&ctx.cwd, &root);
    match tokio::fs::metadata(&root).await {
        Ok(meta) if meta.is_dir() => {}
        Ok(_) => {
            return Err(format!(
                "{shown_root} is a file, not a directory; Glob searches directories."
            ))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Ok(format!(
                "No files found (the directory {shown_root} does not exist)."
            ))
        }
        Err(e) => return Err(paths::io_error(ctx, &shown_root, &e)),
    }
    let matcher = GlobBuilder::new(&rest)
        .literal_separator(true)
        .build()
        .map_err(|e| format!("Invalid glob pattern {pattern:?}: {e}."))?
        .compile_matcher();
    let hidden = names_hidden(&rest);

    let walk_root = root.clone();
    let mut files = tokio::task::spawn_blocking(move || find(&walk_root, &matcher, hidden))
        .await
        .map_err(|e| format!("Glob failed unexpectedly: {e}."))?;
    if files.is_empty() {
        return Ok("No files found".into());
    }
    walk::sort_newest_first(&mut files);
    let total = files.len();
    let mut listing: String = files
        .iter()
        .take(MAX_RESULTS)
        .map(|(path, _)| paths::display(&ctx.cwd, path) + "\n")
        .collect();
    if total > MAX_RESULTS {
        listing.push_str(&format!(
            "(Showing the {MAX_RESULTS} most recently modified of {total} matching files. Use a \
             more specific pattern or path to see others.)\n"
        ));
    }
    Ok(output::cap_lines(
        listing.trim_end(),
        ctx.output_cap,
        "use a more specific pattern or path",
    ))
}

/// Every non-directory below `root` whose path relative to `root` matches.
fn find(root: &Path, matcher: &GlobMatcher, hidden: bool) -> Vec<(PathBuf, std::time::SystemTime)> {
    walk::walker(root, hidden)
        .build()
        .filter_map(Result::ok)
        .filter(|entry| entry.file_type().is_some_and(|t| !t.is_dir()))
        .filter(|entry| {
            entry
                .path()
                .strip_prefix(root)
                .is_ok_and(|rel| matcher.is_match(rel))
        })
        .map(|entry| {
            let modified = walk::modified(entry.path());
            (entry.into_path(), modified)
        })
        .collect()
}

/// Splits a pattern into its leading directories without glob syntax and the rest:
/// `src/lib/**/*.ts` → (`src/lib`, `**/*.ts`). The last component always stays in the rest.
fn split_literal_prefix(pattern: &str) -> (PathBuf, String) {
    let parts: Vec<&str> = pattern.split('/').collect();
    let literal = parts[..parts.len() - 1]
        .iter()
        .take_while(|part| !part.contains(['*', '?', '[', '{']))
        .count();
    let mut prefix: PathBuf = parts[..literal].join("/").into();
    if pattern.starts_with('/') && prefix.as_os_str().is_empty() {
        prefix = "/".into();
    }
    (prefix, parts[literal..].join("/"))
}

/// Whether the pattern asks for hidden files by name (`.github/**`, `**/.env`), which the
/// walk would otherwise skip.
fn names_hidden(pattern: &str) -> bool {
    pattern
        .split('/')
        .any(|part| part.starts_with('.') && part != "." && part != "..")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literal_directories_become_the_root() {
        let split = |p| {
            let (prefix, rest) = split_literal_prefix(p);
            (prefix.to_string_lossy().into_owned(), rest)
        };
        assert_eq!(split("**/*.rs"), ("".into(), "**/*.rs".into()));
        assert_eq!(
            split("src/lib/**/*.ts"),
            ("src/lib".into(), "**/*.ts".into())
        );
        assert_eq!(split("Cargo.toml"), ("".into(), "Cargo.toml".into()));
        assert_eq!(split("/abs/dir/*.rs"), ("/abs/dir".into(), "*.rs".into()));
        assert_eq!(split("/*.rs"), ("/".into(), "*.rs".into()));
        assert_eq!(
            split("../x/{a,b}/*.md"),
            ("../x".into(), "{a,b}/*.md".into())
        );
    }

    #[test]
    fn hidden_names_are_noticed() {
        assert!(names_hidden("**/.env"));
        assert!(!names_hidden("**/*.rs"));
    }
}
