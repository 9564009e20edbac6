//! The estimate over several seeds of the dry run: every figure a range (`8–24 agents`), what
//! `--dry-run` prints, and the one JSON object `--dry-run --json` prints.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{json, Value};

use super::SeedEstimate;

/// The smallest and largest value seen.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Range<T> {
    pub min: T,
    pub max: T,
}

impl<T: Copy + PartialOrd> Range<T> {
    fn of(value: T) -> Range<T> {
        Range {
            min: value,
            max: value,
        }
    }

    fn widen(&mut self, other: Range<T>) {
        if other.min < self.min {
            self.min = other.min;
        }
        if other.max > self.max {
            self.max = other.max;
        }
    }
}

impl Range<u64> {
    /// `8` or `8–24`.
    pub fn text(&self) -> String {
        if self.min == self.max {
            self.min.to_string()
        } else {
            format!("{}–{}", self.min, self.max)
        }
    }

    fn json(&self) -> Value {
        json!({"min": self.min, "max": self.max})
    }
}

/// One phase over every seed.
#[derive(Debug, Clone)]
pub struct PhaseLine {
    pub title: String,
    pub agents: Range<u64>,
    pub models: BTreeSet<String>,
}

/// The projection for a run, over every seed of its dry run.
#[derive(Debug, Clone)]
pub struct Estimate {
    pub seeds: usize,
    pub agents: Range<u64>,
    pub phases: Vec<PhaseLine>,
    /// Agents by resolved model id.
    pub models: BTreeMap<String, Range<u64>>,
    pub tokens: Range<u64>,
    /// Dollars on priced models.
    pub cost_usd: Range<f64>,
    pub unpriced: BTreeSet<String>,
    pub unknown_model: u64,
    pub default_model: Result<String, String>,
    /// The caps that bound in a seed's run, in words.
    pub caps: Vec<String>,
    /// `(seed, rendered error)` of the seeds whose run did not complete.
    pub failures: Vec<(usize, String)>,
    /// Earlier runs of the workflow whose journaled spend sized some agents (0: none did).
    pub learned_from: usize,
    /// Labels of the agents that asked for WebSearch, over every seed.
    pub web_search_askers: BTreeSet<String>,
}

impl Estimate {
    /// Folds the seeds' estimates; `phases` are the script's `meta` phases, listed first.
    /// `learned_from` is how many earlier runs the seeds' history came from.
    pub fn over(
        seeds: &[SeedEstimate],
        phases: &[String],
        default_model: Result<String, String>,
        learned_from: usize,
    ) -> Estimate {
        let mut estimate = Estimate {
            seeds: seeds.len(),
            agents: Range::default(),
            phases: phases
                .iter()
                .map(|title| PhaseLine {
                    title: title.clone(),
                    agents: Range::of(u64::MAX),
                    models: BTreeSet::new(),
                })
                .collect(),
            models: BTreeMap::new(),
            tokens: Range::default(),
            cost_usd: Range::default(),
            unpriced: BTreeSet::new(),
            unknown_model: 0,
            default_model,
            caps: Vec::new(),
            failures: Vec::new(),
            learned_from: 0,
            web_search_askers: BTreeSet::new(),
        };
        for (index, seed) in seeds.iter().enumerate() {
            let first = index == 0;
            let widen_u = |range: &mut Range<u64>, value: Range<u64>| {
                if first {
                    *range = value;
                } else {
                    range.widen(value);
                }
            };
            widen_u(&mut estimate.agents, Range::of(seed.agents));
            widen_u(&mut estimate.tokens, seed.tokens);
            if first {
                estimate.cost_usd = seed.cost_usd;
            } else {
                estimate.cost_usd.widen(seed.cost_usd);
            }
            for (title, agents, models) in &seed.phases {
                let line = match estimate.phases.iter_mut().find(|p| p.title == *title) {
                    Some(line) => line,
                    None => {
                        estimate.phases.push(PhaseLine {
                            title: title.clone(),
                            agents: Range::of(u64::MAX),
                            models: BTreeSet::new(),
                        });
                        estimate.phases.last_mut().expect("just pushed")
                    }
                };
                line.models.extend(models.iter().cloned());
                widen_phase(&mut line.agents, *agents);
            }
            for line in &mut estimate.phases {
                if !seed.phases.iter().any(|(title, ..)| *title == line.title) {
                    widen_phase(&mut line.agents, 0);
                }
            }
            for (model, agents) in &seed.by_model {
                let range = estimate
                    .models
                    .entry(model.clone())
                    .or_insert(Range::of(u64::MAX));
                widen_phase(range, *agents);
            }
            for (model, range) in &mut estimate.models {
                if !seed.by_model.contains_key(model) {
                    widen_phase(range, 0);
                }
            }
            estimate.unpriced.extend(seed.unpriced.iter().cloned());
            estimate.unknown_model = estimate.unknown_model.max(seed.unknown_model);
            if seed.learned > 0 {
                estimate.learned_from = learned_from;
            }
        }
        for line in &mut estimate.phases {
            if line.agents.min == u64::MAX {
                line.agents = Range::of(0);
            }
        }
        estimate
    }

    /// Whether the cost is known: every agent on a priced model (or `sim`).
    pub fn fully_priced(&self) -> bool {
        self.unpriced.is_empty() && self.unknown_model == 0
    }

    /// The models agents would use: `claude-haiku-4-5 (6), gpt-4o (2–4)`.
    pub fn models_text(&self) -> String {
        let mut models: Vec<String> = self
            .models
            .iter()
            .map(|(model, agents)| format!("{model} ({})", agents.text()))
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

    /// `$0.0123–$0.0456`, and what it leaves out; "no price" for unpriced models.
    pub fn cost_text(&self) -> String {
        let dollars = |value: f64| format!("${:.4}", value.max(0.0));
        let mut text = if (self.cost_usd.max - self.cost_usd.min).abs() < 0.00005 {
            dollars(self.cost_usd.max)
        } else {
            format!(
                "{}–{}",
                dollars(self.cost_usd.min),
                dollars(self.cost_usd.max)
            )
        };
        if !self.unpriced.is_empty() {
            let names: Vec<&str> = self.unpriced.iter().map(String::as_str).collect();
            if self
                .models
                .keys()
                .all(|model| self.unpriced.contains(model))
            {
                text = "no price".into();
            }
            text.push_str(&format!(
                "; no price for {} (add one with --price or [pricing])",
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
        let turns = format!(
            "the low end is one turn per agent; the high end gives an agent offered tools {} \
             turns, each sending its conversation again, with prompt caching.",
            super::TOOL_TURNS
        );
        let how = if self.learned_from > 0 {
            format!(
                "Agents of a phase and model that earlier runs of this workflow had are sized \
                 from the {} latest in the journal, cheapest to dearest; for the others, {turns}",
                self.learned_from
            )
        } else {
            format!("T{}", &turns[1..])
        };
        format!(
            "\nestimate ({} seeds of the dry run; about 4 characters a token)\n\
             agents            {}\n\
             models            {}\n\
             projected tokens  {}\n\
             projected cost    {}\n\
             {how}\n",
            self.seeds,
            self.agents.text(),
            self.models_text(),
            self.tokens.text(),
            self.cost_text(),
        )
    }

    /// The phase table `--dry-run` prints first.
    pub fn phase_table(&self) -> String {
        let width = self
            .phases
            .iter()
            .map(|p| p.title.chars().count())
            .max()
            .unwrap_or(0)
            .max(10);
        let mut out = format!(
            "dry run on the sim model: no tokens spent\n{:<width$}  agents\n",
            "phase"
        );
        for line in &self.phases {
            out.push_str(&format!(
                "{:<width$}  {:>6}\n",
                line.title,
                line.agents.text()
            ));
        }
        out.push_str(&format!("{:<width$}  {:>6}\n", "total", self.agents.text()));
        out
    }

    /// The one object `--dry-run --json` prints.
    pub fn json(&self) -> Value {
        let phases: Vec<Value> = self
            .phases
            .iter()
            .map(|line| {
                json!({
                    "title": line.title,
                    "agents": line.agents.json(),
                    "models": line.models,
                })
            })
            .collect();
        let cost = self
            .fully_priced()
            .then(|| json!({"min": round(self.cost_usd.min), "max": round(self.cost_usd.max)}));
        let failures: Vec<Value> = self
            .failures
            .iter()
            .map(|(seed, message)| json!({"seed": seed, "message": message}))
            .collect();
        json!({
            "ok": self.failures.is_empty(),
            "seeds": self.seeds,
            "agents": self.agents.json(),
            "phases": phases,
            "models": self.models.keys().collect::<Vec<_>>(),
            "tokens": self.tokens.json(),
            "costUsd": cost,
            "seconds": Value::Null,
            "caps": self.caps,
            "failures": failures,
            "learnedFrom": self.learned_from,
        })
    }
}

/// A phase or model count that starts unset (`u64::MAX`) until a seed counts it.
fn widen_phase(range: &mut Range<u64>, agents: u64) {
    if range.min == u64::MAX {
        *range = Range::of(agents);
    } else {
        range.widen(Range::of(agents));
    }
}

/// Dollars to a millionth, so the JSON does not carry float noise.
fn round(dollars: f64) -> f64 {
    (dollars.max(0.0) * 1e6).round() / 1e6
}
