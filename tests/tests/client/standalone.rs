//! A legacy session's standalone GET stream, played by a scripted axum server that
//! closes it after each event: the client comes back after the server's `retry` with
//! `Last-Event-ID`, so nothing the server sends between streams is lost, and stops
//! once the server answers 404 (2025-11-25 §Resumability and Redelivery).

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use boltmcp::client::{Client, EraChoice};
use serde_json::{Value, json};
use tokio::sync::mpsc;

const SESSION: &str = "scripted-session";

/// What the scripted server saw: the `Last-Event-ID` of every GET, in order.
#[derive(Clone, Default)]
struct Script {
    gets: Arc<Mutex<Vec<Option<String>>>>,
}

fn log_message(text: &str) -> String {
    json!({"jsonrpc": "2.0", "method": "notifications/message",
           "params": {"level": "info", "data": text}})
    .to_string()
}

async fn on_post(headers: HeaderMap, body: String) -> Response {
    let message: Value = serde_json::from_str(&body).unwrap_or(Value::Null);
    if message["method"] != "initialize" {
        return StatusCode::ACCEPTED.into_response();
    }
    assert!(
        headers.get("mcp-session-id").is_none(),
        "initialize opens the session"
    );
    let answer = json!({"jsonrpc": "2.0", "id": message["id"], "result": {
        "protocolVersion": "2025-11-25", "capabilities": {"logging": {}},
        "serverInfo": {"name": "scripted", "version": "1"}}});
    (
        [
            (header::CONTENT_TYPE, "application/json"),
            (header::HeaderName::from_static("mcp-session-id"), SESSION),
        ],
        answer.to_string(),
    )
        .into_response()
}

/// First GET: event `e1` with `retry: 50`, then the stream ends. Second GET (it must
/// carry `Last-Event-ID: e1`): event `e2`, then it ends again. Third: the session is
/// gone (404), and the client must stop asking.
async fn on_get(script: Script, headers: HeaderMap) -> Response {
    assert_eq!(
        headers.get("mcp-session-id").and_then(|v| v.to_str().ok()),
        Some(SESSION),
        "every GET names the session"
    );
    let last = headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let round = {
        let mut gets = script.gets.lock().expect("lock");
        gets.push(last);
        gets.len()
    };
    let body = match round {
        1 => format!("id: e1\nretry: 50\ndata: {}\n\n", log_message("first")),
        2 => format!("id: e2\ndata: {}\n\n", log_message("second")),
        _ => return StatusCode::NOT_FOUND.into_response(),
    };
    (
        [(header::CONTENT_TYPE, "text/event-stream")],
        Body::from(body),
    )
        .into_response()
}

#[tokio::test]
async fn a_closed_standalone_stream_is_reopened_with_last_event_id_until_404() {
    let script = Script::default();
    let get_script = script.clone();
    let app = Router::new().route(
        "/mcp",
        post(on_post)
            .get(move |headers| on_get(get_script.clone(), headers))
            .delete(|| async { StatusCode::OK }),
    );
    let (listener, addr) = boltmcp_tests::http::bind().await;
    tokio::spawn(async move { axum::serve(listener, app).await });

    let (sender, mut received) = mpsc::unbounded_channel();
    let client = Client::builder()
        .era(EraChoice::Legacy)
        .on_notification(move |method, params| {
            if method == "notifications/message" {
                let _ = sender.send(params["data"].clone());
            }
        })
        .connect_http(&format!("http://{addr}/mcp"))
        .await
        .expect("connected");

    let mut texts = Vec::new();
    for _ in 0..2 {
        let text = tokio::time::timeout(Duration::from_secs(10), received.recv())
            .await
            .expect("each event arrives, the second after a reconnect")
            .expect("the client is alive");
        texts.push(text);
    }
    assert_eq!(texts, [json!("first"), json!("second")]);

    // After the 404 the client stops: no fourth GET, however long we wait (the
    // server asked for 50 ms between attempts).
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(
        *script.gets.lock().expect("lock"),
        [None, Some("e1".to_owned()), Some("e2".to_owned())],
        "the first GET is fresh; each reconnect resumes after the last event seen"
    );
    drop(client);
}

#[tokio::test]
async fn the_delete_on_drop_carries_the_injected_headers() {
    let deletes: Arc<Mutex<Vec<HeaderMap>>> = Arc::default();
    let seen = deletes.clone();
    let app = Router::new().route(
        "/mcp",
        post(on_post)
            .get(|| async { StatusCode::METHOD_NOT_ALLOWED })
            .delete(move |headers: HeaderMap| {
                seen.lock().expect("lock").push(headers);
                async { StatusCode::OK }
            }),
    );
    let (listener, addr) = boltmcp_tests::http::bind().await;
    tokio::spawn(async move { axum::serve(listener, app).await });
    let client = Client::builder()
        .era(EraChoice::Legacy)
        .headers(|headers| {
            headers.insert(
                header::AUTHORIZATION,
                "Bearer t0ken".parse().expect("value"),
            );
        })
        .connect_http(&format!("http://{addr}/mcp"))
        .await
        .expect("connected");
    drop(client);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    let delete = loop {
        if let Some(headers) = deletes.lock().expect("lock").first().cloned() {
            break headers;
        }
        assert!(tokio::time::Instant::now() < deadline, "no DELETE arrived");
        tokio::time::sleep(Duration::from_millis(10)).await;
    };
    assert_eq!(delete["mcp-session-id"], SESSION);
    assert_eq!(delete[header::AUTHORIZATION], "Bearer t0ken", "{delete:?}");
    assert_eq!(delete["mcp-protocol-version"], "2025-11-25", "{delete:?}");
}
