//! What the client does when the server asks it something (elicitation, sampling,
//! roots) or tells it something (notifications). The same handlers answer a legacy
//! server's requests and a 2026-07-28 server's `InputRequiredResult`.

use std::collections::HashMap;
use std::fmt;
use std::future::Future;
use std::sync::{Arc, Mutex};

use tokio::sync::mpsc;

use serde_json::{Value, json};

use crate::protocol::{ClientCapabilities, ErrorObject};
use crate::server::BoxFuture;
use crate::sync::lock;

type Answer = BoxFuture<'static, Result<Value, ErrorObject>>;
type Asker = Arc<dyn Fn(Value) -> Answer + Send + Sync>;
pub(crate) type Listener = Arc<dyn Fn(&str, Value) + Send + Sync>;

/// Where notifications for one call or one subscription go, by progress token or
/// subscription id (as JSON text).
#[derive(Default)]
pub(crate) struct Routes {
    pub(crate) progress: Mutex<HashMap<String, Listener>>,
    pub(crate) subscriptions: Mutex<HashMap<String, mpsc::UnboundedSender<(String, Value)>>>,
}

/// The client's handlers; the capabilities it declares follow from which are set.
#[derive(Default, Clone)]
pub(crate) struct Handlers {
    pub(crate) elicitation: Option<Asker>,
    pub(crate) sampling: Option<Asker>,
    pub(crate) roots: Option<Asker>,
    pub(crate) notifications: Option<Listener>,
    pub(crate) routes: Arc<Routes>,
}

impl fmt::Debug for Handlers {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Handlers")
            .field("elicitation", &self.elicitation.is_some())
            .field("sampling", &self.sampling.is_some())
            .field("roots", &self.roots.is_some())
            .field("notifications", &self.notifications.is_some())
            .finish()
    }
}

/// Wraps a typed handler as one over JSON.
pub(crate) fn asker<P, R, F, Fut>(handler: F) -> Asker
where
    P: serde::de::DeserializeOwned + Send + 'static,
    R: serde::Serialize + Send + 'static,
    F: Fn(P) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<R, ErrorObject>> + Send + 'static,
{
    let handler = Arc::new(handler);
    Arc::new(move |params: Value| -> Answer {
        let handler = handler.clone();
        Box::pin(async move {
            let params: P = serde_json::from_value(params).map_err(ErrorObject::invalid_params)?;
            let result = handler(params).await?;
            serde_json::to_value(result).map_err(ErrorObject::internal)
        })
    })
}

impl Handlers {
    /// The capabilities these handlers let the client declare.
    pub(crate) fn capabilities(&self) -> ClientCapabilities {
        let mut caps = json!({});
        if self.elicitation.is_some() {
            caps["elicitation"] = json!({ "form": {} });
        }
        if self.sampling.is_some() {
            caps["sampling"] = json!({});
        }
        if self.roots.is_some() {
            caps["roots"] = json!({ "listChanged": true });
        }
        serde_json::from_value(caps).unwrap_or_default()
    }

    /// Answers one question from the server, by method.
    pub(crate) async fn server_request(
        &self,
        method: &str,
        params: Value,
    ) -> Result<Value, ErrorObject> {
        let handler = match method {
            "elicitation/create" => &self.elicitation,
            "sampling/createMessage" => &self.sampling,
            "roots/list" => &self.roots,
            "ping" => return Ok(json!({})),
            _ => return Err(ErrorObject::method_not_found(method)),
        };
        match handler {
            Some(handler) => handler(params).await,
            None => Err(ErrorObject::method_not_found(method)),
        }
    }

    pub(crate) fn notification(&self, method: &str, params: Value) {
        if method == "notifications/progress"
            && let Some(token) = params.get("progressToken")
        {
            let listener = lock(&self.routes.progress).get(&token.to_string()).cloned();
            if let Some(listener) = listener {
                listener(method, params.clone());
            }
        }
        let subscription = params
            .pointer("/_meta/io.modelcontextprotocol~1subscriptionId")
            .map(Value::to_string);
        if let Some(id) = subscription {
            let mut subscriptions = lock(&self.routes.subscriptions);
            if let Some(tx) = subscriptions.get(&id)
                && tx.send((method.to_owned(), params.clone())).is_err()
            {
                subscriptions.remove(&id);
            }
        }
        if let Some(listener) = &self.notifications {
            listener(method, params);
        }
    }
}
