//! How changes come home: both sides reach one git repository (the "git home", a bare repo
//! path or URL). The coordinator pushes the run's base commit there; a worker fetches it, works
//! in a per-attempt worktree, and pushes what the agent changed as a commit to
//! `refs/baton/<run>/<call>/<attempt>`; the coordinator fetches that ref as a branch of its own
//! repository, as a kept worktree branch of a local run.
//!
//! git runs synchronously on tokio's blocking pool, one process at a time per repository
//! (`GitLock`): concurrent fetches into one repository race on its lock files.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};

use baton_model::{CallKey, RunId};

pub(crate) type GitLock = Arc<Mutex<()>>;

/// The ref the run's base commit is pushed to in the git home.
pub(crate) fn base_ref(run: &RunId) -> String {
    format!("refs/baton/{run}/base")
}

/// The ref one attempt's commit is pushed to: Temporal delivers at least once, so every
/// attempt has its own and none overwrites another.
pub(crate) fn attempt_ref(run: &RunId, key: &CallKey, occurrence: u32, attempt: u32) -> String {
    format!("refs/baton/{run}/{key}-{occurrence}/{attempt}")
}

/// The git root around `dir`.
pub(crate) fn repo_root(dir: &Path) -> Result<PathBuf, String> {
    let top = git(dir, &["rev-parse", "--show-toplevel"]).map_err(|e| {
        format!(
            "{} is not inside a git repository ({e}); run baton in a checkout of the workspace repository",
            dir.display()
        )
    })?;
    let repo = PathBuf::from(top.trim());
    Ok(repo.canonicalize().unwrap_or(repo))
}

/// Coordinator: pushes `HEAD` of the repository around `workspace` to the run's base ref;
/// the commit.
pub(crate) fn push_base(workspace: &Path, home: &str, run: &RunId) -> Result<String, String> {
    let repo = repo_root(workspace)?;
    let base = git(&repo, &["rev-parse", "--verify", "HEAD"])
        .map_err(|_| format!("{} has no commit yet; commit once first", repo.display()))?
        .trim()
        .to_string();
    let refspec = format!("+{base}:{}", base_ref(run));
    git(&repo, &["push", "-q", home, &refspec])
        .map_err(|e| format!("cannot push the run's base commit to the git home {home}: {e}"))?;
    Ok(base)
}

/// Coordinator: fetches an attempt's commit from the git home as `branch` of the repository
/// around `workspace`.
pub(crate) fn fetch_commit(
    workspace: &Path,
    home: &str,
    pushed: &str,
    branch: &str,
    lock: &GitLock,
) -> Result<(), String> {
    let repo = repo_root(workspace)?;
    let _guard = lock.lock().unwrap_or_else(|e| e.into_inner());
    let refspec = format!("+{pushed}:refs/heads/{branch}");
    git(&repo, &["fetch", "-q", home, &refspec])
        .map(|_| ())
        .map_err(|e| format!("cannot fetch {pushed} from the git home {home}: {e}"))
}

/// Runs git in `dir`; its stdout, or its stderr as the error. Never asks for a password.
pub(crate) fn git(dir: &Path, args: &[&str]) -> Result<String, String> {
    git_with_input(dir, args, None)
}

/// `git` with `input` on its standard input.
pub(crate) fn git_with_input(
    dir: &Path,
    args: &[&str],
    input: Option<&[u8]>,
) -> Result<String, String> {
    let mut child = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_TERMINAL_PROMPT", "0")
        .stdin(if input.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run git: {e}"))?;
    if let (Some(input), Some(mut stdin)) = (input, child.stdin.take()) {
        use std::io::Write;
        stdin
            .write_all(input)
            .map_err(|e| format!("cannot write to git: {e}"))?;
    }
    let output = child
        .wait_with_output()
        .map_err(|e| format!("cannot run git: {e}"))?;
    if output.status.success() {
        Ok(String::from_utf8_lossy(&output.stdout).into_owned())
    } else {
        Err(String::from_utf8_lossy(&output.stderr).trim().to_string())
    }
}
