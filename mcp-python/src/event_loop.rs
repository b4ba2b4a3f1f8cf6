//! The way into the asyncio event loop that runs `async def` handlers: a queue of
//! jobs and a socket the loop watches (`loop.add_reader`). A request's job is pushed
//! from the runtime's thread; the loop's reader callback ([`drain_async`]) runs the
//! queued jobs on the loop's own thread, where the handler's coroutine starts at once.
//!
//! This is one thread hop each way (runtime to loop, then loop to runtime through the
//! answer's channel), where going through a handler thread and
//! `asyncio.run_coroutine_threadsafe` took two, each a context switch.

use std::collections::VecDeque;
use std::io::{Read, Write};
use std::os::fd::AsRawFd;
use std::os::unix::net::UnixStream;
use std::sync::{Mutex, OnceLock, PoisonError};

use pyo3::exceptions::PyOSError;
use pyo3::prelude::*;

type Job = Box<dyn FnOnce(Python<'_>) + Send>;

struct Queue {
    jobs: Mutex<VecDeque<Job>>,
    /// Written to wake the loop; the loop reads `wake_reader`.
    wake_writer: UnixStream,
    wake_reader: UnixStream,
}

fn queue() -> PyResult<&'static Queue> {
    static QUEUE: OnceLock<Option<Queue>> = OnceLock::new();
    QUEUE
        .get_or_init(|| {
            let (wake_writer, wake_reader) = UnixStream::pair().ok()?;
            wake_writer.set_nonblocking(true).ok()?;
            wake_reader.set_nonblocking(true).ok()?;
            Some(Queue {
                jobs: Mutex::new(VecDeque::new()),
                wake_writer,
                wake_reader,
            })
        })
        .as_ref()
        .ok_or_else(|| PyOSError::new_err("no socket pair for the event loop's queue"))
}

/// Queues `job` for the event loop's thread; false if the queue could not be made.
pub(crate) fn submit(job: impl FnOnce(Python<'_>) + Send + 'static) -> bool {
    let Ok(queue) = queue() else {
        return false;
    };
    let was_empty = {
        let mut jobs = queue.jobs.lock().unwrap_or_else(PoisonError::into_inner);
        jobs.push_back(Box::new(job));
        jobs.len() == 1
    };
    if was_empty {
        // A full socket buffer means a wake-up is already pending.
        let _ = (&queue.wake_writer).write(&[1]);
    }
    true
}

/// The descriptor the event loop watches for queued jobs.
#[pyfunction]
pub(crate) fn async_queue_fd() -> PyResult<i32> {
    Ok(queue()?.wake_reader.as_raw_fd())
}

/// Runs every queued job; the loop's reader callback.
#[pyfunction]
pub(crate) fn drain_async(py: Python<'_>) -> PyResult<()> {
    let queue = queue()?;
    let mut sink = [0u8; 256];
    while matches!((&queue.wake_reader).read(&mut sink), Ok(n) if n > 0) {}
    loop {
        let job = queue
            .jobs
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .pop_front();
        let Some(job) = job else {
            return Ok(());
        };
        // A panic fails its own call (its answer is dropped), not the loop.
        let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| job(py)));
    }
}
