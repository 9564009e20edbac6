//! `--dry-run`'s event sink: counts the agents each phase would start, on the `sim` model.

use std::sync::Mutex;

use baton_engine::{EventSink, RunReport};
use baton_model::Event;
use baton_script::Script;

/// Phases in `meta` order, plus any the script adds as it goes.
pub struct PhaseCounter {
    counts: Mutex<Vec<(String, u64)>>,
}

const NO_PHASE: &str = "(no phase)";

impl PhaseCounter {
    pub fn new(script: &Script) -> Self {
        let counts = script
            .meta
            .phases
            .iter()
            .map(|p| (p.title.clone(), 0))
            .collect();
        PhaseCounter {
            counts: Mutex::new(counts),
        }
    }

    pub fn print(&self, report: &RunReport) {
        let counts = self.counts.lock().unwrap_or_else(|e| e.into_inner());
        let width = counts
            .iter()
            .map(|(t, _)| t.chars().count())
            .max()
            .unwrap_or(0)
            .max(10);
        println!("dry run on the sim model: no tokens spent");
        println!("{:<width$}  agents", "phase");
        for (title, count) in counts.iter() {
            println!("{title:<width$}  {count:>6}");
        }
        println!("{:<width$}  {:>6}", "total", report.agents_started);
    }
}

impl EventSink for PhaseCounter {
    fn emit(&self, event: Event) {
        if let Event::AgentQueued { phase, .. } = event {
            let title = phase.unwrap_or_else(|| NO_PHASE.to_string());
            let mut counts = self.counts.lock().unwrap_or_else(|e| e.into_inner());
            match counts.iter_mut().find(|(t, _)| *t == title) {
                Some((_, count)) => *count += 1,
                None => counts.push((title, 1)),
            }
        }
    }
}
