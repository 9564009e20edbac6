//! `LlmBackend`: the engine's [`AgentBackend`] for real models. Resolves model names, and runs
//! each agent under its `timeoutMs`, with its `retries`, in its place: the workspace under the
//! run's permission policy, or its own git worktree.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use baton_llm::{
    AnthropicProvider, ModelResolver, OpenAiProvider, Pricing, Provider, ProviderKind, Transport,
};
use baton_model::{AgentBackend, AgentCall, AgentOutcome, BoxFuture, NoteSink, Usage};
use baton_tools::{AgentView, Policy, Rules, ToolProviders};

use crate::agent_type::AgentTypes;
use crate::conversation::Conversation;
use crate::worktree::{GitLock, Worktree};

/// The providers a run can use, by kind.
#[derive(Clone, Default)]
pub struct Providers {
    by_kind: HashMap<ProviderKind, Arc<dyn Provider>>,
}

impl Providers {
    /// Anthropic and OpenAI-compatible, configured from their environment variables. A
    /// provider without its key still exists: its first request reports the missing key.
    pub fn from_env(transport: &Arc<Transport>) -> Providers {
        Providers::default()
            .with(Arc::new(AnthropicProvider::from_env(transport.clone())))
            .with(Arc::new(OpenAiProvider::from_env(transport.clone())))
    }

    pub fn with(mut self, provider: Arc<dyn Provider>) -> Providers {
        self.by_kind.insert(provider.kind(), provider);
        self
    }

    pub fn get(&self, kind: ProviderKind) -> Option<Arc<dyn Provider>> {
        self.by_kind.get(&kind).cloned()
    }
}

/// Settings every agent of a run shares.
#[derive(Debug, Clone)]
pub struct AgentSettings {
    /// The directory the run works in; agents' relative `cwd` options resolve against it.
    pub workspace: PathBuf,
    /// Turns an agent may take when the script sets no `maxTurns`.
    pub max_turns: u32,
    /// Output tokens one model turn may produce.
    pub max_tokens: u32,
    pub bash_timeout: Duration,
    /// What agents may touch: the workspace (the git root around `workspace`, or `workspace`
    /// itself), added directories, and the Bash rules.
    pub policy: Policy,
    /// Tools beyond the built-in ones (MCP servers, WebFetch, WebSearch), offered to agents
    /// as their providers and the policy decide.
    pub extensions: ToolProviders,
}

impl AgentSettings {
    /// Defaults, with the default policy over `workspace` alone.
    pub fn new(workspace: PathBuf) -> AgentSettings {
        AgentSettings {
            policy: Policy::new(&workspace, &[], Rules::default()),
            workspace,
            max_turns: 50,
            max_tokens: 16_000,
            bash_timeout: Duration::from_secs(120),
            extensions: ToolProviders::default(),
        }
    }
}

pub(crate) struct Shared {
    pub providers: Providers,
    pub resolver: ModelResolver,
    pub pricing: Pricing,
    pub settings: AgentSettings,
    pub agent_types: AgentTypes,
    pub git_lock: GitLock,
}

/// Where one agent works: the directory its relative `cwd` resolves against, and its policy.
pub(crate) struct Place {
    pub base: PathBuf,
    pub policy: Policy,
}

pub struct LlmBackend {
    shared: Arc<Shared>,
}

impl LlmBackend {
    pub fn new(
        providers: Providers,
        resolver: ModelResolver,
        pricing: Pricing,
        settings: AgentSettings,
        agent_types: AgentTypes,
    ) -> Arc<LlmBackend> {
        Arc::new(LlmBackend {
            shared: Arc::new(Shared {
                providers,
                resolver,
                pricing,
                settings,
                agent_types,
                git_lock: GitLock::default(),
            }),
        })
    }
}

impl AgentBackend for LlmBackend {
    fn resolve_model(&self, requested: &str) -> Result<String, String> {
        self.shared
            .resolver
            .resolve(requested)
            .map(|model| model.to_string())
    }

    /// The extra tools the agent could be offered: which ones depends on its `tools`, its
    /// agent type's and the policy, all known before it starts. A provider's name is what
    /// `resolve_model` gives (the model is resolved again when the agent starts).
    fn tool_identity(&self, options: &baton_model::AgentOptions) -> Option<serde_json::Value> {
        let shared = &self.shared;
        let agent_type = options
            .agent_type
            .as_ref()
            .and_then(|name| shared.agent_types.get(name).ok());
        let requested = requested_tools(
            options.tools.as_deref(),
            agent_type.as_ref().and_then(|t| t.tools.as_deref()),
        );
        let provider = options
            .model
            .as_deref()
            .and_then(|model| shared.resolver.resolve(model).ok())
            .map_or("", |model| model.provider.name());
        let view = AgentView {
            requested: requested.as_deref(),
            policy: &shared.settings.policy,
            provider,
        };
        let tools = shared.settings.extensions.identity(&view)?;
        Some(serde_json::json!(tools))
    }

    fn run(&self, call: AgentCall, notes: NoteSink) -> BoxFuture<AgentOutcome> {
        let shared = self.shared.clone();
        Box::pin(async move {
            let settings = &shared.settings;
            if call.options.isolation.is_none() {
                let place = Place {
                    base: settings.workspace.clone(),
                    policy: settings.policy.clone(),
                };
                return run_attempts(&shared, &call, &notes, &place).await;
            }
            let tree = match Worktree::create(&settings.workspace, &call, &shared.git_lock).await {
                Ok(tree) => tree,
                Err(message) => {
                    return AgentOutcome::Rejected {
                        name: "WorktreeIsolationError".into(),
                        message,
                        usage: Usage::default(),
                    }
                }
            };
            let place = Place {
                base: tree.start_dir(),
                policy: settings.policy.with_workspace(&tree.path),
            };
            let outcome = run_attempts(&shared, &call, &notes, &place).await;
            notes(tree.finish().await);
            outcome
        })
    }

    /// The worktree (or other directory) was made by the caller, who also keeps or removes
    /// it: the agent works there under the run's rules, as an isolated agent does.
    fn run_in(
        &self,
        call: AgentCall,
        notes: NoteSink,
        workspace: PathBuf,
    ) -> BoxFuture<AgentOutcome> {
        let shared = self.shared.clone();
        Box::pin(async move {
            let place = Place {
                policy: shared.settings.policy.with_workspace(&workspace),
                base: workspace,
            };
            run_attempts(&shared, &call, &notes, &place).await
        })
    }
}

/// The call's attempts (`retries`), all in the same place.
async fn run_attempts(
    shared: &Arc<Shared>,
    call: &AgentCall,
    notes: &NoteSink,
    place: &Place,
) -> AgentOutcome {
    let attempts = call.options.retries.saturating_add(1);
    let mut spent = Usage::default();
    let mut attempt = 1;
    loop {
        let outcome = run_once(shared, call, notes, place).await;
        spent += outcome.usage();
        // Fatal errors would fail again; completed ones need no retry.
        let failed = matches!(
            outcome,
            AgentOutcome::Null { .. } | AgentOutcome::Rejected { .. }
        );
        if !failed || attempt >= attempts {
            // Every attempt is paid for, so the totals count them all.
            return outcome.with_usage(spent);
        }
        attempt += 1;
    }
}

/// One attempt, under the call's `timeoutMs`.
async fn run_once(
    shared: &Arc<Shared>,
    call: &AgentCall,
    notes: &NoteSink,
    place: &Place,
) -> AgentOutcome {
    let conversation = match Conversation::prepare(shared, call, notes.clone(), place).await {
        Ok(conversation) => conversation,
        Err(outcome) => return outcome,
    };
    let Some(limit) = call.options.timeout_ms.map(Duration::from_millis) else {
        return conversation.run().await;
    };
    let spent = conversation.spent_handle();
    match tokio::time::timeout(limit, conversation.run()).await {
        Ok(outcome) => outcome,
        Err(_) => AgentOutcome::Null {
            reason: format!("timed out after {} ms (timeoutMs)", limit.as_millis()),
            usage: *spent.lock().unwrap_or_else(|e| e.into_inner()),
        },
    }
}

/// Whether `dir` (a real path) is somewhere the policy lets agents work.
pub(crate) fn inside(policy: &Policy, dir: &Path) -> bool {
    policy.roots().iter().any(|root| dir.starts_with(root))
}

/// The agent's own list of tools: the script's `tools` and the agent type's both restrict, so
/// a name must be in both when both are given; `None` when neither is.
pub(crate) fn requested_tools(
    option: Option<&[String]>,
    agent_type: Option<&[String]>,
) -> Option<Vec<String>> {
    match (option, agent_type) {
        (None, None) => None,
        (Some(list), None) | (None, Some(list)) => Some(list.to_vec()),
        (Some(a), Some(b)) => Some(a.iter().filter(|t| b.contains(t)).cloned().collect()),
    }
}
