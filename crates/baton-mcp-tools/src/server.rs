//! One MCP server of a run: started on first use (once, whoever asks first), its tools listed
//! once, shared by every agent, stopped at the end. A server that cannot start is reported
//! once and stays absent.

use std::collections::HashMap;
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rmcp::model::{CallToolRequestParams, CallToolResult, ContentBlock, Tool};
use rmcp::service::{RoleClient, RunningService};
use rmcp::transport::streamable_http_client::StreamableHttpClientTransportConfig;
use rmcp::transport::{StreamableHttpClientTransport, TokioChildProcess};
use rmcp::ServiceExt;
use tokio::io::AsyncReadExt;

use crate::config::{ServerSpec, Transport};

/// How long a server may take to start and list its tools.
const START_TIMEOUT: Duration = Duration::from_secs(60);
/// How long one tool call may take; the agent's own `timeoutMs` may end it sooner.
const CALL_TIMEOUT: Duration = Duration::from_secs(600);
/// What is kept of a stdio server's standard error, for the message when it fails.
const STDERR_KEPT: usize = 2000;

pub(crate) struct Server {
    pub spec: ServerSpec,
    state: tokio::sync::OnceCell<Option<Connection>>,
}

struct Connection {
    service: Mutex<Option<RunningService<RoleClient, ()>>>,
    peer: rmcp::Peer<RoleClient>,
    /// The server's tools by the name agents see (`mcp__<server>__<tool>`).
    tools: Vec<(String, Tool)>,
}

impl Server {
    pub fn new(spec: ServerSpec) -> Server {
        Server {
            spec,
            state: tokio::sync::OnceCell::new(),
        }
    }

    /// The server's tools as agents see them, starting it if this is the first use; `None`
    /// when it could not start (`warn` heard why, once).
    pub async fn tools(
        &self,
        warn: &(dyn Fn(String) + Send + Sync),
    ) -> Option<Vec<(String, Tool)>> {
        let connection = self
            .state
            .get_or_init(|| async {
                match tokio::time::timeout(START_TIMEOUT, self.connect()).await {
                    Ok(Ok(connection)) => Some(connection),
                    Ok(Err(why)) => {
                        warn(self.failure(&why));
                        None
                    }
                    Err(_) => {
                        warn(self.failure(&format!(
                            "it did not answer within {} s",
                            START_TIMEOUT.as_secs()
                        )));
                        None
                    }
                }
            })
            .await;
        connection.as_ref().map(|c| c.tools.clone())
    }

    fn failure(&self, why: &str) -> String {
        format!(
            "MCP server '{}' (from {}) could not start: {why}; its tools are not offered to \
             agents. Check its command or URL (try it by hand), then run again.",
            self.spec.name, self.spec.origin
        )
    }

    /// Calls `tool` (the server's own name for it).
    pub async fn call(
        &self,
        tool: &str,
        input: &serde_json::Value,
    ) -> Result<CallToolResult, String> {
        let Some(Some(connection)) = self.state.get() else {
            return Err(format!(
                "the MCP server '{}' is not running",
                self.spec.name
            ));
        };
        let mut params = CallToolRequestParams::new(tool.to_string());
        params.arguments = match input {
            serde_json::Value::Object(map) => Some(map.clone()),
            serde_json::Value::Null => None,
            _ => return Err("the tool's input must be a JSON object".into()),
        };
        match tokio::time::timeout(CALL_TIMEOUT, connection.peer.call_tool(params)).await {
            Ok(Ok(result)) => Ok(result),
            Ok(Err(error)) => Err(format!(
                "the MCP server '{}' failed: {error}",
                self.spec.name
            )),
            Err(_) => Err(format!(
                "the MCP server '{}' did not answer within {} s",
                self.spec.name,
                CALL_TIMEOUT.as_secs()
            )),
        }
    }

    /// The exposed name of `tool` back to the server's own name, if this server offers it.
    pub fn own_name(&self, exposed: &str) -> Option<String> {
        let Some(Some(connection)) = self.state.get() else {
            return None;
        };
        connection
            .tools
            .iter()
            .find(|(name, _)| name == exposed)
            .map(|(_, tool)| tool.name.to_string())
    }

    /// Stops the server if it was started.
    pub async fn stop(&self) {
        let Some(Some(connection)) = self.state.get() else {
            return;
        };
        let service = connection
            .service
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take();
        if let Some(service) = service {
            let _ = tokio::time::timeout(Duration::from_secs(5), service.cancel()).await;
        }
    }

    async fn connect(&self) -> Result<Connection, String> {
        let (service, stderr) = match &self.spec.transport {
            Transport::Stdio { command, args, env } => {
                let mut cmd = tokio::process::Command::new(command);
                cmd.args(args).envs(env).kill_on_drop(true);
                let (process, stderr) = TokioChildProcess::builder(cmd)
                    .stderr(Stdio::piped())
                    .spawn()
                    .map_err(|e| format!("cannot run `{command}`: {e}"))?;
                let stderr = stderr.map(keep_tail);
                match ().serve(process).await {
                    Ok(service) => (service, stderr),
                    Err(error) => {
                        let said = match stderr {
                            Some(kept) => said_on_stderr(&kept).await,
                            None => String::new(),
                        };
                        return Err(format!("{error}{said}"));
                    }
                }
            }
            Transport::Http { url, headers } => {
                let mut custom = HashMap::new();
                for (name, value) in headers {
                    let name = http::HeaderName::try_from(name.as_str())
                        .map_err(|e| format!("header '{name}': {e}"))?;
                    let value = http::HeaderValue::try_from(value.as_str())
                        .map_err(|e| format!("header '{name}': {e}"))?;
                    custom.insert(name, value);
                }
                let config = StreamableHttpClientTransportConfig::with_uri(url.as_str())
                    .custom_headers(custom);
                let transport = StreamableHttpClientTransport::from_config(config);
                let service = ().serve(transport).await.map_err(|e| format!("{url}: {e}"))?;
                (service, None)
            }
        };
        let peer = service.peer().clone();
        let listed = peer.list_all_tools().await;
        let listed = match listed {
            Ok(tools) => tools,
            Err(error) => {
                let said = match stderr {
                    Some(kept) => said_on_stderr(&kept).await,
                    None => String::new(),
                };
                return Err(format!("listing its tools failed: {error}{said}"));
            }
        };
        let tools = listed
            .into_iter()
            .map(|tool| (exposed_name(&self.spec.name, &tool.name), tool))
            .collect();
        Ok(Connection {
            service: Mutex::new(Some(service)),
            peer,
            tools,
        })
    }
}

/// `mcp__<server>__<tool>`, with characters models refuse in tool names made `_`.
pub(crate) fn exposed_name(server: &str, tool: &str) -> String {
    let clean = |text: &str| -> String {
        text.chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
                    c
                } else {
                    '_'
                }
            })
            .collect()
    };
    format!("mcp__{}__{}", clean(server), clean(tool))
}

/// The text of a tool result: text blocks as they are, other content as JSON; the structured
/// result when there is no content.
pub(crate) fn result_text(result: &CallToolResult) -> String {
    let parts: Vec<String> = result
        .content
        .iter()
        .map(|block| match block {
            ContentBlock::Text(text) => text.text.clone(),
            other => serde_json::to_string(other).unwrap_or_default(),
        })
        .collect();
    if parts.is_empty() {
        if let Some(structured) = &result.structured_content {
            return structured.to_string();
        }
    }
    parts.join("\n")
}

type Kept = Arc<Mutex<Vec<u8>>>;

/// Reads a child's standard error in the background, keeping its last bytes.
fn keep_tail(mut stderr: tokio::process::ChildStderr) -> (Kept, tokio::task::JoinHandle<()>) {
    let kept: Kept = Arc::default();
    let sink = kept.clone();
    let reader = tokio::spawn(async move {
        let mut buf = [0u8; 4096];
        while let Ok(n) = stderr.read(&mut buf).await {
            if n == 0 {
                break;
            }
            let mut kept = sink.lock().unwrap_or_else(|e| e.into_inner());
            kept.extend_from_slice(&buf[..n]);
            let excess = kept.len().saturating_sub(STDERR_KEPT);
            kept.drain(..excess);
        }
    });
    (kept, reader)
}

/// What the server wrote on standard error before it failed, as a suffix for the message.
async fn said_on_stderr((kept, reader): &(Kept, tokio::task::JoinHandle<()>)) -> String {
    // The process is gone or going: give the reader a moment to drain the pipe.
    for _ in 0..50 {
        if reader.is_finished() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let kept = kept.lock().unwrap_or_else(|e| e.into_inner());
    let text = String::from_utf8_lossy(&kept);
    let text = text.trim();
    match text.is_empty() {
        true => String::new(),
        false => format!(
            " (it said: {})",
            text.split_whitespace().collect::<Vec<_>>().join(" ")
        ),
    }
}
