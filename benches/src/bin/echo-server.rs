//! `echo-server`: the floor of a stdio MCP round trip.
//!
//! Reads newline-delimited JSON-RPC from stdin and, for each request, writes a
//! canned response carrying the request's `id`: a minimal `InitializeResult`
//! for `initialize`, a fixed `CallToolResult` for anything else.
//! Notifications (no `id`) get no answer. The id is found by a byte search, not
//! a JSON parse, and each response is one write of a locked, buffered stdout
//! flushed per line, so this measures little beyond the pipes themselves.
//! Standard library only, no async runtime.

use std::io::{self, BufRead as _, Write as _};

const INIT_RESULT: &[u8] = br#"{"protocolVersion":"2025-06-18","capabilities":{"tools":{}},"serverInfo":{"name":"echo-server","version":"0.1.0"}}"#;
const CALL_RESULT: &[u8] =
    br#"{"content":[{"type":"text","text":"3"}],"structuredContent":{"result":3},"isError":false}"#;

/// The raw `id` value of a request line (a number or a simple string), or
/// `None` for a notification.
fn find_id(line: &[u8]) -> Option<&[u8]> {
    const KEY: &[u8] = b"\"id\":";
    let at = line.windows(KEY.len()).position(|w| w == KEY)? + KEY.len();
    let rest = &line[at..];
    let start = rest.iter().position(|b| !b.is_ascii_whitespace())?;
    let rest = &rest[start..];
    let len = rest
        .iter()
        .position(|&b| matches!(b, b',' | b'}' | b' ' | b'\t' | b'\r'))
        .unwrap_or(rest.len());
    let id = &rest[..len];
    (!id.is_empty() && id != b"null").then_some(id)
}

fn is_initialize(line: &[u8]) -> bool {
    const METHOD: &[u8] = b"\"initialize\"";
    line.windows(METHOD.len()).any(|w| w == METHOD)
}

fn main() -> io::Result<()> {
    let mut input = io::stdin().lock();
    let mut output = io::BufWriter::new(io::stdout().lock());
    let mut line = Vec::with_capacity(4096);
    loop {
        line.clear();
        if input.read_until(b'\n', &mut line)? == 0 {
            return Ok(());
        }
        let Some(id) = find_id(&line) else {
            continue;
        };
        let result = if is_initialize(&line) {
            INIT_RESULT
        } else {
            CALL_RESULT
        };
        output.write_all(b"{\"jsonrpc\":\"2.0\",\"id\":")?;
        output.write_all(id)?;
        output.write_all(b",\"result\":")?;
        output.write_all(result)?;
        output.write_all(b"}\n")?;
        output.flush()?;
    }
}

#[cfg(test)]
mod tests {
    use super::{find_id, is_initialize};

    #[test]
    fn finds_ids() {
        assert_eq!(
            find_id(br#"{"jsonrpc":"2.0","id":42,"method":"tools/call"}"#),
            Some(&b"42"[..])
        );
        assert_eq!(find_id(br#"{"id": 7}"#), Some(&b"7"[..]));
        assert_eq!(
            find_id(br#"{"method":"x","id":"ab"}"#),
            Some(&br#""ab""#[..])
        );
        assert_eq!(
            find_id(br#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#),
            None
        );
        assert_eq!(find_id(br#"{"id":null}"#), None);
    }

    #[test]
    fn spots_initialize() {
        assert!(is_initialize(
            br#"{"id":1,"method":"initialize","params":{}}"#
        ));
        assert!(!is_initialize(br#"{"method":"notifications/initialized"}"#));
    }
}
