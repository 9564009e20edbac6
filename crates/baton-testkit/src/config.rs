//! What a test tells the mock: keys, models, latency, random faults and scripted conversations.
//!
//! Everything here is plain data with small builders, so that a test reads as a description of
//! the model it wants ("label `review` answers with a Read call, then with text").

use std::time::Duration;

use serde_json::Value;

/// The whole configuration of one [`MockLlm`](crate::MockLlm).
#[derive(Clone, Debug, Default)]
pub struct MockConfig {
    /// When set, requests with another key get 401 (`authentication_error` for Anthropic,
    /// `invalid_api_key` for OpenAI).
    pub api_key: Option<String>,
    /// When set, requests for another model get 404 (`not_found_error` "model: X" for Anthropic,
    /// `model_not_found` for OpenAI).
    pub models: Option<Vec<String>>,
    /// Waited before the response headers of every request; a rule's own latency replaces it.
    /// With [`MockConfig::latency_sigma`] above 0, the median of a lognormal latency instead.
    pub latency: Duration,
    /// The spread of a lognormal latency (σ of its logarithm): each request waits
    /// `latency × e^(σ·z)`, z a standard normal drawn from `faults.seed` and the request's
    /// number. Real providers' latencies have this long right tail; 0 is a fixed latency.
    pub latency_sigma: f64,
    /// Faults drawn at random (seeded) for requests that no scripted fault claims.
    pub faults: Faults,
    /// Scripted conversations, tried in order on the first turn of each conversation.
    pub rules: Vec<Rule>,
}

impl MockConfig {
    pub fn with_api_key(mut self, key: impl Into<String>) -> Self {
        self.api_key = Some(key.into());
        self
    }

    pub fn with_models<S: Into<String>>(mut self, models: impl IntoIterator<Item = S>) -> Self {
        self.models = Some(models.into_iter().map(Into::into).collect());
        self
    }

    pub fn with_latency(mut self, latency: Duration) -> Self {
        self.latency = latency;
        self
    }

    /// A latency with median `median` and a lognormal spread `sigma` (see
    /// [`MockConfig::latency_sigma`]).
    pub fn with_lognormal_latency(mut self, median: Duration, sigma: f64) -> Self {
        self.latency = median;
        self.latency_sigma = sigma;
        self
    }

    pub fn with_faults(mut self, faults: Faults) -> Self {
        self.faults = faults;
        self
    }

    pub fn with_rule(mut self, rule: Rule) -> Self {
        self.rules.push(rule);
        self
    }
}

/// Random faults: each rate is the probability (0.0–1.0) that a request gets that fault.
///
/// The draw for the n-th request (in arrival order) depends only on `seed` and n, so a test
/// that sends requests one after another sees the same faults on every run.
#[derive(Clone, Debug, Default)]
pub struct Faults {
    pub seed: u64,
    pub rate_429: f64,
    /// Sent as `retry-after` (seconds, possibly fractional) and `retry-after-ms` on every 429,
    /// scripted or random.
    pub retry_after_secs: Option<f64>,
    pub rate_529: f64,
    pub rate_500: f64,
    pub rate_drop: f64,
    pub rate_truncate: f64,
    pub rate_stall: f64,
}

/// One scripted conversation: which conversations it answers, and what it answers at each turn.
#[derive(Clone, Debug)]
pub struct Rule {
    pub matcher: Match,
    /// The reply at turn n (n = number of assistant messages in the request). Past the end, the
    /// last `Text` turn is repeated (or "done" when there is none).
    pub turns: Vec<Turn>,
    /// How many conversations this rule may answer; `None` is unlimited. Retries after a fault
    /// stay with the rule they started with and use nothing more.
    pub uses: Option<usize>,
    /// Failures at given turns, before the scripted reply is given.
    pub faults: Vec<ScriptedFault>,
    /// Replaces [`MockConfig::latency`] for this rule's conversations.
    pub latency: Option<Duration>,
}

impl Rule {
    pub fn new(matcher: Match, turns: Vec<Turn>) -> Rule {
        Rule {
            matcher,
            turns,
            uses: None,
            faults: Vec::new(),
            latency: None,
        }
    }

    /// Limits the rule to `uses` conversations; later ones fall through to the next rule.
    pub fn with_uses(mut self, uses: usize) -> Self {
        self.uses = Some(uses);
        self
    }

    /// The first `attempts` requests at `turn` of each conversation fail with `kind`. Several
    /// faults at one turn follow each other in the order they were added.
    pub fn with_fault(mut self, turn: usize, attempts: usize, kind: FaultKind) -> Self {
        self.faults.push(ScriptedFault {
            turn,
            attempts,
            kind,
        });
        self
    }

    pub fn with_latency(mut self, latency: Duration) -> Self {
        self.latency = Some(latency);
        self
    }
}

/// Which conversations a rule answers; checked on the first turn only.
#[derive(Clone, Debug)]
pub enum Match {
    Any,
    /// The request's `x-baton-label` header equals this.
    Label(String),
    /// The first user message contains this.
    PromptContains(String),
    /// The first user message matches this regex (compiled when the server starts; an invalid
    /// one panics there).
    PromptRegex(String),
}

impl Match {
    pub fn label(label: impl Into<String>) -> Match {
        Match::Label(label.into())
    }

    pub fn prompt_contains(needle: impl Into<String>) -> Match {
        Match::PromptContains(needle.into())
    }

    pub fn prompt_regex(pattern: impl Into<String>) -> Match {
        Match::PromptRegex(pattern.into())
    }
}

/// One scripted assistant reply.
#[derive(Clone, Debug)]
pub enum Turn {
    /// Plain text; `{prompt}` is replaced by the conversation's first user message.
    Text(String),
    /// One or more tool calls (stop reason `tool_use` / `tool_calls`).
    ToolCalls(Vec<ToolCall>),
    /// Anthropic's hosted web search, run by the "server" inside the turn: a `server_tool_use`
    /// for `query` and a `web_search_tool_result` with `hits` (`(title, url)`), then the turn
    /// `then`. Only when the request offered the hosted search tool; otherwise `then` alone.
    HostedSearch {
        query: String,
        hits: Vec<(String, String)>,
        then: Box<Turn>,
    },
}

impl Turn {
    pub fn text(text: impl Into<String>) -> Turn {
        Turn::Text(text.into())
    }

    /// A single tool call.
    pub fn tool(name: impl Into<String>, input: Value) -> Turn {
        Turn::ToolCalls(vec![ToolCall::new(name, input)])
    }

    pub fn tools(calls: Vec<ToolCall>) -> Turn {
        Turn::ToolCalls(calls)
    }

    pub fn hosted_search(query: &str, hits: &[(&str, &str)], then: Turn) -> Turn {
        Turn::HostedSearch {
            query: query.to_owned(),
            hits: hits
                .iter()
                .map(|(title, url)| (title.to_string(), url.to_string()))
                .collect(),
            then: Box::new(then),
        }
    }

    /// A hosted search the server paused after (Anthropic's `pause_turn`): the reply ends with
    /// the search's blocks, and the client must send the conversation back for the model to go
    /// on, which the next scripted turn answers.
    pub fn paused_search(query: &str, hits: &[(&str, &str)]) -> Turn {
        Turn::hosted_search(query, hits, Turn::ToolCalls(Vec::new()))
    }
}

#[derive(Clone, Debug)]
pub struct ToolCall {
    pub name: String,
    pub input: Value,
}

impl ToolCall {
    pub fn new(name: impl Into<String>, input: Value) -> ToolCall {
        ToolCall {
            name: name.into(),
            input,
        }
    }
}

/// The first `attempts` requests at `turn` of a conversation fail with `kind`.
#[derive(Clone, Debug)]
pub struct ScriptedFault {
    pub turn: usize,
    pub attempts: usize,
    pub kind: FaultKind,
}

/// The ways a response can fail.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FaultKind {
    /// 429 (`rate_limit_error` / `rate_limit_exceeded`), with `retry-after` when configured.
    RateLimited,
    /// 529 `overloaded_error` for Anthropic; 503 for OpenAI, which has no 529.
    Overloaded,
    /// 500 `api_error` / `server_error`.
    ServerError,
    /// 500 with llama.cpp's body for output its parser rejected, on either endpoint:
    /// `{"error":{"code":500,"message":"The model produced output that does not match the
    /// expected peg-native format"}}`.
    UnparsedOutput,
    /// The connection is closed without any response.
    Drop,
    /// Status 200 and part of the body (or stream), then the connection is aborted.
    Truncate,
    /// Status 200 and the first part of the body (or stream), then nothing for 60 s, then an
    /// abort.
    Stall,
}
