//! One TSC clock (quanta) for the layers that read the time on every request: the
//! metrics layer's durations and the rate limits' budgets. Read through a shared
//! `quanta::Clock`: `quanta::Instant::now` would first look in a thread-local for a
//! mocked clock, on every call.

use std::sync::OnceLock;
use std::time::Duration;

fn clock() -> &'static quanta::Clock {
    static CLOCK: OnceLock<quanta::Clock> = OnceLock::new();
    CLOCK.get_or_init(quanta::Clock::new)
}

/// Now.
pub(crate) fn now() -> quanta::Instant {
    clock().now()
}

/// The time since `earlier`, or zero.
pub(crate) fn since(earlier: quanta::Instant) -> Duration {
    now().saturating_duration_since(earlier)
}
