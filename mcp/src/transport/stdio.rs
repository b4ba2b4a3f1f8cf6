//! stdio: newline-delimited JSON-RPC on standard input and output (2025-11-25
//! `basic/transports`, "stdio"). Logs go to stderr, never stdout.
//!
//! Requests are served concurrently. A handler that finishes without waiting is run
//! inline on the connection's task and its response leaves in the same write as any
//! other ready output: no spawn, no thread handoff. A handler that waits is spawned
//! and its response is written when it finishes. One task owns the writer, so lines
//! never interleave.

use std::future::Future;
use std::io;
use std::task::Poll;
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::sync::mpsc;
use tokio::task::JoinSet;

use super::lines::{Line, LineReader};
use crate::protocol::ErrorObject;
use crate::protocol::jsonrpc::write_error;
use crate::server::{Connection, PendingResponse, Server};

/// How a stdio-style connection behaves at its edges.
#[derive(Debug, Clone)]
pub struct StdioOptions {
    /// Largest accepted line, in bytes; a longer one is answered with -32600.
    pub max_message_size: usize,
    /// At end of input, how long requests in flight may run before they are cancelled.
    pub shutdown_grace: Duration,
}

impl Default for StdioOptions {
    fn default() -> Self {
        StdioOptions {
            max_message_size: 4 * 1024 * 1024,
            shutdown_grace: Duration::from_secs(5),
        }
    }
}

/// Serves `server` on this process's stdin and stdout until stdin closes.
///
/// Fails at once, saying what to change, when the runtime lacks the time or IO driver
/// (build it with `enable_all()`, or use `#[tokio::main]`).
pub async fn serve_stdio(server: Server) -> io::Result<()> {
    super::runtime::require_drivers(true)?;
    let options = StdioOptions {
        max_message_size: server.config().max_message_size,
        ..Default::default()
    };
    let (reader, writer) = std_pipes()?;
    serve_io(server, reader, writer, options).await
}

type BoxRead = Box<dyn AsyncRead + Send + Unpin>;
type BoxWrite = Box<dyn AsyncWrite + Send + Unpin>;

/// stdin and stdout as non-blocking pipes when they are pipes (no blocking-pool
/// handoff per read), else tokio's ordinary stdin and stdout.
fn std_pipes() -> io::Result<(BoxRead, BoxWrite)> {
    #[cfg(unix)]
    {
        use std::os::fd::AsFd;
        let stdin = std::fs::File::from(io::stdin().as_fd().try_clone_to_owned()?);
        let stdout = std::fs::File::from(io::stdout().as_fd().try_clone_to_owned()?);
        let reader: BoxRead = match super::pipe::PipeReader::new(stdin) {
            Ok(rx) => Box::new(rx),
            Err(_) => Box::new(tokio::io::stdin()),
        };
        let writer: BoxWrite = match super::pipe::PipeWriter::new(stdout) {
            Ok(tx) => Box::new(tx),
            Err(_) => Box::new(tokio::io::stdout()),
        };
        Ok((reader, writer))
    }
    #[cfg(not(unix))]
    {
        Ok((Box::new(tokio::io::stdin()), Box::new(tokio::io::stdout())))
    }
}

/// The answer to a line longer than `limit` bytes (-32600, no id).
pub(crate) fn oversized(limit: usize) -> ErrorObject {
    ErrorObject::invalid_request(format!("message exceeds the {limit} byte limit"))
}

/// The answer to a line that is not UTF-8 (-32700, no id).
pub(crate) fn not_utf8() -> ErrorObject {
    ErrorObject::parse_error("the message is not valid UTF-8")
}

/// Polls a future once on the current task; hands it back if it is not done.
pub(crate) fn poll_once<F: Future + Unpin>(fut: &mut F) -> Poll<F::Output> {
    let waker = std::task::Waker::noop();
    let mut cx = std::task::Context::from_waker(waker);
    std::pin::Pin::new(fut).poll(&mut cx)
}

/// Serves `server` on any byte stream pair: a child's pipes, a socket, an in-memory duplex.
///
/// Fails at once when the runtime has no time driver.
pub async fn serve_io<R, W>(
    server: Server,
    reader: R,
    mut writer: W,
    options: StdioOptions,
) -> io::Result<()>
where
    R: AsyncRead + Unpin,
    W: AsyncWrite + Unpin,
{
    super::runtime::require_drivers(false)?;
    let (tx, mut rx) = mpsc::unbounded_channel::<Vec<u8>>();
    let conn = Connection::new(server, tx.clone());
    let mut lines = LineReader::new(
        BufReader::with_capacity(64 * 1024, reader),
        options.max_message_size,
    );
    let mut tasks = JoinSet::new();
    let mut out: Vec<u8> = Vec::with_capacity(64 * 1024);
    let result = loop {
        tokio::select! {
            biased;
            Some(line) = rx.recv() => {
                out.extend_from_slice(&line);
                drain(&mut rx, &mut out);
            }
            Some(_) = tasks.join_next(), if !tasks.is_empty() => {}
            line = lines.next() => match line {
                Ok(Line::Eof) => break Ok(()),
                Ok(Line::Oversized) => write_error(&mut out, None, &oversized(options.max_message_size)),
                Ok(Line::Complete(bytes)) => {
                    let pending = on_line(&conn, bytes, &mut rx, &mut out);
                    if let Some(fut) = pending {
                        let tx = tx.clone();
                        tasks.spawn(async move {
                            if let Some(answer) = fut.await {
                                let _ = tx.send(answer.line);
                            }
                        });
                    }
                }
                Err(err) => break Err(err),
            },
        }
        if !out.is_empty() {
            writer.write_all(&out).await?;
            writer.flush().await?;
            out.clear();
        }
    };
    // End of input: listens end with their final result; requests in flight get a
    // grace period to finish, then are cancelled.
    conn.begin_shutdown();
    if !tasks.is_empty() {
        let finish_in_flight = async { while tasks.join_next().await.is_some() {} };
        tokio::select! {
            () = finish_in_flight => {}
            () = tokio::time::sleep(options.shutdown_grace) => {
                conn.shutdown();
                tasks.shutdown().await;
            }
        }
    }
    conn.shutdown();
    drop(tx);
    drain(&mut rx, &mut out);
    if !out.is_empty() {
        // The reader may already be gone; a failed final write is not an error of ours.
        let _ = writer.write_all(&out).await;
        let _ = writer.flush().await;
    }
    result
}

fn drain(rx: &mut mpsc::UnboundedReceiver<Vec<u8>>, out: &mut Vec<u8>) {
    while let Ok(line) = rx.try_recv() {
        out.extend_from_slice(&line);
    }
}

/// Handles one line: what is ready goes into `out` (after any notifications the
/// handler sent, so they precede its response); what must wait is handed back.
fn on_line(
    conn: &Connection,
    bytes: &[u8],
    rx: &mut mpsc::UnboundedReceiver<Vec<u8>>,
    out: &mut Vec<u8>,
) -> Option<PendingResponse> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return None;
    }
    let Ok(text) = std::str::from_utf8(bytes) else {
        write_error(out, None, &not_utf8());
        return None;
    };
    let mut fut = conn.handle_into(text, http::Extensions::new(), out)?;
    match poll_once(&mut fut) {
        Poll::Ready(line) => {
            drain(rx, out);
            if let Some(answer) = line {
                out.extend_from_slice(&answer.line);
            }
            None
        }
        Poll::Pending => Some(fut),
    }
}
