//! The plan card: what the workflow will do and what it may cost, shown before anything is
//! spent on it, with what writing it already cost.

use std::fmt::Write;

use baton_model::Usage;

use crate::contract::Range;
use crate::session::Checked;

/// What the author's own run spent, shown on the card so no cost is hidden.
#[derive(Debug, Clone)]
pub struct AuthorCost {
    pub run_id: String,
    pub model: String,
    pub repairs: u32,
    pub usage: Usage,
}

/// The card, as lines for a terminal (no trailing prompt).
pub fn plan_card(checked: &Checked, file: &str, author: &AuthorCost) -> String {
    let meta = checked.check.meta.clone().unwrap_or_default();
    let dry = &checked.dry_run;
    let mut out = String::new();
    let _ = writeln!(out, "┌ {} — {}", meta.name, meta.description);
    let _ = writeln!(out, "│ phases:");
    let mut titles: Vec<String> = meta.phases.iter().map(|p| p.title.clone()).collect();
    for phase in &dry.phases {
        if !titles.contains(&phase.title) {
            titles.push(phase.title.clone());
        }
    }
    for (i, title) in titles.iter().enumerate() {
        let declared = meta.phases.iter().find(|p| &p.title == title);
        let estimated = dry.phases.iter().find(|p| &p.title == title);
        let agents = estimated.map_or("0 agents".to_string(), |p| {
            format!("{} agent{}", range(p.agents), plural(p.agents.max))
        });
        let models = match estimated.filter(|p| !p.models.is_empty()) {
            Some(p) => p.models.join(", "),
            None => declared
                .and_then(|p| p.model.clone())
                .unwrap_or_else(|| "default model".into()),
        };
        let detail = declared
            .and_then(|p| p.detail.as_deref())
            .map(|d| format!(" — {d}"))
            .unwrap_or_default();
        let _ = writeln!(out, "│   {}. {title}{detail} · {agents} · {models}", i + 1);
    }
    let _ = writeln!(
        out,
        "│ agents: {} (on sim over seeds {}) · models: {}",
        range(dry.agents),
        dry.seeds,
        if dry.models.is_empty() {
            "none".to_string()
        } else {
            dry.models.join(", ")
        }
    );
    let tokens = dry
        .tokens
        .map_or("unknown".to_string(), |t| format!("{} tokens", range(t)));
    let cost = match dry.cost_usd {
        Some(c) if c.max > 0.0 => format!("${:.4}–${:.4}", c.min, c.max),
        Some(_) => "$0".to_string(),
        None => "no price for some model".to_string(),
    };
    let time = dry.seconds.map_or("unknown".to_string(), |s| {
        format!("{}–{}", seconds(s.min), seconds(s.max))
    });
    let _ = writeln!(out, "│ estimate: {tokens} · {cost} · {time}");
    if dry.caps.is_empty() {
        let _ = writeln!(out, "│ caps: none binds");
    } else {
        let caps: Vec<String> = dry
            .caps
            .iter()
            .map(|c| c.as_str().map_or_else(|| c.to_string(), str::to_string))
            .collect();
        let _ = writeln!(out, "│ caps that will bind: {}", caps.join("; "));
    }
    let u = &author.usage;
    let _ = writeln!(
        out,
        "│ written by {} in run {} · {} repair{} · {} input + {} output tokens{}",
        author.model,
        author.run_id,
        author.repairs,
        plural(u64::from(author.repairs)),
        u.input_tokens + u.cache_read_tokens + u.cache_write_tokens,
        u.output_tokens,
        if u.cost_usd > 0.0 {
            format!(" · ${:.4}", u.cost_usd)
        } else {
            String::new()
        }
    );
    let _ = writeln!(out, "└ script: {file}");
    out
}

fn range<T: PartialEq + std::fmt::Display + Copy>(r: Range<T>) -> String {
    if r.min == r.max {
        r.min.to_string()
    } else {
        format!("{}–{}", r.min, r.max)
    }
}

fn plural(n: u64) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

fn seconds(s: f64) -> String {
    if s >= 90.0 {
        format!("{:.0}m", s / 60.0)
    } else {
        format!("{s:.0}s")
    }
}
