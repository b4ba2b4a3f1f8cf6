//! Label cardinality: names a client makes up share one series; past the cap, new
//! targets share `<overflow>`; and a second observer sees what the first does.

use boltmcp::client::Client;
use boltmcp::layers::metrics::Prometheus;
use boltmcp::prelude::*;
use boltmcp::server::ToolDef;
use serde_json::json;

use super::value;

#[tokio::test]
async fn made_up_names_share_one_series() {
    let prometheus = Prometheus::new();
    let server = super::server().observe(prometheus.layer());
    let client = Client::connect_in_memory(server).await.expect("connected");
    for i in 0..1000 {
        let name = format!("made-up-{i}");
        client
            .call_tool(&name, json!({}))
            .await
            .expect_err("no such tool");
    }
    let text = prometheus.render();
    let method = "tools/call";
    assert_eq!(
        value(&text, "mcp_server_requests_total", method, "<unregistered>"),
        1000.0
    );
    assert!(!text.contains("made-up-"));
    let series = text
        .lines()
        .filter(|line| line.starts_with("mcp_server_requests_total{"))
        .count();
    // server/discover (or initialize), and the made-up names.
    assert!(series <= 2, "{series} series:\n{text}");
}

#[tokio::test]
async fn past_the_cap_new_targets_share_overflow() {
    let mut builder = Server::builder("many", "1.0");
    for i in 0..6 {
        builder = builder.tool(ToolDef::new(
            format!("tool-{i}"),
            json!({"type": "object"}),
            |_| async { "ok".to_owned() },
        ));
    }
    let prometheus = Prometheus::new();
    let layer = prometheus.layer().max_series(3);
    let client = Client::connect_in_memory(builder.build().observe(layer))
        .await
        .expect("connected"); // one series for the handshake
    for i in 0..6 {
        client
            .call_tool(&format!("tool-{i}"), json!({}))
            .await
            .expect("called");
    }
    let text = prometheus.render();
    let method = "tools/call";
    assert_eq!(
        value(&text, "mcp_server_requests_total", method, "tool-0"),
        1.0
    );
    assert_eq!(
        value(&text, "mcp_server_requests_total", method, "tool-1"),
        1.0
    );
    assert_eq!(
        value(&text, "mcp_server_requests_total", method, "<overflow>"),
        4.0
    );
    assert!(!text.contains("tool-5"));
}

#[tokio::test]
async fn two_observers_both_see_every_request() {
    let (first, second) = (Prometheus::new(), Prometheus::new());
    let server = super::server()
        .observe(first.layer())
        .observe(second.layer().without_target_labels());
    let client = Client::connect_in_memory(server).await.expect("connected");
    for _ in 0..4 {
        client
            .call_tool("add", json!({"a": 1, "b": 2}))
            .await
            .expect("added");
    }
    let method = "tools/call";
    assert_eq!(
        value(&first.render(), "mcp_server_requests_total", method, "add"),
        4.0
    );
    assert_eq!(
        value(&second.render(), "mcp_server_requests_total", method, ""),
        4.0
    );
}
