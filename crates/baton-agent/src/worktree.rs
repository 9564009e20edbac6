//! Worktree isolation (`isolation: "worktree"`): a git worktree cut from the workspace's
//! current `HEAD` for one agent, on a branch named after the run and the call; removed with
//! its branch when the agent changed nothing, kept otherwise. The main working tree and its
//! checked-out branch are never touched.
//!
//! git runs synchronously (on tokio's blocking pool): the cleanup must also run from `Drop`
//! when a stopped run drops the agent midway, and `Drop` cannot await. The calls are short and
//! local; `GIT_TERMINAL_PROMPT=0` keeps git from ever waiting for a person.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};

use baton_model::{AgentCall, AgentNote};

/// Serializes `git worktree add/remove`: two at once race on git's lock files.
pub(crate) type GitLock = Arc<Mutex<()>>;

/// The ignore file that keeps every worktree out of the main tree's `git status` (and out of
/// Glob and Grep there).
const IGNORE_ALL: &str = "# baton's agent worktrees: never part of the main tree\n*\n";

/// One agent's worktree while the agent runs.
#[derive(Debug)]
pub(crate) struct Worktree {
    repo: PathBuf,
    pub path: PathBuf,
    pub branch: String,
    /// The commit it was cut from; a moved `HEAD` counts as a change.
    base: String,
    /// Where the run's directory lies inside the repository, so agents start at the same
    /// place in their worktree.
    subdir: PathBuf,
    lock: GitLock,
    /// Cleared once `finish` ran; until then `Drop` cleans up.
    armed: bool,
}

impl Worktree {
    /// Creates the worktree for `call`, for a run working in `workspace`. The error is for
    /// the script (a rejected promise): what went wrong and what to do.
    pub async fn create(
        workspace: &Path,
        call: &AgentCall,
        lock: &GitLock,
    ) -> Result<Worktree, String> {
        let workspace = workspace.to_path_buf();
        let key: String = call.key.to_string().chars().take(8).collect();
        let name = (call.run_id.as_str().to_string(), call.seq, key);
        let lock = lock.clone();
        tokio::task::spawn_blocking(move || create(&workspace, name, lock))
            .await
            .map_err(|e| format!("worktree: {e}"))?
    }

    /// The directory the agent starts in: the run's own directory, within the worktree.
    pub fn start_dir(&self) -> PathBuf {
        self.path.join(&self.subdir)
    }

    /// Removes the worktree and its branch if the agent changed nothing; reports either way.
    pub async fn finish(mut self) -> AgentNote {
        let kept = self.note(true);
        tokio::task::spawn_blocking(move || self.finish_now())
            .await
            .unwrap_or(kept)
    }

    fn finish_now(&mut self) -> AgentNote {
        self.armed = false;
        // `--ignored`: output the repository ignores (build results, notes) is work too, and
        // `worktree remove --force` would delete it.
        let status = git(&self.path, &["status", "--porcelain", "--ignored"]);
        let head = git(&self.path, &["rev-parse", "HEAD"]);
        // When git cannot tell, keep the work: deleting it would be the worse mistake.
        let changed = match (status, head) {
            (Ok(status), Ok(head)) => !status.trim().is_empty() || head.trim() != self.base,
            _ => true,
        };
        if !changed {
            let _guard = self.lock.lock().unwrap_or_else(|e| e.into_inner());
            let path = self.path.to_string_lossy().into_owned();
            let removed = git(&self.repo, &["worktree", "remove", "--force", &path]).is_ok()
                && git(&self.repo, &["branch", "-D", &self.branch]).is_ok();
            if let Some(run_dir) = self.path.parent() {
                // Only succeeds once the run's last worktree is gone.
                let _ = std::fs::remove_dir(run_dir);
            }
            if !removed {
                return self.note(true);
            }
        }
        self.note(changed)
    }

    fn note(&self, kept: bool) -> AgentNote {
        AgentNote::Worktree {
            path: self.path.display().to_string(),
            branch: self.branch.clone(),
            kept,
        }
    }
}

impl Drop for Worktree {
    fn drop(&mut self) {
        if self.armed {
            self.finish_now();
        }
    }
}

fn create(
    workspace: &Path,
    name: (String, u64, String),
    lock: GitLock,
) -> Result<Worktree, String> {
    let (run_id, seq, key) = name;
    let top = git(workspace, &["rev-parse", "--show-toplevel"]).map_err(|e| {
        format!(
            "isolation: \"worktree\" needs a git repository, and {} is not inside one ({e}); \
             run baton in a git checkout or drop the option",
            workspace.display()
        )
    })?;
    let repo = PathBuf::from(top.trim());
    let repo = repo.canonicalize().unwrap_or(repo);
    let base = git(&repo, &["rev-parse", "--verify", "HEAD"])
        .map_err(|_| {
            format!(
                "isolation: \"worktree\" cuts from the current HEAD, and {} has no commit yet; \
                 commit once first",
                repo.display()
            )
        })?
        .trim()
        .to_string();
    let subdir = workspace
        .canonicalize()
        .ok()
        .and_then(|w| w.strip_prefix(&repo).ok().map(Path::to_path_buf))
        .unwrap_or_default();
    // The agent starts at the same place in its worktree, which holds only what HEAD does.
    if !subdir.as_os_str().is_empty() {
        let spec = format!("{base}:{}", subdir.to_string_lossy());
        let kind = git(&repo, &["cat-file", "-t", &spec]).unwrap_or_default();
        if kind.trim() != "tree" {
            return Err(format!(
                "isolation: \"worktree\" starts the agent at the same place in a worktree cut \
                 from HEAD, and {} does not exist in HEAD's tree; commit it or run from the \
                 repository root",
                workspace.display()
            ));
        }
    }
    let root = repo.join(".baton/worktrees");
    std::fs::create_dir_all(&root)
        .map_err(|e| format!("worktree: cannot create {}: {e}", root.display()))?;
    let ignore = root.join(".gitignore");
    if !ignore.exists() {
        std::fs::write(&ignore, IGNORE_ALL)
            .map_err(|e| format!("worktree: cannot write {}: {e}", ignore.display()))?;
    }
    let shown_path = |path: &Path| path.to_string_lossy().into_owned();
    let (path, branch) = {
        let _guard = lock.lock().unwrap_or_else(|e| e.into_inner());
        // A resumed run reruns a call under the same run id and number; an earlier attempt's
        // kept worktree and branch stay as they were, and this one takes the next free name.
        let (path, branch) = (1..=1000)
            .map(|n| {
                let suffix = if n == 1 {
                    String::new()
                } else {
                    format!("-{n}")
                };
                (
                    root.join(&run_id).join(format!("{seq}{suffix}")),
                    format!("baton/{run_id}/{seq}-{key}{suffix}"),
                )
            })
            .find(|(path, branch)| {
                !path.exists() && git(&repo, &["rev-parse", "--verify", "--quiet", branch]).is_err()
            })
            .ok_or_else(|| {
                format!("worktree: call {seq} of {run_id} already has 1000 kept worktrees")
            })?;
        // The commit, not the name `HEAD`: the tree is cut from what HEAD is right now.
        git(
            &repo,
            &[
                "worktree",
                "add",
                "-q",
                "-b",
                &branch,
                &shown_path(&path),
                &base,
            ],
        )
        .map_err(|e| format!("worktree: git worktree add failed: {e}"))?;
        (path, branch)
    };
    Ok(Worktree {
        repo,
        path,
        branch,
        base,
        subdir,
        lock,
        armed: true,
    })
}

/// Runs git in `dir`; its stdout, or its stderr as the error.
fn git(dir: &Path, args: &[&str]) -> Result<String, String> {
    let output = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_TERMINAL_PROMPT", "0")
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run git: {e}"))?;
    if output.status.success() {
        Ok(String::from_utf8_lossy(&output.stdout).into_owned())
    } else {
        Err(String::from_utf8_lossy(&output.stderr).trim().to_string())
    }
}
