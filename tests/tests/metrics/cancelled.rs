//! A call the client abandons: in flight while it runs, then counted once as
//! cancelled and out of flight, with no duration recorded.

use std::time::Duration;

use boltmcp::client::Client;
use boltmcp::layers::metrics::Prometheus;
use boltmcp::prelude::*;
use serde_json::json;

use super::{sample, value};

/// Waits until cancelled.
#[tool]
async fn forever(ctx: Context) -> String {
    ctx.cancelled().await;
    "cancelled".into()
}

/// Polls the exposition until `done` holds of it, or fails after five seconds.
async fn until(prometheus: &Prometheus, what: &str, done: impl Fn(&str) -> bool) -> String {
    for _ in 0..500 {
        let text = prometheus.render();
        if done(&text) {
            return text;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("{what}: not seen within 5 s in\n{}", prometheus.render());
}

#[tokio::test]
async fn an_abandoned_call_is_counted_once_and_leaves_the_flight() {
    let prometheus = Prometheus::new();
    let server = Server::builder("metered", "1.0")
        .tool(forever_tool())
        .build()
        .observe(prometheus.layer());
    let client = Client::connect_in_memory(server).await.expect("connected");

    let call = client.call_tool("forever", json!({}));
    let watcher = async {
        until(&prometheus, "the call in flight", |text| {
            sample(
                text,
                r#"mcp_server_requests_in_flight{method="tools/call",target="forever"}"#,
            ) == Some(1.0)
        })
        .await
    };
    tokio::select! {
        _ = call => panic!("the call never ends by itself"),
        _ = watcher => {}
    }
    // The call's future is dropped here: the client sends notifications/cancelled.
    let text = until(&prometheus, "the cancellation", |text| {
        sample(
            text,
            r#"mcp_server_cancelled_total{method="tools/call",target="forever"}"#,
        ) == Some(1.0)
    })
    .await;
    let method = "tools/call";
    assert_eq!(
        value(&text, "mcp_server_requests_total", method, "forever"),
        1.0
    );
    assert_eq!(
        value(&text, "mcp_server_requests_in_flight", method, "forever"),
        0.0
    );
    let count =
        r#"mcp_server_request_duration_seconds_count{method="tools/call",target="forever"}"#;
    assert_eq!(
        sample(&text, count),
        Some(0.0),
        "no duration for an abandoned call"
    );
}
