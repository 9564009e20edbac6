//! The config files: `.baton/config.toml` in the project (the nearest one up from the current
//! directory) and `~/.baton/config.toml` for the user, merged with the project's values
//! winning. Environment variables and flags win over both (they are applied by the caller).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use baton_llm::Price;
use serde::Deserialize;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The model for agents that name none.
    pub model: Option<String>,
    /// The provider for model names that do not say (`anthropic` or `openai`).
    pub provider: Option<String>,
    /// Model aliases: `fast = "openai:gpt-4o-mini"`; they add to and override the built-in
    /// `haiku`, `sonnet` and `opus`.
    #[serde(default)]
    pub models: BTreeMap<String, String>,
    /// Prices in USD per million tokens, by model id prefix.
    #[serde(default)]
    pub pricing: BTreeMap<String, Price>,
    #[serde(default)]
    pub http: HttpConfig,
    #[serde(default)]
    pub permissions: PermissionsConfig,
}

/// `[permissions]`: rules in the `Bash(cargo test:*)` form, and directories agents may use
/// besides the workspace (relative ones are resolved against the project directory, the
/// parent of `.baton/`, when the file is read).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PermissionsConfig {
    #[serde(default)]
    pub allow: Vec<String>,
    #[serde(default)]
    pub deny: Vec<String>,
    #[serde(default)]
    pub add_dirs: Vec<PathBuf>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HttpConfig {
    pub max_retries: Option<u32>,
    pub backoff_ms: Option<u64>,
    pub stall_timeout_secs: Option<f64>,
    pub max_requests: Option<usize>,
    pub stream: Option<bool>,
}

impl Config {
    /// Reads and merges the user's and the project's files (either may be missing).
    pub fn load(cwd: &Path, home: Option<&Path>) -> Result<Config> {
        let user = match home {
            Some(home) => read(&home.join(".baton/config.toml"))?,
            None => None,
        };
        let project = match project_file(cwd, home) {
            Some(path) => read(&path)?,
            None => None,
        };
        let mut merged = user.unwrap_or_default();
        if let Some(project) = project {
            merged.merge(project);
        }
        Ok(merged)
    }

    /// Overlays `other`: its values win wherever it sets one.
    fn merge(&mut self, other: Config) {
        self.model = other.model.or(self.model.take());
        self.provider = other.provider.or(self.provider.take());
        self.models.extend(other.models);
        self.pricing.extend(other.pricing);
        let http = &mut self.http;
        http.max_retries = other.http.max_retries.or(http.max_retries);
        http.backoff_ms = other.http.backoff_ms.or(http.backoff_ms);
        http.stall_timeout_secs = other.http.stall_timeout_secs.or(http.stall_timeout_secs);
        http.max_requests = other.http.max_requests.or(http.max_requests);
        http.stream = other.http.stream.or(http.stream);
        // Rules add up: the user's file and the project's both apply, and deny wins anyway.
        let permissions = &mut self.permissions;
        permissions.allow.extend(other.permissions.allow);
        permissions.deny.extend(other.permissions.deny);
        permissions.add_dirs.extend(other.permissions.add_dirs);
    }
}

/// The nearest `.baton/config.toml` up from `cwd`, unless that is the user's own file.
fn project_file(cwd: &Path, home: Option<&Path>) -> Option<PathBuf> {
    cwd.ancestors()
        .filter(|dir| Some(*dir) != home)
        .map(|dir| dir.join(".baton/config.toml"))
        .find(|path| path.is_file())
}

fn read(path: &Path) -> Result<Option<Config>> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e).with_context(|| format!("cannot read {}", path.display())),
    };
    let mut config: Config = toml::from_str(&text)
        .with_context(|| format!("{} is not a valid baton config", path.display()))?;
    // `<project>/.baton/config.toml` → relative directories start at `<project>`.
    if let Some(project) = path.parent().and_then(Path::parent) {
        for dir in &mut config.permissions.add_dirs {
            *dir = project.join(&*dir);
        }
    }
    Ok(Some(config))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn project_values_win_and_tables_merge() {
        let home = tempfile::tempdir().unwrap();
        let project = home.path().join("work/app");
        std::fs::create_dir_all(project.join(".baton")).unwrap();
        std::fs::create_dir_all(home.path().join(".baton")).unwrap();
        std::fs::write(
            home.path().join(".baton/config.toml"),
            "model = \"haiku\"\n[models]\nfast = \"openai:gpt-4o-mini\"\n[http]\nmax_retries = 3\n",
        )
        .unwrap();
        std::fs::write(
            project.join(".baton/config.toml"),
            "model = \"opus\"\n[models]\nlocal = \"openai:llama3\"\n[pricing.llama3]\ninput = 0.1\noutput = 0.2\ncache_write = 0.1\ncache_read = 0.0\n",
        )
        .unwrap();
        std::fs::write(
            project.join(".baton/config.toml"),
            std::fs::read_to_string(project.join(".baton/config.toml")).unwrap()
                + "[permissions]\nallow = [\"Bash(cargo test:*)\"]\nadd_dirs = [\"../shared\"]\n",
        )
        .unwrap();
        let config = Config::load(&project, Some(home.path())).unwrap();
        assert_eq!(config.permissions.allow, ["Bash(cargo test:*)"]);
        assert_eq!(config.permissions.add_dirs, [project.join("../shared")]);
        assert_eq!(config.model.as_deref(), Some("opus"));
        assert_eq!(config.models.len(), 2);
        assert_eq!(config.http.max_retries, Some(3));
        assert_eq!(config.pricing["llama3"].output, 0.2);
    }

    #[test]
    fn a_bad_file_names_itself() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join(".baton")).unwrap();
        std::fs::write(dir.path().join(".baton/config.toml"), "modle = 1\n").unwrap();
        let error = format!("{:#}", Config::load(dir.path(), None).unwrap_err());
        assert!(
            error.contains("config.toml is not a valid baton config"),
            "{error}"
        );
        assert!(error.contains("modle"), "{error}");
    }
}
