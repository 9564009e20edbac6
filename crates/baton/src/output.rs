//! Where a run's progress goes: the live monitor when stderr is a terminal, NDJSON events with
//! `--json`, plain lines otherwise.

use std::sync::Arc;

use baton_engine::{EventSink, RunSpec};

use crate::json_events::JsonEvents;
use crate::progress::StderrProgress;

pub enum Output {
    Plain(Arc<StderrProgress>),
    Json(Arc<JsonEvents>),
}

impl Output {
    pub fn choose(json: bool, spec: &RunSpec) -> Output {
        if json {
            return Output::Json(Arc::new(JsonEvents {
                run_id: spec.run_id.clone(),
            }));
        }
        Output::Plain(Arc::default())
    }

    /// The sink the run's events go to.
    pub fn sink(&self) -> Arc<dyn EventSink> {
        match self {
            Output::Plain(progress) => progress.clone(),
            Output::Json(json) => json.clone(),
        }
    }

    /// Once the run has ended: the run's denials as one list (NDJSON consumers have them as
    /// events already).
    pub fn finish(self) {
        match self {
            Output::Plain(progress) => progress.print_denials(),
            Output::Json(_) => {}
        }
    }
}
