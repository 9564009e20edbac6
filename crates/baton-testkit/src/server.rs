//! The HTTP/1.1 plumbing: accepting connections, routing, reading bodies, and turning a
//! [`Decision`] into a hyper response (or into a dropped connection).

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::BodyExt;
use hyper::body::Incoming as IncomingBody;
use hyper::header::{HeaderValue, CACHE_CONTROL, CONTENT_LENGTH, CONTENT_TYPE, RETRY_AFTER};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::sync::oneshot;

use crate::body::MockBody;
use crate::config::FaultKind;
use crate::record::Protocol;
use crate::state::{Answer, Decision, Incoming, Outcome, State};
use crate::tokens::output_tokens;
use crate::wire::{regroup, ApiError};
use crate::{anthropic, openai};

/// The label header that routes a request to a `Match::Label` rule.
const LABEL_HEADER: &str = "x-baton-label";
/// Transfer chunks of a complete stream (see `wire::regroup`).
const STREAM_CHUNKS: usize = 3;

/// Accepts connections until `shutdown` fires (or its sender is dropped).
pub(crate) async fn serve(
    listener: TcpListener,
    state: Arc<State>,
    mut shutdown: oneshot::Receiver<()>,
) {
    loop {
        let stream = tokio::select! {
            _ = &mut shutdown => return,
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                // Out of file descriptors and the like: keep serving the connections we have.
                Err(_) => continue,
            },
        };
        // Small SSE frames must leave at once, not wait for Nagle's algorithm.
        let _ = stream.set_nodelay(true);
        let state = Arc::clone(&state);
        tokio::spawn(async move {
            let service = service_fn(move |request| handle(Arc::clone(&state), request));
            // Connection errors are the injected faults (or a client hanging up): nothing to do.
            let _ = http1::Builder::new()
                .keep_alive(true)
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

/// The error that makes hyper close the connection without answering (the `Drop` fault).
#[derive(Debug)]
pub(crate) struct DropConnection;

impl fmt::Display for DropConnection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("connection dropped by the mock (injected fault)")
    }
}

impl std::error::Error for DropConnection {}

async fn handle(
    state: Arc<State>,
    request: Request<IncomingBody>,
) -> Result<Response<MockBody>, DropConnection> {
    let protocol = match (request.method(), request.uri().path()) {
        (&Method::POST, "/v1/messages") => Protocol::Anthropic,
        (&Method::POST, "/v1/chat/completions") => Protocol::OpenAi,
        _ => return Ok(not_found(&request)),
    };
    let headers = request.headers();
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let label = header(LABEL_HEADER);
    let all_headers = headers
        .iter()
        .filter_map(|(name, value)| Some((name.to_string(), value.to_str().ok()?.to_owned())))
        .collect();
    let api_key = match protocol {
        Protocol::Anthropic => header("x-api-key"),
        Protocol::OpenAi => {
            header("authorization").and_then(|v| v.strip_prefix("Bearer ").map(str::to_owned))
        }
    };
    let body = match request.into_body().collect().await {
        Ok(collected) => serde_json::from_slice(&collected.to_bytes())
            .map_err(|e| format!("the request body is not valid JSON: {e}")),
        // The client went away mid-request: there is nobody to answer.
        Err(_) => return Err(DropConnection),
    };
    let incoming = Incoming {
        protocol,
        label,
        api_key,
        headers: all_headers,
        body,
    };
    let Decision { latency, outcome } = state.decide(incoming);
    if !latency.is_zero() {
        // tokio's timer rounds every deadline up to the next millisecond, which would make a
        // "50 ms" server answer in ~51 ms; aiming half a millisecond early centres the error
        // on the latency the test asked for (as the `sim` model does).
        let early = latency.min(Duration::from_micros(500));
        tokio::time::sleep(latency - early).await;
    }
    match outcome {
        Outcome::Drop => Err(DropConnection),
        Outcome::Error {
            status,
            body,
            rate_limited,
        } => {
            let mut response = json_response(status, body);
            if let (true, Some(secs)) = (rate_limited, state.retry_after()) {
                let headers = response.headers_mut();
                headers.insert(RETRY_AFTER, number_header(secs));
                headers.insert("retry-after-ms", number_header((secs * 1000.0).round()));
            }
            Ok(response)
        }
        Outcome::Reply(answer) => Ok(reply(&state, protocol, *answer)),
    }
}

/// Builds the reply and sends it whole, truncated or stalled.
fn reply(state: &Arc<State>, protocol: Protocol, mut answer: Answer) -> Response<MockBody> {
    let reply = state
        .rules()
        .reply(answer.rule, &answer.parsed, &answer.tool_ids);
    answer.meta.usage.output = output_tokens(&reply);
    let meta = &answer.meta;
    let stream = answer.parsed.stream;
    let frames = match (protocol, stream) {
        (Protocol::Anthropic, false) => vec![anthropic::message(&reply, meta)],
        (Protocol::Anthropic, true) => anthropic::events(&reply, meta),
        (Protocol::OpenAi, false) => vec![openai::completion(&reply, meta)],
        (Protocol::OpenAi, true) => openai::chunks(&reply, meta),
    };
    let mut declared_length = None;
    let body = match answer.fault {
        None => {
            let usage = meta.usage;
            let state = Arc::clone(state);
            let frames = if stream {
                regroup(frames, STREAM_CHUNKS)
            } else {
                frames
            };
            MockBody::complete(frames, !stream, Some(Box::new(move || state.charge(usage))))
        }
        Some(kind) => {
            let (head, whole) = broken_prefix(frames, stream, kind);
            declared_length = whole;
            if kind == FaultKind::Stall {
                MockBody::stalled(head)
            } else {
                MockBody::aborted(head)
            }
        }
    };
    let mut response = Response::new(body);
    let content_type = if stream {
        "text/event-stream"
    } else {
        "application/json"
    };
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    if stream {
        headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    }
    if let Some(length) = declared_length {
        // Promise the whole body, deliver part of it: the client sees an early EOF.
        headers.insert(CONTENT_LENGTH, HeaderValue::from(length));
    }
    let id_header = match protocol {
        Protocol::Anthropic => "request-id",
        Protocol::OpenAi => "x-request-id",
    };
    if let Ok(value) = HeaderValue::from_str(&format!("req_{}", meta.id)) {
        headers.insert(id_header, value);
    }
    response
}

/// What a broken response gets to send: the first half of a stream's events (only the first
/// one for a stall, which then hangs right after the opening), or the first half of a JSON body
/// together with the length of the whole.
fn broken_prefix(frames: Vec<Bytes>, stream: bool, kind: FaultKind) -> (Vec<Bytes>, Option<u64>) {
    if stream {
        let keep = if kind == FaultKind::Stall {
            1
        } else {
            (frames.len() / 2).max(1)
        };
        (frames.into_iter().take(keep).collect(), None)
    } else {
        let whole: Bytes = frames.into_iter().next().unwrap_or_default();
        let length = whole.len() as u64;
        (vec![whole.slice(..whole.len() / 2)], Some(length))
    }
}

fn not_found(request: &Request<IncomingBody>) -> Response<MockBody> {
    // OpenAI clients send a bearer token; anything else gets Anthropic's error shape.
    let (status, body) = if request.headers().contains_key("authorization") {
        openai::error(&ApiError::NotFound)
    } else {
        anthropic::error(&ApiError::NotFound)
    };
    json_response(status, body)
}

fn json_response(status: u16, body: Bytes) -> Response<MockBody> {
    let mut response = Response::new(MockBody::json(body));
    *response.status_mut() =
        StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
}

/// A header value for a number of seconds or milliseconds: whole numbers without a fraction,
/// since most clients parse `retry-after` as an integer first.
fn number_header(value: f64) -> HeaderValue {
    let text = if value.fract() == 0.0 {
        format!("{value:.0}")
    } else {
        format!("{value}")
    };
    HeaderValue::from_str(&text).unwrap_or(HeaderValue::from_static("1"))
}
