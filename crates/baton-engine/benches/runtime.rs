//! The runtime's own cost: 1000 `sim` agents at concurrency 16, at 0 ms and 50 ms latency.
//! Prints CPU per `agent()` call, the makespan against the ideal `ceil(1000/16) × latency`,
//! and peak memory. Each case runs in a fresh process so its peak RSS is its own. Start-up is
//! timed too: from the run's start to its first agent, median of 21 one-agent runs.
//!
//! `cargo bench -p baton-engine --bench runtime`

use std::path::Path;
use std::process::Command;
use std::sync::Arc;
use std::time::Duration;

use baton_engine::{run_workflow, NoEvents, RunControl, RunLimits, RunSpec, WorkflowLibrary};
use baton_model::RunId;
use baton_script::{Script, ScriptOutcome};
use baton_sim::{Latency, SimBackend};

const AGENTS: u64 = 1000;
const CONCURRENCY: u64 = 16;
const CASE_VAR: &str = "BATON_BENCH_CASE_MS";

const SCRIPT: &str = r#"export const meta = { name: "bench", description: "1000 agents" };
const results = await parallel(Array.from({ length: 1000 }, (_, i) => () => agent(`task ${i}`, { label: `t${i}` })));
return results.filter((r) => r !== null).length;
"#;

fn main() {
    if let Ok(ms) = std::env::var(CASE_VAR) {
        run_case(ms.parse().expect("latency in ms"));
        return;
    }
    println!("runtime benchmark: {AGENTS} sim agents, concurrency {CONCURRENCY}");
    start_up();
    for latency_ms in [0u64, 50] {
        let output = Command::new(std::env::current_exe().unwrap())
            .env(CASE_VAR, latency_ms.to_string())
            .output()
            .expect("run the case");
        print!("{}", String::from_utf8_lossy(&output.stdout));
        eprint!("{}", String::from_utf8_lossy(&output.stderr));
    }
}

/// One agent at 0 ms: the run's wall time is the sandbox's start-up (runtime, globals, `Intl`,
/// prelude, compiling the script) plus one agent round trip.
fn start_up() {
    let tokio = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let source = r#"export const meta = { name: "bench", description: "one agent" };
return await agent("first");
"#;
    let mut times: Vec<Duration> = (0..21)
        .map(|_| {
            let spec =
                spec(Script::from_source(Path::new("bench.workflow.js"), source.into()).unwrap());
            let report = run_workflow(
                spec,
                SimBackend::new(Latency {
                    min: Duration::ZERO,
                    max: Duration::ZERO,
                }),
                Arc::new(NoEvents),
                tokio.handle().clone(),
            );
            assert!(matches!(report.outcome, ScriptOutcome::Completed(_)));
            report.elapsed
        })
        .collect();
    times.sort();
    println!(
        "start-up (run start to first agent settled, median of 21): {:.2} ms",
        times[10].as_secs_f64() * 1e3
    );
}

fn spec(script: Script) -> RunSpec {
    RunSpec {
        run_id: RunId::parse("wf_000000bench0").unwrap_or_else(RunId::generate),
        script,
        args: None,
        start_time_ms: 0.0,
        seed: [1, 2, 3, 4],
        replay: Default::default(),
        limits: RunLimits {
            concurrency: CONCURRENCY as usize,
            ..RunLimits::default()
        },
        default_model: "sim".into(),
        cwd: std::env::temp_dir(),
        library: WorkflowLibrary::default(),
        control: RunControl::default(),
    }
}

fn run_case(latency_ms: u64) {
    let tokio = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let script = Script::from_source(Path::new("bench.workflow.js"), SCRIPT.to_string()).unwrap();
    let spec = spec(script);
    let latency = Latency {
        min: Duration::from_millis(latency_ms),
        max: Duration::from_millis(latency_ms),
    };
    let cpu_before = process_cpu();
    let report = run_workflow(
        spec,
        SimBackend::new(latency),
        Arc::new(NoEvents),
        tokio.handle().clone(),
    );
    let cpu = process_cpu() - cpu_before;
    assert_eq!(report.outcome, ScriptOutcome::Completed(AGENTS.into()));

    let per_call_us = |d: Duration| d.as_secs_f64() * 1e6 / AGENTS as f64;
    println!("latency {latency_ms} ms:");
    println!(
        "  CPU per agent() call: {:.1} µs on the script thread, {:.1} µs for the whole process",
        per_call_us(report.script_cpu),
        per_call_us(cpu)
    );
    let makespan = report.elapsed.as_secs_f64();
    if latency_ms > 0 {
        let ideal = AGENTS.div_ceil(CONCURRENCY) as f64 * latency_ms as f64 / 1000.0;
        println!(
            "  makespan {:.3} s against an ideal of {:.3} s: {:+.2} %",
            makespan,
            ideal,
            (makespan / ideal - 1.0) * 100.0
        );
    } else {
        println!("  makespan {:.3} s", makespan);
    }
    println!("  peak RSS {:.1} MB", peak_rss_bytes() as f64 / 1e6);
}

fn rusage() -> libc::rusage {
    // SAFETY: getrusage fills the zeroed struct it is given.
    unsafe {
        let mut usage: libc::rusage = std::mem::zeroed();
        libc::getrusage(libc::RUSAGE_SELF, &mut usage);
        usage
    }
}

fn process_cpu() -> Duration {
    let usage = rusage();
    let tv = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    tv(usage.ru_utime) + tv(usage.ru_stime)
}

fn peak_rss_bytes() -> u64 {
    rusage().ru_maxrss as u64 * 1024
}
