//! `baton run`: load the workflow, pick the model, run it, print the result; and `--dry-run`,
//! which runs it on `sim` and prints how many agents each phase would start.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::{anyhow, bail, Context, Result};
use baton_engine::{
    run_workflow, EventSink, RunLimits, RunReport, RunSpec, Stopper, WorkflowLibrary,
};
use baton_model::{Event, RunId};
use baton_script::{Script, ScriptLimits, ScriptOutcome};

use crate::args_input::script_args;
use crate::cli::RunArgs;
use crate::config::Config;
use crate::exit;
use crate::model_choice::{self, ModelChoice};
use crate::permissions;
use crate::progress::StderrProgress;

pub fn run(args: RunArgs) -> Result<i32> {
    let cwd = std::env::current_dir().context("cannot read the current directory")?;
    let library = WorkflowLibrary::discover(&cwd, home_dir().as_deref());
    let path = locate(&args.workflow, &cwd, &library)?;
    let source = std::fs::read_to_string(&path)
        .with_context(|| format!("cannot read {}", path.display()))?;
    let script = match Script::from_source(&path, source) {
        Ok(script) => script,
        Err(problems) => {
            eprintln!("{}", problems.render());
            eprintln!(
                "nothing was run: fix the script (baton check {} lists every problem)",
                path.display()
            );
            return Ok(exit::USAGE);
        }
    };
    let script_args = script_args(&args.inputs)?;
    let run_id = match &args.run_id {
        Some(id) => RunId::parse(id).ok_or_else(|| {
            anyhow!("--run-id {id}: expected wf_ followed by 12 lowercase letters or digits")
        })?,
        None => RunId::generate(),
    };

    let home = home_dir();
    let config = Config::load(&cwd, home.as_deref())?;
    // Checked even on `sim`, where no tool runs: a bad rule is a mistake to hear about now.
    let policy = permissions::policy(&args, &config, &cwd)?;
    let ModelChoice {
        backend,
        default_model,
    } = model_choice::choose(&args, &config, &cwd, home.as_deref(), policy)?;

    let limits = RunLimits {
        concurrency: args.concurrency.map_or(16, usize::from),
        max_agents: args.max_agents,
        budget_tokens: args.budget_tokens,
        script: ScriptLimits {
            cpu_time: Duration::try_from_secs_f64(args.script_cpu_seconds).map_err(|_| {
                anyhow!(
                    "--script-cpu-seconds {}: expected a positive number",
                    args.script_cpu_seconds
                )
            })?,
            heap_bytes: args.script_heap_mib.saturating_mul(1 << 20),
            ..ScriptLimits::default()
        },
    };
    let spec = RunSpec {
        run_id,
        script,
        args: script_args,
        start_time_ms: now_ms(),
        limits,
        default_model,
        cwd,
        library,
        stop: Stopper::default(),
    };

    let tokio = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    let interrupted = Arc::new(AtomicBool::new(false));
    {
        let stopper = spec.stop.clone();
        let interrupted = interrupted.clone();
        tokio.spawn(async move {
            if tokio::signal::ctrl_c().await.is_ok() {
                interrupted.store(true, Ordering::Relaxed);
                stopper.stop();
            }
        });
    }

    if args.dry_run {
        let counter = Arc::new(PhaseCounter::new(&spec.script));
        let report = run_workflow(spec, backend, counter.clone(), tokio.handle().clone());
        counter.print(&report);
        return Ok(finish_code(&report, &interrupted, false));
    }

    let progress = Arc::new(StderrProgress::default());
    let report = run_workflow(spec, backend, progress.clone(), tokio.handle().clone());
    progress.print_denials();
    Ok(finish_code(&report, &interrupted, true))
}

/// Prints the result or the failure and picks the exit code.
fn finish_code(report: &RunReport, interrupted: &AtomicBool, print_result: bool) -> i32 {
    let summary = summary(report);
    if let Some(fatal) = &report.fatal {
        eprintln!("error: {fatal}");
        eprintln!("baton: run {} stopped · {summary}", report.run_id);
        return exit::USAGE;
    }
    match &report.outcome {
        ScriptOutcome::Completed(value) => {
            if print_result {
                println!(
                    "{}",
                    serde_json::to_string_pretty(value).unwrap_or_else(|_| value.to_string())
                );
                eprintln!("baton: run {} completed · {summary}", report.run_id);
            }
            exit::COMPLETED
        }
        ScriptOutcome::Failed(error) => {
            // A positioned error already reads `file:line:col: error: …`.
            if error.stack.is_empty() {
                eprintln!("error: {}", error.rendered);
            } else {
                eprintln!("{}", error.rendered);
            }
            eprintln!("baton: run {} failed · {summary}", report.run_id);
            if report.is_syntax_error() {
                exit::USAGE
            } else {
                exit::FAILED
            }
        }
        ScriptOutcome::Stopped => {
            eprintln!("baton: run {} stopped · {summary}", report.run_id);
            if interrupted.load(Ordering::Relaxed) {
                exit::INTERRUPTED
            } else {
                exit::STOPPED
            }
        }
    }
}

/// The closing line's numbers: agents, time, tokens (cache reads and writes when there were
/// any) and cost.
fn summary(report: &RunReport) -> String {
    let usage = &report.usage;
    let mut line = format!(
        "{} agents in {:.2}s · {} input + {} output tokens",
        report.agents_started,
        report.elapsed.as_secs_f64(),
        usage.input_tokens,
        usage.output_tokens
    );
    if usage.cache_read_tokens + usage.cache_write_tokens > 0 {
        line.push_str(&format!(
            " · cache {} read, {} written",
            usage.cache_read_tokens, usage.cache_write_tokens
        ));
    }
    if usage.cost_usd > 0.0 {
        line.push_str(&format!(" · ${:.4}", usage.cost_usd));
    }
    line
}

/// A path to a script, or the name of a saved workflow.
fn locate(workflow: &str, cwd: &Path, library: &WorkflowLibrary) -> Result<PathBuf> {
    // Keep the path as the user wrote it: it names the script in every error position.
    if cwd.join(workflow).is_file() {
        return Ok(PathBuf::from(workflow));
    }
    if let Some(saved) = library.find(workflow) {
        return Ok(saved.path);
    }
    let saved: Vec<String> = library.list().into_iter().map(|w| w.name).collect();
    let hint = if saved.is_empty() {
        String::new()
    } else {
        format!("; saved workflows: {}", saved.join(", "))
    };
    bail!("no workflow file or saved workflow named '{workflow}'{hint}")
}

fn home_dir() -> Option<PathBuf> {
    std::env::var_os("HOME")
        .filter(|h| !h.is_empty())
        .map(PathBuf::from)
}

fn now_ms() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as f64)
        .unwrap_or(0.0)
}

/// `--dry-run`'s sink: counts agents per phase, phases in `meta` order plus any the script adds.
struct PhaseCounter {
    counts: Mutex<Vec<(String, u64)>>,
}

const NO_PHASE: &str = "(no phase)";

impl PhaseCounter {
    fn new(script: &Script) -> Self {
        let counts = script
            .meta
            .phases
            .iter()
            .map(|p| (p.title.clone(), 0))
            .collect();
        PhaseCounter {
            counts: Mutex::new(counts),
        }
    }

    fn print(&self, report: &RunReport) {
        let counts = self.counts.lock().unwrap_or_else(|e| e.into_inner());
        let width = counts
            .iter()
            .map(|(t, _)| t.chars().count())
            .max()
            .unwrap_or(0)
            .max(10);
        println!("dry run on the sim model: no tokens spent");
        println!("{:<width$}  agents", "phase");
        for (title, count) in counts.iter() {
            println!("{title:<width$}  {count:>6}");
        }
        println!("{:<width$}  {:>6}", "total", report.agents_started);
    }
}

impl EventSink for PhaseCounter {
    fn emit(&self, event: Event) {
        if let Event::AgentStarted { phase, .. } = event {
            let title = phase.unwrap_or_else(|| NO_PHASE.to_string());
            let mut counts = self.counts.lock().unwrap_or_else(|e| e.into_inner());
            match counts.iter_mut().find(|(t, _)| *t == title) {
                Some((_, count)) => *count += 1,
                None => counts.push((title, 1)),
            }
        }
    }
}
