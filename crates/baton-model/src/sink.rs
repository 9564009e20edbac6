//! Where a run's events go: the stderr printer, the journal, `--dry-run`'s counter and tests
//! are all sinks, and one run can feed several.

use std::sync::Arc;

use crate::{BoxFuture, Event};

pub trait EventSink: Send + Sync {
    /// Called from the script thread and from agent tasks; must not block for long.
    fn emit(&self, event: Event);

    /// Resolves once every event emitted so far is safely stored. The engine awaits it before
    /// the script sees an agent's result, so a crash never loses a result the script used.
    /// `None`: this sink stores nothing, there is nothing to wait for.
    fn durable(&self) -> Option<BoxFuture<()>> {
        None
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

    fn durable(&self) -> Option<BoxFuture<()>> {
        let waits: Vec<BoxFuture<()>> = self.0.iter().filter_map(|s| s.durable()).collect();
        if waits.is_empty() {
            return None;
        }
        Some(Box::pin(async move {
            for wait in waits {
                wait.await;
            }
        }))
    }
}
