//! Tests of the mock LLM server through a real HTTP client (reqwest), one module per concern.

mod anthropic;
mod faults;
mod helpers;
mod openai;
mod script;
