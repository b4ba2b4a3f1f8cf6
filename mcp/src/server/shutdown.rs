//! A transport's graceful shutdown, as the requests it carries see it.
//!
//! Most requests end on their own, so a transport that stops accepting work can
//! simply wait for them. `subscriptions/listen` never does: it lasts until the client
//! leaves or the server tears it down, and the spec gives it a final result for the
//! second case ("the subscription has ended gracefully, for example during server
//! shutdown": 2026-07-28 schema, `SubscriptionsListenResult`). Each connection has a
//! [`ShutdownSignal`]: its own, triggered by `Connection::begin_shutdown` (stdio does
//! at the end of input), or one a transport shares among its connections with
//! `Connection::with_shutdown` (the HTTP endpoint's `shutdown_streams`). When it is
//! triggered, every listen on those connections sends that result and ends, and the
//! transport's wait can finish.

use tokio_util::sync::CancellationToken;

/// Triggered once when a transport begins to shut down; cheap to clone, and every
/// clone sees the trigger.
#[derive(Clone, Debug, Default)]
pub struct ShutdownSignal(CancellationToken);

impl ShutdownSignal {
    /// A signal not yet triggered.
    pub fn new() -> Self {
        Self::default()
    }

    /// Begins the shutdown: long-lived requests end with their final result.
    pub fn trigger(&self) {
        self.0.cancel();
    }

    /// Whether [`trigger`](Self::trigger) has been called.
    pub fn is_triggered(&self) -> bool {
        self.0.is_cancelled()
    }

    /// Completes once the signal is triggered (at once if it already was).
    pub async fn triggered(&self) {
        self.0.cancelled().await;
    }
}
