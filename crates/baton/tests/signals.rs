//! Signals end a run cleanly: the real binary against the mock, a slow agent in the middle of
//! a Bash command, then SIGINT, SIGTERM or SIGHUP. The run is journaled `interrupted` (never
//! `crashed`), exits 130 naming `baton resume`, the Bash process group is gone, and the resume
//! finishes without asking for the agent that had already finished.

mod support;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use baton_journal::Store;
use baton_model::RunStatus;
use baton_testkit::{Match, MockConfig, MockLlm, Rule, Turn};
use serde_json::json;
use support::{baton_command, result, stderr, KEY, WIRES};

const TWO: &str = r#"export const meta = { name: "two", description: "one fast agent, one slow" };
const first = await agent("first", { label: "fast" });
const second = await agent("second", { label: "slow" });
return { first, second };
"#;

#[test]
fn sigint_sigterm_and_sighup_interrupt_the_run_and_resume_finishes_it() {
    for (signal, n) in [("INT", 1), ("TERM", 2), ("HUP", 3)] {
        let dir = tempfile::tempdir().unwrap();
        let dir = dir.path();
        std::fs::write(dir.join("two.workflow.js"), TWO).unwrap();
        let mock = MockLlm::start(
            MockConfig::default()
                .with_api_key(KEY)
                .with_rule(Rule::new(Match::label("fast"), vec![Turn::text("one")]))
                // The first time, the slow agent starts a long command and waits in it.
                .with_rule(
                    Rule::new(
                        Match::label("slow"),
                        vec![Turn::tool(
                            "Bash",
                            json!({"command": "echo $$ > shell.pid; sleep 300"}),
                        )],
                    )
                    .with_uses(1),
                )
                .with_rule(Rule::new(Match::label("slow"), vec![Turn::text("two")])),
        );
        let id = format!("wf_5160a1000{n:03}");
        let args = [
            "--allow",
            "Bash",
            "--run-id",
            id.as_str(),
            "two.workflow.js",
        ];
        let child = baton_command(dir, &mock, WIRES[0], &args, &[])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();

        let shell = wait_for_pid(&dir.join("shell.pid"));
        kill(signal, child.id());
        let output = child.wait_with_output().unwrap();
        let log = stderr(&output);
        assert_eq!(output.status.code(), Some(130), "SIG{signal}: {log}");
        assert!(
            log.contains(&format!("interrupted by SIG{signal}"))
                && log.contains(&format!("`baton resume {id}`")),
            "SIG{signal}: {log}"
        );
        // The agent's shell and its group went with the run.
        assert!(
            !alive(shell),
            "SIG{signal}: the Bash command outlived the run"
        );

        let store = Store::open(&dir.join(".baton")).unwrap();
        assert_eq!(store.runs().unwrap()[0].status, RunStatus::Interrupted);
        let listing = Command::new(env!("CARGO_BIN_EXE_baton"))
            .arg("runs")
            .current_dir(dir)
            .env("HOME", dir)
            .output()
            .unwrap();
        assert!(
            String::from_utf8_lossy(&listing.stdout).contains("interrupted"),
            "{}",
            String::from_utf8_lossy(&listing.stdout)
        );

        let resumed = Command::new(env!("CARGO_BIN_EXE_baton"))
            .args(["resume", id.as_str()])
            .current_dir(dir)
            .stdin(Stdio::null())
            .env("HOME", dir)
            .env("ANTHROPIC_API_KEY", KEY)
            .env("ANTHROPIC_BASE_URL", mock.base_url())
            .env_remove("OPENAI_API_KEY")
            .env_remove("OPENAI_BASE_URL")
            .output()
            .unwrap();
        assert_eq!(result(&resumed), json!({"first": "one", "second": "two"}));
        let fast = mock
            .requests()
            .iter()
            .filter(|r| r.label.as_deref() == Some("fast"))
            .count();
        assert_eq!(fast, 1, "SIG{signal}: the finished agent ran again");
        assert_eq!(store.runs().unwrap()[0].status, RunStatus::Completed);
    }
}

/// The pid the agent's shell wrote, once it has (the command is running then).
fn wait_for_pid(path: &Path) -> u32 {
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        if let Ok(text) = std::fs::read_to_string(path) {
            if let Ok(pid) = text.trim().parse() {
                return pid;
            }
        }
        assert!(
            Instant::now() < deadline,
            "the slow agent never ran its command"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn kill(signal: &str, pid: u32) {
    let status = Command::new("kill")
        .args([format!("-{signal}"), pid.to_string()])
        .status()
        .unwrap();
    assert!(status.success());
}

/// Whether `pid` still runs (a zombie waiting for a reaper does not).
fn alive(pid: u32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        // The state follows the parenthesised command name.
        Ok(stat) => stat
            .rsplit_once(") ")
            .is_some_and(|(_, rest)| !rest.starts_with('Z')),
        Err(_) => false,
    }
}
