//! Turning the paths a model writes into filesystem paths, and filesystem paths back into the
//! short form shown to the model.
//!
//! Every tool resolves its paths through [`resolve`] (or [`confine`] for a path it built
//! itself), so the permission policy is consulted in exactly one place: the path that comes
//! back is real (symlinks resolved) and inside the agent's allowed directories.

use std::path::{Component, Path, PathBuf};

use crate::policy::Access;
use crate::ToolContext;

/// Resolves a path from a tool input, for reading: relative paths against the agent's cwd,
/// absolute paths as they are, then through the policy. `field` names the input field for
/// error messages.
pub(crate) fn resolve(ctx: &ToolContext, field: &str, raw: &str) -> Result<PathBuf, String> {
    resolve_for(ctx, field, raw, Access::Read)
}

/// [`resolve`] for a path the tool will write.
pub(crate) fn resolve_write(ctx: &ToolContext, field: &str, raw: &str) -> Result<PathBuf, String> {
    resolve_for(ctx, field, raw, Access::Write)
}

fn resolve_for(
    ctx: &ToolContext,
    field: &str,
    raw: &str,
    access: Access,
) -> Result<PathBuf, String> {
    if raw.trim().is_empty() {
        return Err(format!("The field `{field}` is empty; give a file path."));
    }
    let path = Path::new(raw);
    let joined = if path.is_absolute() {
        path.to_path_buf()
    } else {
        ctx.cwd.join(path)
    };
    ctx.policy.check_path(&joined, access, raw)
}

/// Checks a path a tool derived itself (a search root built from a pattern) for reading.
pub(crate) fn confine(ctx: &ToolContext, path: &Path) -> Result<PathBuf, String> {
    ctx.policy
        .check_path(path, Access::Read, &display(&ctx.cwd, path))
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
        // Not "Permission denied:", which starts the policy's denials.
        std::io::ErrorKind::PermissionDenied => {
            format!("The system refused access to {shown} (no file permission).")
        }
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
    fn outside_paths_are_denied_and_display_absolute() {
        let ctx = ToolContext::new("/work/project".into());
        let err = resolve(&ctx, "file_path", "/etc/hosts").unwrap_err();
        assert!(err.starts_with(crate::DENIED), "{err}");
        assert!(resolve(&ctx, "path", "../other").is_err());
        assert_eq!(display(&ctx.cwd, Path::new("/etc/hosts")), "/etc/hosts");
        assert_eq!(
            display(&ctx.cwd, Path::new("/work/project/../other")),
            "/work/project/../other"
        );
    }

    #[test]
    fn empty_paths_are_rejected() {
        let ctx = ToolContext::new("/w".into());
        assert!(resolve(&ctx, "file_path", " ").is_err_and(|e| e.contains("`file_path`")));
    }
}
