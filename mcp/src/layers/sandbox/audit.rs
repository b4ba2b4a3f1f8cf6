//! Which system call seccomp killed a sandbox process for, read back from the
//! kernel's own record of the kill: an audit record (type 1326) that the kernel logs
//! for every kill action by default (`/proc/sys/kernel/seccomp/actions_logged`), and
//! that `/dev/kmsg` shows to a reader with `CAP_SYSLOG` where `dmesg_restrict` is set
//! (to everyone where it is not). Where the log cannot be read, a failure names the
//! signal alone.
//!
//! The kill itself is a `SIGSYS` with no handler: naming the call from inside the
//! process would take a signal handler, and this crate has no `unsafe`.

use std::io::{ErrorKind, Read};
use std::os::unix::fs::OpenOptionsExt;

use super::confine::system_call_name;

/// Whose kill to look for.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Whose {
    /// The process with this id (a worker).
    Process(u32),
    /// Any process of this user (a command's tree, whose user is its own).
    User(u32),
}

/// The name of the last system call seccomp killed `whose` for, if the kernel's log
/// can be read and holds one.
pub(crate) fn forbidden_call(whose: Whose) -> Option<String> {
    let mut log = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open("/dev/kmsg")
        .ok()?;
    let wanted = match whose {
        Whose::Process(pid) => format!(" pid={pid} "),
        Whose::User(uid) => format!(" uid={uid} "),
    };
    let mut found = None;
    // One record per read; a record longer than the buffer is refused (EINVAL) and
    // cannot be about a seccomp kill, whose records are short.
    let mut record = vec![0u8; 8192];
    loop {
        match log.read(&mut record) {
            Ok(0) => break,
            Ok(read) => {
                let line = String::from_utf8_lossy(&record[..read]);
                if line.contains("type=1326") && line.contains(&wanted) && line.contains(" sig=31 ")
                {
                    found = syscall_number(&line);
                }
            }
            // Records overwritten while reading: go on from the oldest kept.
            Err(err) if err.raw_os_error() == Some(libc::EPIPE) => {}
            Err(err) if err.kind() == ErrorKind::WouldBlock => break,
            Err(_) => break,
        }
    }
    let number = found?;
    Some(system_call_name(number).map_or_else(|| format!("system call {number}"), str::to_owned))
}

fn syscall_number(record: &str) -> Option<i64> {
    let at = record.find(" syscall=")? + " syscall=".len();
    let digits: String = record[at..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_kill_record_gives_its_system_call() {
        let record = "6,1234,29652868492,-;audit: type=1326 audit(1796164430.511:33): auid=4294967295 \
                      uid=1879074397 gid=1879074397 ses=4294967295 pid=26208 comm=\"bash\" \
                      exe=\"/usr/bin/bash\" sig=31 arch=c000003e syscall=41 compat=0 ip=0x7efc73047dc7 code=0x80000000\n";
        assert_eq!(syscall_number(record), Some(41));
        assert_eq!(system_call_name(41), Some("socket"));
        assert_eq!(system_call_name(101), Some("ptrace"));
    }
}
