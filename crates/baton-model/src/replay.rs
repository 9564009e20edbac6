//! What a resumed run may take from its journal instead of running agents again: the results
//! of completed calls, by content identity and occurrence (SPEC §7).

use std::collections::HashMap;

use serde_json::Value;

use crate::{CallKey, Usage};

/// A call finished in an earlier run or attempt.
#[derive(Debug, Clone, PartialEq)]
pub struct ReplayedCall {
    pub value: Value,
    /// What the call cost when it ran (reported, never paid again).
    pub usage: Usage,
}

/// Completed results by `(call key, occurrence)`. Content, not position: a call finds its
/// result whatever order calls start in.
#[derive(Debug, Clone, Default)]
pub struct Replay {
    calls: HashMap<(CallKey, u32), ReplayedCall>,
}

impl Replay {
    /// Adds a result; a later insert for the same call wins (newer attempts come last).
    pub fn insert(&mut self, key: CallKey, occurrence: u32, call: ReplayedCall) {
        self.calls.insert((key, occurrence), call);
    }

    pub fn get(&self, key: &CallKey, occurrence: u32) -> Option<&ReplayedCall> {
        self.calls.get(&(key.clone(), occurrence))
    }

    pub fn len(&self) -> usize {
        self.calls.len()
    }

    pub fn is_empty(&self) -> bool {
        self.calls.is_empty()
    }
}
