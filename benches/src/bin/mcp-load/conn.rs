//! A spawned stdio server: blocking pipes, a deadline-bounded line reader, and
//! `/proc` probes of the child process.

use std::io::{self, Read as _, Write as _};
use std::os::fd::AsFd as _;
use std::process::{Child, ChildStdin, ChildStdout, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use nix::errno::Errno;
use nix::poll::{PollFd, PollFlags, PollTimeout, poll};

use crate::cli::ServerSpec;

/// Longest response line accepted before the server is declared broken.
const MAX_LINE: usize = 16 << 20;

/// Why no line could be read.
#[derive(Debug)]
pub(crate) enum ReadError {
    /// Nothing arrived before the deadline.
    Timeout,
    /// The server closed its stdout.
    Eof,
    /// Reading or polling failed, or the line grew past [`MAX_LINE`].
    Io(io::Error),
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Timeout => f.write_str("timed out waiting for a response line"),
            Self::Eof => f.write_str("server closed its stdout"),
            Self::Io(err) => write!(f, "reading server stdout: {err}"),
        }
    }
}

impl std::error::Error for ReadError {}

/// Splits a child's stdout into lines without a helper thread: `poll(2)`
/// bounds every wait, so a silent server cannot hang the load generator.
pub(crate) struct LineReader {
    out: ChildStdout,
    buf: Vec<u8>,
    start: usize,
    end: usize,
}

impl LineReader {
    fn new(out: ChildStdout) -> Self {
        Self {
            out,
            buf: vec![0; 64 << 10],
            start: 0,
            end: 0,
        }
    }

    fn buffered_newline(&self) -> Option<usize> {
        self.buf[self.start..self.end]
            .iter()
            .position(|&b| b == b'\n')
    }

    /// Whether a complete line is already buffered (the next call to
    /// [`Self::next_line`] returns without a system call).
    pub(crate) fn has_line(&self) -> bool {
        self.buffered_newline().is_some()
    }

    /// The next line, without its `\n`, waiting at most until `deadline`.
    pub(crate) fn next_line(&mut self, deadline: Instant) -> Result<&[u8], ReadError> {
        loop {
            if let Some(pos) = self.buffered_newline() {
                let line = self.start..self.start + pos;
                self.start += pos + 1;
                return Ok(&self.buf[line]);
            }
            if self.start > 0 {
                self.buf.copy_within(self.start..self.end, 0);
                self.end -= self.start;
                self.start = 0;
            }
            if self.end == self.buf.len() {
                if self.buf.len() >= MAX_LINE {
                    return Err(ReadError::Io(io::Error::other(format!(
                        "response line longer than {MAX_LINE} bytes"
                    ))));
                }
                self.buf.resize(self.buf.len() * 2, 0);
            }
            self.wait_readable(deadline)?;
            match self.out.read(&mut self.buf[self.end..]) {
                Ok(0) => return Err(ReadError::Eof),
                Ok(n) => self.end += n,
                Err(err) if err.kind() == io::ErrorKind::Interrupted => {}
                Err(err) => return Err(ReadError::Io(err)),
            }
        }
    }

    fn wait_readable(&self, deadline: Instant) -> Result<(), ReadError> {
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(ReadError::Timeout);
            }
            // Round up so a sub-millisecond remainder still waits.
            let millis = i32::try_from(left.as_millis().saturating_add(1)).unwrap_or(i32::MAX);
            let timeout = PollTimeout::try_from(millis).unwrap_or(PollTimeout::MAX);
            let mut fds = [PollFd::new(self.out.as_fd(), PollFlags::POLLIN)];
            match poll(&mut fds, timeout) {
                Ok(0) | Err(Errno::EINTR) => {}
                // Readable, or hung up / errored: the read reports which.
                Ok(_) => return Ok(()),
                Err(errno) => return Err(ReadError::Io(errno.into())),
            }
        }
    }
}

/// A running server with piped stdin and stdout.
pub(crate) struct ServerProcess {
    child: Child,
    pub(crate) stdin: Option<ChildStdin>,
    pub(crate) reader: LineReader,
}

impl ServerProcess {
    /// Spawns `spec`. CPU affinity is inherited from the load generator.
    pub(crate) fn spawn(spec: &ServerSpec, show_stderr: bool) -> anyhow::Result<Self> {
        let mut child = Command::new(&spec.program)
            .args(&spec.args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(if show_stderr {
                Stdio::inherit()
            } else {
                Stdio::null()
            })
            .spawn()
            .with_context(|| format!("spawning {:?}", spec.command_line()))?;
        let (Some(stdin), Some(stdout)) = (child.stdin.take(), child.stdout.take()) else {
            let _ = child.kill();
            let _ = child.wait();
            bail!("spawned server has no stdin/stdout pipe");
        };
        Ok(Self {
            child,
            stdin: Some(stdin),
            reader: LineReader::new(stdout),
        })
    }

    pub(crate) fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Writes all of `bytes` to the server's stdin.
    pub(crate) fn send(&mut self, bytes: &[u8]) -> io::Result<()> {
        match self.stdin.as_mut() {
            Some(stdin) => stdin.write_all(bytes),
            None => Err(io::Error::from(io::ErrorKind::BrokenPipe)),
        }
    }

    /// Closes stdin and waits up to `grace` for the server to exit; kills it
    /// after that. Returns the exit status and whether it had to be killed.
    pub(crate) fn shutdown(mut self, grace: Duration) -> (Option<ExitStatus>, bool) {
        drop(self.stdin.take());
        let deadline = Instant::now() + grace;
        while Instant::now() < deadline {
            match self.child.try_wait() {
                Ok(Some(status)) => return (Some(status), false),
                Ok(None) => std::thread::sleep(Duration::from_millis(1)),
                Err(_) => break,
            }
        }
        self.kill()
    }

    /// Kills and reaps the server.
    pub(crate) fn kill(mut self) -> (Option<ExitStatus>, bool) {
        let _ = self.child.kill();
        (self.child.wait().ok(), true)
    }
}

/// Fields read from `/proc/<pid>/status`.
#[derive(Debug, Default, Clone)]
pub(crate) struct ProcStatus {
    /// Peak resident set size (`VmHWM`), KiB.
    pub(crate) vm_hwm_kib: Option<u64>,
    /// `Cpus_allowed_list`, e.g. `0` or `0-1`.
    pub(crate) cpus_allowed: Option<String>,
}

/// Reads `VmHWM` and `Cpus_allowed_list` of `pid`.
pub(crate) fn proc_status(pid: u32) -> io::Result<ProcStatus> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    let mut status = ProcStatus::default();
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("VmHWM:") {
            status.vm_hwm_kib = rest.trim().trim_end_matches("kB").trim().parse().ok();
        } else if let Some(rest) = line.strip_prefix("Cpus_allowed_list:") {
            status.cpus_allowed = Some(rest.trim().to_owned());
        }
    }
    Ok(status)
}
