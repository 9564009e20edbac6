//! `baton check <file>`: the workflow's name, description and phases, or every problem found
//! with its position and a code frame. Runs nothing.

use std::path::Path;

use anyhow::{Context, Result};
use baton_script::Script;

use crate::exit;

pub fn check(file: &Path) -> Result<i32> {
    let source =
        std::fs::read_to_string(file).with_context(|| format!("cannot read {}", file.display()))?;
    let script = match Script::from_source(file, source) {
        Ok(script) => script,
        Err(problems) => {
            eprintln!("{}", problems.render());
            let count = problems.diagnostics.len();
            eprintln!(
                "{}: {count} problem{}",
                file.display(),
                if count == 1 { "" } else { "s" }
            );
            return Ok(exit::USAGE);
        }
    };
    let meta = &script.meta;
    println!("name:        {}", meta.name);
    println!("description: {}", meta.description);
    if let Some(when) = &meta.when_to_use {
        println!("when to use: {when}");
    }
    if meta.phases.is_empty() {
        println!("phases:      (none declared)");
    } else {
        println!("phases:");
        for (i, phase) in meta.phases.iter().enumerate() {
            let detail = phase
                .detail
                .as_deref()
                .map(|d| format!(" — {d}"))
                .unwrap_or_default();
            let model = phase
                .model
                .as_deref()
                .map(|m| format!(" ({m})"))
                .unwrap_or_default();
            println!("  {}. {}{model}{detail}", i + 1, phase.title);
        }
    }
    let name = file.display().to_string();
    for warning in &script.warnings {
        eprintln!("{}", warning.render(&name, &script.source));
    }
    Ok(exit::COMPLETED)
}
