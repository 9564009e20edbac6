//! The `sim` model's pure core: deterministic synthetic answers and latencies for dry runs and
//! tests.
//!
//! A simulated agent answers with [`value_for_schema`] when it has a schema and with
//! [`text_answer`] when it has none, reports usage from [`estimate_tokens`], and waits
//! [`Latency::pick`] first. Every choice comes from a [`SimRng`] seeded by the caller, so the same
//! seed gives the same run. Everything but [`SimBackend`] is pure (no IO, no async, no clock);
//! the backend is the thin async shell that seeds, waits and answers.

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
