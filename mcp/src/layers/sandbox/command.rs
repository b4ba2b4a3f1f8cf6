//! [`SandboxedCommand`]: an external program (`ffmpeg`, a compiler, `sh -c ...`) run
//! under a sandbox policy: stdin given, stdout and stderr captured up to a bound,
//! the exit status, and the same wall-clock watchdog as a sandboxed tool.

use std::ffi::{OsStr, OsString};
use std::os::unix::process::ExitStatusExt;
use std::process::ExitStatus;
use std::time::{Duration, Instant};

use nix::sys::signal::{Signal, kill, killpg};
use nix::unistd::Pid;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWriteExt};

use super::audit::Whose;
use super::confine::SANDBOX_UID_BASE;
use super::entry::KILLED_BY_SIGNAL;
use super::failure::{Failure, SETUP_FAILED};
use super::launcher::{self, Kind};
use super::policy::SandboxPolicy;

/// The default bound on captured stdout, and on stderr: 1 MiB each.
pub const DEFAULT_MAX_OUTPUT: usize = 1024 * 1024;

/// How long a command stopped by the watchdog has to reap its init.
const STOP_GRACE: Duration = Duration::from_millis(500);

/// A program to run in a sandbox.
///
/// ```no_run
/// use boltmcp::layers::sandbox::SandboxedCommand;
/// # async fn demo() -> Result<(), boltmcp::layers::sandbox::Failure> {
/// let output = SandboxedCommand::new("sh")
///     .args(["-c", "ls | wc -l"])
///     .run()
///     .await?;
/// assert_eq!(output.exit_code, Some(0));
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct SandboxedCommand {
    program: OsString,
    args: Vec<OsString>,
    env: Vec<(OsString, OsString)>,
    stdin: Vec<u8>,
    policy: SandboxPolicy,
    max_output: usize,
}

/// What a sandboxed command did.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct CommandOutput {
    /// Its standard output, up to the bound.
    pub stdout: Vec<u8>,
    /// Its standard error, up to the bound.
    pub stderr: Vec<u8>,
    /// Whether either stream went past the bound (the rest was read and dropped).
    pub truncated: bool,
    /// Its exit code.
    pub exit_code: Option<i32>,
    /// How long it ran.
    pub wall_time: Duration,
    policy: SandboxPolicy,
    /// The user its processes ran as, when it had one of its own (started as root).
    sandbox_user: Option<u32>,
}

impl CommandOutput {
    /// For a shell (`sh -c ...`), whose exit status 128 + N says that its last
    /// command died of signal N: that death as a [`Failure`] (`killed: CPU time limit
    /// 2 s`, ``killed: forbidden system call `socket` ``, `crashed: SIGSEGV`); `None`
    /// for any other status.
    pub fn shell_failure(&self) -> Option<Failure> {
        let signal = self.exit_code.filter(|code| *code > 128)? - 128;
        let said = String::from_utf8_lossy(&self.stderr);
        let failure = Failure::of_signal(signal, &said, &self.policy);
        Some(match self.sandbox_user {
            Some(uid) => failure.named(Whose::User(uid)),
            None => failure,
        })
    }
}

impl SandboxedCommand {
    /// Runs `program` (looked up on `PATH`: `/usr/local/bin:/usr/bin:/bin`) under
    /// [`SandboxPolicy::for_commands`].
    pub fn new(program: impl AsRef<OsStr>) -> Self {
        SandboxedCommand {
            program: program.as_ref().to_owned(),
            args: Vec::new(),
            env: Vec::new(),
            stdin: Vec::new(),
            policy: SandboxPolicy::for_commands(),
            max_output: DEFAULT_MAX_OUTPUT,
        }
    }

    /// Adds an argument.
    pub fn arg(mut self, arg: impl AsRef<OsStr>) -> Self {
        self.args.push(arg.as_ref().to_owned());
        self
    }

    /// Adds arguments.
    pub fn args<I, S>(mut self, args: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.args
            .extend(args.into_iter().map(|arg| arg.as_ref().to_owned()));
        self
    }

    /// Sets an environment variable for the program.
    pub fn env(mut self, name: impl AsRef<OsStr>, value: impl AsRef<OsStr>) -> Self {
        self.env
            .push((name.as_ref().to_owned(), value.as_ref().to_owned()));
        self
    }

    /// What the program reads on stdin (nothing by default).
    pub fn stdin(mut self, input: impl Into<Vec<u8>>) -> Self {
        self.stdin = input.into();
        self
    }

    /// The policy it runs under.
    pub fn policy(mut self, policy: SandboxPolicy) -> Self {
        self.policy = policy;
        self
    }

    /// At most this many bytes of stdout, and of stderr, are kept.
    pub fn max_output(mut self, bytes: usize) -> Self {
        self.max_output = bytes;
        self
    }

    /// Runs the program to its end, or until the watchdog kills it. Whatever it
    /// left running in the background is killed when it ends (its process group;
    /// inside a sandboxed worker, which cannot make groups, only the program).
    pub async fn run(&self) -> Result<CommandOutput, Failure> {
        if !super::entry::initialised() && super::entry::worker_state().is_none() {
            return Err(Failure::Unavailable(
                "call boltmcp::layers::sandbox::init first in main".into(),
            ));
        }
        let kind = Kind::Command {
            program: &self.program,
            args: &self.args,
            env: &self.env,
        };
        let started = Instant::now();
        let (mut child, scratch) = launcher::start(kind, &self.policy)
            .await
            .map_err(|err| Failure::Unavailable(format!("starting the command: {err}")))?;
        let pid = Pid::from_raw(
            child
                .id()
                .and_then(|id| i32::try_from(id).ok())
                .unwrap_or(0),
        );
        let own_group = super::entry::worker_state().is_none();
        // Started as root, the trampoline and everything under it became this user.
        let sandbox_user = (own_group && nix::unistd::geteuid().is_root() && pid.as_raw() > 0)
            .then(|| SANDBOX_UID_BASE + pid.as_raw().unsigned_abs());
        if let Some(mut stdin) = child.stdin.take() {
            let input = self.stdin.clone();
            // A program that never reads its input must not block the call.
            tokio::spawn(async move {
                let _ = stdin.write_all(&input).await;
            });
        }
        let max = self.max_output;
        let stdout = child
            .stdout
            .take()
            .map(|out| tokio::spawn(read_bounded(out, max)));
        let stderr = child
            .stderr
            .take()
            .map(|err| tokio::spawn(read_bounded(err, max)));
        let status = tokio::time::timeout(self.policy.wall_clock, child.wait()).await;
        let timed_out = status.is_err();
        if timed_out && pid.as_raw() > 0 {
            // The trampoline kills its init and reaps it; the group's kill below is
            // for a trampoline that does not answer.
            let _ = kill(pid, Signal::SIGTERM);
            let _ = tokio::time::timeout(STOP_GRACE, child.wait()).await;
        }
        // Whatever is left in its group ends with it; its pipes then close.
        if pid.as_raw() > 0 {
            let _ = if own_group {
                killpg(pid, Signal::SIGKILL)
            } else {
                kill(pid, Signal::SIGKILL)
            };
        }
        let status = match status {
            Ok(status) => status.ok(),
            Err(_) => {
                let _ = child.wait().await;
                scratch.remove();
                return Err(Failure::TimedOut(self.policy.wall_clock));
            }
        };
        let (stdout, out_cut) = joined(stdout).await;
        let (stderr, err_cut) = joined(stderr).await;
        scratch.remove();
        let Some(status) = status else {
            return Err(Failure::Unavailable("the command's status was lost".into()));
        };
        let (status, stderr) = program_status(status, stderr);
        let said = String::from_utf8_lossy(&stderr);
        if (status.signal().is_some()
            || (status.code() == Some(SETUP_FAILED) && said.contains("boltmcp sandbox:")))
            && let Some(failure) = Failure::of_exit(status, &said, &self.policy)
        {
            return Err(match sandbox_user {
                Some(uid) => failure.named(Whose::User(uid)),
                None => failure,
            });
        }
        Ok(CommandOutput {
            stdout,
            stderr,
            truncated: out_cut || err_cut,
            exit_code: status.code(),
            wall_time: started.elapsed(),
            policy: self.policy.clone(),
            sandbox_user,
        })
    }
}

/// The program's own status: its init reports a death by signal as 128 + the
/// signal, with a last line on stderr saying so, which is taken out.
fn program_status(status: ExitStatus, mut stderr: Vec<u8>) -> (ExitStatus, Vec<u8>) {
    let text = String::from_utf8_lossy(&stderr);
    let trimmed = text.trim_end_matches('\n');
    let last_start = trimmed.rfind('\n').map_or(0, |at| at + 1);
    let signal = trimmed[last_start..]
        .strip_prefix(KILLED_BY_SIGNAL)
        .and_then(|number| number.trim().parse::<i32>().ok())
        .filter(|signal| status.code() == Some(128 + signal));
    match signal {
        Some(signal) => {
            stderr.truncate(last_start);
            (ExitStatus::from_raw(signal), stderr)
        }
        None => (status, stderr),
    }
}

async fn joined(task: Option<tokio::task::JoinHandle<(Vec<u8>, bool)>>) -> (Vec<u8>, bool) {
    match task {
        Some(task) => task.await.unwrap_or_default(),
        None => (Vec::new(), false),
    }
}

/// Reads `stream` to its end, keeping the first `max` bytes.
async fn read_bounded(mut stream: impl AsyncRead + Unpin, max: usize) -> (Vec<u8>, bool) {
    let mut kept = Vec::new();
    let mut chunk = vec![0u8; 16 * 1024];
    let mut cut = false;
    loop {
        match stream.read(&mut chunk).await {
            Ok(0) | Err(_) => return (kept, cut),
            Ok(read) => {
                let room = max.saturating_sub(kept.len());
                kept.extend_from_slice(&chunk[..read.min(room)]);
                cut |= read > room;
            }
        }
    }
}
