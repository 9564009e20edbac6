//! A mock LLM server for tests: real HTTP/1.1 on loopback, speaking the Anthropic Messages and
//! OpenAI Chat Completions protocols (streaming or not), with scripted replies and injected
//! faults.
//!
//! ```no_run
//! use baton_testkit::{MockConfig, MockLlm, Match, Rule, Turn};
//! use serde_json::json;
//!
//! let mock = MockLlm::start(MockConfig::default().with_rule(Rule::new(
//!     Match::label("reader"),
//!     vec![Turn::tool("Read", json!({"path": "a.txt"})), Turn::text("read {prompt}")],
//! )));
//! // Point an Anthropic client at `mock.base_url()`, an OpenAI one at `mock.openai_base_url()`,
//! // then assert on `mock.requests()` and `mock.totals()`.
//! ```
//!
//! How a request is answered:
//! - its **turn** is the number of assistant messages it carries, and its **conversation** a hash
//!   of model, system text, first user message and `x-baton-label` header;
//! - the first turn of a conversation picks the first [`Rule`] that matches and has uses left;
//!   later turns and retries stay with it, and get `turns[turn]` (past the end, the last text);
//! - without a rule, a request offering a `StructuredOutput` tool gets a call to it with a
//!   schema-valid value (then "done"); any other gets `"ok: "` and the start of its prompt;
//! - a scripted fault, else a random one ([`Faults`]), may replace or break the response.
//!
//! Layout: `config` and `record` are the public data; `server` the hyper plumbing and `body` the
//! breakable response body; `state` decides each request under one lock, with `script`
//! (rules and conversations), `faults` and `tokens`; `anthropic` and `openai` own the wire
//! formats, over the protocol-neutral `request::Parsed` and the shared bits in `wire`.

mod anthropic;
mod body;
mod config;
mod faults;
mod openai;
mod quirks;
mod record;
mod request;
mod script;
mod server;
mod state;
mod tokens;
mod web;
mod wire;

pub use config::{FaultKind, Faults, Match, MockConfig, Rule, ScriptedFault, ToolCall, Turn};
pub use record::{Protocol, RecordedRequest, TokenTotals};
pub use web::{WebPage, WebStub, BASE};

use std::net::{SocketAddr, TcpListener};
use std::sync::Arc;
use std::thread::JoinHandle;

use tokio::sync::oneshot;

use crate::state::State;

/// A running mock server. Dropping it stops the server and closes every connection.
pub struct MockLlm {
    addr: SocketAddr,
    state: Arc<State>,
    shutdown: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl MockLlm {
    /// Starts the server on `127.0.0.1` and a free port.
    ///
    /// It runs on a fresh thread with its own tokio runtime, so it works from sync tests, async
    /// tests and benches alike, and never competes with the code under test for its runtime.
    ///
    /// # Panics
    /// When no loopback port can be bound, or on an invalid `Match::PromptRegex`.
    pub fn start(config: MockConfig) -> MockLlm {
        let state = Arc::new(State::new(config));
        // Bound here rather than on the server thread, so the port is known (and connections
        // queue in the backlog) before this returns.
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
        let addr = listener.local_addr().expect("read the bound address");
        listener
            .set_nonblocking(true)
            .expect("make the listener non-blocking");
        let (shutdown, stop) = oneshot::channel();
        let served = Arc::clone(&state);
        let thread = std::thread::Builder::new()
            .name(format!("mock-llm-{}", addr.port()))
            .spawn(move || run(listener, served, stop))
            .expect("spawn the mock server thread");
        MockLlm {
            addr,
            state,
            shutdown: Some(shutdown),
            thread: Some(thread),
        }
    }

    /// `http://127.0.0.1:PORT`: Anthropic clients append `/v1/messages`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// `http://127.0.0.1:PORT/v1`: OpenAI clients append `/chat/completions`.
    pub fn openai_base_url(&self) -> String {
        format!("http://{}/v1", self.addr)
    }

    /// Every request to either endpoint, in the order the mock decided them.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.state.requests()
    }

    /// Tokens charged over all responses sent in full.
    pub fn totals(&self) -> TokenTotals {
        self.state.totals()
    }
}

impl Drop for MockLlm {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// The server thread. A current-thread runtime: serving a request takes tens of microseconds,
/// so one core keeps up with any test's fan-out, and measured per request it costs less than a
/// multi-threaded one (no cross-thread wake-ups).
fn run(listener: TcpListener, state: Arc<State>, stop: oneshot::Receiver<()>) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("build the mock server runtime");
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::from_std(listener).expect("register the listener");
        server::serve(listener, state, stop).await;
    });
    // Connection tasks (stalled ones included) are dropped, not awaited: their sockets close.
    runtime.shutdown_background();
}
