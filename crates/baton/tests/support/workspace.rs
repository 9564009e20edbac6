//! A temp-dir workspace for tests that run the real binary on the `sim` model: nothing of the
//! user's (config, journal, keys) leaks in.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use serde_json::Value;

pub struct Workspace {
    dir: tempfile::TempDir,
}

impl Workspace {
    pub fn new() -> Self {
        Workspace {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn write(&self, name: &str, text: &str) -> PathBuf {
        let path = self.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, text).unwrap();
        path
    }

    /// The binary in this workspace, with nothing of the user's (config, journal, keys).
    pub fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_baton"));
        command
            .args(args)
            .current_dir(self.path())
            .env("HOME", self.path())
            .stdin(Stdio::null())
            .env("BATON_HOME", self.path().join(".baton"))
            .env_remove("BATON_MODEL")
            .env_remove("BATON_MAX_CONCURRENT_AGENTS")
            .env_remove("ANTHROPIC_API_KEY")
            .env_remove("OPENAI_API_KEY");
        command
    }

    pub fn baton(&self, args: &[&str]) -> Output {
        self.command(args).output().unwrap()
    }

    /// Runs `script` on the sim model; returns the run's output and its id.
    pub fn run(&self, name: &str, script: &str, extra: &[&str]) -> (Output, String) {
        self.write(name, script);
        let mut args = vec!["run", name, "--model", "sim"];
        args.extend_from_slice(extra);
        let output = self.baton(&args);
        let runs = self.json(&["runs", "--json"]);
        let id = runs[0]["id"].as_str().unwrap().to_string();
        (output, id)
    }

    /// A command that must succeed and print JSON.
    pub fn json(&self, args: &[&str]) -> Value {
        let output = self.baton(args);
        assert_eq!(output.status.code(), Some(0), "{}", super::stderr(&output));
        serde_json::from_slice(&output.stdout).unwrap()
    }
}
