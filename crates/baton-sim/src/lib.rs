//! The `sim` model's pure core: deterministic synthetic answers and latencies for dry runs and
//! tests.
//!
//! A simulated agent answers with [`value_for_schema`] when it has a schema and with
//! [`text_answer`] when it has none, reports usage from [`estimate_tokens`], and waits
//! [`Latency::pick`] first. Every choice comes from a [`SimRng`] seeded by the caller, so the same
//! seed gives the same run. This crate does no IO and knows nothing about time beyond
//! `Duration`; waiting is the caller's business.

mod backend;
mod latency;
mod rng;
mod schema;
mod text;
mod tokens;
mod vocab;

pub use backend::SimBackend;
pub use latency::{Latency, LatencyError};
pub use rng::SimRng;
pub use schema::value_for_schema;
pub use text::text_answer;
pub use tokens::estimate_tokens;
