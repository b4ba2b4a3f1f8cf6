//! The threads plain (not `async def`) Python handlers run on, never the runtime's:
//! the thread that reads requests (and cancellations) must not wait for the GIL.
//!
//! Each thread attaches to the interpreter once and keeps its Python thread state
//! for its life, waiting for work with the GIL released: attaching per call would
//! create and destroy a thread state every time (`PyGILState_Ensure` on a thread
//! without one), a cost larger than a small handler's.
//!
//! Python runs one thread at a time, so under load the work goes to the thread that
//! already holds the GIL: it takes the next job as it finishes one, and the others
//! sleep. Handing the GIL from thread to thread per call would cost more than a short
//! handler. The other threads are for handlers that wait outside Python
//! (`time.sleep`, blocking I/O): while jobs are queued, one idle thread stands by and
//! takes the next job as soon as every running job has gone on longer than
//! [`STALLED`], so a blocked handler does not hold up the calls behind it.

use std::collections::VecDeque;
use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard, OnceLock, PoisonError};
use std::time::{Duration, Instant};

use pyo3::prelude::*;
use tokio::sync::oneshot;

/// How many handlers may run at once by default: Python runs one at a time under the
/// GIL, but a handler that waits outside Python (I/O, `time.sleep`) lets another run.
const THREADS: usize = 4;

/// How long a job runs before a standing-by thread takes the next one beside it.
const STALLED: Duration = Duration::from_millis(2);

/// How long the interpreter's exit waits for running jobs.
const EXIT_GRACE: Duration = Duration::from_secs(1);

/// Set once the interpreter exits ([`close`]): no thread takes a job after it.
static CLOSED: AtomicBool = AtomicBool::new(false);

type Job = Box<dyn FnOnce(Python<'_>) + Send>;

#[derive(Default)]
struct State {
    jobs: VecDeque<Job>,
    /// When each thread started its current job (`None`: it has none).
    started: Vec<Option<Instant>>,
    /// Whether an idle thread is polling for stalled jobs.
    standby: bool,
    /// The idle threads, the one that went idle last on top.
    idle: Vec<usize>,
}

impl State {
    fn running(&self) -> usize {
        self.started.iter().flatten().count()
    }

    /// Whether every running job has gone on longer than [`STALLED`] (true when none
    /// runs): an idle thread should then take the next job.
    fn stalled(&self, now: Instant) -> bool {
        self.started
            .iter()
            .flatten()
            .all(|&since| now.duration_since(since) >= STALLED)
    }

    fn take(&mut self, worker: usize) -> Option<Job> {
        let job = self.jobs.pop_front()?;
        self.started[worker] = Some(Instant::now());
        Some(job)
    }
}

struct Pool {
    state: Mutex<State>,
    /// One per thread, so a job wakes the thread that went idle last: its caches are
    /// warm, and the work stays with one thread instead of touring them all.
    wakes: Vec<Condvar>,
}

impl Pool {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn push(&self, job: Job) {
        if CLOSED.load(Ordering::Acquire) {
            // Dropped unrun: whoever waits for its answer hears that it could not run.
            return;
        }
        let mut state = self.lock();
        state.jobs.push_back(job);
        // Someone must take it: no thread is running (and will take it when done),
        // or none stands by to notice the running ones stall.
        if (state.running() == 0 || !state.standby)
            && let Some(&worker) = state.idle.last()
        {
            self.wakes[worker].notify_one();
        }
    }

    /// Waits, with the GIL released, until this idle thread should take a job.
    fn wait(&self, worker: usize) -> Job {
        let mut state = self.lock();
        // Only now, with the GIL let go, does this thread stop counting as running: a
        // job pushed meanwhile is left to it rather than to a thread that would wait
        // for the GIL it still held.
        state.started[worker] = None;
        state.idle.push(worker);
        let mut standing_by = false;
        loop {
            if CLOSED.load(Ordering::Acquire) {
                // Taking the GIL back now would meet a finalizing interpreter, which
                // ends the thread with a forced unwind that aborts the process.
                state.jobs.clear();
                state = self.wakes[worker]
                    .wait(state)
                    .unwrap_or_else(PoisonError::into_inner);
                continue;
            }
            if !state.jobs.is_empty()
                && state.stalled(Instant::now())
                && let Some(job) = state.take(worker)
            {
                state.idle.retain(|&idle| idle != worker);
                if standing_by {
                    state.standby = false;
                }
                return job;
            }
            if state.jobs.is_empty() || (state.standby && !standing_by) {
                if standing_by {
                    state.standby = false;
                    standing_by = false;
                }
                state = self.wakes[worker]
                    .wait(state)
                    .unwrap_or_else(PoisonError::into_inner);
            } else {
                state.standby = true;
                standing_by = true;
                state = self.wakes[worker]
                    .wait_timeout(state, STALLED)
                    .unwrap_or_else(PoisonError::into_inner)
                    .0;
            }
        }
    }
}

/// The number of handler threads: `BOLTMCP_HANDLER_THREADS`, or [`THREADS`].
fn thread_count() -> usize {
    std::env::var("BOLTMCP_HANDLER_THREADS")
        .ok()
        .and_then(|n| n.parse().ok())
        .filter(|&n| (1..=256).contains(&n))
        .unwrap_or(THREADS)
}

static POOL: OnceLock<&'static Pool> = OnceLock::new();

fn pool() -> &'static Pool {
    POOL.get_or_init(|| {
        let threads = thread_count();
        let pool: &'static Pool = Box::leak(Box::new(Pool {
            state: Mutex::new(State {
                started: vec![None; threads],
                ..State::default()
            }),
            wakes: (0..threads).map(|_| Condvar::new()).collect(),
        }));
        for worker in 0..threads {
            // A thread that cannot start leaves the others to do the work.
            let _ = std::thread::Builder::new()
                .name(format!("boltmcp-python-{worker}"))
                .spawn(move || serve(pool, worker));
        }
        pool
    })
}

fn serve(pool: &'static Pool, worker: usize) {
    Python::attach(|py| {
        loop {
            // The thread that holds the GIL takes the next job without letting go (it
            // counts as running until it lets go: see `Pool::wait`).
            let queued = pool.lock().take(worker);
            let job = match queued {
                Some(job) => job,
                None => py.detach(|| pool.wait(worker)),
            };
            // A panic fails its own call (its answer is dropped), not the thread.
            let _ = std::panic::catch_unwind(AssertUnwindSafe(|| job(py)));
        }
    });
}

/// At the interpreter's exit (`atexit`): no job starts from now on, and those
/// running get [`EXIT_GRACE`] to finish, with the GIL released for them.
#[pyfunction(name = "close_handler_threads")]
pub(crate) fn close(py: Python<'_>) {
    CLOSED.store(true, Ordering::Release);
    let Some(pool) = POOL.get() else {
        return;
    };
    py.detach(|| {
        let deadline = Instant::now() + EXIT_GRACE;
        let mut state = pool.lock();
        state.jobs.clear();
        while state.running() > 0 && Instant::now() < deadline {
            drop(state);
            std::thread::sleep(Duration::from_millis(1));
            state = pool.lock();
        }
    });
}

/// Runs `job` with the GIL on a handler thread; `None` if it could not run.
pub(crate) async fn run<T: Send + 'static>(
    job: impl FnOnce(Python<'_>) -> T + Send + 'static,
) -> Option<T> {
    let (answer, answered) = oneshot::channel();
    pool().push(Box::new(move |py| {
        let _ = answer.send(job(py));
    }));
    answered.await.ok()
}

/// Queues `job` for a handler thread without waiting for it (callbacks whose answer
/// nobody awaits: progress, notifications, an async call's completion).
pub(crate) fn submit(job: impl FnOnce(Python<'_>) + Send + 'static) {
    pool().push(Box::new(job));
}
