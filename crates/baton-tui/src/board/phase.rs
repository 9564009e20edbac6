//! One phase as the monitor shows it: its agents' counts and tokens, kept up to date one event
//! at a time, and its clock.

use baton_model::Usage;

use super::Counts;

#[derive(Debug, Clone, Default)]
pub struct PhaseRecord {
    /// `None` for the group of calls made outside any phase.
    pub title: Option<String>,
    /// Listed in the script's `meta` (shown before it starts, in `meta` order).
    pub in_meta: bool,
    pub counts: Counts,
    /// Tokens its agents used in this run (cached calls not included: nobody paid for them).
    pub usage: Usage,
    /// When the script entered it or its first agent was queued, whichever came first.
    pub first_at: Option<i64>,
    /// When its last agent finished so far.
    pub last_end_at: Option<i64>,
}

impl PhaseRecord {
    pub fn title(&self) -> &str {
        self.title.as_deref().unwrap_or("(no phase)")
    }

    pub(crate) fn touch(&mut self, at_ms: i64) {
        self.first_at = Some(self.first_at.map_or(at_ms, |first| first.min(at_ms)));
    }

    pub(crate) fn ended_at(&mut self, at_ms: i64) {
        self.last_end_at = Some(self.last_end_at.map_or(at_ms, |last| last.max(at_ms)));
    }

    /// How long the phase has been going: up to `now` while it has agents at work (or has
    /// started and has none yet), else up to its last agent's end.
    pub fn elapsed(&self, now_ms: i64) -> Option<u64> {
        let first = self.first_at?;
        let end = if self.counts.active() > 0 || self.counts.total() == 0 {
            now_ms
        } else {
            self.last_end_at.unwrap_or(now_ms)
        };
        Some(end.saturating_sub(first).max(0) as u64)
    }
}
