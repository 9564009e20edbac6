//! The baton binary as the server's worker: each check, dry run, start and steering request is
//! a child process of the same executable, working in the call's workspace. This is the one
//! place that knows those commands' arguments and parses what they print, so a change of their
//! output touches only this file.
//!
//! Contracts: `baton check F --json` prints `{file, ok, meta, diagnostics}` (exit 0 ok, 1
//! problems); `baton run F --dry-run --json` prints `{ok, seeds, agents, phases, models,
//! tokens, costUsd, seconds, caps, failures}` (exit 0, 1 when a seed failed, 2 usage). A binary
//! that predates those JSON modes prints text; its exit code and stderr stand in.

use std::ffi::OsString;
use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use serde_json::{json, Value};
use tokio::process::Command;

use crate::tools::ToolError;
use crate::workspace::Workspace;

/// A safety net only: a check or a dry run on the `sim` model takes well under a second, and
/// the script's own CPU limit ends a runaway one long before this.
const VALIDATE_TIMEOUT: Duration = Duration::from_secs(120);
/// `baton stop` waits up to 15 s for the run to answer and end.
const STEER_TIMEOUT: Duration = Duration::from_secs(30);
/// `baton run --detach` waits up to 30 s for the run to appear in the journal.
const START_TIMEOUT: Duration = Duration::from_secs(45);

/// What one child process did.
struct Finished {
    code: i32,
    stdout: String,
    stderr: String,
}

pub struct BatonCli<'a> {
    pub exe: &'a Path,
    pub workspace: &'a Workspace,
}

impl BatonCli<'_> {
    async fn exec(&self, args: Vec<OsString>, limit: Duration) -> Result<Finished, ToolError> {
        let child = Command::new(self.exe)
            .args(&args)
            .current_dir(&self.workspace.dir)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            // A cancelled tool call must not leave a check or a dry run behind.
            .kill_on_drop(true)
            .spawn()
            .map_err(|e| ToolError::new(format!("cannot start {}: {e}", self.exe.display())))?;
        let output = tokio::time::timeout(limit, child.wait_with_output())
            .await
            .map_err(|_| {
                ToolError::new(format!(
                    "`baton {}` did not finish within {}s",
                    describe(&args),
                    limit.as_secs()
                ))
            })?
            .map_err(|e| ToolError::new(format!("cannot read baton's output: {e}")))?;
        Ok(Finished {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        })
    }

    /// The static check of a script file: `{ok, meta, diagnostics}`.
    pub async fn check(&self, file: &Path) -> Result<Value, ToolError> {
        let args = vec!["check".into(), file.into(), "--json".into()];
        let done = self.exec(args, VALIDATE_TIMEOUT).await?;
        if let Some(report) = json_object(&done.stdout) {
            return Ok(report);
        }
        // A binary without `check --json`: its exit code says ok, stderr holds the problems.
        let done = self
            .exec(vec!["check".into(), file.into()], VALIDATE_TIMEOUT)
            .await?;
        let diagnostics = match done.code {
            0 => vec![],
            _ => vec![json!({"severity": "error", "message": done.stderr.trim(),
                             "line": null, "column": null, "text": null})],
        };
        Ok(json!({"file": file, "ok": done.code == 0, "meta": null, "diagnostics": diagnostics}))
    }

    /// A dry run on the `sim` model with the run's own target, args and caps: `{ok, agents,
    /// phases, tokens, costUsd, failures, …}`. A usage error (bad args, an unknown model) is
    /// the caller's to fix and comes back as an error.
    pub async fn dry_run(&self, target: &OsString, flags: &[OsString]) -> Result<Value, ToolError> {
        let mut args: Vec<OsString> = vec!["run".into(), target.clone(), "--dry-run".into()];
        args.extend(flags.iter().cloned());
        // Latency is for real runs of the sim model; the estimate needs none.
        args.extend(["--sim-latency".into(), "0ms".into(), "--json".into()]);
        let done = self.exec(args, VALIDATE_TIMEOUT).await?;
        if let Some(report) = json_object(&done.stdout).filter(|r| r.get("ok").is_some()) {
            return Ok(report);
        }
        match done.code {
            0 => Ok(json!({"ok": true, "summary": done.stdout.trim(), "failures": []})),
            1 => Ok(
                json!({"ok": false, "failures": [{"seed": null, "message": last_words(&done.stderr)}]}),
            ),
            _ => Err(ToolError::new(last_words(&done.stderr))),
        }
    }

    /// Starts the run in the background (`baton run … --detach`) and returns its id once the
    /// journal has it.
    pub async fn start(&self, target: &OsString, flags: &[OsString]) -> Result<String, ToolError> {
        let mut args: Vec<OsString> = vec!["run".into(), target.clone()];
        args.extend(flags.iter().cloned());
        args.extend(["--detach".into(), "--yes".into()]);
        let done = self.exec(args, START_TIMEOUT).await?;
        let id = done
            .stdout
            .lines()
            .rev()
            .map(str::trim)
            .find(|l| l.starts_with("wf_"));
        match (done.code, id) {
            (0, Some(id)) => Ok(id.to_string()),
            _ => Err(ToolError::new(format!(
                "the run did not start: {}",
                last_words(&done.stderr)
            ))),
        }
    }

    /// `baton stop|pause|unpause <run> [--agent L]`; the run's answer on success.
    pub async fn steer(
        &self,
        verb: &str,
        run: &str,
        agent: Option<&str>,
    ) -> Result<String, ToolError> {
        let mut args: Vec<OsString> = vec![verb.into(), run.into()];
        if let Some(agent) = agent {
            args.extend(["--agent".into(), agent.into()]);
        }
        let done = self.exec(args, STEER_TIMEOUT).await?;
        let said = lines_without_prefix(&done.stderr);
        match done.code {
            0 => Ok(said),
            _ => Err(ToolError::new(said)),
        }
    }
}

/// The command line for a message, without the scratch file paths' noise.
fn describe(args: &[OsString]) -> String {
    args.iter()
        .take(3)
        .map(|a| a.to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

fn json_object(text: &str) -> Option<Value> {
    serde_json::from_str::<Value>(text.trim())
        .ok()
        .filter(Value::is_object)
}

/// What baton said on stderr, minus its `error: ` / `baton: ` prefixes.
fn lines_without_prefix(stderr: &str) -> String {
    stderr
        .lines()
        .map(|l| {
            l.strip_prefix("error: ")
                .or_else(|| l.strip_prefix("baton: "))
                .unwrap_or(l)
        })
        .filter(|l| !l.trim().is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

/// The end of stderr (progress lines come first), at most 40 lines.
fn last_words(stderr: &str) -> String {
    let text = lines_without_prefix(stderr);
    let lines: Vec<&str> = text.lines().collect();
    let from = lines.len().saturating_sub(40);
    match lines[from..].join("\n") {
        said if said.is_empty() => "baton exited without saying why".into(),
        said => said,
    }
}
