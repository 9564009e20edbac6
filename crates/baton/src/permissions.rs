//! The run's permission policy from the config files and the flags: the workspace (the git
//! root around the current directory, or the directory itself), the added directories, and
//! the allow and deny rules. Every mistake here is the user's to fix: one clear error.

use std::path::Path;

use anyhow::{anyhow, bail, Result};
use baton_agent::{Policy, Rules};

use crate::settings::{Settings, Source};
use crate::workspace::workspace_root;

pub fn policy(settings: &Settings, cwd: &Path) -> Result<Policy> {
    let allow: Vec<&String> = settings.allow.iter().map(|rule| &rule.value).collect();
    let deny: Vec<&String> = settings.deny.iter().map(|rule| &rule.value).collect();
    let rules = Rules::parse(&allow, &deny).map_err(|e| anyhow!("{e}"))?;
    let mut added = Vec::new();
    for dir in &settings.add_dirs {
        match dir.value.canonicalize() {
            Ok(real) if real.is_dir() => added.push(real),
            _ => {
                let source = match &dir.source {
                    Source::Flag => "--add-dir".to_string(),
                    Source::Env(name) => (*name).to_string(),
                    other => format!("{other}: [permissions] add_dirs"),
                };
                bail!("{source} {}: not a directory", dir.value.display())
            }
        }
    }
    Ok(Policy::new(&workspace_root(cwd), &added, rules))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{Config, ConfigFiles};
    use clap::Parser;

    fn run_args(extra: &[&str], config: &Config, cwd: &Path) -> Result<Settings> {
        let cli = crate::cli::Cli::parse_from([&["baton", "run", "x.js"], extra].concat());
        let crate::cli::Command::Run(args) = cli.command else {
            unreachable!()
        };
        let files = ConfigFiles {
            user: None,
            project: Some((cwd.join(".baton/config.toml"), config.clone())),
        };
        Settings::from_layers(&args.settings, &files, &|_| None, cwd)
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
        let cwd = root.join("repo/sub");
        let args = run_args(
            &["--allow", "Bash(make:*)", "--add-dir", "../../data"],
            &config,
            &cwd,
        );
        let policy = policy(&args.unwrap(), &cwd).unwrap();
        assert_eq!(policy.roots(), [root.join("repo"), root.join("data")]);
        assert!(!policy.offers("Write"));
        assert!(policy.check_command("make all", &root.join("repo")).is_ok());

        let bad = run_args(&["--allow", "Bash(make"], &config, &root).unwrap();
        let error = policy_error(&bad, &root);
        assert!(error.contains("Bash(make"), "{error}");
        let missing = run_args(&["--add-dir", "nowhere"], &config, &root).unwrap();
        assert!(policy_error(&missing, &root).contains("--add-dir"));
    }

    fn policy_error(settings: &Settings, cwd: &Path) -> String {
        format!("{:#}", policy(settings, cwd).unwrap_err())
    }
}
