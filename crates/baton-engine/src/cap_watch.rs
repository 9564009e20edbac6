//! `CapWatch`: the [`AgentBackend`] wrapper through which the caps see an agent's turns as they
//! are paid for, and stop it when a spending cap is reached under `--at-cap stop`. A wrapper,
//! so that backends know nothing of caps and the agent's life in `host.rs` stays as it is.

use std::sync::Arc;

use baton_model::{AgentBackend, AgentCall, AgentNote, AgentOutcome, BoxFuture, NoteSink, Usage};

use crate::caps::Caps;

pub struct CapWatch {
    inner: Arc<dyn AgentBackend>,
    caps: Arc<Caps>,
}

impl CapWatch {
    pub fn wrap(inner: Arc<dyn AgentBackend>, caps: Arc<Caps>) -> Arc<dyn AgentBackend> {
        Arc::new(CapWatch { inner, caps })
    }
}

impl AgentBackend for CapWatch {
    fn resolve_model(&self, requested: &str) -> Result<String, String> {
        self.inner.resolve_model(requested)
    }

    fn tool_identity(&self, options: &baton_model::AgentOptions) -> Option<serde_json::Value> {
        self.inner.tool_identity(options)
    }

    fn run(&self, call: AgentCall, notes: NoteSink) -> BoxFuture<AgentOutcome> {
        let seq = call.seq;
        let caps = self.caps.clone();
        let watched: NoteSink = {
            let caps = caps.clone();
            Arc::new(move |note: AgentNote| {
                if let AgentNote::Turn { usage, .. } = &note {
                    caps.turn(seq, *usage);
                }
                notes(note);
            })
        };
        let mut stop = caps.stop_signal();
        let work = self.inner.run(call, watched);
        Box::pin(async move {
            tokio::select! {
                outcome = work => outcome,
                // The turns it finished were paid for: `Caps::settle` reports them.
                Ok(_) = stop.wait_for(|stop| *stop) => AgentOutcome::Null {
                    reason: caps.stop_reason(),
                    usage: Usage::default(),
                },
            }
        })
    }
}
