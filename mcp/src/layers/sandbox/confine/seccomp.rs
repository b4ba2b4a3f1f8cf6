//! The system calls a sandbox may not make, as seccomp-bpf filters (`seccompiler`),
//! installed last, after everything else that needed them.
//!
//! A deny-list over an allowing default: the sandbox runs arbitrary programs and an
//! async runtime, whose system calls are many and change with libc versions, while
//! the calls that reach past a sandbox are few and stable. A forbidden call kills
//! the process (`SIGSYS`), so the parent can say what happened; `setsid` and
//! `setpgid` only fail (`EPERM`), which keeps every process the sandbox starts in its
//! process group, where the watchdog's kill reaches it.

use std::collections::BTreeMap;

use seccompiler::{
    BpfProgram, SeccompAction, SeccompCmpArgLen, SeccompCmpOp, SeccompCondition, SeccompFilter,
    SeccompRule, TargetArch,
};

type Rules = BTreeMap<i64, Vec<SeccompRule>>;

/// What the filters are built for.
pub(super) struct Denials {
    /// Creating processes and executing programs is denied.
    pub(super) spawn: bool,
    /// Sockets other than Unix ones are denied.
    pub(super) network: bool,
}

/// System calls that reach outside any sandbox: tracing, mounting, kernel modules,
/// BPF, kexec, namespaces, keyrings, other processes' memory, io_uring (whose
/// operations seccomp cannot see). With their names, for saying which one a killed
/// process made.
const ALWAYS_DENIED: &[(i64, &str)] = &[
    (libc::SYS_ptrace, "ptrace"),
    (libc::SYS_process_vm_readv, "process_vm_readv"),
    (libc::SYS_process_vm_writev, "process_vm_writev"),
    (libc::SYS_mount, "mount"),
    (libc::SYS_umount2, "umount2"),
    (libc::SYS_pivot_root, "pivot_root"),
    (libc::SYS_chroot, "chroot"),
    (libc::SYS_init_module, "init_module"),
    (libc::SYS_finit_module, "finit_module"),
    (libc::SYS_delete_module, "delete_module"),
    (libc::SYS_kexec_load, "kexec_load"),
    (libc::SYS_kexec_file_load, "kexec_file_load"),
    (libc::SYS_bpf, "bpf"),
    (libc::SYS_perf_event_open, "perf_event_open"),
    (libc::SYS_userfaultfd, "userfaultfd"),
    (libc::SYS_setns, "setns"),
    (libc::SYS_unshare, "unshare"),
    (libc::SYS_keyctl, "keyctl"),
    (libc::SYS_add_key, "add_key"),
    (libc::SYS_request_key, "request_key"),
    (libc::SYS_io_uring_setup, "io_uring_setup"),
    (libc::SYS_io_uring_enter, "io_uring_enter"),
    (libc::SYS_io_uring_register, "io_uring_register"),
    (libc::SYS_open_by_handle_at, "open_by_handle_at"),
    (libc::SYS_name_to_handle_at, "name_to_handle_at"),
    (libc::SYS_swapon, "swapon"),
    (libc::SYS_swapoff, "swapoff"),
    (libc::SYS_reboot, "reboot"),
    (libc::SYS_acct, "acct"),
    (libc::SYS_quotactl, "quotactl"),
    (libc::SYS_settimeofday, "settimeofday"),
    (libc::SYS_clock_settime, "clock_settime"),
    (libc::SYS_clock_adjtime, "clock_adjtime"),
    (libc::SYS_adjtimex, "adjtimex"),
    (libc::SYS_fanotify_init, "fanotify_init"),
    (libc::SYS_personality, "personality"),
];

/// The calls denied only by a policy: network sockets, and creating processes.
const DENIED_BY_POLICY: &[(i64, &str)] = &[
    (libc::SYS_socket, "socket"),
    (libc::SYS_execve, "execve"),
    (libc::SYS_execveat, "execveat"),
    (libc::SYS_clone, "clone"),
    #[cfg(target_arch = "x86_64")]
    (libc::SYS_fork, "fork"),
    #[cfg(target_arch = "x86_64")]
    (libc::SYS_vfork, "vfork"),
];

/// The name of a system call a filter here kills for.
pub(crate) fn system_call_name(number: i64) -> Option<&'static str> {
    ALWAYS_DENIED
        .iter()
        .chain(DENIED_BY_POLICY)
        .find(|(call, _)| *call == number)
        .map(|(_, name)| *name)
}

/// The filters for `denials`, in the order they are installed.
pub(super) fn filters(denials: &Denials) -> Result<Vec<BpfProgram>, seccompiler::Error> {
    let mut kill = Rules::new();
    for &(call, _) in ALWAYS_DENIED {
        kill.insert(call, Vec::new());
    }
    if denials.network {
        kill.insert(
            libc::SYS_socket,
            vec![SeccompRule::new(vec![SeccompCondition::new(
                0,
                SeccompCmpArgLen::Dword,
                SeccompCmpOp::Ne,
                libc::AF_UNIX as u64,
            )?])?],
        );
    }
    let mut unavailable = Rules::new();
    if denials.spawn {
        #[cfg(target_arch = "x86_64")]
        for call in [libc::SYS_fork, libc::SYS_vfork] {
            kill.insert(call, Vec::new());
        }
        kill.insert(libc::SYS_execve, Vec::new());
        kill.insert(libc::SYS_execveat, Vec::new());
        // A clone without CLONE_THREAD is a new process; threads stay allowed.
        kill.insert(
            libc::SYS_clone,
            vec![SeccompRule::new(vec![SeccompCondition::new(
                0,
                SeccompCmpArgLen::Qword,
                SeccompCmpOp::MaskedEq(libc::CLONE_THREAD as u64),
                0,
            )?])?],
        );
        // clone3's flags sit in memory a filter cannot read: refused as absent, libc
        // falls back to clone, which the rule above judges.
        unavailable.insert(libc::SYS_clone3, Vec::new());
    }
    let mut refused = Rules::new();
    refused.insert(libc::SYS_setsid, Vec::new());
    refused.insert(libc::SYS_setpgid, Vec::new());

    let mut programs = vec![
        compile(kill, SeccompAction::KillProcess)?,
        compile(refused, SeccompAction::Errno(libc::EPERM as u32))?,
    ];
    if !unavailable.is_empty() {
        programs.push(compile(
            unavailable,
            SeccompAction::Errno(libc::ENOSYS as u32),
        )?);
    }
    #[cfg(target_arch = "x86_64")]
    programs.push(x32_guard());
    Ok(programs)
}

/// Installs `programs` on this thread (and what it starts); sets no-new-privs first.
pub(super) fn install(programs: &[BpfProgram]) -> Result<(), seccompiler::Error> {
    for program in programs {
        seccompiler::apply_filter(program)?;
    }
    Ok(())
}

fn compile(rules: Rules, on_match: SeccompAction) -> Result<BpfProgram, seccompiler::Error> {
    let arch = TargetArch::try_from(std::env::consts::ARCH)?;
    let filter = SeccompFilter::new(rules, SeccompAction::Allow, on_match, arch)?;
    Ok(BpfProgram::try_from(filter)?)
}

/// x32 system calls (number | 0x4000_0000) carry the x86-64 audit architecture, so a
/// deny-list keyed on x86-64 numbers would miss them: all of them are killed.
#[cfg(target_arch = "x86_64")]
fn x32_guard() -> BpfProgram {
    use seccompiler::sock_filter;
    const LOAD_SYSCALL_NUMBER: u16 = 0x20; // BPF_LD | BPF_W | BPF_ABS, offset 0
    const JUMP_IF_AT_LEAST: u16 = 0x35; // BPF_JMP | BPF_JGE | BPF_K
    const RETURN: u16 = 0x06; // BPF_RET | BPF_K
    const X32_SYSCALL_BIT: u32 = 0x4000_0000;
    let op = |code, jt, jf, k| sock_filter { code, jt, jf, k };
    vec![
        op(LOAD_SYSCALL_NUMBER, 0, 0, 0),
        op(JUMP_IF_AT_LEAST, 0, 1, X32_SYSCALL_BIT),
        op(RETURN, 0, 0, libc::SECCOMP_RET_KILL_PROCESS),
        op(RETURN, 0, 0, libc::SECCOMP_RET_ALLOW),
    ]
}
