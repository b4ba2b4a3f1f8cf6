//! Reads a `text/event-stream` body event by event, as the HTML standard's
//! "event stream interpretation" does: `data:` lines joined, `id:` kept as the
//! reconnection cursor, `retry:` as the reconnection delay, comments skipped.

use bytes::{Buf, BytesMut};
use http_body_util::BodyExt;
use hyper::body::Incoming;

use super::rpc::MAX_MESSAGE;

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
    events: EventBuffer,
    done: bool,
}

impl EventReader {
    pub(crate) fn new(body: Incoming) -> Self {
        EventReader {
            body,
            events: EventBuffer::default(),
            done: false,
        }
    }

    /// The next event, `None` at the end of the stream (or when it broke).
    pub(crate) async fn next(&mut self) -> Option<Event> {
        loop {
            if let Some(event) = self.events.take_event() {
                return Some(event);
            }
            if self.done {
                return None;
            }
            match self.body.frame().await {
                Some(Ok(frame)) => {
                    if let Ok(data) = frame.into_data() {
                        self.events.push(&data);
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
}

/// The bytes of a stream not yet cut into events.
#[derive(Debug, Default)]
struct EventBuffer {
    buf: BytesMut,
    /// How much of `buf` is known to hold no blank line, so each byte is looked at
    /// about once however the event arrives in pieces.
    scanned: usize,
    /// Dropping the rest of an event larger than the client takes.
    discarding: bool,
}

impl EventBuffer {
    fn push(&mut self, bytes: &[u8]) {
        self.buf.extend_from_slice(bytes);
    }

    /// Cuts one complete event (up to a blank line) out of the buffer. An event
    /// larger than the client takes (as on stdio) is dropped with a warning.
    fn take_event(&mut self) -> Option<Event> {
        loop {
            // A separator may straddle what was scanned and what arrived since.
            let from = self.scanned.saturating_sub(3);
            let Some((at, len)) = find_blank_line(&self.buf[from..]) else {
                self.scanned = self.buf.len();
                if self.buf.len() > MAX_MESSAGE {
                    tracing::warn!(
                        "the server sent an event larger than {MAX_MESSAGE} bytes; skipped"
                    );
                    self.buf.clear();
                    self.scanned = 0;
                    self.discarding = true;
                }
                return None;
            };
            let block = self.buf.split_to(from + at);
            self.buf.advance(len);
            self.scanned = 0;
            if std::mem::take(&mut self.discarding) {
                continue;
            }
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
    // Every separator starts at a line ending: jump from one to the next.
    while let Some(offset) = memchr::memchr2(b'\n', b'\r', &buf[i..]) {
        let at = i + offset;
        for sep in [&b"\r\n\r\n"[..], b"\n\n", b"\r\r"] {
            if buf[at..].starts_with(sep) {
                return Some((at, sep.len()));
            }
        }
        i = at + 1;
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
    fn events_arriving_byte_by_byte_are_cut_where_they_end() {
        let mut events = EventBuffer::default();
        let mut seen = Vec::new();
        for byte in b"id: 1\r\ndata: a\r\n\r\ndata: b\n\n" {
            events.push(&[*byte]);
            seen.extend(events.take_event());
        }
        let data: Vec<_> = seen.iter().map(|e| e.data.as_str()).collect();
        assert_eq!(data, ["a", "b"]);
        assert_eq!(seen[0].id.as_deref(), Some("1"));
    }

    #[test]
    fn an_event_larger_than_the_limit_is_skipped_and_the_next_one_read() {
        let mut events = EventBuffer::default();
        let chunk = vec![b'x'; 1 << 20];
        events.push(b"data: ");
        for _ in 0..=(MAX_MESSAGE >> 20) {
            events.push(&chunk);
            assert_eq!(events.take_event(), None);
        }
        assert!(
            events.buf.len() < MAX_MESSAGE,
            "the oversized event is not kept"
        );
        events.push(b"tail\n\ndata: next\n\n");
        assert_eq!(events.take_event().expect("the next event").data, "next");
    }

    #[test]
    fn blank_lines_end_events_whatever_the_line_ending() {
        assert_eq!(find_blank_line(b"data: x\n\nrest"), Some((7, 2)));
        assert_eq!(find_blank_line(b"data: x\r\n\r\n"), Some((7, 4)));
        assert_eq!(find_blank_line(b"data: x\n"), None);
    }
}
