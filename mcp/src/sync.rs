//! Taking a lock. A handler's panic is caught and the server goes on serving, so a
//! mutex poisoned by one must not make every later request panic too: the data
//! behind these locks (maps of pending requests, sessions, tasks) stays consistent
//! between statements, and is used as it is.

use std::sync::{Mutex, MutexGuard, PoisonError};

/// Locks `m`, poisoned or not.
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}
