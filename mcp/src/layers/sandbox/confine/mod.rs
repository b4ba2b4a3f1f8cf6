//! Confinement: the steps a sandbox process takes on itself, in its own `main`,
//! before any thread exists, in the order that lets each step use what the next one
//! takes away (bubblewrap and nsjail order theirs the same way):
//!
//! 1. alone: no other thread runs (landlock and seccomp bind only the threads that
//!    exist after them); inherited state scrubbed: blocking stdio, no other
//!    descriptors ([`fds`]);
//! 2. dies with its parent (`PR_SET_PDEATHSIG`), and leaves if the parent is gone;
//! 3. namespaces: network, IPC, UTS, and a user namespace when not root ([`identity`]);
//! 4. resource limits ([`limits`]);
//! 5. its own user, when started as root, and no capabilities;
//! 6. landlock ([`landlock`](self::landlock)), then seccomp ([`seccomp`]), last, with
//!    no-new-privs, so nothing after it needs a system call it denies.
//!
//! Any step that fails stops the sandbox before it runs anything: a sandbox
//! confined halfway never serves a call.

mod fds;
mod identity;
mod landlock;
pub(crate) mod limits;
mod seccomp;

pub(crate) use fds::Descriptors;
pub(crate) use identity::SANDBOX_UID_BASE;
pub(crate) use seccomp::system_call_name;

use std::io;
use std::path::Path;

use caps::CapSet;
use nix::sys::signal::Signal;

use super::policy::SandboxPolicy;

/// What the process becomes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Role {
    /// A warm worker serving calls: it runs in place and may never execute a program
    /// unless the policy allows processes.
    Worker,
    /// A command: it starts the program's init next (the first process of a PID
    /// namespace of its own), so process creation and `execve` stay allowed.
    Command,
}

/// Why confinement failed.
#[derive(Debug, thiserror::Error)]
pub(crate) enum ConfineError {
    #[error("{step}: {source}")]
    Io {
        step: &'static str,
        #[source]
        source: io::Error,
    },
    #[error("landlock: {0}")]
    Landlock(#[from] ::landlock::RulesetError),
    #[error("seccomp: {0}")]
    Seccomp(#[from] seccompiler::Error),
    #[error("the server that started this sandbox is gone")]
    Orphaned,
    #[error(
        "{0} threads run in this process; a sandbox confines itself from its only \
         thread (start threads after it, or none before serving)"
    )]
    Threaded(usize),
}

fn step(step: &'static str) -> impl FnOnce(io::Error) -> ConfineError {
    move |source| ConfineError::Io { step, source }
}

fn nix_step(name: &'static str) -> impl FnOnce(nix::Error) -> ConfineError {
    move |errno| ConfineError::Io {
        step: name,
        source: io::Error::from(errno),
    }
}

/// Confines this process under `policy`, with `scratch` (created by the parent) as
/// its working directory; `parent` is the process that started it. Returns the
/// warnings for what the kernel could not enforce.
pub(crate) fn confine(
    policy: &SandboxPolicy,
    scratch: &Path,
    parent: u32,
    role: Role,
    descriptors: Descriptors,
) -> Result<Vec<String>, ConfineError> {
    let mut warnings = Vec::new();
    let threads = threads().map_err(step("counting threads"))?;
    if threads != 1 {
        return Err(ConfineError::Threaded(threads));
    }
    fds::scrub(descriptors).map_err(step("closing inherited descriptors"))?;
    nix::sys::prctl::set_pdeathsig(Signal::SIGKILL).map_err(nix_step("PR_SET_PDEATHSIG"))?;
    // The parent may have died before the line above: then nobody would kill us.
    if nix::unistd::getppid().as_raw().unsigned_abs() != parent {
        return Err(ConfineError::Orphaned);
    }
    let identity = identity::enter(policy.network, role == Role::Command, &mut warnings)
        .map_err(step("namespaces"))?;
    let shared_count = if nix::unistd::geteuid().is_root() || identity.own_user_namespace {
        0
    } else {
        identity::tasks_of_user(identity.uid)
    };
    let calls = match role {
        Role::Worker => policy.max_calls_per_worker,
        Role::Command => 1,
    };
    limits::apply(policy, shared_count, calls).map_err(step("resource limits"))?;
    std::env::set_current_dir(scratch).map_err(step("entering the scratch directory"))?;
    // The bounding set can only shrink while CAP_SETPCAP is held: before the user
    // changes, which takes every other capability with it.
    clear_capabilities(&[CapSet::Bounding, CapSet::Ambient, CapSet::Inheritable])
        .map_err(step("dropping capabilities"))?;
    identity::become_sandbox_user(&identity, scratch).map_err(step("dropping privileges"))?;
    clear_capabilities(&[CapSet::Permitted, CapSet::Effective])
        .map_err(step("dropping capabilities"))?;
    // A change of credentials (the user, a user namespace) clears the parent-death
    // signal: set it again, and look again for a parent that died in between.
    nix::sys::prctl::set_pdeathsig(Signal::SIGKILL).map_err(nix_step("PR_SET_PDEATHSIG"))?;
    if nix::unistd::getppid().as_raw().unsigned_abs() != parent {
        return Err(ConfineError::Orphaned);
    }
    nix::sys::prctl::set_no_new_privs().map_err(nix_step("PR_SET_NO_NEW_PRIVS"))?;
    if let Some(warning) = landlock::restrict(
        &policy.read_only,
        &policy.read_write,
        scratch,
        policy.network,
    )? {
        warnings.push(warning);
    }
    let denials = seccomp::Denials {
        spawn: policy.processes <= 1 && role == Role::Worker,
        network: !policy.network,
    };
    seccomp::install(&seccomp::filters(&denials)?)?;
    Ok(warnings)
}

/// The threads this process runs now.
fn threads() -> io::Result<usize> {
    Ok(std::fs::read_dir("/proc/self/task")?.count())
}

/// Clears `sets` of this thread's capabilities: after a user namespace is entered
/// the process holds all of them there; a root-started sandbox holds them until its
/// user changes. A set already empty is left alone.
fn clear_capabilities(sets: &[CapSet]) -> io::Result<()> {
    for &set in sets {
        if caps::read(None, set).is_ok_and(|held| held.is_empty()) {
            continue;
        }
        caps::clear(None, set).map_err(|err| io::Error::other(err.to_string()))?;
    }
    Ok(())
}
