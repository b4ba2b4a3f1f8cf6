//! Non-blocking stdin/stdout pipes that spend no syscall on the reactor in the common case.
//!
//! tokio's own pipe reader learns that a pipe is empty only from a read that fails
//! with `WouldBlock`: one wasted syscall per message on a request/response
//! connection. A short read on a pipe already proves it was drained at that instant,
//! so this reader clears the readiness itself. tokio's readiness ticks make that safe:
//! if data arrived after the read, the reactor's newer event wins and the clear is
//! ignored.

use std::fs::File;
use std::io::{self, Read};
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use nix::fcntl::{FcntlArg, OFlag, fcntl};
use tokio::io::unix::AsyncFd;
use tokio::io::{AsyncRead, ReadBuf};

/// A pipe read end, registered with the tokio reactor.
#[derive(Debug)]
pub(crate) struct PipeReader {
    fd: AsyncFd<File>,
}

impl PipeReader {
    /// Takes over `file` if it is a FIFO; anything else is handed back.
    pub(crate) fn new(file: File) -> Result<Self, File> {
        let file = set_nonblocking_fifo(file)?;
        // tokio deprecated the safe constructors in favour of an `unsafe fn register`
        // because a generic `T` could change the descriptor it reports. A `File` owns
        // its descriptor for its whole life, which is exactly what `register` asks
        // of the caller, so the safe constructor is sound here.
        #[allow(deprecated)]
        let registered = AsyncFd::try_new(file);
        registered
            .map(|fd| PipeReader { fd })
            .map_err(|err| err.into_parts().0)
    }
}

/// Makes `file` non-blocking if it is a FIFO; anything else is handed back untouched.
fn set_nonblocking_fifo(file: File) -> Result<File, File> {
    let is_fifo = file
        .metadata()
        .map(|m| std::os::unix::fs::FileTypeExt::is_fifo(&m.file_type()))
        .unwrap_or(false);
    if !is_fifo {
        return Err(file);
    }
    let Ok(flags) = fcntl(&file, FcntlArg::F_GETFL) else {
        return Err(file);
    };
    let flags = OFlag::from_bits_truncate(flags) | OFlag::O_NONBLOCK;
    if fcntl(&file, FcntlArg::F_SETFL(flags)).is_err() {
        return Err(file);
    }
    Ok(file)
}

impl AsyncRead for PipeReader {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        loop {
            let mut guard = ready!(self.fd.poll_read_ready(cx))?;
            let unfilled = buf.initialize_unfilled();
            let wanted = unfilled.len();
            match guard.try_io(|fd| fd.get_ref().read(unfilled)) {
                Ok(Ok(n)) => {
                    buf.advance(n);
                    if n > 0 && n < wanted {
                        guard.clear_ready();
                    }
                    return Poll::Ready(Ok(()));
                }
                Ok(Err(err)) => return Poll::Ready(Err(err)),
                Err(_would_block) => continue,
            }
        }
    }
}

/// A non-blocking writer for a stdout pipe that writes first and asks the reactor
/// only when the pipe is full: a response costs one `write`, with no readiness
/// bookkeeping in the common case.
#[derive(Debug)]
pub(crate) struct PipeWriter {
    fd: AsyncFd<File>,
}

impl PipeWriter {
    /// Takes over `file` if it is a FIFO; anything else is handed back.
    pub(crate) fn new(file: File) -> Result<Self, File> {
        let file = set_nonblocking_fifo(file)?;
        #[allow(deprecated)] // sound for `File`; see `PipeReader::new`
        let registered = AsyncFd::try_new(file);
        registered
            .map(|fd| PipeWriter { fd })
            .map_err(|err| err.into_parts().0)
    }
}

impl tokio::io::AsyncWrite for PipeWriter {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        use std::io::Write;
        match self.fd.get_ref().write(buf) {
            Err(err) if err.kind() == io::ErrorKind::WouldBlock => {}
            done => return Poll::Ready(done),
        }
        loop {
            let mut guard = ready!(self.fd.poll_write_ready(cx))?;
            match guard.try_io(|fd| fd.get_ref().write(buf)) {
                Ok(done) => return Poll::Ready(done),
                Err(_would_block) => continue,
            }
        }
    }

    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}
