//! Everything `baton check` says about a script, and what `baton run` warns about before it
//! starts: the static check (syntax, `meta`, imports), the lints, each literal `schema` checked
//! as the engine checks it, and model names that look like a misspelt alias.

use std::path::Path;

use baton_engine::check_schema;
use baton_llm::ModelResolver;
use baton_script::diagnostic::{Diagnostic, Severity};
use baton_script::lint::{closest, lint};
use baton_script::Script;
use serde_json::{json, Value};

/// A checked script: the script when it loads, and every problem by position.
pub struct ScriptReport {
    pub script: Option<Script>,
    pub diagnostics: Vec<Diagnostic>,
    name: String,
    source: String,
}

impl ScriptReport {
    /// Checks `source`. `resolver`: the model aliases in force here, to catch misspelt ones.
    pub fn new(path: &Path, source: String, resolver: Option<&ModelResolver>) -> ScriptReport {
        let lint = lint(&source);
        let (script, mut diagnostics) = match Script::from_source(path, source.clone()) {
            Ok(script) => {
                let warnings = script.warnings.clone();
                (Some(script), warnings)
            }
            Err(problems) => (None, problems.diagnostics),
        };
        diagnostics.extend(lint.diagnostics.iter().cloned());
        for schema in &lint.schemas {
            if let Err(why) = check_schema(&schema.value) {
                let message = format!("agent() would reject this schema before starting: {why}");
                diagnostics.push(Diagnostic::error(message, schema.line, schema.column));
            }
        }
        if let Some(resolver) = resolver {
            for model in &lint.models {
                if let Some(message) = misspelt_alias(resolver, &model.value) {
                    diagnostics.push(Diagnostic::warning(message, model.line, model.column));
                }
            }
        }
        diagnostics.sort_by_key(|d| (d.line, d.column));
        ScriptReport {
            script,
            diagnostics,
            name: path.display().to_string(),
            source,
        }
    }

    pub fn ok(&self) -> bool {
        self.script.is_some()
            && !self
                .diagnostics
                .iter()
                .any(|d| d.severity == Severity::Error)
    }

    /// Every diagnostic as `file:line:col: severity: message` with its code frame.
    pub fn rendered(&self, severity: Option<Severity>) -> Vec<String> {
        self.diagnostics
            .iter()
            .filter(|d| severity.is_none_or(|s| d.severity == s))
            .map(|d| d.render(&self.name, &self.source))
            .collect()
    }

    /// The `baton check --json` document (the shape other tools rely on; see the README).
    pub fn to_json(&self) -> Value {
        let meta = self.script.as_ref().map(|script| {
            let meta = &script.meta;
            let phases: Vec<Value> = meta
                .phases
                .iter()
                .map(|p| json!({"title": p.title, "detail": p.detail, "model": p.model}))
                .collect();
            json!({"name": meta.name, "description": meta.description, "phases": phases})
        });
        let diagnostics: Vec<Value> = self
            .diagnostics
            .iter()
            .map(|d| {
                json!({
                    "severity": d.severity.to_string(),
                    "message": d.message,
                    "line": d.line,
                    "column": d.column,
                    "text": d.render(&self.name, &self.source),
                })
            })
            .collect();
        json!({"file": self.name, "ok": self.ok(), "meta": meta, "diagnostics": diagnostics})
    }
}

/// A model name that is not an alias, names no provider, and is one typo from an alias:
/// it would be sent to a provider as a model id that does not exist.
fn misspelt_alias(resolver: &ModelResolver, name: &str) -> Option<String> {
    if resolver.aliases().contains_key(name) || name.contains(':') {
        return None;
    }
    let aliases = resolver.alias_names();
    let alias = closest(name, &aliases)?;
    Some(format!(
        "model '{name}' is not an alias (did you mean '{alias}'?); as written it is sent to the provider as a model id"
    ))
}
