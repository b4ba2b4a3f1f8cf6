//! A pool of warm workers for one policy: started with the server, one call at a
//! time each, replaced when they die, are killed, or have served their share.

use std::sync::{Arc, Mutex};

use tokio::sync::{Notify, OwnedSemaphorePermit, Semaphore};

use super::failure::Failure;
use super::policy::SandboxPolicy;
use super::worker::Worker;
use crate::sync::lock;

/// Workers ready for calls under one policy.
#[derive(Debug)]
pub(crate) struct Pool {
    pub(crate) policy: Arc<SandboxPolicy>,
    idle: Mutex<Vec<Worker>>,
    /// Workers running or starting: never more than the policy's count.
    live: Mutex<usize>,
    /// Told when a worker becomes idle.
    ready: Notify,
    /// One permit per worker: a call holds one while it runs.
    slots: Arc<Semaphore>,
    metrics: super::metrics::PoolMetrics,
}

/// A worker lent to one call, with its slot.
#[derive(Debug)]
pub(crate) struct Lease {
    pub(crate) worker: Worker,
    _slot: OwnedSemaphorePermit,
}

impl Pool {
    pub(crate) fn new(
        policy: SandboxPolicy,
        name: &str,
        recorder: super::metrics::SharedRecorder,
    ) -> Arc<Pool> {
        Arc::new(Pool {
            slots: Arc::new(Semaphore::new(policy.workers.max(1))),
            policy: Arc::new(policy),
            idle: Mutex::new(Vec::new()),
            live: Mutex::new(0),
            ready: Notify::new(),
            metrics: super::metrics::PoolMetrics::new(recorder, name),
        })
    }

    /// Starts the pool's warm workers in the background.
    pub(crate) fn warm(self: &Arc<Self>) {
        for _ in 0..self.policy.workers.max(1) {
            self.refill();
        }
    }

    /// Claims room for one more worker, if the pool has it.
    fn claim(&self) -> bool {
        let mut live = lock(&self.live);
        if *live < self.policy.workers.max(1) {
            *live += 1;
            true
        } else {
            false
        }
    }

    /// A worker is gone: its room is free.
    fn release(&self) {
        let mut live = lock(&self.live);
        *live = live.saturating_sub(1);
        self.ready.notify_one();
    }

    /// Starts one worker in the background, if the pool has room, and keeps it idle.
    fn refill(self: &Arc<Self>) {
        if !self.claim() {
            return;
        }
        let pool = self.clone();
        tokio::spawn(async move {
            match Worker::start(&pool.policy).await {
                Ok(worker) => {
                    pool.metrics.started();
                    lock(&pool.idle).push(worker);
                    pool.ready.notify_one();
                }
                Err(failure) => {
                    pool.release();
                    tracing::warn!("a sandbox worker did not start: {failure}");
                }
            }
        });
    }

    /// A worker for one call: an idle one, or a new one when none is idle; waits while
    /// every worker is busy.
    pub(crate) async fn lease(self: &Arc<Self>) -> Result<Lease, Failure> {
        let slot = self
            .slots
            .clone()
            .acquire_owned()
            .await
            .map_err(|_| Failure::Unavailable("the pool is closed".into()))?;
        loop {
            let ready = self.ready.notified();
            let idle = lock(&self.idle).pop();
            if let Some(mut worker) = idle {
                if worker.is_alive() {
                    return Ok(Lease {
                        worker,
                        _slot: slot,
                    });
                }
                // It died while idle: never blame a call for that.
                self.replace(worker, "died_idle");
                continue;
            }
            if self.claim() {
                return match Worker::start(&self.policy).await {
                    Ok(worker) => {
                        self.metrics.started();
                        Ok(Lease {
                            worker,
                            _slot: slot,
                        })
                    }
                    Err(failure) => {
                        self.release();
                        Err(failure)
                    }
                };
            }
            // Every worker is starting or being replaced: wait for one.
            ready.await;
        }
    }

    /// Takes a worker back after a call that ended well: idle again, or replaced when
    /// it has served its share of calls or memory.
    pub(crate) fn give_back(self: &Arc<Self>, lease: Lease) {
        let Lease { worker, _slot } = lease;
        if worker.calls >= self.policy.max_calls_per_worker {
            self.replace(worker, "calls");
        } else if worker.peak_rss > self.policy.max_worker_rss {
            self.replace(worker, "memory");
        } else {
            lock(&self.idle).push(worker);
        }
    }

    /// Ends `worker` and starts another in its place.
    pub(crate) fn replace(self: &Arc<Self>, worker: Worker, why: &'static str) {
        self.retire(worker, why);
        self.refill();
    }

    /// Ends `worker` in the background (killed, reaped, its directory removed).
    fn retire(self: &Arc<Self>, worker: Worker, why: &'static str) {
        self.metrics.replaced(why);
        self.release();
        let policy = self.policy.clone();
        worker.kill();
        tokio::spawn(async move {
            let _ = worker.end(&policy).await;
        });
    }

    /// Ends the worker of a call that failed, says how it died, and starts another.
    pub(crate) async fn bury(self: &Arc<Self>, lease: Lease) -> Option<Failure> {
        let Lease { worker, _slot } = lease;
        let failure = worker.end(&self.policy).await;
        self.metrics
            .replaced(failure.as_ref().map_or("exit", Failure::cause));
        self.release();
        self.refill();
        failure
    }
}

impl Pool {
    /// Ends every idle worker now (killed, reaped, its directory removed), leaving
    /// room for new ones: for a server that stopped serving but lives on.
    pub(crate) fn stop_idle(&self) {
        let idle: Vec<Worker> = lock(&self.idle).drain(..).collect();
        for worker in idle {
            self.release();
            drop(worker);
        }
    }
}

impl Drop for Pool {
    fn drop(&mut self) {
        for worker in lock(&self.idle).drain(..) {
            worker.kill();
        }
    }
}
