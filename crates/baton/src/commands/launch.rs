//! What `run` and `resume` share once they know the script: pick the model, open the run in the
//! journal, run it with progress on stderr, record how it ended, print the result.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result};
use baton_engine::{
    run_workflow, EventSink, Fanout, Replay, RunControl, RunLimits, RunReport, RunSpec,
    WorkflowLibrary,
};
use baton_journal::{NewRun, RunWriter, Store};
use baton_model::{content_hash, AgentBackend, RunId, RunStatus, PROVIDER_KEY_VARIABLES};
use baton_script::{Script, ScriptLimits, ScriptOutcome};
use serde_json::Value;

use crate::accounting::{spend_words, Accounting};
use crate::cli::RunSettings;
use crate::commands::dry_run;
use crate::commands::journal_view::plural;
use crate::cost_split::{self, CostSplit};
use crate::exit;
use crate::extensions::Extensions;
use crate::model_check;
use crate::model_choice::{self, ModelChoice};
use crate::output::Output;
use crate::permissions;
use crate::preflight::{self, Preview};
use crate::remote_control::RemoteControl;
use crate::settings::Settings;
use crate::signals::{self, Interrupted};
use crate::workspace::{home_dir, journal_dir};

/// A run about to start: fresh, or taking results from the journal.
pub struct Launch {
    pub script: Script,
    pub args: Option<Value>,
    pub run_id: RunId,
    pub seed: [u32; 4],
    pub start_time_ms: f64,
    pub replay: Replay,
    pub journal: Journaling,
    pub settings: RunSettings,
    pub cwd: PathBuf,
    /// `--json`: NDJSON events on stderr instead of the monitor or plain lines.
    pub json: bool,
    /// The `baton new` run that wrote the script, named in this run's log.
    pub authored_by: Option<String>,
}

/// How the run enters the journal.
pub enum Journaling {
    /// `--dry-run`: an estimate, not a run; nothing is recorded.
    Off,
    /// A new run (`resumed_from`: the run whose results it reuses).
    New { resumed_from: Option<RunId> },
    /// One more attempt of a run recorded in this journal.
    Resume(Store),
}

pub fn launch(launch: Launch) -> Result<i32> {
    let Launch {
        script,
        args,
        run_id,
        seed,
        start_time_ms,
        mut replay,
        journal,
        settings,
        cwd,
        json,
        authored_by,
    } = launch;
    let home = home_dir();
    let yes = settings.yes;
    let executor = crate::executor_settings::resolve(&settings.executor, &cwd, home.as_deref())?;
    let settings = Settings::resolve(&settings, &cwd, home.as_deref())?;
    let dry_run = matches!(journal, Journaling::Off);
    // Checked even on `sim`, where no tool runs: a bad rule is a mistake to hear about now.
    let policy = permissions::policy(&settings, &cwd)?;
    let lint = baton_script::lint::lint(&script.source);
    let uses = model_check::uses_in(&script, &lint, &cwd, home.as_deref());
    let extensions = Extensions::configure(&cwd, home.as_deref())?;
    let ModelChoice {
        backend,
        default_model,
    } = model_choice::choose(
        &settings,
        dry_run,
        &cwd,
        home.as_deref(),
        policy,
        &uses,
        extensions.providers(),
    )?;
    let limits = limits(&settings);
    let preview = Preview {
        script: &script,
        args: &args,
        run_id: &run_id,
        seed,
        start_time_ms,
        replay: &replay,
        limits: &limits,
        settings: &settings,
        cwd: &cwd,
        home: home.as_deref(),
    };
    if dry_run {
        return dry_run::dry_run(&preview, json);
    }
    // A run on `sim` costs nothing: there is nothing to agree to.
    let free = default_model == "sim";
    let asks =
        matches!(journal, Journaling::New { .. }) && !free && preflight::should_ask(yes || json);
    if asks && !preflight::confirm(&preview)? {
        eprintln!("baton: not started");
        return Ok(exit::STOPPED);
    }

    let journaled = match journal {
        Journaling::Off => None,
        Journaling::New { resumed_from } => {
            let store = Store::create(&journal_dir(&cwd))?;
            let writer = store.begin_run(&NewRun {
                id: run_id.clone(),
                workflow: script.meta.name.clone(),
                script_path: script.path.display().to_string(),
                script: script.source.clone(),
                script_hash: content_hash(&script.source),
                args: args.clone(),
                cwd: cwd.display().to_string(),
                model: default_model.clone(),
                seed,
                logical_start_ms: start_time_ms,
                resumed_from,
            })?;
            Some((store, writer))
        }
        Journaling::Resume(store) => {
            let writer = store.resume_run(&run_id)?;
            // Read only now that this process owns the run: an owner that was still finishing
            // calls a moment ago cannot have added results this replay would miss.
            replay = store.replay(run_id.as_str())?;
            Some((store, writer))
        }
    };
    let control = RunControl::default();
    if let Some((_, writer)) = &journaled {
        writer.redact(secrets_in_env());
        if let Some(author) = &authored_by {
            writer.sink().emit(baton_model::Event::Log {
                level: baton_model::LogLevel::Info,
                text: format!(
                    "written by `baton new` in run {author} (`baton show {author}` shows what writing it cost)"
                ),
            });
        }
        let control = control.clone();
        writer.on_failure(Box::new(move |_| control.stop()));
    }

    let spec = RunSpec {
        run_id,
        library: WorkflowLibrary::discover(&cwd, home.as_deref()),
        script,
        args,
        start_time_ms,
        seed,
        replay,
        limits,
        default_model,
        cwd,
        control,
    };
    let tokio = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    // Under `--executor temporal`, workers run the agents (a dry run returned above).
    let (backend, settle) = with_executor(&executor, backend, &spec.cwd, &tokio)?;
    let interrupted = signals::watch(&tokio, spec.control.clone());

    let Some((store, writer)) = journaled else {
        unreachable!("a dry run returned above");
    };
    // `baton stop|pause|unpause` from other processes, for as long as the run goes.
    let remote = RemoteControl::serve(&store, &spec.run_id, spec.control.clone(), writer.sink());
    let output = Output::choose(json, &spec);
    let sinks: Arc<dyn EventSink> = Arc::new(Fanout(vec![output.sink(), writer.sink()]));
    extensions.report_to(sinks.clone());
    let report = run_workflow(spec, backend, sinks, tokio.handle().clone());
    // Stopped agents' remote work is cancelled before this process may exit.
    settle(&tokio);
    // The run's MCP servers stop with it.
    tokio.block_on(extensions.close());
    drop(remote);
    // The monitor gives the terminal back before anything else is said.
    output.finish();
    let (status, journal_failed) = record_end(writer, &report, interrupted.by());
    if let Some(code) = journal_failed {
        return Ok(code);
    }
    // The closing line's numbers are the journal's, read as `runs` and `show` read them.
    let accounting = Accounting::read(
        &store,
        report.run_id.as_str(),
        &cost_split::pricing(&settings),
    );
    let summary = match &accounting {
        Ok(accounting) => summary(&report, accounting),
        Err(e) => {
            eprintln!("warning: cannot read the run's totals back from the journal: {e}");
            report_summary(&report)
        }
    };
    let closing = if json { Closing::Json } else { Closing::Run };
    Ok(finish_code(
        &report,
        status,
        &summary,
        &interrupted,
        closing,
    ))
}

/// What the executor must finish after the run, before the process exits.
type Settle = Box<dyn FnOnce(&tokio::runtime::Runtime)>;

/// The backend under `--executor` (Temporal only when built with it).
#[cfg(feature = "temporal")]
fn with_executor(
    executor: &crate::cli::ExecutorArgs,
    backend: Arc<dyn AgentBackend>,
    workspace: &std::path::Path,
    tokio: &tokio::runtime::Runtime,
) -> Result<(Arc<dyn AgentBackend>, Settle)> {
    let (backend, cancels) = crate::executor::backend(executor, backend, workspace, tokio)?;
    let settle: Settle = Box::new(move |tokio: &tokio::runtime::Runtime| {
        if let Some(cancels) = cancels {
            tokio.block_on(cancels.settle());
        }
    });
    Ok((backend, settle))
}

#[cfg(not(feature = "temporal"))]
fn with_executor(
    executor: &crate::cli::ExecutorArgs,
    backend: Arc<dyn AgentBackend>,
    _workspace: &std::path::Path,
    _tokio: &tokio::runtime::Runtime,
) -> Result<(Arc<dyn AgentBackend>, Settle)> {
    match executor.executor.as_deref() {
        None | Some("local") => Ok((backend, Box::new(|_: &tokio::runtime::Runtime| {}))),
        Some("temporal") => anyhow::bail!(
            "--executor temporal: this baton was built without Temporal; build one with `cargo \
             build --release -p baton --features temporal` (needs protoc: apt install \
             protobuf-compiler)"
        ),
        Some(other) => {
            anyhow::bail!("--executor {other}: expected local or temporal (BATON_EXECUTOR)")
        }
    }
}

/// The engine's limits from the resolved settings (checked there: CPU seconds are positive).
fn limits(settings: &Settings) -> RunLimits {
    RunLimits {
        concurrency: usize::from(settings.concurrency.value),
        max_agents: settings.max_agents.value,
        budget_tokens: settings.budget_tokens.as_ref().map(|b| b.value),
        max_cost_usd: settings.max_cost_usd.as_ref().map(|c| c.value),
        at_cap: settings.at_cap.value,
        script: ScriptLimits {
            cpu_time: Duration::from_secs_f64(settings.script_cpu_seconds.value),
            heap_bytes: settings.script_heap_mib.value.saturating_mul(1 << 20),
            ..ScriptLimits::default()
        },
    }
}

/// Writes the run's end and result to the journal. A journal that failed along the way has
/// stopped the run (no call settles on a result that is not stored): that is the run's error,
/// and the process exits 2, for the user to fix (a full disk, a read-only directory).
/// Returns the status it recorded, which the closing line repeats.
fn record_end(
    writer: RunWriter,
    report: &RunReport,
    signal: Option<&str>,
) -> (RunStatus, Option<i32>) {
    let failure = writer.failure();
    let journal = writer.db_path().display().to_string();
    let (status, result, error) = match (&failure, &report.fatal, &report.outcome) {
        (Some(reason), _, _) => (
            RunStatus::Failed,
            None,
            Some(format!("the journal could not record the run: {reason}")),
        ),
        (None, Some(fatal), _) => (report.status(), None, Some(fatal.clone())),
        (None, None, ScriptOutcome::Completed(value)) => (report.status(), Some(value), None),
        (None, None, ScriptOutcome::Failed(error)) => {
            (report.status(), None, Some(error.message.clone()))
        }
        (None, None, ScriptOutcome::Stopped) if signal.is_some() => (
            RunStatus::Interrupted,
            None,
            signal.map(|name| format!("interrupted by {name}")),
        ),
        (None, None, ScriptOutcome::Stopped) => (report.status(), None, None),
    };
    let finished = writer.finish(status, result, error.as_deref());
    (status, journal_failure(failure, finished, &journal, report))
}

fn journal_failure(
    failure: Option<String>,
    finished: Result<(), baton_journal::JournalError>,
    journal: &str,
    report: &RunReport,
) -> Option<i32> {
    if let Some(reason) = failure {
        eprintln!(
            "error: the journal {} could not record the run, so it was stopped: {reason}; free \
             space or fix the directory's permissions, then `baton resume {}`",
            journal, report.run_id
        );
        return Some(exit::USAGE);
    }
    if let Err(e) = finished {
        eprintln!("warning: the run's end could not be journaled: {e}");
    }
    None
}

/// The values of the provider key variables: the journal never stores them.
pub(crate) fn secrets_in_env() -> Vec<String> {
    PROVIDER_KEY_VARIABLES
        .iter()
        .filter_map(|name| std::env::var(name).ok())
        // A short value would match ordinary text; real keys are long.
        .filter(|value| value.len() >= 8)
        .collect()
}

/// What the run's end prints besides its exit code.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Closing {
    /// The result on stdout, how the run ended on stderr.
    Run,
    /// `--json`: the result on stdout; stderr carries only events (`run_finished` says how it
    /// ended), so every line there stays JSON.
    Json,
}

/// Prints the result or the failure and picks the exit code. `status` is what the journal
/// recorded, so the closing line says what `runs` and `show` say.
fn finish_code(
    report: &RunReport,
    status: RunStatus,
    summary: &str,
    interrupted: &Interrupted,
    closing: Closing,
) -> i32 {
    let status = status.as_str();
    let say = |line: &str| {
        if closing != Closing::Json {
            eprintln!("{line}");
        }
    };
    if let Some(fatal) = &report.fatal {
        say(&format!("error: {fatal}"));
        say(&format!(
            "baton: run {} {status} · {summary}",
            report.run_id
        ));
        return exit::USAGE;
    }
    match &report.outcome {
        ScriptOutcome::Completed(value) => {
            println!(
                "{}",
                serde_json::to_string_pretty(value).unwrap_or_else(|_| value.to_string())
            );
            if closing == Closing::Run {
                say(&format!(
                    "baton: run {} {status} · {summary}",
                    report.run_id
                ));
            }
            exit::COMPLETED
        }
        ScriptOutcome::Failed(error) => {
            // A positioned error already reads `file:line:col: error: …`.
            if error.stack.is_empty() {
                say(&format!("error: {}", error.rendered));
            } else {
                say(&error.rendered);
            }
            say(&format!(
                "baton: run {} {status} · {summary}",
                report.run_id
            ));
            if report.is_syntax_error() {
                exit::USAGE
            } else {
                exit::FAILED
            }
        }
        ScriptOutcome::Stopped => match interrupted.by() {
            Some(signal) => {
                let id = &report.run_id;
                say(&format!(
                    "baton: run {id} {status} by {signal} · {summary} · `baton resume {id}` continues it, reusing finished agents"
                ));
                exit::INTERRUPTED
            }
            None => {
                say(&format!(
                    "baton: run {} {status} · {summary}",
                    report.run_id
                ));
                exit::STOPPED
            }
        },
    }
}

/// The closing line's words and numbers: the cap that bound, if one did; agents that ran and
/// results reused from the journal, the attempt's time, tokens and the cost split.
fn summary(report: &RunReport, accounting: &Accounting) -> String {
    format!(
        "{}{} in {:.2}s · {}",
        cap_words(report),
        accounting.agents_words(),
        report.elapsed.as_secs_f64(),
        accounting.spend_words()
    )
}

/// The same line from the engine's own count, when the journal cannot be read back.
fn report_summary(report: &RunReport) -> String {
    let mut agents = plural(report.agents_started, "agent");
    if report.agents_cached > 0 {
        agents.push_str(&format!(
            " (+{} from the journal)",
            plural(report.agents_cached, "result")
        ));
    }
    format!(
        "{}{agents} in {:.2}s · {}",
        cap_words(report),
        report.elapsed.as_secs_f64(),
        spend_words(&report.usage, &CostSplit::default())
    )
}

fn cap_words(report: &RunReport) -> String {
    match &report.cap {
        Some(cap) => format!("{cap} · "),
        None => String::new(),
    }
}
