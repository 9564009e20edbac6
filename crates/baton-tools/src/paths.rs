//! Turning the paths a model writes into filesystem paths, and filesystem paths back into the
//! short form shown to the model.
//!
//! Every tool resolves its paths through [`resolve`], so the permission policy (workspace
//! confinement, a later addition) has exactly one place to be consulted.

use std::path::{Component, Path, PathBuf};

use crate::ToolContext;

/// Resolves a path from a tool input: relative paths against the agent's cwd, absolute paths
/// as they are. `field` names the input field for error messages.
pub(crate) fn resolve(ctx: &ToolContext, field: &str, raw: &str) -> Result<PathBuf, String> {
    if raw.trim().is_empty() {
        return Err(format!("The field `{field}` is empty; give a file path."));
    }
    let path = Path::new(raw);
    Ok(if path.is_absolute() {
        path.to_path_buf()
    } else {
        ctx.cwd.join(path)
    })
}

/// How a path is shown to the model: relative to the cwd when it lies inside it (shorter, and
/// what the model would write itself), absolute otherwise.
pub(crate) fn display(cwd: &Path, path: &Path) -> String {
    match path.strip_prefix(cwd) {
        Ok(rel) if rel.as_os_str().is_empty() => ".".into(),
        // A relative form with `..` in it would not be "inside the cwd" after all.
        Ok(rel) if rel.components().all(|c| matches!(c, Component::Normal(_))) => {
            rel.to_string_lossy().into_owned()
        }
        _ => path.to_string_lossy().into_owned(),
    }
}

/// Describes a failed file operation on `shown` so the model knows what to do next.
pub(crate) fn io_error(ctx: &ToolContext, shown: &str, err: &std::io::Error) -> String {
    match err.kind() {
        std::io::ErrorKind::NotFound => format!(
            "File does not exist: {shown}. Check the path (relative paths resolve against {}); \
             Glob can find files by name.",
            ctx.cwd.display()
        ),
        std::io::ErrorKind::PermissionDenied => format!("Permission denied: {shown}."),
        _ => format!("Cannot access {shown}: {err}."),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths_join_the_cwd_and_display_back() {
        let ctx = ToolContext::new("/work/project".into());
        let p = resolve(&ctx, "file_path", "src/main.rs").unwrap();
        assert_eq!(p, PathBuf::from("/work/project/src/main.rs"));
        assert_eq!(display(&ctx.cwd, &p), "src/main.rs");
        assert_eq!(display(&ctx.cwd, Path::new("/work/project")), ".");
    }

    #[test]
    fn absolute_paths_stay_and_outside_paths_display_absolute() {
        let ctx = ToolContext::new("/work/project".into());
        let p = resolve(&ctx, "file_path", "/etc/hosts").unwrap();
        assert_eq!(p, PathBuf::from("/etc/hosts"));
        assert_eq!(display(&ctx.cwd, &p), "/etc/hosts");
        let up = resolve(&ctx, "path", "../other").unwrap();
        assert_eq!(display(&ctx.cwd, &up), "/work/project/../other");
    }

    #[test]
    fn empty_paths_are_rejected() {
        let ctx = ToolContext::new("/w".into());
        assert!(resolve(&ctx, "file_path", " ").is_err_and(|e| e.contains("`file_path`")));
    }
}
