//! The threads Python handlers run on, never the runtime's: the thread that reads
//! requests (and cancellations) must not wait for the GIL.
//!
//! Each thread attaches to the interpreter once and keeps its Python thread state
//! for its life, waiting for work with the GIL released: attaching per call would
//! create and destroy a thread state every time (`PyGILState_Ensure` on a thread
//! without one), a cost larger than a small handler's.

use std::panic::AssertUnwindSafe;
use std::sync::{Arc, Mutex, OnceLock, PoisonError, mpsc};

use pyo3::prelude::*;
use tokio::sync::oneshot;

/// How many handlers may run at once: Python runs one at a time under the GIL, but
/// a handler that waits outside Python (I/O, `time.sleep`) lets another run.
const THREADS: usize = 4;

type Job = Box<dyn FnOnce(Python<'_>) + Send>;

fn jobs() -> &'static mpsc::Sender<Job> {
    static JOBS: OnceLock<mpsc::Sender<Job>> = OnceLock::new();
    JOBS.get_or_init(|| {
        let (sender, receiver) = mpsc::channel::<Job>();
        let receiver = Arc::new(Mutex::new(receiver));
        for index in 0..THREADS {
            let receiver = receiver.clone();
            // A thread that cannot start leaves the others to do the work.
            let _ = std::thread::Builder::new()
                .name(format!("boltmcp-python-{index}"))
                .spawn(move || serve(&receiver));
        }
        sender
    })
}

fn serve(receiver: &Mutex<mpsc::Receiver<Job>>) {
    Python::attach(|py| {
        loop {
            // Under load, the next job is taken while the GIL is still held: releasing
            // and taking it again between two short handlers costs more than either.
            let queued = receiver.try_lock().ok().and_then(|jobs| jobs.try_recv().ok());
            let next = match queued {
                Some(job) => Ok(job),
                None => py.detach(|| {
                    receiver
                        .lock()
                        .unwrap_or_else(PoisonError::into_inner)
                        .recv()
                }),
            };
            let Ok(job) = next else {
                return;
            };
            // A panic fails its own call (its answer is dropped), not the thread.
            let _ = std::panic::catch_unwind(AssertUnwindSafe(|| job(py)));
        }
    });
}

/// Runs `job` with the GIL on a handler thread; `None` if it could not run.
pub(crate) async fn run<T: Send + 'static>(
    job: impl FnOnce(Python<'_>) -> T + Send + 'static,
) -> Option<T> {
    let (answer, answered) = oneshot::channel();
    let job: Job = Box::new(move |py| {
        let _ = answer.send(job(py));
    });
    jobs().send(job).ok()?;
    answered.await.ok()
}

/// Queues `job` for a handler thread without waiting for it (callbacks whose answer
/// nobody awaits: progress, notifications, an async call's completion).
pub(crate) fn submit(job: impl FnOnce(Python<'_>) + Send + 'static) {
    let _ = jobs().send(Box::new(job));
}
