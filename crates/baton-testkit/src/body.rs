//! `MockBody`: a response body that can end cleanly, break off, or hang.
//!
//! Broken responses are made by returning an error from the body: hyper then aborts the
//! connection mid-message (no final chunk, fewer bytes than `content-length`), which is exactly
//! what a client sees when a real server or proxy dies. The error comes only after a pause:
//! hyper drops whatever it still buffers when a body fails, and it flushes only while the body
//! is pending, so an immediate error would lose the status line and the partial body too.

use std::collections::VecDeque;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use hyper::body::{Body, Frame, SizeHint};
use tokio::time::Sleep;

/// How long a stalled response hangs before it is aborted.
const STALL: Duration = Duration::from_secs(60);
/// How long a truncated response waits, pending, so that hyper flushes what was sent.
const FLUSH: Duration = Duration::from_millis(10);

/// Runs once, when the last frame of a complete body is handed to hyper.
pub(crate) type OnComplete = Box<dyn FnOnce() + Send>;

pub(crate) struct MockBody {
    frames: VecDeque<Bytes>,
    ending: Ending,
    /// Whether hyper may announce the length (`content-length`) rather than stream chunks.
    sized: bool,
    on_complete: Option<OnComplete>,
}

enum Ending {
    Complete,
    /// Pending until the timer fires, then an abort.
    Break(Pin<Box<Sleep>>),
}

/// The error that makes hyper abort the connection.
#[derive(Debug)]
pub(crate) struct Aborted;

impl fmt::Display for Aborted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("response aborted by the mock (injected fault)")
    }
}

impl std::error::Error for Aborted {}

impl MockBody {
    /// A whole JSON document, sent with its length.
    pub(crate) fn json(bytes: Bytes) -> MockBody {
        MockBody::complete(vec![bytes], true, None)
    }

    /// A body that ends cleanly; `sized` bodies get `content-length`, the others chunked
    /// transfer (event streams).
    pub(crate) fn complete(
        frames: Vec<Bytes>,
        sized: bool,
        on_complete: Option<OnComplete>,
    ) -> MockBody {
        MockBody {
            frames: frames.into(),
            ending: Ending::Complete,
            sized,
            on_complete,
        }
    }

    /// The given frames, then (once they are flushed) an abort.
    pub(crate) fn aborted(frames: Vec<Bytes>) -> MockBody {
        MockBody::broken(frames, FLUSH)
    }

    /// The given frames, then a minute of silence, then an abort.
    pub(crate) fn stalled(frames: Vec<Bytes>) -> MockBody {
        MockBody::broken(frames, STALL)
    }

    fn broken(frames: Vec<Bytes>, after: Duration) -> MockBody {
        MockBody {
            frames: frames.into(),
            ending: Ending::Break(Box::pin(tokio::time::sleep(after))),
            sized: false,
            on_complete: None,
        }
    }
}

impl Body for MockBody {
    type Data = Bytes;
    type Error = Aborted;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Aborted>>> {
        let this = &mut *self;
        if let Some(frame) = this.frames.pop_front() {
            if this.frames.is_empty() && matches!(this.ending, Ending::Complete) {
                // Counted as the last bytes leave, so a client that has read the whole body
                // always finds them in the totals.
                if let Some(done) = this.on_complete.take() {
                    done();
                }
            }
            return Poll::Ready(Some(Ok(Frame::data(frame))));
        }
        match &mut this.ending {
            Ending::Complete => {
                if let Some(done) = this.on_complete.take() {
                    done();
                }
                Poll::Ready(None)
            }
            Ending::Break(sleep) => match sleep.as_mut().poll(cx) {
                Poll::Ready(()) => Poll::Ready(Some(Err(Aborted))),
                Poll::Pending => Poll::Pending,
            },
        }
    }

    fn is_end_stream(&self) -> bool {
        self.frames.is_empty() && matches!(self.ending, Ending::Complete)
    }

    fn size_hint(&self) -> SizeHint {
        if self.sized && matches!(self.ending, Ending::Complete) {
            SizeHint::with_exact(self.frames.iter().map(|f| f.len() as u64).sum())
        } else {
            SizeHint::default()
        }
    }
}
