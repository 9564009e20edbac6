//! Shared helpers for the engine's tests: run a script on the `sim` model and keep its events.

#![allow(dead_code)]

use std::path::Path;
use std::sync::{Arc, Mutex};

use baton_engine::{
    run_workflow, EventSink, RunControl, RunLimits, RunReport, RunSpec, WorkflowLibrary,
};
use baton_model::{Event, RunId};
use baton_script::Script;
use baton_sim::{Latency, SimBackend};
use serde_json::Value;

#[derive(Default)]
pub struct Recorder {
    pub events: Mutex<Vec<Event>>,
}

impl EventSink for Recorder {
    fn emit(&self, event: Event) {
        self.events.lock().unwrap().push(event);
    }
}

impl Recorder {
    pub fn events(&self) -> Vec<Event> {
        self.events.lock().unwrap().clone()
    }

    pub fn logs(&self) -> Vec<String> {
        self.events()
            .into_iter()
            .filter_map(|e| match e {
                Event::Log { text, .. } => Some(text),
                _ => None,
            })
            .collect()
    }
}

pub struct Run {
    pub source: String,
    pub path: String,
    pub args: Option<Value>,
    pub latency: Latency,
    pub limits: RunLimits,
    pub run_id: RunId,
    pub start_time_ms: f64,
    pub cwd: std::path::PathBuf,
    /// Steers the run while it goes (tests call it from a sink, at a chosen event).
    pub control: RunControl,
}

impl Run {
    pub fn new(source: &str) -> Self {
        Run {
            source: source.to_string(),
            path: "test.workflow.js".into(),
            args: None,
            latency: Latency::ZERO,
            limits: RunLimits::default(),
            run_id: RunId::parse("wf_000000000001").unwrap(),
            start_time_ms: 1_700_000_000_000.0,
            cwd: std::env::temp_dir(),
            control: RunControl::default(),
        }
    }

    /// A body with a minimal `meta` in front.
    pub fn body(body: &str) -> Self {
        Run::new(&format!(
            "export const meta = {{ name: \"test\", description: \"a test\" }};\n{body}"
        ))
    }

    pub fn go(self) -> (RunReport, Arc<Recorder>) {
        let recorder = Arc::new(Recorder::default());
        (self.go_into(recorder.clone()), recorder)
    }

    /// Runs with `events` as the only sink.
    pub fn go_into(self, events: Arc<dyn EventSink>) -> RunReport {
        let script = Script::from_source(Path::new(&self.path), self.source)
            .unwrap_or_else(|problems| panic!("script refused:\n{}", problems.render()));
        let tokio = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let spec = RunSpec {
            run_id: self.run_id.clone(),
            script,
            args: self.args,
            start_time_ms: self.start_time_ms,
            seed: baton_script::seed_from(self.run_id.as_str()),
            replay: Default::default(),
            limits: self.limits,
            default_model: "sim".into(),
            library: WorkflowLibrary::discover(&self.cwd, None),
            cwd: self.cwd,
            control: self.control,
        };
        run_workflow(
            spec,
            SimBackend::new(self.latency),
            events,
            tokio.handle().clone(),
        )
    }
}
