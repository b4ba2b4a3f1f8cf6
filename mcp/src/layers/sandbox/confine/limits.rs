//! The kernel's resource limits (`setrlimit`), set once at the start, and the CPU
//! limit moved forward before each call a warm worker serves.

use std::io;
use std::time::Duration;

use nix::sys::resource::{Resource, UsageWho, getrlimit, getrusage, setrlimit};

use super::super::policy::SandboxPolicy;

/// Threads a worker may run beside its processes (its runtime's own).
const THREAD_ALLOWANCE: u64 = 16;

/// Sets every limit of `policy` on this process (inherited by what it starts), for
/// a process that serves `calls` calls. `tasks_in_use` is what the process limit
/// must leave room for beyond the policy: the tasks that already count against it.
pub(super) fn apply(policy: &SandboxPolicy, tasks_in_use: u64, calls: u64) -> io::Result<()> {
    let cpu = policy.cpu_time.as_secs().max(1);
    // The soft limit sends SIGXCPU; the hard one, past every call's share, SIGKILL.
    // A warm worker's soft limit moves forward before each call (`renew_cpu`).
    let hard = cpu.saturating_mul(calls).saturating_add(1);
    setrlimit(Resource::RLIMIT_CPU, cpu, hard)?;
    setrlimit(Resource::RLIMIT_AS, policy.memory, policy.memory)?;
    setrlimit(Resource::RLIMIT_FSIZE, policy.file_size, policy.file_size)?;
    setrlimit(
        Resource::RLIMIT_NOFILE,
        policy.open_files,
        policy.open_files,
    )?;
    setrlimit(Resource::RLIMIT_CORE, 0, 0)?;
    let tasks = u64::from(policy.processes) + THREAD_ALLOWANCE + tasks_in_use;
    setrlimit(Resource::RLIMIT_NPROC, tasks, tasks)?;
    Ok(())
}

/// CPU time this process has used so far.
pub(crate) fn cpu_used() -> Duration {
    getrusage(UsageWho::RUSAGE_SELF)
        .map(|usage| timeval(usage.user_time()) + timeval(usage.system_time()))
        .unwrap_or_default()
}

fn timeval(time: nix::sys::time::TimeVal) -> Duration {
    let seconds = u64::try_from(time.tv_sec()).unwrap_or(0);
    let micros = u64::try_from(time.tv_usec()).unwrap_or(0);
    Duration::from_secs(seconds) + Duration::from_micros(micros)
}

/// The most resident memory this process has held, in bytes.
pub(crate) fn peak_rss() -> u64 {
    getrusage(UsageWho::RUSAGE_SELF)
        .map(|usage| u64::try_from(usage.max_rss()).unwrap_or(0) * 1024)
        .unwrap_or(0)
}

/// Gives the next call `limit` of CPU time from now: the soft limit moves to what
/// has been used plus `limit` (the hard limit was raised to allow for it at the
/// start, by the number of calls a worker serves).
pub(crate) fn renew_cpu(limit: Duration) -> io::Result<()> {
    let used = cpu_used().as_secs();
    let (_, hard) = getrlimit(Resource::RLIMIT_CPU)?;
    let soft = (used + limit.as_secs().max(1)).min(hard);
    setrlimit(Resource::RLIMIT_CPU, soft, hard)?;
    Ok(())
}
