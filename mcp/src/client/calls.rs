//! What goes beyond one request and one answer: per-call options (a timeout of its
//! own, progress reports), lists read page by page as a stream, and subscriptions
//! (legacy `resources/subscribe`; 2026-07-28 `subscriptions/listen`).

use std::sync::Arc;
use std::time::Duration;

use futures_util::Stream;
use serde_json::{Map, Value, json};
use tokio::sync::mpsc;

use super::{Client, ClientError, Era};
use crate::protocol::{CallToolResult, Tool};
use crate::sync::lock;

/// A progress report for one call (`notifications/progress`).
#[derive(Debug, Clone, PartialEq)]
pub struct Progress {
    /// How far along (monotonic).
    pub progress: f64,
    /// The total, when known.
    pub total: Option<f64>,
    /// A message, when given.
    pub message: Option<String>,
}

/// Options for one call.
#[derive(Default, Clone)]
pub struct CallOptions {
    timeout: Option<Option<Duration>>,
    progress: Option<Arc<dyn Fn(Progress) + Send + Sync>>,
    meta: Map<String, Value>,
}

impl std::fmt::Debug for CallOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CallOptions")
            .field("timeout", &self.timeout)
            .field("progress", &self.progress.is_some())
            .field("meta", &self.meta)
            .finish()
    }
}

impl CallOptions {
    /// The client's defaults.
    pub fn new() -> Self {
        Self::default()
    }

    /// This call's timeout, instead of the client's.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(Some(timeout));
        self
    }

    /// No timeout for this call.
    pub fn no_timeout(mut self) -> Self {
        self.timeout = Some(None);
        self
    }

    /// Adds `key` to the request's `_meta` (a progress token of the caller's own, a
    /// log level for this request, a vendor key).
    pub fn meta(mut self, key: impl Into<String>, value: Value) -> Self {
        self.meta.insert(key.into(), value);
        self
    }

    /// Hears this call's progress reports (the request carries a progress token).
    pub fn on_progress(mut self, listener: impl Fn(Progress) + Send + Sync + 'static) -> Self {
        self.progress = Some(Arc::new(listener));
        self
    }
}

/// Unregisters a call's progress route when the call ends or is dropped.
struct ProgressRoute<'a> {
    client: &'a Client,
    token: String,
}

impl Drop for ProgressRoute<'_> {
    fn drop(&mut self) {
        lock(&self.client.inner.link.handlers().routes.progress).remove(&self.token);
    }
}

impl Client {
    /// [`call_tool`](Self::call_tool) with options: a timeout, progress reports.
    pub async fn call_tool_with(
        &self,
        name: &str,
        arguments: Value,
        options: CallOptions,
    ) -> Result<CallToolResult, ClientError> {
        self.learn_tool_headers(name).await;
        let mut params = json!({ "name": name, "arguments": arguments });
        if !options.meta.is_empty() {
            params["_meta"] = Value::Object(options.meta);
        }
        let _route = options.progress.map(|listener| {
            let token = json!(format!("progress-{}", self.inner.link.reserve_id()));
            params["_meta"]["progressToken"] = token.clone();
            let route: super::handlers::Listener = Arc::new(move |_, params: Value| {
                listener(Progress {
                    progress: params
                        .get("progress")
                        .and_then(Value::as_f64)
                        .unwrap_or_default(),
                    total: params.get("total").and_then(Value::as_f64),
                    message: params
                        .get("message")
                        .and_then(Value::as_str)
                        .map(str::to_owned),
                })
            });
            lock(&self.inner.link.handlers().routes.progress).insert(token.to_string(), route);
            ProgressRoute {
                client: self,
                token: token.to_string(),
            }
        });
        let timeout = options.timeout.unwrap_or(self.inner.timeout);
        let raw = self
            .request_with_input_timeout("tools/call", params, timeout)
            .await?;
        serde_json::from_value(raw).map_err(|e| ClientError::Malformed(format!("tools/call: {e}")))
    }

    /// The tools page by page, as the stream is read: for servers with many.
    pub fn tools_stream(&self) -> impl Stream<Item = Result<Tool, ClientError>> + Send + '_ {
        enum Step {
            Page(Option<String>),
            Done,
        }
        let pages = futures_util::stream::unfold(Step::Page(None), move |step| async move {
            let Step::Page(cursor) = step else {
                return None;
            };
            Some(match self.tools_page(cursor.as_deref()).await {
                Ok((tools, next)) => (
                    tools.into_iter().map(Ok).collect(),
                    next.map_or(Step::Done, |at| Step::Page(Some(at))),
                ),
                Err(err) => (vec![Err(err)], Step::Done),
            })
        });
        futures_util::StreamExt::flat_map(pages, futures_util::stream::iter)
    }

    /// Legacy: asks for `notifications/resources/updated` about `uri` (they reach the
    /// builder's notification listener).
    pub async fn subscribe_resource(&self, uri: &str) -> Result<(), ClientError> {
        self.legacy_request("resources/subscribe", json!({ "uri": uri }))
            .await
    }

    /// Legacy: stops the updates about `uri`.
    pub async fn unsubscribe_resource(&self, uri: &str) -> Result<(), ClientError> {
        self.legacy_request("resources/unsubscribe", json!({ "uri": uri }))
            .await
    }

    async fn legacy_request(&self, method: &str, params: Value) -> Result<(), ClientError> {
        match self.inner.era {
            Era::Legacy(_) => self.request(method, params).await.map(drop),
            Era::Modern => Err(ClientError::Unsupported(format!(
                "{method} does not exist in 2026-07-28: use listen()"
            ))),
        }
    }

    /// 2026-07-28: opens a `subscriptions/listen` stream for the changes `filter`
    /// asks for (`{"toolsListChanged": true, "resourceSubscriptions": ["file:///"]}`),
    /// once the server acknowledged it. Dropping the subscription ends it.
    pub async fn listen(&self, filter: Value) -> Result<Subscription, ClientError> {
        if self.inner.era != Era::Modern {
            return Err(ClientError::Unsupported(
                "subscriptions/listen needs 2026-07-28; a legacy server sends list changes on its own".into(),
            ));
        }
        let id = self.inner.link.reserve_id();
        let (tx, mut rx) = mpsc::unbounded_channel();
        let key = json!(id).to_string();
        lock(&self.inner.link.handlers().routes.subscriptions).insert(key.clone(), tx);
        let params = self.inner.stamp(json!({ "notifications": filter }));
        let client = self.clone();
        let running = tokio::spawn(async move {
            // However the request ends (the server's final result, the link closing, the
            // subscription dropped), its route goes, and with it the events' sender:
            // `next` then returns what is left and `None`.
            let route = RouteGuard { client, key };
            // No timeout: the stream lasts until one side ends it.
            route
                .client
                .inner
                .link
                .request_as(id, "subscriptions/listen", &params, None)
                .await
        });
        // The acknowledgement comes first and at once; without a call timeout it still
        // gets no more than a minute.
        let limit = self.inner.timeout.unwrap_or(Duration::from_secs(60));
        let acknowledged = tokio::time::timeout(limit, async {
            while let Some((method, params)) = rx.recv().await {
                if method == "notifications/subscriptions/acknowledged" {
                    return Some(
                        params
                            .get("notifications")
                            .cloned()
                            .unwrap_or(Value::Object(Map::new())),
                    );
                }
            }
            None
        })
        .await;
        match acknowledged {
            Ok(Some(honoured)) => Ok(Subscription {
                honoured,
                events: rx,
                running,
            }),
            // The request ended first: the server refused it, or the link closed.
            Ok(None) => match running.await {
                Ok(Err(refused)) => Err(refused),
                _ => Err(ClientError::Closed(
                    ": the subscription ended before it was acknowledged".into(),
                )),
            },
            Err(_) => {
                running.abort();
                Err(ClientError::Timeout {
                    timeout: limit,
                    detail: ": no acknowledgement of subscriptions/listen".into(),
                })
            }
        }
    }
}

/// Removes a subscription's route when its request ends, however it ends.
struct RouteGuard {
    client: Client,
    key: String,
}

impl Drop for RouteGuard {
    fn drop(&mut self) {
        lock(&self.client.inner.link.handlers().routes.subscriptions).remove(&self.key);
    }
}

/// A live `subscriptions/listen` stream. Dropping it tells the server to stop.
#[derive(Debug)]
pub struct Subscription {
    honoured: Value,
    events: mpsc::UnboundedReceiver<(String, Value)>,
    running: tokio::task::JoinHandle<Result<Value, ClientError>>,
}

impl Subscription {
    /// The part of the filter the server honours.
    pub fn honoured(&self) -> &Value {
        &self.honoured
    }

    /// The next change (`method`, `params`); `None` once the stream has ended: the
    /// server ended it (shutting down, say) or the connection closed.
    pub async fn next(&mut self) -> Option<(String, Value)> {
        self.events.recv().await
    }
}

impl Drop for Subscription {
    fn drop(&mut self) {
        // Dropping the request's future sends `notifications/cancelled` (stdio) or
        // closes its stream (HTTP).
        self.running.abort();
    }
}
