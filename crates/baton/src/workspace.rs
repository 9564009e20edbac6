//! Where a run works and where its journal lives.

use std::path::{Path, PathBuf};

/// The workspace of a run started in `cwd`: the root of the git repository around it, or `cwd`
/// itself outside git. Runs started anywhere in a repository share one journal.
pub fn workspace_root(cwd: &Path) -> PathBuf {
    cwd.ancestors()
        .find(|dir| dir.join(".git").exists())
        .unwrap_or(cwd)
        .to_path_buf()
}

/// The journal's directory: `$BATON_HOME` when set, else `.baton/` in the workspace.
pub fn journal_dir(cwd: &Path) -> PathBuf {
    match std::env::var_os("BATON_HOME").filter(|home| !home.is_empty()) {
        Some(home) => PathBuf::from(home),
        None => workspace_root(cwd).join(".baton"),
    }
}

/// The user's home directory, for personal config and saved workflows.
pub fn home_dir() -> Option<PathBuf> {
    std::env::var_os("HOME")
        .filter(|h| !h.is_empty())
        .map(PathBuf::from)
}
