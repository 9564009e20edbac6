//! The owner's side of `baton stop|pause|unpause`: a thread that reads the run's control
//! requests from the journal while it runs, carries them out on the [`RunControl`] and answers
//! each with what it did. It looks every [`ControlInbox::POLL`], and reads the requests only
//! when the journal changed since its last look (see `baton_journal::controls` for why that
//! polls instead of being woken): a waiting run pays a few microseconds a look.

use std::sync::mpsc::{self, RecvTimeoutError, Sender};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use baton_engine::{EventSink, RunControl};
use baton_journal::{ControlAction, ControlInbox, Store};
use baton_model::RunId;

/// Serves requests until dropped.
pub struct RemoteControl {
    done: Option<Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl RemoteControl {
    /// Starts serving `run`'s requests. A journal that cannot be read for them leaves the run
    /// steerable from its own terminal only, with a warning.
    /// `journal` is the run's journal sink: an answer is written only once what was done is
    /// stored, so the asker's next `baton show` already sees it.
    pub fn serve(
        store: &Store,
        run: &RunId,
        control: RunControl,
        journal: Arc<dyn EventSink>,
    ) -> RemoteControl {
        let inbox = match store.control_inbox(run) {
            Ok(inbox) => inbox,
            Err(e) => {
                eprintln!("warning: `baton stop|pause|unpause` cannot reach this run: {e}");
                return RemoteControl {
                    done: None,
                    thread: None,
                };
            }
        };
        let (done, until) = mpsc::channel();
        let thread = std::thread::Builder::new()
            .name("baton-controls".into())
            .spawn(move || loop {
                match until.recv_timeout(ControlInbox::POLL) {
                    Err(RecvTimeoutError::Timeout) => serve_waiting(&inbox, &control, &*journal),
                    Ok(()) | Err(RecvTimeoutError::Disconnected) => return,
                }
            })
            .ok();
        RemoteControl {
            done: Some(done),
            thread,
        }
    }
}

impl Drop for RemoteControl {
    fn drop(&mut self) {
        drop(self.done.take());
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn serve_waiting(inbox: &ControlInbox, control: &RunControl, journal: &dyn EventSink) {
    // A look that fails is a change, to be safe: the read below decides.
    if !inbox.maybe_new().unwrap_or(true) {
        return;
    }
    // A read that fails (the database busy for long) is tried again at the next poll, which
    // must not skip it because the version was already seen: forget it.
    let Ok(requests) = inbox.waiting() else {
        inbox.forget_version();
        return;
    };
    for request in requests {
        let outcome = carry_out(&request.action, control);
        let (stored, wait) = mpsc::channel();
        journal.when_durable(Box::new(move || {
            let _ = stored.send(());
        }));
        // A journal that stopped writing never calls back; answer anyway after a while.
        let _ = wait.recv_timeout(Duration::from_secs(1));
        let _ = inbox.answer(request.n, &outcome);
    }
}

/// Does what was asked; returns what happened, in words for the asker.
pub fn carry_out(action: &ControlAction, control: &RunControl) -> String {
    match action {
        ControlAction::Stop => {
            control.stop();
            "stopping: the script is interrupted and running agents are stopped".into()
        }
        ControlAction::Pause => match control.pause() {
            true => {
                "paused: no new agent starts until `baton unpause`; running agents finish".into()
            }
            false => "already paused".into(),
        },
        ControlAction::Unpause => match control.unpause() {
            true => "unpaused: agents start again".into(),
            false => "not paused".into(),
        },
        ControlAction::StopAgent(selector) => {
            on_agents(control, selector, "stopped", RunControl::stop_agent)
        }
        ControlAction::RestartAgent(selector) => {
            on_agents(control, selector, "restarted", RunControl::restart_agent)
        }
    }
}

fn on_agents(
    control: &RunControl,
    selector: &str,
    done: &str,
    act: fn(&RunControl, u64) -> bool,
) -> String {
    let acted: Vec<String> = control
        .agents_named(selector)
        .into_iter()
        .filter(|seq| act(control, *seq))
        .map(|seq| format!("#{seq}"))
        .collect();
    if acted.is_empty() {
        format!(
            "no queued or running agent matches '{selector}' (a label, or #N for call N); nothing was {done}"
        )
    } else {
        format!("{done} agent {} ({selector})", acted.join(", "))
    }
}
