//! Legacy (2025-11-25 and older) HTTP sessions: minted by `initialize`, named by
//! `Mcp-Session-Id`, ended by DELETE, by the cap, or by idleness
//! (2025-11-25 `basic/transports` §Session Management).
//!
//! A session is one [`Connection`] whose own messages (list changes, resource
//! updates) go to its standalone stream, plus the POST streams still open.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, Instant};

use ring::rand::SystemRandom;

use super::event_store::EventStore;
use super::sse::{EventStream, StreamOutbox};
use crate::server::{Connection, Server};
use crate::sync::lock;

/// One legacy client's session.
#[derive(Debug)]
pub(crate) struct HttpSession {
    pub(crate) id: Arc<str>,
    pub(crate) conn: Connection,
    pub(crate) standalone: Arc<EventStream>,
    next_stream: AtomicU64,
    streams: Mutex<HashMap<u64, Arc<EventStream>>>,
    /// Milliseconds since the table's epoch at the last request.
    last_seen: AtomicU64,
    /// The [`Principal::id`](crate::server::Principal::id) of the caller that opened
    /// it: the session answers no one else.
    owner: Option<Arc<str>>,
}

impl HttpSession {
    /// A number for a new POST stream (0 is the standalone stream).
    pub(crate) fn next_stream(&self) -> u64 {
        self.next_stream.fetch_add(1, Ordering::Relaxed)
    }

    /// Keeps an SSE stream findable for `Last-Event-ID` while it is live.
    pub(crate) fn track(&self, stream: &Arc<EventStream>) {
        let mut streams = lock(&self.streams);
        if !stream.is_done() {
            streams.insert(stream.number(), stream.clone());
        }
    }

    pub(crate) fn untrack(&self, number: u64) {
        lock(&self.streams).remove(&number);
    }

    pub(crate) fn stream(&self, number: u64) -> Option<Arc<EventStream>> {
        if number == 0 {
            return Some(self.standalone.clone());
        }
        lock(&self.streams).get(&number).cloned()
    }

    fn busy(&self) -> bool {
        self.conn.in_flight() > 0 || self.standalone.has_reader()
    }

    fn close(&self, store: Option<&Arc<dyn EventStore>>) {
        self.conn.shutdown();
        self.standalone.finish(None);
        for (_, stream) in lock(&self.streams).drain() {
            stream.finish(None);
        }
        if let Some(store) = store {
            store.forget(&self.id);
        }
    }
}

/// Why no session could be made.
#[derive(Debug)]
pub(crate) enum NoSession {
    /// The cap is reached.
    AtCapacity,
    /// The system gave no randomness for an unguessable id.
    NoRandomness,
}

/// All live sessions of one endpoint.
#[derive(Debug)]
pub(crate) struct Sessions {
    inner: Arc<Table>,
}

#[derive(Debug)]
struct Table {
    map: Mutex<HashMap<Arc<str>, Arc<HttpSession>>>,
    epoch: Instant,
    idle_timeout: Duration,
    max: usize,
    store: Option<Arc<dyn EventStore>>,
    reaper: AtomicBool,
    random: SystemRandom,
}

impl Sessions {
    pub(crate) fn new(
        idle_timeout: Duration,
        max: usize,
        store: Option<Arc<dyn EventStore>>,
    ) -> Self {
        Sessions {
            inner: Arc::new(Table {
                map: Mutex::new(HashMap::new()),
                epoch: Instant::now(),
                idle_timeout,
                max,
                store,
                reaper: AtomicBool::new(false),
                random: SystemRandom::new(),
            }),
        }
    }

    pub(crate) fn store(&self) -> Option<&Arc<dyn EventStore>> {
        self.inner.store.as_ref()
    }

    /// How many sessions are live.
    pub(crate) fn len(&self) -> usize {
        lock(&self.inner.map).len()
    }

    /// Opens a session with an unguessable id.
    pub(crate) fn create(
        &self,
        server: &Server,
        owner: Option<Arc<str>>,
    ) -> Result<Arc<HttpSession>, NoSession> {
        self.start_reaper();
        // A session without an unguessable id is not one to hand out.
        let id: Arc<str> = crate::server::tasks::unguessable_id(&self.inner.random)
            .ok_or(NoSession::NoRandomness)?
            .into();
        let standalone = Arc::new(EventStream::standalone(
            id.clone(),
            self.inner.store.clone(),
        ));
        let session = Arc::new(HttpSession {
            conn: Connection::new(server.clone(), StreamOutbox(standalone.clone())),
            id: id.clone(),
            standalone,
            next_stream: AtomicU64::new(1),
            streams: Mutex::new(HashMap::new()),
            last_seen: AtomicU64::new(self.now()),
            owner,
        });
        let mut map = lock(&self.inner.map);
        if map.len() >= self.inner.max {
            return Err(NoSession::AtCapacity);
        }
        map.insert(id, session.clone());
        Ok(session)
    }

    /// The live session named `id`, marked as used now.
    /// The session `id`, when `caller` (a principal id, `None` without one) opened it:
    /// to anyone else it does not exist, and is answered 404 like an unknown one.
    pub(crate) fn get(&self, id: &str, caller: Option<&str>) -> Option<Arc<HttpSession>> {
        let session = lock(&self.inner.map).get(id).cloned()?;
        if session.owner.as_deref() != caller {
            return None;
        }
        session.last_seen.store(self.now(), Ordering::Relaxed);
        Some(session)
    }

    /// Every live session, without marking any as used.
    pub(crate) fn all(&self) -> Vec<Arc<HttpSession>> {
        lock(&self.inner.map).values().cloned().collect()
    }

    /// Ends the session `id` if `caller` opened it; false when there was none of theirs.
    pub(crate) fn remove_for(&self, id: &str, caller: Option<&str>) -> bool {
        match self.get(id, caller) {
            Some(_) => self.remove(id),
            None => false,
        }
    }

    /// Ends a session; false when there was none.
    pub(crate) fn remove(&self, id: &str) -> bool {
        let removed = lock(&self.inner.map).remove(id);
        match removed {
            Some(session) => {
                session.close(self.inner.store.as_ref());
                true
            }
            None => false,
        }
    }

    fn now(&self) -> u64 {
        self.inner.epoch.elapsed().as_millis() as u64
    }

    /// Frees, once in a while, the sessions idle past the timeout. The task holds
    /// the table weakly and ends with it.
    fn start_reaper(&self) {
        if self.inner.reaper.swap(true, Ordering::Relaxed) {
            return;
        }
        let table: Weak<Table> = Arc::downgrade(&self.inner);
        let period =
            (self.inner.idle_timeout / 4).clamp(Duration::from_millis(50), Duration::from_secs(60));
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(period).await;
                let Some(table) = table.upgrade() else { return };
                Table::reap(&table);
            }
        });
    }
}

impl Table {
    fn reap(&self) {
        let now = self.epoch.elapsed().as_millis() as u64;
        let limit = self.idle_timeout.as_millis() as u64;
        let idle: Vec<Arc<HttpSession>> = {
            let mut map = lock(&self.map);
            let ids: Vec<Arc<str>> = map
                .values()
                .filter(|s| {
                    now.saturating_sub(s.last_seen.load(Ordering::Relaxed)) >= limit && !s.busy()
                })
                .map(|s| s.id.clone())
                .collect();
            ids.iter().filter_map(|id| map.remove(id)).collect()
        };
        for session in idle {
            tracing::debug!(session = %session.id, "freeing an idle MCP session");
            session.close(self.store.as_ref());
        }
    }
}

impl Drop for Table {
    fn drop(&mut self) {
        for (_, session) in lock(&self.map).drain() {
            session.close(self.store.as_ref());
        }
    }
}
