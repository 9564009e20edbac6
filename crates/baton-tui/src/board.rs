//! The run's state, built from its events: agents by call number, phases with running totals,
//! the counts the header shows, and the log. Each event costs O(1); events in an odd order
//! (a note for an unknown call, a finish before a start, a repeat) never panic and leave the
//! counts consistent, because every change to an agent goes through `uncount` … `count`.

mod agent;
mod phase;

use std::collections::{HashMap, VecDeque};

use baton_model::{AgentEnd, Event, LogLevel, RunId, RunStatus, Usage};

pub use agent::{AgentRecord, AgentStatus, Step};
pub use phase::PhaseRecord;

use crate::format::{clean_name, cut, one_line};
use crate::Timed;

/// Log lines kept; the pane shows the last few, the log view all of these.
const MAX_LOG: usize = 2_000;
const MAX_LOG_TEXT: usize = 1_000;

/// How many calls are in each state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub queued: u64,
    pub running: u64,
    pub done: u64,
    pub cached: u64,
    pub failed: u64,
}

impl Counts {
    pub fn total(&self) -> u64 {
        self.queued + self.running + self.done + self.cached + self.failed
    }

    pub fn active(&self) -> u64 {
        self.queued + self.running
    }

    pub fn of(&self, status: AgentStatus) -> u64 {
        match status {
            AgentStatus::Queued => self.queued,
            AgentStatus::Running => self.running,
            AgentStatus::Done => self.done,
            AgentStatus::Cached => self.cached,
            AgentStatus::Failed => self.failed,
        }
    }

    fn slot(&mut self, status: AgentStatus) -> &mut u64 {
        match status {
            AgentStatus::Queued => &mut self.queued,
            AgentStatus::Running => &mut self.running,
            AgentStatus::Done => &mut self.done,
            AgentStatus::Cached => &mut self.cached,
            AgentStatus::Failed => &mut self.failed,
        }
    }
}

/// What a line of the log pane is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogKind {
    Info,
    Warn,
    Error,
    /// The script entered a phase.
    Phase,
    /// The run started, paused, went on or finished.
    Run,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogEntry {
    pub at_ms: i64,
    pub kind: LogKind,
    pub text: String,
}

#[derive(Debug, Clone)]
pub struct Board {
    run_id: Option<RunId>,
    workflow: String,
    status: RunStatus,
    error: Option<String>,
    started_at: Option<i64>,
    finished_at: Option<i64>,
    ended: bool,
    agents: Vec<AgentRecord>,
    by_seq: HashMap<u64, usize>,
    /// `phases[0]` is the group of calls outside any phase; the rest in the order they became
    /// known: `meta` first, then any the script adds.
    phases: Vec<PhaseRecord>,
    phase_by_title: HashMap<String, usize>,
    current_phase: Option<usize>,
    counts: Counts,
    /// What this run's agents used (cached calls not included).
    usage: Usage,
    /// Output tokens of cached calls: they count toward the budget, as the engine counts it.
    cached_output: u64,
    logs: VecDeque<LogEntry>,
    /// Bumped by every event, so views can tell whether anything changed.
    generation: u64,
}

impl Default for Board {
    fn default() -> Self {
        Board {
            run_id: None,
            workflow: String::new(),
            status: RunStatus::Running,
            error: None,
            started_at: None,
            finished_at: None,
            ended: false,
            agents: Vec::new(),
            by_seq: HashMap::new(),
            phases: vec![PhaseRecord::default()],
            phase_by_title: HashMap::new(),
            current_phase: None,
            counts: Counts::default(),
            usage: Usage::default(),
            cached_output: 0,
            logs: VecDeque::new(),
            generation: 0,
        }
    }
}

impl Board {
    pub fn run_id(&self) -> Option<&RunId> {
        self.run_id.as_ref()
    }

    pub fn workflow(&self) -> &str {
        &self.workflow
    }

    pub fn status(&self) -> RunStatus {
        self.status
    }

    /// The run's error, once it finished with one.
    pub fn error(&self) -> Option<&str> {
        self.error.as_deref()
    }

    /// `RunFinished` arrived.
    pub fn ended(&self) -> bool {
        self.ended
    }

    /// When the run started (its first event).
    pub fn started_at(&self) -> Option<i64> {
        self.started_at
    }

    /// The time to measure elapsed times against: the run's end once it ended, else `now`.
    pub fn clock(&self, now_ms: i64) -> i64 {
        self.finished_at.unwrap_or(now_ms)
    }

    pub fn elapsed(&self, now_ms: i64) -> Option<u64> {
        let started = self.started_at?;
        Some(self.clock(now_ms).saturating_sub(started).max(0) as u64)
    }

    /// Agents in the order their calls became known.
    pub fn agents(&self) -> &[AgentRecord] {
        &self.agents
    }

    pub fn agent(&self, seq: u64) -> Option<&AgentRecord> {
        self.by_seq.get(&seq).map(|&i| &self.agents[i])
    }

    /// The "(no phase)" group first, then phases in `meta` order, then any the script added.
    pub fn phases(&self) -> &[PhaseRecord] {
        &self.phases
    }

    pub fn current_phase(&self) -> Option<usize> {
        self.current_phase
    }

    pub fn counts(&self) -> Counts {
        self.counts
    }

    pub fn usage(&self) -> Usage {
        self.usage
    }

    /// Output tokens counted against the budget (this run's and cached calls').
    pub fn budget_spent(&self) -> u64 {
        self.usage.output_tokens + self.cached_output
    }

    pub fn logs(&self) -> &VecDeque<LogEntry> {
        &self.logs
    }

    pub fn generation(&self) -> u64 {
        self.generation
    }

    pub fn apply(&mut self, timed: &Timed) {
        let at = timed.at_ms;
        self.generation += 1;
        self.started_at.get_or_insert(at);
        match &timed.event {
            Event::RunStarted {
                run_id,
                workflow,
                phases,
            } => {
                self.run_id = Some(run_id.clone());
                self.workflow = clean_name(workflow);
                for title in phases {
                    let index = self.phase_index(title);
                    self.phases[index].in_meta = true;
                }
                // A resumed run starts again: it is running, not finished.
                self.status = RunStatus::Running;
                self.ended = false;
                self.finished_at = None;
                self.error = None;
                self.log(at, LogKind::Run, format!("run {run_id} started"));
            }
            Event::PhaseStarted { title } => {
                let index = self.phase_index(title);
                self.phases[index].touch(at);
                self.current_phase = Some(index);
                self.log(at, LogKind::Phase, format!("phase: {title}"));
            }
            Event::Log { level, text } => {
                let kind = match level {
                    LogLevel::Info => LogKind::Info,
                    LogLevel::Warn => LogKind::Warn,
                    LogLevel::Error => LogKind::Error,
                };
                self.log(at, kind, text.clone());
            }
            Event::AgentQueued {
                seq,
                label,
                phase,
                model,
                prompt,
                ..
            } => {
                let i = self.agent_index(*seq, at);
                self.uncount(i);
                let phase = self.phase_of(phase.as_deref());
                let agent = &mut self.agents[i];
                agent.label = label.as_deref().map(clean_name);
                agent.model = clean_name(model);
                agent.set_prompt(prompt);
                agent.phase = phase;
                agent.queued_at = at;
                if agent.end.is_none() && agent.started_at.is_none() {
                    agent.set_doing("waiting for a slot");
                }
                self.count(i);
                self.phases[phase].touch(at);
            }
            Event::AgentStarted {
                seq,
                label,
                phase,
                model,
            } => {
                let i = self.agent_index(*seq, at);
                self.uncount(i);
                let phase = self.phase_of(phase.as_deref());
                let agent = &mut self.agents[i];
                if let Some(label) = label {
                    agent.label = Some(clean_name(label));
                }
                agent.model = clean_name(model);
                agent.phase = phase;
                // A start after the end (out of order) does not bring the call back to life.
                if agent.end.is_none() {
                    agent.status = AgentStatus::Running;
                    agent.started_at = Some(at);
                    agent.set_doing("starting");
                }
                self.count(i);
                self.phases[phase].touch(at);
            }
            Event::AgentNote { seq, label, note } => {
                let i = self.agent_index(*seq, at);
                self.uncount(i);
                let agent = &mut self.agents[i];
                if agent.label.is_none() {
                    agent.label = label.as_deref().map(clean_name);
                }
                // A note means it runs, even if its start was never seen.
                if agent.status == AgentStatus::Queued && agent.end.is_none() {
                    agent.status = AgentStatus::Running;
                    agent.started_at.get_or_insert(at);
                }
                agent.note(note);
                self.count(i);
            }
            Event::AgentFinished {
                seq,
                label,
                phase,
                end,
                usage,
                elapsed_ms,
            } => {
                let i = self.agent_index(*seq, at);
                self.uncount(i);
                let phase = self.phase_of(phase.as_deref());
                let agent = &mut self.agents[i];
                if let Some(label) = label {
                    agent.label = Some(clean_name(label));
                }
                agent.phase = phase;
                agent.status = match end {
                    AgentEnd::Completed { .. } => AgentStatus::Done,
                    AgentEnd::Cached { .. } => AgentStatus::Cached,
                    AgentEnd::Null { .. } | AgentEnd::Rejected { .. } => AgentStatus::Failed,
                };
                // The engine's total is the truth (it sums every attempt).
                agent.usage = *usage;
                agent.elapsed_ms = Some(*elapsed_ms);
                agent.finished_at = Some(at);
                agent.finish(end);
                self.count(i);
                self.phases[phase].ended_at(at);
            }
            Event::RunPaused => {
                if !self.ended {
                    self.status = RunStatus::Paused;
                }
                self.log(at, LogKind::Run, "paused: no new agent starts".into());
            }
            Event::RunUnpaused => {
                if !self.ended {
                    self.status = RunStatus::Running;
                }
                // "resumed" is `baton resume`'s word (a new attempt of a run); this is `unpause`.
                self.log(at, LogKind::Run, "unpaused: agents start again".into());
            }
            Event::RunFinished { status, error } => {
                self.status = *status;
                self.error.clone_from(error);
                self.ended = true;
                self.finished_at = Some(at);
                let text = match error {
                    Some(error) => format!("run {}: {error}", status.as_str()),
                    None => format!("run {}", status.as_str()),
                };
                self.log(at, LogKind::Run, text);
            }
        }
    }

    /// The agent with this call number, made (queued, outside any phase) if it is new.
    fn agent_index(&mut self, seq: u64, at_ms: i64) -> usize {
        if let Some(&i) = self.by_seq.get(&seq) {
            return i;
        }
        let i = self.agents.len();
        self.agents.push(AgentRecord::new(seq, at_ms));
        self.by_seq.insert(seq, i);
        self.count(i);
        i
    }

    fn phase_of(&mut self, title: Option<&str>) -> usize {
        match title {
            Some(title) => self.phase_index(title),
            None => 0,
        }
    }

    fn phase_index(&mut self, title: &str) -> usize {
        if let Some(&i) = self.phase_by_title.get(title) {
            return i;
        }
        let i = self.phases.len();
        self.phases.push(PhaseRecord {
            title: Some(clean_name(title)),
            ..PhaseRecord::default()
        });
        self.phase_by_title.insert(title.to_string(), i);
        i
    }

    /// Takes agent `i` out of every total, before it changes.
    fn uncount(&mut self, i: usize) {
        let agent = &self.agents[i];
        let phase = &mut self.phases[agent.phase];
        let slot = phase.counts.slot(agent.status);
        *slot = slot.saturating_sub(1);
        let slot = self.counts.slot(agent.status);
        *slot = slot.saturating_sub(1);
        if agent.status == AgentStatus::Cached {
            self.cached_output = self.cached_output.saturating_sub(agent.usage.output_tokens);
        } else {
            subtract(&mut phase.usage, &agent.usage);
            subtract(&mut self.usage, &agent.usage);
        }
    }

    /// Puts agent `i` back into every total, after it changed.
    fn count(&mut self, i: usize) {
        let agent = &self.agents[i];
        let phase = &mut self.phases[agent.phase];
        *phase.counts.slot(agent.status) += 1;
        *self.counts.slot(agent.status) += 1;
        if agent.status == AgentStatus::Cached {
            self.cached_output += agent.usage.output_tokens;
        } else {
            phase.usage += agent.usage;
            self.usage += agent.usage;
        }
    }

    fn log(&mut self, at_ms: i64, kind: LogKind, text: String) {
        if self.logs.len() == MAX_LOG {
            self.logs.pop_front();
        }
        let text = cut(&one_line(&text), MAX_LOG_TEXT);
        self.logs.push_back(LogEntry { at_ms, kind, text });
    }
}

fn subtract(total: &mut Usage, part: &Usage) {
    total.input_tokens = total.input_tokens.saturating_sub(part.input_tokens);
    total.output_tokens = total.output_tokens.saturating_sub(part.output_tokens);
    total.cache_read_tokens = total
        .cache_read_tokens
        .saturating_sub(part.cache_read_tokens);
    total.cache_write_tokens = total
        .cache_write_tokens
        .saturating_sub(part.cache_write_tokens);
    total.cost_usd = (total.cost_usd - part.cost_usd).max(0.0);
}

#[cfg(test)]
mod tests;
