//! Turning answers into MCP tool results: the JSON as text (what every host shows its model)
//! and as structured content (what a host may read field by field).

use baton_engine::CatalogEntry;
use rmcp::model::{CallToolResult, ContentBlock};
use serde_json::{json, Value};

use crate::tools::ToolError;

pub fn success(answer: Value) -> CallToolResult {
    let text = match &answer {
        // The guide is Markdown: shown as it is, not as a JSON string.
        Value::String(text) => text.clone(),
        other => serde_json::to_string_pretty(other).unwrap_or_default(),
    };
    let mut result = CallToolResult::success(vec![ContentBlock::text(text)]);
    if answer.is_object() {
        result.structured_content = Some(answer);
    }
    result
}

pub fn failure(error: ToolError) -> CallToolResult {
    let mut content = vec![ContentBlock::text(error.message)];
    if let Some(details) = &error.details {
        content.push(ContentBlock::text(
            serde_json::to_string_pretty(details).unwrap_or_default(),
        ));
    }
    CallToolResult::error(content)
}

/// One saved workflow as `workflow_list` shows it.
pub fn catalog_entry(entry: &CatalogEntry) -> Value {
    let saved = &entry.workflow;
    let mut fields = json!({
        "name": saved.name,
        "scope": saved.scope.as_str(),
        "path": saved.path,
        "canRun": entry.is_runnable(),
        "uri": format!("baton://workflows/{}", saved.name),
    });
    match &entry.meta {
        Ok(meta) => {
            fields["description"] = json!(meta.description);
            fields["phases"] = meta
                .phases
                .iter()
                .map(|p| json!({"title": p.title, "detail": p.detail, "model": p.model}))
                .collect();
        }
        Err(reason) => fields["whyNot"] = json!(reason),
    }
    fields
}
