//! The one HTTP client of a run and its one retry loop, shared by every provider: a connection
//! pool, a cap on requests in flight, timeouts, stall detection, and backoff.
//!
//! Providers hand over a finished request ([`Outgoing`]) and a [`Wire`] that turns the body
//! into a [`ChatResponse`]; everything about *when* to try again lives here.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use reqwest::header::{HeaderValue, CONTENT_TYPE};
use tokio::sync::Semaphore;
use tokio::time::timeout;

use crate::backoff::{backoff, retry_after, server_delay};
use crate::endpoint::Endpoint;
use crate::failure::{Failure, Verdict};
use crate::sse::{Eof, SseDecoder, SseEvent};
use crate::{ChatResponse, LlmError};

#[derive(Debug, Clone)]
pub struct TransportSettings {
    /// Retries after the first attempt before a call fails.
    pub max_retries: u32,
    /// The delay before retry `n` is `min(backoff_max, backoff_base * 2^(n-1))`, scaled by a
    /// random factor in [0.5, 1.0].
    pub backoff_base: Duration,
    pub backoff_max: Duration,
    /// A streaming response that delivers no bytes for this long (response headers included)
    /// is abandoned and retried.
    pub stall_timeout: Duration,
    /// The whole of a non-streaming request.
    pub request_timeout: Duration,
    pub connect_timeout: Duration,
    /// HTTP requests in flight at once through this transport (a per-run cap). Calls waiting
    /// out a backoff do not count.
    pub max_requests: usize,
    /// Ask providers for SSE streams (`false`: plain JSON responses).
    pub stream: bool,
    /// Sent on every request of every provider (gateways want their own headers): from
    /// `ANTHROPIC_CUSTOM_HEADERS` and the config's `[http] headers`.
    pub headers: Vec<(String, String)>,
}

impl Default for TransportSettings {
    fn default() -> TransportSettings {
        TransportSettings {
            max_retries: 8,
            backoff_base: Duration::from_millis(500),
            backoff_max: Duration::from_secs(30),
            stall_timeout: Duration::from_secs(60),
            request_timeout: Duration::from_secs(600),
            connect_timeout: Duration::from_secs(10),
            max_requests: 64,
            stream: true,
            headers: Vec::new(),
        }
    }
}

/// One retry about to happen, told to the caller before the wait.
#[derive(Debug, Clone, PartialEq)]
pub struct Retry {
    /// 1 for the first retry.
    pub attempt: u32,
    /// What went wrong with the previous attempt ("429 rate_limit_error: ...",
    /// "stream stalled (no bytes for 60s)").
    pub reason: String,
    /// How long the caller will wait before the attempt.
    pub delay: Duration,
}

/// Connection errors tolerated before a server that never answered counts as unreachable:
/// enough to ride out a blip, few enough that a wrong base URL fails in well under a second.
const UNREACHABLE_RETRIES: u32 = 2;

/// How long to wait for the rest of a body after its terminal event, so the connection can
/// go back to the pool; a server that keeps it open longer just loses that connection.
const DRAIN_TIMEOUT: Duration = Duration::from_millis(500);

#[derive(Debug)]
pub struct Transport {
    client: reqwest::Client,
    settings: TransportSettings,
    in_flight: Semaphore,
}

/// One request, ready to send (again).
pub(crate) struct Outgoing<'a> {
    pub url: String,
    /// Extra headers; values of `sensitive` ones are kept out of reqwest's `Debug` output.
    pub headers: Vec<(&'static str, String, bool)>,
    pub body: Bytes,
    /// Whether the body asked for an SSE stream.
    pub stream: bool,
    /// The model asked for, named if the server does not know it.
    pub model: &'a str,
}

/// How one protocol decodes a successful body.
pub(crate) struct Wire {
    pub decode_json: fn(&[u8]) -> Result<ChatResponse, Failure>,
    pub new_stream: fn() -> Box<dyn StreamDecoder>,
}

/// The state of one streamed answer, fed event by event.
pub(crate) trait StreamDecoder: Send {
    /// Takes the next event; `Ok(true)` when it was the protocol's terminal event.
    fn event(&mut self, event: SseEvent) -> Result<bool, Failure>;
    /// The answer, once the body ended; `terminal` tells whether the terminal event came.
    fn finish(self: Box<Self>, terminal: bool) -> Result<ChatResponse, Failure>;
}

impl Transport {
    pub fn new(settings: TransportSettings) -> Result<Arc<Transport>, LlmError> {
        let client = reqwest::Client::builder()
            .connect_timeout(settings.connect_timeout)
            .user_agent(concat!("baton/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|error| LlmError::Api {
                provider: "http",
                status: None,
                message: format!("cannot set up the HTTP client: {error}"),
            })?;
        let in_flight = Semaphore::new(settings.max_requests.max(1));
        Ok(Arc::new(Transport {
            client,
            settings,
            in_flight,
        }))
    }

    pub fn settings(&self) -> &TransportSettings {
        &self.settings
    }

    /// Sends `outgoing` until it succeeds, fails for good, or the retries run out.
    pub(crate) async fn send(
        &self,
        endpoint: &Endpoint,
        outgoing: &Outgoing<'_>,
        wire: &Wire,
        on_retry: &(dyn Fn(&Retry) + Send + Sync),
    ) -> Result<ChatResponse, LlmError> {
        let settings = &self.settings;
        let mut retries = 0;
        let mut connect_failures = 0;
        loop {
            let outcome = {
                // The permit is held only while the request is in flight, never while waiting.
                let _permit = self.in_flight.acquire().await.map_err(|_| LlmError::Api {
                    provider: endpoint.provider,
                    status: None,
                    message: "the transport was shut down".into(),
                })?;
                if outgoing.stream {
                    self.attempt(endpoint, outgoing, wire).await
                } else {
                    timeout(
                        settings.request_timeout,
                        self.attempt(endpoint, outgoing, wire),
                    )
                    .await
                    .unwrap_or_else(|_| {
                        Err(Failure::Transient(format!(
                            "request timed out after {}",
                            human(settings.request_timeout)
                        )))
                    })
                }
            };
            let failure = match outcome {
                Ok(response) => return Ok(response),
                Err(failure) => failure,
            };
            let (status, reason, asked) = match failure.judge(endpoint, outgoing.model) {
                Verdict::Fatal(error) => return Err(error),
                Verdict::Retry {
                    connect: true,
                    reason,
                    ..
                } if !endpoint.reached()
                    && (connect_failures == UNREACHABLE_RETRIES
                        || retries == settings.max_retries) =>
                {
                    return Err(LlmError::Unreachable {
                        provider: endpoint.provider,
                        url: endpoint.base_url.clone(),
                        variable: endpoint.url_variable,
                        message: reason,
                    });
                }
                Verdict::Retry {
                    status,
                    reason,
                    retry_after,
                    connect,
                } => {
                    connect_failures += u32::from(connect);
                    (status, reason, retry_after)
                }
            };
            if retries == settings.max_retries {
                return Err(LlmError::Api {
                    provider: endpoint.provider,
                    status,
                    message: format!("gave up after {retries} retries: {reason}"),
                });
            }
            retries += 1;
            let delay = match asked {
                Some(asked) => server_delay(asked),
                None => backoff(retries, settings.backoff_base, settings.backoff_max),
            };
            on_retry(&Retry {
                attempt: retries,
                reason,
                delay,
            });
            tokio::time::sleep(delay).await;
        }
    }

    /// One try: send, check the status, decode the body.
    async fn attempt(
        &self,
        endpoint: &Endpoint,
        outgoing: &Outgoing<'_>,
        wire: &Wire,
    ) -> Result<ChatResponse, Failure> {
        let mut request = self.client.post(&outgoing.url).body(outgoing.body.clone());
        for (name, value, sensitive) in &outgoing.headers {
            let mut value = HeaderValue::from_str(value)
                .map_err(|_| Failure::Local(format!("header {name} has an invalid value")))?;
            value.set_sensitive(*sensitive);
            request = request.header(*name, value);
        }
        for (name, value) in &self.settings.headers {
            request = request.header(name.as_str(), value.as_str());
        }
        let sent = request.send();
        let mut response = if outgoing.stream {
            // A streaming server sends its headers at once; waiting long here is a stall too.
            let stall = self.settings.stall_timeout;
            timeout(stall, sent).await.map_err(|_| {
                Failure::Transient(format!("no response headers for {}", human(stall)))
            })?
        } else {
            sent.await
        }
        .map_err(Failure::from_reqwest)?;
        endpoint.mark_reached();

        let status = response.status();
        if !status.is_success() {
            let asked = retry_after(response.headers());
            // A body that cannot be read still leaves the status to judge by.
            let body = self
                .read_to_end(&mut response, outgoing.stream)
                .await
                .unwrap_or_default();
            return Err(Failure::from_response(status.as_u16(), &body, asked));
        }
        // Some OpenAI-compatible servers ignore `stream: true` and answer in one piece.
        let is_json = response
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|value| value.to_str().ok())
            .is_some_and(|value| value.starts_with("application/json"));
        if outgoing.stream && !is_json {
            self.read_stream(&mut response, (wire.new_stream)()).await
        } else {
            let body = self.read_to_end(&mut response, false).await?;
            (wire.decode_json)(&body)
        }
    }

    async fn read_stream(
        &self,
        response: &mut reqwest::Response,
        mut decoder: Box<dyn StreamDecoder>,
    ) -> Result<ChatResponse, Failure> {
        let mut sse = SseDecoder::new();
        let mut terminal = false;
        'body: while let Some(chunk) = self.next_chunk(response, true).await? {
            for event in sse.feed(&chunk) {
                if decoder.event(event)? {
                    terminal = true;
                    break 'body;
                }
            }
        }
        if terminal {
            let _ = timeout(DRAIN_TIMEOUT, async {
                while let Ok(Some(_)) = response.chunk().await {}
            })
            .await;
        } else if let Eof::Incomplete {
            pending: Some(event),
        } = sse.finish()
        {
            // The last event lacked only its blank line: its data is whole, so use it.
            terminal = decoder.event(event)?;
        }
        decoder.finish(terminal)
    }

    async fn read_to_end(
        &self,
        response: &mut reqwest::Response,
        streaming: bool,
    ) -> Result<Vec<u8>, Failure> {
        let mut body = Vec::new();
        while let Some(chunk) = self.next_chunk(response, streaming).await? {
            body.extend_from_slice(&chunk);
        }
        Ok(body)
    }

    /// The next piece of the body, or a stall once none came for `stall_timeout`. Applies to
    /// plain JSON bodies too: once the headers are out, a healthy server sends the rest at once.
    async fn next_chunk(
        &self,
        response: &mut reqwest::Response,
        streaming: bool,
    ) -> Result<Option<Bytes>, Failure> {
        let stall = self.settings.stall_timeout;
        match timeout(stall, response.chunk()).await {
            Err(_) => Err(Failure::Transient(format!(
                "{} stalled (no bytes for {})",
                if streaming { "stream" } else { "response" },
                human(stall)
            ))),
            Ok(result) => result.map_err(Failure::from_reqwest),
        }
    }
}

/// `60s`, `1.5s` or `300ms`, for messages.
fn human(duration: Duration) -> String {
    if duration < Duration::from_secs(1) {
        format!("{}ms", duration.as_millis())
    } else {
        format!("{}s", duration.as_secs_f64())
    }
}

/// Runs a canned SSE body through `decoder` in `piece`-byte chunks, the way
/// [`Transport::read_stream`] does, for the providers' decoding tests.
#[cfg(test)]
pub(crate) fn decode_canned(
    mut decoder: Box<dyn StreamDecoder>,
    body: &[u8],
    piece: usize,
) -> Result<ChatResponse, Failure> {
    let mut sse = SseDecoder::new();
    for chunk in body.chunks(piece.max(1)) {
        for event in sse.feed(chunk) {
            if decoder.event(event)? {
                return decoder.finish(true);
            }
        }
    }
    let terminal = match sse.finish() {
        Eof::Incomplete {
            pending: Some(event),
        } => decoder.event(event)?,
        _ => false,
    };
    decoder.finish(terminal)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_match_the_documented_values() {
        let settings = TransportSettings::default();
        assert_eq!(settings.max_retries, 8);
        assert_eq!(settings.backoff_base, Duration::from_millis(500));
        assert_eq!(settings.stall_timeout, Duration::from_secs(60));
        assert_eq!(settings.max_requests, 64);
        assert!(settings.stream);
    }

    #[test]
    fn durations_read_well() {
        assert_eq!(human(Duration::from_secs(60)), "60s");
        assert_eq!(human(Duration::from_millis(1500)), "1.5s");
        assert_eq!(human(Duration::from_millis(300)), "300ms");
    }
}
