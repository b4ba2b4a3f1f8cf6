//! What a sandbox inherits through its file descriptors: only stdin, stdout and stderr,
//! each back in blocking mode.
//!
//! The stdio transport puts the server's standard streams in `O_NONBLOCK`, and that
//! flag lives on the open file description, which a child shares: a child that
//! inherited it would see `EAGAIN` where it expects to wait.

use std::io;
use std::os::fd::{AsFd, RawFd};

use nix::fcntl::{FcntlArg, OFlag, fcntl};

/// Which descriptors beyond stdio a sandbox closes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Descriptors {
    /// Every one: a process confined first thing in `main` holds only what it
    /// inherited.
    All,
    /// Those without close-on-exec, which is what survives an `exec`: what the process
    /// inherited. An embedding (an interpreter) confines itself after its runtime
    /// opened descriptors of its own, always close-on-exec, that it goes on using.
    Inherited,
}

/// Puts stdin, stdout and stderr back in blocking mode and closes the other
/// descriptors `which` names.
pub(super) fn scrub(which: Descriptors) -> io::Result<()> {
    for fd in [
        io::stdin().as_fd(),
        io::stdout().as_fd(),
        io::stderr().as_fd(),
    ] {
        let flags = OFlag::from_bits_truncate(fcntl(fd, FcntlArg::F_GETFL)?);
        if flags.contains(OFlag::O_NONBLOCK) {
            fcntl(fd, FcntlArg::F_SETFL(flags - OFlag::O_NONBLOCK))?;
        }
    }
    // Listed first, closed after: the listing holds a descriptor of its own.
    let listed: Vec<RawFd> = std::fs::read_dir("/proc/self/fd")?
        .filter_map(|entry| entry.ok()?.file_name().to_str()?.parse().ok())
        .filter(|fd| *fd > 2)
        .collect();
    for fd in listed {
        if which == Descriptors::Inherited && close_on_exec(fd) != Some(false) {
            continue;
        }
        // The listing's own descriptor is gone by now: EBADF is expected once.
        let _ = nix::unistd::close(fd);
    }
    Ok(())
}

/// Whether `fd` is closed on `exec`, from `/proc/self/fdinfo` (whose `flags` carry
/// `O_CLOEXEC` for such a descriptor); `None` when it is not open.
fn close_on_exec(fd: RawFd) -> Option<bool> {
    let info = std::fs::read_to_string(format!("/proc/self/fdinfo/{fd}")).ok()?;
    let flags = info
        .lines()
        .find_map(|line| line.strip_prefix("flags:"))
        .and_then(|octal| i32::from_str_radix(octal.trim(), 8).ok())?;
    Some(OFlag::from_bits_truncate(flags).contains(OFlag::O_CLOEXEC))
}
