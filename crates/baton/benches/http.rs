//! The real HTTP path's cost: `baton run` with 1000 agents, one model call each, against the
//! mock LLM server on loopback at 0 ms and 50 ms latency, concurrency 16, for both protocols.
//! Prints the CPU per agent of the whole `baton` process, the makespan against the ideal
//! `ceil(1000/16) × latency`, and the process's peak RSS (all read from `wait4`, so the mock
//! server in this process is not counted).
//!
//! `cargo bench -p baton --bench http`

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use baton_testkit::{MockConfig, MockLlm};

const AGENTS: u64 = 1000;
const CONCURRENCY: u64 = 16;
const KEY: &str = "sk-bench";

const SCRIPT: &str = r#"export const meta = { name: "bench", description: "1000 agents, one model call each" };
const results = await parallel(Array.from({ length: 1000 }, (_, i) => () => agent(`task ${i}`, { label: `t${i}` })));
return results.filter((r) => r !== null).length;
"#;

struct Measured {
    cpu: Duration,
    wall: Duration,
    peak_rss_mb: f64,
}

fn main() {
    let dir = tempfile::tempdir().expect("a temp dir");
    std::fs::write(dir.path().join("bench.workflow.js"), SCRIPT).expect("write the script");
    println!("HTTP benchmark: {AGENTS} agents, one streamed model call each, concurrency {CONCURRENCY}");
    for (protocol, openai) in [("anthropic", false), ("openai", true)] {
        for latency_ms in [0u64, 50] {
            let mock = MockLlm::start(
                MockConfig::default()
                    .with_api_key(KEY)
                    .with_latency(Duration::from_millis(latency_ms)),
            );
            let mut command = Command::new(env!("CARGO_BIN_EXE_baton"));
            command
                .args(["run", "bench.workflow.js", "--concurrency", "16"])
                .current_dir(dir.path())
                .env("HOME", dir.path())
                .stdout(Stdio::null())
                .stderr(Stdio::null());
            if openai {
                command
                    .env("OPENAI_API_KEY", KEY)
                    .env("OPENAI_BASE_URL", mock.openai_base_url())
                    .args(["--model", "openai:bench-model"]);
            } else {
                command
                    .env("ANTHROPIC_API_KEY", KEY)
                    .env("ANTHROPIC_BASE_URL", mock.base_url())
                    .args(["--model", "haiku"]);
            }
            let measured = run_measured(&mut command);
            let requests = mock.requests().len() as u64;
            assert_eq!(requests, AGENTS, "one request per agent");
            report(protocol, latency_ms, &measured);
        }
    }
}

/// Runs the command to its end and reads its own resource usage from `wait4`.
fn run_measured(command: &mut Command) -> Measured {
    let started = Instant::now();
    let child = command.spawn().expect("start baton");
    let mut status = 0;
    // SAFETY: an all-zero `rusage` is a valid value for `wait4` to fill in.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: waits for our own child, which nothing else reaps; both pointers are valid.
    let waited = unsafe { libc::wait4(child.id() as libc::pid_t, &mut status, 0, &mut usage) };
    let wall = started.elapsed();
    assert_eq!(waited, child.id() as libc::pid_t, "wait4 failed");
    assert!(libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0, "baton failed: {status}");
    let seconds = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    Measured {
        cpu: seconds(usage.ru_utime) + seconds(usage.ru_stime),
        wall,
        // Linux reports ru_maxrss in KiB.
        peak_rss_mb: usage.ru_maxrss as f64 / 1024.0,
    }
}

fn report(protocol: &str, latency_ms: u64, measured: &Measured) {
    let per_agent_ms = measured.cpu.as_secs_f64() * 1e3 / AGENTS as f64;
    println!("{protocol}, latency {latency_ms} ms:");
    println!("  CPU per agent, whole baton process: {per_agent_ms:.3} ms (target ≤ 0.3 ms)");
    let rounds = AGENTS.div_ceil(CONCURRENCY);
    if latency_ms > 0 {
        let ideal = Duration::from_millis(rounds * latency_ms);
        let over = (measured.wall.as_secs_f64() / ideal.as_secs_f64() - 1.0) * 100.0;
        println!(
            "  makespan (process start to exit): {:.3} s against an ideal {:.3} s = {over:+.2} % (target ≤ 5 %)",
            measured.wall.as_secs_f64(),
            ideal.as_secs_f64()
        );
    } else {
        println!("  makespan: {:.3} s", measured.wall.as_secs_f64());
    }
    println!("  peak RSS: {:.1} MB (target < 60 MB)", measured.peak_rss_mb);
}
