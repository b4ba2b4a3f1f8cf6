//! The check a transport makes when it starts: that the Tokio runtime it runs on has
//! the drivers a server needs.
//!
//! A runtime built with `enable_io()` alone serves until the first request meets a
//! timer (tower's `TimeoutLayer`, a handler's `tokio::time::sleep`), and from then on
//! each such request fails with a caught panic. Failing once, at start, with a
//! sentence that says what to change is kinder.
//!
//! Tokio offers no way to ask a runtime which drivers it has, so the check builds the
//! smallest object that needs each driver and catches the panic Tokio raises when the
//! driver is missing. The panic's message is silenced for the probe's own thread only:
//! a panic hook installed once passes every other panic to the hook that was there.
//! (Under `panic = "abort"` the probe aborts the process with Tokio's own message,
//! which is still at start.)

use std::cell::Cell;
use std::io;
use std::panic::AssertUnwindSafe;
use std::sync::Once;

thread_local! {
    static PROBING: Cell<bool> = const { Cell::new(false) };
}

/// Fails unless the current runtime has the time driver and, when `needs_io`, the IO
/// driver.
pub(crate) fn require_drivers(needs_io: bool) -> io::Result<()> {
    if tokio::runtime::Handle::try_current().is_err() {
        return Err(io::Error::other(
            "boltmcp: serving needs a Tokio runtime; call this inside one \
             (#[tokio::main], or Runtime::block_on)",
        ));
    }
    if !probe(|| drop(tokio::time::sleep(std::time::Duration::ZERO))) {
        return Err(missing("time"));
    }
    #[cfg(unix)]
    if needs_io && !probe(|| drop(tokio::net::UnixStream::pair())) {
        return Err(missing("IO"));
    }
    #[cfg(not(unix))]
    let _ = needs_io;
    Ok(())
}

fn missing(driver: &str) -> io::Error {
    io::Error::other(format!(
        "boltmcp: the Tokio runtime has no {driver} driver, which the server needs \
         (tower layers such as TimeoutLayer and handlers use timers; transports use IO). \
         Build the runtime with Builder::enable_all(), or use #[tokio::main]"
    ))
}

/// Runs `f`; false when it panicked. The panic's message is not printed.
fn probe(f: impl FnOnce()) -> bool {
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !PROBING.with(Cell::get) {
                previous(info);
            }
        }));
    });
    PROBING.with(|probing| probing.set(true));
    let completed = std::panic::catch_unwind(AssertUnwindSafe(f)).is_ok();
    PROBING.with(|probing| probing.set(false));
    completed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_runtime_without_timers_is_refused_with_a_sentence_that_says_what_to_do() {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_io()
            .build()
            .expect("runtime");
        let err = runtime
            .block_on(async { require_drivers(true) })
            .expect_err("no time driver");
        let message = err.to_string();
        assert!(message.contains("no time driver"), "{message}");
        assert!(message.contains("enable_all()"), "{message}");
    }

    #[test]
    fn a_runtime_without_io_is_refused_when_io_is_needed() {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .expect("runtime");
        runtime
            .block_on(async { require_drivers(false) })
            .expect("time is enough without IO");
        #[cfg(unix)]
        {
            let err = runtime
                .block_on(async { require_drivers(true) })
                .expect_err("no IO driver");
            assert!(err.to_string().contains("no IO driver"), "{err}");
        }
    }

    #[test]
    fn a_full_runtime_passes_and_outside_one_is_an_error() {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        runtime
            .block_on(async { require_drivers(true) })
            .expect("every driver");
        assert!(require_drivers(false).is_err(), "no runtime at all");
    }
}
