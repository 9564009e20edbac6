//! `baton show <run>`: one run at a glance: status, timing, phases, every agent of its latest
//! attempt with tokens and cost, failures with their reasons, the error; or one JSON object.

use anyhow::Result;
use baton_journal::{CallRecord, CallStatus, LogRecord, RunRecord};
use baton_model::RunStatus;
use serde_json::{json, Value};

use crate::accounting::Accounting;
use crate::commands::journal_view::{
    call_name, emit, format_cost, format_duration, format_time, format_tokens, hint, open_store,
    run_duration_ms, total_tokens, Table,
};
use crate::commands::runs::summary_json;
use crate::cost_split::pricing_here;
use crate::exit;
use crate::workspace::home_dir;

pub fn show(run: &str, json: bool) -> Result<i32> {
    let store = open_store()?;
    let here = std::env::current_dir()?;
    let pricing = pricing_here(&here, home_dir().as_deref());
    let accounting = Accounting::read(&store, run, &pricing)?;
    let record = &accounting.record;
    let calls = store.calls(run, Some(record.summary.attempt))?;
    let logs = store.logs(run)?;
    let phases = phases(record, &calls, &logs);
    if json {
        let text = serde_json::to_string_pretty(&as_json(&accounting, &calls, &phases))?;
        emit(&format!("{text}\n"))?;
    } else {
        emit(&as_text(&accounting, &calls, &phases))?;
    }
    Ok(exit::COMPLETED)
}

/// The phases of the latest attempt in the order they began, with how many of its agents ran
/// in each. A phase named only by an agent's `phase` option still shows; so do agents outside
/// any phase, as `(none)`.
fn phases(record: &RunRecord, calls: &[CallRecord], logs: &[LogRecord]) -> Vec<(String, usize)> {
    let attempt = record.summary.attempt;
    let mut titles: Vec<String> = Vec::new();
    let started = logs
        .iter()
        .filter(|log| log.attempt == attempt && log.level.is_none())
        .map(|log| log.text.clone());
    let named = calls
        .iter()
        .map(|c| c.phase.clone().unwrap_or_else(|| "(none)".into()));
    for title in started.chain(named) {
        if !titles.contains(&title) {
            titles.push(title);
        }
    }
    titles
        .into_iter()
        .map(|title| {
            let in_phase = |c: &&CallRecord| c.phase.as_deref().unwrap_or("(none)") == title;
            let agents = calls.iter().filter(in_phase).count();
            (title, agents)
        })
        .collect()
}

fn failures(calls: &[CallRecord]) -> impl Iterator<Item = &CallRecord> {
    calls
        .iter()
        .filter(|c| matches!(c.status, CallStatus::Null | CallStatus::Rejected))
}

fn as_text(accounting: &Accounting, calls: &[CallRecord], phases: &[(String, usize)]) -> String {
    let record = &accounting.record;
    let summary = &record.summary;
    let mut out = String::new();
    let mut field = |name: &str, value: String| out.push_str(&format!("{name:<10}{value}\n"));
    field("run", summary.id.to_string());
    field(
        "workflow",
        format!("{} ({})", summary.workflow, record.start.script_path),
    );
    field("status", summary.status.as_str().to_string());
    field(
        "started",
        format!("{} UTC", format_time(summary.started_at_ms)),
    );
    if let Some(ended) = summary.ended_at_ms {
        field("ended", format!("{} UTC", format_time(ended)));
    }
    if let Some(ms) = run_duration_ms(summary) {
        field("duration", format_duration(ms));
    }
    field("attempts", summary.attempt.to_string());
    field("model", record.start.model.clone());
    if let Some(args) = &record.start.args {
        field("args", args.to_string());
    }
    if let Some(earlier) = &record.start.resumed_from {
        field("reuses", format!("the finished agents of {earlier}"));
    }

    if !phases.is_empty() {
        out.push_str("\nphases\n");
        let mut table = Table::new(&[("phase", false), ("agents", true)]);
        for (title, agents) in phases {
            table.row(vec![title.clone(), agents.to_string()]);
        }
        out.push_str(&table.render("  "));
    }

    if !calls.is_empty() {
        let attempt = if summary.attempt > 1 {
            format!(" (attempt {})", summary.attempt)
        } else {
            String::new()
        };
        out.push_str(&format!("\nagents{attempt}\n"));
        let going = matches!(summary.status, RunStatus::Running | RunStatus::Paused);
        out.push_str(&agents_table(calls, going).render("  "));
        if accounting.cached > 0 {
            out.push_str("  cached: answered from the journal; (tokens) and (cost) were paid by an earlier attempt or run\n");
        }
    }

    // The closing line's words: `runs`, `show` and the run itself say the same numbers.
    out.push_str(&format!(
        "\ntotal     {} · {}\n",
        accounting.agents_words(),
        accounting.spend_words()
    ));

    let failed: Vec<&CallRecord> = failures(calls).collect();
    if !failed.is_empty() {
        out.push_str("\nfailures\n");
        for call in failed {
            let reason = call.reason.as_deref().unwrap_or("no reason recorded");
            out.push_str(&format!(
                "  #{} {} ({}): {reason}\n",
                call.seq,
                call_name(call),
                call.status.as_str()
            ));
        }
    }
    if let Some(error) = &record.error {
        out.push_str(&format!("\nerror\n  {}\n", error.replace('\n', "\n  ")));
    }
    out.push_str(&format!("\nhint: {}\n", hint(record)));
    out
}

/// `going`: whether the run is still running (or paused).
fn agents_table(calls: &[CallRecord], going: bool) -> Table {
    let mut table = Table::new(&[
        ("seq", true),
        ("label", false),
        ("phase", false),
        ("status", false),
        ("tokens", true),
        ("cost", true),
        ("elapsed", true),
    ]);
    for call in calls {
        // The journal says `running` until an agent ends; in a run that is no longer going,
        // such an agent never will.
        let (status, elapsed_unknown) = match call.status {
            CallStatus::Running if !going => ("unfinished", "-"),
            CallStatus::Running => ("running", "…"),
            // Ended in the queue: it never ran, whatever ended it.
            CallStatus::Null | CallStatus::Rejected if !call.ran => ("not started", "-"),
            other => (other.as_str(), ""),
        };
        let tokens = format_tokens(total_tokens(&call.usage));
        let cost = format_cost(call.usage.cost_usd);
        // A cached call did no work now: its numbers are the original's, shown bracketed so
        // nobody adds them up twice.
        let (tokens, cost) = match call.status {
            CallStatus::Cached => (
                format!("({tokens})"),
                if cost.is_empty() {
                    cost
                } else {
                    format!("({cost})")
                },
            ),
            _ => (tokens, cost),
        };
        table.row(vec![
            call.seq.to_string(),
            call.label.clone().unwrap_or_default(),
            call.phase.clone().unwrap_or_default(),
            status.to_string(),
            tokens,
            cost,
            call.elapsed_ms
                .map_or_else(|| elapsed_unknown.into(), format_duration),
        ]);
    }
    table
}

fn as_json(accounting: &Accounting, calls: &[CallRecord], phases: &[(String, usize)]) -> Value {
    let record = &accounting.record;
    let mut object = summary_json(&record.summary);
    let calls_json: Vec<Value> = calls.iter().map(call_json).collect();
    let failures: Vec<Value> = failures(calls)
        .map(|c| json!({"seq": c.seq, "label": c.label, "status": c.status.as_str(), "reason": c.reason}))
        .collect();
    let extra = json!({
        "script_path": record.start.script_path,
        "script_hash": record.start.script_hash,
        "cwd": record.start.cwd,
        "model": record.start.model,
        "args": record.start.args,
        "resumed_from": record.start.resumed_from.as_ref().map(|id| id.as_str()),
        "ended": record.summary.ended_at_ms.map(format_time),
        "phases": phases.iter().map(|(title, agents)| json!({"title": title, "agents": agents})).collect::<Vec<_>>(),
        "calls": calls_json,
        "cached": accounting.cached,
        "never_started": accounting.never_started,
        "cost_split": accounting.split.to_json(),
        "failures": failures,
        "error": record.error,
        "has_result": record.result.is_some(),
    });
    if let (Value::Object(map), Value::Object(more)) = (&mut object, extra) {
        map.extend(more);
    }
    object
}

/// A call without its prompt (which can be huge; `baton logs --agent` prints it).
fn call_json(call: &CallRecord) -> Value {
    json!({
        "seq": call.seq,
        "attempt": call.attempt,
        "key": call.key.0,
        "occurrence": call.occurrence,
        "label": call.label,
        "phase": call.phase,
        "model": call.model,
        "status": call.status.as_str(),
        "reason": call.reason,
        "usage": call.usage,
        "started_at_ms": call.started_at_ms,
        "elapsed_ms": call.elapsed_ms,
        "ran": call.ran,
        "prompt_chars": call.prompt.chars().count(),
    })
}
