//! Saved workflows (SPEC §8): where they are looked for, which copy of a name wins, and what
//! each file holds (its `meta`, or why it cannot run).
//!
//! Folders, in precedence order:
//! 1. project: the nearest `.baton/workflows/` and the nearest `.claude/workflows/` up from the
//!    working directory, the nearer one first (in the same directory `.baton/`, baton's own,
//!    before `.claude/`). The walk stops below the home directory: `~/.baton/workflows/` is
//!    personal even when baton runs inside the home directory.
//! 2. personal: `~/.baton/workflows/`, then `~/.claude/workflows/`.
//! 3. built-in: the workflows compiled into the binary (`built_in.rs`), found from any
//!    directory.
//!
//! A workflow's name is its file name without `.workflow.js`. The first folder holding a name
//! wins it; later copies are *shadowed*. A file whose script does not pass the static check
//! (broken `meta`, a syntax error, an import, an unreadable file) still wins its name, so
//! running that name reports why it cannot run instead of quietly running another copy.

mod built_in;

use std::path::{Path, PathBuf};

use baton_script::meta::Meta;
use baton_script::Script;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    Project,
    Personal,
    /// Compiled into the binary; its path is a name for messages, not a file.
    BuiltIn,
}

impl Scope {
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Project => "project",
            Scope::Personal => "personal",
            Scope::BuiltIn => "built-in",
        }
    }
}

/// A saved workflow file: its name, where it is, which scope it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SavedWorkflow {
    pub name: String,
    pub path: PathBuf,
    pub scope: Scope,
}

impl SavedWorkflow {
    /// The script's text: the file's, or the compiled-in one for a built-in workflow.
    pub fn source(&self) -> Result<String, String> {
        if self.scope == Scope::BuiltIn {
            return built_in::source(&self.name)
                .map(str::to_string)
                .ok_or_else(|| format!("no built-in workflow named '{}'", self.name));
        }
        let bytes = std::fs::read(&self.path)
            .map_err(|e| format!("cannot read {}: {e}", self.path.display()))?;
        String::from_utf8(bytes).map_err(|_| format!("{} is not UTF-8 text", self.path.display()))
    }
}

/// One file as `baton workflows` shows it: what it holds, and whether another copy wins.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogEntry {
    pub workflow: SavedWorkflow,
    /// Its `meta`, or a one-line reason it cannot run.
    pub meta: Result<Meta, String>,
    /// The copy that wins this name, when this one does not.
    pub shadowed_by: Option<SavedWorkflow>,
}

impl CatalogEntry {
    /// Runnable by its name: it wins the name and passes the static check.
    pub fn is_runnable(&self) -> bool {
        self.shadowed_by.is_none() && self.meta.is_ok()
    }
}

#[derive(Debug, Clone, Default)]
pub struct WorkflowLibrary {
    /// Folders in precedence order.
    folders: Vec<(PathBuf, Scope)>,
}

const SUFFIX: &str = ".workflow.js";
/// Project folders, in the order they win within one directory.
const KINDS: [&str; 2] = [".baton", ".claude"];

impl WorkflowLibrary {
    /// The folders to search from `cwd`, with `home` for the personal ones. Reads no workflow.
    pub fn discover(cwd: &Path, home: Option<&Path>) -> Self {
        let home_real = home.map(|h| h.canonicalize().unwrap_or_else(|_| h.to_path_buf()));
        let is_home = |dir: &Path| home == Some(dir) || home_real.as_deref() == Some(dir);
        let mut folders: Vec<(PathBuf, Scope)> = Vec::new();
        let mut found = [false; KINDS.len()];
        for dir in cwd.ancestors().take_while(|dir| !is_home(dir)) {
            for (i, kind) in KINDS.iter().enumerate() {
                let folder = dir.join(kind).join("workflows");
                if !found[i] && folder.is_dir() {
                    found[i] = true;
                    folders.push((folder, Scope::Project));
                }
            }
        }
        if let Some(home) = home {
            for kind in KINDS {
                let folder = home.join(kind).join("workflows");
                if folder.is_dir() && !folders.iter().any(|(f, _)| same_dir(f, &folder)) {
                    folders.push((folder, Scope::Personal));
                }
            }
        }
        WorkflowLibrary { folders }
    }

    /// The folders searched, in precedence order.
    pub fn folders(&self) -> &[(PathBuf, Scope)] {
        &self.folders
    }

    /// The copy that wins `name`, runnable or not (loading a broken one reports why it cannot
    /// run). Reads folder listings only, so `name` can never reach outside a folder.
    pub fn find(&self, name: &str) -> Option<SavedWorkflow> {
        self.files().into_iter().find(|w| w.name == name)
    }

    /// The workflows that can run by name, sorted by name.
    pub fn list(&self) -> Vec<SavedWorkflow> {
        self.catalog()
            .into_iter()
            .filter(CatalogEntry::is_runnable)
            .map(|entry| entry.workflow)
            .collect()
    }

    /// Every file found, read and checked: winners, shadowed copies and broken files, sorted by
    /// name, the winner of a name first.
    pub fn catalog(&self) -> Vec<CatalogEntry> {
        let files = self.files();
        let mut entries: Vec<CatalogEntry> = files
            .iter()
            .map(|workflow| CatalogEntry {
                workflow: workflow.clone(),
                meta: read_meta(workflow),
                shadowed_by: files
                    .iter()
                    .find(|w| w.name == workflow.name)
                    .filter(|winner| winner.path != workflow.path)
                    .cloned(),
            })
            .collect();
        // Stable: within a name, precedence order stays.
        entries.sort_by(|a, b| a.workflow.name.cmp(&b.workflow.name));
        entries
    }

    /// Every `*.workflow.js` entry of every folder, in precedence order (each folder's files
    /// by name), then the built-in workflows.
    fn files(&self) -> Vec<SavedWorkflow> {
        let mut files = Vec::new();
        for (folder, scope) in &self.folders {
            let Ok(entries) = std::fs::read_dir(folder) else {
                continue;
            };
            let mut here: Vec<SavedWorkflow> = entries
                .filter_map(|entry| entry.ok())
                .filter_map(|entry| {
                    let file_name = entry.file_name().to_str()?.to_string();
                    let name = file_name.strip_suffix(SUFFIX)?;
                    (!name.is_empty()).then(|| SavedWorkflow {
                        name: name.to_string(),
                        path: entry.path(),
                        scope: *scope,
                    })
                })
                .collect();
            here.sort_by(|a, b| a.name.cmp(&b.name));
            files.append(&mut here);
        }
        files.extend(built_in::BUILT_IN.iter().map(|(name, _)| SavedWorkflow {
            name: name.to_string(),
            path: PathBuf::from(format!("<built-in>/{name}{SUFFIX}")),
            scope: Scope::BuiltIn,
        }));
        files
    }
}

fn same_dir(a: &Path, b: &Path) -> bool {
    a == b || matches!((a.canonicalize(), b.canonicalize()), (Ok(a), Ok(b)) if a == b)
}

/// The file's `meta` through the same static check a run uses, or why it fails, on one line.
fn read_meta(workflow: &SavedWorkflow) -> Result<Meta, String> {
    let path = &workflow.path;
    let source = if workflow.scope == Scope::BuiltIn {
        workflow.source()?
    } else {
        if path.is_dir() {
            return Err("a directory, not a script file".into());
        }
        let bytes = std::fs::read(path).map_err(|e| format!("cannot read it: {e}"))?;
        String::from_utf8(bytes).map_err(|_| "not UTF-8 text".to_string())?
    };
    match Script::from_source(path, source) {
        Ok(script) => Ok(script.meta),
        Err(problems) => {
            let errors: Vec<_> = problems
                .diagnostics
                .iter()
                .filter(|d| d.severity == baton_script::diagnostic::Severity::Error)
                .collect();
            let Some(first) = errors.first() else {
                return Err("the static check failed".into());
            };
            let more = match errors.len() {
                1 => String::new(),
                2 => " (and 1 more problem)".into(),
                n => format!(" (and {} more problems)", n - 1),
            };
            Err(format!(
                "line {}:{}: {}{more}",
                first.line,
                first.column,
                first.message.replace('\n', " ")
            ))
        }
    }
}

#[cfg(test)]
#[path = "library/tests.rs"]
mod tests;
