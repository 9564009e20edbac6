//! The server's shared state, and the decision taken for each request under its lock: checks,
//! conversation and rule, fault, usage, and the log entry.
//!
//! The lock is held only for bookkeeping; building the reply and encoding it happen outside, so
//! concurrent connections do not queue behind each other's JSON work.

use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use serde_json::Value;

use crate::config::{FaultKind, MockConfig};
use crate::faults::{latency_of, random_fault};
use crate::record::{Protocol, RecordedRequest, TokenTotals};
use crate::request::{hash_of, Parsed};
use crate::script::{Conversations, Rules};
use crate::tokens::{CacheMemory, Usage};
use crate::wire::{ApiError, Meta};
use crate::{anthropic, openai, quirks};

pub(crate) struct State {
    config: MockConfig,
    rules: Rules,
    inner: Mutex<Inner>,
}

struct Inner {
    log: Vec<RecordedRequest>,
    totals: TokenTotals,
    conversations: Conversations,
    cache: CacheMemory,
    /// Requests decided so far: numbers the random fault draws and the response ids.
    count: u64,
}

/// One request as the server read it off the wire.
pub(crate) struct Incoming {
    pub protocol: Protocol,
    pub label: Option<String>,
    pub api_key: Option<String>,
    /// Every header, names in lower case.
    pub headers: Vec<(String, String)>,
    /// The body as JSON, or why it is not.
    pub body: Result<Value, String>,
}

/// What to send back, and when.
pub(crate) struct Decision {
    pub latency: Duration,
    pub outcome: Outcome,
}

pub(crate) enum Outcome {
    /// An error response (including the 429/529/500 faults).
    Error {
        status: u16,
        body: Bytes,
        rate_limited: bool,
    },
    /// Close the connection without a response.
    Drop,
    /// A reply, sent whole (`fault` None) or broken by `Truncate` / `Stall`.
    Reply(Box<Answer>),
}

/// Everything needed to build a reply outside the lock.
pub(crate) struct Answer {
    pub parsed: Parsed,
    pub rule: Option<usize>,
    /// Prefix of this conversation's tool-call ids.
    pub tool_ids: String,
    /// Usage with the input side filled in; output is counted once the reply exists.
    pub meta: Meta,
    pub fault: Option<FaultKind>,
}

impl State {
    pub(crate) fn new(config: MockConfig) -> State {
        State {
            rules: Rules::new(&config.rules),
            inner: Mutex::new(Inner {
                log: Vec::new(),
                totals: TokenTotals::default(),
                conversations: Conversations::new(&config.rules),
                cache: CacheMemory::default(),
                count: 0,
            }),
            config,
        }
    }

    pub(crate) fn rules(&self) -> &Rules {
        &self.rules
    }

    pub(crate) fn requests(&self) -> Vec<RecordedRequest> {
        self.lock().log.clone()
    }

    pub(crate) fn totals(&self) -> TokenTotals {
        self.lock().totals
    }

    /// Charges a response that was sent in full.
    pub(crate) fn charge(&self, usage: Usage) {
        let mut inner = self.lock();
        let totals = &mut inner.totals;
        totals.requests += 1;
        totals.input_tokens += usage.input;
        totals.output_tokens += usage.output;
        totals.cache_read_tokens += usage.cache_read;
        totals.cache_write_tokens += usage.cache_write;
    }

    /// Seconds for `retry-after`, when configured.
    pub(crate) fn retry_after(&self) -> Option<f64> {
        self.config.faults.retry_after_secs
    }

    pub(crate) fn decide(&self, incoming: Incoming) -> Decision {
        let (parsed, mut record, refusal) = self.read(incoming);
        let mut inner = self.lock();
        let n = inner.count;
        inner.count += 1;
        if let Some(refusal) = refusal {
            return self.refuse(&mut inner, record, &refusal, self.config.latency);
        }

        let label = record.label.as_deref();
        let conversation = hash_of(&(&parsed.model, &parsed.system, &parsed.prompt, label));
        let attempt = inner
            .conversations
            .attempt(&self.rules, conversation, &parsed, label);
        let fault = attempt
            .fault
            .or_else(|| random_fault(&self.config.faults, n));
        inner
            .conversations
            .settle(conversation, parsed.turn, fault.is_some());
        let latency = self.rules.latency(attempt.rule).unwrap_or_else(|| {
            latency_of(
                self.config.latency,
                self.config.latency_sigma,
                self.config.faults.seed,
                n,
            )
        });
        record.fault = fault;
        let outcome = match fault {
            Some(
                kind @ (FaultKind::RateLimited
                | FaultKind::Overloaded
                | FaultKind::ServerError
                | FaultKind::UnparsedOutput),
            ) => return self.refuse(&mut inner, record, &ApiError::Fault(kind), latency),
            Some(FaultKind::Drop) => {
                record.status = 0;
                inner.log.push(record);
                Outcome::Drop
            }
            Some(FaultKind::Truncate | FaultKind::Stall) | None => {
                // A broken response leaves the cache as it was: the client never saw it.
                let remember = fault.is_none();
                let usage = match record.protocol {
                    Protocol::Anthropic => inner.cache.anthropic_input(&parsed, remember),
                    Protocol::OpenAi => inner.cache.openai_input(&parsed, remember),
                };
                let protocol = record.protocol;
                inner.log.push(record);
                drop(inner);
                let (id, tool_ids) = match protocol {
                    Protocol::Anthropic => (
                        format!("msg_mock{n:012}"),
                        format!("toolu_{conversation:016x}"),
                    ),
                    Protocol::OpenAi => (
                        format!("chatcmpl-mock{n:012}"),
                        format!("call_{conversation:016x}"),
                    ),
                };
                let meta = Meta {
                    id,
                    model: parsed.model.clone(),
                    created: unix_seconds(),
                    usage,
                    include_usage: parsed.include_usage,
                };
                Outcome::Reply(Box::new(Answer {
                    parsed,
                    rule: attempt.rule,
                    tool_ids,
                    meta,
                    fault,
                }))
            }
        };
        Decision { latency, outcome }
    }

    /// Parses the body for its protocol, starts the log entry, and says whether the request is
    /// refused before any script runs: a wrong key first (as the real APIs check it first), then
    /// a malformed body, then an unknown model.
    fn read(&self, incoming: Incoming) -> (Parsed, RecordedRequest, Option<ApiError>) {
        let protocol = incoming.protocol;
        let (body, parsed) = match incoming.body {
            Ok(body) => {
                let parsed = match protocol {
                    Protocol::Anthropic => anthropic::parse(&body),
                    Protocol::OpenAi => openai::parse(&body),
                };
                (body, parsed)
            }
            Err(why) => (Value::Null, Err(why)),
        };
        let wrong_key = self
            .config
            .api_key
            .as_ref()
            .is_some_and(|key| incoming.api_key.as_ref() != Some(key));
        let refusal = match &parsed {
            _ if wrong_key => Some(ApiError::Unauthorized),
            Err(why) => Some(ApiError::BadRequest(why.clone())),
            Ok(p) if self.unknown_model(&p.model) => Some(ApiError::UnknownModel(p.model.clone())),
            Ok(_) => None,
        };
        let parsed = parsed.unwrap_or_default();
        let record = RecordedRequest {
            protocol,
            stream: parsed.stream,
            model: parsed.model.clone(),
            label: incoming.label,
            prompt: parsed.prompt.clone(),
            turn: parsed.turn,
            tools: parsed.tools.clone(),
            system: parsed.system.clone(),
            cache_control: parsed.cache_control,
            status: 200,
            fault: None,
            body,
            tool_results: parsed.tool_results.clone(),
            headers: incoming.headers,
        };
        (parsed, record, refusal)
    }

    fn refuse(
        &self,
        inner: &mut Inner,
        mut record: RecordedRequest,
        error: &ApiError,
        latency: Duration,
    ) -> Decision {
        let (status, body) = match (record.protocol, error) {
            (_, ApiError::Fault(FaultKind::UnparsedOutput)) => quirks::llama_cpp_parse_error(),
            (Protocol::Anthropic, _) => anthropic::error(error),
            (Protocol::OpenAi, _) => openai::error(error),
        };
        record.status = status;
        inner.log.push(record);
        Decision {
            latency,
            outcome: Outcome::Error {
                status,
                body,
                rate_limited: *error == ApiError::Fault(FaultKind::RateLimited),
            },
        }
    }

    fn unknown_model(&self, model: &str) -> bool {
        self.config
            .models
            .as_ref()
            .is_some_and(|models| !models.iter().any(|m| m == model))
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // A panic while holding the lock (a bug in a test's own code path) must not hide every
        // later request's record, so poisoning is ignored.
        self.inner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

fn unix_seconds() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}
