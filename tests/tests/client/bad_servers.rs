//! Servers that misbehave, played by the test on a pipe: each gives the caller a
//! clear error, and no call outlives its timeout.

use std::time::Duration;

use boltmcp::client::{Client, ClientError, EraChoice};
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader, DuplexStream, ReadHalf, WriteHalf};

/// The server's end of the pipe: reads the client's lines, writes what the test says.
struct Script {
    reader: BufReader<ReadHalf<DuplexStream>>,
    writer: WriteHalf<DuplexStream>,
}

impl Script {
    async fn next(&mut self) -> Value {
        let mut line = String::new();
        self.reader.read_line(&mut line).await.expect("read");
        serde_json::from_str(&line).expect("the client writes JSON")
    }

    async fn write(&mut self, text: &str) {
        self.writer.write_all(text.as_bytes()).await.expect("write");
        self.writer.write_all(b"\n").await.expect("write");
    }

    /// Answers `initialize` as a 2025-11-25 server would.
    async fn handshake(&mut self) {
        let init = self.next().await;
        assert_eq!(init["method"], "initialize");
        let id = &init["id"];
        self.write(
            &json!({"jsonrpc": "2.0", "id": id, "result": {"protocolVersion": "2025-11-25",
            "capabilities": {"tools": {}}, "serverInfo": {"name": "scripted", "version": "1"}}})
            .to_string(),
        )
        .await;
        assert_eq!(self.next().await["method"], "notifications/initialized");
    }
}

async fn connect(timeout: Duration) -> (Client, Script) {
    let (client_end, server_end) = tokio::io::duplex(1 << 16);
    let (reader, writer) = tokio::io::split(client_end);
    let (server_reader, server_writer) = tokio::io::split(server_end);
    let mut script = Script {
        reader: BufReader::new(server_reader),
        writer: server_writer,
    };
    let connecting = Client::builder()
        .era(EraChoice::Legacy)
        .timeout(Some(timeout))
        .connect_io(reader, writer, None);
    let (client, ()) = tokio::join!(connecting, script.handshake());
    (client.expect("connected"), script)
}

#[tokio::test]
async fn a_server_that_never_answers_times_out_and_is_told_to_cancel() {
    let (client, mut script) = connect(Duration::from_millis(100)).await;
    let (outcome, request) = tokio::join!(client.call_tool("add", json!({})), script.next());
    assert!(
        matches!(outcome, Err(ClientError::Timeout { .. })),
        "{outcome:?}"
    );
    let cancel = script.next().await;
    assert_eq!(cancel["method"], "notifications/cancelled");
    assert_eq!(cancel["params"]["requestId"], request["id"]);
}

#[tokio::test]
async fn garbage_is_named_in_the_error() {
    let (client, mut script) = connect(Duration::from_millis(200)).await;
    let (outcome, ()) = tokio::join!(client.call_tool("add", json!({})), async {
        script.next().await;
        script.write("this is not json").await;
    });
    let message = outcome.expect_err("no answer").to_string();
    assert!(
        message.contains("not JSON-RPC") && message.contains("this is not json"),
        "{message}"
    );
}

#[tokio::test]
async fn an_answer_to_an_unknown_id_is_ignored() {
    let (client, mut script) = connect(Duration::from_secs(5)).await;
    let (outcome, ()) = tokio::join!(client.call_tool("add", json!({})), async {
        let request = script.next().await;
        script
            .write(&json!({"jsonrpc": "2.0", "id": 999, "result": {"content": []}}).to_string())
            .await;
        script.write(&json!({"jsonrpc": "2.0", "id": request["id"], "result": {"content": [{"type": "text", "text": "ok"}]}}).to_string()).await;
    });
    let result = outcome.expect("the real answer still arrives");
    assert_eq!(
        serde_json::to_value(&result.content).expect("json")[0]["text"],
        "ok"
    );
}

#[tokio::test]
async fn a_server_that_dies_fails_the_call_at_once() {
    let (client, mut script) = connect(Duration::from_secs(30)).await;
    let started = std::time::Instant::now();
    let (outcome, ()) = tokio::join!(client.call_tool("add", json!({})), async {
        script.next().await;
        drop(script);
    });
    assert!(
        matches!(&outcome, Err(ClientError::Closed(reason)) if reason.contains("ended")),
        "{outcome:?}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "it did not wait for the timeout"
    );
}
