//! The `sim` model as an agent backend: waits its latency, then answers with schema-valid data
//! or a short text, deterministically for a given run id and call.

use std::sync::Arc;
use std::time::Duration;

use baton_model::{AgentBackend, AgentCall, AgentOutcome, BoxFuture, NoteSink, Usage};

use crate::{estimate_tokens, text_answer, value_for_schema, Latency, SimRng};

#[derive(Debug, Clone)]
pub struct SimBackend {
    latency: Latency,
}

impl SimBackend {
    pub fn new(latency: Latency) -> Arc<Self> {
        Arc::new(SimBackend { latency })
    }
}

impl AgentBackend for SimBackend {
    fn run(&self, call: AgentCall, _notes: NoteSink) -> BoxFuture<AgentOutcome> {
        // Seeded by the run and the call's content identity, so a resumed or repeated run with
        // the same id gets the same answers and latencies whatever order calls start in.
        let seed = format!("{}:{}:{}", call.run_id, call.key, call.occurrence);
        let mut rng = SimRng::from_seed_bytes(seed.as_bytes());
        let delay = self.latency.pick(rng.next_u64());
        Box::pin(async move {
            if !delay.is_zero() {
                // tokio's timer rounds every deadline up to the next millisecond, which would
                // make each simulated call ~1 ms slow; aiming half a millisecond early makes the
                // error ±0.5 ms around the chosen latency instead.
                let early = delay.min(Duration::from_micros(500));
                tokio::time::sleep(delay - early).await;
            }
            let (value, answer_text) = match &call.options.schema {
                Some(schema) => {
                    let value = value_for_schema(schema, &mut rng);
                    let text = value.to_string();
                    (value, text)
                }
                None => {
                    let text = text_answer(&call.prompt, &mut rng);
                    (serde_json::Value::String(text.clone()), text)
                }
            };
            let usage = Usage {
                input_tokens: estimate_tokens(&call.prompt),
                output_tokens: estimate_tokens(&answer_text),
                ..Usage::default()
            };
            AgentOutcome::Completed { value, usage }
        })
    }
}
