//! The effective settings of a run, each with where it came from. One rule for every setting:
//! a flag wins over its `BATON_*` variable, which wins over the project's
//! `.baton/config.toml`, then the user's `~/.baton/config.toml`, then the built-in default.
//! Lists (permission rules, added directories) add up across all of them instead, and tables
//! (model aliases, prices) follow the rule key by key.
//!
//! Values are checked here, once, whatever their source, so a bad one is one `error:` line that
//! names where it was set (`BATON_MAX_AGENTS=ten: …`, `/p/.baton/config.toml: concurrency = 0…`).

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use anyhow::{anyhow, bail, Context, Result};
use baton_engine::AtCap;
use baton_llm::Price;
use baton_sim::Latency;

use crate::cli::RunSettings;
use crate::config::{Config, ConfigFiles};

/// Where a value came from.
#[derive(Debug, Clone, PartialEq)]
pub enum Source {
    Flag,
    Env(&'static str),
    File(PathBuf),
    Default,
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Flag => f.write_str("flag"),
            Source::Env(name) => write!(f, "env {name}"),
            Source::File(path) => write!(f, "{}", path.display()),
            Source::Default => f.write_str("default"),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Sourced<T> {
    pub value: T,
    pub source: Source,
}

impl<T> Sourced<T> {
    fn new(value: T, source: Source) -> Self {
        Sourced { value, source }
    }
}

/// Every setting a run uses, resolved.
#[derive(Debug, Clone)]
pub struct Settings {
    /// `None`: the provider's default (`sonnet` with an Anthropic key).
    pub model: Option<Sourced<String>>,
    pub provider: Option<Sourced<String>>,
    /// The model `baton new`'s author uses when `--model` names none; `None`: the run's model.
    pub author_model: Option<Sourced<String>>,
    pub concurrency: Sourced<u16>,
    pub max_agents: Sourced<u64>,
    pub budget_tokens: Option<Sourced<u64>>,
    pub max_cost_usd: Option<Sourced<f64>>,
    pub at_cap: Sourced<AtCap>,
    pub sim_latency: Sourced<Latency>,
    pub script_cpu_seconds: Sourced<f64>,
    pub script_heap_mib: Sourced<usize>,
    pub agent_max_turns: Sourced<u32>,
    pub http: HttpSettings,
    pub allow: Vec<Sourced<String>>,
    pub deny: Vec<Sourced<String>>,
    pub add_dirs: Vec<Sourced<PathBuf>>,
    /// Aliases added to (or replacing) the built-in `haiku`, `sonnet`, `opus`.
    pub aliases: BTreeMap<String, Sourced<String>>,
    /// Prices added to (or replacing) the built-in list, by model id prefix.
    pub pricing: BTreeMap<String, Sourced<Price>>,
}

#[derive(Debug, Clone)]
pub struct HttpSettings {
    pub max_retries: Sourced<u32>,
    pub backoff_ms: Sourced<u64>,
    pub stall_timeout_secs: Sourced<f64>,
    pub max_requests: Sourced<usize>,
    pub stream: Sourced<bool>,
    /// Sent on every model request: the config files' `[http] headers` (project over user,
    /// name by name), then the lines of `ANTHROPIC_CUSTOM_HEADERS` over them.
    pub headers: BTreeMap<String, Sourced<String>>,
}

/// The built-in defaults (SPEC §4 and the transport's own).
pub const DEFAULT_CONCURRENCY: u16 = 16;
pub const DEFAULT_MAX_AGENTS: u64 = 1000;
pub const DEFAULT_SCRIPT_CPU_SECONDS: f64 = 30.0;
pub const DEFAULT_SCRIPT_HEAP_MIB: usize = 256;
/// No agent runs unbounded: a model that never gives a final answer ends here.
pub const DEFAULT_AGENT_MAX_TURNS: u32 = 50;

/// Reads a variable; the binary passes the process's environment, tests their own.
pub type Env<'a> = &'a dyn Fn(&str) -> Option<String>;

/// The process's environment; an empty variable counts as unset.
pub fn process_env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|value| !value.is_empty())
}

impl Settings {
    /// Resolves every setting for a run started in `cwd`.
    pub fn resolve(flags: &RunSettings, cwd: &Path, home: Option<&Path>) -> Result<Settings> {
        let files = ConfigFiles::load(cwd, home)?;
        Settings::from_layers(flags, &files, &process_env, cwd)
    }

    pub fn from_layers(
        flags: &RunSettings,
        files: &ConfigFiles,
        env: Env,
        cwd: &Path,
    ) -> Result<Settings> {
        let layers = Layers { files, env };
        let transport = baton_llm::TransportSettings::default();
        let concurrency = layers
            .pick(
                flags.concurrency,
                "BATON_MAX_CONCURRENT_AGENTS",
                "concurrency",
                |c| c.concurrency,
            )?
            .unwrap_or_else(|| Sourced::new(DEFAULT_CONCURRENCY, Source::Default));
        check(
            &concurrency,
            "concurrency",
            |n| (1..=256).contains(n),
            "1–256",
        )?;
        let max_cost_usd = layers.pick(
            flags.max_cost_usd,
            "BATON_MAX_COST_USD",
            "max_cost_usd",
            |c| c.max_cost_usd,
        )?;
        if let Some(cap) = &max_cost_usd {
            check(cap, "max_cost_usd", |n| positive(*n), "a number above zero")?;
        }
        let at_cap = layers
            .pick(flags.at_cap.clone(), "BATON_AT_CAP", "at_cap", |c| {
                c.at_cap.clone()
            })?
            .unwrap_or_else(|| Sourced::new("finish".into(), Source::Default));
        let at_cap = match AtCap::parse(&at_cap.value) {
            Some(value) => Sourced::new(value, at_cap.source),
            None => bail!(
                "{}: at_cap = '{}': expected finish or stop",
                at_cap.source,
                at_cap.value
            ),
        };
        let sim_latency = layers
            .pick(
                flags.sim_latency.clone(),
                "BATON_SIM_LATENCY",
                "sim_latency",
                |c| c.sim_latency.clone(),
            )?
            .unwrap_or_else(|| Sourced::new("0".into(), Source::Default));
        let sim_latency = match sim_latency.value.parse::<Latency>() {
            Ok(latency) => Sourced::new(latency, sim_latency.source),
            Err(e) => bail!("{}: sim_latency: {e}", sim_latency.source),
        };
        let script_cpu_seconds = layers
            .pick(
                flags.script_cpu_seconds,
                "BATON_SCRIPT_CPU_SECONDS",
                "script_cpu_seconds",
                |c| c.script_cpu_seconds,
            )?
            .unwrap_or_else(|| Sourced::new(DEFAULT_SCRIPT_CPU_SECONDS, Source::Default));
        check(
            &script_cpu_seconds,
            "script_cpu_seconds",
            |n| seconds(*n),
            "a number of seconds above zero",
        )?;
        let agent_max_turns = layers
            .pick(
                flags.agent_max_turns,
                "BATON_AGENT_MAX_TURNS",
                "agent_max_turns",
                |c| c.agent_max_turns,
            )?
            .unwrap_or_else(|| Sourced::new(DEFAULT_AGENT_MAX_TURNS, Source::Default));
        check(
            &agent_max_turns,
            "agent_max_turns",
            |n| *n >= 1,
            "1 or more",
        )?;
        let http = &|c: &Config| c.http.clone();
        let stall_timeout_secs = layers
            .pick(
                flags.http_stall_timeout_secs,
                "BATON_HTTP_STALL_TIMEOUT_SECS",
                "http.stall_timeout_secs",
                |c| http(c).stall_timeout_secs,
            )?
            .unwrap_or_else(|| {
                Sourced::new(transport.stall_timeout.as_secs_f64(), Source::Default)
            });
        check(
            &stall_timeout_secs,
            "http.stall_timeout_secs",
            |n| seconds(*n),
            "a number of seconds above zero",
        )?;
        let max_requests = layers
            .pick(
                flags.http_max_requests.map(|n| n as usize),
                "BATON_HTTP_MAX_REQUESTS",
                "http.max_requests",
                |c| http(c).max_requests,
            )?
            .unwrap_or_else(|| Sourced::new(transport.max_requests, Source::Default));
        check(&max_requests, "http.max_requests", |n| *n >= 1, "1 or more")?;

        Ok(Settings {
            model: layers.pick(flags.model.clone(), "BATON_MODEL", "model", |c| {
                c.model.clone()
            })?,
            provider: layers.pick(flags.provider.clone(), "BATON_PROVIDER", "provider", |c| {
                c.provider.clone()
            })?,
            author_model: layers.pick(
                flags.author_model.clone(),
                "BATON_AUTHOR_MODEL",
                "author_model",
                |c| c.author_model.clone(),
            )?,
            concurrency,
            max_agents: layers
                .pick(flags.max_agents, "BATON_MAX_AGENTS", "max_agents", |c| {
                    c.max_agents
                })?
                .unwrap_or_else(|| Sourced::new(DEFAULT_MAX_AGENTS, Source::Default)),
            budget_tokens: layers.pick(
                flags.budget_tokens,
                "BATON_BUDGET_TOKENS",
                "budget_tokens",
                |c| c.budget_tokens,
            )?,
            max_cost_usd,
            at_cap,
            sim_latency,
            script_cpu_seconds,
            script_heap_mib: layers
                .pick(
                    flags.script_heap_mib,
                    "BATON_SCRIPT_HEAP_MIB",
                    "script_heap_mib",
                    |c| c.script_heap_mib,
                )?
                .unwrap_or_else(|| Sourced::new(DEFAULT_SCRIPT_HEAP_MIB, Source::Default)),
            agent_max_turns,
            http: HttpSettings {
                max_retries: layers
                    .pick(
                        flags.http_max_retries,
                        "BATON_HTTP_MAX_RETRIES",
                        "http.max_retries",
                        |c| http(c).max_retries,
                    )?
                    .unwrap_or_else(|| Sourced::new(transport.max_retries, Source::Default)),
                backoff_ms: layers
                    .pick(
                        flags.http_backoff_ms,
                        "BATON_HTTP_BACKOFF_MS",
                        "http.backoff_ms",
                        |c| http(c).backoff_ms,
                    )?
                    .unwrap_or_else(|| {
                        Sourced::new(transport.backoff_base.as_millis() as u64, Source::Default)
                    }),
                stall_timeout_secs,
                max_requests,
                stream: layers
                    .pick(flags.http_stream, "BATON_HTTP_STREAM", "http.stream", |c| {
                        http(c).stream
                    })?
                    .unwrap_or_else(|| Sourced::new(transport.stream, Source::Default)),
                headers: layers.headers()?,
            },
            allow: layers.list(&flags.allow, "BATON_ALLOW", |c| c.permissions.allow.clone()),
            deny: layers.list(&flags.deny, "BATON_DENY", |c| c.permissions.deny.clone()),
            add_dirs: layers.dirs(&flags.add_dir, cwd),
            aliases: layers.table(
                &flags.aliases,
                "BATON_MODELS",
                "--alias",
                parse_alias,
                |c| c.models.clone(),
            )?,
            pricing: layers.table(
                &flags.prices,
                "BATON_PRICING",
                "--price",
                parse_price,
                |c| c.pricing.clone(),
            )?,
        })
    }

    /// Every setting as `(key, value, source)` rows, in the order the README lists them; what
    /// `baton config` prints. Keys are the config file's (`http.max_retries` is `max_retries`
    /// under `[http]`).
    pub fn rows(&self) -> Vec<(String, String, String)> {
        let mut rows = Vec::new();
        let mut row = |key: &str, value: String, source: &Source| {
            rows.push((key.to_string(), value, source.to_string()))
        };
        let unset = Source::Default;
        fn shown<T: fmt::Display>(setting: &Sourced<T>) -> (String, &Source) {
            (setting.value.to_string(), &setting.source)
        }
        // A setting nobody set reads as what it means, from the default.
        let scalars: [(&str, (String, &Source)); 17] = [
            (
                "model",
                self.model
                    .as_ref()
                    .map_or(("(the provider's default)".into(), &unset), shown),
            ),
            (
                "provider",
                self.provider
                    .as_ref()
                    .map_or(("(from the model name and keys)".into(), &unset), shown),
            ),
            (
                "author_model",
                self.author_model
                    .as_ref()
                    .map_or(("(the run's model)".into(), &unset), shown),
            ),
            ("concurrency", shown(&self.concurrency)),
            ("max_agents", shown(&self.max_agents)),
            (
                "budget_tokens",
                self.budget_tokens
                    .as_ref()
                    .map_or(("none".into(), &unset), shown),
            ),
            (
                "max_cost_usd",
                self.max_cost_usd
                    .as_ref()
                    .map_or(("none".into(), &unset), shown),
            ),
            (
                "at_cap",
                (self.at_cap.value.as_str().into(), &self.at_cap.source),
            ),
            ("sim_latency", shown(&self.sim_latency)),
            ("script_cpu_seconds", shown(&self.script_cpu_seconds)),
            ("script_heap_mib", shown(&self.script_heap_mib)),
            ("agent_max_turns", shown(&self.agent_max_turns)),
            ("http.max_retries", shown(&self.http.max_retries)),
            ("http.backoff_ms", shown(&self.http.backoff_ms)),
            (
                "http.stall_timeout_secs",
                shown(&self.http.stall_timeout_secs),
            ),
            ("http.max_requests", shown(&self.http.max_requests)),
            ("http.stream", shown(&self.http.stream)),
        ];
        for (key, (value, source)) in scalars {
            row(key, value, source);
        }
        for (key, list) in [
            ("permissions.allow", &self.allow),
            ("permissions.deny", &self.deny),
        ] {
            if list.is_empty() {
                row(key, "none".into(), &unset);
            }
            for rule in list {
                row(key, rule.value.clone(), &rule.source);
            }
        }
        if self.add_dirs.is_empty() {
            row("permissions.add_dirs", "none".into(), &unset);
        }
        for dir in &self.add_dirs {
            row(
                "permissions.add_dirs",
                dir.value.display().to_string(),
                &dir.source,
            );
        }
        for (name, value) in &self.http.headers {
            // Header values are often keys: only their names are shown.
            let shown = format!("({} chars)", value.value.len());
            row(&format!("http.headers.{name}"), shown, &value.source);
        }
        for (alias, model) in &self.aliases {
            row(
                &format!("models.{alias}"),
                model.value.clone(),
                &model.source,
            );
        }
        for (model, price) in &self.pricing {
            let p = price.value;
            row(
                &format!("pricing.{model}"),
                format!(
                    "input {} output {} cache_write {} cache_read {} $/Mtok",
                    p.input, p.output, p.cache_write, p.cache_read
                ),
                &price.source,
            );
        }
        rows
    }
}

/// The sources below the flags, in order.
struct Layers<'a> {
    files: &'a ConfigFiles,
    env: Env<'a>,
}

impl Layers<'_> {
    /// One value: the flag, else the variable, else the project's file, else the user's.
    fn pick<T: FromStr>(
        &self,
        flag: Option<T>,
        variable: &'static str,
        key: &str,
        from_file: impl Fn(&Config) -> Option<T>,
    ) -> Result<Option<Sourced<T>>>
    where
        T::Err: fmt::Display,
    {
        if let Some(value) = flag {
            return Ok(Some(Sourced::new(value, Source::Flag)));
        }
        if let Some(text) = (self.env)(variable) {
            let value = text
                .trim()
                .parse::<T>()
                .map_err(|e| anyhow!("{variable}={text}: {e} (it sets {key})"))?;
            return Ok(Some(Sourced::new(value, Source::Env(variable))));
        }
        Ok(self.files.by_precedence().find_map(|(path, config)| {
            from_file(config).map(|value| Sourced::new(value, Source::File(path.into())))
        }))
    }

    /// A list that adds up: the user's file, the project's, the variable (`;`-separated),
    /// the flags.
    fn list(
        &self,
        flags: &[String],
        variable: &'static str,
        from_file: impl Fn(&Config) -> Vec<String>,
    ) -> Vec<Sourced<String>> {
        let mut items: Vec<Sourced<String>> = Vec::new();
        for (path, config) in self
            .files
            .by_precedence()
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
        {
            items.extend(
                from_file(config)
                    .into_iter()
                    .map(|item| Sourced::new(item, Source::File(path.into()))),
            );
        }
        if let Some(text) = (self.env)(variable) {
            items.extend(
                split_list(&text).map(|item| Sourced::new(item.to_string(), Source::Env(variable))),
            );
        }
        items.extend(
            flags
                .iter()
                .map(|item| Sourced::new(item.clone(), Source::Flag)),
        );
        items
    }

    /// Added directories: flags and the variable resolve against `cwd`, the files' against
    /// their project (done when the file is read).
    fn dirs(&self, flags: &[PathBuf], cwd: &Path) -> Vec<Sourced<PathBuf>> {
        let mut dirs: Vec<Sourced<PathBuf>> = Vec::new();
        for (path, config) in self
            .files
            .by_precedence()
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
        {
            dirs.extend(
                config
                    .permissions
                    .add_dirs
                    .iter()
                    .map(|dir| Sourced::new(dir.clone(), Source::File(path.into()))),
            );
        }
        if let Some(text) = (self.env)("BATON_ADD_DIRS") {
            dirs.extend(
                std::env::split_paths(&text)
                    .filter(|dir| !dir.as_os_str().is_empty())
                    .map(|dir| Sourced::new(cwd.join(dir), Source::Env("BATON_ADD_DIRS"))),
            );
        }
        dirs.extend(
            flags
                .iter()
                .map(|dir| Sourced::new(cwd.join(dir), Source::Flag)),
        );
        dirs
    }

    /// A table merged key by key: the user's file, then the project's, the variable and the
    /// flags, each overriding the keys it sets.
    fn table<T: Clone>(
        &self,
        flags: &[String],
        variable: &'static str,
        flag: &str,
        parse: fn(&str) -> Result<(String, T)>,
        from_file: impl Fn(&Config) -> BTreeMap<String, T>,
    ) -> Result<BTreeMap<String, Sourced<T>>> {
        let mut table = BTreeMap::new();
        for (path, config) in self
            .files
            .by_precedence()
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
        {
            for (key, value) in from_file(config) {
                table.insert(key, Sourced::new(value, Source::File(path.into())));
            }
        }
        if let Some(text) = (self.env)(variable) {
            for item in split_list(&text) {
                let (key, value) = parse(item).with_context(|| format!("{variable}={text}"))?;
                table.insert(key, Sourced::new(value, Source::Env(variable)));
            }
        }
        for item in flags {
            let (key, value) = parse(item).with_context(|| format!("{flag} {item}"))?;
            table.insert(key, Sourced::new(value, Source::Flag));
        }
        Ok(table)
    }
}

impl Layers<'_> {
    /// `[http] headers` from the files, then `ANTHROPIC_CUSTOM_HEADERS` (Claude Code's
    /// `Name: value` lines), each checked to be sendable.
    fn headers(&self) -> Result<BTreeMap<String, Sourced<String>>> {
        const VARIABLE: &str = "ANTHROPIC_CUSTOM_HEADERS";
        let mut headers = BTreeMap::new();
        let files: Vec<_> = self.files.by_precedence().collect();
        for (path, config) in files.into_iter().rev() {
            for (name, value) in &config.http.headers {
                baton_llm::check_header(name, value)
                    .map_err(|e| anyhow!("{}: [http] headers: {e}", path.display()))?;
                headers.insert(
                    name.clone(),
                    Sourced::new(value.clone(), Source::File(path.into())),
                );
            }
        }
        if let Some(text) = (self.env)(VARIABLE) {
            for (name, value) in
                baton_llm::parse_custom_headers(&text).map_err(|e| anyhow!("{VARIABLE}: {e}"))?
            {
                headers.insert(name, Sourced::new(value, Source::Env(VARIABLE)));
            }
        }
        Ok(headers)
    }
}

/// `;`-separated items of a list variable, trimmed, empty ones dropped (a rule such as
/// `Bash(sort -t,:*)` may hold a comma, never a `;`: the policy splits commands there).
fn split_list(text: &str) -> impl Iterator<Item = &str> {
    text.split(';')
        .map(str::trim)
        .filter(|item| !item.is_empty())
}

fn check<T: fmt::Display>(
    value: &Sourced<T>,
    key: &str,
    ok: impl Fn(&T) -> bool,
    expected: &str,
) -> Result<()> {
    if ok(&value.value) {
        return Ok(());
    }
    bail!(
        "{}: {key} = {}: expected {expected}",
        value.source,
        value.value
    )
}

fn positive(n: f64) -> bool {
    n.is_finite() && n > 0.0
}

/// A duration in seconds that a `Duration` can hold (so no later conversion can panic).
fn seconds(n: f64) -> bool {
    positive(n) && std::time::Duration::try_from_secs_f64(n).is_ok()
}

/// `fast=openai:gpt-4o-mini`.
fn parse_alias(text: &str) -> Result<(String, String)> {
    match text.split_once('=') {
        Some((name, model)) if !name.trim().is_empty() && !model.trim().is_empty() => {
            Ok((name.trim().to_string(), model.trim().to_string()))
        }
        _ => bail!("expected NAME=MODEL, e.g. fast=openai:gpt-4o-mini"),
    }
}

/// `llama3=0.1,0.2` or `llama3=0.1,0.2,0.1,0.01`, in USD per million tokens. Without the cache
/// prices, cache writes and reads cost what input costs (no discount is assumed).
fn parse_price(text: &str) -> Result<(String, Price)> {
    const EXPECTED: &str = "expected MODEL=INPUT,OUTPUT[,CACHE_WRITE,CACHE_READ] in USD per million tokens, e.g. llama3=0.1,0.2";
    let (model, prices) = text
        .split_once('=')
        .filter(|(model, _)| !model.trim().is_empty())
        .ok_or_else(|| anyhow!(EXPECTED))?;
    let numbers = prices
        .split(',')
        .map(|n| {
            n.trim()
                .parse::<f64>()
                .ok()
                .filter(|n| *n >= 0.0 && n.is_finite())
        })
        .collect::<Option<Vec<f64>>>()
        .ok_or_else(|| anyhow!(EXPECTED))?;
    let price = match numbers[..] {
        [input, output] => Price {
            input,
            output,
            cache_write: input,
            cache_read: input,
        },
        [input, output, cache_write, cache_read] => Price {
            input,
            output,
            cache_write,
            cache_read,
        },
        _ => bail!(EXPECTED),
    };
    Ok((model.trim().to_string(), price))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files(user: &str, project: &str) -> ConfigFiles {
        let parse = |text: &str, path: &str| {
            (!text.is_empty()).then(|| (PathBuf::from(path), toml::from_str(text).unwrap()))
        };
        ConfigFiles {
            user: parse(user, "/home/u/.baton/config.toml"),
            project: parse(project, "/p/.baton/config.toml"),
        }
    }

    fn resolve(flags: RunSettings, files: &ConfigFiles, env: &[(&str, &str)]) -> Result<Settings> {
        let env: Vec<(String, String)> = env
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let lookup = move |name: &str| env.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
        Settings::from_layers(&flags, files, &lookup, Path::new("/p/sub"))
    }

    #[test]
    fn flag_beats_variable_beats_project_beats_user_beats_default() {
        let files = files(
            "max_agents = 1\nbudget_tokens = 10\nmax_cost_usd = 1.0\nconcurrency = 4\n",
            "max_agents = 2\nbudget_tokens = 20\nmax_cost_usd = 2.0\n",
        );
        let flags = RunSettings {
            max_agents: Some(4),
            ..RunSettings::default()
        };
        let env = [("BATON_MAX_AGENTS", "3"), ("BATON_BUDGET_TOKENS", "30")];
        let settings = resolve(flags, &files, &env).unwrap();
        assert_eq!(settings.max_agents, Sourced::new(4, Source::Flag));
        assert_eq!(
            settings.budget_tokens,
            Some(Sourced::new(30, Source::Env("BATON_BUDGET_TOKENS")))
        );
        assert_eq!(
            settings.max_cost_usd,
            Some(Sourced::new(
                2.0,
                Source::File("/p/.baton/config.toml".into())
            ))
        );
        assert_eq!(
            settings.concurrency,
            Sourced::new(4, Source::File("/home/u/.baton/config.toml".into()))
        );
        assert_eq!(settings.script_heap_mib, Sourced::new(256, Source::Default));
        assert_eq!(settings.at_cap.value, AtCap::Finish);
    }

    #[test]
    fn lists_add_up_and_tables_merge_key_by_key() {
        let files = files(
            "[permissions]\nallow = [\"Bash(make:*)\"]\n[models]\nfast = \"haiku\"\nlocal = \"openai:llama3\"\n",
            "[permissions]\nallow = [\"Bash(cargo test:*)\"]\n[models]\nfast = \"sonnet\"\n",
        );
        let flags = RunSettings {
            allow: vec!["Read".into()],
            prices: vec!["llama3=0.1,0.2".into()],
            ..RunSettings::default()
        };
        let env = [
            ("BATON_ALLOW", "Bash(ls:*); Bash(sort -t,:*)"),
            ("BATON_ADD_DIRS", "../data"),
        ];
        let settings = resolve(flags, &files, &env).unwrap();
        let allow: Vec<(String, String)> = settings
            .allow
            .iter()
            .map(|r| (r.value.clone(), r.source.to_string()))
            .collect();
        assert_eq!(
            allow,
            [
                ("Bash(make:*)".into(), "/home/u/.baton/config.toml".into()),
                ("Bash(cargo test:*)".into(), "/p/.baton/config.toml".into()),
                ("Bash(ls:*)".into(), "env BATON_ALLOW".into()),
                ("Bash(sort -t,:*)".into(), "env BATON_ALLOW".into()),
                ("Read".into(), "flag".into()),
            ]
        );
        assert_eq!(settings.aliases["fast"].value, "sonnet");
        assert_eq!(settings.aliases["local"].value, "openai:llama3");
        assert_eq!(settings.pricing["llama3"].value.cache_read, 0.1);
        assert_eq!(settings.add_dirs[0].value, Path::new("/p/sub/../data"));
    }

    #[test]
    fn a_bad_value_names_where_it_was_set() {
        let error = |flags: RunSettings, files: &ConfigFiles, env: &[(&str, &str)]| {
            format!("{:#}", resolve(flags, files, env).unwrap_err())
        };
        let none = ConfigFiles::default();
        assert_eq!(
            error(
                RunSettings::default(),
                &none,
                &[("BATON_MAX_AGENTS", "ten")]
            ),
            "BATON_MAX_AGENTS=ten: invalid digit found in string (it sets max_agents)"
        );
        assert_eq!(
            error(RunSettings::default(), &files("", "concurrency = 0\n"), &[]),
            "/p/.baton/config.toml: concurrency = 0: expected 1–256"
        );
        assert_eq!(
            error(RunSettings::default(), &none, &[("BATON_AT_CAP", "halt")]),
            "env BATON_AT_CAP: at_cap = 'halt': expected finish or stop"
        );
        assert!(error(
            RunSettings::default(),
            &files("max_cost_usd = -1.0\n", ""),
            &[]
        )
        .starts_with(
            "/home/u/.baton/config.toml: max_cost_usd = -1: expected a number above zero"
        ));
        let bad_price = RunSettings {
            prices: vec!["llama3=cheap".into()],
            ..RunSettings::default()
        };
        assert!(error(bad_price, &none, &[]).starts_with("--price llama3=cheap: expected MODEL="));
    }

    #[test]
    fn every_setting_has_a_row() {
        let settings = resolve(RunSettings::default(), &ConfigFiles::default(), &[]).unwrap();
        let keys: Vec<String> = settings.rows().into_iter().map(|(k, _, _)| k).collect();
        for key in [
            "model",
            "provider",
            "concurrency",
            "max_agents",
            "budget_tokens",
            "max_cost_usd",
            "at_cap",
            "sim_latency",
            "script_cpu_seconds",
            "script_heap_mib",
            "agent_max_turns",
            "http.max_retries",
            "http.backoff_ms",
            "http.stall_timeout_secs",
            "http.max_requests",
            "http.stream",
            "permissions.allow",
            "permissions.deny",
            "permissions.add_dirs",
        ] {
            assert!(keys.iter().any(|k| k == key), "{key} missing from {keys:?}");
        }
    }
}
