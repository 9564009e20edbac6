//! Where a run's events go: the stderr printer, the journal, `--dry-run`'s counter and tests
//! are all sinks, and one run can feed several.

use std::sync::Arc;

use crate::Event;

/// What to do once events are stored: settle a call, typically.
pub type Then = Box<dyn FnOnce() + Send>;

pub trait EventSink: Send + Sync {
    /// Called from the script thread and from agent tasks; must not block for long.
    fn emit(&self, event: Event);

    /// Runs `then` once every event emitted so far is safely stored (at once, here, for a sink
    /// that stores nothing). The engine settles an agent's call this way, so a crash never
    /// loses a result the script used. A journal runs `then` on its writer thread right after
    /// the commit, which saves waking an async task just to pass the news on.
    fn when_durable(&self, then: Then) {
        then()
    }
}

/// A sink that drops everything, for benchmarks and embedding.
#[derive(Debug, Default)]
pub struct NoEvents;

impl EventSink for NoEvents {
    fn emit(&self, _event: Event) {}
}

/// Feeds every event to each of several sinks, in order.
pub struct Fanout(pub Vec<Arc<dyn EventSink>>);

impl EventSink for Fanout {
    fn emit(&self, event: Event) {
        if let Some((last, rest)) = self.0.split_last() {
            for sink in rest {
                sink.emit(event.clone());
            }
            last.emit(event);
        }
    }

    fn when_durable(&self, then: Then) {
        when_all_durable(self.0.clone(), then)
    }
}

/// Asks each sink in turn, so `then` runs once all of them have stored everything.
fn when_all_durable(mut sinks: Vec<Arc<dyn EventSink>>, then: Then) {
    match sinks.pop() {
        None => then(),
        Some(last) => last.when_durable(Box::new(move || when_all_durable(sinks, then))),
    }
}
