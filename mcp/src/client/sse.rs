//! Reads a `text/event-stream` body event by event, as the HTML standard's
//! "event stream interpretation" does: `data:` lines joined, `id:` kept as the
//! reconnection cursor, `retry:` as the reconnection delay, comments skipped.

use bytes::{Buf, BytesMut};
use http_body_util::BodyExt;
use hyper::body::Incoming;

/// One event.
#[derive(Debug, Default, Clone, PartialEq)]
pub(crate) struct Event {
    pub(crate) id: Option<String>,
    pub(crate) data: String,
    pub(crate) retry: Option<u64>,
}

/// Events from one response body.
#[derive(Debug)]
pub(crate) struct EventReader {
    body: Incoming,
    buf: BytesMut,
    done: bool,
}

impl EventReader {
    pub(crate) fn new(body: Incoming) -> Self {
        EventReader {
            body,
            buf: BytesMut::new(),
            done: false,
        }
    }

    /// The next event, `None` at the end of the stream (or when it broke).
    pub(crate) async fn next(&mut self) -> Option<Event> {
        loop {
            if let Some(event) = self.take_event() {
                return Some(event);
            }
            if self.done {
                return None;
            }
            match self.body.frame().await {
                Some(Ok(frame)) => {
                    if let Ok(data) = frame.into_data() {
                        self.buf.extend_from_slice(&data);
                    }
                }
                Some(Err(err)) => {
                    tracing::debug!(%err, "the event stream broke");
                    self.done = true;
                }
                None => self.done = true,
            }
        }
    }

    /// Cuts one complete event (up to a blank line) out of the buffer.
    fn take_event(&mut self) -> Option<Event> {
        loop {
            let end = find_blank_line(&self.buf)?;
            let block = self.buf.split_to(end.0);
            self.buf.advance(end.1);
            let text = String::from_utf8_lossy(&block);
            if let Some(event) = parse_block(&text) {
                return Some(event);
            }
        }
    }
}

/// Where the first blank line is: (end of the block, length of the separator).
fn find_blank_line(buf: &[u8]) -> Option<(usize, usize)> {
    let mut i = 0;
    while i < buf.len() {
        for sep in [&b"\r\n\r\n"[..], b"\n\n", b"\r\r"] {
            if buf[i..].starts_with(sep) {
                return Some((i, sep.len()));
            }
        }
        i += 1;
    }
    None
}

/// One event from its lines; `None` for a block of comments only.
pub(crate) fn parse_block(block: &str) -> Option<Event> {
    let mut event = Event::default();
    let mut any = false;
    let mut data = Vec::new();
    for line in block.lines() {
        if line.starts_with(':') || line.is_empty() {
            continue;
        }
        let (field, value) = match line.split_once(':') {
            Some((field, value)) => (field, value.strip_prefix(' ').unwrap_or(value)),
            None => (line, ""),
        };
        match field {
            "data" => {
                data.push(value);
                any = true;
            }
            "id" if !value.contains('\0') => {
                event.id = Some(value.to_owned());
                any = true;
            }
            "retry" => {
                event.retry = value.parse().ok();
                any = true;
            }
            _ => {}
        }
    }
    event.data = data.join("\n");
    any.then_some(event)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_read_and_comments_skipped() {
        let event =
            parse_block("id: 3-1\nretry: 500\nevent: message\ndata: {\"a\":1}").expect("event");
        assert_eq!(event.id.as_deref(), Some("3-1"));
        assert_eq!(event.retry, Some(500));
        assert_eq!(event.data, "{\"a\":1}");
        assert_eq!(parse_block(":\n: keep-alive"), None);
        assert_eq!(parse_block("data: a\ndata: b").expect("event").data, "a\nb");
    }

    #[test]
    fn blank_lines_end_events_whatever_the_line_ending() {
        assert_eq!(find_blank_line(b"data: x\n\nrest"), Some((7, 2)));
        assert_eq!(find_blank_line(b"data: x\r\n\r\n"), Some((7, 4)));
        assert_eq!(find_blank_line(b"data: x\n"), None);
    }
}
