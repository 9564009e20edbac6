//! Saved workflows (SPEC §8): the nearest `.claude/workflows/` and `.baton/workflows/` up from
//! the working directory (project), then `~/.claude/workflows/` and `~/.baton/workflows/`
//! (personal). A project workflow wins a name clash. A workflow's name is its file name
//! without `.workflow.js`.

use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    Project,
    Personal,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SavedWorkflow {
    pub name: String,
    pub path: PathBuf,
    pub scope: Scope,
}

#[derive(Debug, Clone, Default)]
pub struct WorkflowLibrary {
    /// Folders in precedence order.
    folders: Vec<(PathBuf, Scope)>,
}

const SUFFIX: &str = ".workflow.js";

impl WorkflowLibrary {
    pub fn discover(cwd: &Path, home: Option<&Path>) -> Self {
        let mut folders = Vec::new();
        for kind in [".claude", ".baton"] {
            let nearest = cwd
                .ancestors()
                .map(|dir| dir.join(kind).join("workflows"))
                .find(|dir| dir.is_dir());
            if let Some(dir) = nearest {
                folders.push((dir, Scope::Project));
            }
        }
        if let Some(home) = home {
            for kind in [".claude", ".baton"] {
                let dir = home.join(kind).join("workflows");
                if dir.is_dir() && !folders.iter().any(|(f, _)| f == &dir) {
                    folders.push((dir, Scope::Personal));
                }
            }
        }
        WorkflowLibrary { folders }
    }

    /// Every saved workflow, a name listed once (the winner of a clash), sorted by name.
    pub fn list(&self) -> Vec<SavedWorkflow> {
        let mut found: Vec<SavedWorkflow> = Vec::new();
        for (folder, scope) in &self.folders {
            let Ok(entries) = std::fs::read_dir(folder) else {
                continue;
            };
            let mut here: Vec<SavedWorkflow> = entries
                .filter_map(|entry| entry.ok())
                .filter_map(|entry| {
                    let file_name = entry.file_name().to_string_lossy().into_owned();
                    let name = file_name.strip_suffix(SUFFIX)?.to_string();
                    Some(SavedWorkflow {
                        name,
                        path: entry.path(),
                        scope: *scope,
                    })
                })
                .filter(|w| !found.iter().any(|f| f.name == w.name))
                .collect();
            found.append(&mut here);
        }
        found.sort_by(|a, b| a.name.cmp(&b.name));
        found
    }

    pub fn find(&self, name: &str) -> Option<SavedWorkflow> {
        self.list().into_iter().find(|w| w.name == name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn project_wins_and_nearest_folder_is_used() {
        let root = std::env::temp_dir().join(format!("baton-lib-{}", std::process::id()));
        let home = root.join("home");
        let project = root.join("project");
        let nested = project.join("a/b");
        std::fs::create_dir_all(home.join(".claude/workflows")).unwrap();
        std::fs::create_dir_all(project.join(".claude/workflows")).unwrap();
        std::fs::create_dir_all(&nested).unwrap();
        std::fs::write(home.join(".claude/workflows/sweep.workflow.js"), "").unwrap();
        std::fs::write(home.join(".claude/workflows/mine.workflow.js"), "").unwrap();
        std::fs::write(project.join(".claude/workflows/sweep.workflow.js"), "").unwrap();
        std::fs::write(project.join(".claude/workflows/notes.txt"), "").unwrap();

        let library = WorkflowLibrary::discover(&nested, Some(&home));
        let names: Vec<(String, Scope)> = library
            .list()
            .into_iter()
            .map(|w| (w.name, w.scope))
            .collect();
        assert_eq!(
            names,
            vec![
                ("mine".to_string(), Scope::Personal),
                ("sweep".to_string(), Scope::Project)
            ]
        );
        std::fs::remove_dir_all(&root).unwrap();
    }
}
