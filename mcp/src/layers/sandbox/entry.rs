//! The process side of the sandbox: [`init`], which a server's `main` calls first,
//! and what a re-executed copy of the binary does when it is a worker or a command.
//!
//! Workers are the server's own binary (`/proc/self/exe`) started again with a
//! marker argument, never a `fork` of the running server: a fork of a threaded
//! process may hold another thread's locks forever. The marker is the first
//! argument, so `init` decides before the user's code reads any.

use std::ffi::OsString;
use std::path::PathBuf;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, Ordering};

use super::confine::{self, Descriptors, Role};
use super::failure::SETUP_FAILED;
use super::policy::SandboxPolicy;
use crate::server::Server;

/// The argument that makes a process a sandbox worker: the first one of a worker
/// started from this binary, or the one after an embedding's
/// [`WorkerProgram`](super::WorkerProgram) arguments.
pub const WORKER_MARKER: &str = "--boltmcp-sandbox-worker";
/// The first argument of a command's trampoline.
pub(crate) const COMMAND_MARKER: &str = "--boltmcp-sandbox-command";
/// The first argument of a command's init, the first process of its PID namespace.
const INIT_MARKER: &str = "--boltmcp-sandbox-init";
/// How a command's init reports that its program died of a signal: on stderr, its
/// last line, with the exit code 128 + the signal.
pub(crate) const KILLED_BY_SIGNAL: &str = "boltmcp sandbox: the program was killed by signal ";

/// Set once [`init`] returned in the server process.
static INITIALISED: AtomicBool = AtomicBool::new(false);

/// What a worker knows about itself, set before its server is built.
#[derive(Debug)]
pub(crate) struct WorkerState {
    pub(crate) policy: SandboxPolicy,
    pub(crate) scratch: PathBuf,
    /// This binary, resolved before landlock hid `/proc` (for commands a sandboxed
    /// tool starts).
    pub(crate) executable: PathBuf,
}

static WORKER: OnceLock<WorkerState> = OnceLock::new();

/// The worker's state, in a worker process; `None` in the server.
pub(crate) fn worker_state() -> Option<&'static WorkerState> {
    WORKER.get()
}

/// Whether [`init`] (or [`init_program`](super::init_program)) ran in this process.
pub(crate) fn initialised() -> bool {
    INITIALISED.load(Ordering::Acquire)
}

/// Records that this process is a server that may start workers.
pub(super) fn mark_initialised() {
    INITIALISED.store(true, Ordering::Release);
}

/// Call this first in `main`, before any runtime or thread starts, with the function
/// that builds the server. In the server process it returns at once. In a process the
/// sandbox started, it never returns: a worker confines itself, builds the server with
/// `make_server` (so macro-defined and runtime-defined tools both exist in it), and
/// serves the server's sandboxed tools to its parent over its stdin and stdout; a
/// command confines itself and becomes its program.
///
/// ```no_run
/// use boltmcp::prelude::*;
/// use boltmcp::layers::sandbox::{self, Sandbox};
///
/// /// Counts the primes below `n`, in a sandboxed worker.
/// #[tool(sandbox)]
/// fn primes(n: u64) -> usize {
///     (2..n).filter(|k| (2..*k).take_while(|d| d * d <= *k).all(|d| k % d != 0)).count()
/// }
///
/// fn server() -> Server {
///     Server::builder("primes", "1.0").tool(primes_tool()).build()
/// }
///
/// fn main() -> std::io::Result<()> {
///     sandbox::init(server);
///     let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
///     runtime.block_on(async {
///         let server = server().sandbox(Sandbox::new())?;
///         boltmcp::transport::serve_stdio(server).await
///     })
/// }
/// ```
pub fn init(make_server: impl FnOnce() -> Server) {
    let mut args = std::env::args_os();
    let _program = args.next();
    match args.next() {
        Some(marker) if marker == WORKER_MARKER => {
            run_worker(args.collect(), make_server, Descriptors::All)
        }
        Some(marker) if marker == COMMAND_MARKER => run_command(args.collect()),
        Some(marker) if marker == INIT_MARKER => run_init(args.collect()),
        _ => mark_initialised(),
    }
}

/// What the parent put on a sandbox's command line after the marker: its own
/// process id, the scratch directory, the policy; then, for a command, the program
/// and its arguments.
struct Launch {
    parent: u32,
    scratch: PathBuf,
    policy: SandboxPolicy,
    rest: Vec<OsString>,
}

fn parse(args: Vec<OsString>) -> Result<Launch, String> {
    let mut args = args.into_iter();
    let parent = args
        .next()
        .and_then(|pid| pid.to_str()?.parse().ok())
        .ok_or("no parent process id")?;
    let scratch = args
        .next()
        .map(PathBuf::from)
        .ok_or("no scratch directory")?;
    let policy = args.next().ok_or("no policy")?;
    let policy = policy.to_str().ok_or("the policy is not UTF-8")?;
    let policy = serde_json::from_str(policy).map_err(|err| format!("the policy: {err}"))?;
    Ok(Launch {
        parent,
        scratch,
        policy,
        rest: args.collect(),
    })
}

/// Says why the sandbox could not start, on stderr where the parent reads it, and
/// exits with the code that means so.
fn give_up(reason: impl std::fmt::Display) -> ! {
    eprintln!("boltmcp sandbox: {reason}");
    std::process::exit(SETUP_FAILED)
}

fn confined(args: Vec<OsString>, role: Role, descriptors: Descriptors) -> Launch {
    let launch = parse(args).unwrap_or_else(|err| give_up(err));
    match confine::confine(
        &launch.policy,
        &launch.scratch,
        launch.parent,
        role,
        descriptors,
    ) {
        Ok(warnings) => {
            for warning in warnings {
                eprintln!("boltmcp sandbox: warning: {warning}");
            }
        }
        Err(err) => give_up(err),
    }
    launch
}

/// A worker: confines itself, then serves `make_server`'s sandboxed tools over
/// stdin and stdout until its parent closes them.
pub(super) fn run_worker(
    args: Vec<OsString>,
    make_server: impl FnOnce() -> Server,
    descriptors: Descriptors,
) -> ! {
    let executable =
        std::env::current_exe().unwrap_or_else(|err| give_up(format!("this binary: {err}")));
    let launch = confined(args, Role::Worker, descriptors);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap_or_else(|err| give_up(format!("the runtime: {err}")));
    let _ = WORKER.set(WorkerState {
        policy: launch.policy,
        scratch: launch.scratch,
        executable,
    });
    let server = make_server();
    let served = runtime.block_on(crate::transport::serve_stdio(server));
    std::process::exit(i32::from(served.is_err()))
}

/// A command's trampoline: confines itself, with a PID namespace for what it starts,
/// then starts the command's init there and ends as it ends. When the init ends
/// (its program done, or killed) the kernel kills and reaps everything else in the
/// namespace: nothing the program started in the background outlives it.
///
/// The watchdog stops a command with `SIGTERM` to this process, which kills the init
/// and reaps it before exiting, so no zombie is left to a system init that may never
/// reap it. (Signals are taken with `sigwait`, never a handler.)
fn run_command(args: Vec<OsString>) -> ! {
    use nix::sys::signal::{SigSet, Signal};
    // Resolved before landlock, which hides /proc.
    let executable =
        std::env::current_exe().unwrap_or_else(|err| give_up(format!("this binary: {err}")));
    let launch = confined(args, Role::Command, Descriptors::All);
    let mut signals = SigSet::empty();
    signals.add(Signal::SIGTERM);
    signals.add(Signal::SIGCHLD);
    signals
        .thread_block()
        .unwrap_or_else(|err| give_up(format!("blocking signals: {err}")));
    // std gives the child an empty signal mask.
    let mut init = std::process::Command::new(&executable)
        .arg(INIT_MARKER)
        .args(launch.rest)
        .spawn()
        .unwrap_or_else(|err| give_up(format!("starting the command's init: {err}")));
    loop {
        match init.try_wait() {
            Ok(Some(status)) => std::process::exit(status.code().unwrap_or(SETUP_FAILED)),
            Ok(None) => {}
            Err(err) => give_up(format!("waiting for the command's init: {err}")),
        }
        if signals.wait() == Ok(Signal::SIGTERM) {
            let _ = init.kill();
            let _ = init.wait();
            std::process::exit(128 + Signal::SIGKILL as i32)
        }
    }
}

/// A command's init: dies with its trampoline, runs the program, reaps whatever is
/// orphaned to it, and exits as the program did (a signal as 128 + its number,
/// said on stderr, since an init cannot kill itself with it).
fn run_init(args: Vec<OsString>) -> ! {
    use nix::sys::wait::{WaitStatus, waitpid};
    let _ = nix::sys::prctl::set_pdeathsig(nix::sys::signal::Signal::SIGKILL);
    let mut args = args.into_iter();
    let Some(program) = args.next() else {
        give_up("no program to run")
    };
    let child = match std::process::Command::new(&program).args(args).spawn() {
        Ok(child) => child,
        Err(err) => {
            eprintln!("{}: {err}", program.to_string_lossy());
            std::process::exit(127)
        }
    };
    let program_pid = nix::unistd::Pid::from_raw(i32::try_from(child.id()).unwrap_or(0));
    loop {
        match waitpid(None, None) {
            Ok(WaitStatus::Exited(pid, code)) if pid == program_pid => std::process::exit(code),
            Ok(WaitStatus::Signaled(pid, signal, _)) if pid == program_pid => {
                eprintln!("{KILLED_BY_SIGNAL}{}", signal as i32);
                std::process::exit(128 + signal as i32)
            }
            Ok(_) => {}
            Err(_) => std::process::exit(SETUP_FAILED),
        }
    }
}
