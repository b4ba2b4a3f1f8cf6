//! Where a legacy session's SSE events wait for a client that reconnects with
//! `Last-Event-ID` (2025-11-25 `basic/transports` §Resumability and Redelivery).
//!
//! An event id is `{stream}-{seq}`: the stream a session numbered when it opened it
//! (0 is the standalone GET stream) and the event's place in it, so a `Last-Event-ID`
//! names the stream to resume and nothing is replayed onto another stream.

use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::sync::Mutex;

use bytes::Bytes;

/// Where one event sits: its stream within a session, and its place in that stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct EventPosition {
    /// The stream, numbered by the session (0: the standalone GET stream).
    pub stream: u64,
    /// The event's place in its stream, from 1.
    pub seq: u64,
}

impl EventPosition {
    /// Reads an id written by [`Display`](fmt::Display): `{stream}-{seq}`.
    pub fn parse(id: &str) -> Option<Self> {
        let (stream, seq) = id.trim().split_once('-')?;
        Some(EventPosition {
            stream: stream.parse().ok()?,
            seq: seq.parse().ok()?,
        })
    }
}

impl fmt::Display for EventPosition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.stream, self.seq)
    }
}

/// Keeps the SSE events of legacy sessions so a reconnecting client can be sent what
/// it missed.
///
/// The methods are called on the path that sends each event, so they must not
/// block: a store backed by a remote service hands the write to a task of its own.
pub trait EventStore: Send + Sync + fmt::Debug + 'static {
    /// Keeps one encoded event (the whole SSE frame, id included).
    fn append(&self, session: &str, at: EventPosition, frame: Bytes);
    /// The frames of `stream` after `after`, up to `upto` (both positions in that
    /// stream), oldest first.
    fn replay(&self, session: &str, stream: u64, after: u64, upto: u64) -> Vec<Bytes>;
    /// Drops everything kept for a session that ended.
    fn forget(&self, session: &str);
}

/// An [`EventStore`] in this process's memory, keeping the newest events of each
/// session up to a number and a size.
#[derive(Debug)]
pub struct InMemoryEventStore {
    per_session: usize,
    bytes_per_session: usize,
    sessions: Mutex<HashMap<Box<str>, Kept>>,
}

/// One session's kept events, oldest first, and their total size.
#[derive(Debug, Default)]
struct Kept {
    events: VecDeque<(EventPosition, Bytes)>,
    bytes: usize,
}

impl InMemoryEventStore {
    /// A store keeping, for each session, at most `per_session` events and
    /// `bytes_per_session` bytes of them (the oldest go first).
    pub fn new(per_session: usize, bytes_per_session: usize) -> Self {
        InMemoryEventStore {
            per_session: per_session.max(1),
            bytes_per_session,
            sessions: Mutex::new(HashMap::new()),
        }
    }

    fn sessions(&self) -> std::sync::MutexGuard<'_, HashMap<Box<str>, Kept>> {
        self.sessions
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl Default for InMemoryEventStore {
    /// Keeps the newest 1,024 events of each session, up to 4 MiB.
    fn default() -> Self {
        InMemoryEventStore::new(1024, 4 << 20)
    }
}

impl EventStore for InMemoryEventStore {
    fn append(&self, session: &str, at: EventPosition, frame: Bytes) {
        let mut sessions = self.sessions();
        let kept = match sessions.get_mut(session) {
            Some(kept) => kept,
            None => sessions.entry(session.into()).or_default(),
        };
        kept.bytes += frame.len();
        kept.events.push_back((at, frame));
        while kept.events.len() > self.per_session
            || (kept.bytes > self.bytes_per_session && kept.events.len() > 1)
        {
            if let Some((_, old)) = kept.events.pop_front() {
                kept.bytes -= old.len();
            }
        }
    }

    fn replay(&self, session: &str, stream: u64, after: u64, upto: u64) -> Vec<Bytes> {
        let sessions = self.sessions();
        let Some(kept) = sessions.get(session) else {
            return Vec::new();
        };
        kept.events
            .iter()
            .filter(|(at, _)| at.stream == stream && at.seq > after && at.seq <= upto)
            .map(|(_, frame)| frame.clone())
            .collect()
    }

    fn forget(&self, session: &str) {
        self.sessions().remove(session);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(stream: u64, seq: u64) -> EventPosition {
        EventPosition { stream, seq }
    }

    #[test]
    fn event_ids_round_trip_and_reject_garbage() {
        assert_eq!(EventPosition::parse("3-17"), Some(at(3, 17)));
        assert_eq!(at(3, 17).to_string(), "3-17");
        for bad in ["", "3", "-1", "a-b", "3-", "3-1-2"] {
            assert_eq!(EventPosition::parse(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn replay_gives_one_stream_after_the_cursor_in_order() {
        let store = InMemoryEventStore::default();
        for seq in 1..=3 {
            store.append("s", at(1, seq), Bytes::from(format!("one-{seq}")));
            store.append("s", at(2, seq), Bytes::from(format!("two-{seq}")));
        }
        store.append("other", at(1, 4), Bytes::from("elsewhere"));
        assert_eq!(store.replay("s", 1, 1, u64::MAX), ["one-2", "one-3"]);
        assert_eq!(store.replay("s", 2, 0, 2), ["two-1", "two-2"]);
        store.forget("s");
        assert!(store.replay("s", 1, 0, u64::MAX).is_empty());
        assert_eq!(store.replay("other", 1, 0, u64::MAX), ["elsewhere"]);
    }

    #[test]
    fn the_oldest_events_go_first_past_the_caps() {
        let store = InMemoryEventStore::new(2, 1 << 20);
        for seq in 1..=3 {
            store.append("s", at(1, seq), Bytes::from(seq.to_string()));
        }
        assert_eq!(store.replay("s", 1, 0, u64::MAX), ["2", "3"]);
        let store = InMemoryEventStore::new(100, 10);
        for seq in 1..=3 {
            store.append("s", at(1, seq), Bytes::from("1234"));
        }
        assert_eq!(
            store.replay("s", 1, 0, u64::MAX).len(),
            2,
            "8 bytes fit in 10, 12 do not"
        );
    }
}
