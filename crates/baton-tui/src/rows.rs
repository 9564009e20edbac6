//! The rows of the main list: each phase as a group row, then its agents unless it is folded,
//! filtered by status. Rebuilt only when the board or the view changed, in O(agents + phases).

use crate::board::{AgentStatus, Board};

/// One row of the list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Row {
    /// Index into [`Board::phases`].
    Phase(usize),
    /// Index into [`Board::agents`].
    Agent(usize),
}

/// Which agents the list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Filter {
    #[default]
    All,
    Running,
    Queued,
    Failed,
    Done,
    Cached,
}

impl Filter {
    /// `f` goes round: all → running → queued → failed → done → cached → all.
    pub fn next(self) -> Filter {
        match self {
            Filter::All => Filter::Running,
            Filter::Running => Filter::Queued,
            Filter::Queued => Filter::Failed,
            Filter::Failed => Filter::Done,
            Filter::Done => Filter::Cached,
            Filter::Cached => Filter::All,
        }
    }

    pub fn admits(self, status: AgentStatus) -> bool {
        match self {
            Filter::All => true,
            Filter::Running => status == AgentStatus::Running,
            Filter::Queued => status == AgentStatus::Queued,
            Filter::Failed => status == AgentStatus::Failed,
            Filter::Done => status == AgentStatus::Done,
            Filter::Cached => status == AgentStatus::Cached,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Filter::All => "all",
            Filter::Running => "running",
            Filter::Queued => "queued",
            Filter::Failed => "failed",
            Filter::Done => "done",
            Filter::Cached => "cached",
        }
    }
}

/// Where an agent sits within its phase: what needs eyes first (running, then failed), then
/// what is still to come, then what is settled; in call order within each.
fn rank(status: AgentStatus) -> usize {
    match status {
        AgentStatus::Running => 0,
        AgentStatus::Failed => 1,
        AgentStatus::Queued => 2,
        AgentStatus::Done => 3,
        AgentStatus::Cached => 4,
    }
}

const RANKS: usize = 5;

/// Fills `rows` for this board. `folded(phase)` says whether a phase hides its agents.
///
/// With no filter every phase of `meta` shows, even before it starts, so the user sees what
/// comes; the "(no phase)" group shows only when it has calls. With a filter only phases with
/// matching agents show.
pub fn build(board: &Board, filter: Filter, folded: impl Fn(usize) -> bool, rows: &mut Vec<Row>) {
    rows.clear();
    let phases = board.phases();
    let agents = board.agents();
    // A counting sort by (phase, rank): stable, so call order holds within each bucket.
    let bucket = |i: usize| agents[i].phase * RANKS + rank(agents[i].status);
    let mut starts = vec![0usize; phases.len() * RANKS + 1];
    for (i, agent) in agents.iter().enumerate() {
        if filter.admits(agent.status) {
            starts[bucket(i) + 1] += 1;
        }
    }
    for i in 1..starts.len() {
        starts[i] += starts[i - 1];
    }
    let mut order = vec![0usize; starts[starts.len() - 1]];
    let mut next = starts.clone();
    for (i, agent) in agents.iter().enumerate() {
        if filter.admits(agent.status) {
            order[next[bucket(i)]] = i;
            next[bucket(i)] += 1;
        }
    }
    for (p, phase) in phases.iter().enumerate() {
        let members = &order[starts[p * RANKS]..starts[(p + 1) * RANKS]];
        let shown = if filter == Filter::All {
            p != 0 || phase.counts.total() > 0
        } else {
            !members.is_empty()
        };
        if !shown {
            continue;
        }
        rows.push(Row::Phase(p));
        if !folded(p) {
            rows.extend(members.iter().map(|&i| Row::Agent(i)));
        }
    }
}
