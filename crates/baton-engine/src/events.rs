//! Where a run's events go. The stderr printer, `--dry-run`'s counter, tests (and later the
//! journal and the monitor) are all sinks.

use baton_model::Event;

pub trait EventSink: Send + Sync {
    /// Called from the script thread and from agent tasks; must not block for long.
    fn emit(&self, event: Event);
}

/// A sink that drops everything, for benchmarks and embedding.
#[derive(Debug, Default)]
pub struct NoEvents;

impl EventSink for NoEvents {
    fn emit(&self, _event: Event) {}
}
