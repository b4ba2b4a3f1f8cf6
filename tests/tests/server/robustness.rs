//! Bad input gets the error the spec names, with `id: null` where no id can be read,
//! and the connection goes on serving.

use std::time::Duration;

use boltmcp::transport::StdioOptions;
use boltmcp::transport::memory::serve_in_memory_with;
use boltmcp_tests::RawClient;
use serde_json::json;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

use super::fixtures::server;

#[tokio::test]
async fn malformed_messages_are_answered_and_the_server_goes_on() {
    let mut client = RawClient::connect(server());
    let cases: [(&str, i64); 6] = [
        ("{not json", -32700),
        ("\u{1}\u{7f}\u{2}garbage", -32700),
        ("42", -32600),
        ("[1,2]", -32600),
        (r#"{"jsonrpc":"2.0","id":{"a":1},"method":"ping"}"#, -32600),
        (r#"{"jsonrpc":"1.0","method":"ping"}"#, -32600),
    ];
    for (text, code) in cases {
        client.send_raw(text).await;
        let reply = client.recv().await.expect("an answer");
        assert_eq!(reply["error"]["code"], code, "{text}");
        assert_eq!(reply["id"], json!(null), "{text}");
    }
    let ok = client.initialize("2025-11-25", json!({})).await;
    assert_eq!(ok["result"]["protocolVersion"], "2025-11-25");
    let unknown = client.request("no/such/method", json!({})).await;
    assert_eq!(unknown["error"]["code"], -32601);
}

#[tokio::test]
async fn invalid_utf8_and_oversized_lines_are_refused_then_served() {
    let options = StdioOptions {
        max_message_size: 1024,
        ..Default::default()
    };
    let (stream, _task) = serve_in_memory_with(server(), options);
    let (reader, mut writer) = tokio::io::split(stream);
    let mut reader = BufReader::new(reader);
    writer.write_all(b"\xff\xfe\xfd\n").await.expect("write");
    let big = format!(
        "{{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\",\"params\":{{\"x\":\"{}\"}}}}\n",
        "a".repeat(4096)
    );
    writer.write_all(big.as_bytes()).await.expect("write");
    writer
        .write_all(b"{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"ping\"}\n")
        .await
        .expect("write");
    let mut lines = Vec::new();
    for _ in 0..3 {
        let mut line = String::new();
        tokio::time::timeout(Duration::from_secs(5), reader.read_line(&mut line))
            .await
            .expect("in time")
            .expect("read");
        lines.push(serde_json::from_str::<serde_json::Value>(&line).expect("json"));
    }
    assert_eq!(lines[0]["error"]["code"], -32700);
    assert_eq!(lines[1]["error"]["code"], -32600);
    assert!(
        lines[1]["error"]["message"]
            .as_str()
            .expect("msg")
            .contains("1024")
    );
    assert_eq!(lines[2]["id"], 2);
    assert_eq!(lines[2]["result"], json!({}));
}

#[tokio::test]
async fn a_slow_call_does_not_hold_up_fast_ones() {
    let mut client = RawClient::connect(server());
    client.initialize("2025-11-25", json!({})).await;
    client.send(&json!({ "jsonrpc": "2.0", "id": 100, "method": "tools/call", "params": { "name": "slow", "arguments": {} } })).await;
    for i in 0..20 {
        let resp = client
            .request(
                "tools/call",
                json!({ "name": "add", "arguments": { "a": i, "b": 1 } }),
            )
            .await;
        assert_eq!(
            resp["result"]["structuredContent"]["result"],
            f64::from(i) + 1.0
        );
    }
}

#[tokio::test]
async fn a_duplicate_in_flight_id_is_refused() {
    let mut client = RawClient::connect(server());
    client.initialize("2025-11-25", json!({})).await;
    let slow = json!({ "jsonrpc": "2.0", "id": 7, "method": "tools/call", "params": { "name": "slow", "arguments": {} } });
    client.send(&slow).await;
    client.send(&slow).await;
    let reply = client.recv().await.expect("reply");
    assert_eq!(
        (reply["id"].clone(), reply["error"]["code"].clone()),
        (json!(7), json!(-32600))
    );
}

#[tokio::test]
async fn eof_lets_calls_in_flight_finish_then_closes() {
    let mut client = RawClient::connect(server());
    client.initialize("2025-11-25", json!({})).await;
    client.send(&json!({ "jsonrpc": "2.0", "id": 9, "method": "tools/call", "params": { "name": "progress", "arguments": {} } })).await;
    client.close().await;
    let mut saw_response = false;
    while let Some(msg) = client.recv().await {
        saw_response |= msg["id"] == 9;
    }
    assert!(
        saw_response,
        "the in-flight call answered before the server closed"
    );
}

#[tokio::test]
async fn at_eof_a_call_that_outlives_the_grace_period_is_cancelled() {
    let options = StdioOptions {
        shutdown_grace: Duration::from_millis(200),
        ..Default::default()
    };
    let (stream, task) = serve_in_memory_with(server(), options);
    let (reader, mut writer) = tokio::io::split(stream);
    let mut reader = BufReader::new(reader);
    writer
        .write_all(b"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-11-25\",\"capabilities\":{},\"clientInfo\":{\"name\":\"t\",\"version\":\"0\"}}}\n")
        .await
        .expect("write");
    writer
        .write_all(b"{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":{\"name\":\"slow\",\"arguments\":{}}}\n")
        .await
        .expect("write");
    let mut line = String::new();
    reader
        .read_line(&mut line)
        .await
        .expect("initialize answer");
    writer.shutdown().await.expect("eof");
    let started = std::time::Instant::now();
    let finished = tokio::time::timeout(Duration::from_secs(5), task).await;
    assert!(
        finished.is_ok(),
        "the server stopped after its grace period, not the tool's 30 s"
    );
    assert!(started.elapsed() < Duration::from_secs(3));
    let mut rest = String::new();
    tokio::io::AsyncReadExt::read_to_string(&mut reader, &mut rest)
        .await
        .expect("read");
    assert!(
        !rest.contains("\"id\":2"),
        "a cancelled call gets no response: {rest:?}"
    );
}

#[tokio::test]
async fn a_panicking_resource_or_prompt_is_an_internal_error_and_the_server_goes_on() {
    let server = boltmcp::server::Server::builder("p", "1")
        .resource(boltmcp::server::ResourceDef::new(
            "test://boom",
            "boom",
            |_| async {
                if true {
                    panic!("resource exploded");
                }
                "unreachable"
            },
        ))
        .prompt(boltmcp::server::PromptDef::new("boom", vec![], |_| async {
            if true {
                panic!("prompt exploded");
            }
            "unreachable".to_owned()
        }))
        .build();
    let mut client = RawClient::connect(server);
    client.initialize("2025-11-25", json!({})).await;
    let read = client
        .request("resources/read", json!({ "uri": "test://boom" }))
        .await;
    assert_eq!(read["error"]["code"], -32603);
    let prompt = client
        .request("prompts/get", json!({ "name": "boom" }))
        .await;
    assert_eq!(prompt["error"]["code"], -32603);
    let ping = client.request("ping", json!({})).await;
    assert_eq!(ping["result"], json!({}));
}
