//! Every model a run will use, resolved before the first request: the default model, the
//! literal `model:` values of the script's `agent()` calls, `meta.phases[].model`, and the
//! models of the agent types it names. A model whose provider is not configured here refuses
//! the run with one message that says how to map it, instead of failing after money is spent.

use std::path::Path;

use baton_agent::{AgentTypes, Providers};
use baton_llm::{LlmError, ModelResolver};
use baton_script::lint::{closest, Lint};
use baton_script::Script;

/// One place a model is named.
#[derive(Debug, Clone)]
pub struct ModelUse {
    pub name: String,
    /// Where, for the message: `flow.workflow.js:4:21`, `meta.phases[1].model`, …
    pub whence: String,
}

/// The models the script names statically (not the default model).
pub fn uses_in(script: &Script, lint: &Lint, cwd: &Path, home: Option<&Path>) -> Vec<ModelUse> {
    let file = script.display_name();
    let mut uses: Vec<ModelUse> = lint
        .models
        .iter()
        .map(|m| ModelUse {
            name: m.value.clone(),
            whence: format!("{file}:{}:{}", m.line, m.column),
        })
        .collect();
    for (i, phase) in script.meta.phases.iter().enumerate() {
        if let Some(model) = &phase.model {
            uses.push(ModelUse {
                name: model.clone(),
                whence: format!("meta.phases[{i}].model"),
            });
        }
    }
    let types = AgentTypes::discover(cwd, home);
    for named in &lint.agent_types {
        if let Ok(found) = types.get(&named.value) {
            if let Some(model) = found.model {
                uses.push(ModelUse {
                    name: model,
                    whence: format!(
                        "agent type '{}' (.claude/agents/{}.md)",
                        found.name, named.value
                    ),
                });
            }
        }
    }
    uses
}

/// Refuses when some model cannot be reached: one line per model, then what to do.
pub fn refuse_unreachable(
    resolver: &ModelResolver,
    providers: &Providers,
    uses: &[ModelUse],
) -> Result<(), String> {
    let mut lines = Vec::new();
    let mut first = None;
    for use_ in uses {
        if let Some(why) = unreachable(resolver, providers, &use_.name) {
            lines.push(format!("  {}: '{}' {why}", use_.whence, use_.name));
            first.get_or_insert(use_.name.clone());
        }
    }
    let Some(example) = first else {
        return Ok(());
    };
    let target = reachable_example(resolver, providers, uses);
    Err(format!(
        "{} cannot be reached with the providers configured here (nothing was run):\n{}\n\
         map each name to a model you can reach: an alias in .baton/config.toml \
         ([models] {example} = \"{target}\"), the flag --alias {example}={target}, \
         or `provider:model` in the script (`anthropic:…`, `openai:…`); or run with --model sim",
        if lines.len() == 1 {
            "a model"
        } else {
            "some models"
        },
        lines.join("\n"),
    ))
}

/// Why `name` cannot be used here, or `None` when it can.
fn unreachable(resolver: &ModelResolver, providers: &Providers, name: &str) -> Option<String> {
    if name == "sim" {
        return None;
    }
    let resolved = match resolver.resolve(name) {
        Ok(resolved) => resolved,
        Err(why) => return Some(why),
    };
    let missing = match providers.get(resolved.provider)?.missing_key()? {
        LlmError::MissingKey { variable, .. } => format!("{variable} is not set"),
        other => other.to_string(),
    };
    let provider = resolved.provider.name();
    if resolver.aliases().contains_key(name.trim()) {
        return Some(format!(
            "is an alias for {resolved}, and the {provider} provider is not configured ({missing})"
        ));
    }
    if resolver.decides_provider(name) {
        return Some(format!(
            "is a {provider} model, and the {provider} provider is not configured ({missing})"
        ));
    }
    // A bare name of no family we know goes to the configured provider; it only gets here when
    // none is configured. Which key to set depends on who serves the model, which only the
    // user knows: so no provider's key is named as "the" fix.
    let hint = closest(name, &resolver.alias_names())
        .map(|alias| format!(" (did you mean the alias '{alias}'?)"))
        .unwrap_or_default();
    Some(format!(
        "is not an alias and names no provider{hint}, and no provider is configured: for an \
         OpenAI-compatible server set OPENAI_BASE_URL (and OPENAI_API_KEY if it needs one), \
         or write the provider as `provider:{name}`"
    ))
}

/// A model the user can reach, for the example in the message: the default model when it is
/// reachable, else a placeholder.
fn reachable_example(resolver: &ModelResolver, providers: &Providers, uses: &[ModelUse]) -> String {
    uses.iter()
        .filter(|u| unreachable(resolver, providers, &u.name).is_none())
        .find_map(|u| resolver.resolve(&u.name).ok())
        .map_or_else(|| "openai:<model>".to_string(), |m| m.to_string())
}
