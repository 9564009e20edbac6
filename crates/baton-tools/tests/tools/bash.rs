//! Bash: output, exit codes, the cwd, timeouts and cancellation that kill the whole process
//! group, the output cap, and the environment.

use std::time::{Duration, Instant};

use baton_tools::run_tool;
use serde_json::json;

use crate::{alive, gone, Fixture};

fn pid_in(f: &Fixture, file: &str) -> i32 {
    f.read(file).trim().parse().expect("a pid")
}

#[tokio::test]
async fn returns_stdout_and_stderr_in_the_cwd() {
    let f = Fixture::new();
    f.write("marker.txt", "");
    let out = f
        .ok(
            "Bash",
            json!({"command": "ls; echo to-stderr >&2", "description": "list"}),
        )
        .await;
    assert_eq!(out, "marker.txt\nto-stderr");
}

#[tokio::test]
async fn silence_is_reported_as_success() {
    let f = Fixture::new();
    let out = f.ok("Bash", json!({"command": "true"})).await;
    assert!(out.contains("no output"), "{out}");
}

#[tokio::test]
async fn a_non_zero_exit_is_an_error_with_its_code_and_output() {
    let f = Fixture::new();
    let err = f
        .err("Bash", json!({"command": "echo partial; exit 3"}))
        .await;
    assert_eq!(err, "partial\n\nExit code 3");
}

#[tokio::test]
async fn a_timeout_kills_the_whole_group_including_background_children() {
    let f = Fixture::new();
    let started = Instant::now();
    let err = f
        .err(
            "Bash",
            json!({"command": "echo before; sleep 30 & echo $! > bg.pid; sleep 30", "timeout": 300}),
        )
        .await;
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    assert!(err.starts_with("before\n"), "{err}");
    assert!(err.contains("timed out") && err.contains("300 ms"), "{err}");
    let pid = pid_in(&f, "bg.pid");
    assert!(
        gone(pid).await,
        "background child {pid} survived the timeout"
    );
}

#[tokio::test]
async fn cancelling_kills_a_running_command() {
    let mut f = Fixture::new();
    let (cancel, rx) = tokio::sync::watch::channel(false);
    f.ctx.cancel = rx;
    let ctx = f.ctx.clone();
    let started = Instant::now();
    let call = tokio::spawn(async move {
        let input = json!({"command": "sleep 30 & echo $! > bg.pid; wait"});
        run_tool("Bash", &input, &ctx).await
    });
    // Cancel once the command is certainly running.
    while !f.path("bg.pid").exists() || f.read("bg.pid").trim().is_empty() {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    cancel.send(true).unwrap();
    let out = call.await.unwrap();
    assert!(started.elapsed() < Duration::from_secs(5));
    assert!(out.is_error && out.content.contains("stopped"), "{out:?}");
    assert!(gone(pid_in(&f, "bg.pid")).await);

    // Once cancelled, nothing more runs.
    let again = f.err("Bash", json!({"command": "touch ran"})).await;
    assert!(again.contains("not run"), "{again}");
    assert!(!f.path("ran").exists());
}

#[tokio::test]
async fn dropping_the_call_kills_the_command() {
    let f = Fixture::new();
    let input = json!({"command": "sleep 30 & echo $! > bg.pid; wait"});
    let call = run_tool("Bash", &input, &f.ctx);
    // The agent gives up on the call (its task is aborted, or the run stops) mid-command.
    let dropped = tokio::time::timeout(Duration::from_millis(300), call).await;
    assert!(
        dropped.is_err(),
        "the command should still have been running"
    );
    assert!(gone(pid_in(&f, "bg.pid")).await);
}

#[tokio::test]
async fn a_background_child_holding_the_pipe_does_not_hang_the_call() {
    let f = Fixture::new();
    let started = Instant::now();
    let out = f
        .ok(
            "Bash",
            json!({"command": "sleep 30 & echo $! > bg.pid; echo done"}),
        )
        .await;
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(out, "done");
    let pid = pid_in(&f, "bg.pid");
    assert!(
        gone(pid).await,
        "the background child {pid} outlived the command"
    );
    assert!(!alive(pid));
}

#[tokio::test]
async fn long_output_keeps_head_and_tail_within_the_cap() {
    let mut f = Fixture::new();
    f.ctx.output_cap = 2000;
    let out = f.ok("Bash", json!({"command": "seq 1 100000"})).await;
    assert!(out.len() <= 2000, "{}", out.len());
    assert!(out.starts_with("1\n2\n3\n"), "{}", &out[..20]);
    assert!(out.ends_with("99999\n100000"), "{}", &out[out.len() - 20..]);
    assert!(out.contains("bytes of output omitted"));
}

#[tokio::test]
async fn removed_variables_are_hidden_from_the_command() {
    let mut f = Fixture::new();
    // HOME stands in for an API key: present in the test's environment, never modified by it.
    let Ok(home) = std::env::var("HOME") else {
        return;
    };
    let command = json!({"command": "echo ${HOME:-unset}"});
    assert_eq!(f.ok("Bash", command.clone()).await, home);
    f.ctx.env_remove = vec!["HOME".into()];
    assert_eq!(f.ok("Bash", command).await, "unset");
}

#[tokio::test]
async fn timeouts_are_capped_and_validated() {
    let mut f = Fixture::new();
    f.ctx.max_bash_timeout = Duration::from_millis(200);
    let err = f
        .err("Bash", json!({"command": "sleep 5", "timeout": 600_000}))
        .await;
    assert!(err.contains("after 200 ms"), "{err}");

    let zero = f
        .err("Bash", json!({"command": "true", "timeout": 0}))
        .await;
    assert!(zero.contains("timeout"), "{zero}");
    let empty = f.err("Bash", json!({"command": "  "})).await;
    assert!(empty.contains("empty"), "{empty}");
}
