//! 2026-07-28 `subscriptions/listen`: acknowledge the honoured filter first, then
//! forward matching changes, each tagged with the subscription id (the listen
//! request's own id), until the client cancels or the server shuts down
//! (2026-07-28 `basic/patterns/subscriptions`).

use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::parse_params;
use crate::protocol::{ErrorObject, META_SERVER_INFO, META_SUBSCRIPTION_ID};
use crate::server::builder::ServerInner;
use crate::server::registry::ServerEvent;
use crate::server::request::McpRequest;

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Filter {
    #[serde(default)]
    tools_list_changed: bool,
    #[serde(default)]
    prompts_list_changed: bool,
    #[serde(default)]
    resources_list_changed: bool,
    #[serde(default)]
    resource_subscriptions: Vec<String>,
}

#[derive(Deserialize)]
struct ListenParams {
    notifications: Filter,
}

impl Filter {
    /// The honoured subset, echoing only what is on.
    fn acknowledged(&self) -> Value {
        let mut out = Map::new();
        for (key, on) in [
            ("toolsListChanged", self.tools_list_changed),
            ("promptsListChanged", self.prompts_list_changed),
            ("resourcesListChanged", self.resources_list_changed),
        ] {
            if on {
                out.insert(key.into(), Value::Bool(true));
            }
        }
        if !self.resource_subscriptions.is_empty() {
            out.insert(
                "resourceSubscriptions".into(),
                json!(self.resource_subscriptions),
            );
        }
        Value::Object(out)
    }

    fn wants<'e>(&self, event: &'e ServerEvent) -> Option<(&'static str, Option<&'e str>)> {
        match event {
            ServerEvent::ToolsChanged if self.tools_list_changed => {
                Some(("notifications/tools/list_changed", None))
            }
            ServerEvent::PromptsChanged if self.prompts_list_changed => {
                Some(("notifications/prompts/list_changed", None))
            }
            ServerEvent::ResourcesChanged if self.resources_list_changed => {
                Some(("notifications/resources/list_changed", None))
            }
            ServerEvent::ResourceUpdated(uri)
                if self
                    .resource_subscriptions
                    .iter()
                    .any(|s| uri.starts_with(s.as_str())) =>
            {
                Some(("notifications/resources/updated", Some(uri)))
            }
            _ => None,
        }
    }
}

pub(super) async fn listen(server: &ServerInner, req: McpRequest) -> Result<Value, ErrorObject> {
    let params: ListenParams = parse_params(&req)?;
    let filter = params.notifications;
    let subscription_id = serde_json::to_value(&req.id).map_err(ErrorObject::internal)?;
    let meta = json!({ META_SUBSCRIPTION_ID: subscription_id });
    let mut events = server.registry.subscribe();
    let shutdown = req.session.shutdown().clone();
    req.peer.notify(
        "notifications/subscriptions/acknowledged",
        &json!({ "_meta": meta, "notifications": filter.acknowledged() }),
    );
    loop {
        let event = tokio::select! {
            () = req.cancel.cancelled() => break,
            // The transport is shutting down: end with the final result below.
            () = shutdown.triggered() => break,
            event = events.recv() => event,
        };
        match event {
            Some(event) => {
                if let Some((method, uri)) = filter.wants(&event) {
                    let mut params = json!({ "_meta": meta });
                    if let Some(uri) = uri {
                        params["uri"] = json!(uri);
                    }
                    if !req.peer.notify(method, &params) {
                        break;
                    }
                }
            }
            None => break,
        }
    }
    Ok(json!({
        "resultType": "complete",
        "_meta": { META_SUBSCRIPTION_ID: subscription_id, META_SERVER_INFO: server.info_json },
    }))
}
