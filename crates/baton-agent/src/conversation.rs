//! One agent attempt: the turn loop. Each turn sends the conversation so far, runs the tool
//! calls the model makes, and answers them; the loop ends at a final answer, at `maxTurns`,
//! when the model is stuck repeating itself (`loop_guard`; within one turn, a stream cut as
//! runaway), or at a provider error that
//! retries could not cure.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use baton_llm::{
    Block, ChatRequest, Effort, LlmError, Message, ModelRef, Provider, Role, StopReason,
};
use baton_model::{AgentCall, AgentNote, AgentOutcome, NoteSink, Usage};
use baton_tools::{
    definitions, run_tool, summarize, AgentView, OfferedTools, Policy, ToolContext, ToolOutput,
    BUILT_IN, DENIED,
};
use serde_json::Value;

use crate::backend::{inside, requested_tools, Place, Shared};
use crate::hosted;
use crate::loop_guard::{Action, LoopGuard, Verdict};
use crate::prompt::{system_suffix, SYSTEM_PROMPT};
use crate::structured::{self, OutputCheck, MAX_ATTEMPTS};

/// Turns in a row the server may fail to parse before the agent ends `null`.
const UNPARSED_TURNS: u32 = 3;

pub(crate) struct Conversation {
    provider: Arc<dyn Provider>,
    model: ModelRef,
    request: ChatRequest,
    /// The tools the model was offered; a call to any other is refused.
    offered: Vec<String>,
    /// The offered tools beyond the built-in ones, with who answers them.
    extra: OfferedTools,
    output: Option<OutputCheck>,
    /// `StructuredOutput` calls that did not validate so far.
    invalid_outputs: u32,
    /// Watches for the same call (or prose where a schema is required) again and again.
    guard: LoopGuard,
    /// Turns the server could not parse the model's output of, in a row.
    unparsed_turns: u32,
    tools: ToolContext,
    max_turns: u32,
    notes: NoteSink,
    /// The run's shared settings, for the pricing table.
    shared: Arc<Shared>,
    /// Usage so far, shared so a timeout can still report what was spent.
    spent: Arc<Mutex<Usage>>,
}

impl Conversation {
    /// Builds the first request. `Err` is an ending decided before any request: an unknown
    /// agent type, a missing working directory, an unusable model.
    pub async fn prepare(
        shared: &Arc<Shared>,
        call: &AgentCall,
        notes: NoteSink,
        place: &Place,
    ) -> Result<Conversation, AgentOutcome> {
        let options = &call.options;
        let reject = |message: String| AgentOutcome::Rejected {
            name: "Error".into(),
            message,
            usage: Usage::default(),
        };
        let agent_type = match &options.agent_type {
            Some(name) => Some(shared.agent_types.get(name).map_err(reject)?),
            None => None,
        };
        // The script's `model` wins; an agent type's model applies when the script named none.
        let requested = match (
            &options.model,
            agent_type.as_ref().and_then(|t| t.model.as_ref()),
        ) {
            (None, Some(type_model)) => type_model.clone(),
            _ => call.model.clone(),
        };
        let model = shared
            .resolver
            .resolve(&requested)
            .map_err(|message| AgentOutcome::Fatal {
                message: format!("model '{requested}': {message}"),
                usage: Usage::default(),
            })?;
        let provider = shared
            .providers
            .get(model.provider)
            .ok_or_else(|| AgentOutcome::Fatal {
                message: format!("no provider '{}' is configured", model.provider.name()),
                usage: Usage::default(),
            })?;

        let cwd = working_directory(&place.base, options.cwd.as_deref(), &place.policy)
            .map_err(reject)?;
        let mut allowed = allowed_tools(
            options.tools.as_deref(),
            agent_type.as_ref().and_then(|t| t.tools.as_deref()),
        );
        // `--deny Write` removes the tool: what may not be used is not offered.
        allowed.retain(|tool| place.policy.offers(tool));
        let mut tools = definitions(Some(&allowed));
        let cached_tools = tools.len();
        let requested = requested_tools(
            options.tools.as_deref(),
            agent_type.as_ref().and_then(|t| t.tools.as_deref()),
        );
        let view = AgentView {
            requested: requested.as_deref(),
            policy: &place.policy,
            provider: model.provider.name(),
        };
        let extra = shared.settings.extensions.offer(&view).await;
        tools.extend(extra.specs().iter().cloned());
        let output = match &options.schema {
            Some(schema) => {
                tools.push(structured::tool_spec(schema));
                Some(OutputCheck::new(schema).map_err(reject)?)
            }
            None => None,
        };
        let offered = tools.iter().map(|t| t.name.clone()).collect();

        let mut tool_context = ToolContext::new(cwd.clone());
        tool_context.bash_timeout = shared.settings.bash_timeout;
        tool_context.policy = place.policy.clone();

        let request = ChatRequest {
            model: model.model.clone(),
            system: SYSTEM_PROMPT.to_string(),
            system_suffix: system_suffix(
                &cwd,
                output.is_some(),
                agent_type.as_ref().map(|t| t.prompt.as_str()),
            ),
            tools,
            cached_tools,
            messages: vec![Message::user_text(call.prompt.clone())],
            max_tokens: shared.settings.max_tokens,
            effort: options.effort.as_deref().and_then(Effort::parse),
            label: options.label.clone(),
        };
        Ok(Conversation {
            provider,
            model,
            request,
            offered,
            extra,
            output,
            invalid_outputs: 0,
            guard: LoopGuard::default(),
            unparsed_turns: 0,
            tools: tool_context,
            max_turns: options.max_turns.unwrap_or(shared.settings.max_turns),
            notes,
            shared: shared.clone(),
            spent: Arc::new(Mutex::new(Usage::default())),
        })
    }

    pub fn spent_handle(&self) -> Arc<Mutex<Usage>> {
        self.spent.clone()
    }

    fn spent(&self) -> Usage {
        *self.spent.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub async fn run(mut self) -> AgentOutcome {
        for turn in 1..=self.max_turns {
            let response = match self.ask().await {
                Ok(response) => response,
                Err(LlmError::UnparsedOutput { message, .. }) => {
                    match self.unparsed_turn(message) {
                        Some(ending) => return ending,
                        None => continue,
                    }
                }
                Err(error) => return self.provider_failure(error),
            };
            self.unparsed_turns = 0;
            let mut usage = response.usage;
            usage.cost_usd = self.shared.pricing.cost(&self.model.model, &usage);
            *self.spent.lock().unwrap_or_else(|e| e.into_inner()) += usage;
            let final_text = response.text();
            (self.notes)(AgentNote::Turn {
                turn,
                usage,
                text: final_text.clone(),
            });
            if response.stop_reason == StopReason::Runaway {
                // Nothing said in such a turn can be trusted as an answer, and asking again
                // would most likely loop again.
                return self.null(format!(
                    "stuck: the model kept repeating the same text ({} characters in one turn; \
                     the stream was cut)",
                    final_text.chars().count()
                ));
            }

            let hosted_notes = response.content.iter().filter_map(|block| match block {
                Block::Hosted(raw) => hosted::note(turn, raw),
                _ => None,
            });
            hosted_notes.for_each(|note| (self.notes)(note));
            let calls: Vec<(String, String, Value)> = response
                .content
                .iter()
                .filter_map(|block| match block {
                    Block::ToolUse { id, name, input } => {
                        Some((id.clone(), name.clone(), input.clone()))
                    }
                    _ => None,
                })
                .collect();
            let paused = response.stop_reason == StopReason::Paused;
            self.request.messages.push(Message {
                role: Role::Assistant,
                content: response.content,
            });
            if paused && calls.is_empty() {
                // A long turn of hosted searches was paused: the conversation goes back as it
                // is, and the model carries on where it stopped.
                continue;
            }

            if calls.is_empty() {
                if let Some(ending) = self.final_answer(final_text) {
                    return ending;
                }
                continue;
            }
            let mut results = Vec::with_capacity(calls.len());
            for (id, name, input) in calls {
                let output = if name == structured::TOOL_NAME && self.output.is_some() {
                    match self.structured_output(input) {
                        Ok(output) => output,
                        Err(ending) => return ending,
                    }
                } else {
                    let action = Action::Tool {
                        name: &name,
                        input: &input,
                    };
                    match self.guard.observe(action, self.how_to_finish()) {
                        Verdict::Proceed => self.use_tool(turn, &name, &input).await,
                        Verdict::Nudge(text) => self.refuse_repeat(turn, &name, &input, text),
                        Verdict::Stuck(reason) => return self.null(reason),
                    }
                };
                results.push(Block::ToolResult {
                    tool_use_id: id,
                    content: output.content,
                    is_error: output.is_error,
                });
            }
            self.request.messages.push(Message {
                role: Role::User,
                content: results,
            });
        }
        self.null(format!(
            "reached maxTurns ({}) without a final answer",
            self.max_turns
        ))
    }

    /// A turn whose output the server could not parse: the model is asked to answer again
    /// (the new message changes the request, so a deterministic model samples anew), up to
    /// [`UNPARSED_TURNS`] in a row; then the agent ends `null` with the server's words.
    fn unparsed_turn(&mut self, message: String) -> Option<AgentOutcome> {
        self.unparsed_turns += 1;
        if self.unparsed_turns >= UNPARSED_TURNS {
            return Some(self.null(format!(
                "the server could not parse the model's output {UNPARSED_TURNS} times in a \
                 row: {message}"
            )));
        }
        (self.notes)(AgentNote::Retry {
            attempt: self.unparsed_turns,
            reason: format!("the server could not parse the model's output: {message}"),
            delay_ms: 0,
        });
        self.tell_model(format!(
            "Your last reply could not be read by the server ({message}). Reply again: either \
             one tool call in the expected format, or {}.",
            if self.output.is_some() {
                "a StructuredOutput call with your final answer"
            } else {
                "your final answer in plain text"
            }
        ));
        None
    }

    /// Adds `text` to the conversation as the user's: to the last message when that is the
    /// user's already (tool results), so the roles keep alternating.
    fn tell_model(&mut self, text: String) {
        match self.request.messages.last_mut() {
            Some(last) if last.role == Role::User => last.content.push(Block::Text(text)),
            _ => self.request.messages.push(Message::user_text(text)),
        }
    }

    fn null(&self, reason: String) -> AgentOutcome {
        AgentOutcome::Null {
            reason,
            usage: self.spent(),
        }
    }

    /// How this agent gives its final answer, for the loop guard's nudges.
    fn how_to_finish(&self) -> &'static str {
        if self.output.is_some() {
            "call StructuredOutput with your final answer"
        } else {
            "give your final answer in plain text"
        }
    }

    /// A call the model repeated once too often: not run again; the model is told to finish.
    fn refuse_repeat(&self, turn: u32, name: &str, input: &Value, text: String) -> ToolOutput {
        (self.notes)(AgentNote::ToolCall {
            turn,
            name: name.to_string(),
            summary: summarize(name, input),
            input: input.clone(),
        });
        (self.notes)(AgentNote::ToolResult {
            name: name.to_string(),
            is_error: false,
            content: text.clone(),
        });
        ToolOutput::ok(text)
    }

    /// A turn without tool calls: the answer, or (with a schema) a reminder to use
    /// `StructuredOutput`, after which the conversation goes on (`None`).
    fn final_answer(&mut self, text: String) -> Option<AgentOutcome> {
        let Some(check) = &self.output else {
            return Some(self.completed(Value::String(text)));
        };
        // Plain-text JSON that already validates is taken as it is.
        if let Ok(value) = serde_json::from_str::<Value>(text.trim()) {
            if check.check(&value).is_ok() {
                return Some(self.completed(value));
            }
        }
        let reminder = match self.guard.observe(Action::Prose, self.how_to_finish()) {
            Verdict::Stuck(reason) => return Some(self.null(reason)),
            Verdict::Nudge(text) => text,
            Verdict::Proceed => format!(
                "Call the {} tool with your final answer.",
                structured::TOOL_NAME
            ),
        };
        self.request.messages.push(Message::user_text(reminder));
        None
    }

    /// A `StructuredOutput` call: `Err` ends the agent (a valid answer, or the last of the
    /// attempts); `Ok` is the validation errors to send back to the model.
    fn structured_output(&mut self, input: Value) -> Result<ToolOutput, AgentOutcome> {
        let verdict = self
            .output
            .as_ref()
            .map_or(Ok(()), |check| check.check(&input));
        let Err(error) = verdict else {
            return Err(self.completed(input));
        };
        self.invalid_outputs += 1;
        (self.notes)(AgentNote::InvalidOutput {
            attempt: self.invalid_outputs,
            error: error.clone(),
        });
        if self.invalid_outputs >= MAX_ATTEMPTS {
            return Err(AgentOutcome::Rejected {
                name: "Error".into(),
                message: format!("StructuredOutput retry cap ({MAX_ATTEMPTS}) exceeded: {error}"),
                usage: self.spent(),
            });
        }
        Ok(ToolOutput::error(format!(
            "The output does not match the schema:\n{error}\nFix it and call {} again.",
            structured::TOOL_NAME
        )))
    }

    async fn ask(&self) -> Result<baton_llm::ChatResponse, LlmError> {
        let notes = self.notes.clone();
        let on_retry = move |retry: &baton_llm::Retry| {
            notes(AgentNote::Retry {
                attempt: retry.attempt,
                reason: retry.reason.clone(),
                delay_ms: retry.delay.as_millis() as u64,
            })
        };
        self.provider.complete(&self.request, &on_retry).await
    }

    async fn use_tool(&self, turn: u32, name: &str, input: &Value) -> ToolOutput {
        (self.notes)(AgentNote::ToolCall {
            turn,
            name: name.to_string(),
            summary: summarize(name, input),
            input: input.clone(),
        });
        let output = if self.offered.iter().any(|offered| offered == name) {
            match self.extra.run(name, input, &self.tools).await {
                Some(output) => output,
                None => run_tool(name, input, &self.tools).await,
            }
        } else {
            ToolOutput::denied(format!(
                "{DENIED} the tool {name} is not available to this agent. Available tools: {}. \
                 baton runs without anyone to approve tool calls, so this was denied at once; \
                 carry on with the tools you have.",
                self.offered.join(", ")
            ))
        };
        if output.denied {
            (self.notes)(AgentNote::Denied {
                tool: name.to_string(),
                reason: denial_reason(&output.content),
            });
        }
        (self.notes)(AgentNote::ToolResult {
            name: name.to_string(),
            is_error: output.is_error,
            content: output.content.clone(),
        });
        output
    }

    fn completed(&self, value: Value) -> AgentOutcome {
        AgentOutcome::Completed {
            value,
            usage: self.spent(),
        }
    }

    fn provider_failure(&self, error: LlmError) -> AgentOutcome {
        let usage = self.spent();
        if error.is_fatal() {
            AgentOutcome::Fatal {
                message: error.to_string(),
                usage,
            }
        } else {
            AgentOutcome::Null {
                reason: error.to_string(),
                usage,
            }
        }
    }
}

/// What a denial says, without its prefix and the standard explanation: the first sentence
/// that names what was refused, for the run's output.
fn denial_reason(content: &str) -> String {
    let text = content.strip_prefix(DENIED).unwrap_or(content).trim();
    let first = text.lines().next().unwrap_or("");
    let cut = first.find(" baton runs without").unwrap_or(first.len());
    first[..cut].trim().to_string()
}

/// The built-in tools this agent may use: the script's `tools` option and the agent type's
/// list both restrict; a tool must be in both when both are given.
pub(crate) fn allowed_tools(
    option: Option<&[String]>,
    agent_type: Option<&[String]>,
) -> Vec<String> {
    BUILT_IN
        .iter()
        .map(|name| name.to_string())
        .filter(|name| option.is_none_or(|list| list.contains(name)))
        .filter(|name| agent_type.is_none_or(|list| list.contains(name)))
        .collect()
}

/// The agent's starting directory, real (symlinks resolved, so tool paths display relative
/// to it): `base`, or the `cwd` option resolved against it, which must lie inside the
/// workspace or an added directory.
fn working_directory(
    base: &std::path::Path,
    cwd: Option<&str>,
    policy: &Policy,
) -> Result<PathBuf, String> {
    let dir = base.join(cwd.unwrap_or("."));
    let real = match dir.canonicalize() {
        Ok(real) if real.is_dir() => real,
        _ => {
            return Err(format!(
                "agent option cwd: {} is not a directory",
                dir.display()
            ))
        }
    };
    if !inside(policy, &real) {
        let roots: Vec<String> = policy
            .roots()
            .iter()
            .map(|r| r.display().to_string())
            .collect();
        return Err(format!(
            "agent option cwd: {} is outside the workspace; agents may work only under {} \
             (add directories with --add-dir)",
            dir.display(),
            roots.join(", ")
        ));
    }
    Ok(real)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tool_lists_intersect() {
        let script = vec!["Read".to_string(), "Bash".to_string()];
        let typed = vec!["Read".to_string(), "Grep".to_string()];
        assert_eq!(allowed_tools(Some(&script), Some(&typed)), vec!["Read"]);
        assert_eq!(allowed_tools(None, None).len(), BUILT_IN.len());
        assert_eq!(allowed_tools(Some(&script), None), vec!["Read", "Bash"]);
    }
}
