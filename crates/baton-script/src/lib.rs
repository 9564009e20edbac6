//! The sandbox a workflow script runs in: static checks, the QuickJS runtime, its globals and limits.
//!
//! This crate knows nothing about models or agents beyond "a host call that settles later":
//! every `agent()` call is handed to a [`Host`] and settled through the run's [`Inbox`].

mod alloc;
mod cpu;
pub mod diagnostic;
mod failure;
mod globals;
mod host;
mod intl;
pub mod lint;
mod load;
pub mod meta;
mod runtime;
mod timers;

pub use cpu::thread_cpu_time;
pub use failure::{FailureKind, ScriptError, StackFrame};
pub use host::{Host, HostError, Inbox, InboxMessage, InboxSender};
pub use load::{Script, ScriptProblems};
pub use runtime::{run, seed_from, ScriptConfig, ScriptLimits, ScriptOutcome};
