//! What the integration tests that run the real binary against the mock LLM server share:
//! the wires, running `baton run` with only the variables a user would set, and git.
#![allow(dead_code)] // each test binary uses its own part

pub mod pty;
pub mod workspace;

use std::path::Path;
use std::process::{Command, Output};

use baton_testkit::{MockLlm, Protocol};
use serde_json::Value;

pub const KEY: &str = "sk-test-0123456789";

/// One way of talking to a provider: which protocol, streaming or not.
#[derive(Debug, Clone, Copy)]
pub struct Wire {
    pub protocol: Protocol,
    pub stream: bool,
}

pub const WIRES: [Wire; 4] = [
    Wire {
        protocol: Protocol::Anthropic,
        stream: true,
    },
    Wire {
        protocol: Protocol::Anthropic,
        stream: false,
    },
    Wire {
        protocol: Protocol::OpenAi,
        stream: true,
    },
    Wire {
        protocol: Protocol::OpenAi,
        stream: false,
    },
];

/// Runs `baton run <script>` in `dir` against `mock`, with only the variables a user would set.
pub fn baton_run(
    dir: &Path,
    mock: &MockLlm,
    wire: Wire,
    extra: &[&str],
    env: &[(&str, &str)],
) -> Output {
    baton_command(dir, mock, wire, extra, env).output().unwrap()
}

/// The command [`baton_run`] runs, for tests that start it themselves.
pub fn baton_command(
    dir: &Path,
    mock: &MockLlm,
    wire: Wire,
    extra: &[&str],
    env: &[(&str, &str)],
) -> Command {
    baton_subcommand("run", dir, mock, wire, extra, env)
}

/// `baton <subcommand> <extra>` in `dir` against `mock` on `wire`, with only the variables a
/// user would set, and a default model on the wire's provider unless `extra` names one.
pub fn baton_subcommand(
    subcommand: &str,
    dir: &Path,
    mock: &MockLlm,
    wire: Wire,
    extra: &[&str],
    env: &[(&str, &str)],
) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_baton"));
    command
        .arg(subcommand)
        .args(extra)
        .current_dir(dir)
        // `baton run` reads args from a piped standard input; the test's own may be one.
        .stdin(std::process::Stdio::null())
        .env("HOME", dir)
        .env("BATON_HTTP_BACKOFF_MS", "5")
        .env(
            "BATON_HTTP_STREAM",
            if wire.stream { "true" } else { "false" },
        );
    for variable in [
        "ANTHROPIC_API_KEY",
        "ANTHROPIC_BASE_URL",
        "OPENAI_API_KEY",
        "OPENAI_BASE_URL",
        "BATON_MODEL",
        "BATON_AUTHOR_MODEL",
        "BATON_PROVIDER",
        "BATON_HOME",
        "BATON_MAX_CONCURRENT_AGENTS",
        "EDITOR",
    ] {
        command.env_remove(variable);
    }
    let default_model = match wire.protocol {
        Protocol::Anthropic => {
            command
                .env("ANTHROPIC_API_KEY", KEY)
                .env("ANTHROPIC_BASE_URL", mock.base_url());
            "haiku"
        }
        Protocol::OpenAi => {
            command
                .env("OPENAI_API_KEY", KEY)
                .env("OPENAI_BASE_URL", mock.openai_base_url());
            "openai:mock-model"
        }
    };
    if !extra.contains(&"--model") {
        command.args(["--model", default_model]);
    }
    for (name, value) in env {
        command.env(name, value);
    }
    command
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

pub fn result(output: &Output) -> Value {
    assert!(
        output.status.success(),
        "baton failed ({:?}):\n{}",
        output.status.code(),
        stderr(output)
    );
    serde_json::from_slice(&output.stdout).expect("the result is JSON")
}

pub fn git(dir: &Path, args: &[&str]) -> String {
    let output = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_AUTHOR_NAME", "t")
        .env("GIT_AUTHOR_EMAIL", "t@example.com")
        .env("GIT_COMMITTER_NAME", "t")
        .env("GIT_COMMITTER_EMAIL", "t@example.com")
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}
