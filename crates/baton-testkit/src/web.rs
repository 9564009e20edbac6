//! `WebStub`: a tiny web on loopback for the web tools' tests: pages, redirects, a slow page, a
//! huge page, and a SearXNG-compatible `/search?q=…&format=json`. Real HTTP/1.1 (hyper), so
//! WebFetch and WebSearch are tested with their real clients; every request path is logged.

use std::convert::Infallible;
use std::net::{SocketAddr, TcpListener};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::header::{CONTENT_TYPE, LOCATION};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use serde_json::{json, Value};
use tokio::sync::oneshot;

/// `{base}` in a page's text, a redirect's target or a search hit's URL becomes the stub's own
/// `http://127.0.0.1:PORT`, so pages can link to each other before the port is known.
pub const BASE: &str = "{base}";

/// What the stub answers at one path.
#[derive(Debug, Clone)]
pub enum WebPage {
    /// 200, `text/html`.
    Html(String),
    /// 200 with this content type.
    Typed(&'static str, String),
    /// 302 to this location.
    Redirect(String),
    /// Answers after this long (a page that hangs, for timeouts).
    Slow(Duration),
    /// 200, `text/plain`, this many bytes of `x`.
    Huge(usize),
    /// SearXNG's JSON API: the hits of the first `(words, hits)` whose words all occur in the
    /// query (case-insensitive; empty words match every query), else no hits. Each hit is
    /// `{title, url, content}`.
    Searxng(Vec<(String, Vec<Value>)>),
}

/// A running stub. Dropping it stops the server.
pub struct WebStub {
    addr: SocketAddr,
    log: Arc<Mutex<Vec<String>>>,
    shutdown: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

struct Site {
    base: String,
    pages: Vec<(String, WebPage)>,
    log: Arc<Mutex<Vec<String>>>,
}

impl WebStub {
    /// Serves `pages` (path, page) on `127.0.0.1` and a free port; any other path is a 404.
    pub fn start(pages: Vec<(&str, WebPage)>) -> WebStub {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
        let addr = listener.local_addr().expect("read the bound address");
        listener
            .set_nonblocking(true)
            .expect("make the listener non-blocking");
        let log = Arc::new(Mutex::new(Vec::new()));
        let site = Arc::new(Site {
            base: format!("http://{addr}"),
            pages: pages
                .into_iter()
                .map(|(path, page)| (path.to_string(), page))
                .collect(),
            log: log.clone(),
        });
        let (shutdown, stop) = oneshot::channel();
        let thread = std::thread::Builder::new()
            .name(format!("web-stub-{}", addr.port()))
            .spawn(move || serve(listener, site, stop))
            .expect("spawn the web stub thread");
        WebStub {
            addr,
            log,
            shutdown: Some(shutdown),
            thread: Some(thread),
        }
    }

    /// `http://127.0.0.1:PORT`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// `base_url()` + `path`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url())
    }

    /// Every request's path and query, in the order they came.
    pub fn requests(&self) -> Vec<String> {
        self.log.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

impl Drop for WebStub {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn serve(listener: TcpListener, site: Arc<Site>, mut stop: oneshot::Receiver<()>) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("build the web stub runtime");
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::from_std(listener).expect("register the listener");
        loop {
            let stream = tokio::select! {
                _ = &mut stop => return,
                accepted = listener.accept() => match accepted {
                    Ok((stream, _)) => stream,
                    Err(_) => continue,
                },
            };
            let site = Arc::clone(&site);
            tokio::spawn(async move {
                let service = service_fn(move |request| answer(Arc::clone(&site), request));
                let _ = http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    // A slow page still sleeping is dropped, not awaited: its socket closes.
    runtime.shutdown_background();
}

async fn answer(
    site: Arc<Site>,
    request: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let uri = request.uri();
    let path = uri.path().to_string();
    let query = uri.query().unwrap_or("").to_string();
    site.log
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .push(match query.as_str() {
            "" => path.clone(),
            q => format!("{path}?{q}"),
        });
    let based = |text: &str| text.replace(BASE, &site.base);
    let Some((_, page)) = site.pages.iter().find(|(p, _)| *p == path) else {
        return Ok(plain(
            StatusCode::NOT_FOUND,
            "text/plain",
            "not found".into(),
        ));
    };
    Ok(match page {
        WebPage::Html(html) => plain(StatusCode::OK, "text/html; charset=utf-8", based(html)),
        WebPage::Typed(kind, text) => plain(StatusCode::OK, kind, based(text)),
        WebPage::Redirect(to) => {
            let mut response = plain(StatusCode::FOUND, "text/plain", String::new());
            if let Ok(value) = based(to).parse() {
                response.headers_mut().insert(LOCATION, value);
            }
            response
        }
        WebPage::Slow(delay) => {
            tokio::time::sleep(*delay).await;
            plain(StatusCode::OK, "text/plain", "late".into())
        }
        WebPage::Huge(bytes) => plain(StatusCode::OK, "text/plain", "x".repeat(*bytes)),
        WebPage::Searxng(answers) => {
            let words = query_param(&query, "q").to_lowercase();
            let hits = answers
                .iter()
                .find(|(want, _)| {
                    want.split_whitespace()
                        .all(|w| words.contains(&w.to_lowercase()))
                })
                .map(|(_, hits)| hits.clone())
                .unwrap_or_default();
            let body = json!({"query": words, "results": hits}).to_string();
            plain(StatusCode::OK, "application/json", based(&body))
        }
    })
}

fn plain(status: StatusCode, kind: &str, body: String) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from(body)));
    *response.status_mut() = status;
    if let Ok(value) = kind.parse() {
        response.headers_mut().insert(CONTENT_TYPE, value);
    }
    response
}

/// One form-encoded query parameter, decoded (`+` and `%XX`).
fn query_param(query: &str, name: &str) -> String {
    let Some(raw) = query
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value)
    else {
        return String::new();
    };
    let bytes = raw.replace('+', " ").into_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}
