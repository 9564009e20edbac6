//! `baton resume <run>`: the run's own script, args, seed and clock, from the journal, run
//! again from the top as one more attempt of the same run. Every call whose identity has a
//! completed result takes it at once; the rest run.

use std::path::PathBuf;

use anyhow::{bail, Context, Result};
use baton_journal::Store;
use baton_script::Script;

use crate::cli::ResumeArgs;
use crate::commands::launch::{launch, Journaling, Launch};
use crate::workspace::journal_dir;

pub fn resume(args: ResumeArgs) -> Result<i32> {
    let here = std::env::current_dir().context("cannot read the current directory")?;
    let store = Store::open(&journal_dir(&here))?;
    let record = store.run(&args.run)?;
    // The script as it ran, not as the file reads now: an edited script is a new run
    // (`baton run <file> --resume-from <run>`).
    let script = match Script::from_source(
        PathBuf::from(&record.start.script_path),
        record.start.script,
    ) {
        Ok(script) => script,
        Err(problems) => bail!(
            "the journaled script of {} no longer loads:\n{}",
            args.run,
            problems.render()
        ),
    };
    // Agents work where the run started, wherever `resume` is typed.
    let cwd = PathBuf::from(&record.start.cwd);
    let cwd = if cwd.is_dir() { cwd } else { here };
    let mut settings = args.settings;
    settings.model.get_or_insert(record.start.model);
    launch(Launch {
        script,
        args: record.start.args,
        run_id: record.summary.id,
        seed: record.start.seed,
        start_time_ms: record.start.logical_start_ms,
        // Read by `launch` once this process owns the run.
        replay: Default::default(),
        journal: Journaling::Resume(store),
        settings,
        cwd,
        json: args.json,
        authored_by: None,
    })
}
