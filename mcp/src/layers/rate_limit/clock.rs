//! The clock the local budgets read: the TSC (quanta), read once per admission.
//!
//! A request is charged to up to four budgets, and governor reads its clock in each
//! check. [`Admission`] reads it once when the rate-limit gate starts on a request and
//! lends that instant to every check the gate makes on this thread until it ends; a
//! check outside an admission reads the clock itself. One instant for the whole
//! admission is also the consistent answer: every budget is judged at the same moment.

use std::cell::Cell;
use std::sync::OnceLock;

use governor::clock::Clock;
use governor::nanos::Nanos;

/// Nanoseconds since the clock's first reading, as governor's instant.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct AdmissionClock;

/// Nanoseconds since the first reading of the shared TSC clock.
fn read() -> Nanos {
    static ORIGIN: OnceLock<quanta::Instant> = OnceLock::new();
    let origin = *ORIGIN.get_or_init(crate::tsc::now);
    Nanos::from(crate::tsc::since(origin))
}

thread_local! {
    static HELD: Cell<Option<Nanos>> = const { Cell::new(None) };
}

impl Clock for AdmissionClock {
    type Instant = Nanos;

    fn now(&self) -> Nanos {
        HELD.with(Cell::get).unwrap_or_else(read)
    }
}

/// Holds one reading of the clock for the checks of one admission, on this thread.
pub(super) struct Admission(Option<Nanos>);

impl Admission {
    pub(super) fn begin() -> Self {
        Admission(HELD.with(|held| held.replace(Some(read()))))
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
