//! The config files: `.baton/config.toml` in the project (the nearest one up from the current
//! directory) and `~/.baton/config.toml` for the user, read one by one so that every value
//! keeps the file it came from. `settings.rs` layers them under the flags and `BATON_*`
//! variables (project over user).

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
    /// The model `baton new` writes workflows with (else `--model`, else `model`).
    pub author_model: Option<String>,
    /// Agents in flight at once (1–256).
    pub concurrency: Option<u16>,
    /// Agents per run.
    pub max_agents: Option<u64>,
    /// Output tokens the run may spend (`budget.total`).
    pub budget_tokens: Option<u64>,
    /// Dollars the run may spend.
    pub max_cost_usd: Option<f64>,
    /// `finish` or `stop`: what becomes of running agents at a spending cap.
    pub at_cap: Option<String>,
    /// Latency of the `sim` model (`50ms`, `10ms-200ms`).
    pub sim_latency: Option<String>,
    /// CPU time the script itself may use, in seconds.
    pub script_cpu_seconds: Option<f64>,
    /// Heap the script may use, in MiB.
    pub script_heap_mib: Option<usize>,
    /// Turns an agent may take when its call sets no `maxTurns`.
    pub agent_max_turns: Option<u32>,
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
    /// MCP servers agents may use, by name, shaped as `.mcp.json`'s entries.
    #[serde(default)]
    pub mcp_servers: BTreeMap<String, serde_json::Value>,
    #[serde(default)]
    pub web: WebConfig,
    /// `local` or `temporal`: where a run's agents run.
    pub executor: Option<String>,
    #[serde(default)]
    pub temporal: TemporalFileConfig,
}

/// `[temporal]`: the Temporal executor's server, queue and git home (`executor.rs`).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TemporalFileConfig {
    pub address: Option<String>,
    pub namespace: Option<String>,
    pub task_queue: Option<String>,
    pub heartbeat_secs: Option<f64>,
    pub git_home: Option<String>,
}

/// `[web]`: WebFetch's limits and WebSearch's backend.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebConfig {
    /// A SearXNG instance (its JSON format enabled) for WebSearch.
    pub searxng_url: Option<String>,
    pub fetch_timeout_secs: Option<f64>,
    pub fetch_max_bytes: Option<usize>,
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
    /// Headers sent on every model request, name → value.
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
}

/// The config files that exist, each with its path; either may be missing.
#[derive(Debug, Clone, Default)]
pub struct ConfigFiles {
    pub user: Option<(PathBuf, Config)>,
    pub project: Option<(PathBuf, Config)>,
}

impl ConfigFiles {
    pub fn load(cwd: &Path, home: Option<&Path>) -> Result<ConfigFiles> {
        let user = match home {
            Some(home) => read(&home.join(".baton/config.toml"))?,
            None => None,
        };
        let project = match project_file(cwd, home) {
            Some(path) => read(&path)?,
            None => None,
        };
        Ok(ConfigFiles { user, project })
    }

    /// The files in the order they win: project first, then user.
    pub fn by_precedence(&self) -> impl Iterator<Item = (&Path, &Config)> {
        [&self.project, &self.user]
            .into_iter()
            .flatten()
            .map(|(path, config)| (path.as_path(), config))
    }
}

/// The nearest `.baton/config.toml` up from `cwd`, unless that is the user's own file.
fn project_file(cwd: &Path, home: Option<&Path>) -> Option<PathBuf> {
    cwd.ancestors()
        .filter(|dir| Some(*dir) != home)
        .map(|dir| dir.join(".baton/config.toml"))
        .find(|path| path.is_file())
}

fn read(path: &Path) -> Result<Option<(PathBuf, Config)>> {
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
    Ok(Some((path.to_path_buf(), config)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_files_are_read_with_their_paths() {
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
        let files = ConfigFiles::load(&project, Some(home.path())).unwrap();
        let (user_path, user) = files.user.clone().unwrap();
        let (project_path, config) = files.project.clone().unwrap();
        assert_eq!(user_path, home.path().join(".baton/config.toml"));
        assert_eq!(project_path, project.join(".baton/config.toml"));
        assert_eq!(config.permissions.allow, ["Bash(cargo test:*)"]);
        assert_eq!(config.permissions.add_dirs, [project.join("../shared")]);
        assert_eq!(config.model.as_deref(), Some("opus"));
        assert_eq!(user.models.len(), 1);
        assert_eq!(user.http.max_retries, Some(3));
        assert_eq!(config.pricing["llama3"].output, 0.2);
        let order: Vec<&Path> = files.by_precedence().map(|(path, _)| path).collect();
        assert_eq!(order, [project_path.as_path(), user_path.as_path()]);
    }

    #[test]
    fn a_bad_file_names_itself() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join(".baton")).unwrap();
        std::fs::write(dir.path().join(".baton/config.toml"), "modle = 1\n").unwrap();
        let error = format!("{:#}", ConfigFiles::load(dir.path(), None).unwrap_err());
        assert!(
            error.contains("config.toml is not a valid baton config"),
            "{error}"
        );
        assert!(error.contains("modle"), "{error}");
    }
}
