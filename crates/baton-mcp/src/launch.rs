//! `workflow_run` and `workflow_check`: a script from the call (or a saved name, or a file) is
//! checked, dry-run on `sim` with the call's args and caps, and only then started as a
//! detached `baton run`. Caps from the call are narrowed to what the settings allow: a host
//! can ask for less than the user configured, never more.

use std::ffi::OsString;
use std::path::PathBuf;

use baton_engine::Scope;
use rmcp::model::{ProgressNotificationParam, ProgressToken};
use rmcp::service::Peer;
use rmcp::RoleServer;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::baton_cli::BatonCli;
use crate::inputs::{CheckInput, RunInput, Source};
use crate::runs;
use crate::server::BatonServer;
use crate::tools::{merge, ToolError};
use crate::workspace::Workspace;
use crate::Limits;

/// Where a waiting `workflow_run` reports progress: the client's token, if it sent one.
#[derive(Clone, Default)]
pub struct Progress(pub Option<(Peer<RoleServer>, ProgressToken)>);

impl Progress {
    fn report(&self, progress: &Value) {
        let Some((peer, token)) = self.0.clone() else {
            return;
        };
        let number = |k: &str| progress[k].as_u64().unwrap_or(0);
        let done = number("done") + number("failed");
        let total = done + number("running") + number("queued");
        let message = format!(
            "{done} of {total} agents finished, {} running, {} queued",
            number("running"),
            number("queued")
        );
        let param = ProgressNotificationParam::new(token, done as f64)
            .with_total(total as f64)
            .with_message(message);
        tokio::spawn(async move {
            // A client that has gone away cannot be told; the run goes on regardless.
            let _ = peer.notify_progress(param).await;
        });
    }
}

pub async fn run(
    server: &BatonServer,
    input: RunInput,
    progress: Progress,
) -> Result<Value, ToolError> {
    let config = server.config();
    let source = input.source()?;
    let workspace = Workspace::resolve(config, input.project_dir.as_deref())?;
    let file = script_file(server, &workspace, &source)?;
    let cli = BatonCli {
        exe: &config.exe,
        workspace: &workspace,
    };
    let check = cli.check(&file).await?;
    if check["ok"] != json!(true) {
        return Err(rejected("the script does not pass the check", &check));
    }
    let limits = (config.limits)(&workspace.dir).map_err(ToolError::new)?;
    let (mut flags, narrowed) = cap_flags(&input, &limits);
    if let Some(args) = &input.args {
        flags.extend([
            "--args-file".into(),
            scratch(&workspace, "args", ".json", &args.to_string())?.into(),
        ]);
    }
    let target: OsString = file.clone().into();
    let estimate = cli.dry_run(&target, &flags).await?;
    if estimate["ok"] != json!(true) {
        return Err(rejected("the dry run on the sim model failed", &estimate));
    }
    if let Some(model) = &input.model {
        flags.extend(["--model".into(), model.into()]);
    }
    if let Some(earlier) = &input.resume_from {
        flags.extend(["--resume-from".into(), earlier.into()]);
    }
    let run_id = cli.start(&target, &flags).await?;
    server.watch(&workspace);
    let store = workspace.store()?;
    let record = runs::run(&store, &run_id)?;
    let mut answer = json!({
        "runId": run_id,
        "status": record.summary.status.as_str(),
        "phases": phases(&check, &estimate),
        "estimate": without(&estimate, &["ok", "phases", "failures"]),
    });
    if !narrowed.is_empty() {
        answer["narrowed"] = json!(narrowed);
    }
    if input.background == Some(false) {
        let (record, now, _) =
            runs::wait_for_end(&store, &run_id, None, |p| progress.report(p)).await?;
        answer["status"] = json!(record.summary.status.as_str());
        answer["progress"] = now;
        merge(&mut answer, runs::result_fields(&record));
    }
    Ok(answer)
}

/// `workflow_check`: the check, then (when it passes) the dry run; nothing is started.
pub async fn check_only(
    server: &BatonServer,
    workspace: &Workspace,
    input: &CheckInput,
) -> Result<Value, ToolError> {
    let file = scratch(workspace, "script", ".workflow.js", &input.script)?;
    let cli = BatonCli {
        exe: &server.config().exe,
        workspace,
    };
    let check = cli.check(&file).await?;
    let mut answer = json!({
        "ok": check["ok"],
        "diagnostics": check["diagnostics"],
        "meta": check["meta"],
    });
    if check["ok"] == json!(true) {
        let mut flags: Vec<OsString> = Vec::new();
        if let Some(args) = &input.args {
            flags.extend([
                "--args-file".into(),
                scratch(workspace, "args", ".json", &args.to_string())?.into(),
            ]);
        }
        let estimate = cli.dry_run(&file.clone().into(), &flags).await?;
        answer["ok"] = estimate["ok"].clone();
        answer["phases"] = phases(&check, &estimate);
        answer["agents"] = estimate["agents"].clone();
        answer["failures"] = estimate["failures"].clone();
        answer["estimate"] = without(&estimate, &["ok", "phases", "failures"]);
    }
    Ok(answer)
}

/// The file the binary checks and runs: the call's source written to the journal's scratch
/// folder, a saved workflow's file, or the named file.
fn script_file(
    server: &BatonServer,
    workspace: &Workspace,
    source: &Source,
) -> Result<PathBuf, ToolError> {
    match source {
        Source::Script(text) => scratch(workspace, "script", ".workflow.js", text),
        Source::Name(name) => {
            let saved = workspace
                .library(server.config())
                .find(name)
                .ok_or_else(|| {
                    ToolError::new(format!(
                        "no saved workflow named `{name}`; workflow_list shows the saved workflows"
                    ))
                })?;
            if saved.scope != Scope::BuiltIn {
                return Ok(saved.path);
            }
            // A built-in workflow has no file of its own; the binary runs a copy.
            let text = saved.source().map_err(ToolError::new)?;
            scratch(workspace, name, ".workflow.js", &text)
        }
        Source::Path(path) => {
            let path = workspace.dir.join(path);
            if path.is_file() {
                Ok(path)
            } else {
                Err(ToolError::new(format!("no file {}", path.display())))
            }
        }
    }
}

/// Writes `text` under a name made from its hash (the same script is one file however often
/// it is sent) and returns the path.
fn scratch(
    workspace: &Workspace,
    kind: &str,
    suffix: &str,
    text: &str,
) -> Result<PathBuf, ToolError> {
    let dir = workspace.scratch_dir();
    std::fs::create_dir_all(&dir)
        .map_err(|e| ToolError::new(format!("cannot create {}: {e}", dir.display())))?;
    let hash = Sha256::digest(text.as_bytes());
    let short: String = hash.iter().take(6).map(|b| format!("{b:02x}")).collect();
    let path = dir.join(format!("{kind}-{short}{suffix}"));
    std::fs::write(&path, text)
        .map_err(|e| ToolError::new(format!("cannot write {}: {e}", path.display())))?;
    Ok(path)
}

/// The cap flags for the call, each at most what the settings allow, and a note for every cap
/// asked for above that.
fn cap_flags(input: &RunInput, limits: &Limits) -> (Vec<OsString>, Vec<String>) {
    let mut flags: Vec<OsString> = Vec::new();
    let mut narrowed = Vec::new();
    let mut pass = |flag: &str, asked: Option<f64>, allowed: Option<f64>, name: &str| {
        let value = match (asked, allowed) {
            (Some(asked), Some(allowed)) if asked > allowed => {
                narrowed.push(format!(
                    "{name} {asked} is above the configured {allowed}; {allowed} applies"
                ));
                allowed
            }
            (Some(asked), _) => asked,
            (None, _) => return,
        };
        flags.extend([flag.into(), value.to_string().into()]);
    };
    pass(
        "--max-agents",
        input.max_agents.map(|n| n as f64),
        Some(limits.max_agents as f64),
        "maxAgents",
    );
    pass(
        "--concurrency",
        input.concurrency.map(f64::from),
        Some(f64::from(limits.concurrency)),
        "concurrency",
    );
    pass(
        "--budget-tokens",
        input.budget_tokens.map(|n| n as f64),
        limits.budget_tokens.map(|n| n as f64),
        "budgetTokens",
    );
    pass(
        "--max-cost-usd",
        input.max_cost_usd,
        limits.max_cost_usd,
        "maxCostUsd",
    );
    (flags, narrowed)
}

/// The phases from the check's `meta`, with the dry run's agent counts where it has them.
fn phases(check: &Value, estimate: &Value) -> Value {
    match estimate.get("phases") {
        Some(Value::Array(counted)) if !counted.is_empty() => Value::Array(counted.clone()),
        _ => check["meta"]["phases"].clone(),
    }
}

fn without(value: &Value, keys: &[&str]) -> Value {
    let mut value = value.clone();
    if let Some(map) = value.as_object_mut() {
        for key in keys {
            map.remove(*key);
        }
    }
    value
}

/// A script refused before it ran, with what the check or the dry run found.
fn rejected(why: &str, report: &Value) -> ToolError {
    let mut lines = vec![format!(
        "{why}; nothing was run. Fix the script and call workflow_run again."
    )];
    for d in report["diagnostics"].as_array().into_iter().flatten() {
        let at = match (d["line"].as_u64(), d["column"].as_u64()) {
            (Some(line), Some(column)) => format!("line {line}:{column}: "),
            _ => String::new(),
        };
        lines.push(format!(
            "{}: {at}{}",
            d["severity"].as_str().unwrap_or("error"),
            d["message"].as_str().unwrap_or("")
        ));
    }
    for f in report["failures"].as_array().into_iter().flatten() {
        lines.push(format!("dry run: {}", f["message"].as_str().unwrap_or("")));
    }
    ToolError::new(lines.join("\n")).with_details(report.clone())
}
