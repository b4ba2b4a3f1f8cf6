//! `Client::connect_http` against boltmcp's own Streamable HTTP endpoint, both eras.

use std::sync::{Arc, Mutex};

use boltmcp::client::{Client, Era, EraChoice};
use boltmcp::protocol::{ElicitResult, ProtocolVersion};
use boltmcp::server::{McpRequest, ToolCall, ToolDef};
use boltmcp::transport::http::HttpConfig;
use boltmcp_tests::http::start;
use serde_json::{Value, json};

use super::fixtures;

fn builder() -> boltmcp::client::ClientBuilder {
    Client::builder().on_elicitation(|_| async {
        Ok(serde_json::from_value::<ElicitResult>(
            json!({"action": "accept", "content": {"ok": true}}),
        )
        .expect("an elicitation result"))
    })
}

#[tokio::test]
async fn both_eras_list_call_and_ask_over_http() {
    let url = format!(
        "http://{}/mcp",
        start(fixtures::server(), HttpConfig::default()).await
    );
    for (era, expected) in [
        (EraChoice::Auto, Era::Modern),
        (EraChoice::Legacy, Era::Legacy(ProtocolVersion::V2025_11_25)),
    ] {
        let client = builder()
            .era(era)
            .connect_http(&url)
            .await
            .expect("connected");
        assert_eq!(client.era(), expected);
        assert_eq!(client.server_info().name, "fixture");
        assert!(
            client
                .list_tools()
                .await
                .expect("tools")
                .iter()
                .any(|t| t.name == "add")
        );
        let sum: Value = client
            .call_tool_as("add", json!({"a": 2, "b": 2}))
            .await
            .expect("add");
        assert_eq!(sum, json!({"result": 4.0}), "{era:?}");
        // Elicitation: an SSE-carried request answered by POST (legacy), an input round (2026).
        let confirmed = client
            .call_tool("confirm", json!({}))
            .await
            .expect("confirm");
        assert_eq!(
            serde_json::to_value(&confirmed.content).expect("json")[0]["text"],
            "confirmed",
            "{era:?}"
        );
        // Progress arrives on the call's stream; the answer still comes.
        assert!(
            client.call_tool("progress", json!({})).await.is_ok(),
            "{era:?}"
        );
    }
}

#[tokio::test]
async fn a_forgotten_session_is_opened_again_and_the_call_retried() {
    let service = fixtures::server().http_service(HttpConfig::default());
    let url = format!(
        "http://{}/mcp",
        boltmcp_tests::http::start_service(service.clone()).await
    );
    let client = builder()
        .era(EraChoice::Legacy)
        .connect_http(&url)
        .await
        .expect("connected");
    assert_eq!(service.session_count(), 1);
    service.end_all_sessions();
    assert_eq!(service.session_count(), 0);
    // The next call is answered 404; the client opens a new session and retries.
    let sum: Value = client
        .call_tool_as("add", json!({"a": 1, "b": 2}))
        .await
        .expect("retried");
    assert_eq!(sum, json!({"result": 3.0}));
    assert_eq!(service.session_count(), 1, "a new session");
}

#[tokio::test]
async fn calls_that_all_find_the_session_gone_open_one_new_session_and_listen_on_it() {
    let server = fixtures::server();
    let service = server.http_service(HttpConfig::default());
    let url = format!(
        "http://{}/mcp",
        boltmcp_tests::http::start_service(service.clone()).await
    );
    let (sender, mut changes) = tokio::sync::mpsc::unbounded_channel();
    let client = builder()
        .era(EraChoice::Legacy)
        .on_notification(move |method, _| {
            let _ = sender.send(method.to_owned());
        })
        .connect_http(&url)
        .await
        .expect("connected");
    service.end_all_sessions();
    let calls = (0..4).map(|n| client.call_tool_as::<Value>("add", json!({"a": n, "b": 1})));
    for (n, sum) in futures_util::future::join_all(calls)
        .await
        .into_iter()
        .enumerate()
    {
        assert_eq!(sum.expect("retried"), json!({"result": n as f64 + 1.0}));
    }
    assert_eq!(service.session_count(), 1, "one new session between them");
    // The new session's standalone stream is read: a list change reaches the client.
    // (It is opened in the background: announce changes until one gets through.)
    for probe in 0..50 {
        server.add_tool(ToolDef::new(
            format!("probe-{probe}"),
            json!({"type": "object"}),
            |_: ToolCall| async { "" },
        ));
        let wait = std::time::Duration::from_millis(100);
        if let Ok(Some(method)) = tokio::time::timeout(wait, changes.recv()).await {
            assert_eq!(method, "notifications/tools/list_changed");
            return;
        }
    }
    panic!("no list change arrived on the new session's stream");
}

#[tokio::test]
async fn custom_headers_and_mirrored_parameters_reach_the_server() {
    let seen: Arc<Mutex<Vec<Option<String>>>> = Arc::default();
    let record = seen.clone();
    let server = fixtures::server();
    server.add_tool(ToolDef::new(
        "regional",
        json!({"type": "object", "properties": {"region": {"type": "string", "x-mcp-header": "Region"}}, "required": ["region"]}),
        |call: ToolCall| async move { call.raw_arguments().to_owned() },
    ));
    let server = server.layer(tower::layer::layer_fn(move |inner| {
        let record = record.clone();
        tower::util::MapRequest::new(inner, move |request: McpRequest| {
            let token = request
                .extensions()
                .get::<http::HeaderMap>()
                .and_then(|h| h.get("authorization"))
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned);
            record.lock().expect("lock").push(token);
            request
        })
    }));
    let url = format!("http://{}/mcp", start(server, HttpConfig::default()).await);
    let client = builder()
        .headers(|headers| {
            headers.insert(
                "authorization",
                http::HeaderValue::from_static("Bearer t0k3n"),
            );
        })
        .connect_http(&url)
        .await
        .expect("connected");
    client.list_tools().await.expect("tools");
    // The server refuses a call whose Mcp-Param-Region is missing or differs (-32020):
    // a success proves the client mirrored it, base64 and all.
    for region in ["us-west1", "Zürich "] {
        let echoed = client
            .call_tool("regional", json!({"region": region}))
            .await
            .expect("accepted");
        assert!(
            serde_json::to_string(&echoed.content)
                .expect("json")
                .contains("region"),
            "{region}"
        );
    }
    // A client that never listed the tools learns the headers before its first call.
    let fresh = builder()
        .headers(|headers| {
            headers.insert(
                "authorization",
                http::HeaderValue::from_static("Bearer t0k3n"),
            );
        })
        .connect_http(&url)
        .await
        .expect("connected");
    fresh
        .call_tool("regional", json!({"region": "eu"}))
        .await
        .expect("accepted without an earlier tools/list");
    let seen = seen.lock().expect("lock");
    assert!(
        !seen.is_empty() && seen.iter().all(|t| t.as_deref() == Some("Bearer t0k3n")),
        "{seen:?}"
    );
}

#[tokio::test]
async fn a_legacy_session_hears_changes_on_its_standalone_stream() {
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<String>();
    let server = fixtures::server();
    let url = format!(
        "http://{}/mcp",
        start(server.clone(), HttpConfig::default()).await
    );
    let _client = builder()
        .era(EraChoice::Legacy)
        .on_notification(move |method, _| {
            let _ = tx.send(method.to_owned());
        })
        .connect_http(&url)
        .await
        .expect("connected");
    // The GET stream opens in the background; changes made before it is up are lost
    // to it, so keep changing until one arrives.
    let heard = tokio::time::timeout(std::time::Duration::from_secs(5), async {
        loop {
            server.add_tool(ToolDef::new(
                "extra",
                json!({"type": "object"}),
                |_: ToolCall| async { "x" },
            ));
            if let Ok(Some(method)) =
                tokio::time::timeout(std::time::Duration::from_millis(50), rx.recv()).await
            {
                return method;
            }
        }
    })
    .await
    .expect("a change in time");
    assert_eq!(heard, "notifications/tools/list_changed");
}

#[tokio::test]
async fn dropping_a_legacy_http_call_cancels_it_on_the_server() {
    let (stuck, cancelled) = fixtures::stuck_tool();
    let server = fixtures::server();
    server.add_tool(stuck);
    let url = format!("http://{}/mcp", start(server, HttpConfig::default()).await);
    let client = builder()
        .era(EraChoice::Legacy)
        .connect_http(&url)
        .await
        .expect("connected");
    let call = client.call_tool("stuck", json!({}));
    assert!(
        tokio::time::timeout(std::time::Duration::from_millis(100), call)
            .await
            .is_err()
    );
    assert!(
        fixtures::raised(&cancelled).await,
        "the server never heard notifications/cancelled"
    );
}
