//! The real HTTP path's cost: `baton run` with 1000 agents, one model call each, against the
//! mock LLM server on loopback at 0 ms, 50 ms and a lognormal latency around 300 ms (σ 0.5),
//! concurrency 16, for both protocols. Prints the CPU per agent of the whole `baton` process
//! (which must not grow with latency: a run that waits must not burn CPU), the makespan
//! against the ideal `ceil(1000/16) × latency`, and the process's peak RSS, all read from
//! `wait4`. Then an idle run: one agent waiting 60 s on the mock, and the share of a core
//! `baton` used meanwhile, read from `/proc/<pid>/stat` (`BATON_BENCH_IDLE_SECS` shortens it).
//!
//! The mock runs in a child process of its own (this same benchmark binary, started with
//! `BATON_BENCH_MOCK_MS`): were it in this process, `baton`'s peak RSS would include this
//! process's pages, which a child shares between `fork` and `exec`.
//!
//! `cargo bench -p baton --bench http` (`BATON_BENCH_BIN=path` runs another `baton` binary)

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use baton_testkit::{MockConfig, MockLlm};

const AGENTS: u64 = 1000;
const CONCURRENCY: u64 = 16;
const KEY: &str = "sk-bench";
const MOCK_VAR: &str = "BATON_BENCH_MOCK_MS";
/// The lognormal spread of the mock's latency (0: fixed).
const SIGMA_VAR: &str = "BATON_BENCH_MOCK_SIGMA";
const IDLE_VAR: &str = "BATON_BENCH_IDLE_SECS";
/// A lognormal latency's σ: a long right tail like real providers', without absurd outliers.
const SIGMA: f64 = 0.5;

const IDLE_SCRIPT: &str = r#"export const meta = { name: "idle", description: "one agent waiting on its model" };
return await agent("wait", { label: "idle" });
"#;

/// One mock latency the bench runs at.
#[derive(Clone, Copy)]
struct Latency {
    ms: u64,
    sigma: f64,
}

impl std::fmt::Display for Latency {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.sigma > 0.0 {
            true => write!(f, "lognormal {} ms (σ {})", self.ms, self.sigma),
            false => write!(f, "{} ms", self.ms),
        }
    }
}

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
        let sigma = std::env::var(SIGMA_VAR).map_or(0.0, |s| s.parse().expect("a sigma"));
        serve_mock(
            Duration::from_millis(ms.parse().expect("latency in ms")),
            sigma,
        );
        return;
    }
    let dir = tempfile::tempdir().expect("a temp dir");
    std::fs::write(dir.path().join("bench.workflow.js"), SCRIPT).expect("write the script");
    std::fs::write(dir.path().join("idle.workflow.js"), IDLE_SCRIPT).expect("write the script");
    println!(
        "HTTP benchmark: {AGENTS} agents, one streamed model call each, concurrency {CONCURRENCY}"
    );
    let latencies = [
        Latency { ms: 0, sigma: 0.0 },
        Latency { ms: 50, sigma: 0.0 },
        Latency {
            ms: 300,
            sigma: SIGMA,
        },
    ];
    // `BATON_BENCH_QUICK`: one protocol and no idle run, to compare builds or settings fast.
    let quick = std::env::var_os("BATON_BENCH_QUICK").is_some();
    let protocols: &[(&str, bool)] = match quick {
        true => &[("anthropic", false)],
        false => &[("anthropic", false), ("openai", true)],
    };
    for &(protocol, openai) in protocols {
        for latency in latencies {
            let mock = Mock::start(latency);
            let mut command = baton(dir.path(), &mock.base_url, openai, "bench.workflow.js");
            let measured = run_measured(&mut command, &dir.path().join("baton.log"));
            assert_eq!(mock.finish(), AGENTS, "one request per agent");
            report(protocol, latency, &measured);
        }
    }
    if !quick {
        idle(dir.path());
    }
}

/// One agent waiting on the mock for a minute: what `baton` costs while nothing happens.
fn idle(dir: &std::path::Path) {
    let seconds: u64 = std::env::var(IDLE_VAR).map_or(60, |s| s.parse().expect("seconds"));
    let mock = Mock::start(Latency {
        ms: seconds * 1000,
        sigma: 0.0,
    });
    let mut command = baton(dir, &mock.base_url, false, "idle.workflow.js");
    let mut child = command.spawn().expect("start baton");
    // Start-up, the script and the request are done well within this; then only waiting.
    let settle = Duration::from_secs(3.min(seconds / 4));
    std::thread::sleep(settle);
    let before = process_cpu(child.id());
    let window = Duration::from_secs(seconds) - settle - Duration::from_secs(1.min(seconds / 4));
    std::thread::sleep(window);
    let after = process_cpu(child.id());
    let status = child.wait().expect("wait for baton");
    assert!(status.success(), "baton failed: {status}");
    assert_eq!(mock.finish(), 1, "one request");
    let share = (after - before).as_secs_f64() / window.as_secs_f64() * 100.0;
    println!("idle: one agent waiting {seconds} s on the mock (anthropic):");
    println!(
        "  CPU while waiting: {share:.3} % of a core over {:.0} s (target < 0.5 %)",
        window.as_secs_f64()
    );
}

/// The mock in a child process, serving at one latency.
struct Mock {
    child: std::process::Child,
    out: BufReader<std::process::ChildStdout>,
    base_url: String,
}

impl Mock {
    fn start(latency: Latency) -> Mock {
        let mut child = Command::new(std::env::current_exe().expect("this binary"))
            .env(MOCK_VAR, latency.ms.to_string())
            .env(SIGMA_VAR, latency.sigma.to_string())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("start the mock");
        let mut out = BufReader::new(child.stdout.take().expect("mock stdout"));
        let mut base_url = String::new();
        out.read_line(&mut base_url).expect("the mock's address");
        Mock {
            child,
            out,
            base_url: base_url.trim().to_string(),
        }
    }

    /// Stops the mock; returns how many requests it served.
    fn finish(mut self) -> u64 {
        drop(self.child.stdin.take());
        let mut requests = String::new();
        self.out
            .read_to_string(&mut requests)
            .expect("the mock's count");
        let _ = self.child.wait();
        requests.trim().parse().expect("a request count")
    }
}

/// `baton run <script>` against the mock, on one protocol, its stderr in `baton.log`.
fn baton(dir: &std::path::Path, base_url: &str, openai: bool, script: &str) -> Command {
    let log = dir.join("baton.log");
    // `BATON_BENCH_BIN` measures another build of `baton` (an older one, for a before/after).
    let binary = std::env::var("BATON_BENCH_BIN").unwrap_or(env!("CARGO_BIN_EXE_baton").into());
    let mut command = Command::new(binary);
    command
        .args(["run", script, "--concurrency", "16"])
        .current_dir(dir)
        .env("HOME", dir)
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
    command
}

/// User plus system CPU time of a running process so far, from `/proc/<pid>/stat`.
fn process_cpu(pid: u32) -> Duration {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).expect("/proc/<pid>/stat");
    // Fields after the command name, which is in parentheses and may hold spaces.
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .expect("a stat line")
        .1
        .split_whitespace()
        .collect();
    let ticks: u64 =
        fields[11].parse::<u64>().expect("utime") + fields[12].parse::<u64>().expect("stime");
    // SAFETY: sysconf has no preconditions.
    let per_second = unsafe { libc::sysconf(libc::_SC_CLK_TCK) }.max(1) as f64;
    Duration::from_secs_f64(ticks as f64 / per_second)
}

/// The mock's process: prints its address, serves until stdin closes, prints its request count.
fn serve_mock(latency: Duration, sigma: f64) {
    let mock = MockLlm::start(
        MockConfig::default()
            .with_api_key(KEY)
            .with_lognormal_latency(latency, sigma),
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

fn report(protocol: &str, latency: Latency, measured: &Measured) {
    let per_agent_ms = measured.cpu.as_secs_f64() * 1e3 / AGENTS as f64;
    println!("{protocol}, latency {latency}:");
    println!("  CPU per agent, whole baton process: {per_agent_ms:.3} ms (target ≤ 0.3 ms)");
    let rounds = AGENTS.div_ceil(CONCURRENCY);
    let ideal = Duration::from_millis(rounds * latency.ms);
    let over = |d: Duration| (d.as_secs_f64() / ideal.as_secs_f64() - 1.0) * 100.0;
    if latency.ms > 0 && latency.sigma == 0.0 {
        println!(
            "  makespan: run {:.3} s ({:+.2} %), process {:.3} s ({:+.2} %), ideal {:.3} s (target ≤ 3 %)",
            measured.run.as_secs_f64(),
            over(measured.run),
            measured.wall.as_secs_f64(),
            over(measured.wall),
            ideal.as_secs_f64()
        );
    } else {
        // A random latency has no simple ideal: the slowest agent of each slot decides.
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
