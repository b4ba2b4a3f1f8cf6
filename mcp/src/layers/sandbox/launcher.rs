//! Where sandbox processes are started: one long-lived thread per server process,
//! and the command line, environment and scratch directory each process gets.
//!
//! `PR_SET_PDEATHSIG` fires when the *thread* that started a process ends, not the
//! process: a worker started from a runtime's blocking thread would be killed when
//! that thread idled out. So every start happens on this one thread, which lives as
//! long as the server.

use std::ffi::OsStr;
use std::io;
use std::os::unix::fs::DirBuilderExt;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock, mpsc};

use tokio::sync::oneshot;

use super::entry::{COMMAND_MARKER, WORKER_MARKER};
use super::policy::SandboxPolicy;
use crate::sync::lock;

type Job = Box<dyn FnOnce() + Send>;

/// Runs `job` on the launcher thread and hands back what it returned.
async fn on_launcher<T: Send + 'static>(job: impl FnOnce() -> T + Send + 'static) -> io::Result<T> {
    static LAUNCHER: OnceLock<Mutex<mpsc::Sender<Job>>> = OnceLock::new();
    let sender = LAUNCHER.get_or_init(|| {
        let (tx, rx) = mpsc::channel::<Job>();
        // If the thread cannot start, every later send fails and says so.
        let _ = std::thread::Builder::new()
            .name("boltmcp-sandbox-launcher".into())
            .spawn(move || {
                for job in rx {
                    job();
                }
            });
        Mutex::new(tx)
    });
    let (reply, answer) = oneshot::channel();
    let job: Job = Box::new(move || {
        let _ = reply.send(job());
    });
    lock(sender)
        .send(job)
        .map_err(|_| io::Error::other("the sandbox launcher thread is gone"))?;
    answer
        .await
        .map_err(|_| io::Error::other("the sandbox launcher thread is gone"))
}

/// A private directory for one sandbox process, removed by [`Scratch::remove`] once
/// the process is gone, and when dropped at the latest (a start abandoned halfway,
/// as when the runtime shuts down while a worker warms up).
#[derive(Debug)]
pub(crate) struct Scratch(PathBuf);

impl Drop for Scratch {
    fn drop(&mut self) {
        self.remove();
    }
}

impl Scratch {
    fn create() -> io::Result<Scratch> {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let name = format!(
            "boltmcp-sandbox-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        );
        let path = std::env::temp_dir().join(name);
        std::fs::DirBuilder::new().mode(0o700).create(&path)?;
        Ok(Scratch(path))
    }

    pub(crate) fn path(&self) -> &Path {
        &self.0
    }

    /// Removes the directory and what the sandbox left in it.
    pub(crate) fn remove(&self) {
        if let Err(err) = std::fs::remove_dir_all(&self.0)
            && err.kind() != io::ErrorKind::NotFound
        {
            tracing::warn!(path = %self.0.display(), "could not remove a sandbox's scratch directory: {err}");
        }
    }
}

/// What a sandbox process is started to be.
pub(crate) enum Kind<'a> {
    /// A warm worker.
    Worker,
    /// A command running `program` with `args`, with `env` set on top of the policy's.
    Command {
        program: &'a OsStr,
        args: &'a [std::ffi::OsString],
        env: &'a [(std::ffi::OsString, std::ffi::OsString)],
    },
}

/// Starts a sandbox process: this binary again (or an embedding's worker program),
/// in its own process group, with
/// piped stdio, a cleared environment, and a fresh scratch directory.
pub(crate) async fn start(
    kind: Kind<'_>,
    policy: &SandboxPolicy,
) -> io::Result<(tokio::process::Child, Scratch)> {
    let scratch = Scratch::create()?;
    // Inside a worker, landlock hides /proc: the binary's own path, resolved before.
    let executable = super::entry::worker_state().map_or_else(
        || Path::new("/proc/self/exe").to_path_buf(),
        |state| state.executable.clone(),
    );
    // An embedding's workers run its own command line (an interpreter and a script).
    let embedded = match kind {
        Kind::Worker => super::embed::program(),
        Kind::Command { .. } => None,
    };
    let mut command = match embedded {
        Some(program) => {
            let mut command = tokio::process::Command::new(&program.program);
            command.args(&program.args);
            command
        }
        None => tokio::process::Command::new(executable),
    };
    let policy_text = serde_json::to_string(policy).map_err(io::Error::other)?;
    command
        .arg(match kind {
            Kind::Worker => WORKER_MARKER,
            Kind::Command { .. } => COMMAND_MARKER,
        })
        .arg(std::process::id().to_string())
        .arg(scratch.path())
        .arg(policy_text)
        .env_clear()
        .env("PATH", "/usr/local/bin:/usr/bin:/bin")
        .env("HOME", scratch.path())
        .env("TMPDIR", scratch.path())
        .current_dir(scratch.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    for name in &policy.env {
        if let Some(value) = std::env::var_os(name) {
            command.env(name, value);
        }
    }
    if let Some(program) = embedded {
        command.envs(program.env.iter().map(|(k, v)| (k, v)));
    }
    if let Kind::Command { program, args, env } = kind {
        command.arg(program).args(args);
        command.envs(env.iter().map(|(k, v)| (k, v)));
    }
    // A sandbox inside a sandbox cannot make a process group (seccomp refuses
    // setpgid): it stays in its parent's, which the watchdog kills whole.
    if super::entry::worker_state().is_none() {
        command.process_group(0);
    }
    let handle = tokio::runtime::Handle::current();
    let spawned = on_launcher(move || {
        let _runtime = handle.enter();
        command.spawn()
    })
    .await
    .and_then(|spawned| spawned);
    match spawned {
        Ok(child) => Ok((child, scratch)),
        Err(err) => {
            scratch.remove();
            Err(err)
        }
    }
}
