//! Before a run on a terminal: what is about to run (the workflow's name, description and
//! phases, the model(s), the caps) and what it should cost (the estimate of a `sim` dry run),
//! then `Proceed? [y/N]`. Only when both standard input and standard error are terminals and
//! `--yes` was not given: a run in a pipe, a script or CI never waits for an answer.

use std::io::{BufRead, IsTerminal, Write};
use std::path::Path;
use std::sync::Arc;

use anyhow::{Context, Result};
use baton_engine::{
    run_workflow, Replay, RunControl, RunLimits, RunReport, RunSpec, WorkflowLibrary,
};
use baton_model::RunId;
use baton_script::{seed_from, Script, ScriptOutcome};
use baton_sim::{Latency, SimBackend};
use serde_json::Value;

use crate::estimate::{Estimate, History, Sizer};
use crate::model_choice;
use crate::settings::Settings;
use crate::workspace::journal_dir;

/// Whether to ask before the run.
pub fn should_ask(yes: bool) -> bool {
    !yes && std::io::stdin().is_terminal() && std::io::stderr().is_terminal()
}

/// Everything the dry run needs to play the run on `sim`.
pub struct Preview<'a> {
    pub script: &'a Script,
    pub args: &'a Option<Value>,
    pub run_id: &'a RunId,
    pub seed: [u32; 4],
    pub start_time_ms: f64,
    pub replay: &'a Replay,
    pub limits: &'a RunLimits,
    pub settings: &'a Settings,
    pub cwd: &'a Path,
    pub home: Option<&'a Path>,
}

/// Shows the summary and the estimate on stderr and reads the answer from the terminal.
pub fn confirm(preview: &Preview) -> Result<bool> {
    let estimate = estimate(preview)?;
    let mut err = std::io::stderr().lock();
    write!(
        err,
        "{}",
        summary(preview.script, preview.settings, &estimate)
    )
    .context("cannot write to standard error")?;
    ask(&mut std::io::stdin().lock(), &mut err).context("cannot read the answer")
}

/// Seeds the dry run plays: the run's own and four more, since what agents answer can change
/// how many agents a script starts.
pub const SEEDS: usize = 5;

/// Plays the run on `sim` once per seed (the first is the run's own), with the run's id, args
/// and limits, and prices what each started.
pub fn estimate(preview: &Preview) -> Result<Estimate> {
    let table = model_choice::model_table(preview.settings)?;
    let history = History::load(&journal_dir(preview.cwd), &preview.script.meta.name);
    let tokio = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    let mut seeds = Vec::with_capacity(SEEDS);
    let mut caps = Vec::new();
    let mut failures = Vec::new();
    let mut web_search_askers = std::collections::BTreeSet::new();
    for index in 0..SEEDS {
        // The sim answers by run id, and the script's random numbers follow the seed: another
        // id with its own seed is another plausible course of the run.
        let (run_id, seed) = match index {
            0 => (preview.run_id.clone(), preview.seed),
            _ => {
                let id = RunId::generate();
                let seed = seed_from(id.as_str());
                (id, seed)
            }
        };
        let spec = RunSpec {
            run_id,
            script: preview.script.clone(),
            args: preview.args.clone(),
            start_time_ms: preview.start_time_ms,
            seed,
            replay: preview.replay.clone(),
            limits: preview.limits.clone(),
            default_model: "sim".into(),
            cwd: preview.cwd.to_path_buf(),
            library: WorkflowLibrary::discover(preview.cwd, preview.home),
            control: RunControl::default(),
        };
        let sizer = Arc::new(Sizer::new(preview.cwd, preview.home));
        let report = run_workflow(
            spec,
            SimBackend::new(Latency::ZERO),
            sizer.clone(),
            tokio.handle().clone(),
        );
        if let Some(cap) = &report.cap {
            if !caps.contains(cap) {
                caps.push(cap.clone());
            }
        }
        if let Some(failure) = failure(&report) {
            failures.push((index, failure));
        }
        web_search_askers.extend(sizer.web_search_askers());
        seeds.push(sizer.project(&table, &history));
    }
    let phases: Vec<String> = preview
        .script
        .meta
        .phases
        .iter()
        .map(|p| p.title.clone())
        .collect();
    let mut estimate = Estimate::over(&seeds, &phases, table.default_model.clone(), history.runs);
    estimate.caps = caps;
    estimate.failures = failures;
    estimate.web_search_askers = web_search_askers;
    Ok(estimate)
}

/// Why a seed's run did not complete, rendered as the run would say it.
fn failure(report: &RunReport) -> Option<String> {
    if let Some(fatal) = &report.fatal {
        return Some(fatal.clone());
    }
    match &report.outcome {
        ScriptOutcome::Completed(_) => None,
        ScriptOutcome::Failed(error) => Some(error.rendered.clone()),
        ScriptOutcome::Stopped => Some("the run was stopped".into()),
    }
}

/// What is about to run and what it should cost.
pub fn summary(script: &Script, settings: &Settings, estimate: &Estimate) -> String {
    let meta = &script.meta;
    let mut out = format!("workflow  {}: {}\n", meta.name, meta.description);
    if !meta.phases.is_empty() {
        let phases: Vec<String> = meta
            .phases
            .iter()
            .map(|phase| match &phase.model {
                Some(model) => format!("{} ({model})", phase.title),
                None => phase.title.clone(),
            })
            .collect();
        out.push_str(&format!("phases    {}\n", phases.join(" → ")));
    }
    out.push_str(&format!("models    {}\n", estimate.models_text()));
    out.push_str(&format!("caps      {}\n", caps(settings)));
    out.push_str(&format!(
        "estimate  {} agents ({} seeds of a sim dry run) · ~{} tokens · ~{}\n",
        estimate.agents.text(),
        estimate.seeds,
        estimate.tokens.text(),
        estimate.cost_text()
    ));
    out
}

/// `1000 agents · 16 at once · no token budget · cost ≤ $5 (running agents finish)`.
fn caps(settings: &Settings) -> String {
    let budget = match &settings.budget_tokens {
        Some(b) => format!("{} output tokens", b.value),
        None => "no token budget".into(),
    };
    let cost = match &settings.max_cost_usd {
        Some(c) => format!("cost ≤ ${}", c.value),
        None => "no cost cap".into(),
    };
    let at_cap = match settings.at_cap.value {
        baton_engine::AtCap::Finish => "running agents finish",
        baton_engine::AtCap::Stop => "running agents are stopped",
    };
    format!(
        "{} agents · {} at once · {budget} · {cost} (at a cap, {at_cap})",
        settings.max_agents.value, settings.concurrency.value
    )
}

/// Asks `Proceed? [y/N]` and reads one line: `y` or `yes` (any case) proceeds; anything else,
/// an empty line or the end of input does not.
pub fn ask(input: &mut impl BufRead, output: &mut impl Write) -> std::io::Result<bool> {
    write!(output, "Proceed? [y/N] ")?;
    output.flush()?;
    let mut line = String::new();
    if input.read_line(&mut line)? == 0 {
        writeln!(output)?;
        return Ok(false);
    }
    let answer = line.trim().to_ascii_lowercase();
    Ok(answer == "y" || answer == "yes")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(input: &str) -> (bool, String) {
        let mut output = Vec::new();
        let yes = ask(&mut input.as_bytes(), &mut output).unwrap();
        (yes, String::from_utf8(output).unwrap())
    }

    #[test]
    fn only_yes_proceeds() {
        assert_eq!(answer("y\n"), (true, "Proceed? [y/N] ".into()));
        assert!(answer("YES\n").0);
        assert!(answer(" yes \r\n").0);
        assert!(!answer("\n").0, "the default is no");
        assert!(!answer("n\n").0);
        assert!(!answer("yep\n").0);
        // The end of input is a no, on a line of its own.
        assert_eq!(answer(""), (false, "Proceed? [y/N] \n".into()));
    }
}
