//! The `secure-server` example as a user tries it first: `--dev` prints a working
//! token, boltmcp's own client calls the tools with it over HTTP in both eras, a
//! missing scope and a missing token are refused, and without a key the server
//! refuses to start with a message that names the flags.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use boltmcp::client::Client;
use serde_json::json;

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a port");
    listener.local_addr().expect("an address").port()
}

/// Starts `secure-server --dev` on a free port and returns it with the port and the
/// token it printed.
fn start_dev() -> (Server, u16, String) {
    start_dev_with(&[])
}

/// As [`start_dev`], with more flags. Tests run in parallel, so a port found free
/// may be taken before the server binds it: then the server exits and another port
/// is tried.
fn start_dev_with(flags: &[&str]) -> (Server, u16, String) {
    for _ in 0..5 {
        let port = free_port();
        let (mut server, token) = spawn_dev(port, flags);
        for _ in 0..200 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return (server, port, token);
            }
            if server.0.try_wait().ok().flatten().is_some() {
                break;
            }
            std::thread::sleep(Duration::from_millis(25));
        }
    }
    panic!("secure-server did not start serving");
}

fn spawn_dev(port: u16, flags: &[&str]) -> (Server, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_secure-server"))
        .args([format!("127.0.0.1:{port}").as_str(), "--dev"])
        .args(flags)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the example starts");
    let stdout = child.stdout.take().expect("stdout");
    let mut lines = BufReader::new(stdout).lines();
    let token = lines
        .next()
        .and_then(Result::ok)
        .and_then(|line| line.strip_prefix("TOKEN=").map(str::to_owned))
        .expect("the first line is TOKEN=…");
    let curl = lines.next().and_then(Result::ok).expect("a curl line");
    assert!(curl.starts_with("curl ") && curl.contains("Authorization: Bearer $TOKEN"));
    (Server(child), token)
}

async fn connect(port: u16, token: Option<String>) -> Result<Client, boltmcp::client::ClientError> {
    let url = format!("http://127.0.0.1:{port}/mcp");
    let mut last = None;
    for _ in 0..100 {
        let mut builder = Client::builder();
        if let Some(token) = token.clone() {
            builder = builder.headers(move |headers| {
                if let Ok(value) = format!("Bearer {token}").parse() {
                    headers.insert(http::header::AUTHORIZATION, value);
                }
            });
        }
        match builder.connect_http(&url).await {
            Ok(client) => return Ok(client),
            Err(err) if err.to_string().contains("connect") => {
                last = Some(err);
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            Err(err) => return Err(err),
        }
    }
    Err(last.expect("at least one attempt"))
}

#[tokio::test]
async fn the_dev_token_works_and_scopes_are_enforced() {
    let (_server, port, token) = start_dev();
    let client = connect(port, Some(token))
        .await
        .expect("connects with the token");
    let who = client.call_tool("whoami", json!({})).await.expect("whoami");
    assert_eq!(
        who.structured_content,
        Some(json!({ "subject": "developer", "scopes": ["math:write", "secrets:read"] }))
    );
    let divided = client
        .call_tool("divide", json!({ "a": 1, "b": 4 }))
        .await
        .expect("divide");
    assert_eq!(divided.structured_content, Some(json!({ "result": 0.25 })));
    let refused = connect(port, None).await;
    assert!(refused.is_err(), "no token, no connection");
}

#[test]
fn without_a_key_it_refuses_to_start_and_names_the_flags() {
    let out = Command::new(env!("CARGO_BIN_EXE_secure-server"))
        .arg("127.0.0.1:0")
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    let message = String::from_utf8_lossy(&out.stderr);
    assert!(
        message.contains("--dev") && message.contains("--hs256-secret-file"),
        "{message}"
    );
}

#[tokio::test]
async fn the_rate_limit_flag_holds() {
    let (_server, port, token) = start_dev_with(&["--rate-limit", "3/min"]);
    let client = connect(port, Some(token)).await.expect("connects");
    client
        .call_tool("add", json!({ "a": 1, "b": 2 }))
        .await
        .expect("within the quota");
    // Connecting and listing the tools count too: the quota runs out within three more.
    let mut refused = None;
    for _ in 0..3 {
        if let Err(err) = client.call_tool("add", json!({ "a": 1, "b": 2 })).await {
            refused = Some(err);
            break;
        }
    }
    let refused = refused.expect("refused past the quota");
    assert!(refused.is_rate_limited(), "{refused}");
    assert_eq!(refused.status().map(|s| s.as_u16()), Some(429));
    let wait = refused.retry_after().expect("Retry-After");
    assert!(
        wait >= Duration::from_secs(1) && wait <= Duration::from_secs(20),
        "{wait:?}"
    );
}

#[tokio::test]
async fn the_slow_tool_is_cancelled_past_its_timeout() {
    let (_server, port, token) = start_dev();
    let client = connect(port, Some(token)).await.expect("connects");
    let quick = client
        .call_tool("slow", json!({ "ms": 10 }))
        .await
        .expect("quick");
    assert_ne!(quick.is_error, Some(true));
    let late = client
        .call_tool("slow", json!({ "ms": 5000 }))
        .await
        .expect("answered");
    assert_eq!(late.is_error, Some(true));
    let text = serde_json::to_string(&late.content).expect("content");
    assert!(text.contains("timeout of 2s"), "{text}");
}

#[tokio::test]
async fn divide_is_limited_to_five_calls_a_second() {
    let (_server, port, token) = start_dev();
    let client = connect(port, Some(token)).await.expect("connects");
    let mut refused = None;
    for _ in 0..30 {
        if let Err(err) = client.call_tool("divide", json!({ "a": 1, "b": 2 })).await {
            refused = Some(err);
            break;
        }
    }
    let refused = refused.expect("refused within thirty quick calls");
    assert!(refused.is_rate_limited(), "{refused}");
    let limit = refused
        .rpc()
        .and_then(|e| e.data.as_ref())
        .map(|d| d["limit"].clone());
    assert_eq!(limit, Some(json!("5/s for tool divide")));
    // The tool's quota is its own: add is not limited.
    for _ in 0..10 {
        client
            .call_tool("add", json!({ "a": 1, "b": 2 }))
            .await
            .expect("add is not limited");
    }
}

#[tokio::test]
async fn slow_runs_two_calls_at_a_time() {
    let (_server, port, token) = start_dev();
    let client = connect(port, Some(token)).await.expect("connects");
    let started = std::time::Instant::now();
    let calls: Vec<_> = (0..4)
        .map(|_| {
            let client = client.clone();
            tokio::spawn(async move { client.call_tool("slow", json!({ "ms": 400 })).await })
        })
        .collect();
    for call in calls {
        let result = call.await.expect("joined").expect("answered");
        assert_ne!(result.is_error, Some(true), "{result:?}");
    }
    // Four calls of 400 ms, two at a time: two rounds, not one.
    assert!(
        started.elapsed() >= std::time::Duration::from_millis(800),
        "{:?}",
        started.elapsed()
    );
}
