//! Agents spread over many machines on Temporal: one standalone activity per `agent()` call.
//! The coordinator (the machine that runs the script) keeps the script, caps, budget, monitor
//! and journal and hands each agent to Temporal through `TemporalBackend`; `baton worker`
//! processes (`run_worker`) run the agents with their own local backend.
//!
//! Without the `sdk` feature only `wire.rs`'s data is built: the SDK needs `protoc`.

#[cfg(feature = "sdk")]
mod activity;
#[cfg(feature = "sdk")]
mod backend;
#[cfg(feature = "sdk")]
mod cancel;
#[cfg(feature = "sdk")]
mod carry;
#[cfg(feature = "sdk")]
mod checkout;
#[cfg(feature = "sdk")]
mod connect;
#[cfg(feature = "sdk")]
mod git;
mod wire;
#[cfg(feature = "sdk")]
mod worker;

#[cfg(feature = "sdk")]
pub use backend::TemporalBackend;
#[cfg(feature = "sdk")]
pub use cancel::Cancellations;
#[cfg(feature = "sdk")]
pub use connect::{connect, TemporalConfig};
pub use wire::{
    activity_id, AgentReport, AgentTask, Carried, Commit, GitTask, Progress, INLINE_LIMIT,
};
#[cfg(feature = "sdk")]
pub use worker::{run_worker, WorkerConfig};
