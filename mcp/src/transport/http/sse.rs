//! The SSE streams of a legacy (2025-11-25 and older) HTTP session: one per POST that
//! turned into a stream, and the standalone stream a GET reads.
//!
//! A POST's stream is undecided until the handler produces something: a response
//! before any other message is sent as plain JSON; a notification or a request to the
//! client first turns the answer into an SSE stream. Events are numbered and kept in
//! the session's [`EventStore`] as they are produced, not as they are written, so a
//! client whose connection dropped gets them by reconnecting with `Last-Event-ID`
//! (2025-11-25 `basic/transports` §Resumability and Redelivery). A handler goes on
//! when its client disconnects: in this era a disconnection is not a cancellation.

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use bytes::Bytes;
use tokio::sync::{mpsc, oneshot};

use super::event_store::{EventPosition, EventStore};
use crate::server::{Answer, Outbox};

/// An SSE frame carrying one JSON-RPC message (`line` ends in a newline, which the
/// frame's own terminator replaces).
pub(crate) fn frame(id: Option<EventPosition>, line: &[u8]) -> Bytes {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    let mut out = Vec::with_capacity(line.len() + 48);
    if let Some(id) = id {
        out.extend_from_slice(format!("id: {id}\n").as_bytes());
    }
    out.extend_from_slice(b"event: message\ndata: ");
    out.extend_from_slice(line);
    out.extend_from_slice(b"\n\n");
    Bytes::from(out)
}

/// An event with an id and empty data, sent first so the client has a cursor to
/// reconnect with before anything else arrives, and how long to wait before it does
/// (2025-11-25 `basic/transports` §Sending Messages to the Server, 6).
fn priming(id: EventPosition, retry_ms: u64) -> Bytes {
    Bytes::from(format!("id: {id}\nretry: {retry_ms}\ndata: \n\n"))
}

/// How a POST is answered, decided by what its handler produced first.
#[derive(Debug)]
pub(crate) enum Decision {
    /// The response came first: one JSON body.
    Json(Answer),
    /// Something else came first: an SSE stream of these frames.
    Sse(mpsc::UnboundedReceiver<Bytes>),
    /// The request was cancelled before anything was produced: an empty stream.
    Nothing,
}

#[derive(Debug)]
enum Mode {
    Undecided(Option<oneshot::Sender<Decision>>),
    Live,
    Done,
}

#[derive(Debug)]
struct State {
    seq: u64,
    mode: Mode,
    sink: Option<mpsc::UnboundedSender<Bytes>>,
}

/// One SSE stream of a legacy session.
#[derive(Debug)]
pub(crate) struct EventStream {
    session: Arc<str>,
    number: u64,
    store: Option<Arc<dyn EventStore>>,
    /// `Some(retry)`: open with a priming event that asks for this reconnection delay.
    priming: Option<u64>,
    state: Mutex<State>,
}

/// What a GET gets when it attaches to a stream: what it missed, then what comes.
#[derive(Debug)]
pub(crate) struct Attached {
    pub(crate) replay: Vec<Bytes>,
    pub(crate) live: Option<mpsc::UnboundedReceiver<Bytes>>,
}

impl EventStream {
    /// The standalone stream (number 0): live from the start, read by GET.
    pub(crate) fn standalone(session: Arc<str>, store: Option<Arc<dyn EventStore>>) -> Self {
        EventStream {
            session,
            number: 0,
            store,
            priming: None,
            state: Mutex::new(State {
                seq: 0,
                mode: Mode::Live,
                sink: None,
            }),
        }
    }

    /// A POST's stream, undecided until its handler produces something. `priming`
    /// sends a first empty event with an id and this retry delay (milliseconds), for
    /// clients new enough to expect one.
    pub(crate) fn for_request(
        session: Arc<str>,
        number: u64,
        store: Option<Arc<dyn EventStore>>,
        priming: Option<u64>,
    ) -> (Self, oneshot::Receiver<Decision>) {
        let (tx, rx) = oneshot::channel();
        let stream = EventStream {
            session,
            number,
            store,
            priming,
            state: Mutex::new(State {
                seq: 0,
                mode: Mode::Undecided(Some(tx)),
                sink: None,
            }),
        };
        (stream, rx)
    }

    pub(crate) fn number(&self) -> u64 {
        self.number
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Sends one message on the stream; false once the stream is finished.
    pub(crate) fn emit(&self, line: &[u8]) -> bool {
        let mut state = self.state();
        match &mut state.mode {
            Mode::Done => return false,
            Mode::Live => {}
            Mode::Undecided(_) => self.open(&mut state, self.priming),
        }
        self.push(&mut state, line);
        true
    }

    /// Turns an undecided stream into a live one, answering the POST with SSE.
    fn open(&self, state: &mut State, priming_retry: Option<u64>) {
        let Mode::Undecided(decide) = &mut state.mode else {
            return;
        };
        let decide = decide.take();
        let (tx, rx) = mpsc::unbounded_channel();
        if let (Some(retry), Some(_)) = (priming_retry, &self.store) {
            state.seq += 1;
            let _ = tx.send(priming(self.position(state.seq), retry));
        }
        state.sink = Some(tx);
        state.mode = Mode::Live;
        if let Some(decide) = decide {
            let _ = decide.send(Decision::Sse(rx));
        }
    }

    /// Closes the client's connection without ending the stream, after telling it to
    /// come back in `retry_ms` with `Last-Event-ID`; what the handler sends meanwhile
    /// is kept for it (2025-11-25 `basic/transports` §Sending Messages to the Server,
    /// 6). False when the stream cannot be resumed (no event store) or has ended.
    pub(crate) fn disconnect(&self, retry_ms: u64) -> bool {
        if self.store.is_none() {
            return false;
        }
        let mut state = self.state();
        match state.mode {
            Mode::Done => return false,
            Mode::Undecided(_) => self.open(&mut state, Some(retry_ms)),
            Mode::Live => {
                if let Some(sink) = &state.sink {
                    let _ = sink.send(Bytes::from(format!("retry: {retry_ms}\n\n")));
                }
            }
        }
        state.sink = None;
        true
    }

    /// Closes the reader's connection, if one is attached, after telling it to come
    /// back in `retry_ms`; the stream itself goes on, for the next reader.
    pub(crate) fn release_reader(&self, retry_ms: u64) {
        if let Some(sink) = self.state().sink.take() {
            let _ = sink.send(Bytes::from(format!("retry: {retry_ms}\n\n")));
        }
    }

    /// Ends the stream with the response, or with nothing when the request was
    /// cancelled.
    pub(crate) fn finish(&self, response: Option<Answer>) {
        let mut state = self.state();
        match std::mem::replace(&mut state.mode, Mode::Done) {
            Mode::Done => {}
            Mode::Undecided(decide) => {
                let decision = match response {
                    Some(answer) => Decision::Json(answer),
                    None => Decision::Nothing,
                };
                if let Some(decide) = decide {
                    let _ = decide.send(decision);
                }
            }
            Mode::Live => {
                if let Some(answer) = response {
                    self.push(&mut state, &answer.line);
                }
                state.sink = None;
            }
        }
    }

    /// Attaches a reader after event `after` of this stream: it gets the kept events it
    /// missed, then the live ones. `None` when another reader is attached.
    pub(crate) fn attach(&self, after: u64) -> Option<Attached> {
        let mut state = self.state();
        if state.sink.as_ref().is_some_and(|sink| !sink.is_closed()) {
            return None;
        }
        let replay = match &self.store {
            Some(store) if after < state.seq => {
                store.replay(&self.session, self.number, after, state.seq)
            }
            _ => Vec::new(),
        };
        let live = match state.mode {
            Mode::Done => None,
            _ => {
                let (tx, rx) = mpsc::unbounded_channel();
                state.sink = Some(tx);
                Some(rx)
            }
        };
        Some(Attached { replay, live })
    }

    /// True once the stream has ended.
    pub(crate) fn is_done(&self) -> bool {
        matches!(self.state().mode, Mode::Done)
    }

    /// True when a reader is attached and still reading.
    pub(crate) fn has_reader(&self) -> bool {
        self.state()
            .sink
            .as_ref()
            .is_some_and(|sink| !sink.is_closed())
    }

    fn position(&self, seq: u64) -> EventPosition {
        EventPosition {
            stream: self.number,
            seq,
        }
    }

    fn push(&self, state: &mut State, line: &[u8]) {
        let id = match &self.store {
            Some(store) => {
                state.seq += 1;
                let at = self.position(state.seq);
                let bytes = frame(Some(at), line);
                store.append(&self.session, at, bytes.clone());
                Some(bytes)
            }
            None => None,
        };
        let Some(sink) = &state.sink else { return };
        let bytes = id.unwrap_or_else(|| frame(None, line));
        if sink.send(bytes).is_err() {
            state.sink = None;
        }
    }
}

/// An [`EventStream`] as the place a request's messages go.
#[derive(Debug, Clone)]
pub(crate) struct StreamOutbox(pub(crate) Arc<EventStream>);

impl Outbox for StreamOutbox {
    fn send(&self, line: Vec<u8>) -> bool {
        self.0.emit(&line)
    }

    fn is_closed(&self) -> bool {
        self.0.is_done()
    }

    fn disconnect(&self, retry: std::time::Duration) -> bool {
        self.0.disconnect(retry.as_millis() as u64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transport::http::event_store::InMemoryEventStore;

    fn text(b: &Bytes) -> &str {
        std::str::from_utf8(b).unwrap_or("<binary>")
    }

    #[test]
    fn a_response_before_anything_else_is_plain_json() {
        let (stream, decision) = EventStream::for_request("s".into(), 1, None, Some(1000));
        stream.finish(Some(Answer {
            line: b"{\"id\":1}\n".to_vec(),
            failure: None,
        }));
        assert!(
            matches!(decision.blocking_recv(), Ok(Decision::Json(answer)) if answer.line == b"{\"id\":1}\n")
        );
    }

    #[test]
    fn a_notification_first_makes_a_resumable_stream() {
        let store: Arc<dyn EventStore> = Arc::new(InMemoryEventStore::default());
        let (stream, decision) =
            EventStream::for_request("s".into(), 4, Some(store.clone()), Some(1000));
        assert!(stream.emit(b"{\"method\":\"notifications/progress\"}\n"));
        let Ok(Decision::Sse(mut rx)) = decision.blocking_recv() else {
            panic!("expected a stream");
        };
        assert_eq!(
            text(&rx.try_recv().expect("priming")),
            "id: 4-1\nretry: 1000\ndata: \n\n"
        );
        assert_eq!(
            text(&rx.try_recv().expect("progress")),
            "id: 4-2\nevent: message\ndata: {\"method\":\"notifications/progress\"}\n\n"
        );
        // The reader goes away; the response is still kept for a reconnect.
        drop(rx);
        stream.finish(Some(Answer {
            line: b"{\"id\":1}\n".to_vec(),
            failure: None,
        }));
        assert!(
            !stream.emit(b"late\n"),
            "nothing is sent after the response"
        );
        let attached = stream.attach(2).expect("no other reader");
        assert!(attached.live.is_none(), "the stream is over");
        assert_eq!(attached.replay.len(), 1);
        assert!(text(&attached.replay[0]).starts_with("id: 4-3\n"));
    }

    #[test]
    fn one_reader_at_a_time_on_the_standalone_stream() {
        let stream = EventStream::standalone("s".into(), None);
        assert!(stream.emit(b"dropped: nobody reads\n"));
        let first = stream.attach(0).expect("first reader");
        assert!(stream.attach(0).is_none(), "a second reader is refused");
        let mut live = first.live.expect("live");
        assert!(stream.emit(b"{}\n"));
        assert_eq!(
            text(&live.try_recv().expect("event")),
            "event: message\ndata: {}\n\n"
        );
        drop(live);
        assert!(
            stream.attach(0).is_some(),
            "a reader that left frees its place"
        );
    }
}
