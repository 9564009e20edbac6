//! Agents spread over many machines on Temporal: one standalone activity per `agent()` call.
//! The coordinator (the machine that runs the script) keeps the script, caps, budget, monitor
//! and journal and hands each agent to Temporal through [`TemporalBackend`]; `baton worker`
//! processes ([`run_worker`]) run the agents with their own local backend.

mod activity;
mod backend;
mod connect;
mod wire;
mod worker;

pub use backend::TemporalBackend;
pub use connect::{connect, TemporalConfig};
pub use wire::{activity_id, AgentReport, AgentTask, Progress};
pub use worker::{run_worker, WorkerConfig};
