//! `baton runs`: the journal's runs, newest first, as a table or one JSON array.

use anyhow::Result;
use baton_journal::{JournalError, RunSummary};
use serde_json::{json, Value};

use crate::commands::journal_view::{
    emit, format_cost, format_duration, format_time, format_tokens, open_store, run_duration_ms,
    total_tokens, Table,
};
use crate::exit;

pub fn runs(json: bool) -> Result<i32> {
    let runs = match open_store().and_then(|store| Ok(store.runs()?)) {
        Ok(runs) => runs,
        // No journal is not an error here: it is the answer ("no runs yet"). A damaged or
        // unreadable one still is.
        Err(error) => match error.downcast_ref::<JournalError>() {
            Some(JournalError::Missing { path }) => {
                if json {
                    emit("[]\n")?;
                } else {
                    let dir = path.parent().unwrap_or(path);
                    eprintln!(
                        "no runs recorded in {} yet; start one with `baton run <file>`",
                        dir.display()
                    );
                }
                return Ok(exit::COMPLETED);
            }
            _ => return Err(error),
        },
    };
    if json {
        let list: Vec<Value> = runs.iter().map(summary_json).collect();
        emit(&format!("{}\n", serde_json::to_string_pretty(&list)?))?;
        return Ok(exit::COMPLETED);
    }
    if runs.is_empty() {
        eprintln!("no runs recorded yet; start one with `baton run <file>`");
        return Ok(exit::COMPLETED);
    }
    emit(&table(&runs))?;
    Ok(exit::COMPLETED)
}

fn table(runs: &[RunSummary]) -> String {
    // The attempts column only appears once some run was resumed: most lists never need it.
    let resumed = runs.iter().any(|run| run.attempt > 1);
    let mut columns = vec![
        ("id", false),
        ("status", false),
        ("workflow", false),
        ("started (UTC)", false),
        ("duration", true),
        ("agents", true),
        ("tokens", true),
        ("cost", true),
    ];
    if resumed {
        columns.push(("attempts", true));
    }
    let mut table = Table::new(&columns);
    for run in runs {
        let mut cells = vec![
            run.id.to_string(),
            run.status.as_str().to_string(),
            run.workflow.clone(),
            format_time(run.started_at_ms),
            run_duration_ms(run).map_or_else(|| "-".into(), format_duration),
            run.agents.to_string(),
            format_tokens(total_tokens(&run.usage)),
            format_cost(run.usage.cost_usd),
        ];
        if resumed {
            cells.push(if run.attempt > 1 {
                run.attempt.to_string()
            } else {
                String::new()
            });
        }
        table.row(cells);
    }
    table.render("")
}

/// One run as `--json` shows it; `show --json` starts from the same fields.
pub fn summary_json(run: &RunSummary) -> Value {
    json!({
        "id": run.id.as_str(),
        "status": run.status.as_str(),
        "workflow": run.workflow,
        "started_at_ms": run.started_at_ms,
        "started": format_time(run.started_at_ms),
        "ended_at_ms": run.ended_at_ms,
        "duration_ms": run_duration_ms(run),
        "attempts": run.attempt,
        "agents": run.agents,
        "tokens": total_tokens(&run.usage),
        "usage": run.usage,
        "cost_usd": run.usage.cost_usd,
    })
}
