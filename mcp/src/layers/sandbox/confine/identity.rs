//! Who the sandbox is: its namespaces and its user.
//!
//! Started as root, a sandbox becomes a user of its own (`SANDBOX_UID_BASE` plus its
//! process id), with no groups and no capabilities: it cannot signal, trace or read
//! the server or another sandbox, and the kernel counts its processes apart from
//! everyone else's, so its process limit holds (root itself ignores `RLIMIT_NPROC`).
//! Started as another user, it enters a user namespace of its own, where the
//! kernel also counts its processes apart (per user namespace, since Linux 5.14).
//! Either way it gets empty network, IPC and UTS namespaces unless the policy lets
//! it use the network.

use std::io;
use std::path::Path;

use nix::sched::{CloneFlags, unshare};
use nix::unistd::{Gid, Uid, getegid, geteuid, getpid};

/// The first user id a sandbox started by root takes (well above any account's).
pub(crate) const SANDBOX_UID_BASE: u32 = 0x7000_0000;

/// Where the sandbox stands after [`enter`].
#[derive(Debug)]
pub(super) struct Identity {
    /// The user id the sandbox runs as, seen from outside.
    pub(super) uid: u32,
    /// Whether it has a user namespace of its own.
    pub(super) own_user_namespace: bool,
}

/// Enters new namespaces: network (unless `network`), IPC and UTS, a PID
/// namespace for the children when `pid` (its first child becomes its init, and
/// everything in it dies with that init), and, when not root, a user namespace
/// first. `warnings` hears what the kernel refused.
pub(super) fn enter(network: bool, pid: bool, warnings: &mut Vec<String>) -> io::Result<Identity> {
    let mut flags = CloneFlags::CLONE_NEWIPC | CloneFlags::CLONE_NEWUTS;
    if !network {
        flags |= CloneFlags::CLONE_NEWNET;
    }
    if pid {
        flags |= CloneFlags::CLONE_NEWPID;
    }
    let (uid, gid) = (geteuid(), getegid());
    if uid.is_root() {
        if let Err(err) = unshare(flags) {
            warnings.push(format!(
                "namespaces unavailable ({err}); seccomp alone keeps the network out"
            ));
        }
        let sandbox_uid = SANDBOX_UID_BASE + getpid().as_raw().unsigned_abs();
        return Ok(Identity {
            uid: sandbox_uid,
            own_user_namespace: false,
        });
    }
    match unshare(CloneFlags::CLONE_NEWUSER | flags) {
        Ok(()) => {
            map_self(uid, gid)?;
            Ok(Identity {
                uid: uid.as_raw(),
                own_user_namespace: true,
            })
        }
        Err(err) => {
            warnings.push(format!(
                "user namespaces unavailable ({err}): the process limit counts every process of user {uid}"
            ));
            Ok(Identity {
                uid: uid.as_raw(),
                own_user_namespace: false,
            })
        }
    }
}

/// Maps this user and group to themselves inside the new user namespace, with
/// `setgroups` denied (required before an unprivileged `gid_map` write).
fn map_self(uid: Uid, gid: Gid) -> io::Result<()> {
    std::fs::write("/proc/self/setgroups", "deny")?;
    std::fs::write("/proc/self/uid_map", format!("{uid} {uid} 1"))?;
    std::fs::write("/proc/self/gid_map", format!("{gid} {gid} 1"))?;
    Ok(())
}

/// Hands `scratch` to the sandbox's user, then becomes that user for good, with no
/// supplementary groups (a no-op where the sandbox already is its user).
pub(super) fn become_sandbox_user(identity: &Identity, scratch: &Path) -> io::Result<()> {
    if !geteuid().is_root() || identity.own_user_namespace {
        return Ok(());
    }
    let (uid, gid) = (Uid::from_raw(identity.uid), Gid::from_raw(identity.uid));
    nix::unistd::chown(scratch, Some(uid), Some(gid))?;
    nix::unistd::setgroups(&[])?;
    nix::unistd::setresgid(gid, gid, gid)?;
    nix::unistd::setresuid(uid, uid, uid)?;
    Ok(())
}

/// The tasks (processes and threads) user `uid` runs now, from `/proc`: what a
/// process limit shared with them must leave room for.
pub(super) fn tasks_of_user(uid: u32) -> u64 {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return 0;
    };
    let uid_line = format!("Uid:\t{uid}\t");
    entries
        .filter_map(Result::ok)
        .filter(|entry| {
            entry
                .file_name()
                .to_str()
                .is_some_and(|n| n.bytes().all(|b| b.is_ascii_digit()))
        })
        .filter_map(|entry| std::fs::read_to_string(entry.path().join("status")).ok())
        .filter(|status| status.lines().any(|line| line.starts_with(&uid_line)))
        .map(|status| {
            status
                .lines()
                .find_map(|line| line.strip_prefix("Threads:"))
                .and_then(|n| n.trim().parse::<u64>().ok())
                .unwrap_or(1)
        })
        .sum()
}
