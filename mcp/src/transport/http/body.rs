//! The response body of the MCP endpoint: empty, one JSON document, or an SSE stream.
//!
//! A 2026-07-28 stream owns the handler's future and drives it as the body is read,
//! so a client closing the stream drops the handler: that is the era's cancellation
//! (2026-07-28 `basic/transports/streamable-http` §Cancellation). A legacy stream only
//! reads frames its session produces; its handler runs on, for the client may come back.

use std::collections::VecDeque;
use std::convert::Infallible;
use std::fmt;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http_body::{Frame, SizeHint};
use tokio::sync::mpsc;
use tokio::time::{Interval, MissedTickBehavior};

use super::sse::frame;
use crate::server::PendingResponse;

/// The body of every response the MCP endpoint gives.
pub struct McpBody {
    kind: Kind,
}

enum Kind {
    Empty,
    Full(Option<Bytes>),
    Frames(Frames),
    Call(Box<CallStream>),
}

impl fmt::Debug for McpBody {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self.kind {
            Kind::Empty => "McpBody::Empty",
            Kind::Full(_) => "McpBody::Full",
            Kind::Frames(_) => "McpBody::Frames",
            Kind::Call(_) => "McpBody::Call",
        })
    }
}

/// A stream of ready-made SSE frames: kept ones first, then live ones.
struct Frames {
    replay: VecDeque<Bytes>,
    live: Option<mpsc::UnboundedReceiver<Bytes>>,
    keep_alive: Option<Interval>,
}

/// A 2026-07-28 request's stream: the messages its handler sends, then its response.
struct CallStream {
    queued: VecDeque<Bytes>,
    messages: mpsc::UnboundedReceiver<Vec<u8>>,
    response: Option<PendingResponse>,
    keep_alive: Option<Interval>,
}

const KEEP_ALIVE: &[u8] = b":\n\n";

fn ticker(every: Option<Duration>) -> Option<Interval> {
    every.map(|period| {
        let mut interval = tokio::time::interval_at(tokio::time::Instant::now() + period, period);
        interval.set_missed_tick_behavior(MissedTickBehavior::Delay);
        interval
    })
}

impl McpBody {
    /// No body (202 Accepted, 405, …).
    pub fn empty() -> Self {
        McpBody { kind: Kind::Empty }
    }

    /// One complete document.
    pub fn full(bytes: impl Into<Bytes>) -> Self {
        McpBody {
            kind: Kind::Full(Some(bytes.into())),
        }
    }

    /// Kept frames, then live ones until the sender is dropped.
    pub(crate) fn frames(
        replay: Vec<Bytes>,
        live: Option<mpsc::UnboundedReceiver<Bytes>>,
        keep_alive: Option<Duration>,
    ) -> Self {
        McpBody {
            kind: Kind::Frames(Frames {
                replay: replay.into(),
                live,
                keep_alive: ticker(keep_alive),
            }),
        }
    }

    /// A request's stream: `first` (already received), the rest of `messages`, then
    /// the response `response` yields.
    pub(crate) fn call(
        first: Vec<Vec<u8>>,
        messages: mpsc::UnboundedReceiver<Vec<u8>>,
        response: Option<PendingResponse>,
        keep_alive: Option<Duration>,
    ) -> Self {
        McpBody {
            kind: Kind::Call(Box::new(CallStream {
                queued: first.iter().map(|line| frame(None, line)).collect(),
                messages,
                response,
                keep_alive: ticker(keep_alive),
            })),
        }
    }
}

fn data(bytes: Bytes) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
    Poll::Ready(Some(Ok(Frame::data(bytes))))
}

fn tick(keep_alive: &mut Option<Interval>, cx: &mut Context<'_>) -> bool {
    keep_alive
        .as_mut()
        .is_some_and(|interval| interval.poll_tick(cx).is_ready())
}

impl Frames {
    fn poll(&mut self, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        if let Some(bytes) = self.replay.pop_front() {
            return data(bytes);
        }
        let Some(live) = &mut self.live else {
            return Poll::Ready(None);
        };
        match live.poll_recv(cx) {
            Poll::Ready(Some(bytes)) => data(bytes),
            Poll::Ready(None) => {
                self.live = None;
                Poll::Ready(None)
            }
            Poll::Pending if tick(&mut self.keep_alive, cx) => data(Bytes::from_static(KEEP_ALIVE)),
            Poll::Pending => Poll::Pending,
        }
    }
}

impl CallStream {
    fn poll(&mut self, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        if let Some(bytes) = self.queued.pop_front() {
            return data(bytes);
        }
        // Once the response is out the stream ends, whoever still holds a sender.
        let Some(response) = &mut self.response else {
            return Poll::Ready(None);
        };
        // What the handler sent before its response goes out before it.
        if let Poll::Ready(Some(line)) = self.messages.poll_recv(cx) {
            return data(frame(None, &line));
        }
        match response.as_mut().poll(cx) {
            Poll::Ready(outcome) => {
                self.response = None;
                while let Ok(line) = self.messages.try_recv() {
                    self.queued.push_back(frame(None, &line));
                }
                if let Some(answer) = outcome {
                    self.queued.push_back(frame(None, &answer.line));
                }
                match self.queued.pop_front() {
                    Some(bytes) => data(bytes),
                    None => Poll::Ready(None),
                }
            }
            Poll::Pending if tick(&mut self.keep_alive, cx) => data(Bytes::from_static(KEEP_ALIVE)),
            Poll::Pending => Poll::Pending,
        }
    }
}

impl http_body::Body for McpBody {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Self::Data>, Self::Error>>> {
        match &mut self.get_mut().kind {
            Kind::Empty => Poll::Ready(None),
            Kind::Full(bytes) => match bytes.take() {
                Some(bytes) => data(bytes),
                None => Poll::Ready(None),
            },
            Kind::Frames(frames) => frames.poll(cx),
            Kind::Call(call) => call.poll(cx),
        }
    }

    fn is_end_stream(&self) -> bool {
        match &self.kind {
            Kind::Empty => true,
            Kind::Full(bytes) => bytes.is_none(),
            _ => false,
        }
    }

    fn size_hint(&self) -> SizeHint {
        match &self.kind {
            Kind::Empty => SizeHint::with_exact(0),
            Kind::Full(Some(bytes)) => SizeHint::with_exact(bytes.len() as u64),
            Kind::Full(None) => SizeHint::with_exact(0),
            _ => SizeHint::default(),
        }
    }
}
