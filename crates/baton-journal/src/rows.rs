//! One event as rows of the journal's tables. Run start and end are written by `begin_run`
//! and `finish`, which have what the events lack (the script, the result).

use std::collections::HashMap;

use baton_model::{AgentEnd, Event, Usage};
use rusqlite::{params, Transaction};
use serde_json::Value;

/// What the writer thread keeps between events of one run attempt.
pub(crate) struct Rows<'a> {
    pub run: &'a str,
    pub attempt: u32,
    /// Notes written so far per call, numbering each transcript.
    pub notes: &'a mut HashMap<u64, u32>,
    /// Log lines written so far.
    pub logs: &'a mut u32,
    /// Texts never stored (API keys).
    pub secrets: &'a [String],
}

const REDACTED: &str = "[redacted]";

impl Rows<'_> {
    /// `text` without any of the secrets. Costs one substring search per secret; texts are
    /// copied only when one is found.
    fn clean(&self, text: String) -> String {
        let mut text = text;
        for secret in self.secrets {
            if text.contains(secret.as_str()) {
                text = text.replace(secret.as_str(), REDACTED);
            }
        }
        text
    }

    fn json(&self, value: &impl serde::Serialize) -> String {
        self.clean(serde_json::to_string(value).unwrap_or_default())
    }

    pub fn record(&mut self, tx: &Transaction, at_ms: i64, event: Event) -> rusqlite::Result<()> {
        let (run, attempt) = (self.run, self.attempt);
        match event {
            Event::RunStarted { .. } | Event::RunFinished { .. } => Ok(()),
            Event::RunPaused => self.run_status(tx, "paused"),
            Event::RunUnpaused => self.run_status(tx, "running"),
            Event::PhaseStarted { title } => self.log_line(tx, at_ms, "phase", None, title),
            Event::Log { level, text } => {
                let level = serde_json::to_value(level).ok();
                let level = level.as_ref().and_then(Value::as_str);
                self.log_line(tx, at_ms, "log", level, text)
            }
            Event::AgentQueued {
                seq,
                key,
                occurrence,
                label,
                phase,
                model,
                prompt,
                options,
            } => tx
                .prepare_cached(
                    "INSERT OR REPLACE INTO calls (run_id, attempt, seq, key, occurrence, label,
                         phase, model, options, prompt, status, started_at_ms)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, 'queued', ?11)",
                )?
                .execute(params![
                    run,
                    attempt,
                    seq as i64,
                    key.0,
                    occurrence,
                    label.map(|l| self.clean(l)),
                    phase,
                    model,
                    self.json(&options),
                    self.clean(prompt),
                    at_ms
                ])
                .map(drop),
            // Its time of start replaces the time it was queued: elapsed times count from here.
            Event::AgentStarted { seq, .. } => tx
                .prepare_cached(
                    "UPDATE calls SET status = 'running', ran = 1, started_at_ms = ?4
                     WHERE run_id = ?1 AND attempt = ?2 AND seq = ?3",
                )?
                .execute(params![run, attempt, seq as i64, at_ms])
                .map(drop),
            Event::AgentNote { seq, note, .. } => {
                let note = self.json(&note);
                let n = self.notes.entry(seq).or_insert(0);
                *n += 1;
                tx.prepare_cached(
                    "INSERT INTO notes (run_id, attempt, seq, n, at_ms, note)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                )?
                .execute(params![run, attempt, seq as i64, *n, at_ms, note])
                .map(drop)
            }
            Event::AgentFinished {
                seq,
                end,
                usage,
                elapsed_ms,
                ..
            } => {
                let (status, result, reason) = match end {
                    AgentEnd::Completed { value } => ("completed", Some(self.json(&value)), None),
                    AgentEnd::Cached { value } => ("cached", Some(self.json(&value)), None),
                    AgentEnd::Null { reason } => ("null", None, Some(self.clean(reason))),
                    AgentEnd::Rejected { message } => ("rejected", None, Some(self.clean(message))),
                };
                let Usage {
                    input_tokens,
                    output_tokens,
                    cache_read_tokens,
                    cache_write_tokens,
                    cost_usd,
                    web_searches: _,
                } = usage;
                tx.prepare_cached(
                    "UPDATE calls SET status = ?4, result = ?5, reason = ?6, input_tokens = ?7,
                         output_tokens = ?8, cache_read_tokens = ?9, cache_write_tokens = ?10,
                         cost_usd = ?11, elapsed_ms = ?12
                     WHERE run_id = ?1 AND attempt = ?2 AND seq = ?3",
                )?
                .execute(params![
                    run,
                    attempt,
                    seq as i64,
                    status,
                    result,
                    reason,
                    input_tokens as i64,
                    output_tokens as i64,
                    cache_read_tokens as i64,
                    cache_write_tokens as i64,
                    cost_usd,
                    elapsed_ms as i64
                ])
                .map(drop)
            }
        }
    }

    /// Paused and unpaused; a run that has ended keeps its end.
    fn run_status(&self, tx: &Transaction, status: &str) -> rusqlite::Result<()> {
        tx.prepare_cached(
            "UPDATE runs SET status = ?2 WHERE id = ?1 AND status IN ('running', 'paused')",
        )?
        .execute(params![self.run, status])
        .map(drop)
    }

    fn log_line(
        &mut self,
        tx: &Transaction,
        at_ms: i64,
        kind: &str,
        level: Option<&str>,
        text: String,
    ) -> rusqlite::Result<()> {
        *self.logs += 1;
        tx.prepare_cached(
            "INSERT INTO logs (run_id, attempt, n, at_ms, kind, level, text)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )?
        .execute(params![
            self.run,
            self.attempt,
            *self.logs,
            at_ms,
            kind,
            level,
            self.clean(text)
        ])
        .map(drop)
    }
}
