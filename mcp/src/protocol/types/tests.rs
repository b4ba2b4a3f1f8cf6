//! Serde round-trip tests for the protocol types, against JSON shaped like the schemas.

use std::sync::Arc;

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use super::*;

/// Serialises `value`, compares with `expected`, and checks it parses back to `value`.
fn round_trip<T>(value: &T, expected: Value)
where
    T: Serialize + DeserializeOwned + PartialEq + std::fmt::Debug,
{
    let json = serde_json::to_value(value).expect("serialise");
    assert_eq!(json, expected);
    let back: T = serde_json::from_value(json).expect("deserialise");
    assert_eq!(&back, value);
}

fn parse<T: DeserializeOwned>(value: Value) -> T {
    serde_json::from_value(value).expect("deserialise")
}

#[test]
fn call_tool_result_constructors() {
    round_trip(
        &CallToolResult::text("hi"),
        json!({"content": [{"type": "text", "text": "hi"}]}),
    );
    round_trip(
        &CallToolResult::error_text("boom"),
        json!({"content": [{"type": "text", "text": "boom"}], "isError": true}),
    );
    let mut structured = CallToolResult::structured(json!({"sum": 3}));
    structured.result_type = Some(ResultType::Complete);
    round_trip(
        &structured,
        json!({
            "content": [{"type": "text", "text": "{\"sum\":3}"}],
            "structuredContent": {"sum": 3},
            "resultType": "complete"
        }),
    );
}

#[test]
fn tool_round_trip() {
    let schema = Arc::new(json!({"type": "object", "properties": {"a": {"type": "number"}}}));
    let tool = Tool {
        description: Some("Adds".into()),
        annotations: Some(ToolAnnotations {
            read_only_hint: Some(true),
            ..Default::default()
        }),
        execution: Some(ToolExecution {
            task_support: Some(TaskSupport::Optional),
            ..Default::default()
        }),
        ..Tool::new("add", schema)
    };
    round_trip(
        &tool,
        json!({
            "name": "add",
            "description": "Adds",
            "inputSchema": {"type": "object", "properties": {"a": {"type": "number"}}},
            "annotations": {"readOnlyHint": true},
            "execution": {"taskSupport": "optional"}
        }),
    );
}

#[test]
fn initialize_result_round_trip() {
    let result = InitializeResult {
        protocol_version: "2025-11-25".into(),
        capabilities: ServerCapabilities {
            tools: Some(ToolsCapability {
                list_changed: Some(true),
                ..Default::default()
            }),
            logging: Some(JsonObject::new()),
            ..Default::default()
        },
        server_info: Implementation::new("bolt", "0.1.0"),
        instructions: Some("Be nice".into()),
        meta: None,
        extra: JsonObject::new(),
    };
    round_trip(
        &result,
        json!({
            "protocolVersion": "2025-11-25",
            "capabilities": {"logging": {}, "tools": {"listChanged": true}},
            "serverInfo": {"name": "bolt", "version": "0.1.0"},
            "instructions": "Be nice"
        }),
    );
}

#[test]
fn unknown_fields_and_meta_survive() {
    let input = json!({
        "content": [{"type": "text", "text": "x", "future": 1, "_meta": {"k": "v"}}],
        "_meta": {"io.modelcontextprotocol/serverInfo": {"name": "s", "version": "1"}},
        "someFutureField": {"nested": [1, 2]}
    });
    let result: CallToolResult = parse(input.clone());
    assert_eq!(
        result.extra.get("someFutureField"),
        Some(&json!({"nested": [1, 2]}))
    );
    assert!(
        result
            .meta
            .as_ref()
            .is_some_and(|m| m.contains_key(META_SERVER_INFO))
    );
    let ContentBlock::Text(text) = &result.content[0] else {
        panic!("expected text block");
    };
    assert_eq!(text.extra.get("future"), Some(&json!(1)));
    assert_eq!(
        text.meta.as_ref().and_then(|m| m.get("k")),
        Some(&json!("v"))
    );
    assert_eq!(serde_json::to_value(&result).expect("serialise"), input);

    let tool: Tool =
        parse(json!({"name": "t", "inputSchema": {"type": "object"}, "x-vendor": true}));
    assert_eq!(tool.extra.get("x-vendor"), Some(&json!(true)));
    // An empty flattened map writes nothing.
    let tool = Tool::new("t", Arc::new(json!({"type": "object"})));
    assert_eq!(
        serde_json::to_value(&tool).expect("serialise"),
        json!({"name": "t", "inputSchema": {"type": "object"}})
    );
}

#[test]
fn content_block_variants() {
    let blocks: Vec<ContentBlock> = parse(json!([
        {"type": "text", "text": "hello"},
        {"type": "image", "data": "aGk=", "mimeType": "image/png"},
        {"type": "audio", "data": "aGk=", "mimeType": "audio/wav", "annotations": {"priority": 0.5}},
        {"type": "resource_link", "uri": "file:///a", "name": "a", "size": 3},
        {"type": "resource", "resource": {"uri": "file:///b", "text": "b"}},
        {"type": "resource", "resource": {"uri": "file:///c", "blob": "Yw==", "mimeType": "x/y"}}
    ]));
    assert!(matches!(&blocks[0], ContentBlock::Text(t) if t.text == "hello"));
    assert!(matches!(&blocks[1], ContentBlock::Image(i) if i.mime_type == "image/png"));
    assert!(
        matches!(&blocks[2], ContentBlock::Audio(a) if a.annotations.as_ref().and_then(|a| a.priority) == Some(0.5))
    );
    assert!(matches!(&blocks[3], ContentBlock::ResourceLink(l) if l.size == Some(3)));
    assert!(matches!(
        &blocks[4],
        ContentBlock::Resource(EmbeddedResource { resource: ResourceContents::Text(t), .. }) if t.text == "b"
    ));
    assert!(matches!(
        &blocks[5],
        ContentBlock::Resource(EmbeddedResource { resource: ResourceContents::Blob(b), .. }) if b.blob == "Yw=="
    ));
    assert!(serde_json::from_value::<ContentBlock>(json!({"type": "video"})).is_err());
}

#[test]
fn elicit_request_modes() {
    let schema = json!({"type": "object", "properties": {"name": {"type": "string"}}});
    let form: ElicitRequestParams = parse(json!({"message": "Name?", "requestedSchema": schema}));
    assert!(matches!(&form, ElicitRequestParams::Form(f) if f.message == "Name?"));
    // Serialised with an explicit mode, and parses back the same.
    round_trip(
        &form,
        json!({"mode": "form", "message": "Name?", "requestedSchema": schema}),
    );
    let url: ElicitRequestParams = parse(json!({
        "mode": "url", "message": "Sign in", "url": "https://x.test/a", "elicitationId": "e1"
    }));
    assert!(
        matches!(&url, ElicitRequestParams::Url(u) if u.elicitation_id.as_deref() == Some("e1"))
    );
    assert!(
        serde_json::from_value::<ElicitRequestParams>(json!({"mode": "sms", "message": "m"}))
            .is_err()
    );
    assert!(
        serde_json::from_value::<ElicitRequestParams>(json!({"mode": "url", "message": "m"}))
            .is_err()
    );

    let result: ElicitResult = parse(json!({"action": "accept", "content": {"name": "Ann"}}));
    assert_eq!(result.action, ElicitAction::Accept);
}

#[test]
fn input_request_variants() {
    let requests: InputRequests = parse(json!({
        "a": {"method": "sampling/createMessage", "params": {
            "messages": [{"role": "user", "content": {"type": "text", "text": "hi"}}],
            "maxTokens": 100
        }},
        "b": {"method": "roots/list"},
        "c": {"method": "elicitation/create", "params": {
            "mode": "url", "message": "Sign in", "url": "https://x.test"
        }}
    }));
    let InputRequest::CreateMessage(sampling) = &requests["a"] else {
        panic!("expected sampling");
    };
    assert_eq!(sampling.max_tokens, 100);
    assert!(matches!(
        sampling.messages[0].content,
        SamplingContent::Single(_)
    ));
    assert_eq!(requests["b"], InputRequest::ListRoots(None));
    assert!(matches!(
        &requests["c"],
        InputRequest::Elicit(ElicitRequestParams::Url(_))
    ));
    round_trip(&requests["b"], json!({"method": "roots/list"}));
    assert!(
        serde_json::from_value::<InputRequest>(json!({"method": "sampling/createMessage"}))
            .is_err()
    );
    assert!(serde_json::from_value::<InputRequest>(json!({"method": "ping"})).is_err());

    let result = InputRequiredResult {
        input_requests: Some(InputRequests::from([(
            "b".to_owned(),
            InputRequest::ListRoots(None),
        )])),
        request_state: Some("s".into()),
        ..Default::default()
    };
    round_trip(
        &result,
        json!({
            "resultType": "input_required",
            "inputRequests": {"b": {"method": "roots/list"}},
            "requestState": "s"
        }),
    );
}

#[test]
fn input_response_variants() {
    let responses: InputResponses = parse(json!({
        "a": {"role": "assistant", "model": "m", "content": [
            {"type": "text", "text": "hi"},
            {"type": "tool_use", "id": "t1", "name": "add", "input": {"a": 1}}
        ], "stopReason": "toolUse"},
        "b": {"roots": [{"uri": "file:///src", "name": "src"}]},
        "c": {"action": "accept", "content": {"ok": true}},
        "d": {"action": "cancel"}
    }));
    let InputResponse::CreateMessage(sampled) = &responses["a"] else {
        panic!("expected sampling result");
    };
    assert!(matches!(&sampled.content, SamplingContent::Multiple(v) if v.len() == 2));
    assert!(
        matches!(&responses["b"], InputResponse::ListRoots(r) if r.roots[0].uri == "file:///src")
    );
    assert!(matches!(&responses["c"], InputResponse::Elicit(e) if e.content.is_some()));
    assert!(
        matches!(&responses["d"], InputResponse::Elicit(e) if e.action == ElicitAction::Cancel)
    );
    for response in responses.values() {
        let json = serde_json::to_value(response).expect("serialise");
        assert_eq!(&parse::<InputResponse>(json), response);
    }
    assert!(serde_json::from_value::<InputResponse>(json!({"content": "x"})).is_err());

    let params: CallToolRequestParams = parse(json!({
        "name": "t", "inputResponses": {"d": {"action": "decline"}}, "requestState": "s",
        "_meta": {"io.modelcontextprotocol/protocolVersion": "2026-07-28"}
    }));
    assert!(params.input_responses.is_some_and(|r| r.contains_key("d")));
}

#[test]
fn small_enums_and_misc() {
    assert!(LoggingLevel::Debug < LoggingLevel::Warning);
    assert!(LoggingLevel::Alert < LoggingLevel::Emergency);
    round_trip(&LoggingLevel::Notice, json!("notice"));
    round_trip(&ProgressToken::Number(7), json!(7));
    round_trip(&ProgressToken::String("p".into()), json!("p"));
    round_trip(&CacheScope::Private, json!("private"));

    let complete: CompleteRequestParams = parse(json!({
        "ref": {"type": "ref/resource", "uri": "file:///{path}"},
        "argument": {"name": "path", "value": "sr"},
        "context": {"arguments": {"x": "y"}}
    }));
    assert!(matches!(
        complete.reference,
        CompletionReference::ResourceTemplate(_)
    ));
    let prompt_ref = CompletionReference::Prompt(PromptReference {
        name: "p".into(),
        ..Default::default()
    });
    round_trip(&prompt_ref, json!({"type": "ref/prompt", "name": "p"}));

    let discover = DiscoverResult {
        supported_versions: vec!["2026-07-28".into()],
        result_type: Some(ResultType::Complete),
        ttl_ms: Some(60_000),
        cache_scope: Some(CacheScope::Public),
        ..Default::default()
    };
    round_trip(
        &discover,
        json!({
            "supportedVersions": ["2026-07-28"], "capabilities": {},
            "resultType": "complete", "ttlMs": 60000, "cacheScope": "public"
        }),
    );

    let task = Task {
        task_id: "t".into(),
        created_at: "2025-01-01T00:00:00Z".into(),
        last_updated_at: "2025-01-01T00:00:00Z".into(),
        ..Default::default()
    };
    round_trip(
        &task,
        json!({
            "taskId": "t", "status": "working", "createdAt": "2025-01-01T00:00:00Z",
            "lastUpdatedAt": "2025-01-01T00:00:00Z", "ttl": null
        }),
    );

    let listen = SubscriptionsListenResult::new(&crate::protocol::RequestId::Number(4));
    round_trip(
        &listen,
        json!({"resultType": "complete", "_meta": {"io.modelcontextprotocol/subscriptionId": 4}}),
    );
}
