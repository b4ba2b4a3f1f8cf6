//! The calculator example serves stdio with `serve_stdio_blocking`: bad input gets
//! the JSON-RPC error the spec names with `id: null`, the server goes on, and it exits
//! cleanly at the end of input.

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

/// The calculator, started with piped stdin and stdout.
fn calculator() -> (Child, ChildStdin, BufReader<ChildStdout>) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_calculator"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the calculator starts");
    let stdin = child.stdin.take().expect("stdin");
    let stdout = BufReader::new(child.stdout.take().expect("stdout"));
    (child, stdin, stdout)
}

#[test]
fn bad_input_is_answered_and_the_server_goes_on_until_eof() {
    let (mut child, mut stdin, mut stdout) = calculator();
    let mut next = || -> Value {
        let mut line = String::new();
        stdout.read_line(&mut line).expect("a line");
        serde_json::from_str(&line).unwrap_or_else(|e| panic!("not JSON ({e}): {line:?}"))
    };
    stdin.write_all(b"{not json\n").expect("write");
    let parse = next();
    assert_eq!(parse["error"]["code"], -32700);
    assert!(parse["id"].is_null());
    stdin.write_all(b"\xff\xfe\n").expect("write");
    assert_eq!(next()["error"]["code"], -32700, "invalid UTF-8");
    let huge = format!("{{\"pad\":\"{}\"}}\n", "x".repeat(5 << 20));
    stdin.write_all(huge.as_bytes()).expect("write");
    let oversized = next();
    assert_eq!(oversized["error"]["code"], -32600, "{oversized}");
    let init = json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
        "protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}}});
    writeln!(stdin, "{init}").expect("write");
    assert_eq!(next()["result"]["serverInfo"]["name"], "calculator");
    writeln!(
        stdin,
        "{}",
        json!({"jsonrpc": "2.0", "method": "notifications/initialized"})
    )
    .expect("write");
    let call = json!({"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": {"name": "add", "arguments": {"a": 2, "b": 3}}});
    writeln!(stdin, "{call}").expect("write");
    assert_eq!(next()["result"]["structuredContent"]["result"], 5.0);
    drop(stdin);
    let started = Instant::now();
    loop {
        if let Some(status) = child.try_wait().expect("wait") {
            assert!(status.success(), "{status}");
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "the server did not exit at EOF"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// A 2026-07-28 `subscriptions/listen` open at EOF ends with its final result (a
/// listen cancelled by the end of the grace period would get no response at all).
#[test]
fn an_open_listen_gets_its_final_result_at_eof() {
    let (mut child, mut stdin, mut stdout) = calculator();
    let listen = json!({"jsonrpc": "2.0", "id": "l", "method": "subscriptions/listen", "params": {
        "notifications": {"toolsListChanged": true},
        "_meta": {"io.modelcontextprotocol/protocolVersion": "2026-07-28",
                  "io.modelcontextprotocol/clientCapabilities": {}}}});
    writeln!(stdin, "{listen}").expect("write");
    let mut line = String::new();
    stdout.read_line(&mut line).expect("a line");
    assert!(
        line.contains("notifications/subscriptions/acknowledged"),
        "{line}"
    );
    drop(stdin);
    line.clear();
    stdout.read_line(&mut line).expect("a line");
    let last: Value = serde_json::from_str(&line).unwrap_or_else(|e| panic!("{e}: {line:?}"));
    assert_eq!(last["id"], "l", "{last}");
    assert_eq!(last["result"]["resultType"], "complete", "{last}");
    assert!(child.wait().expect("exit").success());
}
