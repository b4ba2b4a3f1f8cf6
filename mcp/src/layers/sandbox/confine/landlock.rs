//! What a sandbox may touch on the filesystem and the network, as a landlock
//! ruleset: read (and execute) beneath an allow-list, write only beneath its scratch
//! directory and what the policy adds, no TCP unless allowed, and no signals or
//! abstract Unix sockets reaching outside its domain (ABI 6).
//!
//! Best effort: on a kernel without landlock, or with an older ABI, the sandbox runs
//! with what the kernel enforces and says so once.

use std::path::{Path, PathBuf};

use landlock::{
    ABI, Access, AccessFs, AccessNet, CompatLevel, Compatible, PathBeneath, PathFd, Ruleset,
    RulesetAttr, RulesetCreatedAttr, RulesetError, RulesetStatus, Scope,
};

/// The newest ABI these rules were tested on (Linux 6.15+: ABI 7).
const ABI_TESTED: ABI = ABI::V7;

/// What every sandbox may read and execute: programs, libraries, the loader's cache,
/// time zones, and the harmless devices.
const SYSTEM_READ_ONLY: &[&str] = &[
    "/usr",
    "/lib",
    "/lib64",
    "/lib32",
    "/bin",
    "/sbin",
    "/etc/ld.so.cache",
    "/etc/ld.so.conf",
    "/etc/ld.so.conf.d",
    "/etc/localtime",
    "/etc/alternatives",
    "/dev/urandom",
    "/dev/random",
    "/dev/zero",
];

/// Writable by every sandbox beside its scratch directory.
const SYSTEM_READ_WRITE: &[&str] = &["/dev/null"];

/// Restricts this process (and what it starts) to the rules; `Ok(Some(warning))`
/// when the kernel enforces less than all of them.
pub(super) fn restrict(
    read_only: &[PathBuf],
    read_write: &[PathBuf],
    scratch: &Path,
    network: bool,
) -> Result<Option<String>, RulesetError> {
    let abi = ABI_TESTED;
    let mut ruleset = Ruleset::default()
        .set_compatibility(CompatLevel::BestEffort)
        .handle_access(AccessFs::from_all(abi))?;
    if !network {
        ruleset = ruleset.handle_access(AccessNet::from_all(abi))?;
    }
    let mut created = ruleset.scope(Scope::from_all(abi))?.create()?;
    let executable = std::env::current_exe().ok();
    let readable = SYSTEM_READ_ONLY
        .iter()
        .map(PathBuf::from)
        .chain(executable)
        .chain(read_only.iter().cloned());
    for path in readable {
        created = allow(created, &path, AccessFs::from_read(abi), abi)?;
    }
    let writable = SYSTEM_READ_WRITE
        .iter()
        .map(PathBuf::from)
        .chain(read_write.iter().cloned())
        .chain(std::iter::once(scratch.to_path_buf()));
    for path in writable {
        created = allow(created, &path, AccessFs::from_all(abi), abi)?;
    }
    let status = created.restrict_self()?;
    Ok(match status.ruleset {
        RulesetStatus::FullyEnforced => None,
        RulesetStatus::PartiallyEnforced => Some(
            "landlock is only partly enforced by this kernel: some filesystem or network rules do not hold".into(),
        ),
        RulesetStatus::NotEnforced => Some(
            "landlock is not available in this kernel: the filesystem is confined by the sandbox user's permissions alone".into(),
        ),
    })
}

/// Adds `access` beneath `path`, limited to file rights when it is a file; a path
/// that does not exist here is skipped.
fn allow(
    ruleset: landlock::RulesetCreated,
    path: &Path,
    access: landlock::BitFlags<AccessFs>,
    abi: ABI,
) -> Result<landlock::RulesetCreated, RulesetError> {
    let Ok(metadata) = std::fs::metadata(path) else {
        return Ok(ruleset);
    };
    let Ok(fd) = PathFd::new(path) else {
        return Ok(ruleset);
    };
    let access = if metadata.is_dir() {
        access
    } else {
        access & AccessFs::from_file(abi)
    };
    ruleset.add_rule(PathBeneath::new(fd, access))
}
