//! What `baton check F --json` and `baton run F --dry-run --json` print, as the author reads it,
//! and how their failures are told to the authoring model (file:line:col, the line, the sim
//! failure with its seed).

use serde::Deserialize;
use serde_json::Value;

/// `baton check F --json`.
#[derive(Debug, Clone, Deserialize)]
pub struct CheckReport {
    pub file: String,
    pub ok: bool,
    pub meta: Option<MetaReport>,
    #[serde(default)]
    pub diagnostics: Vec<Diagnostic>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct MetaReport {
    pub name: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub phases: Vec<MetaPhase>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct MetaPhase {
    pub title: String,
    pub detail: Option<String>,
    pub model: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Diagnostic {
    pub severity: String,
    pub message: String,
    pub line: Option<u64>,
    pub column: Option<u64>,
    /// The diagnostic as `baton check` prints it: location, message and the lines it points
    /// at.
    pub text: Option<String>,
}

/// `baton run F --dry-run --json`.
#[derive(Debug, Clone, Deserialize)]
pub struct DryRunReport {
    pub ok: bool,
    #[serde(default)]
    pub seeds: Value,
    pub agents: Range<u64>,
    #[serde(default)]
    pub phases: Vec<PhaseEstimate>,
    #[serde(default)]
    pub models: Vec<String>,
    pub tokens: Option<Range<u64>>,
    #[serde(rename = "costUsd")]
    pub cost_usd: Option<Range<f64>>,
    pub seconds: Option<Range<f64>>,
    #[serde(default)]
    pub caps: Vec<Value>,
    #[serde(default)]
    pub failures: Vec<SimFailure>,
}

#[derive(Debug, Clone, Copy, Deserialize)]
pub struct Range<T> {
    pub min: T,
    pub max: T,
}

#[derive(Debug, Clone, Deserialize)]
pub struct PhaseEstimate {
    pub title: String,
    pub agents: Range<u64>,
    #[serde(default)]
    pub models: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct SimFailure {
    pub seed: Value,
    pub message: String,
}

impl CheckReport {
    /// The errors, one block each: `file:line:col: error: message`, then the lines it points at.
    pub fn errors(&self) -> Option<String> {
        let errors: Vec<String> = self
            .diagnostics
            .iter()
            .filter(|d| d.severity == "error")
            .map(|d| d.render(&self.file))
            .collect();
        match (self.ok, errors.is_empty()) {
            (true, true) => None,
            (_, false) => Some(errors.join("\n")),
            (false, true) => Some(format!("{}: the check failed", self.file)),
        }
    }

    /// The warnings, for the author to hear alongside errors (they never fail a draft).
    pub fn warnings(&self) -> Vec<String> {
        self.diagnostics
            .iter()
            .filter(|d| d.severity != "error")
            .map(|d| d.render(&self.file))
            .collect()
    }
}

impl Diagnostic {
    fn render(&self, file: &str) -> String {
        if let Some(text) = self.text.as_deref().filter(|t| !t.trim().is_empty()) {
            return text.trim_end().to_string();
        }
        let at = match (self.line, self.column) {
            (Some(l), Some(c)) => format!("{file}:{l}:{c}"),
            (Some(l), None) => format!("{file}:{l}"),
            _ => file.to_string(),
        };
        format!("{at}: {}: {}", self.severity, self.message)
    }
}

impl DryRunReport {
    /// What went wrong on `sim`: each message once, with the seeds it came from. Seeds often
    /// fail the same way, and the text goes into the author's next prompt, where a slow local
    /// model reads every repeated token.
    pub fn failures_text(&self) -> Option<String> {
        if self.ok && self.failures.is_empty() {
            return None;
        }
        if self.failures.is_empty() {
            return Some("the dry run on sim failed".into());
        }
        let mut grouped: Vec<(&str, Vec<String>)> = Vec::new();
        for failure in &self.failures {
            let seed = failure.seed.to_string();
            match grouped.iter_mut().find(|(m, _)| *m == failure.message) {
                Some((_, seeds)) => seeds.push(seed),
                None => grouped.push((&failure.message, vec![seed])),
            }
        }
        let lines: Vec<String> = grouped
            .into_iter()
            .map(|(message, seeds)| {
                let which = match seeds.len() {
                    1 => format!("seed {}", seeds[0]),
                    _ => format!("seeds {}", seeds.join(", ")),
                };
                format!("dry run on sim, {which}: {message}")
            })
            .collect();
        Some(lines.join("\n"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn seeds_that_fail_the_same_way_are_said_once() {
        let report: DryRunReport = serde_json::from_value(json!({
            "ok": false, "agents": {"min": 1, "max": 1},
            "failures": [
                {"seed": 0, "message": "TypeError: x is undefined"},
                {"seed": 1, "message": "TypeError: x is undefined"},
                {"seed": 2, "message": "RangeError: too deep"},
                {"seed": 3, "message": "TypeError: x is undefined"},
            ],
        }))
        .unwrap();
        assert_eq!(
            report.failures_text().unwrap(),
            "dry run on sim, seeds 0, 1, 3: TypeError: x is undefined\n\
             dry run on sim, seed 2: RangeError: too deep"
        );
    }
}
