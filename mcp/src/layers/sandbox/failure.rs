//! What went wrong in a sandbox, said the way a person reads it: every way a worker or
//! a command can end badly becomes one [`Failure`], whose message is the text of the
//! `isError` result and whose [`cause`](Failure::cause) is the metrics label.

use std::os::unix::process::ExitStatusExt;
use std::process::ExitStatus;
use std::time::Duration;

use super::policy::{SandboxPolicy, bytes_text, duration_text};

/// The exit code of a worker whose confinement could not be set up: it never ran
/// the tool.
pub(crate) const SETUP_FAILED: i32 = 121;

/// How a sandboxed call failed.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Failure {
    /// The call ran past the wall-clock limit; its worker was killed.
    TimedOut(Duration),
    /// The kernel stopped it at its CPU-time limit.
    CpuTime(Duration),
    /// An allocation failed at the address-space limit.
    Memory(u64),
    /// seccomp killed it for a system call the policy forbids: the call's name,
    /// where the kernel's audit log could be read (as root).
    ForbiddenSystemCall(Option<String>),
    /// It wrote a file past the size limit.
    FileSize(u64),
    /// It died of another signal (a crash): the signal's name.
    Crashed(&'static str),
    /// It exited on its own, mid-call, with this status.
    Exited(i32),
    /// The client cancelled the call; its worker was killed.
    Cancelled,
    /// The sandbox could not be set up or reached (the reason).
    Unavailable(String),
}

impl Failure {
    /// How a process that ran under `policy` ended badly, from its exit status and the
    /// last of what it wrote on stderr; `None` for a clean exit.
    pub(crate) fn of_exit(
        status: ExitStatus,
        stderr: &str,
        policy: &SandboxPolicy,
    ) -> Option<Self> {
        if let Some(signal) = status.signal() {
            return Some(Self::of_signal(signal, stderr, policy));
        }
        match status.code() {
            Some(0) | None => None,
            Some(SETUP_FAILED) if stderr.contains("boltmcp sandbox:") => {
                Some(Failure::Unavailable(setup_reason(stderr)))
            }
            Some(code) => Some(Failure::Exited(code)),
        }
    }

    /// The same failure, naming the forbidden system call from the kernel's audit
    /// log of `whose` kill, where it can be read.
    pub(crate) fn named(self, whose: super::audit::Whose) -> Self {
        match self {
            Failure::ForbiddenSystemCall(None) => {
                Failure::ForbiddenSystemCall(super::audit::forbidden_call(whose))
            }
            other => other,
        }
    }

    pub(crate) fn of_signal(signal: i32, stderr: &str, policy: &SandboxPolicy) -> Self {
        use nix::sys::signal::Signal;
        match Signal::try_from(signal) {
            Ok(Signal::SIGXCPU) => Failure::CpuTime(policy.cpu_time),
            Ok(Signal::SIGSYS) => Failure::ForbiddenSystemCall(None),
            Ok(Signal::SIGXFSZ) => Failure::FileSize(policy.file_size),
            // Rust's allocator reports a failed allocation on stderr, then aborts.
            Ok(Signal::SIGABRT) if stderr.contains("memory allocation of") => {
                Failure::Memory(policy.memory)
            }
            Ok(other) => Failure::Crashed(other.as_str()),
            Err(_) => Failure::Crashed("an unknown signal"),
        }
    }

    /// The label of this failure's cause in metrics.
    pub fn cause(&self) -> &'static str {
        match self {
            Failure::TimedOut(_) => "timeout",
            Failure::CpuTime(_) => "cpu",
            Failure::Memory(_) => "memory",
            Failure::ForbiddenSystemCall(_) => "seccomp",
            Failure::FileSize(_) => "file_size",
            Failure::Crashed(_) => "signal",
            Failure::Exited(_) => "exit",
            Failure::Cancelled => "cancelled",
            Failure::Unavailable(_) => "unavailable",
        }
    }
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Failure::TimedOut(limit) => write!(f, "timed out after {}", duration_text(*limit)),
            Failure::CpuTime(limit) => {
                write!(f, "killed: CPU time limit {}", duration_text(*limit))
            }
            Failure::Memory(limit) => write!(f, "killed: memory limit {}", bytes_text(*limit)),
            Failure::ForbiddenSystemCall(Some(call)) => {
                write!(f, "killed: forbidden system call `{call}`")
            }
            Failure::ForbiddenSystemCall(None) => f.write_str(
                "killed: forbidden system call (SIGSYS: the sandbox's seccomp policy denies it)",
            ),
            Failure::FileSize(limit) => {
                write!(f, "killed: file size limit {}", bytes_text(*limit))
            }
            Failure::Crashed(signal) => write!(f, "crashed: {signal}"),
            Failure::Exited(code) => write!(f, "the sandbox exited with status {code} mid-call"),
            Failure::Cancelled => f.write_str("cancelled; the sandbox was killed"),
            Failure::Unavailable(reason) => write!(f, "the sandbox is unavailable: {reason}"),
        }
    }
}

/// The worker's own last words on why it could not start.
fn setup_reason(stderr: &str) -> String {
    stderr
        .lines()
        .rev()
        .find(|line| !line.trim().is_empty())
        .map_or_else(
            || "its setup failed".to_owned(),
            |line| line.trim().to_owned(),
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn signalled(signal: i32) -> ExitStatus {
        ExitStatus::from_raw(signal)
    }

    fn exited(code: i32) -> ExitStatus {
        ExitStatus::from_raw(code << 8)
    }

    #[test]
    fn each_way_of_dying_names_its_cause() {
        let policy = SandboxPolicy::default();
        let of = |status, stderr| Failure::of_exit(status, stderr, &policy).map(|f| f.to_string());
        assert_eq!(of(exited(0), ""), None);
        assert_eq!(
            of(signalled(24), "").as_deref(),
            Some("killed: CPU time limit 2 s")
        );
        assert_eq!(
            of(
                signalled(6),
                "memory allocation of 4294967296 bytes failed\n"
            )
            .as_deref(),
            Some("killed: memory limit 256 MiB")
        );
        assert_eq!(of(signalled(6), "").as_deref(), Some("crashed: SIGABRT"));
        assert_eq!(of(signalled(11), "").as_deref(), Some("crashed: SIGSEGV"));
        assert!(
            of(signalled(31), "").is_some_and(|m| m.starts_with("killed: forbidden system call"))
        );
        assert_eq!(
            of(signalled(25), "").as_deref(),
            Some("killed: file size limit 16 MiB")
        );
        assert_eq!(
            of(exited(SETUP_FAILED), "boltmcp sandbox: landlock refused\n").as_deref(),
            Some("the sandbox is unavailable: boltmcp sandbox: landlock refused")
        );
    }
}
