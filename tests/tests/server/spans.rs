//! Each request runs in a `mcp_request` span carrying its method, target and era (and
//! the session and caller where there are ones), never its arguments.

use std::io::Write;
use std::sync::{Arc, Mutex};

use boltmcp::client::Client;
use boltmcp::server::{Server, ToolCall, ToolDef, ToolError};
use serde_json::json;

/// Everything the subscriber writes.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("lock").extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn a_request_runs_in_its_span() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::DEBUG)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    tracing::subscriber::with_default(subscriber, || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime");
        runtime.block_on(async {
            let echo = ToolDef::new(
                "echo",
                json!({"type": "object"}),
                |call: ToolCall| async move {
                    tracing::info!("inside the handler");
                    Ok::<_, ToolError>(call.raw_arguments().len().to_string())
                },
            );
            let server = Server::builder("spans", "1").tool(echo).build();
            let client = Client::builder()
                .connect_in_memory(server)
                .await
                .expect("connected");
            client
                .call_tool("echo", json!({"secret": "do-not-log-me"}))
                .await
                .expect("called");
        });
    });
    let text = String::from_utf8(captured.0.lock().expect("lock").clone()).expect("UTF-8");
    let line = text
        .lines()
        .find(|line| line.contains("inside the handler"))
        .unwrap_or_else(|| panic!("the handler's event was captured:\n{text}"));
    assert!(line.contains("mcp_request{"), "{line}");
    assert!(
        line.contains("method=\"tools/call\"") || line.contains("method=tools/call"),
        "{line}"
    );
    assert!(
        line.contains("target=\"echo\"") || line.contains("target=echo"),
        "{line}"
    );
    assert!(line.contains("era=Modern"), "{line}");
    assert!(
        !text.contains("do-not-log-me"),
        "arguments never reach the trace:\n{text}"
    );
}
