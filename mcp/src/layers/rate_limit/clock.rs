//! The clock the local budgets read: the TSC (quanta), read at most once per
//! admission, and only when a budget is charged.
//!
//! A request is charged to up to four budgets, and governor reads its clock in each
//! check. [`Admission`] marks the rate-limit gate's work on one request: the first
//! check in it reads the clock, and every later check on this thread until it ends
//! is lent that instant. One instant for the whole admission is also the consistent
//! answer: every budget is judged at the same moment. A request no budget applies to
//! (`initialize`, a list, an unlimited tool) reads no clock at all; a check outside
//! an admission reads it itself.
//!
//! Reading the TSC through a shared `quanta::Clock` saves about 12 ns a check over
//! `std::time::Instant` (`benches/benches/rate_limit.rs`, keyed check), and avoids
//! `quanta::Instant::now`'s look for a mocked clock in a thread-local on every call.
//! Its price is a calibration on the first reading, spinning from about 1 ms on a
//! quiet machine up to 200 ms on a busy one: hence no reading before a budget is
//! charged, so that a server's `initialize`, and every server without a budget,
//! never pay it.

use std::cell::Cell;
use std::sync::OnceLock;

use governor::clock::Clock;
use governor::nanos::Nanos;

/// Nanoseconds since the clock's first reading, as governor's instant.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct AdmissionClock;

/// Nanoseconds since the first reading.
fn read() -> Nanos {
    static CLOCK: OnceLock<(quanta::Clock, quanta::Instant)> = OnceLock::new();
    let (clock, origin) = CLOCK.get_or_init(|| {
        let clock = quanta::Clock::new();
        let origin = clock.now();
        (clock, origin)
    });
    Nanos::from(clock.now().saturating_duration_since(*origin))
}

/// What this thread's checks read: the clock (outside an admission), or the
/// admission's instant, read by its first check.
#[derive(Debug, Clone, Copy)]
enum Held {
    Outside,
    Unread,
    Read(Nanos),
}

thread_local! {
    static HELD: Cell<Held> = const { Cell::new(Held::Outside) };
}

impl Clock for AdmissionClock {
    type Instant = Nanos;

    fn now(&self) -> Nanos {
        HELD.with(|held| match held.get() {
            Held::Outside => read(),
            Held::Unread => {
                let now = read();
                held.set(Held::Read(now));
                now
            }
            Held::Read(now) => now,
        })
    }
}

/// One admission on this thread: its checks share one reading of the clock.
pub(super) struct Admission(Held);

impl Admission {
    pub(super) fn begin() -> Self {
        Admission(HELD.with(|held| held.replace(Held::Unread)))
    }
}

impl Drop for Admission {
    fn drop(&mut self) {
        HELD.with(|held| held.set(self.0));
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn an_admission_reads_only_when_asked() {
        let _admission = Admission::begin();
        assert!(matches!(HELD.with(Cell::get), Held::Unread));
        let first = AdmissionClock.now();
        assert!(matches!(HELD.with(Cell::get), Held::Read(read) if read == first));
    }

    #[test]
    fn an_admission_lends_one_instant_and_gives_the_clock_back() {
        let clock = AdmissionClock;
        let held = {
            let _admission = Admission::begin();
            let first = clock.now();
            std::thread::sleep(Duration::from_millis(2));
            assert_eq!(clock.now(), first);
            first
        };
        std::thread::sleep(Duration::from_millis(2));
        assert!(clock.now() > held);
    }
}
