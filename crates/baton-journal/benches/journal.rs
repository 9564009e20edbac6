//! What the journal costs and what resume saves: 1000 `sim` agents at concurrency 16, run
//! with and without the journal (CPU per call, wall-time overhead at 50 ms latency), then the
//! finished run resumed from its journal (time to replay it; agents run: must be zero).
//!
//! `cargo bench -p baton-journal --bench journal`

use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use baton_engine::{
    run_workflow, EventSink, NoEvents, Replay, RunControl, RunLimits, RunReport, RunSpec,
    WorkflowLibrary,
};
use baton_journal::{NewRun, Store};
use baton_model::{AgentBackend, AgentCall, AgentOutcome, BoxFuture, NoteSink, RunId};
use baton_script::{Script, ScriptOutcome};
use baton_sim::{Latency, SimBackend};
use tokio::runtime::Handle;

const AGENTS: u64 = 1000;
const ROUNDS: usize = 3;

const SCRIPT: &str = r#"export const meta = { name: "bench", description: "1000 agents" };
const results = await parallel(Array.from({ length: 1000 }, (_, i) => () => agent(`task ${i}`, { label: `t${i}` })));
return results.filter((r) => r !== null).length;
"#;

fn main() {
    let tokio = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let store = Store::create(dir.path()).unwrap();
    println!("journal benchmark: {AGENTS} sim agents, concurrency 16, median of {ROUNDS}");

    for latency_ms in [0u64, 50] {
        let mut plain = Vec::new();
        let mut journaled = Vec::new();
        for _ in 0..ROUNDS {
            plain.push(measure(|| {
                run(tokio.handle(), latency_ms, Arc::new(NoEvents), None)
            }));
            journaled.push(measure(|| {
                let id = RunId::generate();
                let writer = store.begin_run(&new_run(&id)).unwrap();
                let report = run(tokio.handle(), latency_ms, writer.sink(), Some(id));
                writer.finish(report.status(), None, None).unwrap();
                report
            }));
        }
        let (plain_wall, plain_cpu) = medians(&plain);
        let (journal_wall, journal_cpu) = medians(&journaled);
        println!("latency {latency_ms} ms:");
        println!(
            "  journal CPU per agent call: {:.1} µs ({:.1} µs per call with, {:.1} without)",
            per_call_us(journal_cpu.saturating_sub(plain_cpu)),
            per_call_us(journal_cpu),
            per_call_us(plain_cpu)
        );
        println!(
            "  wall time: {:.3} s with the journal, {:.3} s without: {:+.2} %",
            journal_wall.as_secs_f64(),
            plain_wall.as_secs_f64(),
            (journal_wall.as_secs_f64() / plain_wall.as_secs_f64() - 1.0) * 100.0
        );
    }

    // Resume a finished run: every call must come from the journal.
    let finished = RunId::generate();
    let writer = store.begin_run(&new_run(&finished)).unwrap();
    let report = run(tokio.handle(), 50, writer.sink(), Some(finished.clone()));
    writer.finish(report.status(), None, None).unwrap();
    let started = Instant::now();
    let replay = store.replay(finished.as_str()).unwrap();
    let writer = store.resume_run(&finished).unwrap();
    let counting = Arc::new(CountingBackend::default());
    let spec = spec(&finished, replay);
    let report = run_workflow(
        spec,
        counting.clone(),
        writer.sink(),
        tokio.handle().clone(),
    );
    writer.finish(report.status(), None, None).unwrap();
    let elapsed = started.elapsed();
    assert_eq!(report.outcome, ScriptOutcome::Completed(AGENTS.into()));
    println!(
        "resume of a finished {AGENTS}-agent run: {:.3} s, {} agents run, {} results from the journal",
        elapsed.as_secs_f64(),
        counting.calls.load(Ordering::Relaxed),
        report.agents_cached
    );
}

fn new_run(id: &RunId) -> NewRun {
    NewRun {
        id: id.clone(),
        workflow: "bench".into(),
        script_path: "bench.workflow.js".into(),
        script: SCRIPT.into(),
        script_hash: baton_model::content_hash(SCRIPT),
        args: None,
        cwd: "/".into(),
        model: "sim".into(),
        seed: [1, 2, 3, 4],
        logical_start_ms: 0.0,
        resumed_from: None,
    }
}

fn spec(id: &RunId, replay: Replay) -> RunSpec {
    RunSpec {
        run_id: id.clone(),
        script: Script::from_source(Path::new("bench.workflow.js"), SCRIPT.to_string()).unwrap(),
        args: None,
        start_time_ms: 0.0,
        seed: [1, 2, 3, 4],
        replay,
        limits: RunLimits {
            concurrency: 16,
            ..RunLimits::default()
        },
        default_model: "sim".into(),
        cwd: std::env::temp_dir(),
        library: WorkflowLibrary::default(),
        control: RunControl::default(),
    }
}

fn run(
    tokio: &Handle,
    latency_ms: u64,
    events: Arc<dyn EventSink>,
    id: Option<RunId>,
) -> RunReport {
    let id = id.unwrap_or_else(RunId::generate);
    let latency = Latency {
        min: Duration::from_millis(latency_ms),
        max: Duration::from_millis(latency_ms),
    };
    let report = run_workflow(
        spec(&id, Replay::default()),
        SimBackend::new(latency),
        events,
        tokio.clone(),
    );
    assert_eq!(report.outcome, ScriptOutcome::Completed(AGENTS.into()));
    report
}

/// Wall time and CPU time of the whole process for one run.
fn measure(run: impl FnOnce() -> RunReport) -> (Duration, Duration) {
    let cpu = process_cpu();
    let started = Instant::now();
    run();
    (started.elapsed(), process_cpu() - cpu)
}

fn medians(samples: &[(Duration, Duration)]) -> (Duration, Duration) {
    let median = |mut values: Vec<Duration>| {
        values.sort();
        values[values.len() / 2]
    };
    (
        median(samples.iter().map(|s| s.0).collect()),
        median(samples.iter().map(|s| s.1).collect()),
    )
}

fn per_call_us(d: Duration) -> f64 {
    d.as_secs_f64() * 1e6 / AGENTS as f64
}

fn process_cpu() -> Duration {
    // SAFETY: getrusage fills the zeroed struct it is given.
    let usage = unsafe {
        let mut usage: libc::rusage = std::mem::zeroed();
        libc::getrusage(libc::RUSAGE_SELF, &mut usage);
        usage
    };
    let tv = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    tv(usage.ru_utime) + tv(usage.ru_stime)
}

/// A backend that only counts: a resume of a finished run must never call it.
#[derive(Default)]
struct CountingBackend {
    calls: AtomicU64,
}

impl AgentBackend for CountingBackend {
    fn run(&self, _call: AgentCall, _notes: NoteSink) -> BoxFuture<AgentOutcome> {
        self.calls.fetch_add(1, Ordering::Relaxed);
        Box::pin(async {
            AgentOutcome::Null {
                reason: "not expected".into(),
                usage: Default::default(),
            }
        })
    }
}
