//! `baton new`'s checker: this same binary's `check --json` and `run --dry-run --json`, as
//! processes, with the settings that shape an estimate passed on.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use baton_author::{CheckReport, Checker, DryRunReport};
use serde::de::DeserializeOwned;

use crate::cli::RunSettings;

pub struct SubprocessChecker {
    exe: PathBuf,
    cwd: PathBuf,
    /// Flags of `baton new` that the dry run's estimate depends on.
    flags: Vec<String>,
}

impl SubprocessChecker {
    pub fn new(cwd: &Path, settings: &RunSettings) -> std::io::Result<SubprocessChecker> {
        Ok(SubprocessChecker {
            exe: std::env::current_exe()?,
            cwd: cwd.to_path_buf(),
            flags: estimate_flags(settings),
        })
    }

    fn report<T: DeserializeOwned>(&self, what: &str, args: &[&str]) -> Result<T, String> {
        let output = Command::new(&self.exe)
            .args(args)
            .current_dir(&self.cwd)
            .stdin(Stdio::null())
            .output()
            .map_err(|e| format!("cannot run `baton {what}`: {e}"))?;
        let stdout = String::from_utf8_lossy(&output.stdout);
        // The report is the whole of stdout, or at least its last line.
        serde_json::from_str(stdout.trim())
            .or_else(|_| serde_json::from_str(stdout.trim().lines().last().unwrap_or("")))
            .map_err(|e| {
                let stderr = String::from_utf8_lossy(&output.stderr);
                format!(
                    "`baton {what}` gave no report ({e}; exit {}): {}",
                    output.status.code().unwrap_or(-1),
                    stderr.trim()
                )
            })
    }
}

impl Checker for SubprocessChecker {
    fn check(&self, file: &Path) -> Result<CheckReport, String> {
        let file = file.to_string_lossy();
        self.report("check --json", &["check", &file, "--json"])
    }

    fn dry_run(&self, file: &Path) -> Result<DryRunReport, String> {
        let file = file.to_string_lossy();
        let mut args = vec!["run", &file, "--dry-run", "--json"];
        args.extend(self.flags.iter().map(String::as_str));
        self.report("run --dry-run --json", &args)
    }
}

/// The flags that change what the dry run counts or prices.
fn estimate_flags(s: &RunSettings) -> Vec<String> {
    let mut flags = Vec::new();
    let mut add = |name: &str, value: Option<String>| {
        if let Some(value) = value {
            flags.push(format!("--{name}={value}"));
        }
    };
    add("model", s.model.clone());
    add("provider", s.provider.clone());
    add("max-agents", s.max_agents.map(|n| n.to_string()));
    add("budget-tokens", s.budget_tokens.map(|n| n.to_string()));
    add("max-cost-usd", s.max_cost_usd.map(|n| n.to_string()));
    add("concurrency", s.concurrency.map(|n| n.to_string()));
    for alias in &s.aliases {
        add("alias", Some(alias.clone()));
    }
    for price in &s.prices {
        add("price", Some(price.clone()));
    }
    flags
}
