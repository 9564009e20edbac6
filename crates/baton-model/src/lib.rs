//! Plain data shared by every baton crate: ids, agent calls and their outcomes, events, usage.
//!
//! No IO lives here. The one trait, [`AgentBackend`], is the seam between the engine, which
//! schedules agents, and whatever answers them (the `sim` model, or a real provider's agent loop).

mod agent;
mod event;
mod identity;
mod ids;
mod replay;
mod secrets;
mod sink;
mod tool;
mod usage;

pub use agent::{
    AgentBackend, AgentCall, AgentNote, AgentOptions, AgentOutcome, BoxFuture, NoteSink,
};
pub use event::{AgentEnd, Event, LogLevel, RunStatus};
pub use identity::{
    call_key, call_key_with_tools, canonical_json, content_hash, SYSTEM_PROMPT_VERSION,
};
pub use ids::{CallKey, RunId};
pub use replay::{Replay, ReplayedCall};
pub use secrets::PROVIDER_KEY_VARIABLES;
pub use sink::{EventSink, Fanout, NoEvents, Then};
pub use tool::ToolSpec;
pub use usage::Usage;
