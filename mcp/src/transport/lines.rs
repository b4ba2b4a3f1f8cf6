//! A cancel-safe reader of newline-delimited messages with a size limit.

use tokio::io::{AsyncBufRead, AsyncBufReadExt};

/// One read from the line reader.
#[derive(Debug, PartialEq)]
pub(crate) enum Line<'a> {
    /// A complete line, without its `\n` (and without a trailing `\r`).
    Complete(&'a [u8]),
    /// A line longer than the limit; its bytes were discarded.
    Oversized,
    /// End of input.
    Eof,
}

/// Accumulates bytes across reads so that dropping `next` mid-way loses nothing.
/// The line buffer keeps its capacity from one line to the next: no allocation per
/// message once it has grown to the usual size.
#[derive(Debug)]
pub(crate) struct LineReader<R> {
    inner: R,
    buf: Vec<u8>,
    max: usize,
    discarding: bool,
    /// The last line handed out still sits in `buf`; clear it before reading on.
    handed_out: bool,
}

impl<R: AsyncBufRead + Unpin> LineReader<R> {
    pub(crate) fn new(inner: R, max: usize) -> Self {
        LineReader {
            inner,
            buf: Vec::with_capacity(1024),
            max,
            discarding: false,
            handed_out: false,
        }
    }

    /// The next line. Cancel-safe: the only await is `fill_buf`, which consumes nothing.
    pub(crate) async fn next(&mut self) -> std::io::Result<Line<'_>> {
        if std::mem::take(&mut self.handed_out) {
            self.buf.clear();
        }
        loop {
            let chunk = self.inner.fill_buf().await?;
            if chunk.is_empty() {
                if std::mem::take(&mut self.discarding) {
                    return Ok(Line::Oversized);
                }
                if self.buf.is_empty() {
                    return Ok(Line::Eof);
                }
                self.handed_out = true;
                return Ok(Line::Complete(&self.buf));
            }
            let (take, done) = match memchr::memchr(b'\n', chunk) {
                Some(i) => (i + 1, true),
                None => (chunk.len(), false),
            };
            if !self.discarding {
                let body = if done { &chunk[..take - 1] } else { chunk };
                if self.buf.len() + body.len() > self.max {
                    self.discarding = true;
                    self.buf.clear();
                } else {
                    self.buf.extend_from_slice(body);
                }
            }
            self.inner.consume(take);
            if done {
                if std::mem::take(&mut self.discarding) {
                    return Ok(Line::Oversized);
                }
                if self.buf.last() == Some(&b'\r') {
                    self.buf.pop();
                }
                self.handed_out = true;
                return Ok(Line::Complete(&self.buf));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn splits_lines_and_refuses_oversized_ones() {
        let input: &[u8] = b"{\"a\":1}\r\n0123456789ABCDEF\nok\ntail";
        let mut reader = LineReader::new(tokio::io::BufReader::with_capacity(4, input), 10);
        assert_eq!(
            reader.next().await.expect("io"),
            Line::Complete(b"{\"a\":1}")
        );
        assert_eq!(reader.next().await.expect("io"), Line::Oversized);
        assert_eq!(reader.next().await.expect("io"), Line::Complete(b"ok"));
        assert_eq!(reader.next().await.expect("io"), Line::Complete(b"tail"));
        assert_eq!(reader.next().await.expect("io"), Line::Eof);
    }
}
