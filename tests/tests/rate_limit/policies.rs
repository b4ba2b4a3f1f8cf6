//! Per-tool policies: a timeout cancels the handler (which sees it) and answers with
//! an `isError` result; a concurrency cap holds, and its bounded queue refuses the
//! call past it.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use boltmcp::client::Client;
use boltmcp::prelude::*;
use boltmcp::protocol::CallToolResult;
use boltmcp::server::ToolDef;
use serde_json::json;

static CANCELLED: AtomicBool = AtomicBool::new(false);

/// Sets [`CANCELLED`] if dropped before the handler finished.
struct Watch(bool);

impl Drop for Watch {
    fn drop(&mut self) {
        if !self.0 {
            CANCELLED.store(true, Ordering::SeqCst);
        }
    }
}

/// Sleeps `ms` milliseconds, unless cancelled first.
#[tool(timeout = "200ms")]
async fn slow(ms: u64) -> String {
    let mut watch = Watch(false);
    tokio::time::sleep(Duration::from_millis(ms)).await;
    watch.0 = true;
    "done".into()
}

static RUNNING: AtomicUsize = AtomicUsize::new(0);
static MOST: AtomicUsize = AtomicUsize::new(0);

/// Works for a while, two at a time.
#[tool(max_concurrency = 2)]
async fn pair() -> String {
    let now = RUNNING.fetch_add(1, Ordering::SeqCst) + 1;
    MOST.fetch_max(now, Ordering::SeqCst);
    tokio::time::sleep(Duration::from_millis(150)).await;
    RUNNING.fetch_sub(1, Ordering::SeqCst);
    "worked".into()
}

/// Blocks its thread for two seconds.
#[tool]
fn stubborn() -> String {
    std::thread::sleep(Duration::from_secs(2));
    "finally".into()
}

fn text(result: &CallToolResult) -> String {
    serde_json::to_value(&result.content)
        .expect("content")
        .to_string()
}

#[tokio::test]
async fn a_timeout_cancels_the_handler_and_says_so() {
    let server = Server::builder("policies", "1.0")
        .tool(slow_tool())
        .tool(stubborn_tool().timeout(Duration::from_millis(100)))
        .build();
    let client = Client::builder()
        .connect_in_memory(server)
        .await
        .expect("connected");
    let quick = client
        .call_tool("slow", json!({"ms": 10}))
        .await
        .expect("quick");
    assert_ne!(quick.is_error, Some(true), "{quick:?}");
    assert!(!CANCELLED.load(Ordering::SeqCst));

    let started = Instant::now();
    let late = client
        .call_tool("slow", json!({"ms": 5000}))
        .await
        .expect("answered");
    assert_eq!(late.is_error, Some(true));
    assert!(
        text(&late).contains("did not finish within its timeout of 200ms"),
        "{}",
        text(&late)
    );
    assert!(started.elapsed() < Duration::from_secs(3));
    assert!(
        CANCELLED.load(Ordering::SeqCst),
        "the handler saw its cancellation"
    );

    // A synchronous function cannot be interrupted, but its call is answered on time.
    let started = Instant::now();
    let blocked = client
        .call_tool("stubborn", json!({}))
        .await
        .expect("answered");
    assert_eq!(blocked.is_error, Some(true));
    assert!(
        started.elapsed() < Duration::from_millis(1500),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_concurrency_cap_holds() {
    let server = Server::builder("policies", "1.0").tool(pair_tool()).build();
    let client = Client::builder()
        .connect_in_memory(server)
        .await
        .expect("connected");
    let calls: Vec<_> = (0..6)
        .map(|_| {
            let client = client.clone();
            tokio::spawn(async move { client.call_tool("pair", json!({})).await })
        })
        .collect();
    for call in calls {
        let result = call.await.expect("joined").expect("answered");
        assert_ne!(result.is_error, Some(true), "{result:?}");
    }
    assert_eq!(MOST.load(Ordering::SeqCst), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_queue_refuses_the_call_past_it() {
    let release = Arc::new(tokio::sync::Notify::new());
    let started = Arc::new(AtomicUsize::new(0));
    let (wait, count) = (release.clone(), started.clone());
    let held = ToolDef::new("held", json!({"type": "object"}), move |_call| {
        let (wait, count) = (wait.clone(), count.clone());
        async move {
            count.fetch_add(1, Ordering::SeqCst);
            wait.notified().await;
            "released".to_owned()
        }
    })
    .max_concurrency(1, 1);
    let server = Server::builder("policies", "1.0").tool(held).build();
    let client = Client::builder()
        .connect_in_memory(server)
        .await
        .expect("connected");
    let running = tokio::spawn({
        let client = client.clone();
        async move { client.call_tool("held", json!({})).await }
    });
    while started.load(Ordering::SeqCst) == 0 {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    // Two more: one takes the only place in the queue, the other is refused at once.
    let call = |client: Client| async move { client.call_tool("held", json!({})).await };
    let mut first = tokio::spawn(call(client.clone()));
    let mut second = tokio::spawn(call(client.clone()));
    let (refused, queued) = tokio::select! {
        done = &mut first => (done, second),
        done = &mut second => (done, first),
    };
    let refused = refused.expect("joined").expect("answered");
    assert_eq!(refused.is_error, Some(true), "{refused:?}");
    assert!(
        text(&refused).contains("`held` is busy"),
        "{}",
        text(&refused)
    );
    assert_eq!(started.load(Ordering::SeqCst), 1, "the queued call waits");
    release.notify_one();
    running.await.expect("joined").expect("first call");
    release.notify_one();
    let queued = queued.await.expect("joined").expect("queued call");
    assert_ne!(queued.is_error, Some(true), "{queued:?}");
    assert_eq!(started.load(Ordering::SeqCst), 2);
}
