//! `baton new "<task>"`: one authoring agent writes a workflow (baton-author), checked and
//! repaired; then the plan card, and the run once the user agrees. Writing it is a journaled run
//! of its own (workflow `baton new`), whose result names the run it produced; that run's log
//! names it back.

use std::io::{BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

use anyhow::{anyhow, bail, Context, Result};
use baton_agent::ToolProviders;
use baton_author::{plan_card, workspace_summary, Author, AuthorCost, Authored, Checked};
use baton_journal::{NewRun, RunWriter, Store};
use baton_model::{content_hash, Event, EventSink, RunId, RunStatus};
use baton_script::seed_from;
use serde_json::{json, Value};

use crate::author_checks::SubprocessChecker;
use crate::cli::{InputArgs, NewArgs, RunArgs};
use crate::commands::launch::secrets_in_env;
use crate::commands::{run, save};
use crate::exit;
use crate::model_choice;
use crate::permissions;
use crate::settings::{Settings, Source, Sourced};
use crate::workspace::{home_dir, journal_dir, workspace_root};

/// Turns one authoring call may take (reading the repository included).
const AUTHOR_MAX_TURNS: u32 = 30;

pub fn new(args: NewArgs) -> Result<i32> {
    let task = args.task.trim().to_string();
    if task.is_empty() {
        bail!("the task is empty: say what the workflow should do, e.g. baton new \"review each .py file here for bugs, then summarize\"");
    }
    let cwd = std::env::current_dir().context("cannot read the current directory")?;
    let workspace = workspace_summary(&cwd).map_err(|e| {
        anyhow!(
            "cannot read the workspace {}: {e}; run baton new in a directory you can read",
            cwd.display()
        )
    })?;
    let save_as = args.save.as_deref().map(save::workflow_name).transpose()?;
    let home = home_dir();
    let mut settings = Settings::resolve(&args.settings, &cwd, home.as_deref())?;
    // `--model` names the author's model and the run's; `author_model` only the author's.
    if args.settings.model.is_none() {
        if let Some(author) = settings.author_model.clone() {
            settings.model = Some(author);
        }
    }
    if settings.model.as_ref().is_some_and(|m| m.value == "sim") {
        bail!("the sim model cannot write a workflow: name a real model with --model or author_model (the workflow itself can still run on sim with `baton run <file> --model sim`)");
    }
    let policy = permissions::policy(&settings, &cwd)?;
    // Resolves the model and checks its key before anything is journaled or spent.
    let choice = model_choice::choose(
        &settings,
        false,
        &cwd,
        home.as_deref(),
        policy,
        &[],
        // The author reads the workspace with the read-only built-in tools only.
        ToolProviders::default(),
    )?;
    let author_model = choice.default_model.clone();
    settings.model = Some(Sourced {
        value: author_model.clone(),
        source: Source::Flag,
    });

    let drafts = workspace_root(&cwd).join(".baton/new");
    std::fs::create_dir_all(&drafts)
        .with_context(|| format!("cannot create {}", drafts.display()))?;
    let author_id = RunId::generate();
    let file = drafts.join(format!("{author_id}.workflow.js"));
    let store = Store::create(&journal_dir(&cwd))?;
    let writer = store.begin_run(&NewRun {
        id: author_id.clone(),
        workflow: "baton new".into(),
        script_path: file.display().to_string(),
        script: record_script(&task),
        script_hash: content_hash(&task),
        args: Some(json!({ "task": task })),
        cwd: cwd.display().to_string(),
        model: author_model.clone(),
        seed: seed_from(author_id.as_str()),
        logical_start_ms: baton_journal::now_ms() as f64,
        resumed_from: None,
    })?;
    writer.redact(secrets_in_env());
    let events = writer.sink();
    events.emit(Event::RunStarted {
        run_id: author_id.clone(),
        workflow: "baton new".into(),
        phases: vec!["Write".into(), "Repair".into()],
    });
    let author = Author {
        backend: choice.backend,
        events: events.clone(),
        checker: Arc::new(SubprocessChecker::new(&cwd, &args.settings)?),
        run_id: author_id.clone(),
        model: author_model.clone(),
        max_turns: AUTHOR_MAX_TURNS,
        progress: Arc::new(|line: &str| eprintln!("baton new: {line}")),
    };
    let tokio = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    eprintln!("baton new: run {author_id} writes the workflow with {author_model}");
    let authored = tokio.block_on(author.write(&task, &workspace, &file));
    let shown = file.display().to_string();
    let (script, checked, repairs, usage) = match authored {
        Authored::Ready {
            script,
            checked,
            repairs,
            usage,
        } => (script, checked, repairs, usage),
        Authored::Failed {
            diagnostics,
            repairs,
            ..
        } => {
            eprintln!("{diagnostics}");
            eprintln!(
                "baton new: the workflow still fails its checks after {repairs} repair{}; the last draft is kept in {shown}: edit it, then `baton check {shown}` and `baton run {shown}`",
                if repairs == 1 { "" } else { "s" }
            );
            end(writer, RunStatus::Failed, None, Some(&diagnostics));
            return Ok(exit::FAILED);
        }
        Authored::AgentFailed { reason, fatal, .. } => {
            eprintln!("error: {reason}");
            end(writer, RunStatus::Failed, None, Some(&reason));
            return Ok(if fatal { exit::USAGE } else { exit::FAILED });
        }
    };
    let cost = AuthorCost {
        run_id: author_id.to_string(),
        model: author_model,
        repairs,
        usage,
    };
    let record = |run: Option<&RunId>, saved: &Option<PathBuf>| {
        json!({
            "script": shown,
            "saved": saved.as_ref().map(|p| p.display().to_string()),
            "repairs": repairs,
            "run": run.map(RunId::to_string),
        })
    };
    if args.print {
        print!("{script}");
        end(
            writer,
            RunStatus::Completed,
            Some(&record(None, &None)),
            None,
        );
        return Ok(exit::COMPLETED);
    }
    let mut checked = *checked;
    if args.edit {
        match edit_and_recheck(&author, &file)? {
            Some(again) => checked = again,
            None => return give_up_after_edit(writer, &shown),
        }
    }
    let saved = match &save_as {
        Some(name) => Some(save_workflow(&cwd, name, &file)?),
        None => None,
    };
    let run_hint = match &save_as {
        Some(name) => format!("baton run {name}"),
        None => format!("baton run {shown}"),
    };
    loop {
        eprint!("{}", plan_card(&checked, &shown, &cost));
        if args.settings.yes {
            break;
        }
        if !(std::io::stdin().is_terminal() && std::io::stderr().is_terminal()) {
            eprintln!("baton new: not started (no terminal to ask on); run it with `{run_hint}`, or pass --yes");
            end(
                writer,
                RunStatus::Completed,
                Some(&record(None, &saved)),
                None,
            );
            return Ok(exit::COMPLETED);
        }
        match ask(&mut std::io::stdin().lock(), &mut std::io::stderr())? {
            Answer::Yes => break,
            Answer::No => {
                eprintln!("baton new: not started; run it later with `{run_hint}`");
                end(
                    writer,
                    RunStatus::Completed,
                    Some(&record(None, &saved)),
                    None,
                );
                return Ok(exit::STOPPED);
            }
            Answer::Edit => match edit_and_recheck(&author, &file)? {
                Some(again) => checked = again,
                None => return give_up_after_edit(writer, &shown),
            },
        }
    }
    if let (Some(saved), true) = (&saved, args.edit) {
        // The saved copy follows the user's edits.
        std::fs::copy(&file, saved)
            .with_context(|| format!("cannot update {}", saved.display()))?;
    }
    let produced = RunId::generate();
    end(
        writer,
        RunStatus::Completed,
        Some(&record(Some(&produced), &saved)),
        None,
    );
    eprintln!("baton new: starting run {produced} (written in run {author_id})");
    let mut settings = args.settings;
    settings.yes = true;
    run::run(RunArgs {
        workflow: file.display().to_string(),
        inputs: InputArgs {
            args: None,
            args_file: None,
            arg: Vec::new(),
            input: None,
        },
        resume_from: None,
        dry_run: false,
        json: false,
        detach: false,
        resolved_args: None,
        run_id: Some(produced.to_string()),
        authored_by: Some(author_id.to_string()),
        settings,
    })
}

/// What the author's run records as its "script": the task, as a script that says where the
/// workflow is instead of running anything (`baton resume` of it explains itself).
fn record_script(task: &str) -> String {
    let task = serde_json::to_string(task).unwrap_or_default();
    format!(
        "export const meta = {{ name: \"baton-new\", description: \"baton new: a model writes a workflow for a task\" }};\n\
         throw new Error(\"this run is the record of `baton new` writing a workflow for the task \" + {task} + \"; its result names the script and the run it produced\");\n"
    )
}

fn end(writer: RunWriter, status: RunStatus, result: Option<&Value>, error: Option<&str>) {
    if let Err(e) = writer.finish(status, result, error) {
        eprintln!("warning: the authoring run's end could not be journaled: {e}");
    }
}

fn give_up_after_edit(writer: RunWriter, shown: &str) -> Result<i32> {
    eprintln!("baton new: the edited script fails its checks; it is kept in {shown}: fix it, then `baton run {shown}`");
    end(
        writer,
        RunStatus::Failed,
        None,
        Some("the edited script fails its checks"),
    );
    Ok(exit::FAILED)
}

/// Writes the script as `.baton/workflows/NAME.workflow.js` in the project.
fn save_workflow(cwd: &Path, name: &str, file: &Path) -> Result<PathBuf> {
    let target = save::project_folder(cwd)?.join(format!("{name}.workflow.js"));
    let script =
        std::fs::read_to_string(file).with_context(|| format!("cannot read {}", file.display()))?;
    save::write_script(&target, &script, false)?;
    eprintln!(
        "baton new: saved as '{name}': {} (`baton run {name}` reruns it)",
        target.display()
    );
    Ok(target)
}

/// Opens the script in `$EDITOR`, then checks it again; `None` when it fails (the user's
/// script: no model repairs it).
fn edit_and_recheck(author: &Author, file: &Path) -> Result<Option<Checked>> {
    let editor = std::env::var("EDITOR")
        .ok()
        .filter(|e| !e.trim().is_empty())
        .unwrap_or_else(|| "vi".into());
    // Through the shell, as git does: `EDITOR="code --wait"` works.
    let status = Command::new("sh")
        .arg("-c")
        .arg(format!("{editor} \"$@\""))
        .arg(&editor)
        .arg(file)
        .status()
        .with_context(|| format!("cannot start the editor `{editor}`"))?;
    if !status.success() {
        bail!(
            "the editor `{editor}` failed ({status}); the script is in {}",
            file.display()
        );
    }
    match author.recheck(file) {
        Ok(checked) => Ok(Some(checked)),
        Err(problems) => {
            eprintln!("{problems}");
            Ok(None)
        }
    }
}

#[derive(Debug, PartialEq, Eq)]
enum Answer {
    Yes,
    No,
    Edit,
}

/// `Proceed? [y/N/e]`: `y`/`yes` runs, `e`/`edit` opens the editor, anything else (the end of
/// input too) does not run.
fn ask(input: &mut impl BufRead, output: &mut impl Write) -> std::io::Result<Answer> {
    write!(output, "Proceed? [y/N/e to edit] ")?;
    output.flush()?;
    let mut line = String::new();
    if input.read_line(&mut line)? == 0 {
        writeln!(output)?;
        return Ok(Answer::No);
    }
    Ok(match line.trim().to_ascii_lowercase().as_str() {
        "y" | "yes" => Answer::Yes,
        "e" | "edit" => Answer::Edit,
        _ => Answer::No,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_yes_runs_and_e_edits() {
        let answer = |text: &str| ask(&mut text.as_bytes(), &mut Vec::new()).unwrap();
        assert_eq!(answer("y\n"), Answer::Yes);
        assert_eq!(answer("E\n"), Answer::Edit);
        assert_eq!(answer("\n"), Answer::No);
        assert_eq!(answer(""), Answer::No);
    }
}
