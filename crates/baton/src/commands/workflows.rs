//! `baton workflows`: the saved workflows this directory can run (name, scope, description,
//! phases), then the copies another one shadows and the files that cannot run, with why; or
//! every file as one JSON array.

use std::path::Path;

use anyhow::{Context, Result};
use baton_engine::{CatalogEntry, WorkflowLibrary};
use serde_json::{json, Value};

use crate::commands::journal_view::{emit, Table};
use crate::exit;
use crate::workspace::home_dir;

/// Descriptions longer than this are cut in the table (`--json` has them whole).
const DESCRIPTION_WIDTH: usize = 60;

pub fn workflows(json: bool) -> Result<i32> {
    let cwd = std::env::current_dir().context("cannot read the current directory")?;
    let home = home_dir();
    let catalog = WorkflowLibrary::discover(&cwd, home.as_deref()).catalog();
    let places = Places {
        cwd: &cwd,
        home: home.as_deref(),
    };
    if json {
        let list: Vec<Value> = catalog.iter().map(entry_json).collect();
        emit(&format!("{}\n", serde_json::to_string_pretty(&list)?))?;
        return Ok(exit::COMPLETED);
    }
    if catalog.is_empty() {
        eprintln!(
            "no saved workflows here: put <name>.workflow.js files in .baton/workflows/ or .claude/workflows/ (of this project, or of your home for every project), or save a run's script with `baton save <run> --name <name>`"
        );
        return Ok(exit::COMPLETED);
    }
    // Without a runnable one there is no table, and the first section needs no blank line.
    emit(as_text(&catalog, &places).trim_start_matches('\n'))?;
    Ok(exit::COMPLETED)
}

fn as_text(catalog: &[CatalogEntry], places: &Places) -> String {
    let mut out = String::new();
    let runnable: Vec<&CatalogEntry> = catalog.iter().filter(|e| e.is_runnable()).collect();
    if !runnable.is_empty() {
        let mut table = Table::new(&[
            ("name", false),
            ("scope", false),
            ("description", false),
            ("phases", false),
        ]);
        for entry in runnable {
            let Ok(meta) = &entry.meta else { continue };
            let phases: Vec<&str> = meta.phases.iter().map(|p| p.title.as_str()).collect();
            table.row(vec![
                entry.workflow.name.clone(),
                entry.workflow.scope.as_str().to_string(),
                cut(&meta.description, DESCRIPTION_WIDTH),
                if phases.is_empty() {
                    "-".into()
                } else {
                    phases.join(", ")
                },
            ]);
        }
        out.push_str(&table.render(""));
    }

    let shadowed: Vec<&CatalogEntry> = catalog
        .iter()
        .filter(|e| e.shadowed_by.is_some() && e.meta.is_ok())
        .collect();
    if !shadowed.is_empty() {
        out.push_str("\nshadowed (another copy of the name wins)\n");
        for entry in shadowed {
            let winner = entry.shadowed_by.as_ref().expect("filtered on shadowed_by");
            out.push_str(&format!(
                "  {}  {}  {}: the {} copy {} wins\n",
                entry.workflow.name,
                entry.workflow.scope.as_str(),
                places.show(&entry.workflow.path),
                winner.scope.as_str(),
                places.show(&winner.path)
            ));
        }
    }

    let broken: Vec<&CatalogEntry> = catalog.iter().filter(|e| e.meta.is_err()).collect();
    if !broken.is_empty() {
        out.push_str("\ncannot run (fix the file; `baton check <file>` shows every problem)\n");
        for entry in broken {
            let reason = entry.meta.as_ref().err().map_or("", String::as_str);
            out.push_str(&format!(
                "  {}  {}  {}: {reason}\n",
                entry.workflow.name,
                entry.workflow.scope.as_str(),
                places.show(&entry.workflow.path),
            ));
        }
    }
    out
}

fn entry_json(entry: &CatalogEntry) -> Value {
    let workflow = &entry.workflow;
    let (description, when_to_use, phases, error) = match &entry.meta {
        Ok(meta) => (
            Some(meta.description.clone()),
            meta.when_to_use.clone(),
            meta.phases
                .iter()
                .map(|p| json!({"title": p.title, "detail": p.detail, "model": p.model}))
                .collect(),
            None,
        ),
        Err(reason) => (None, None, Vec::new(), Some(reason.clone())),
    };
    json!({
        "name": workflow.name,
        "scope": workflow.scope.as_str(),
        "path": workflow.path,
        "runnable": entry.is_runnable(),
        "description": description,
        "when_to_use": when_to_use,
        "phases": phases,
        "error": error,
        "shadowed_by": entry.shadowed_by.as_ref().map(|w| &w.path),
    })
}

/// The first line of `text`, at most `width` characters (the last one `…` when cut).
fn cut(text: &str, width: usize) -> String {
    let line = text.lines().next().unwrap_or("").trim_end();
    let cut_here = line.chars().count() > width || text.trim_end().contains('\n');
    if !cut_here {
        return line.to_string();
    }
    let kept: String = line.chars().take(width - 1).collect();
    format!("{}…", kept.trim_end())
}

/// Paths as a person would write them: relative below the current directory, `~/…` in the
/// home directory, else whole.
struct Places<'a> {
    cwd: &'a Path,
    home: Option<&'a Path>,
}

impl Places<'_> {
    fn show(&self, path: &Path) -> String {
        if let Ok(relative) = path.strip_prefix(self.cwd) {
            return relative.display().to_string();
        }
        if let Some(relative) = self.home.and_then(|home| path.strip_prefix(home).ok()) {
            return format!("~/{}", relative.display());
        }
        path.display().to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_and_multi_line_descriptions_are_cut() {
        assert_eq!(cut("short", 10), "short");
        assert_eq!(cut("exactly 10", 10), "exactly 10");
        assert_eq!(cut("a little too long", 10), "a little…");
        assert_eq!(cut("first\nsecond", 10), "first…");
        assert_eq!(cut("", 10), "");
    }
}
