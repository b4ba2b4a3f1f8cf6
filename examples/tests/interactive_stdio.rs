//! The `interactive` example over real stdio (`serve_stdio`): a call cancelled with
//! `notifications/cancelled` gets no response in either era, though its handler
//! watches `ctx.cancelled()` and returns "cancelled after N steps" at once
//! (2025-11-25 `basic/utilities/cancellation`: the receiver should not respond).

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::time::Duration;

use serde_json::{Value, json};

struct Peer {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
}

impl Peer {
    fn start() -> Peer {
        let mut child = Command::new(env!("CARGO_BIN_EXE_interactive"))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("the interactive example starts");
        let stdin = child.stdin.take().expect("stdin");
        let stdout = BufReader::new(child.stdout.take().expect("stdout"));
        Peer {
            child,
            stdin,
            stdout,
        }
    }

    fn send(&mut self, message: Value) {
        writeln!(self.stdin, "{message}").expect("write");
    }

    fn next(&mut self) -> Value {
        let mut line = String::new();
        self.stdout.read_line(&mut line).expect("a line");
        serde_json::from_str(&line).unwrap_or_else(|e| panic!("not JSON ({e}): {line:?}"))
    }

    /// The next message that is not a notification.
    fn next_answer(&mut self) -> Value {
        loop {
            let message = self.next();
            if message.get("method").is_none() {
                return message;
            }
        }
    }
}

impl Drop for Peer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn cancel_then_expect_only_the_next_answer(peer: &mut Peer, call: Value, next: Value) {
    peer.send(call);
    std::thread::sleep(Duration::from_millis(250));
    peer.send(
        json!({"jsonrpc": "2.0", "method": "notifications/cancelled", "params": {"requestId": 2}}),
    );
    // The handler sees the cancellation and returns at once; a response it wrongly
    // sent would be written before the next answer.
    std::thread::sleep(Duration::from_millis(200));
    peer.send(next);
    let answer = peer.next_answer();
    assert_eq!(
        answer["id"], 3,
        "the cancelled call got a response: {answer}"
    );
}

#[test]
fn a_cancelled_legacy_call_gets_no_response() {
    let mut peer = Peer::start();
    peer.send(json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
        "protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}}}));
    assert_eq!(peer.next()["id"], 1);
    peer.send(json!({"jsonrpc": "2.0", "method": "notifications/initialized"}));
    cancel_then_expect_only_the_next_answer(
        &mut peer,
        json!({"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": {
            "name": "long_task", "arguments": {"steps": 100}, "_meta": {"progressToken": "p"}}}),
        json!({"jsonrpc": "2.0", "id": 3, "method": "ping"}),
    );
}

#[test]
fn a_cancelled_modern_call_gets_no_response() {
    let mut peer = Peer::start();
    let meta = json!({
        "io.modelcontextprotocol/protocolVersion": "2026-07-28",
        "io.modelcontextprotocol/clientCapabilities": {},
        "io.modelcontextprotocol/clientInfo": {"name": "t", "version": "1"},
    });
    cancel_then_expect_only_the_next_answer(
        &mut peer,
        json!({"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": {
            "name": "long_task", "arguments": {"steps": 100}, "_meta": meta}}),
        json!({"jsonrpc": "2.0", "id": 3, "method": "tools/list", "params": {"_meta": meta}}),
    );
}
