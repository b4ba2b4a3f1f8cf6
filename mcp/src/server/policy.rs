//! Per-tool policies: a timeout past which the call is cancelled and answered with an
//! `isError` result, and a cap on concurrent calls with a bounded queue behind it.
//!
//! Declared with `#[tool(timeout = "5s", max_concurrency = 4)]` (both checked at
//! compile time) or [`ToolDef::timeout`](super::ToolDef::timeout) and
//! [`ToolDef::max_concurrency`](super::ToolDef::max_concurrency). A tool with either
//! leaves the synchronous fast path: its calls are futures the policy can wait on
//! and drop.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use super::ToolError;

/// How many calls may wait for a slot by default, per tool, beyond those running.
pub const DEFAULT_MAX_QUEUED: usize = 64;

/// A tool's policy, shared by all its calls.
#[derive(Debug)]
pub(crate) struct Policy {
    pub(crate) timeout: Option<Duration>,
    pub(crate) slots: Option<Slots>,
}

/// The running calls' slots, and the queue behind them.
#[derive(Debug)]
pub(crate) struct Slots {
    semaphore: Arc<Semaphore>,
    waiting: AtomicUsize,
    max: usize,
    max_queued: usize,
}

impl Slots {
    pub(crate) fn new(max: usize, max_queued: usize) -> Self {
        let max = max.max(1);
        Slots {
            semaphore: Arc::new(Semaphore::new(max)),
            waiting: AtomicUsize::new(0),
            max,
            max_queued,
        }
    }

    /// A slot for one call of `tool`: at once, after waiting in the queue, or an
    /// error when the queue is full.
    pub(crate) async fn acquire(&self, tool: &str) -> Result<OwnedSemaphorePermit, ToolError> {
        if let Ok(permit) = self.semaphore.clone().try_acquire_owned() {
            return Ok(permit);
        }
        let queued = self.waiting.fetch_add(1, Ordering::AcqRel);
        let _leave = Leave(&self.waiting);
        if queued >= self.max_queued {
            return Err(ToolError::new(format!(
                "`{tool}` is busy: {} calls are running and {} are waiting, the most it takes; try again later",
                self.max, self.max_queued
            )));
        }
        self.semaphore
            .clone()
            .acquire_owned()
            .await
            .map_err(|_| ToolError::new(format!("`{tool}` is shutting down")))
    }

    /// How many calls may wait.
    pub(crate) fn max_queued(&self) -> usize {
        self.max_queued
    }

    /// How many calls wait now.
    #[cfg(test)]
    pub(crate) fn waiting(&self) -> usize {
        self.waiting.load(Ordering::Acquire)
    }
}

/// Leaves the queue when the wait ends, however it ends (a cancelled call too).
struct Leave<'a>(&'a AtomicUsize);

impl Drop for Leave<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

/// What a call past its timeout is answered.
pub(crate) fn timed_out(tool: &str, limit: Duration) -> ToolError {
    ToolError::new(format!(
        "`{tool}` did not finish within its timeout of {}: the call was cancelled",
        DurationText(limit)
    ))
}

/// `500ms`, `5s`, `2min`: a duration as the attributes write it.
struct DurationText(Duration);

impl std::fmt::Display for DurationText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let millis = self.0.as_millis();
        match millis {
            m if m % 3_600_000 == 0 && m > 0 => write!(f, "{}h", m / 3_600_000),
            m if m % 60_000 == 0 && m > 0 => write!(f, "{}min", m / 60_000),
            m if m % 1000 == 0 && m > 0 => write!(f, "{}s", m / 1000),
            m => write!(f, "{m}ms"),
        }
    }
}

/// Why a timeout string did not parse.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimeoutError;

impl TimeoutError {
    /// What to write instead.
    pub const fn message(self) -> &'static str {
        "invalid timeout: write a whole number and a unit (ms, s, min, h), as in \"500ms\", \"5s\" or \"2min\""
    }
}

impl std::fmt::Display for TimeoutError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.message())
    }
}

impl std::error::Error for TimeoutError {}

/// Reads `"500ms"`, `"5s"`, `"2min"`, `"1h"` (more than zero).
pub const fn parse_timeout(text: &str) -> Result<Duration, TimeoutError> {
    let bytes = text.as_bytes();
    let mut at = 0;
    let mut value: u64 = 0;
    while at < bytes.len() && bytes[at].is_ascii_digit() {
        value = match value.checked_mul(10) {
            Some(v) => match v.checked_add((bytes[at] - b'0') as u64) {
                Some(v) => v,
                None => return Err(TimeoutError),
            },
            None => return Err(TimeoutError),
        };
        at += 1;
    }
    if at == 0 || value == 0 {
        return Err(TimeoutError);
    }
    let unit_ms: u64 = match unit(bytes, at) {
        Some(ms) => ms,
        None => return Err(TimeoutError),
    };
    match value.checked_mul(unit_ms) {
        Some(ms) => Ok(Duration::from_millis(ms)),
        None => Err(TimeoutError),
    }
}

/// [`parse_timeout`] in a `const` context, where an error stops the compilation with
/// its message: how `#[tool(timeout = "..")]` checks its string.
#[doc(hidden)]
pub const fn parse_timeout_or_panic(text: &str) -> Duration {
    match parse_timeout(text) {
        Ok(limit) => limit,
        Err(error) => {
            let message = error.message();
            panic!("{}", message)
        }
    }
}

const fn unit(bytes: &[u8], at: usize) -> Option<u64> {
    if rest_is(bytes, at, b"ms") {
        Some(1)
    } else if rest_is(bytes, at, b"s") {
        Some(1000)
    } else if rest_is(bytes, at, b"min") {
        Some(60_000)
    } else if rest_is(bytes, at, b"h") {
        Some(3_600_000)
    } else {
        None
    }
}

/// Whether `bytes` from `at` on is exactly `word`.
const fn rest_is(bytes: &[u8], at: usize, word: &[u8]) -> bool {
    word.len() == bytes.len() - at && super::quota::word_at(bytes, at, word)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_timeouts() {
        assert_eq!(parse_timeout("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_timeout("5s"), Ok(Duration::from_secs(5)));
        assert_eq!(parse_timeout("2min"), Ok(Duration::from_secs(120)));
        assert_eq!(parse_timeout("1h"), Ok(Duration::from_secs(3600)));
        for bad in [
            "",
            "0s",
            "5",
            "s",
            "5 s",
            "5sec",
            "-1s",
            "99999999999999999999h",
        ] {
            assert_eq!(parse_timeout(bad), Err(TimeoutError), "{bad:?}");
        }
        assert_eq!(DurationText(Duration::from_secs(120)).to_string(), "2min");
        assert_eq!(
            DurationText(Duration::from_millis(1500)).to_string(),
            "1500ms"
        );
    }

    #[tokio::test]
    async fn the_queue_is_bounded() {
        let slots = Arc::new(Slots::new(1, 1));
        let running = slots.acquire("t").await.expect("a slot");
        let waiter = {
            let slots = slots.clone();
            tokio::spawn(async move { slots.acquire("t").await.map(drop) })
        };
        while slots.waiting() == 0 {
            tokio::task::yield_now().await;
        }
        let refused = slots.acquire("t").await.expect_err("the queue is full");
        assert!(refused.to_string().contains("is busy"), "{refused}");
        drop(running);
        waiter
            .await
            .expect("joined")
            .expect("the waiter got the slot");
        assert_eq!(slots.waiting(), 0);
    }
}
