//! Per-connection state: the legacy lifecycle (`ExpectInitialize` → `ExpectInitialized`
//! → `Operational`), the negotiated version, log level, resource subscriptions and the
//! cancellation tokens of requests in flight.

use std::collections::{HashMap, HashSet};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU8, Ordering};

use tokio_util::sync::CancellationToken;

use super::ShutdownSignal;
use crate::protocol::{
    ClientCapabilities, Implementation, LoggingLevel, ProtocolVersion, RequestId,
};
use crate::sync::lock;

/// Where a legacy connection is in its lifecycle (2025-11-25 `basic/lifecycle`).
#[derive(Debug, Clone, Default)]
pub(crate) enum Phase {
    /// Nothing but `initialize` (and `ping`) yet.
    #[default]
    ExpectInitialize,
    /// `initialize` answered; waiting for `notifications/initialized`.
    ExpectInitialized(Negotiated),
    /// The handshake is complete.
    Operational(Negotiated),
    /// `initialize` was answered with this error; the client may send it again.
    InitializeFailed(std::sync::Arc<str>),
}

/// What `initialize` settled.
#[derive(Debug, Clone)]
pub(crate) struct Negotiated {
    pub(crate) version: ProtocolVersion,
    pub(crate) client_capabilities: ClientCapabilities,
    pub(crate) client_info: Option<Implementation>,
}

const LEVEL_UNSET: u8 = u8::MAX;

/// The state one connection (a stdio pipe, an HTTP session) keeps between requests.
#[derive(Debug, Default)]
pub(crate) struct Session {
    phase: Mutex<Phase>,
    log_level: AtomicU8Level,
    subscriptions: Mutex<HashSet<String>>,
    in_flight: Mutex<HashMap<RequestId, CancellationToken>>,
    /// How many requests are in flight, read without the lock on the hot path.
    running: std::sync::atomic::AtomicUsize,
    /// The transport's shutdown, as the connection's long-lived requests see it.
    shutdown: std::sync::OnceLock<ShutdownSignal>,
}

#[derive(Debug)]
struct AtomicU8Level(AtomicU8);

impl Default for AtomicU8Level {
    fn default() -> Self {
        AtomicU8Level(AtomicU8::new(LEVEL_UNSET))
    }
}

impl Session {
    /// The negotiated legacy state, once `initialize` has been answered.
    pub(crate) fn negotiated(&self) -> Option<Negotiated> {
        match &*lock(&self.phase) {
            Phase::ExpectInitialize | Phase::InitializeFailed(_) => None,
            Phase::ExpectInitialized(n) | Phase::Operational(n) => Some(n.clone()),
        }
    }

    pub(crate) fn legacy_version(&self) -> Option<ProtocolVersion> {
        match &*lock(&self.phase) {
            Phase::ExpectInitialize | Phase::InitializeFailed(_) => None,
            Phase::ExpectInitialized(n) | Phase::Operational(n) => Some(n.version),
        }
    }

    pub(crate) fn set_initializing(&self, negotiated: Negotiated) {
        *lock(&self.phase) = Phase::ExpectInitialized(negotiated);
    }

    /// Records that `initialize` failed, unless a handshake already succeeded.
    pub(crate) fn set_initialize_failed(&self, reason: &str) {
        let mut phase = lock(&self.phase);
        if let Phase::ExpectInitialize | Phase::InitializeFailed(_) = &*phase {
            *phase = Phase::InitializeFailed(reason.into());
        }
    }

    /// Why `initialize` failed, when it did and no handshake succeeded since.
    pub(crate) fn initialize_failure(&self) -> Option<std::sync::Arc<str>> {
        match &*lock(&self.phase) {
            Phase::InitializeFailed(reason) => Some(reason.clone()),
            _ => None,
        }
    }

    pub(crate) fn mark_initialized(&self) {
        let mut phase = lock(&self.phase);
        if let Phase::ExpectInitialized(n) = &*phase {
            *phase = Phase::Operational(n.clone());
        }
    }

    /// The connection's shutdown signal (one of its own unless the transport gave one).
    pub(crate) fn shutdown(&self) -> &ShutdownSignal {
        self.shutdown.get_or_init(ShutdownSignal::new)
    }

    /// Uses the transport's signal; false when the session already has one.
    pub(crate) fn set_shutdown(&self, signal: ShutdownSignal) -> bool {
        self.shutdown.set(signal).is_ok()
    }

    pub(crate) fn log_level(&self) -> Option<LoggingLevel> {
        level_from_u8(self.log_level.0.load(Ordering::Relaxed))
    }

    pub(crate) fn set_log_level(&self, level: LoggingLevel) {
        self.log_level.0.store(level as u8, Ordering::Relaxed);
    }

    pub(crate) fn subscribe(&self, uri: &str) {
        lock(&self.subscriptions).insert(uri.to_owned());
    }

    pub(crate) fn unsubscribe(&self, uri: &str) {
        lock(&self.subscriptions).remove(uri);
    }

    pub(crate) fn is_subscribed(&self, uri: &str) -> bool {
        lock(&self.subscriptions).contains(uri)
    }

    /// Registers a request in flight; false if a request with this id is already running.
    pub(crate) fn begin(&self, id: &RequestId, token: CancellationToken) -> bool {
        let mut map = lock(&self.in_flight);
        if map.contains_key(id) {
            return false;
        }
        map.insert(id.clone(), token);
        self.running.store(map.len(), Ordering::Relaxed);
        true
    }

    pub(crate) fn is_running(&self, id: &RequestId) -> bool {
        self.running.load(Ordering::Relaxed) != 0 && lock(&self.in_flight).contains_key(id)
    }

    pub(crate) fn finish(&self, id: &RequestId) {
        let mut map = lock(&self.in_flight);
        map.remove(id);
        self.running.store(map.len(), Ordering::Relaxed);
    }

    /// Cancels a request in flight (a `notifications/cancelled`); unknown ids are ignored,
    /// as the spec allows for requests that already finished.
    pub(crate) fn cancel(&self, id: &RequestId) -> bool {
        let mut map = lock(&self.in_flight);
        let removed = map.remove(id);
        self.running.store(map.len(), Ordering::Relaxed);
        drop(map);
        match removed {
            Some(token) => {
                token.cancel();
                true
            }
            None => false,
        }
    }

    /// Cancels everything in flight: the connection is going away.
    pub(crate) fn cancel_all(&self) {
        let mut map = lock(&self.in_flight);
        self.running.store(0, Ordering::Relaxed);
        for (_, token) in map.drain() {
            token.cancel();
        }
    }

    pub(crate) fn in_flight(&self) -> usize {
        lock(&self.in_flight).len()
    }
}

pub(crate) fn level_from_u8(n: u8) -> Option<LoggingLevel> {
    use LoggingLevel::*;
    [
        Debug, Info, Notice, Warning, Error, Critical, Alert, Emergency,
    ]
    .into_iter()
    .find(|l| *l as u8 == n)
}
