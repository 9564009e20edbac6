//! The live monitor in a real terminal: the binary runs in a pseudo-terminal, the test reads
//! the screen it draws and presses its keys, as a person would.

mod support;

use std::process::Command;

use baton_journal::Store;
use baton_model::RunStatus;
use support::pty::Pty;
use support::workspace::Workspace;

const FAN: &str = r#"export const meta = { name: "fan-out", description: "scan, then check", phases: [{ title: "scan" }, { title: "check" }] };
phase("scan");
const found = await parallel(Array.from({ length: 40 }, (_, i) => () => agent(`scan ${i}`, { label: `scan-${i}` })));
phase("check");
return await agent("check it all", { label: "checker" });
"#;

fn in_terminal(ws: &Workspace, args: &[&str]) -> Pty {
    let mut command: Command = ws.command(args);
    command.env("TERM", "xterm-256color").env_remove("NO_COLOR");
    Pty::spawn(command, 24, 80)
}

#[test]
fn the_monitor_shows_the_run_and_its_stop_key_ends_it_stopped() {
    let ws = Workspace::new();
    ws.write("fan.workflow.js", FAN);
    let mut terminal = in_terminal(
        &ws,
        &[
            "run",
            "fan.workflow.js",
            "--model",
            "sim",
            "--sim-latency",
            "300ms",
            "--concurrency",
            "2",
            // On a terminal `run` asks before it spends; the question has tests of its own.
            "--yes",
        ],
    );
    // The header counts agents as they finish; the phase has its row with its counts.
    let screen = terminal.wait_for("agents done", |screen| {
        screen.contains("fan-out") && !screen.contains("agents 0 done") && screen.contains(" done")
    });
    assert!(screen.contains("running"), "{screen}");
    assert!(screen.contains("▾ scan  40 agents"), "{screen}");
    // The last row: the phase the script has not reached yet, from `meta`.
    terminal.send(b"G");
    terminal.wait_for("the meta phase not yet started", |screen| {
        screen
            .lines()
            .any(|line| line.contains("check") && !line.contains("x:stop"))
    });

    terminal.send(b"x");
    terminal.wait_for("the stop prompt", |screen| screen.contains("whole run"));
    terminal.send(b"r");
    let (status, screen) = terminal.wait();
    assert_eq!(status.code(), Some(3), "{screen}");
    assert!(screen.contains("stopped"), "{screen}");

    let store = Store::open(&ws.path().join(".baton")).unwrap();
    let run = &store.runs().unwrap()[0];
    assert_eq!(run.status, RunStatus::Stopped);
    assert!(run.agents < 41, "the run ended before every agent ran");
}

#[test]
fn watch_steers_a_detached_run_through_the_journal_and_leaves_it_running() {
    let ws = Workspace::new();
    ws.write("fan.workflow.js", FAN);
    let detached = ws.baton(&[
        "run",
        "fan.workflow.js",
        "--model",
        "sim",
        "--sim-latency",
        "300ms",
        "--concurrency",
        "2",
        "--detach",
    ]);
    assert!(detached.status.success(), "{}", support::stderr(&detached));
    let id = String::from_utf8_lossy(&detached.stdout).trim().to_string();

    let mut terminal = in_terminal(&ws, &["watch", &id]);
    terminal.wait_for("the watched run", |screen| {
        screen.contains("fan-out") && screen.contains(&id) && screen.contains("scan-1")
    });
    terminal.send(b"p");
    let store = Store::open(&ws.path().join(".baton")).unwrap();
    terminal.wait_for("the run paused", |screen| {
        screen.contains("paused") && store.run(&id).unwrap().summary.status == RunStatus::Paused
    });

    terminal.send(b"q");
    let (status, screen) = terminal.wait();
    assert_eq!(status.code(), Some(0), "{screen}");
    assert!(
        screen.contains(&format!("left the monitor; run {id} goes on")),
        "{screen}"
    );
    // Leaving says how to come back and how to stop the run.
    let joined = screen.replace('\n', "");
    assert!(
        joined.contains(&format!(
            "`baton watch {id}` shows it again, `baton stop {id}` stops it"
        )),
        "{screen}"
    );
    assert_eq!(store.run(&id).unwrap().summary.status, RunStatus::Paused);
    let stop = ws.baton(&["stop", &id]);
    assert!(stop.status.success(), "{}", support::stderr(&stop));
}

#[test]
fn a_free_run_on_sim_does_not_ask() {
    let ws = Workspace::new();
    ws.write("fan.workflow.js", FAN);
    let terminal = in_terminal(&ws, &["run", "fan.workflow.js", "--model", "sim"]);
    let (status, screen) = terminal.wait();
    assert_eq!(status.code(), Some(0), "{screen}");
    assert!(!screen.contains("Proceed?"), "{screen}");
}

#[test]
fn on_a_terminal_run_shows_the_estimate_and_asks_before_it_spends() {
    let ws = Workspace::new();
    ws.write("fan.workflow.js", FAN);
    // A paid model (no request is sent: the answer is no); a run on `sim` asks nothing.
    let mut command = ws.command(&["run", "fan.workflow.js", "--model", "haiku"]);
    command
        .env("TERM", "xterm-256color")
        .env_remove("NO_COLOR")
        .env("ANTHROPIC_API_KEY", "sk-test-0123456789")
        .env("ANTHROPIC_BASE_URL", "http://127.0.0.1:9");
    let mut terminal = Pty::spawn(command, 24, 80);
    let screen = terminal.wait_for("the question", |screen| screen.contains("Proceed?"));
    assert!(screen.contains("fan-out"), "{screen}");
    assert!(
        screen.contains("41"),
        "the estimate counts 41 agents:\n{screen}"
    );
    terminal.send(b"n\r");
    let (status, screen) = terminal.wait();
    assert_eq!(status.code(), Some(3), "{screen}");
    assert!(screen.contains("not started"), "{screen}");
    assert!(
        !ws.path().join(".baton/journal.db").exists() || {
            let store = Store::open(&ws.path().join(".baton")).unwrap();
            store.runs().unwrap().is_empty()
        }
    );
}
