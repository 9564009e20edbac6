//! The directory walk shared by Glob and Grep: ripgrep's rules for which files to look at, and
//! the newest-first order of their results.

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use ignore::WalkBuilder;

/// A walker over `root` that skips what ripgrep skips: files matched by `.gitignore` (also
/// outside a git repository, where agents often work), `.ignore`, `.git/info/exclude` and the
/// global gitignore, and hidden files unless `hidden` is set. `.git` itself is always skipped.
/// Entries come in file-name order, so results that tie on everything else are stable.
pub(crate) fn walker(root: &Path, hidden: bool) -> WalkBuilder {
    let mut builder = WalkBuilder::new(root);
    builder
        .hidden(!hidden)
        .require_git(false)
        .filter_entry(|entry| entry.file_name() != ".git")
        .sort_by_file_name(|a, b| a.cmp(b));
    builder
}

/// A file's modification time, or the epoch when it cannot be read (such files sort last).
pub(crate) fn modified(path: &Path) -> SystemTime {
    std::fs::metadata(path)
        .and_then(|m| m.modified())
        .unwrap_or(SystemTime::UNIX_EPOCH)
}

/// Sorts files newest first — what an agent most likely wants is what was just worked on —
/// with ties broken by path for a stable order.
pub(crate) fn sort_newest_first(files: &mut [(PathBuf, SystemTime)]) {
    files.sort_by(|(pa, ta), (pb, tb)| tb.cmp(ta).then_with(|| pa.cmp(pb)));
}
