//! Tests of [`Introspection`] against a local RFC 7662 endpoint that records what it
//! is sent.

use std::sync::{Arc, Mutex};

use serde_json::json;

use super::*;
use crate::layers::auth::test_support::{TestServer, closed_port, json_response, now};
use crate::sync::lock;

const AUDIENCE: &str = "http://127.0.0.1:8000/mcp";
const ISSUER: &str = "https://as.example.com";

/// An endpoint answering `answer` to every request.
async fn endpoint(answer: Value) -> (TestServer, Arc<Mutex<Value>>) {
    endpoint_with_status(200, answer).await
}

async fn endpoint_with_status(status: u16, answer: Value) -> (TestServer, Arc<Mutex<Value>>) {
    let shared = Arc::new(Mutex::new(answer));
    let served = shared.clone();
    let server =
        TestServer::start(move |_| json_response(status, &[], &lock(&served).clone())).await;
    (server, shared)
}

fn active() -> Value {
    json!({
        "active": true,
        "sub": "alice",
        "client_id": "inspector",
        "scope": "tools:call math:write",
        "exp": now() + 600,
        "aud": [AUDIENCE],
        "iss": ISSUER,
        "email": "alice@example.com",
    })
}

fn with(mut answer: Value, changes: Value) -> Value {
    for (name, value) in changes.as_object().expect("an object") {
        match value {
            Value::Null => answer.as_object_mut().expect("an object").remove(name),
            value => answer
                .as_object_mut()
                .expect("an object")
                .insert(name.clone(), value.clone()),
        };
    }
    answer
}

fn introspection(server: &TestServer) -> Introspection {
    Introspection::new(&server.url("/oauth2/introspect"))
        .expect("a URL")
        .client_credentials("mcp server", "s3cr:et/+")
        .audience(AUDIENCE)
        .issuer(ISSUER)
}

#[tokio::test]
async fn an_active_token_is_accepted_as_described_and_cached() {
    let (server, _) = endpoint(active()).await;
    let verifier = introspection(&server);
    let token = "opaque+token/with=reserved&chars";
    let verified = verifier.verify(token).await.expect("accepted");
    assert_eq!(verified.subject, "alice");
    assert_eq!(verified.issuer.as_deref(), Some(ISSUER));
    assert_eq!(verified.scopes, ["tools:call", "math:write"]);
    assert_eq!(verified.claims["email"], "alice@example.com");
    assert!(verified.expires_at.is_some());

    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    let request = &requests[0];
    assert_eq!(request.method, http::Method::POST);
    assert_eq!(request.uri.path(), "/oauth2/introspect");
    assert_eq!(
        request.headers[header::CONTENT_TYPE],
        "application/x-www-form-urlencoded"
    );
    // RFC 6749 §2.3.1: the id and secret are form-encoded, then Basic.
    let basic = STANDARD.encode("mcp+server:s3cr%3Aet%2F%2B");
    assert_eq!(
        request.headers[header::AUTHORIZATION],
        format!("Basic {basic}")
    );
    assert_eq!(
        request.body.as_ref(),
        b"token=opaque%2Btoken%2Fwith%3Dreserved%26chars&token_type_hint=access_token"
    );

    for _ in 0..3 {
        let again = verifier.verify(token).await.map(|v| v.subject);
        assert_eq!(again, Ok("alice".to_owned()));
    }
    assert_eq!(server.hits(), 1, "a cached answer makes no request");
    assert!(verifier.verify("another token").await.is_ok());
    assert_eq!(server.hits(), 2, "the cache is per token");
}

#[tokio::test]
async fn an_inactive_token_is_invalid_and_never_cached() {
    let (server, answer) = endpoint(json!({ "active": false })).await;
    let verifier = introspection(&server);
    assert_eq!(
        verifier.verify("revoked").await,
        Err(TokenError::invalid("inactive"))
    );
    assert_eq!(
        verifier.verify("revoked").await,
        Err(TokenError::invalid("inactive"))
    );
    assert_eq!(server.hits(), 2);
    *lock(&answer) = json!({ "active": "true", "sub": "alice" });
    assert_eq!(
        verifier.verify("stringly").await,
        Err(TokenError::invalid("inactive")),
        "only the JSON true is active"
    );
}

#[tokio::test]
async fn the_cache_lasts_until_the_token_expires() {
    // Expired a few seconds ago: still within the leeway, so accepted, but not cached.
    let (server, _) = endpoint(with(active(), json!({ "exp": now() - 5 }))).await;
    let verifier = introspection(&server);
    assert!(verifier.verify("t").await.is_ok());
    assert!(verifier.verify("t").await.is_ok());
    assert_eq!(
        server.hits(),
        2,
        "an expired token was served from the cache"
    );

    let (server, _) = endpoint(with(active(), json!({ "exp": now() - 3600 }))).await;
    let verifier = introspection(&server);
    assert_eq!(
        verifier.verify("t").await,
        Err(TokenError::invalid("expired"))
    );

    let (server, _) = endpoint(active()).await;
    let verifier = introspection(&server).cache(100, Duration::from_millis(100));
    assert!(verifier.verify("t").await.is_ok());
    assert!(verifier.verify("t").await.is_ok());
    assert_eq!(server.hits(), 1);
    tokio::time::sleep(Duration::from_millis(150)).await;
    assert!(verifier.verify("t").await.is_ok());
    assert_eq!(server.hits(), 2, "max_age bounds the cache");
}

#[tokio::test]
async fn audience_and_issuer_are_checked_when_configured() {
    let cases = [
        (
            json!({ "aud": ["https://other.example.com"] }),
            "wrong audience",
        ),
        (
            json!({ "aud": "https://other.example.com" }),
            "wrong audience",
        ),
        (json!({ "aud": null }), "wrong audience"),
        (json!({ "iss": "https://evil.example.com" }), "wrong issuer"),
        (json!({ "iss": null }), "wrong issuer"),
        (json!({ "scope": 7 }), "malformed scope claim"),
    ];
    for (change, expected) in cases {
        let (server, _) = endpoint(with(active(), change.clone())).await;
        let refused = introspection(&server).verify("t").await;
        assert_eq!(refused, Err(TokenError::invalid(expected)), "{change}");
    }
    let (server, _) = endpoint(with(active(), json!({ "aud": AUDIENCE }))).await;
    assert!(introspection(&server).verify("t").await.is_ok());

    let (server, _) = endpoint(with(active(), json!({ "aud": null, "iss": null }))).await;
    let unconstrained = Introspection::new(&server.url("/introspect")).expect("a URL");
    assert!(unconstrained.verify("t").await.is_ok());
}

#[tokio::test]
async fn a_client_acting_for_itself_is_its_client_id() {
    let (server, answer) = endpoint(with(active(), json!({ "sub": null }))).await;
    let verifier = introspection(&server);
    let verified = verifier.verify("t1").await.map(|v| v.subject);
    assert_eq!(verified, Ok("inspector".to_owned()));
    *lock(&answer) = with(active(), json!({ "sub": null, "client_id": null }));
    assert_eq!(
        verifier.verify("t2").await,
        Err(TokenError::invalid("no sub or client_id in the answer"))
    );
}

#[tokio::test]
async fn an_endpoint_that_fails_makes_tokens_unavailable_never_quoting_them() {
    let token = "secret-opaque-token-value";
    let unavailable = |result: Result<Verified, TokenError>| match result {
        Err(err @ TokenError::Unavailable(_)) => {
            assert!(!err.to_string().contains(token), "{err}");
        }
        other => panic!("expected unavailable, got {other:?}"),
    };
    let (server, _) = endpoint_with_status(500, json!({ "error": "oops" })).await;
    unavailable(introspection(&server).verify(token).await);
    let (server, _) = endpoint_with_status(401, json!({ "error": "invalid_client" })).await;
    unavailable(introspection(&server).verify(token).await);
    let garbled = TestServer::start(|_| {
        http::Response::new(http_body_util::Full::new(Bytes::from_static(b"<html>")))
    })
    .await;
    unavailable(introspection(&garbled).verify(token).await);
    let nowhere = closed_port().await;
    let verifier = Introspection::new(&format!("http://{nowhere}/introspect"))
        .expect("a URL")
        .timeout(Duration::from_secs(2));
    unavailable(verifier.verify(token).await);
}

#[test]
fn configuration_is_checked_and_debug_hides_the_secret() {
    assert!(Introspection::new("https://as.example.com/introspect").is_ok());
    // Token verdicts in clear text over a network could be forged on the way.
    assert!(Introspection::new("http://as.example.com/introspect").is_err());
    assert!(Introspection::new("not a url").is_err());
    let verifier = Introspection::new("http://127.0.0.1:9/introspect")
        .expect("a URL")
        .client_credentials("mcp-server", "hunter2-client-secret");
    let shown = format!("{verifier:?}");
    assert!(shown.contains("mcp-server"), "{shown}");
    assert!(!shown.contains("hunter2"), "{shown}");
    assert!(!shown.contains("Basic"), "{shown}");
}

#[test]
fn form_encoding_escapes_all_but_unreserved_characters() {
    let mut out = String::new();
    form_encode("a-Z_0.9*~ é+&=%", &mut out);
    assert_eq!(out, "a-Z_0.9*%7E+%C3%A9%2B%26%3D%25");
}
