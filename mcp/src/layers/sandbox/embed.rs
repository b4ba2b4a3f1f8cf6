//! Sandboxed tools for a program that is not its own binary: an interpreter that
//! embeds boltmcp (the Python package), whose workers must be the interpreter started
//! again on the same script, not `/proc/self/exe` with a marker as its first
//! argument (an interpreter would take the marker for a script).
//!
//! The server process calls [`init_program`] instead of [`init`](super::init), with
//! the command line that runs the script again; a worker is then started as that
//! command line followed by [`WORKER_MARKER`] and the launch arguments. The embedding
//! finds the marker in its own arguments and hands what follows it to
//! [`serve_worker`], from the process's only thread.

use std::ffi::{OsStr, OsString};
use std::path::PathBuf;
use std::sync::OnceLock;

use super::dispatch::SandboxError;
use crate::server::Server;

pub use super::entry::WORKER_MARKER;

/// How a worker is started when this process's binary is an interpreter: its
/// program, the arguments that come before [`WORKER_MARKER`], and environment
/// variables set on top of the policy's (the rest of the environment is cleared).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkerProgram {
    pub(super) program: PathBuf,
    pub(super) args: Vec<OsString>,
    pub(super) env: Vec<(OsString, OsString)>,
}

impl WorkerProgram {
    /// Workers run `program` (an absolute path: a worker starts in its scratch
    /// directory).
    pub fn new(program: impl Into<PathBuf>) -> Self {
        WorkerProgram {
            program: program.into(),
            args: Vec::new(),
            env: Vec::new(),
        }
    }

    /// One more argument before the marker.
    pub fn arg(mut self, arg: impl AsRef<OsStr>) -> Self {
        self.args.push(arg.as_ref().to_owned());
        self
    }

    /// An environment variable every worker gets.
    pub fn env(mut self, name: impl AsRef<OsStr>, value: impl AsRef<OsStr>) -> Self {
        self.env
            .push((name.as_ref().to_owned(), value.as_ref().to_owned()));
        self
    }
}

static PROGRAM: OnceLock<WorkerProgram> = OnceLock::new();

/// The program workers run, when [`init_program`] set one.
pub(super) fn program() -> Option<&'static WorkerProgram> {
    PROGRAM.get()
}

/// In the server process of an embedding, in place of [`init`](super::init): workers
/// are started as `program`. Fails if a program was already set to another one.
pub fn init_program(program: WorkerProgram) -> Result<(), SandboxError> {
    let set = PROGRAM.get_or_init(|| program.clone());
    if *set != program {
        return Err(SandboxError::AlreadyInstalled);
    }
    super::entry::mark_initialised();
    Ok(())
}

/// In a worker process of an embedding: `args` are the arguments that followed
/// [`WORKER_MARKER`]. Confines this process, builds the server with `make_server`
/// (its sandboxed tools keep their own handlers here), and serves them to the parent
/// over stdin and stdout; never returns.
///
/// Call it from the process's only thread: confinement refuses to start with another
/// thread running, since landlock and seccomp would not hold on it. Descriptors the
/// process inherited (those without close-on-exec) are closed; those it opened
/// itself stay open, as its runtime may hold them.
pub fn serve_worker(args: Vec<OsString>, make_server: impl FnOnce() -> Server) -> ! {
    super::entry::run_worker(args, make_server, super::confine::Descriptors::Inherited)
}
