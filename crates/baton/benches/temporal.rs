//! The Temporal executor's shape: the makespan of 64 agents that each run a CPU-bound shell
//! command of about 2 s, on the local executor and on 1, 2 and 3 `baton worker`s on this
//! machine (Temporal's dev server and the mock LLM on loopback). On one machine the workers
//! share its cores, so the point is the shape (what handing work out costs, whether every
//! worker takes a share), not a speed-up; on separate machines each worker brings its cores.
//!
//! Each worker has as many slots as the machine has cores (`BATON_BENCH_SLOTS` changes it): a
//! worker with far more CPU-bound agents than cores starves its own heartbeats, Temporal
//! gives their calls to another attempt, and the same work is done twice.
//!
//! `cargo bench -p baton --features temporal --bench temporal` (needs `.ci/setup-temporal.sh`;
//! `BATON_BENCH_AGENTS` changes the count, `BATON_BENCH_WORK_SECS` the command's length).

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use baton_testkit::{Match, MockConfig, MockLlm, Rule, Turn};
use serde_json::json;

const KEY: &str = "sk-bench-temporal";

fn main() {
    let agents: usize = env_or("BATON_BENCH_AGENTS", 64);
    let slots: usize = env_or("BATON_BENCH_SLOTS", cores());
    let work_secs: f64 = env_or("BATON_BENCH_WORK_SECS", 2.0);
    let dir = tempfile::tempdir().expect("a temp dir");
    let script = format!(
        r#"export const meta = {{ name: "cpu", description: "CPU-bound agents" }};
return (await parallel(Array.from({{ length: {agents} }}, (_, i) => () => agent(`job ${{i}}`, {{ label: `job-${{i}}` }})))).filter((r) => r !== null).length;
"#
    );
    std::fs::write(dir.path().join("cpu.workflow.js"), script).unwrap();
    let command = cpu_command(work_secs);
    let mock = MockLlm::start(MockConfig::default().with_api_key(KEY).with_rule(Rule::new(
        Match::prompt_contains("job"),
        vec![
            Turn::tool("Bash", json!({ "command": command, "timeout": 600_000 })),
            Turn::text("done"),
        ],
    )));
    println!(
        "{agents} agents, each `{command}` (~{work_secs} s of one core), on {} cores",
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    let ideal = agents as f64 * work_secs / cores() as f64;
    println!("ideal makespan on this machine's cores: {ideal:.1} s");

    let concurrency = agents.to_string();
    let local = run(dir.path(), &mock, &["--concurrency", &concurrency]);
    println!(
        "local executor (--concurrency {agents}):     {:>6.1} s",
        local.as_secs_f64()
    );

    let server = DevServer::start(&dir.path().join("temporal.db"));
    for workers in 1..=3 {
        // A queue per round: a round's leftovers never reach the next one's workers.
        let queue = format!("bench-{workers}");
        let started: Vec<Worker> = (0..workers)
            .map(|n| {
                let name = format!("b{workers}-{n}");
                Worker::start(dir.path(), &mock, &server, &queue, &name, slots)
            })
            .collect();
        let took = run(
            dir.path(),
            &mock,
            &[
                "--executor",
                "temporal",
                "--temporal",
                &server.address(),
                "--task-queue",
                &queue,
                "--concurrency",
                &concurrency,
            ],
        );
        let shares: Vec<usize> = started.iter().map(Worker::ran).collect();
        println!(
            "temporal, {workers} worker(s) × {slots} slots:    {:>6.1} s   attempts per worker {shares:?}",
            took.as_secs_f64()
        );
    }
}

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// A shell loop that keeps one core busy for about `secs`: its length is measured once here,
/// so every agent does the same work whatever else shares the machine.
fn cpu_command(secs: f64) -> String {
    let probe = 200_000;
    let started = Instant::now();
    let status = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "i=0; while [ $i -lt {probe} ]; do i=$((i+1)); done"
        ))
        .status()
        .expect("sh runs");
    assert!(status.success());
    let per_second = probe as f64 / started.elapsed().as_secs_f64();
    let n = (per_second * secs) as u64;
    format!("sh -c 'i=0; while [ $i -lt {n} ]; do i=$((i+1)); done'")
}

/// One `baton run` of the script (`--concurrency` = agents, so only the executor and the
/// cores limit them); its wall time.
fn run(dir: &Path, mock: &MockLlm, extra: &[&str]) -> Duration {
    let started = Instant::now();
    let mut command = baton(dir, mock, &["run", "cpu.workflow.js", "--model", "haiku"]);
    command
        .args(["--allow", "Bash(sh:*)"])
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let output = command.output().expect("baton runs");
    let took = started.elapsed();
    assert!(
        output.status.success(),
        "baton run {extra:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    took
}

fn baton(dir: &Path, mock: &MockLlm, args: &[&str]) -> Command {
    let binary = std::env::var_os("BATON_BENCH_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_baton")));
    let mut command = Command::new(binary);
    command
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .env("HOME", dir)
        .env("ANTHROPIC_API_KEY", KEY)
        .env("ANTHROPIC_BASE_URL", mock.base_url());
    for variable in ["OPENAI_API_KEY", "BATON_MODEL", "BATON_EXECUTOR"] {
        command.env_remove(variable);
    }
    command
}

/// A `baton worker`; killed on drop.
struct Worker {
    child: Child,
    log: PathBuf,
}

impl Worker {
    fn start(
        dir: &Path,
        mock: &MockLlm,
        server: &DevServer,
        queue: &str,
        name: &str,
        slots: usize,
    ) -> Worker {
        let log = dir.join(format!("{name}.log"));
        let child = baton(dir, mock, &["worker", "--temporal", &server.address()])
            .args(["--task-queue", queue])
            .args(["--slots", &slots.to_string(), "--identity", name])
            .args(["--allow", "Bash(sh:*)"])
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .expect("baton worker starts");
        Worker { child, log }
    }

    fn ran(&self) -> usize {
        std::fs::read_to_string(&self.log)
            .unwrap_or_default()
            .lines()
            .filter(|l| l.contains(": running "))
            .count()
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Temporal's dev server on a free loopback port; killed on drop.
struct DevServer {
    child: Child,
    port: u16,
}

impl DevServer {
    fn start(db: &Path) -> DevServer {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let cli = std::env::var_os("BATON_TEMPORAL_CLI")
            .map(PathBuf::from)
            .unwrap_or_else(|| {
                let home = std::env::var_os("HOME")
                    .map(PathBuf::from)
                    .unwrap_or_default();
                home.join(".cache/baton-ci/temporal-venv/bin/temporal")
            });
        let child = Command::new(cli)
            .args(["server", "start-dev", "--ip", "127.0.0.1", "--headless"])
            .arg("--db-filename")
            .arg(db)
            .args(["--port", &port.to_string(), "--log-level", "error"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("the temporal CLI (run .ci/setup-temporal.sh, or set BATON_TEMPORAL_CLI)");
        let deadline = Instant::now() + Duration::from_secs(120);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "the dev server never listened");
            std::thread::sleep(Duration::from_millis(100));
        }
        DevServer { child, port }
    }

    fn address(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }
}

impl Drop for DevServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
