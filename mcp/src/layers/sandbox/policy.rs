//! [`SandboxPolicy`]: what a sandboxed tool (or command) may use. One policy is one
//! pool of workers; every limit is checked by the kernel, not by boltmcp.
//!
//! The parent hands the policy to a worker on its command line, so it is plain data
//! (serde), never code.

use std::path::PathBuf;
use std::time::Duration;

use serde::{Deserialize, Serialize};

const MIB: u64 = 1024 * 1024;

/// Limits and allowances of a sandbox, with safe defaults: no network, no process
/// creation, a read-only view of the system's programs and libraries, one private
/// scratch directory, 256 MiB of address space, 2 s of CPU and 5 s of wall clock per
/// call, 16 MiB per written file, 64 open files.
///
/// ```
/// use std::time::Duration;
/// use boltmcp::layers::sandbox::SandboxPolicy;
/// let heavy = SandboxPolicy::default()
///     .memory(1024 * 1024 * 1024)
///     .cpu_time(Duration::from_secs(10))
///     .wall_clock(Duration::from_secs(30))
///     .read_only("/opt/models");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SandboxPolicy {
    /// CPU time per call (`RLIMIT_CPU`; past it the kernel sends `SIGXCPU`).
    pub cpu_time: Duration,
    /// Address space in bytes (`RLIMIT_AS`): an allocation past it fails.
    pub memory: u64,
    /// The largest file the sandbox may write, in bytes (`RLIMIT_FSIZE`).
    pub file_size: u64,
    /// Open file descriptors (`RLIMIT_NOFILE`).
    pub open_files: u64,
    /// Processes the sandbox may run at once, itself included: 1 forbids creating
    /// any (seccomp kills a worker that forks or executes a program).
    pub processes: u32,
    /// Wall-clock time per call; past it the worker's whole process group is killed.
    pub wall_clock: Duration,
    /// Whether the sandbox may use the network (denied by default: a network
    /// namespace of its own, seccomp refusing non-Unix sockets, landlock refusing
    /// TCP).
    pub network: bool,
    /// Paths readable (and executable) beyond the defaults.
    pub read_only: Vec<PathBuf>,
    /// Paths writable beyond the scratch directory.
    pub read_write: Vec<PathBuf>,
    /// Environment variables passed through from the server, by name (`PATH`,
    /// `HOME` and `TMPDIR` are always set, to fixed values).
    pub env: Vec<String>,
    /// Warm workers kept ready (for tools; commands start one process per run).
    pub workers: usize,
    /// A worker is replaced after this many calls.
    pub max_calls_per_worker: u64,
    /// A worker whose peak resident memory passed this many bytes is replaced after
    /// its call.
    pub max_worker_rss: u64,
}

impl Default for SandboxPolicy {
    fn default() -> Self {
        SandboxPolicy {
            cpu_time: Duration::from_secs(2),
            memory: 256 * MIB,
            file_size: 16 * MIB,
            open_files: 64,
            processes: 1,
            wall_clock: Duration::from_secs(5),
            network: false,
            read_only: Vec::new(),
            read_write: Vec::new(),
            env: vec!["LANG".into(), "LC_ALL".into(), "TZ".into()],
            workers: 2,
            max_calls_per_worker: 10_000,
            max_worker_rss: 128 * MIB,
        }
    }
}

impl SandboxPolicy {
    /// The default policy for [`SandboxedCommand`](super::SandboxedCommand): as
    /// [`default`](Self::default), with room for 16 processes so that ordinary
    /// pipelines (`ls | wc -l`) work.
    pub fn for_commands() -> Self {
        SandboxPolicy {
            processes: 16,
            ..Self::default()
        }
    }

    /// CPU time per call.
    pub fn cpu_time(mut self, limit: Duration) -> Self {
        self.cpu_time = limit;
        self
    }

    /// Address space, in bytes.
    pub fn memory(mut self, bytes: u64) -> Self {
        self.memory = bytes;
        self
    }

    /// Largest written file, in bytes.
    pub fn file_size(mut self, bytes: u64) -> Self {
        self.file_size = bytes;
        self
    }

    /// Open file descriptors.
    pub fn open_files(mut self, count: u64) -> Self {
        self.open_files = count;
        self
    }

    /// Processes at once, the sandbox itself included (1: none may be created).
    pub fn processes(mut self, count: u32) -> Self {
        self.processes = count.max(1);
        self
    }

    /// Wall-clock time per call.
    pub fn wall_clock(mut self, limit: Duration) -> Self {
        self.wall_clock = limit;
        self
    }

    /// Lets the sandbox use the network.
    pub fn allow_network(mut self) -> Self {
        self.network = true;
        self
    }

    /// Makes `path` (and what is beneath it) readable.
    pub fn read_only(mut self, path: impl Into<PathBuf>) -> Self {
        self.read_only.push(path.into());
        self
    }

    /// Makes `path` (and what is beneath it) writable.
    pub fn read_write(mut self, path: impl Into<PathBuf>) -> Self {
        self.read_write.push(path.into());
        self
    }

    /// Passes the server's environment variable `name` through.
    pub fn env(mut self, name: impl Into<String>) -> Self {
        self.env.push(name.into());
        self
    }

    /// Warm workers kept ready.
    pub fn workers(mut self, count: usize) -> Self {
        self.workers = count.max(1);
        self
    }

    /// Calls a worker serves before it is replaced.
    pub fn max_calls_per_worker(mut self, calls: u64) -> Self {
        self.max_calls_per_worker = calls.max(1);
        self
    }

    /// Peak resident memory past which a worker is replaced after its call.
    pub fn max_worker_rss(mut self, bytes: u64) -> Self {
        self.max_worker_rss = bytes;
        self
    }
}

/// A byte count the way people read it: `256 MiB`, `4 GiB`, `512 KiB`.
pub(crate) fn bytes_text(bytes: u64) -> String {
    const UNITS: [(&str, u64); 3] = [("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)];
    for (unit, size) in UNITS {
        if bytes >= size && bytes.is_multiple_of(size) {
            return format!("{} {unit}", bytes / size);
        }
    }
    format!("{bytes} bytes")
}

/// A duration the way people read it: `5 s`, `1.5 s`, `250 ms`.
pub(crate) fn duration_text(limit: Duration) -> String {
    if limit.subsec_millis() == 0 && limit.as_secs() > 0 {
        format!("{} s", limit.as_secs())
    } else if limit >= Duration::from_secs(1) {
        format!("{:.1} s", limit.as_secs_f64())
    } else {
        format!("{} ms", limit.as_millis())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_read_the_way_people_say_them() {
        assert_eq!(bytes_text(256 * MIB), "256 MiB");
        assert_eq!(bytes_text(4 << 30), "4 GiB");
        assert_eq!(bytes_text(1000), "1000 bytes");
        assert_eq!(duration_text(Duration::from_secs(5)), "5 s");
        assert_eq!(duration_text(Duration::from_millis(1500)), "1.5 s");
        assert_eq!(duration_text(Duration::from_millis(250)), "250 ms");
    }

    #[test]
    fn a_policy_survives_the_trip_to_its_worker() {
        let policy = SandboxPolicy::default().read_only("/opt").allow_network();
        let text = serde_json::to_string(&policy).expect("serialises");
        let back: SandboxPolicy = serde_json::from_str(&text).expect("parses");
        assert_eq!(back, policy);
    }
}
