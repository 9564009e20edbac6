//! The resources: saved workflows (`baton://workflows/<name>`, the script) and the results of
//! ended runs (`baton://runs/<id>/result`, JSON), in the server's workspace and every
//! `projectDir` a call has used.

use baton_journal::Store;
use rmcp::model::{ErrorData, Resource, ResourceContents, ResourceTemplate};

use crate::runs::{is_terminal, result_uri};
use crate::workspace::Workspace;
use crate::McpConfig;

const WORKFLOW_PREFIX: &str = "baton://workflows/";
const RUN_PREFIX: &str = "baton://runs/";
/// Runs listed per workspace; older results stay readable by URI.
const LISTED_RUNS: usize = 50;

pub fn templates() -> Vec<ResourceTemplate> {
    vec![
        ResourceTemplate::new("baton://workflows/{name}", "saved workflow")
            .with_description("A saved workflow's script, by name.")
            .with_mime_type("text/javascript"),
        ResourceTemplate::new("baton://runs/{runId}/result", "run result")
            .with_description("The value an ended run returned, whole, as JSON.")
            .with_mime_type("application/json"),
    ]
}

pub fn list(config: &McpConfig, workspaces: &[Workspace]) -> Vec<Resource> {
    let mut resources = Vec::new();
    for workspace in workspaces {
        for saved in workspace.library(config).list() {
            resources.push(
                Resource::new(
                    format!("{WORKFLOW_PREFIX}{}", saved.name),
                    saved.name.clone(),
                )
                .with_description(format!("saved workflow ({})", saved.scope.as_str()))
                .with_mime_type("text/javascript"),
            );
        }
        let Ok(store) = Store::open(&workspace.journal_dir) else {
            continue;
        };
        let runs = store.runs().unwrap_or_default();
        for run in runs
            .iter()
            .filter(|r| is_terminal(r.status))
            .take(LISTED_RUNS)
        {
            let id = run.id.as_str();
            resources.push(
                Resource::new(result_uri(id), format!("{id} result"))
                    .with_description(format!("{} ({})", run.workflow, run.status.as_str()))
                    .with_mime_type("application/json"),
            );
        }
    }
    resources.dedup_by(|a, b| a.uri == b.uri);
    resources
}

pub fn read(
    config: &McpConfig,
    workspaces: &[Workspace],
    uri: &str,
) -> Result<ResourceContents, ErrorData> {
    if let Some(name) = uri.strip_prefix(WORKFLOW_PREFIX) {
        let saved = workspaces
            .iter()
            .find_map(|w| w.library(config).find(name))
            .ok_or_else(|| not_found(uri, "no saved workflow of that name"))?;
        let text = saved.source().map_err(|e| not_found(uri, &e))?;
        return Ok(ResourceContents::text(text, uri).with_mime_type("text/javascript"));
    }
    if let Some(id) = uri
        .strip_prefix(RUN_PREFIX)
        .and_then(|rest| rest.strip_suffix("/result"))
    {
        let record = workspaces
            .iter()
            .filter_map(|w| Store::open(&w.journal_dir).ok())
            .find_map(|store| store.run(id).ok())
            .ok_or_else(|| not_found(uri, "no run with that id in this server's workspaces"))?;
        if !is_terminal(record.summary.status) {
            return Err(not_found(
                uri,
                "the run has not ended; workflow_await waits for it",
            ));
        }
        let result = record.result.unwrap_or(serde_json::Value::Null);
        let text = serde_json::to_string(&result).unwrap_or_default();
        return Ok(ResourceContents::text(text, uri).with_mime_type("application/json"));
    }
    Err(not_found(
        uri,
        "baton serves baton://workflows/<name> and baton://runs/<runId>/result",
    ))
}

fn not_found(uri: &str, why: &str) -> ErrorData {
    ErrorData::resource_not_found(format!("{uri}: {why}"), None)
}
