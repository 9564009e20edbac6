//! A worker's per-attempt worktree: cut from the run's base commit (fetched from the git
//! home into the worker's own checkout), where the agent works; afterwards what it changed is
//! committed and pushed to the attempt's ref, and the worktree is removed either way.
//! Per attempt, because Temporal delivers at least once and a server restart can deliver the
//! same attempt twice: a leftover of the same attempt is removed before it is cut again.

use std::path::{Path, PathBuf};

use crate::git::{attempt_ref, base_ref, git, repo_root, GitLock};
use crate::wire::{AgentTask, Commit, GitTask};

/// Keeps every attempt's worktree out of the worker checkout's `git status`.
const IGNORE_ALL: &str = "# baton worker's per-attempt worktrees\n*\n";

pub(crate) struct Checkout {
    repo: PathBuf,
    pub path: PathBuf,
    home: String,
    base: String,
    pushed: String,
    lock: GitLock,
    /// Cleared by `finish`; until then `Drop` removes the worktree (a cancelled attempt).
    armed: bool,
}

impl Checkout {
    /// Fetches the base and cuts the worktree for `task`'s `attempt` in the repository around
    /// `workspace`.
    pub fn create(
        workspace: &Path,
        task: &AgentTask,
        git_task: &GitTask,
        attempt: u32,
        lock: &GitLock,
    ) -> Result<Checkout, String> {
        let repo = repo_root(workspace)
            .map_err(|e| format!("the worker cannot check out the run's base commit: {e}"))?;
        let root = repo.join(".baton/temporal");
        std::fs::create_dir_all(&root)
            .map_err(|e| format!("cannot create {}: {e}", root.display()))?;
        let ignore = root.join(".gitignore");
        if !ignore.exists() {
            std::fs::write(&ignore, IGNORE_ALL)
                .map_err(|e| format!("cannot write {}: {e}", ignore.display()))?;
        }
        let name = format!(
            "{}-{}-{}-{attempt}",
            task.call.run_id,
            &task
                .call
                .key
                .to_string()
                .chars()
                .take(16)
                .collect::<String>(),
            task.call.occurrence
        );
        let path = root.join(name);
        let shown = path.to_string_lossy().into_owned();
        let base_ref = base_ref(&task.call.run_id);
        {
            let _guard = lock.lock().unwrap_or_else(|e| e.into_inner());
            let have_base = git(
                &repo,
                &["cat-file", "-e", &format!("{}^{{commit}}", git_task.base)],
            );
            if have_base.is_err() {
                git(
                    &repo,
                    &[
                        "fetch",
                        "-q",
                        &git_task.home,
                        &format!("+{base_ref}:{base_ref}"),
                    ],
                )
                .map_err(|e| {
                    format!(
                        "cannot fetch the run's base commit from the git home {}: {e}",
                        git_task.home
                    )
                })?;
            }
            // The same attempt delivered again: start it afresh.
            if path.exists() {
                let _ = git(&repo, &["worktree", "remove", "--force", &shown]);
                let _ = std::fs::remove_dir_all(&path);
                let _ = git(&repo, &["worktree", "prune"]);
            }
            git(
                &repo,
                &["worktree", "add", "-q", "--detach", &shown, &git_task.base],
            )
            .map_err(|e| format!("git worktree add failed: {e}"))?;
        }
        Ok(Checkout {
            repo,
            path,
            home: git_task.home.clone(),
            base: git_task.base.clone(),
            pushed: attempt_ref(
                &task.call.run_id,
                &task.call.key,
                task.call.occurrence,
                attempt,
            ),
            lock: lock.clone(),
            armed: true,
        })
    }

    /// Commits what the agent changed and pushes it to the attempt's ref; `None` when it
    /// changed nothing. The worktree is removed afterwards in every case.
    pub fn finish(mut self, message: &str) -> Result<Option<Commit>, String> {
        let result = self.commit_and_push(message);
        self.armed = false;
        self.remove();
        result
    }

    fn commit_and_push(&self, message: &str) -> Result<Option<Commit>, String> {
        let dir = &self.path;
        let status = git(dir, &["status", "--porcelain"])?;
        if !status.trim().is_empty() {
            git(dir, &["add", "-A"])?;
            git(
                dir,
                &[
                    "-c",
                    "user.name=baton worker",
                    "-c",
                    "user.email=baton@localhost",
                    "commit",
                    "-q",
                    "--no-verify",
                    "-m",
                    message,
                ],
            )?;
        }
        let head = git(dir, &["rev-parse", "HEAD"])?.trim().to_string();
        if head == self.base {
            return Ok(None);
        }
        git(
            dir,
            &["push", "-q", &self.home, &format!("+HEAD:{}", self.pushed)],
        )
        .map_err(|e| {
            format!(
                "cannot push the agent's commit to the git home {}: {e}",
                self.home
            )
        })?;
        Ok(Some(Commit {
            sha: head,
            pushed: self.pushed.clone(),
        }))
    }

    fn remove(&self) {
        let _guard = self.lock.lock().unwrap_or_else(|e| e.into_inner());
        let shown = self.path.to_string_lossy().into_owned();
        if git(&self.repo, &["worktree", "remove", "--force", &shown]).is_err() {
            let _ = std::fs::remove_dir_all(&self.path);
            let _ = git(&self.repo, &["worktree", "prune"]);
        }
    }
}

impl Drop for Checkout {
    fn drop(&mut self) {
        if self.armed {
            self.remove();
        }
    }
}
