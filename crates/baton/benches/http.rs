//! The real HTTP path's cost: `baton run` with 1000 agents, one model call each, against the
//! mock LLM server on loopback at 0 ms and 50 ms latency, concurrency 16, for both protocols.
//! Prints the CPU per agent of the whole `baton` process, the makespan against the ideal
//! `ceil(1000/16) × latency`, and the process's peak RSS, all read from `wait4`.
//!
//! The mock runs in a child process of its own (this same benchmark binary, started with
//! `BATON_BENCH_MOCK_MS`): were it in this process, `baton`'s peak RSS would include this
//! process's pages, which a child shares between `fork` and `exec`.
//!
//! `cargo bench -p baton --bench http`

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use baton_testkit::{MockConfig, MockLlm};

const AGENTS: u64 = 1000;
const CONCURRENCY: u64 = 16;
const KEY: &str = "sk-bench";
const MOCK_VAR: &str = "BATON_BENCH_MOCK_MS";

const SCRIPT: &str = r#"export const meta = { name: "bench", description: "1000 agents, one model call each" };
const results = await parallel(Array.from({ length: 1000 }, (_, i) => () => agent(`task ${i}`, { label: `t${i}` })));
return results.filter((r) => r !== null).length;
"#;

struct Measured {
    cpu: Duration,
    /// From `baton`'s own closing line: the run, without process start-up.
    run: Duration,
    /// Process start to exit.
    wall: Duration,
    peak_rss_mb: f64,
}

fn main() {
    if let Ok(ms) = std::env::var(MOCK_VAR) {
        serve_mock(Duration::from_millis(ms.parse().expect("latency in ms")));
        return;
    }
    let dir = tempfile::tempdir().expect("a temp dir");
    std::fs::write(dir.path().join("bench.workflow.js"), SCRIPT).expect("write the script");
    println!(
        "HTTP benchmark: {AGENTS} agents, one streamed model call each, concurrency {CONCURRENCY}"
    );
    for (protocol, openai) in [("anthropic", false), ("openai", true)] {
        for latency_ms in [0u64, 50] {
            let mut mock = Command::new(std::env::current_exe().expect("this binary"))
                .env(MOCK_VAR, latency_ms.to_string())
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .spawn()
                .expect("start the mock");
            let mut mock_out = BufReader::new(mock.stdout.take().expect("mock stdout"));
            let mut base_url = String::new();
            mock_out
                .read_line(&mut base_url)
                .expect("the mock's address");
            let base_url = base_url.trim();

            let log = dir.path().join("baton.log");
            let mut command = Command::new(env!("CARGO_BIN_EXE_baton"));
            command
                .args(["run", "bench.workflow.js", "--concurrency", "16"])
                .current_dir(dir.path())
                .env("HOME", dir.path())
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(std::fs::File::create(&log).expect("a log file"));
            if openai {
                command
                    .env("OPENAI_API_KEY", KEY)
                    .env("OPENAI_BASE_URL", format!("{base_url}/v1"))
                    .args(["--model", "openai:bench-model"]);
            } else {
                command
                    .env("ANTHROPIC_API_KEY", KEY)
                    .env("ANTHROPIC_BASE_URL", base_url)
                    .args(["--model", "haiku"]);
            }
            let measured = run_measured(&mut command, &log);

            drop(mock.stdin.take());
            let mut requests = String::new();
            mock_out
                .read_to_string(&mut requests)
                .expect("the mock's count");
            let _ = mock.wait();
            assert_eq!(requests.trim(), AGENTS.to_string(), "one request per agent");
            report(protocol, latency_ms, &measured);
        }
    }
}

/// The mock's process: prints its address, serves until stdin closes, prints its request count.
fn serve_mock(latency: Duration) {
    let mock = MockLlm::start(
        MockConfig::default()
            .with_api_key(KEY)
            .with_latency(latency),
    );
    println!("{}", mock.base_url());
    std::io::stdout().flush().expect("flush");
    let _ = std::io::stdin().read_to_end(&mut Vec::new());
    println!("{}", mock.requests().len());
}

/// Runs the command to its end and reads its own resource usage from `wait4`.
fn run_measured(command: &mut Command, log: &std::path::Path) -> Measured {
    let started = Instant::now();
    // Reaped by `wait4` below, which also hands back the child's resource usage.
    #[allow(clippy::zombie_processes)]
    let child = command.spawn().expect("start baton");
    let mut status = 0;
    // SAFETY: an all-zero `rusage` is a valid value for `wait4` to fill in.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: waits for our own child, which nothing else reaps; both pointers are valid.
    let waited = unsafe { libc::wait4(child.id() as libc::pid_t, &mut status, 0, &mut usage) };
    let wall = started.elapsed();
    assert_eq!(waited, child.id() as libc::pid_t, "wait4 failed");
    let log = std::fs::read_to_string(log).unwrap_or_default();
    assert!(
        libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
        "baton failed: {log}"
    );
    let seconds = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    Measured {
        cpu: seconds(usage.ru_utime) + seconds(usage.ru_stime),
        run: run_time(&log).unwrap_or(wall),
        wall,
        // Linux reports ru_maxrss in KiB.
        peak_rss_mb: usage.ru_maxrss as f64 / 1024.0,
    }
}

/// The `in 3.21s` of `baton: run … completed · 1000 agents in 3.21s · …`.
fn run_time(log: &str) -> Option<Duration> {
    let line = log.lines().rev().find(|l| l.contains(" completed · "))?;
    let seconds = line.split(" agents in ").nth(1)?.split('s').next()?;
    Duration::try_from_secs_f64(seconds.parse().ok()?).ok()
}

fn report(protocol: &str, latency_ms: u64, measured: &Measured) {
    let per_agent_ms = measured.cpu.as_secs_f64() * 1e3 / AGENTS as f64;
    println!("{protocol}, latency {latency_ms} ms:");
    println!("  CPU per agent, whole baton process: {per_agent_ms:.3} ms (target ≤ 0.3 ms)");
    let rounds = AGENTS.div_ceil(CONCURRENCY);
    let ideal = Duration::from_millis(rounds * latency_ms);
    let over = |d: Duration| (d.as_secs_f64() / ideal.as_secs_f64() - 1.0) * 100.0;
    if latency_ms > 0 {
        println!(
            "  makespan: run {:.3} s ({:+.2} %), process {:.3} s ({:+.2} %), ideal {:.3} s (target ≤ 5 %)",
            measured.run.as_secs_f64(),
            over(measured.run),
            measured.wall.as_secs_f64(),
            over(measured.wall),
            ideal.as_secs_f64()
        );
    } else {
        println!(
            "  makespan: run {:.3} s, process {:.3} s",
            measured.run.as_secs_f64(),
            measured.wall.as_secs_f64()
        );
    }
    println!(
        "  peak RSS: {:.1} MB (target < 60 MB)",
        measured.peak_rss_mb
    );
}
