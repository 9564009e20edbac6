//! The permission policy: the one place that decides whether a tool call may touch a path or
//! run a command. Every file tool resolves its paths through it (via [`crate::paths`]) and
//! `run_tool` checks every Bash command with it before a process starts.
//!
//! baton runs unattended: there is nobody to ask. So whatever would need a human's approval is
//! denied at once, and the model is told why and what it may do instead.

mod bash;
mod rules;
mod shell;

use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

pub use rules::{Rule, Rules, WEB_TOOLS};

/// How every denial starts, so the model (and the agent loop) can tell it from other errors.
pub const DENIED: &str = "Permission denied:";

/// Added to every denial: why it was not asked, and that the run goes on.
const UNATTENDED: &str = "baton runs without anyone to approve tool calls, so this was denied \
                          at once; carry on with what is allowed.";

/// What an agent may touch: directories for its file tools, rules for its commands.
#[derive(Debug, Clone)]
pub struct Policy {
    /// Canonical directories the file tools may use: the workspace first, then `--add-dir`s.
    roots: Arc<Vec<PathBuf>>,
    rules: Arc<Rules>,
}

/// Whether a path is to be read or written: writes are also kept out of every `.git` and
/// `.baton` directory, at any depth and in any case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    Read,
    Write,
}

impl Policy {
    /// A policy for `workspace` plus `added` directories, with `rules` for Bash. Directories
    /// are canonicalized (symlinks resolved) so containment checks compare like with like.
    pub fn new(workspace: &Path, added: &[PathBuf], rules: Rules) -> Policy {
        let roots = std::iter::once(workspace)
            .chain(added.iter().map(PathBuf::as_path))
            .map(|dir| dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf()))
            .collect();
        Policy {
            roots: Arc::new(roots),
            rules: Arc::new(rules),
        }
    }

    /// The same rules with another workspace (an isolated agent's worktree); added
    /// directories stay.
    pub fn with_workspace(&self, workspace: &Path) -> Policy {
        let mut roots = (*self.roots).clone();
        roots[0] = workspace
            .canonicalize()
            .unwrap_or_else(|_| workspace.to_path_buf());
        Policy {
            roots: Arc::new(roots),
            rules: self.rules.clone(),
        }
    }

    pub fn workspace(&self) -> &Path {
        &self.roots[0]
    }

    pub fn roots(&self) -> &[PathBuf] {
        &self.roots
    }

    pub fn rules(&self) -> &Rules {
        &self.rules
    }

    /// Whether the tool may be offered at all (`--deny Write` removes it).
    pub fn offers(&self, tool: &str) -> bool {
        !self.rules.tool_denied(tool)
    }

    /// Resolves `path` as the kernel would (symlinks of its existing part followed, `..`
    /// applied after them, the missing tail appended) and checks that it lies inside a root.
    /// `shown` is how the path is named in the denial.
    pub fn check_path(&self, path: &Path, access: Access, shown: &str) -> Result<PathBuf, String> {
        let real =
            real_path(path).map_err(|why| format!("{DENIED} {shown} {why}. {UNATTENDED}"))?;
        let Some(root) = self.roots.iter().find(|root| real.starts_with(root)) else {
            let lexical = lexical(path);
            let escape = if self.roots.iter().any(|root| lexical.starts_with(root)) {
                "leads outside the workspace through a symbolic link"
            } else if path.components().any(|c| c == Component::ParentDir) {
                "climbs out of the workspace with `..`"
            } else {
                "is outside the workspace"
            };
            return Err(format!(
                "{DENIED} {shown} {escape}. Files may be used only under {}. {UNATTENDED}",
                self.list_roots()
            ));
        };
        if access == Access::Write {
            // At any depth, in any case: a nested `.baton/config.toml` is the nearest config
            // for runs started below it, and `.GIT` is `.git` on a case-insensitive disk.
            let inside = real.strip_prefix(root).unwrap_or(&real);
            let protected = inside.components().any(|c| match c {
                Component::Normal(name) => [".git", ".baton"]
                    .iter()
                    .any(|dir| name.as_encoded_bytes().eq_ignore_ascii_case(dir.as_bytes())),
                _ => false,
            });
            if protected {
                return Err(format!(
                    "{DENIED} {shown} is inside `.git` or `.baton`, which hold the repository \
                     and baton's own state (hooks and config there could run commands or \
                     grant permissions). {UNATTENDED}"
                ));
            }
        }
        Ok(real)
    }

    /// Checks a Bash command against the deny rules, the allow rules and the read-only
    /// defaults; `cwd` is where it would run.
    pub fn check_command(&self, command: &str, cwd: &Path) -> Result<(), String> {
        bash::check(self, command, cwd).map_err(|why| {
            format!(
                "{DENIED} {why}\nOnly read-only inspection commands run unless the user allows \
                 more (rules such as 'Bash(cargo test:*)' in .baton/config.toml or --allow); \
                 use the Read, Write, Edit, Glob and Grep tools for files. {UNATTENDED}"
            )
        })
    }

    fn list_roots(&self) -> String {
        let shown: Vec<String> = self.roots.iter().map(|r| r.display().to_string()).collect();
        let mut text = shown.join(", ");
        if self.roots.len() == 1 {
            text.push_str(" (the user can add directories with --add-dir)");
        }
        text
    }
}

/// The path with `.` and `..` applied to the text alone, symlinks ignored: where the model
/// thinks the path goes.
fn lexical(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

/// The path with every symlink of its existing part resolved and `.`/`..` applied, the way
/// the kernel walks it; components that do not exist yet are appended as they are.
fn real_path(path: &Path) -> Result<PathBuf, &'static str> {
    let mut real = PathBuf::from("/");
    for component in path.components() {
        match component {
            Component::Prefix(_) | Component::RootDir => real = PathBuf::from("/"),
            Component::CurDir => {}
            // `real` never holds a symlink, so its lexical parent is its real parent.
            Component::ParentDir => {
                real.pop();
            }
            Component::Normal(name) => {
                let next = real.join(name);
                match std::fs::symlink_metadata(&next) {
                    Ok(meta) if meta.file_type().is_symlink() => {
                        // A dangling link would let a write create its target anywhere.
                        real = next
                            .canonicalize()
                            .map_err(|_| "is a symbolic link to something that does not exist")?;
                    }
                    _ => real = next,
                }
            }
        }
    }
    Ok(real)
}

#[cfg(test)]
mod tests;
