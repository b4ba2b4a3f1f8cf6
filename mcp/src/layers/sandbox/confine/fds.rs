//! What a sandbox inherits through its file descriptors: only stdin, stdout and stderr,
//! each back in blocking mode.
//!
//! The stdio transport puts the server's standard streams in `O_NONBLOCK`, and that
//! flag lives on the open file description, which a child shares: a child that
//! inherited it would see `EAGAIN` where it expects to wait.

use std::io;
use std::os::fd::{AsFd, RawFd};

use nix::fcntl::{FcntlArg, OFlag, fcntl};

/// Puts stdin, stdout and stderr back in blocking mode and closes every other
/// descriptor this process has.
pub(super) fn scrub() -> io::Result<()> {
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
    let inherited: Vec<RawFd> = std::fs::read_dir("/proc/self/fd")?
        .filter_map(|entry| entry.ok()?.file_name().to_str()?.parse().ok())
        .filter(|fd| *fd > 2)
        .collect();
    for fd in inherited {
        // The listing's own descriptor is gone by now: EBADF is expected once.
        let _ = nix::unistd::close(fd);
    }
    Ok(())
}
