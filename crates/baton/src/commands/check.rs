//! `baton check <file>` (or a saved or built-in workflow's name): the workflow's name,
//! description and phases, and every problem the run would hit (errors) or that is likely a
//! mistake (warnings), with positions and code frames; `--json` for tools. Runs nothing. Exit 1
//! when there is an error.

use std::path::{Path, PathBuf};

use anyhow::{anyhow, Context, Result};
use baton_engine::WorkflowLibrary;
use baton_script::diagnostic::{Diagnostic, Severity};

use crate::cli::RunSettings;
use crate::exit;
use crate::extensions::{self, NO_SEARCH_BACKEND};
use crate::model_choice;
use crate::script_report::ScriptReport;
use crate::settings::Settings;
use crate::workspace::home_dir;

pub fn check(file: &Path, json: bool) -> Result<i32> {
    let (file, source) = script_text(file)?;
    let file = file.as_path();
    let mut report = ScriptReport::new(file, source.clone(), local_models().as_ref());
    report
        .diagnostics
        .extend(web_search_without_backend(&source));
    report.diagnostics.sort_by_key(|d| (d.line, d.column));
    let code = if report.ok() {
        exit::COMPLETED
    } else {
        exit::FAILED
    };
    if json {
        println!("{}", report.to_json());
        return Ok(code);
    }
    if let Some(script) = &report.script {
        print_meta(&script.meta);
    }
    for text in report.rendered(None) {
        eprintln!("{text}");
    }
    let errors = report.rendered(Some(Severity::Error)).len();
    let warnings = report.diagnostics.len() - errors;
    if !report.diagnostics.is_empty() {
        eprintln!(
            "{}: {errors} error{}, {warnings} warning{}",
            file.display(),
            plural(errors),
            plural(warnings)
        );
    }
    Ok(code)
}

/// The script at `file`, or else the saved or built-in workflow of that name (as `baton run`
/// finds it): the path that names it in messages, and its text.
fn script_text(file: &Path) -> Result<(PathBuf, String)> {
    if !file.exists() {
        let cwd = std::env::current_dir().context("cannot read the current directory")?;
        let library = WorkflowLibrary::discover(&cwd, home_dir().as_deref());
        if let Some(saved) = file.to_str().and_then(|name| library.find(name)) {
            let source = saved.source().map_err(|e| anyhow!("{e}"))?;
            return Ok((saved.path, source));
        }
    }
    let source =
        std::fs::read_to_string(file).with_context(|| format!("cannot read {}", file.display()))?;
    Ok((file.to_path_buf(), source))
}

/// A warning at each `agent()` call whose `tools` name WebSearch, when neither a search API
/// is configured here nor the default model is on Anthropic: the run would not offer it.
fn web_search_without_backend(source: &str) -> Vec<Diagnostic> {
    let asking: Vec<_> = baton_script::lint::lint(source)
        .tools
        .into_iter()
        .filter(|found| found.value.tools.iter().any(|t| t == "WebSearch"))
        .collect();
    let Ok(cwd) = std::env::current_dir() else {
        return Vec::new();
    };
    let home = home_dir();
    let available = || {
        Settings::resolve(&RunSettings::default(), &cwd, home.as_deref())
            .is_ok_and(|settings| extensions::search_available(&settings, &cwd, home.as_deref()))
    };
    if asking.is_empty() || available() {
        return Vec::new();
    }
    asking
        .into_iter()
        .map(|found| {
            let agent = found
                .value
                .label
                .map_or("this agent".to_string(), |label| format!("agent {label}"));
            Diagnostic::warning(
                format!("{agent} asks for WebSearch, but {NO_SEARCH_BACKEND}"),
                found.line,
                found.column,
            )
        })
        .collect()
}

/// The aliases of this directory's config, when it reads cleanly (a broken config is
/// `baton config`'s to report, not a problem of the script).
fn local_models() -> Option<baton_llm::ModelResolver> {
    let cwd = std::env::current_dir().ok()?;
    let settings = Settings::resolve(&RunSettings::default(), &cwd, home_dir().as_deref()).ok()?;
    model_choice::model_table(&settings)
        .ok()
        .map(|t| t.resolver)
}

fn print_meta(meta: &baton_script::meta::Meta) {
    println!("name:        {}", meta.name);
    println!("description: {}", meta.description);
    if let Some(when) = &meta.when_to_use {
        println!("when to use: {when}");
    }
    if meta.phases.is_empty() {
        println!("phases:      (none declared)");
        return;
    }
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

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}
