//! The run's permission policy from the config files and the flags: the workspace (the git
//! root around the current directory, or the directory itself), the added directories, and
//! the allow and deny rules. Every mistake here is the user's to fix: one clear error.

use std::path::Path;

use anyhow::{anyhow, bail, Result};
use baton_agent::{Policy, Rules};

use crate::cli::RunSettings;
use crate::config::Config;
use crate::workspace::workspace_root;

pub fn policy(args: &RunSettings, config: &Config, cwd: &Path) -> Result<Policy> {
    let allow: Vec<&String> = config.permissions.allow.iter().chain(&args.allow).collect();
    let deny: Vec<&String> = config.permissions.deny.iter().chain(&args.deny).collect();
    let rules = Rules::parse(&allow, &deny).map_err(|e| anyhow!("{e}"))?;
    let mut added = Vec::new();
    let flags = args.add_dir.iter().map(|dir| (cwd.join(dir), "--add-dir"));
    let configured = config
        .permissions
        .add_dirs
        .iter()
        .map(|dir| (dir.clone(), "[permissions] add_dirs"));
    for (dir, source) in flags.chain(configured) {
        match dir.canonicalize() {
            Ok(real) if real.is_dir() => added.push(real),
            _ => bail!("{source} {}: not a directory", dir.display()),
        }
    }
    Ok(Policy::new(&workspace_root(cwd), &added, rules))
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    fn run_args(extra: &[&str]) -> RunSettings {
        let cli = crate::cli::Cli::parse_from([&["baton", "run", "x.js"], extra].concat());
        match cli.command {
            crate::cli::Command::Run(args) => args.settings,
            _ => unreachable!(),
        }
    }

    #[test]
    fn flags_and_config_make_one_policy() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap();
        std::fs::create_dir_all(root.join("repo/.git")).unwrap();
        std::fs::create_dir_all(root.join("repo/sub")).unwrap();
        std::fs::create_dir_all(root.join("data")).unwrap();
        let mut config = Config::default();
        config.permissions.deny.push("Write".into());
        let args = run_args(&["--allow", "Bash(make:*)", "--add-dir", "../../data"]);
        let policy = policy(&args, &config, &root.join("repo/sub")).unwrap();
        assert_eq!(policy.roots(), [root.join("repo"), root.join("data")]);
        assert!(!policy.offers("Write"));
        assert!(policy.check_command("make all", &root.join("repo")).is_ok());

        let bad = run_args(&["--allow", "Bash(make"]);
        let error = policy_error(&bad, &config, &root);
        assert!(error.contains("Bash(make"), "{error}");
        let missing = run_args(&["--add-dir", "nowhere"]);
        assert!(policy_error(&missing, &config, &root).contains("--add-dir"));
    }

    fn policy_error(args: &RunSettings, config: &Config, cwd: &Path) -> String {
        format!("{:#}", policy(args, config, cwd).unwrap_err())
    }
}
