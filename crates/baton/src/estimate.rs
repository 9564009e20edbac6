//! The estimate before a run: how many agents a `sim` dry run starts (over several seeds, since
//! a script's fan-out can depend on agents' answers), and what they would cost on the real
//! model. Tokens come from characters at about four a token: each agent's first request as
//! `baton_agent` would build it (system prompt, tool definitions, prompt) and, for its answer,
//! the size of the sim's. Each agent is a conversation of turns with the prompt cache at work
//! (`turns.rs`), unless earlier runs of the same workflow journaled what an agent of its phase
//! and model spent (`history.rs`); dollars come from the pricing table for the model each
//! agent would use.

mod history;
mod range;
pub mod turns;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::Mutex;

use baton_agent::{first_request, AgentTypes, Footprint};
use baton_engine::EventSink;
use baton_model::{AgentEnd, Event, Usage};
use serde_json::Value;

pub use history::History;
pub use range::{Estimate, Range};

use crate::model_choice::ModelTable;
use turns::{min_cacheable, Shape, TOOL_TURNS};

/// The phase of agents started outside any phase.
pub const NO_PHASE: &str = "(no phase)";

/// What the estimate knows of one agent of the dry run.
#[derive(Debug, Clone, Default)]
struct Sized {
    /// The `model` option, when the script gave one.
    model: Option<String>,
    phase: Option<String>,
    footprint: Footprint,
    output_chars: u64,
    /// Answered from the journal of an earlier run: costs nothing.
    cached: bool,
}

/// Listens to one dry run (one seed) and sizes every agent it starts.
pub struct Sizer {
    workspace: std::path::PathBuf,
    agent_types: AgentTypes,
    agents: Mutex<BTreeMap<u64, Sized>>,
    /// Labels (or `#seq`) of the agents whose `tools` name WebSearch.
    web_search: Mutex<BTreeSet<String>>,
}

/// One seed's dry run, priced: the agents, tokens and dollars of the fewest turns (`min`) and
/// of the expected most (`max`).
#[derive(Debug, Clone, Default)]
pub struct SeedEstimate {
    pub agents: u64,
    /// Agents and resolved models by phase, in the order phases started.
    pub phases: Vec<(String, u64, BTreeSet<String>)>,
    /// Agents by resolved model id.
    pub by_model: BTreeMap<String, u64>,
    pub tokens: Range<u64>,
    /// Dollars on the priced models.
    pub cost_usd: Range<f64>,
    /// Models without a price.
    pub unpriced: BTreeSet<String>,
    /// Agents that name no model when the run has no default one.
    pub unknown_model: u64,
    /// Agents sized from earlier runs rather than from the turn model.
    pub learned: u64,
}

impl Sizer {
    pub fn new(workspace: &Path, home: Option<&Path>) -> Sizer {
        Sizer {
            workspace: workspace.to_path_buf(),
            agent_types: AgentTypes::discover(workspace, home),
            agents: Mutex::new(BTreeMap::new()),
            web_search: Mutex::new(BTreeSet::new()),
        }
    }

    /// The agents of this dry run that asked for WebSearch, by label.
    pub fn web_search_askers(&self) -> BTreeSet<String> {
        self.web_search
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Prices what the dry run started, on the models `table` resolves to: as earlier runs
    /// spent where `history` knows the phase and model, else as the turn model projects.
    pub fn project(&self, table: &ModelTable, history: &History) -> SeedEstimate {
        let agents = self.agents.lock().unwrap_or_else(|e| e.into_inner());
        let mut estimate = SeedEstimate::default();
        // Models whose shared prefix an earlier agent of the run has written to the cache.
        let mut warm = BTreeSet::new();
        for agent in agents.values().filter(|a| !a.cached) {
            estimate.agents += 1;
            let title = agent.phase.clone().unwrap_or_else(|| NO_PHASE.into());
            let index = match estimate.phases.iter().position(|(t, ..)| *t == title) {
                Some(index) => index,
                None => {
                    estimate.phases.push((title, 0, BTreeSet::new()));
                    estimate.phases.len() - 1
                }
            };
            estimate.phases[index].1 += 1;
            let requested = match (&agent.model, &table.default_model) {
                // On `--model sim` every agent is simulated, whatever model it names.
                (_, Ok(sim)) if sim == "sim" => sim.clone(),
                (Some(model), _) | (None, Ok(model)) => model.clone(),
                (None, Err(_)) => {
                    estimate.unknown_model += 1;
                    let fewest = usage(agent, 1, false, 1024);
                    estimate.tokens.min += tokens_of(&fewest);
                    estimate.tokens.max += tokens_of(&usage(agent, turns(agent), false, 1024));
                    continue;
                }
            };
            // `sim` is free; a name that does not resolve fails the real run anyway.
            let resolved = (requested != "sim")
                .then(|| table.resolver.resolve(&requested).ok())
                .flatten();
            let model = resolved.as_ref().map_or(requested, |m| m.model.clone());
            let title = &estimate.phases[index].0;
            let learned = resolved
                .as_ref()
                .and_then(|m| history.agent(title, &m.to_string()));
            estimate.phases[index].2.insert(model.clone());
            *estimate.by_model.entry(model.clone()).or_default() += 1;
            let minimum = min_cacheable(&model);
            let shared_cached = !warm.insert(model.clone());
            let (fewest, most) = match learned {
                Some(spent) => {
                    estimate.learned += 1;
                    (spent.min, spent.max)
                }
                None => (
                    usage(agent, 1, shared_cached, minimum),
                    usage(agent, turns(agent), shared_cached, minimum),
                ),
            };
            estimate.tokens.min += tokens_of(&fewest);
            estimate.tokens.max += tokens_of(&most);
            if model == "sim" {
                continue;
            }
            if table.pricing.price(&model).is_some() {
                estimate.cost_usd.min += table.pricing.cost(&model, &fewest);
                estimate.cost_usd.max += table.pricing.cost(&model, &most);
            } else {
                estimate.unpriced.insert(model);
            }
        }
        estimate
    }
}

/// Turns at the estimate's upper end: several for an agent offered tools, else one.
fn turns(agent: &Sized) -> u64 {
    if agent.footprint.tools_offered {
        TOOL_TURNS
    } else {
        1
    }
}

fn usage(agent: &Sized, turns: u64, shared_cached: bool, min_cacheable: u64) -> Usage {
    turns::usage(Shape {
        shared: tokens(agent.footprint.shared_chars),
        own: tokens(agent.footprint.own_chars),
        answer: tokens(agent.output_chars),
        turns,
        shared_cached,
        min_cacheable,
    })
}

fn tokens_of(usage: &Usage) -> u64 {
    usage.total_input() + usage.output_tokens
}

impl EventSink for Sizer {
    fn emit(&self, event: Event) {
        let mut agents = self.agents.lock().unwrap_or_else(|e| e.into_inner());
        match event {
            Event::AgentQueued {
                seq,
                label,
                prompt,
                options,
                phase,
                ..
            } => {
                if options
                    .tools
                    .as_ref()
                    .is_some_and(|tools| tools.iter().any(|t| t == "WebSearch"))
                {
                    self.web_search
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .insert(label.unwrap_or_else(|| format!("#{seq}")));
                }
                let footprint =
                    first_request(&prompt, &options, &self.workspace, &self.agent_types);
                agents.insert(
                    seq,
                    Sized {
                        model: options.model.clone(),
                        phase,
                        footprint,
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

    fn started(seq: u64, prompt: &str, model: Option<&str>, tools: Option<Vec<String>>) -> Event {
        Event::AgentQueued {
            seq,
            key: baton_model::CallKey("k".into()),
            occurrence: 0,
            label: None,
            phase: Some("Read".into()),
            model: "sim".into(),
            prompt: prompt.into(),
            options: Box::new(AgentOptions {
                model: model.map(String::from),
                tools,
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

    fn table() -> ModelTable {
        ModelTable {
            resolver: ModelResolver::new(
                [("local".to_string(), "openai:llama3".to_string())],
                None,
                ProviderKind::Anthropic,
            ),
            pricing: Pricing::default(),
            default_model: Ok("haiku".into()),
        }
    }

    #[test]
    fn agents_are_priced_on_their_models_and_cached_ones_are_free() {
        let dir = tempfile::tempdir().unwrap();
        let sizer = Sizer::new(dir.path(), None);
        sizer.emit(started(1, "a", None, Some(vec![])));
        sizer.emit(finished(
            1,
            AgentEnd::Completed {
                value: json!("x".repeat(40)),
            },
        ));
        sizer.emit(started(2, "b", Some("local"), None));
        sizer.emit(finished(
            2,
            AgentEnd::Completed {
                value: json!({"n": 1}),
            },
        ));
        sizer.emit(started(3, "c", None, None));
        sizer.emit(finished(
            3,
            AgentEnd::Cached {
                value: json!("old"),
            },
        ));
        let estimate = sizer.project(&table(), &History::default());
        assert_eq!(estimate.agents, 2);
        assert_eq!(estimate.phases[0].0, "Read");
        assert_eq!(estimate.phases[0].1, 2);
        let models: Vec<&String> = estimate.by_model.keys().collect();
        assert_eq!(models, ["claude-haiku-4-5", "llama3"]);
        assert!(estimate.unpriced.contains("llama3"));
        // The haiku agent has no tools: one turn, so its cost is no range.
        assert!(estimate.cost_usd.min > 0.0);
        assert_eq!(estimate.cost_usd.min, estimate.cost_usd.max);
        // The local agent has tools: up to three turns, each sending the history again.
        assert!(
            estimate.tokens.max > estimate.tokens.min * 2,
            "{estimate:?}"
        );
    }
}
