//! Where a tool call works: the server's directory, or the `projectDir` it names (which must
//! exist), with that directory's journal and saved workflows.

use std::path::{Path, PathBuf};

use baton_engine::WorkflowLibrary;
use baton_journal::Store;

use crate::tools::ToolError;
use crate::McpConfig;

#[derive(Debug, Clone)]
pub struct Workspace {
    pub dir: PathBuf,
    pub journal_dir: PathBuf,
}

impl Workspace {
    /// The server's directory, or `project_dir` when given: it must be an existing directory.
    pub fn resolve(config: &McpConfig, project_dir: Option<&str>) -> Result<Workspace, ToolError> {
        let dir = match project_dir {
            None => config.cwd.clone(),
            Some(given) => {
                let path = Path::new(given);
                if !path.is_absolute() {
                    return Err(ToolError::new(format!(
                        "projectDir `{given}` is not an absolute path; give the project's full \
                         path"
                    )));
                }
                if !path.is_dir() {
                    return Err(ToolError::new(format!(
                        "projectDir `{given}` is not an existing directory"
                    )));
                }
                path.canonicalize().unwrap_or_else(|_| path.to_path_buf())
            }
        };
        Ok(Workspace {
            journal_dir: (config.journal_dir)(&dir),
            dir,
        })
    }

    /// The journal, opened for reading (created empty when no run has been recorded yet).
    pub fn store(&self) -> Result<Store, ToolError> {
        Store::open(&self.journal_dir).map_err(|e| ToolError::new(format!("{e}")))
    }

    pub fn library(&self, config: &McpConfig) -> WorkflowLibrary {
        WorkflowLibrary::discover(&self.dir, config.home.as_deref())
    }

    /// Where scripts and args handed over by tool calls are written for the binary to read.
    pub fn scratch_dir(&self) -> PathBuf {
        self.journal_dir.join("mcp")
    }
}
