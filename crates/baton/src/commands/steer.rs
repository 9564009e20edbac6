//! `baton stop|pause|unpause <run> [--agent L]`: steer a run that another process owns. The
//! request goes through the journal (`baton_journal::ControlAction`); the owner carries it out
//! within a fraction of a second and writes back what it did, which is printed here.

use std::time::{Duration, Instant};

use anyhow::{bail, Result};
use baton_journal::{ControlAction, Store};
use baton_model::{RunId, RunStatus};

use crate::commands::journal_view::open_store;
use crate::exit;

/// How long to wait for the owner's answer; it looks every 200 ms, so this is generous.
const ANSWER_WAIT: Duration = Duration::from_secs(5);
/// How long a stopped run may take to end after it answered (agents are cancelled at once).
const END_WAIT: Duration = Duration::from_secs(10);

pub fn steer(run: &str, action: ControlAction) -> Result<i32> {
    let store = open_store()?;
    let record = store.run(run)?;
    let id = record.summary.id;
    match record.summary.status {
        RunStatus::Running | RunStatus::Paused => {}
        RunStatus::Crashed => bail!(
            "run {id} is not running: its process is gone (crashed); `baton resume {id}` \
             continues it"
        ),
        ended => bail!(
            "run {id} is not running: it has already ended ({}); there is nothing to {}",
            ended.as_str(),
            verb(&action)
        ),
    }
    let request = store.request_control(&id, &action)?;
    let Some(outcome) = wait_for_answer(&store, request)? else {
        eprintln!(
            "baton: asked run {id} to {}, but its process has not answered within {}s; it \
             acts on the request as soon as it can",
            verb(&action),
            ANSWER_WAIT.as_secs()
        );
        return Ok(exit::FAILED);
    };
    eprintln!("baton: run {id}: {outcome}");
    if action == ControlAction::Stop {
        let status = wait_for_end(&store, &id)?;
        eprintln!("baton: run {id} is {}", status.as_str());
    }
    Ok(exit::COMPLETED)
}

fn verb(action: &ControlAction) -> &'static str {
    match action {
        ControlAction::Stop => "stop",
        ControlAction::Pause => "pause",
        ControlAction::Unpause => "unpause",
        ControlAction::StopAgent(_) => "stop an agent of",
        ControlAction::RestartAgent(_) => "restart an agent of",
    }
}

fn wait_for_answer(store: &Store, request: i64) -> Result<Option<String>> {
    let deadline = Instant::now() + ANSWER_WAIT;
    loop {
        if let Some(outcome) = store.control_outcome(request)? {
            return Ok(Some(outcome));
        }
        if Instant::now() >= deadline {
            return Ok(None);
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The run's status once it has ended, or as it stands when the wait is over.
fn wait_for_end(store: &Store, id: &RunId) -> Result<RunStatus> {
    let deadline = Instant::now() + END_WAIT;
    loop {
        let status = store.run(id.as_str())?.summary.status;
        if !matches!(status, RunStatus::Running | RunStatus::Paused) || Instant::now() >= deadline {
            return Ok(status);
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}
