//! `--json`: every event as one JSON object per line (NDJSON) on stderr, for other tools. The
//! fields are the `Event`'s own (snake_case, tagged by `type`), plus `run` and `at_ms`; the
//! README lists them, and they only ever grow.

use std::io::Write;

use baton_engine::EventSink;
use baton_model::{Event, RunId};
use serde_json::{Map, Value};

pub struct JsonEvents {
    pub run_id: RunId,
}

impl EventSink for JsonEvents {
    fn emit(&self, event: Event) {
        let line = encode(&self.run_id, baton_journal::now_ms(), &event);
        // One write per line under the lock, so agents reporting at once never interleave.
        let _ = writeln!(std::io::stderr().lock(), "{line}");
    }
}

/// `{"type": …, "run": …, "at_ms": …, <the event's fields>}`.
pub fn encode(run_id: &RunId, at_ms: i64, event: &Event) -> String {
    let mut line = Map::new();
    let Ok(Value::Object(fields)) = serde_json::to_value(event) else {
        return String::new();
    };
    let mut fields = fields.into_iter();
    // `type` first: the serialized event starts with its tag.
    if let Some((tag, kind)) = fields.next() {
        line.insert(tag, kind);
    }
    line.insert("run".into(), Value::String(run_id.to_string()));
    line.insert("at_ms".into(), Value::from(at_ms));
    line.extend(fields);
    Value::Object(line).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use baton_model::{AgentEnd, Usage};
    use serde_json::json;

    #[test]
    fn fields_are_the_events_own_plus_run_and_time() {
        let run = RunId::parse("wf_0123456789ab").unwrap();
        let finished = Event::AgentFinished {
            seq: 3,
            label: Some("review".into()),
            phase: None,
            end: AgentEnd::Null {
                reason: "stopped by the user".into(),
            },
            usage: Usage::default(),
            elapsed_ms: 12,
        };
        let line: Value = serde_json::from_str(&encode(&run, 1700, &finished)).unwrap();
        assert_eq!(
            line,
            json!({
                "type": "agent_finished", "run": "wf_0123456789ab", "at_ms": 1700,
                "seq": 3, "label": "review", "phase": null, "end": "null",
                "reason": "stopped by the user",
                "usage": {"input_tokens": 0, "output_tokens": 0, "cache_read_tokens": 0,
                          "cache_write_tokens": 0, "cost_usd": 0.0},
                "elapsed_ms": 12
            })
        );
        let line = encode(&run, 5, &Event::RunPaused);
        assert_eq!(
            line,
            r#"{"type":"run_paused","run":"wf_0123456789ab","at_ms":5}"#
        );
    }
}
