//! `baton watch [<run>]`: follow a run that any process runs, from its journal. On a terminal
//! it is the live monitor, steering the run through the journal like `baton stop|pause`;
//! otherwise the same plain lines `baton run` prints. Ends when the run ends, with the run's
//! own exit code (0 completed, 1 failed or crashed, 3 stopped).

use std::path::PathBuf;
use std::time::Duration;

use anyhow::{bail, Result};
use std::io::IsTerminal;
use std::sync::mpsc;

use baton_journal::{ControlAction, JournalError, RunRecord, Store, Tail, TimedEvent};
use baton_model::{Event, RunStatus};
use baton_script::Script;
use baton_tui::{run_monitor, Action, MonitorExit, MonitorOptions, Timed};

use crate::commands::journal_view::open_store;
use crate::exit;
use crate::progress;

/// How often the journal is read for news: the owner commits at least every 50 ms.
const POLL: Duration = Duration::from_millis(250);

pub fn watch(run: Option<&str>) -> Result<i32> {
    let store = open_store()?;
    let record = match run {
        Some(run) => store.run(run)?,
        None => latest_running(&store)?,
    };
    let tail = store.tail(&record.summary.id)?;
    let started = (record.summary.started_at_ms, run_started(&record));
    if std::io::stderr().is_terminal() {
        follow_in_monitor(started, tail, store, &record)
    } else {
        follow_plain(started, tail)
    }
}

/// The monitor, fed from the journal by a thread of its own; its keys become control
/// requests, which the run's owner carries out.
fn follow_in_monitor(
    started: TimedEvent,
    mut tail: Tail,
    store: Store,
    record: &RunRecord,
) -> Result<i32> {
    let (sender, events) = mpsc::channel();
    let feeder = std::thread::spawn(move || -> Result<(), JournalError> {
        let send = |(at_ms, event): TimedEvent| sender.send(Timed { at_ms, event }).is_ok();
        if !send(started) {
            return Ok(());
        }
        loop {
            for event in tail.poll()? {
                // The monitor is gone (the user left): nothing more to do.
                if !send(event) {
                    return Ok(());
                }
            }
            if tail.ended() {
                return Ok(());
            }
            std::thread::sleep(POLL);
        }
    });
    let run = record.summary.id.clone();
    let steer = move |action: Action| -> Result<(), String> {
        let request = match action {
            Action::StopRun => ControlAction::Stop,
            Action::Pause => ControlAction::Pause,
            Action::Unpause => ControlAction::Unpause,
            Action::StopAgent(seq) => ControlAction::StopAgent(format!("#{seq}")),
            Action::RestartAgent(seq) => ControlAction::RestartAgent(format!("#{seq}")),
        };
        store
            .request_control(&run, &request)
            .map(drop)
            .map_err(|e| e.to_string())
    };
    let options = MonitorOptions {
        script_path: Some(PathBuf::from(&record.start.script_path)),
        watching: true,
        ..MonitorOptions::default()
    };
    let exit = run_monitor(events, Box::new(steer), options)?;
    let id = &record.summary.id;
    if exit == MonitorExit::Left {
        eprintln!(
            "baton: left the monitor; run {id} goes on (`baton watch {id}` shows it again, `baton stop {id}` stops it)"
        );
        return Ok(exit::COMPLETED);
    }
    if let Ok(Err(e)) = feeder.join() {
        return Err(e.into());
    }
    let ended = open_store()?.run(id.as_str())?;
    Ok(finished(ended.summary.status, ended.error.as_deref()))
}

/// The newest run that is running or paused.
fn latest_running(store: &Store) -> Result<RunRecord> {
    let running = store
        .runs()?
        .into_iter()
        .find(|run| matches!(run.status, RunStatus::Running | RunStatus::Paused));
    match running {
        Some(run) => Ok(store.run(run.id.as_str())?),
        None => bail!(
            "no run is running in this workspace; `baton runs` lists the runs, and \
             `baton watch <run>` follows one"
        ),
    }
}

/// The run's start as its owner reported it: the phases come from the journaled script's
/// `meta`.
fn run_started(record: &RunRecord) -> Event {
    let script = Script::from_source(
        PathBuf::from(&record.start.script_path),
        record.start.script.clone(),
    );
    Event::RunStarted {
        run_id: record.summary.id.clone(),
        workflow: record.summary.workflow.clone(),
        phases: script
            .map(|script| script.meta.phases.iter().map(|p| p.title.clone()).collect())
            .unwrap_or_default(),
    }
}

fn follow_plain(started: TimedEvent, mut tail: Tail) -> Result<i32> {
    print_line(&started.1);
    loop {
        for (_, event) in tail.poll()? {
            print_line(&event);
            if let Event::RunFinished { status, error } = &event {
                return Ok(finished(*status, error.as_deref()));
            }
        }
        std::thread::sleep(POLL);
    }
}

fn print_line(event: &Event) {
    if let Some(line) = progress::render(event) {
        eprintln!("{line}");
    }
}

/// Says how the run ended; the exit code mirrors `baton run`'s.
fn finished(status: RunStatus, error: Option<&str>) -> i32 {
    match error {
        Some(error) => eprintln!("baton: run {}: {error}", status.as_str()),
        None => eprintln!("baton: run {}", status.as_str()),
    }
    match status {
        RunStatus::Completed => exit::COMPLETED,
        RunStatus::Stopped => exit::STOPPED,
        RunStatus::Interrupted => exit::INTERRUPTED,
        _ => exit::FAILED,
    }
}
