//! What a hosted tool did inside a turn, as transcript notes: the provider ran it (Anthropic's
//! web search), so the agent loop has nothing to run, but `baton logs` and the monitor should
//! still show each search and what it found, like any other tool call.

use baton_model::AgentNote;
use serde_json::Value;

/// The note for one hosted block of turn `turn`; `None` for blocks of other kinds.
pub(crate) fn note(turn: u32, block: &Value) -> Option<AgentNote> {
    match block["type"].as_str()? {
        "server_tool_use" => {
            let query = block["input"]["query"].as_str().unwrap_or_default();
            Some(AgentNote::ToolCall {
                turn,
                name: "WebSearch".into(),
                summary: format!("WebSearch: {query} (hosted)"),
                input: block["input"].clone(),
            })
        }
        "web_search_tool_result" => Some(search_result(&block["content"])),
        _ => None,
    }
}

/// A list of results, one `title — url` line each, or the error the provider reported
/// (`{"type": "web_search_tool_result_error", "error_code": "max_uses_exceeded"}`).
fn search_result(content: &Value) -> AgentNote {
    let (is_error, content) = match content.as_array() {
        Some(results) => (
            false,
            results
                .iter()
                .map(|hit| {
                    let title = hit["title"].as_str().unwrap_or_default();
                    let url = hit["url"].as_str().unwrap_or_default();
                    format!("{title} — {url}")
                })
                .collect::<Vec<_>>()
                .join("\n"),
        ),
        None => (
            true,
            format!(
                "the search failed: {}",
                content["error_code"].as_str().unwrap_or("unknown error")
            ),
        ),
    };
    AgentNote::ToolResult {
        name: "WebSearch".into(),
        is_error,
        content,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_search_its_results_and_its_failure_read_as_tool_notes() {
        let used = json!({"type": "server_tool_use", "id": "s1", "name": "web_search",
                          "input": {"query": "rust sqlite"}});
        assert!(
            matches!(note(2, &used), Some(AgentNote::ToolCall { turn: 2, summary, .. })
            if summary == "WebSearch: rust sqlite (hosted)")
        );
        let found = json!({"type": "web_search_tool_result", "tool_use_id": "s1", "content": [
            {"type": "web_search_result", "title": "SQLite", "url": "https://sqlite.org"}]});
        assert!(
            matches!(note(2, &found), Some(AgentNote::ToolResult { is_error: false, content, .. })
            if content == "SQLite — https://sqlite.org")
        );
        let failed = json!({"type": "web_search_tool_result", "tool_use_id": "s1",
            "content": {"type": "web_search_tool_result_error", "error_code": "max_uses_exceeded"}});
        assert!(
            matches!(note(2, &failed), Some(AgentNote::ToolResult { is_error: true, content, .. })
            if content.contains("max_uses_exceeded"))
        );
        assert!(note(2, &json!({"type": "code_execution_tool_result"})).is_none());
    }
}
