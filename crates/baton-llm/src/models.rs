//! Which provider and model a script's `model` option means: aliases (`haiku`, `sonnet`,
//! `opus`), `provider:model` prefixes, and a guess from the model's name.

use std::collections::BTreeMap;
use std::fmt;

/// The aliases every script can use; a config file may override or add to them.
pub const DEFAULT_ALIASES: [(&str, &str); 3] = [
    ("haiku", "anthropic:claude-haiku-4-5"),
    ("sonnet", "anthropic:claude-sonnet-4-6"),
    ("opus", "anthropic:claude-opus-4-6"),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ProviderKind {
    Anthropic,
    OpenAi,
}

impl ProviderKind {
    pub const ALL: [ProviderKind; 2] = [ProviderKind::Anthropic, ProviderKind::OpenAi];

    pub fn name(self) -> &'static str {
        match self {
            ProviderKind::Anthropic => "anthropic",
            ProviderKind::OpenAi => "openai",
        }
    }

    pub fn parse(name: &str) -> Option<ProviderKind> {
        ProviderKind::ALL
            .into_iter()
            .find(|kind| kind.name() == name)
    }
}

/// A model with its provider made explicit; written `provider:model`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ModelRef {
    pub provider: ProviderKind,
    pub model: String,
}

impl fmt::Display for ModelRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.provider.name(), self.model)
    }
}

impl ModelRef {
    /// Splits a known `provider:` prefix off. Other colons belong to the model id (Ollama's
    /// `llama3.1:8b`), so only the provider names we know count as a prefix.
    fn split_prefix(text: &str) -> Option<ModelRef> {
        let (prefix, model) = text.split_once(':')?;
        let provider = ProviderKind::parse(prefix)?;
        Some(ModelRef {
            provider,
            model: model.to_string(),
        })
    }
}

#[derive(Debug, Clone)]
pub struct ModelResolver {
    aliases: BTreeMap<String, String>,
    /// `--provider`: the provider for every model that names none.
    forced: Option<ProviderKind>,
    /// The provider for names that give no hint (the one whose key is in the environment).
    fallback: ProviderKind,
}

impl ModelResolver {
    pub fn new(
        aliases: impl IntoIterator<Item = (String, String)>,
        forced: Option<ProviderKind>,
        fallback: ProviderKind,
    ) -> ModelResolver {
        let mut table: BTreeMap<String, String> = DEFAULT_ALIASES
            .iter()
            .map(|(a, m)| (a.to_string(), m.to_string()))
            .collect();
        table.extend(aliases);
        ModelResolver {
            aliases: table,
            forced,
            fallback,
        }
    }

    pub fn aliases(&self) -> &BTreeMap<String, String> {
        &self.aliases
    }

    /// The alias names, for suggestions.
    pub fn alias_names(&self) -> Vec<&str> {
        self.aliases.keys().map(String::as_str).collect()
    }

    /// Whether `name` itself decides its provider (an alias, a `provider:` prefix, a family
    /// such as `gpt-` or `claude-`, or `--provider`), rather than falling back to the provider
    /// that happens to be configured.
    pub fn decides_provider(&self, name: &str) -> bool {
        let name = name.trim();
        self.aliases.contains_key(name)
            || ModelRef::split_prefix(name).is_some()
            || self.forced.is_some()
            || guess_provider(name).is_some()
    }

    /// Resolves a script's model name. Aliases are looked up once (an alias naming another
    /// alias would be a config mistake, and one level keeps the rule easy to state).
    pub fn resolve(&self, requested: &str) -> Result<ModelRef, String> {
        let requested = requested.trim();
        if requested.is_empty() {
            return Err("the model name is empty".into());
        }
        let name = self
            .aliases
            .get(requested)
            .map_or(requested, String::as_str);
        if let Some(explicit) = ModelRef::split_prefix(name) {
            if explicit.model.is_empty() {
                return Err(format!("'{name}' names a provider but no model"));
            }
            return Ok(explicit);
        }
        let provider = self
            .forced
            .or_else(|| guess_provider(name))
            .unwrap_or(self.fallback);
        Ok(ModelRef {
            provider,
            model: name.to_string(),
        })
    }
}

/// Model families whose provider is plain from the name.
fn guess_provider(model: &str) -> Option<ProviderKind> {
    if model.starts_with("claude-") {
        return Some(ProviderKind::Anthropic);
    }
    let openai_family = ["gpt-", "o1", "o3", "o4", "chatgpt-"];
    openai_family
        .iter()
        .any(|prefix| model.starts_with(prefix))
        .then_some(ProviderKind::OpenAi)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resolver(forced: Option<ProviderKind>) -> ModelResolver {
        ModelResolver::new(
            [("fast".to_string(), "openai:gpt-4o-mini".to_string())],
            forced,
            ProviderKind::Anthropic,
        )
    }

    #[test]
    fn aliases_prefixes_and_guesses() {
        let r = resolver(None);
        let resolve = |name: &str| r.resolve(name).unwrap().to_string();
        assert_eq!(resolve("sonnet"), "anthropic:claude-sonnet-4-6");
        assert_eq!(resolve("fast"), "openai:gpt-4o-mini");
        assert_eq!(resolve("openai:llama3.1:8b"), "openai:llama3.1:8b");
        assert_eq!(resolve("gpt-4.1"), "openai:gpt-4.1");
        assert_eq!(resolve("claude-opus-4-1"), "anthropic:claude-opus-4-1");
        assert_eq!(resolve("llama3.1:8b"), "anthropic:llama3.1:8b");
        assert!(r.resolve("openai:").is_err());
        assert!(r.resolve(" ").is_err());
    }

    #[test]
    fn a_forced_provider_wins_over_guesses_but_not_prefixes() {
        let r = resolver(Some(ProviderKind::OpenAi));
        assert_eq!(
            r.resolve("claude-x").unwrap().provider,
            ProviderKind::OpenAi
        );
        assert_eq!(
            r.resolve("anthropic:claude-x").unwrap().provider,
            ProviderKind::Anthropic
        );
        // Aliases keep the provider they name.
        assert_eq!(
            r.resolve("haiku").unwrap().provider,
            ProviderKind::Anthropic
        );
    }
}
