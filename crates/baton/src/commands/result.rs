//! `baton result <run>`: the run's returned value, whole, as pretty JSON on stdout.
//!
//! A run that has no result (failed, stopped, crashed, still going) exits 1, not 2: the run
//! id was right and the journal readable, so nothing about the command was wrong; the run
//! just did not return. Exit 2 stays for what the user typed or configured (an unknown run id,
//! no or a damaged journal), as everywhere else.

use anyhow::Result;
use baton_model::RunStatus;

use crate::commands::journal_view::{emit, open_store};
use crate::exit;

pub fn result(run: &str) -> Result<i32> {
    let store = open_store()?;
    let record = store.run(run)?;
    let id = &record.summary.id;
    let problem = match (record.summary.status, &record.result) {
        (RunStatus::Completed, Some(value)) => {
            let text = serde_json::to_string_pretty(value).unwrap_or_else(|_| value.to_string());
            emit(&format!("{text}\n"))?;
            return Ok(exit::COMPLETED);
        }
        (RunStatus::Completed, None) => format!(
            "run {id} completed, but its result was not recorded in the journal \
             (the journal stopped writing during the run); `baton resume {id}` runs it again, \
             reusing finished agents"
        ),
        (RunStatus::Failed, _) => {
            let error = record.error.as_deref().unwrap_or("no error was recorded");
            // The error may be a multi-line positioned message; its first line says what.
            let first = error.lines().next().unwrap_or(error);
            format!(
                "run {id} failed, so it has no result: {first}; `baton logs {id}` shows its log, and \
                 after fixing the cause `baton resume {id}` runs it again, reusing finished agents"
            )
        }
        (RunStatus::Stopped, _) => format!(
            "run {id} was stopped before it returned a result{}; `baton resume {id}` runs it \
             again, reusing finished agents",
            record
                .error
                .as_deref()
                .map(|e| format!(" ({e})"))
                .unwrap_or_default()
        ),
        (RunStatus::Interrupted, _) => format!(
            "run {id} was interrupted{} before it returned a result; `baton resume {id}` \
             continues it, reusing finished agents",
            record
                .error
                .as_deref()
                .map(|e| format!(" ({e})"))
                .unwrap_or_default()
        ),
        (RunStatus::Crashed, _) => format!(
            "run {id} crashed (its process is gone) before it returned a result; \
             `baton resume {id}` continues it, reusing finished agents"
        ),
        (RunStatus::Running, _) => format!(
            "run {id} is still running and has no result yet; `baton show {id}` shows how far \
             it got"
        ),
        (RunStatus::Paused, _) => {
            format!(
                "run {id} is paused and has no result yet; `baton show {id}` shows how far it got"
            )
        }
    };
    eprintln!("error: {problem}");
    Ok(exit::FAILED)
}
