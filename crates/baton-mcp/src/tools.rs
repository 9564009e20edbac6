//! The tools: their names, descriptions and input schemas, and what each call does. Every
//! failure a host can cause (bad arguments, an unknown run, a broken script) is a tool error
//! with a message saying what to do; the server itself never fails a call.

use std::time::Duration;

use rmcp::handler::server::common::schema_for_type;
use rmcp::model::{Tool, ToolAnnotations};
use schemars::JsonSchema;
use serde_json::{json, Map, Value};

use crate::baton_cli::BatonCli;
use crate::inputs::{
    parse, AwaitInput, CheckInput, GuideInput, ListInput, RunRef, StatusInput, StopInput,
};
use crate::launch::{self, Progress};
use crate::runs;
use crate::server::BatonServer;
use crate::workspace::Workspace;

/// A tool call that did not work, worded for the host's model to act on, with the details
/// it can act on (a rejected script's diagnostics).
#[derive(Debug, Clone, PartialEq)]
pub struct ToolError {
    pub message: String,
    pub details: Option<Value>,
}

impl ToolError {
    pub fn new(message: impl Into<String>) -> Self {
        ToolError {
            message: message.into(),
            details: None,
        }
    }

    pub fn with_details(mut self, details: Value) -> Self {
        self.details = Some(details);
        self
    }
}

const LOG_LINES: usize = 20;
const RECENT_RUNS: usize = 20;

fn tool<T: JsonSchema + 'static>(
    name: &'static str,
    description: &'static str,
    read_only: bool,
) -> Tool {
    let mut annotations = ToolAnnotations::default();
    annotations.read_only_hint = Some(read_only);
    Tool::new(name, description, schema_for_type::<T>()).with_annotations(annotations)
}

/// Every tool, in the order hosts list them.
pub fn catalogue() -> Vec<Tool> {
    vec![
        tool::<crate::inputs::RunInput>(
            "workflow_run",
            "Run a baton workflow (a JavaScript script that fans work out to sub-agents). Give \
             exactly one of `script` (source; read `workflow_guide` first), `name` (a saved \
             workflow) or `path`. The script is checked and dry-run on the free `sim` model \
             first: a script that fails is rejected with its diagnostics and nothing runs. \
             Otherwise the run starts in the background (it outlives this server) and the \
             answer is {runId, status, phases, estimate}; then call `workflow_await` until it \
             is terminal. With background: false, waits for the result.",
            false,
        ),
        tool::<AwaitInput>(
            "workflow_await",
            "Wait up to waitMs (0–25000) for a run to end. Answers {status, returnedBecause: \
             terminal|timeout, progress: {done, running, queued, failed, tokens, costUsd}, \
             result?}. Call again while returnedBecause is timeout. A result over 100 KB is \
             served whole by the resource named in resultTooLarge.uri.",
            true,
        ),
        tool::<StatusInput>(
            "workflow_status",
            "A run in detail: phases with counts, agents (lastN, label filter), running agents \
             with their current tool call, failed agents with reasons, the log's tail.",
            true,
        ),
        tool::<StopInput>(
            "workflow_stop",
            "Stop a run (its agents are stopped, it ends `stopped`), or with `agent` (a label \
             or #N) only those agents: the script gets null for them and goes on.",
            false,
        ),
        tool::<RunRef>(
            "workflow_pause",
            "Pause a run: no new agent starts until workflow_unpause; running agents finish.",
            false,
        ),
        tool::<RunRef>(
            "workflow_unpause",
            "Let a paused run start agents again.",
            false,
        ),
        tool::<ListInput>(
            "workflow_list",
            "Saved workflows (name, scope, description, phases, whether it can run and why \
             not) and recent runs.",
            true,
        ),
        tool::<CheckInput>(
            "workflow_check",
            "Check a workflow script without running it: diagnostics with positions, its meta \
             and phases, the agent-count range and the estimate from a dry run on `sim`.",
            true,
        ),
        tool::<GuideInput>(
            "workflow_guide",
            "The guide to writing baton workflow scripts: without `topic`, the index of \
             topics; with one, that topic.",
            true,
        ),
    ]
}

/// Runs one tool call to its answer (a JSON value) or a tool error.
pub async fn call(
    server: &BatonServer,
    name: &str,
    arguments: Option<Map<String, Value>>,
    progress: Progress,
) -> Result<Value, ToolError> {
    let config = server.config();
    match name {
        "workflow_run" => launch::run(server, parse(name, arguments)?, progress).await,
        "workflow_await" => {
            let input: AwaitInput = parse(name, arguments)?;
            input.check()?;
            let workspace = Workspace::resolve(config, input.project_dir.as_deref())?;
            server.watch(&workspace);
            let store = workspace.store()?;
            let wait = Duration::from_millis(input.wait_ms);
            let (record, progress, ended) =
                runs::wait_for_end(&store, &input.run_id, Some(wait), |_| {}).await?;
            let mut answer = json!({
                "runId": record.summary.id.as_str(),
                "status": record.summary.status.as_str(),
                "returnedBecause": if ended { "terminal" } else { "timeout" },
                "progress": progress,
            });
            if ended {
                merge(&mut answer, runs::result_fields(&record));
            }
            Ok(answer)
        }
        "workflow_status" => {
            let input: StatusInput = parse(name, arguments)?;
            let workspace = Workspace::resolve(config, input.project_dir.as_deref())?;
            runs::status(
                &workspace.store()?,
                &input.run_id,
                input.last_n,
                input.label.as_deref(),
                input.log_lines.unwrap_or(LOG_LINES),
            )
        }
        "workflow_stop" => {
            let input: StopInput = parse(name, arguments)?;
            steer(
                server,
                "stop",
                &input.run_id,
                input.agent.as_deref(),
                input.project_dir,
            )
            .await
        }
        "workflow_pause" | "workflow_unpause" => {
            let input: RunRef = parse(name, arguments)?;
            let verb = name.trim_start_matches("workflow_");
            steer(server, verb, &input.run_id, None, input.project_dir).await
        }
        "workflow_list" => {
            let input: ListInput = parse(name, arguments)?;
            let workspace = Workspace::resolve(config, input.project_dir.as_deref())?;
            let workflows: Vec<Value> = workspace
                .library(config)
                .catalog()
                .iter()
                .filter(|entry| entry.shadowed_by.is_none())
                .map(crate::outputs::catalog_entry)
                .collect();
            // No journal yet simply means no runs yet.
            let recent = match workspace.store() {
                Ok(store) => runs::recent(&store, input.runs.unwrap_or(RECENT_RUNS))?,
                Err(_) => vec![],
            };
            Ok(json!({"workflows": workflows, "runs": recent}))
        }
        "workflow_check" => {
            let input: CheckInput = parse(name, arguments)?;
            let workspace = Workspace::resolve(config, input.project_dir.as_deref())?;
            launch::check_only(server, &workspace, &input).await
        }
        "workflow_guide" => {
            let input: GuideInput = parse(name, arguments)?;
            baton_guide::render(input.topic.as_deref())
                .map(Value::String)
                .map_err(ToolError::new)
        }
        other => Err(ToolError::new(format!(
            "no tool `{other}`; the tools are workflow_run, workflow_await, workflow_status, \
             workflow_stop, workflow_pause, workflow_unpause, workflow_list, workflow_check, \
             workflow_guide"
        ))),
    }
}

async fn steer(
    server: &BatonServer,
    verb: &str,
    run_id: &str,
    agent: Option<&str>,
    project_dir: Option<String>,
) -> Result<Value, ToolError> {
    let workspace = Workspace::resolve(server.config(), project_dir.as_deref())?;
    // An unknown run is named as such, before any process starts.
    runs::run(&workspace.store()?, run_id)?;
    let cli = BatonCli {
        exe: &server.config().exe,
        workspace: &workspace,
    };
    let said = cli.steer(verb, run_id, agent).await?;
    let record = runs::run(&workspace.store()?, run_id)?;
    Ok(json!({
        "runId": run_id,
        "status": record.summary.status.as_str(),
        "outcome": said,
    }))
}

/// Adds `extra`'s fields to `answer`.
pub fn merge(answer: &mut Value, extra: Value) {
    if let (Some(answer), Value::Object(extra)) = (answer.as_object_mut(), extra) {
        answer.extend(extra);
    }
}
