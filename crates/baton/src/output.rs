//! Where a run's progress goes: the live monitor when stderr is a terminal, NDJSON events with
//! `--json`, plain lines otherwise.

use std::io::IsTerminal;
use std::sync::Arc;
use std::thread::JoinHandle;

use baton_engine::{EventSink, RunControl, RunSpec};
use baton_tui::{run_monitor, Action, Caps, MonitorExit, MonitorOptions, MonitorSink};

use crate::json_events::JsonEvents;
use crate::progress::StderrProgress;

pub enum Output {
    Plain(Arc<StderrProgress>),
    Json(Arc<JsonEvents>),
    Monitor {
        feed: Arc<MonitorSink>,
        /// Keeps the denials for the closing list; prints nothing while the monitor draws.
        denials: Arc<StderrProgress>,
        monitor: JoinHandle<std::io::Result<MonitorExit>>,
    },
}

impl Output {
    pub fn choose(json: bool, spec: &RunSpec) -> Output {
        if json {
            return Output::Json(Arc::new(JsonEvents {
                run_id: spec.run_id.clone(),
            }));
        }
        if !std::io::stderr().is_terminal() {
            return Output::Plain(Arc::default());
        }
        let (feed, events) = MonitorSink::channel();
        let options = MonitorOptions {
            caps: Caps {
                max_agents: Some(spec.limits.max_agents),
                concurrency: Some(spec.limits.concurrency as u64),
                budget_tokens: spec.limits.budget_tokens,
                max_cost_usd: spec.limits.max_cost_usd,
            },
            script_path: Some(spec.script.path.clone()),
            ..MonitorOptions::default()
        };
        let control = spec.control.clone();
        let run_id = spec.run_id.clone();
        let monitor = std::thread::spawn(move || {
            let exit = run_monitor(events, Box::new(local_steer(control)), options);
            if let Ok(MonitorExit::Left) = exit {
                eprintln!(
                    "baton: left the monitor; run {run_id} goes on (`baton watch {run_id}` shows \
                     it again, `baton stop {run_id}` or Ctrl-C stops it)"
                );
            }
            exit
        });
        Output::Monitor {
            feed: Arc::new(feed),
            denials: Arc::new(StderrProgress::quiet()),
            monitor,
        }
    }

    /// The sink the run's events go to.
    pub fn sink(&self) -> Arc<dyn EventSink> {
        match self {
            Output::Plain(progress) => progress.clone(),
            Output::Json(json) => json.clone(),
            Output::Monitor { feed, denials, .. } => {
                Arc::new(baton_engine::Fanout(vec![feed.clone(), denials.clone()]))
            }
        }
    }

    /// Once the run has ended: the monitor's last frame, then the run's denials as one list
    /// (NDJSON consumers have them as events already).
    pub fn finish(self) {
        match self {
            Output::Plain(progress) => progress.print_denials(),
            Output::Json(_) => {}
            Output::Monitor {
                feed,
                denials,
                monitor,
            } => {
                // The monitor ends on the run's last event, or when nobody sends any more.
                drop(feed);
                match monitor.join() {
                    Ok(Ok(_)) => {}
                    Ok(Err(e)) => eprintln!("warning: the monitor failed: {e}"),
                    Err(_) => eprintln!("warning: the monitor failed"),
                }
                denials.print_denials();
            }
        }
    }
}

/// The monitor's keys, carried out on the run in this process.
fn local_steer(control: RunControl) -> impl FnMut(Action) -> Result<(), String> + Send {
    move |action| {
        let done = match action {
            Action::StopRun => {
                control.stop();
                true
            }
            Action::Pause => control.pause() || control.is_paused(),
            Action::Unpause => control.unpause() || !control.is_paused(),
            Action::StopAgent(seq) => control.stop_agent(seq),
            Action::RestartAgent(seq) => control.restart_agent(seq),
        };
        match (done, action) {
            (true, _) => Ok(()),
            (false, Action::StopAgent(seq) | Action::RestartAgent(seq)) => {
                Err(format!("agent #{seq} is not queued or running"))
            }
            (false, _) => Err("the run has ended".into()),
        }
    }
}
