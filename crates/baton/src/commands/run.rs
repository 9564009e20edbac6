//! `baton run`: load the workflow (a file or a saved name), gather its args, and launch it;
//! with `--resume-from`, reuse an earlier run's finished agents, seed, clock and args.

use std::path::{Path, PathBuf};

use anyhow::{anyhow, bail, Context, Result};
use baton_engine::{Replay, WorkflowLibrary};
use baton_journal::Store;
use baton_model::RunId;
use baton_script::diagnostic::Severity;
use baton_script::seed_from;

use crate::args_input::script_args;
use crate::cli::RunArgs;
use crate::commands::launch::{launch, Journaling, Launch};
use crate::detach::detach;
use crate::exit;
use crate::script_report::ScriptReport;
use crate::workspace::{home_dir, journal_dir};

pub fn run(args: RunArgs) -> Result<i32> {
    let cwd = std::env::current_dir().context("cannot read the current directory")?;
    let library = WorkflowLibrary::discover(&cwd, home_dir().as_deref());
    let (path, source) = locate(&args.workflow, &cwd, &library)?;
    // The same problems `baton check` reports: errors refuse the run, warnings are said
    // first (not in `--json` mode, whose standard error is for events).
    let report = ScriptReport::new(&path, source, None);
    let ok = report.ok();
    for text in report.rendered((args.json || !ok).then_some(Severity::Error)) {
        eprintln!("{text}");
    }
    let Some(script) = report.script.filter(|_| ok) else {
        eprintln!(
            "nothing was run: fix the script (baton check {} lists every problem)",
            path.display()
        );
        return Ok(exit::FAILED);
    };
    let mut script_args = match &args.resolved_args {
        Some(file) => crate::detach::read_args(file)?,
        None => script_args(&args.inputs)?,
    };
    let run_id = match &args.run_id {
        Some(id) => RunId::parse(id).ok_or_else(|| {
            anyhow!("--run-id {id}: expected wf_ followed by 12 lowercase letters or digits")
        })?,
        None => RunId::generate(),
    };
    let mut settings = args.settings;
    let mut seed = seed_from(run_id.as_str());
    let mut start_time_ms = now_ms();
    let mut replay = Replay::default();
    let mut resumed_from = None;
    if let Some(earlier) = &args.resume_from {
        // The edited script sees the same random numbers, clock and (unless given) args as
        // the run it continues, so its unchanged calls have unchanged identities.
        let store = Store::open(&journal_dir(&cwd))?;
        let earlier = store.run(earlier)?;
        replay = store.replay(earlier.summary.id.as_str())?;
        seed = earlier.start.seed;
        start_time_ms = earlier.start.logical_start_ms;
        if script_args.is_none() {
            script_args = earlier.start.args;
        }
        settings.model.get_or_insert(earlier.start.model);
        resumed_from = Some(earlier.summary.id);
    }
    if args.detach {
        return detach(&run_id, &journal_dir(&cwd), script_args.as_ref());
    }
    let journal = if args.dry_run {
        Journaling::Off
    } else {
        Journaling::New { resumed_from }
    };
    launch(Launch {
        script,
        args: script_args,
        run_id,
        seed,
        start_time_ms,
        replay,
        journal,
        settings,
        cwd,
        json: args.json,
        authored_by: args.authored_by,
    })
}

/// A path to a script, or the name of a saved (or built-in) workflow: the path that names it
/// in messages, and its text.
fn locate(workflow: &str, cwd: &Path, library: &WorkflowLibrary) -> Result<(PathBuf, String)> {
    // Keep the path as the user wrote it: it names the script in every error position.
    if cwd.join(workflow).is_file() {
        let source = std::fs::read_to_string(cwd.join(workflow))
            .with_context(|| format!("cannot read {workflow}"))?;
        return Ok((PathBuf::from(workflow), source));
    }
    if let Some(saved) = library.find(workflow) {
        let source = saved.source().map_err(|e| anyhow!("{e}"))?;
        return Ok((saved.path, source));
    }
    let saved: Vec<String> = library.list().into_iter().map(|w| w.name).collect();
    let hint = if saved.is_empty() {
        String::new()
    } else {
        format!("; saved workflows: {}", saved.join(", "))
    };
    bail!("no workflow file or saved workflow named '{workflow}'{hint}")
}

fn now_ms() -> f64 {
    baton_journal::now_ms() as f64
}
