//! `BatonServer`, the `rmcp` server handler: tools, the prompt and resources, each request
//! answered on its own task so a waiting call never holds up another.

use std::sync::{Arc, Mutex};

use rmcp::model::{
    CallToolRequestParams, CallToolResponse, GetPromptRequestParams, GetPromptResponse,
    Implementation, ListPromptsResult, ListResourceTemplatesResult, ListResourcesResult,
    ListToolsResult, PaginatedRequestParams, ReadResourceRequestParams, ReadResourceResponse,
    ReadResourceResult, ServerCapabilities, ServerConfig, SubscriptionFilter,
};
use rmcp::service::{NotificationContext, Peer, RequestContext, SubscriptionContext};
use rmcp::{ErrorData, RoleServer, ServerHandler};
use tokio::sync::broadcast;

use crate::launch::Progress;
use crate::workspace::Workspace;
use crate::{notify, outputs, prompt, resources, tools, McpConfig};

#[derive(Clone)]
pub struct BatonServer {
    config: Arc<McpConfig>,
    /// The server's own workspace first, then every `projectDir` a call has used: where
    /// resources are listed from and run endings are watched.
    workspaces: Arc<Mutex<Vec<Workspace>>>,
    /// The client of a session that began with `initialize` (protocols up to 2025-11-25).
    peer: Arc<Mutex<Option<Peer<RoleServer>>>>,
    /// A run ended: `subscriptions/listen` streams (protocol 2026-07-28) hear it here.
    ended: broadcast::Sender<()>,
}

impl BatonServer {
    /// A server; call from within a tokio runtime (it starts the watcher of run endings).
    pub fn new(config: McpConfig) -> Self {
        let home = Workspace {
            journal_dir: (config.journal_dir)(&config.cwd),
            dir: config.cwd.clone(),
        };
        let server = BatonServer {
            config: Arc::new(config),
            workspaces: Arc::new(Mutex::new(vec![home])),
            peer: Arc::new(Mutex::new(None)),
            ended: broadcast::channel(16).0,
        };
        notify::spawn_watcher(server.clone());
        server
    }

    pub fn config(&self) -> &McpConfig {
        &self.config
    }

    /// Watches `workspace` too from now on (a call used it through `projectDir`).
    pub fn watch(&self, workspace: &Workspace) {
        let mut workspaces = lock(&self.workspaces);
        if !workspaces.iter().any(|w| w.dir == workspace.dir) {
            workspaces.push(workspace.clone());
        }
    }

    pub fn workspaces(&self) -> Vec<Workspace> {
        lock(&self.workspaces).clone()
    }

    /// Tells the client that the resource list changed (a run ended).
    pub async fn resources_changed(&self) {
        let _ = self.ended.send(());
        let peer = lock(&self.peer).clone();
        if let Some(peer) = peer {
            // A client that has gone away cannot be told.
            let _ = peer.notify_resource_list_changed().await;
        }
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

impl ServerHandler for BatonServer {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(
            ServerCapabilities::builder()
                .enable_tools()
                .enable_prompts()
                .enable_resources()
                .enable_resources_list_changed()
                .build(),
        )
        .with_server_info(Implementation::new("baton", env!("CARGO_PKG_VERSION")))
        .with_instructions(
            "baton runs workflow scripts that fan work out to LLM sub-agents. To get a task \
             done by a workflow: read workflow_guide (or use the author-workflow prompt), write \
             the script, call workflow_run (it validates first and starts the run in the \
             background), then call workflow_await until returnedBecause is terminal.",
        )
    }

    async fn on_initialized(&self, context: NotificationContext<RoleServer>) {
        *lock(&self.peer) = Some(context.peer);
    }

    async fn list_tools(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, ErrorData> {
        Ok(ListToolsResult::with_all_items(tools::catalogue()))
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        let progress = Progress(
            context
                .meta
                .get_progress_token()
                .map(|token| (context.peer.clone(), token)),
        );
        let answer = tools::call(self, &request.name, request.arguments, progress).await;
        Ok(match answer {
            Ok(value) => outputs::success(value),
            Err(error) => outputs::failure(error),
        }
        .into())
    }

    async fn list_prompts(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListPromptsResult, ErrorData> {
        Ok(ListPromptsResult::with_all_items(
            vec![prompt::definition()],
        ))
    }

    async fn get_prompt(
        &self,
        request: GetPromptRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<GetPromptResponse, ErrorData> {
        if request.name != prompt::NAME {
            return Err(ErrorData::invalid_params(
                format!(
                    "no prompt `{}`; the prompt is `{}`",
                    request.name,
                    prompt::NAME
                ),
                None,
            ));
        }
        let task = request
            .arguments
            .as_ref()
            .and_then(|args| args.get("task"))
            .and_then(|task| task.as_str());
        Ok(prompt::render(task).into())
    }

    async fn list_resources(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListResourcesResult, ErrorData> {
        let (config, workspaces) = (self.config.clone(), self.workspaces());
        let listed = tokio::task::spawn_blocking(move || resources::list(&config, &workspaces))
            .await
            .unwrap_or_default();
        Ok(ListResourcesResult::with_all_items(listed))
    }

    async fn list_resource_templates(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListResourceTemplatesResult, ErrorData> {
        Ok(ListResourceTemplatesResult::with_all_items(
            resources::templates(),
        ))
    }

    async fn read_resource(
        &self,
        request: ReadResourceRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<ReadResourceResponse, ErrorData> {
        let contents = resources::read(&self.config, &self.workspaces(), &request.uri)?;
        Ok(ReadResourceResult::new(vec![contents]).into())
    }

    fn accepted_subscription_filter(
        &self,
        requested: &SubscriptionFilter,
    ) -> Option<SubscriptionFilter> {
        let mut accepted = SubscriptionFilter::new();
        accepted.resources_list_changed = requested.resources_list_changed;
        Some(accepted)
    }

    async fn listen(&self, context: SubscriptionContext) -> Result<(), ErrorData> {
        let mut ended = self.ended.subscribe();
        loop {
            tokio::select! {
                _ = context.cancelled() => return Ok(()),
                heard = ended.recv() => match heard {
                    Ok(()) | Err(broadcast::error::RecvError::Lagged(_)) => {
                        let _ = context.sink().notify_resource_list_changed().await;
                    }
                    Err(broadcast::error::RecvError::Closed) => return Ok(()),
                },
            }
        }
    }
}
