//! The estimate before a run: how many agents a `sim` dry run starts, and what they would cost
//! on the real model. Tokens come from characters at about four a token (the rule of thumb for
//! English; code and JSON run denser): each agent's first request as `baton_agent` would build
//! it (system prompt, tool definitions, prompt) and, for its answer, the size of the sim's
//! (schema-shaped data, or a sentence). Dollars come from the pricing table for the model each
//! agent would use.
//!
//! It projects **one turn per agent**: an agent that uses tools takes several, and each sends
//! its conversation so far again, so such runs cost more. Prompt caching makes the shared
//! prefix cheaper; the cost shown is before caching.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Mutex;

use baton_agent::{first_request, AgentTypes};
use baton_engine::EventSink;
use baton_model::{AgentEnd, Event, Usage};
use serde_json::Value;

use crate::model_choice::ModelTable;

/// What the estimate knows of one agent of the dry run.
#[derive(Debug, Clone, Default)]
struct Sized {
    /// The `model` option, when the script gave one.
    model: Option<String>,
    input_chars: u64,
    output_chars: u64,
    /// Answered from the journal of an earlier run: costs nothing.
    cached: bool,
}

/// Listens to a dry run and sizes every agent it starts.
pub struct Sizer {
    workspace: std::path::PathBuf,
    agent_types: AgentTypes,
    agents: Mutex<BTreeMap<u64, Sized>>,
}

impl Sizer {
    pub fn new(workspace: &Path, home: Option<&Path>) -> Sizer {
        Sizer {
            workspace: workspace.to_path_buf(),
            agent_types: AgentTypes::discover(workspace, home),
            agents: Mutex::new(BTreeMap::new()),
        }
    }

    /// Prices what the dry run started, on the models `table` resolves to.
    pub fn project(&self, table: &ModelTable) -> Estimate {
        let agents = self.agents.lock().unwrap_or_else(|e| e.into_inner());
        let mut estimate = Estimate {
            agents: 0,
            input_tokens: 0,
            output_tokens: 0,
            by_model: BTreeMap::new(),
            unknown_model: 0,
            default_model: table.default_model.clone(),
        };
        for agent in agents.values().filter(|a| !a.cached) {
            let usage = Usage {
                input_tokens: tokens(agent.input_chars),
                output_tokens: tokens(agent.output_chars),
                ..Usage::default()
            };
            estimate.agents += 1;
            estimate.input_tokens += usage.input_tokens;
            estimate.output_tokens += usage.output_tokens;
            let requested = match (&agent.model, &table.default_model) {
                // On `--model sim` every agent is simulated, whatever model it names.
                (_, Ok(sim)) if sim == "sim" => sim.clone(),
                (Some(model), _) | (None, Ok(model)) => model.clone(),
                (None, Err(_)) => {
                    estimate.unknown_model += 1;
                    continue;
                }
            };
            let model = match table.resolver.resolve(&requested) {
                Ok(model) if requested != "sim" => model.model,
                // `sim` is free; a name that does not resolve fails the real run anyway.
                _ => requested,
            };
            let line = estimate.by_model.entry(model.clone()).or_default();
            line.agents += 1;
            if model == "sim" {
                line.cost_usd = Some(0.0);
            } else if table.pricing.price(&model).is_some() {
                *line.cost_usd.get_or_insert(0.0) += table.pricing.cost(&model, &usage);
            }
        }
        estimate
    }
}

impl EventSink for Sizer {
    fn emit(&self, event: Event) {
        let mut agents = self.agents.lock().unwrap_or_else(|e| e.into_inner());
        match event {
            Event::AgentQueued {
                seq,
                prompt,
                options,
                ..
            } => {
                let footprint =
                    first_request(&prompt, &options, &self.workspace, &self.agent_types);
                agents.insert(
                    seq,
                    Sized {
                        model: options.model.clone(),
                        input_chars: footprint.total(),
                        ..Sized::default()
                    },
                );
            }
            Event::AgentFinished { seq, end, .. } => {
                if let Some(agent) = agents.get_mut(&seq) {
                    match end {
                        AgentEnd::Completed { value } => agent.output_chars = answer_chars(&value),
                        AgentEnd::Cached { .. } => agent.cached = true,
                        _ => {}
                    }
                }
            }
            _ => {}
        }
    }
}

/// The projection for a run.
#[derive(Debug, Clone)]
pub struct Estimate {
    /// Agents that would run (answers from the journal excluded).
    pub agents: u64,
    pub input_tokens: u64,
    pub output_tokens: u64,
    /// Agents and dollars by resolved model id; `cost_usd` is `None` for a model without a
    /// price.
    pub by_model: BTreeMap<String, ModelLine>,
    /// Agents that name no model when the run has no default one.
    pub unknown_model: u64,
    pub default_model: Result<String, String>,
}

#[derive(Debug, Clone, Default)]
pub struct ModelLine {
    pub agents: u64,
    pub cost_usd: Option<f64>,
}

impl Estimate {
    pub fn tokens(&self) -> u64 {
        self.input_tokens + self.output_tokens
    }

    /// Dollars for the agents on priced models.
    pub fn cost_usd(&self) -> f64 {
        self.by_model.values().filter_map(|m| m.cost_usd).sum()
    }

    /// The models agents would use: `claude-haiku-4-5 (6), gpt-4o (2)`.
    pub fn models(&self) -> String {
        let mut models: Vec<String> = self
            .by_model
            .iter()
            .map(|(model, line)| format!("{model} ({})", line.agents))
            .collect();
        if self.unknown_model > 0 {
            models.push(format!("no model configured ({})", self.unknown_model));
        }
        if models.is_empty() {
            return match &self.default_model {
                Ok(model) => model.clone(),
                Err(_) => "none configured".into(),
            };
        }
        models.join(", ")
    }

    /// `$0.0123 before prompt caching`, and what it leaves out.
    pub fn cost_text(&self) -> String {
        let mut text = format!("${:.4} before prompt caching", self.cost_usd());
        let unpriced: Vec<&String> = self
            .by_model
            .iter()
            .filter(|(_, line)| line.cost_usd.is_none())
            .map(|(model, _)| model)
            .collect();
        if !unpriced.is_empty() {
            let names: Vec<&str> = unpriced.iter().map(|m| m.as_str()).collect();
            text.push_str(&format!(
                "; not counted: {} (no price; add one with --price or [pricing])",
                names.join(", ")
            ));
        }
        if self.unknown_model > 0 {
            text.push_str("; agents without a model are not counted (pass --model)");
        }
        text
    }

    /// The lines `--dry-run` prints after its phase table.
    pub fn render(&self) -> String {
        format!(
            "\nestimate (one turn per agent; about 4 characters a token)\n\
             agents            {}\n\
             models            {}\n\
             projected tokens  {} ({} input + {} output)\n\
             projected cost    {}\n\
             An agent that uses tools takes several turns and sends its conversation again on \
             each, so such runs cost more than this.\n",
            self.agents,
            self.models(),
            self.tokens(),
            self.input_tokens,
            self.output_tokens,
            self.cost_text(),
        )
    }
}

/// Characters of an answer as the model would write it: text as is, data as JSON.
fn answer_chars(value: &Value) -> u64 {
    match value {
        Value::String(text) => text.chars().count() as u64,
        other => other.to_string().chars().count() as u64,
    }
}

/// About four characters a token, at least one.
fn tokens(chars: u64) -> u64 {
    chars.div_ceil(4).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use baton_llm::{ModelResolver, Pricing, ProviderKind};
    use baton_model::AgentOptions;
    use serde_json::json;

    fn started(seq: u64, prompt: &str, model: Option<&str>) -> Event {
        Event::AgentQueued {
            seq,
            key: baton_model::CallKey("k".into()),
            occurrence: 0,
            label: None,
            phase: None,
            model: "sim".into(),
            prompt: prompt.into(),
            options: Box::new(AgentOptions {
                model: model.map(String::from),
                ..AgentOptions::default()
            }),
        }
    }

    fn finished(seq: u64, end: AgentEnd) -> Event {
        Event::AgentFinished {
            seq,
            label: None,
            phase: None,
            end,
            usage: Usage::default(),
            elapsed_ms: 0,
        }
    }

    #[test]
    fn agents_are_priced_on_their_models_and_cached_ones_are_free() {
        let dir = tempfile::tempdir().unwrap();
        let sizer = Sizer::new(dir.path(), None);
        sizer.emit(started(1, "a", None));
        sizer.emit(finished(
            1,
            AgentEnd::Completed {
                value: json!("x".repeat(40)),
            },
        ));
        sizer.emit(started(2, "b", Some("local")));
        sizer.emit(finished(
            2,
            AgentEnd::Completed {
                value: json!({"n": 1}),
            },
        ));
        sizer.emit(started(3, "c", None));
        sizer.emit(finished(
            3,
            AgentEnd::Cached {
                value: json!("old"),
            },
        ));
        let table = ModelTable {
            resolver: ModelResolver::new(
                [("local".to_string(), "openai:llama3".to_string())],
                None,
                ProviderKind::Anthropic,
            ),
            pricing: Pricing::default(),
            default_model: Ok("haiku".into()),
        };
        let estimate = sizer.project(&table);
        assert_eq!(estimate.agents, 2);
        // 40 characters of text, 7 of JSON.
        assert_eq!(estimate.output_tokens, 10 + 2);
        assert!(estimate.input_tokens > 2 * 1000, "{estimate:?}");
        assert_eq!(estimate.models(), "claude-haiku-4-5 (1), llama3 (1)");
        let haiku = estimate.by_model["claude-haiku-4-5"].cost_usd.unwrap();
        assert!(haiku > 0.0);
        assert_eq!(estimate.cost_usd(), haiku);
        assert!(estimate.cost_text().contains("not counted: llama3"));
    }
}
