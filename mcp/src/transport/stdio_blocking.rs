//! stdio for a process that serves one client and does nothing else: the main thread
//! blocks on stdin and answers a call to a synchronous tool on an unlayered server,
//! or a malformed message, with one blocking write, the way a plain echo loop would:
//! no reactor, no wake-up, no task. Every other request (lists and `initialize`
//! included) is polled once here and, whether it finished or must wait, answered by
//! the writer on a one-thread tokio runtime beside it, which also writes the
//! connection's notifications, so a response never overtakes what its handler sent
//! before it. Both write whole lines under one lock, so lines never interleave.
//!
//! [`serve_stdio`](super::serve_stdio) is the general choice; this one trades the
//! ability to share the thread for the lowest latency per request.

use std::io::{self, BufRead, Write};
use std::sync::{Arc, Mutex, PoisonError};
use std::task::Poll;

use tokio::sync::mpsc;
use tokio::task::JoinSet;

use super::stdio::{StdioOptions, not_utf8, oversized, poll_once};
use crate::protocol::jsonrpc::write_error;
use crate::server::{Connection, Server};

enum Read {
    Line,
    Oversized,
    Eof,
}

/// Reads one line into `buf` (without its `\n` or `\r\n`), discarding a line longer
/// than `max` bytes.
fn read_line(input: &mut impl BufRead, buf: &mut Vec<u8>, max: usize) -> io::Result<Read> {
    buf.clear();
    let mut discarding = false;
    loop {
        let chunk = input.fill_buf()?;
        if chunk.is_empty() {
            return Ok(match (discarding, buf.is_empty()) {
                (true, _) => Read::Oversized,
                (false, true) => Read::Eof,
                (false, false) => Read::Line,
            });
        }
        let (take, done) = match memchr::memchr(b'\n', chunk) {
            Some(i) => (i, true),
            None => (chunk.len(), false),
        };
        if !discarding {
            buf.extend_from_slice(&chunk[..take]);
        }
        input.consume(if done { take + 1 } else { take });
        if buf.len() > max {
            discarding = true;
            buf.clear();
        }
        if done {
            if discarding {
                return Ok(Read::Oversized);
            }
            if buf.last() == Some(&b'\r') {
                buf.pop();
            }
            return Ok(Read::Line);
        }
    }
}

fn write_lines(stdout: &Mutex<io::Stdout>, bytes: &[u8]) -> io::Result<()> {
    let mut stdout = stdout.lock().unwrap_or_else(PoisonError::into_inner);
    stdout.write_all(bytes)?;
    stdout.flush()
}

/// Serves `server` on this process's stdin and stdout until stdin closes, blocking
/// the calling thread (see the module documentation). Call it from `main`, not from
/// inside an async runtime.
pub fn serve_stdio_blocking(server: Server) -> io::Result<()> {
    let options = StdioOptions {
        max_message_size: server.config().max_message_size,
        ..Default::default()
    };
    // The runtime runs on a thread of its own, which drives the waiting handlers.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let handle = runtime.handle().clone();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let driver = std::thread::Builder::new()
        .name("boltmcp-stdio-runtime".into())
        .spawn(move || {
            runtime.block_on(async {
                let _ = stopped.await;
            })
        })?;
    // Handlers polled here may spawn or set timers: give them the runtime.
    let _entered = handle.enter();
    let stdout = Arc::new(Mutex::new(io::stdout()));
    let (tx, mut rx) = mpsc::unbounded_channel::<Vec<u8>>();
    let conn = Connection::new(server, tx.clone());
    // Stopped explicitly at the end: a task still running in the background holds a
    // sender, so waiting for every sender to go could wait forever.
    let (stop_writer, writer_stopped) = tokio::sync::oneshot::channel::<()>();
    let writer = {
        let stdout = stdout.clone();
        handle.spawn(async move {
            let mut stopped = std::pin::pin!(writer_stopped);
            loop {
                let mut batch = tokio::select! {
                    biased;
                    line = rx.recv() => match line {
                        Some(line) => line,
                        None => return,
                    },
                    _ = &mut stopped => Vec::new(),
                };
                let last = batch.is_empty();
                while let Ok(more) = rx.try_recv() {
                    batch.extend_from_slice(&more);
                }
                if write_lines(&stdout, &batch).is_err() || last {
                    return;
                }
            }
        })
    };
    let mut tasks = JoinSet::new();
    let mut input = io::stdin().lock();
    let (mut line, mut out) = (Vec::with_capacity(4096), Vec::with_capacity(4096));
    let result = loop {
        match read_line(&mut input, &mut line, options.max_message_size) {
            Ok(Read::Eof) => break Ok(()),
            Ok(Read::Oversized) => {
                write_error(&mut out, None, &oversized(options.max_message_size))
            }
            Ok(Read::Line) if line.iter().all(u8::is_ascii_whitespace) => {}
            Ok(Read::Line) => match std::str::from_utf8(&line) {
                Err(_) => write_error(&mut out, None, &not_utf8()),
                Ok(text) => {
                    if let Some(mut fut) = conn.handle_into(text, http::Extensions::new(), &mut out)
                    {
                        // Anything the handler sent already sits in the channel: its
                        // response goes the same way, after it.
                        match poll_once(&mut fut) {
                            Poll::Ready(Some(response)) => {
                                let _ = tx.send(response.line);
                            }
                            Poll::Ready(None) => {}
                            Poll::Pending => {
                                let tx = tx.clone();
                                tasks.spawn(async move {
                                    if let Some(response) = fut.await {
                                        let _ = tx.send(response.line);
                                    }
                                });
                            }
                        }
                    }
                }
            },
            Err(err) => break Err(err),
        }
        if !out.is_empty() {
            if let Err(err) = write_lines(&stdout, &out) {
                break Err(err);
            }
            out.clear();
        }
        // Reap finished handlers without waiting.
        while tasks.try_join_next().is_some() {}
    };
    // End of input: listens end with their final result; requests in flight get a
    // grace period, then are cancelled.
    conn.begin_shutdown();
    handle.block_on(async {
        let finish = async { while tasks.join_next().await.is_some() {} };
        if tokio::time::timeout(options.shutdown_grace, finish)
            .await
            .is_err()
        {
            conn.shutdown();
            tasks.shutdown().await;
        }
    });
    conn.shutdown();
    drop(conn);
    drop(tx);
    let _ = stop_writer.send(());
    let _ = handle.block_on(writer);
    let _ = stop.send(());
    let _ = driver.join();
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(input: &[u8], max: usize) -> Vec<String> {
        let mut reader = io::BufReader::with_capacity(4, input);
        let mut buf = Vec::new();
        let mut out = Vec::new();
        loop {
            match read_line(&mut reader, &mut buf, max).expect("read") {
                Read::Eof => return out,
                Read::Oversized => out.push("<oversized>".into()),
                Read::Line => out.push(String::from_utf8_lossy(&buf).into_owned()),
            }
        }
    }

    #[test]
    fn lines_are_split_trimmed_and_limited() {
        assert_eq!(lines(b"a\r\nbb\n\nlast", 10), ["a", "bb", "", "last"]);
        assert_eq!(lines(b"0123456789ABC\nok\n", 10), ["<oversized>", "ok"]);
        assert_eq!(lines(b"0123456789ABC", 10), ["<oversized>"]);
    }
}
