//! The run's caps (SPEC §3, §4): how many agents may start, how many output tokens and dollars
//! the run may spend, and what becomes of running agents once a spending cap is reached. Owns
//! the running spend (turns of agents still at work) so that the checks see tokens as they are
//! paid, not only when an agent ends.
//!
//! The rule is "nothing starts past a cap": an `agent()` call is refused when it is made, and a
//! queued agent is refused again when a slot frees up for it. Agents already running when the
//! cap is crossed may carry the total past it (several can be in flight at once); with
//! [`AtCap::Stop`] they are stopped at the next turn that crosses it instead.

use std::collections::HashMap;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};

use baton_model::{Event, EventSink, LogLevel, Usage};
use baton_script::HostError;
use tokio::sync::watch;

use crate::host::Tally;
use crate::limits::RunLimits;

/// What happens to agents still running when a spending cap (tokens or cost) is reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AtCap {
    /// They finish; their results reach the script and their tokens count (default: work
    /// already paid for is not thrown away).
    #[default]
    Finish,
    /// They are stopped; their `agent()` resolves `null`, with the cap as the reason.
    Stop,
}

impl AtCap {
    pub fn parse(text: &str) -> Option<AtCap> {
        match text {
            "finish" => Some(AtCap::Finish),
            "stop" => Some(AtCap::Stop),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            AtCap::Finish => "finish",
            AtCap::Stop => "stop",
        }
    }
}

/// Which cap bound.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CapKind {
    Agents,
    Tokens,
    Cost,
}

/// The caps of one run and the spend they are checked against.
pub struct Caps {
    max_agents: u64,
    budget_tokens: Option<u64>,
    max_cost_usd: Option<f64>,
    at_cap: AtCap,
    tally: Arc<Tally>,
    /// Usage reported by the finished turns of agents still running, by call. Locked before
    /// `tally.usage` whenever both are held, so a spend read never sees an agent twice or not
    /// at all while it moves from here to the tally.
    running: Mutex<HashMap<u64, Usage>>,
    /// The first cap that refused an agent or stopped running ones.
    reached: Mutex<Option<CapKind>>,
    /// Flips to `true` when a spending cap is reached under [`AtCap::Stop`].
    stop_running: watch::Sender<bool>,
    events: Arc<dyn EventSink>,
}

/// What the run has spent: finished agents (and, for tokens, answers from the journal) plus
/// the finished turns of running ones.
#[derive(Debug, Clone, Copy, Default)]
struct Spend {
    output_tokens: u64,
    cost_usd: f64,
}

impl Caps {
    pub fn new(limits: &RunLimits, tally: Arc<Tally>, events: Arc<dyn EventSink>) -> Caps {
        Caps {
            max_agents: limits.max_agents,
            budget_tokens: limits.budget_tokens,
            max_cost_usd: limits.max_cost_usd,
            at_cap: limits.at_cap,
            tally,
            running: Mutex::new(HashMap::new()),
            reached: Mutex::new(None),
            stop_running: watch::channel(false).0,
            events,
        }
    }

    /// At `agent()`: every cap. `Err` rejects the call (`WorkflowAgentCapError` or `BudgetError`).
    pub fn admit(&self) -> Result<(), HostError> {
        let accepted = self.tally.accepted.load(Ordering::Relaxed);
        if accepted >= self.max_agents {
            self.reach(CapKind::Agents);
            return Err(HostError::new(
                "WorkflowAgentCapError",
                format!(
                    "agent cap reached: the run may start {} agents (--max-agents {}), so no more can start",
                    self.max_agents, self.max_agents
                ),
            ));
        }
        self.may_start()
    }

    /// When a queued agent gets its slot: the spending caps (the agent cap counted it when it
    /// was accepted). `Err` rejects the call without it ever starting.
    pub fn may_start(&self) -> Result<(), HostError> {
        match self.spent_past_cap(self.spend()) {
            Some(kind) => {
                self.reach(kind);
                Err(HostError::new("BudgetError", self.refusal(kind)))
            }
            None => Ok(()),
        }
    }

    /// Output tokens spent so far, as `budget.spent()` reports them.
    pub fn tokens_spent(&self) -> u64 {
        self.spend().output_tokens
    }

    /// A running agent finished a turn that cost `usage`.
    pub fn turn(&self, seq: u64, usage: Usage) {
        *self
            .running
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .entry(seq)
            .or_default() += usage;
        self.stop_if_crossed();
    }

    /// An agent ended with `usage`: moves its spend into the run's tally, and returns the usage
    /// to report for it: its own, or what its turns reported when that is more (an agent stopped
    /// mid-way reports nothing itself, but its finished turns were paid for).
    pub fn settle(&self, seq: u64, usage: Usage) -> Usage {
        let mut running = self.running.lock().unwrap_or_else(|e| e.into_inner());
        let turns = running.remove(&seq).unwrap_or_default();
        let paid = if tokens(&turns) > tokens(&usage) {
            turns
        } else {
            usage
        };
        *self.tally.usage.lock().unwrap_or_else(|e| e.into_inner()) += paid;
        self.tally
            .output_tokens
            .fetch_add(paid.output_tokens, Ordering::Relaxed);
        drop(running);
        self.stop_if_crossed();
        paid
    }

    /// Resolves when running agents must stop (a spending cap under [`AtCap::Stop`]).
    pub fn stop_signal(&self) -> watch::Receiver<bool> {
        self.stop_running.subscribe()
    }

    /// Why running agents were stopped, for their `null`.
    pub fn stop_reason(&self) -> String {
        let kind = self.reached().unwrap_or(CapKind::Cost);
        format!("stopped: {}", self.describe(kind))
    }

    pub fn reached(&self) -> Option<CapKind> {
        *self.reached.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The cap that bound, in words, with the run's final spend: for the run's closing line.
    pub fn report(&self) -> Option<String> {
        self.reached().map(|kind| self.describe(kind))
    }

    fn spend(&self) -> Spend {
        let running = self.running.lock().unwrap_or_else(|e| e.into_inner());
        let finished = *self.tally.usage.lock().unwrap_or_else(|e| e.into_inner());
        let mut spend = Spend {
            output_tokens: self.tally.output_tokens.load(Ordering::Relaxed),
            cost_usd: finished.cost_usd,
        };
        for usage in running.values() {
            spend.output_tokens += usage.output_tokens;
            spend.cost_usd += usage.cost_usd;
        }
        spend
    }

    fn spent_past_cap(&self, spend: Spend) -> Option<CapKind> {
        if self
            .budget_tokens
            .is_some_and(|cap| spend.output_tokens >= cap)
        {
            return Some(CapKind::Tokens);
        }
        if self.max_cost_usd.is_some_and(|cap| spend.cost_usd >= cap) {
            return Some(CapKind::Cost);
        }
        None
    }

    /// Under [`AtCap::Stop`], a spend past a cap stops the agents still running.
    fn stop_if_crossed(&self) {
        if self.at_cap != AtCap::Stop || *self.stop_running.borrow() {
            return;
        }
        if let Some(kind) = self.spent_past_cap(self.spend()) {
            self.reach(kind);
            self.stop_running.send_replace(true);
        }
    }

    /// Records the first cap that bound, and says so once in the run's log.
    fn reach(&self, kind: CapKind) {
        let first = {
            let mut reached = self.reached.lock().unwrap_or_else(|e| e.into_inner());
            let first = reached.is_none();
            reached.get_or_insert(kind);
            first
        };
        if first {
            let then = match (kind, self.at_cap) {
                (CapKind::Agents, _) | (_, AtCap::Finish) => {
                    "no more agents start; running ones finish"
                }
                (_, AtCap::Stop) => "no more agents start; running ones are stopped",
            };
            self.events.emit(Event::Log {
                level: LogLevel::Warn,
                text: format!("{}: {then}", self.describe(kind)),
            });
        }
    }

    /// `cost cap reached: $0.0123 spent of --max-cost-usd 0.01`, with the spend as of now.
    fn describe(&self, kind: CapKind) -> String {
        let spend = self.spend();
        match kind {
            CapKind::Agents => format!("agent cap reached (--max-agents {})", self.max_agents),
            CapKind::Tokens => format!(
                "token budget reached: {} output tokens spent of --budget-tokens {}",
                spend.output_tokens,
                self.budget_tokens.unwrap_or_default()
            ),
            CapKind::Cost => format!(
                "cost cap reached: ${:.4} spent of --max-cost-usd {}",
                spend.cost_usd,
                self.max_cost_usd.unwrap_or_default()
            ),
        }
    }

    fn refusal(&self, kind: CapKind) -> String {
        format!("{}, so no more agents can start", self.describe(kind))
    }
}

/// Every token of a usage, for comparing two accounts of one agent.
fn tokens(usage: &Usage) -> u64 {
    usage.total_input() + usage.output_tokens
}

#[cfg(test)]
mod tests {
    use super::*;
    use baton_model::NoEvents;

    fn caps(limits: RunLimits) -> Caps {
        Caps::new(&limits, Arc::new(Tally::default()), Arc::new(NoEvents))
    }

    fn costing(dollars: f64, output_tokens: u64) -> Usage {
        Usage {
            output_tokens,
            cost_usd: dollars,
            ..Usage::default()
        }
    }

    #[test]
    fn running_turns_count_until_their_agent_settles_once() {
        let caps = caps(RunLimits {
            max_cost_usd: Some(0.10),
            ..RunLimits::default()
        });
        caps.turn(1, costing(0.06, 10));
        assert!(caps.may_start().is_ok());
        caps.turn(1, costing(0.05, 10));
        let refusal = caps.may_start().unwrap_err();
        assert_eq!(refusal.name, "BudgetError");
        assert!(
            refusal
                .message
                .contains("cost cap reached: $0.1100 spent of --max-cost-usd 0.1"),
            "{}",
            refusal.message
        );
        // The agent's own account moves it to the tally; nothing is counted twice.
        let reported = caps.settle(1, costing(0.11, 20));
        assert_eq!(reported.output_tokens, 20);
        assert_eq!(caps.tokens_spent(), 20);
        assert_eq!(caps.reached(), Some(CapKind::Cost));
    }

    #[test]
    fn a_stopped_agent_reports_the_turns_it_paid_for() {
        let caps = caps(RunLimits::default());
        caps.turn(3, costing(0.01, 7));
        assert_eq!(caps.settle(3, Usage::default()).output_tokens, 7);
        assert_eq!(caps.tokens_spent(), 7);
    }

    #[test]
    fn the_stop_signal_flips_only_under_stop() {
        for (at_cap, flips) in [(AtCap::Finish, false), (AtCap::Stop, true)] {
            let caps = caps(RunLimits {
                budget_tokens: Some(5),
                at_cap,
                ..RunLimits::default()
            });
            let signal = caps.stop_signal();
            caps.turn(1, costing(0.0, 5));
            assert_eq!(*signal.borrow(), flips, "{at_cap:?}");
        }
    }

    #[test]
    fn the_agent_cap_names_its_flag() {
        let caps = caps(RunLimits {
            max_agents: 0,
            ..RunLimits::default()
        });
        let refusal = caps.admit().unwrap_err();
        assert_eq!(refusal.name, "WorkflowAgentCapError");
        assert_eq!(
            caps.report().as_deref(),
            Some("agent cap reached (--max-agents 0)")
        );
    }
}
