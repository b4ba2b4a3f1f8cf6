//! The attack battery over real HTTP: every case gets the exact status, challenge and
//! JSON-RPC body the spec names, the server serves the next honest request, and no
//! token appears anywhere in the trace output of the whole run.

use std::io::Write;
use std::sync::{Arc, Mutex};

use boltmcp::transport::http::HttpConfig;
use boltmcp_tests::http::{HttpClient, Reply, start};
use http::StatusCode;
use jsonwebtoken::{EncodingKey, Header};
use serde_json::{Value, json};

use super::support::{self, ATTACKER, OPS_TOKEN, RSA, claims, hs256, now, rs256, segment};
use boltmcp::layers::auth::Algorithm;

/// Everything the tracing subscriber wrote.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Captured {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap_or_else(|e| e.into_inner())).into_owned()
    }
}

struct Battery {
    client: HttpClient,
    /// Every token sent, honest or not: none may reach the trace output.
    tokens: Vec<String>,
}

impl Battery {
    async fn call(&mut self, token: &str, tool: &str, arguments: Value) -> Reply {
        self.tokens.push(token.to_owned());
        let auth = format!("Bearer {token}");
        self.client
            .modern_with(
                &[("authorization", &auth)],
                1,
                "tools/call",
                json!({ "name": tool, "arguments": arguments }),
            )
            .await
    }

    /// The honest request every refusal is followed by: it must still be served.
    async fn still_serves(&mut self) {
        let token = hs256(&claims("alice", "math:write"));
        let reply = self.call(&token, "add", json!({ "a": 1, "b": 2 })).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        assert_eq!(reply.json()["result"]["structuredContent"]["result"], 3.0);
    }

    /// `token` is refused with 401 `invalid_token`, a -32010 body, and the server goes on.
    async fn refused_as_invalid(&mut self, case: &str, token: &str) {
        let reply = self.call(token, "add", json!({ "a": 1, "b": 2 })).await;
        assert_eq!(
            reply.status,
            StatusCode::UNAUTHORIZED,
            "{case}: {}",
            reply.body
        );
        let challenge = reply.header("www-authenticate").unwrap_or_default();
        assert!(
            challenge.starts_with("Bearer error=\"invalid_token\"")
                && challenge.contains(
                    "resource_metadata=\"http://127.0.0.1/.well-known/oauth-protected-resource/mcp\""
                ),
            "{case}: {challenge}"
        );
        assert_eq!(
            reply.json()["error"]["code"],
            -32010,
            "{case}: {}",
            reply.body
        );
        assert!(!reply.body.contains(token), "{case}: the token is echoed");
        self.still_serves().await;
    }
}

fn header_with(alg: &str, extra: Value) -> Value {
    let mut header = json!({ "alg": alg, "typ": "JWT" });
    if let (Some(h), Some(e)) = (header.as_object_mut(), extra.as_object()) {
        h.extend(e.clone());
    }
    header
}

/// Flips one character of a base64url segment to another valid one.
fn tamper(segment: &str) -> String {
    let mut bytes = segment.as_bytes().to_vec();
    let i = bytes.len() / 2;
    bytes[i] = if bytes[i] == b'A' { b'B' } else { b'A' };
    String::from_utf8(bytes).expect("ASCII")
}

#[tokio::test]
async fn the_attack_battery_gets_the_answers_the_spec_names_and_leaks_no_token() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .finish();
    let _trace = tracing::subscriber::set_default(subscriber);

    // A server the test runs for `jku` to point at: it must never be asked.
    let (jku_listener, jku_addr) = boltmcp_tests::http::bind().await;
    let jku_hits = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let hits = jku_hits.clone();
    tokio::spawn(async move {
        while let Ok((_socket, _)) = jku_listener.accept().await {
            hits.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        }
    });

    let addr = start(
        support::server(),
        HttpConfig::default().auth(support::auth()),
    )
    .await;
    let client = HttpClient::new(addr);
    let mut b = Battery {
        client: client.clone(),
        tokens: Vec::new(),
    };
    b.still_serves().await;

    // No token: 401 with the metadata URL and a scope hint, no `error`.
    let reply = client
        .modern(
            1,
            "tools/call",
            json!({ "name": "add", "arguments": { "a": 1, "b": 2 } }),
        )
        .await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        reply.header("www-authenticate"),
        Some(
            "Bearer scope=\"math:write secrets:read\", resource_metadata=\"http://127.0.0.1/.well-known/oauth-protected-resource/mcp\""
        )
    );
    assert_eq!(reply.json()["error"]["code"], -32010);
    b.still_serves().await;

    // alg none, with and without a signature.
    let body = segment(&claims("mallory", "math:write secrets:read"));
    let none = format!("{}.{body}.", segment(&header_with("none", json!({}))));
    b.refused_as_invalid("alg none", &none).await;
    let none_signed = format!("{}.{body}.c2ln", segment(&header_with("none", json!({}))));
    b.refused_as_invalid("alg none, signed", &none_signed).await;

    // HS256 signed with the RS256 public key's PEM as the HMAC secret.
    let confused = {
        let key = EncodingKey::from_secret(RSA.public_pem.as_bytes()).expect("a secret");
        support::sign(
            &Header::new(Algorithm::HS256),
            &key,
            &claims("mallory", "math:write"),
        )
    };
    b.refused_as_invalid("HS/RS confusion", &confused).await;
    let mut with_kid = Header::new(Algorithm::HS256);
    with_kid.kid = Some("rs1".into());
    let key = EncodingKey::from_secret(RSA.public_pem.as_bytes()).expect("a secret");
    let confused_kid = support::sign(&with_kid, &key, &claims("mallory", "math:write"));
    b.refused_as_invalid("HS/RS confusion naming the RSA kid", &confused_kid)
        .await;

    // Time, audience and issuer.
    let mut expired = claims("alice", "math:write");
    expired["exp"] = json!(now() - 3600);
    b.refused_as_invalid("expired", &hs256(&expired)).await;
    let mut early = claims("alice", "math:write");
    early["nbf"] = json!(now() + 3600);
    b.refused_as_invalid("not yet valid", &hs256(&early)).await;
    let mut elsewhere = claims("alice", "math:write");
    elsewhere["aud"] = json!("https://other.example.com/mcp");
    b.refused_as_invalid("wrong audience", &hs256(&elsewhere))
        .await;
    let mut foreign = claims("alice", "math:write");
    foreign["iss"] = json!("https://evil.example.com");
    b.refused_as_invalid("wrong issuer", &hs256(&foreign)).await;

    // Tampering.
    let honest = rs256(&RSA, Some("rs1"), &claims("alice", "math:read"));
    let parts: Vec<&str> = honest.split('.').collect();
    let mut upgraded = claims("alice", "math:write secrets:read");
    upgraded["sub"] = json!("admin");
    let payload = format!("{}.{}.{}", parts[0], segment(&upgraded), parts[2]);
    b.refused_as_invalid("tampered payload", &payload).await;
    let signature = format!("{}.{}.{}", parts[0], parts[1], tamper(parts[2]));
    b.refused_as_invalid("tampered signature", &signature).await;

    // Key ids: unknown, a path, SQL.
    for kid in ["rs9", "../../etc/passwd", "x' OR '1'='1"] {
        let token = rs256(&RSA, Some(kid), &claims("alice", "math:write"));
        b.refused_as_invalid(&format!("kid {kid:?}"), &token).await;
    }

    // jku pointing at a server the test runs, signed by the attacker's key.
    let mut header = Header::new(Algorithm::RS256);
    header.kid = Some("evil".into());
    header.jku = Some(format!("http://{jku_addr}/jwks.json"));
    let key = EncodingKey::from_rsa_pem(ATTACKER.private_pem.as_bytes()).expect("a key");
    let jku = support::sign(&header, &key, &claims("mallory", "math:write"));
    b.refused_as_invalid("jku", &jku).await;

    // Oversized: refused before parsing.
    let huge = "a".repeat(9 * 1024);
    b.refused_as_invalid("oversized", &huge).await;

    // A token in the query string: 400 invalid_request, even with a valid header.
    let token = hs256(&claims("alice", "math:write"));
    b.tokens.push(token.clone());
    let url = format!("{}?access_token={token}", client.url);
    let query_client = client.at(url);
    let reply = query_client
        .modern_with(
            &[("authorization", &format!("Bearer {token}"))],
            1,
            "tools/call",
            json!({ "name": "add", "arguments": { "a": 1, "b": 2 } }),
        )
        .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{}", reply.body);
    assert!(
        reply
            .header("www-authenticate")
            .is_some_and(|c| c.starts_with("Bearer error=\"invalid_request\"")),
        "{:?}",
        reply.header("www-authenticate")
    );
    b.still_serves().await;

    // Two Authorization headers: 400.
    let auth = format!("Bearer {token}");
    let reply = client
        .modern_with(
            &[("authorization", &auth), ("authorization", &auth)],
            1,
            "tools/call",
            json!({ "name": "add", "arguments": { "a": 1, "b": 2 } }),
        )
        .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{}", reply.body);
    b.still_serves().await;

    // The scheme is case-insensitive (RFC 6750, RFC 9110 §11.1).
    let reply = client
        .modern_with(
            &[("authorization", &format!("bearer {token}"))],
            1,
            "tools/call",
            json!({ "name": "add", "arguments": { "a": 2, "b": 2 } }),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);

    // A missing scope: 403 naming every scope the operation needs, in one challenge.
    let reader = hs256(&claims("bob", "math:read"));
    let reply = b.call(&reader, "divide", json!({ "a": 1, "b": 2 })).await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN, "{}", reply.body);
    assert_eq!(
        reply.header("www-authenticate"),
        Some(
            "Bearer error=\"insufficient_scope\", scope=\"math:write\", resource_metadata=\"http://127.0.0.1/.well-known/oauth-protected-resource/mcp\""
        )
    );
    let error = &reply.json()["error"];
    assert_eq!(error["code"], -32011);
    assert_eq!(error["data"]["missingScopes"], json!(["math:write"]));
    b.still_serves().await;

    // A templated resource's scope is enforced too.
    let reply = client
        .modern_with(
            &[("authorization", &format!("Bearer {reader}"))],
            2,
            "resources/read",
            json!({ "uri": "secrets://launch-codes" }),
        )
        .await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN, "{}", reply.body);
    let reply = client
        .modern_with(
            &[("authorization", &format!("Bearer {OPS_TOKEN}"))],
            3,
            "resources/read",
            json!({ "uri": "secrets://launch-codes" }),
        )
        .await;
    b.tokens.push(OPS_TOKEN.to_owned());
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(
        reply.json()["result"]["contents"][0]["text"],
        "the secret launch-codes"
    );

    // `whoami` sees the verified caller; the static token is a principal too.
    let reply = b.call(OPS_TOKEN, "whoami", json!({})).await;
    assert_eq!(
        reply.json()["result"]["structuredContent"],
        json!({ "subject": "ops", "scopes": ["math:write", "secrets:read"] })
    );

    assert_eq!(
        jku_hits.load(std::sync::atomic::Ordering::SeqCst),
        0,
        "the jku URL was fetched"
    );
    let trace = captured.text();
    assert!(
        !trace.is_empty(),
        "the trace captured nothing: the check would be empty"
    );
    for token in &b.tokens {
        assert!(
            !trace.contains(token.as_str()),
            "a token reached the trace output"
        );
        for part in token.split('.').filter(|p| p.len() > 16) {
            assert!(
                !trace.contains(part),
                "part of a token reached the trace output"
            );
        }
    }
}

#[tokio::test]
async fn a_legacy_session_answers_only_the_principal_that_opened_it() {
    let addr = start(
        support::server(),
        HttpConfig::default().auth(support::auth()),
    )
    .await;
    let client = HttpClient::new(addr);
    let alice = format!("Bearer {}", hs256(&claims("alice", "math:write")));
    let bob = format!("Bearer {}", hs256(&claims("bob", "math:write")));
    let init = client
        .post(
            &[("authorization", &alice)],
            &json!({"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {
                "protocolVersion": "2025-11-25", "capabilities": {},
                "clientInfo": {"name": "t", "version": "1"}}}),
        )
        .await;
    assert_eq!(init.status, StatusCode::OK, "{}", init.body);
    let session = init.header("mcp-session-id").expect("a session").to_owned();
    let list = json!({"jsonrpc": "2.0", "id": 1, "method": "tools/list"});
    let headers = |auth: &str| {
        vec![
            ("authorization".to_owned(), auth.to_owned()),
            ("mcp-session-id".to_owned(), session.clone()),
            ("mcp-protocol-version".to_owned(), "2025-11-25".to_owned()),
        ]
    };
    let as_bob = headers(&bob);
    let as_bob: Vec<(&str, &str)> = as_bob
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let stolen = client.post(&as_bob, &list).await;
    assert_eq!(stolen.status, StatusCode::NOT_FOUND, "{}", stolen.body);
    let deleted = client.exchange(http::Method::DELETE, &as_bob, "").await;
    assert_eq!(
        deleted.status,
        StatusCode::NOT_FOUND,
        "bob cannot end alice's session"
    );
    let as_alice = headers(&alice);
    let as_alice: Vec<(&str, &str)> = as_alice
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let own = client.post(&as_alice, &list).await;
    assert_eq!(own.status, StatusCode::OK, "{}", own.body);
    // GET without a token: 401 before any session is looked up.
    let get = client
        .exchange(
            http::Method::GET,
            &[
                ("mcp-session-id", &session),
                ("accept", "text/event-stream"),
            ],
            "",
        )
        .await;
    assert_eq!(get.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn the_protected_resource_metadata_is_served_at_both_well_known_paths() {
    // serve_http binds its own listener: take a free port, release it, serve on it.
    let (listener, addr) = boltmcp_tests::http::bind().await;
    drop(listener);
    let config = HttpConfig::default().auth(support::auth());
    tokio::spawn(support::server().serve_http_until(addr, config, std::future::pending::<()>()));
    for _ in 0..200 {
        if tokio::net::TcpStream::connect(addr).await.is_ok() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    let client = HttpClient::new(addr);
    let reply = client
        .at(format!(
            "http://{addr}/.well-known/oauth-protected-resource/mcp"
        ))
        .exchange(http::Method::GET, &[], "")
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let expected = json!({
        "resource": "http://127.0.0.1/mcp",
        "authorization_servers": ["https://as.example.com"],
        "scopes_supported": ["math:write", "secrets:read"],
        "bearer_methods_supported": ["header"],
    });
    assert_eq!(reply.json(), expected);
    let root = client
        .at(format!(
            "http://{addr}/.well-known/oauth-protected-resource"
        ))
        .exchange(http::Method::GET, &[], "")
        .await;
    assert_eq!(root.json(), expected);
    let elsewhere = client
        .at(format!("http://{addr}/.well-known/other"))
        .exchange(http::Method::GET, &[], "")
        .await;
    assert_eq!(elsewhere.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn mounted_in_axum_the_endpoint_and_its_metadata_work_together() {
    let endpoint = support::server().http_service(HttpConfig::default().auth(support::auth()));
    let metadata = endpoint.metadata_service("/mcp");
    let app = axum::Router::new()
        .route_service("/mcp", endpoint)
        .route_service("/.well-known/oauth-protected-resource", metadata.clone())
        .route_service("/.well-known/oauth-protected-resource/mcp", metadata);
    let (listener, addr) = boltmcp_tests::http::bind().await;
    tokio::spawn(boltmcp::transport::http::serve(listener, app));
    let client = HttpClient::new(addr);
    let reply = client
        .modern("tools/list".len() as i64, "tools/list", json!({}))
        .await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    let document = client
        .at(format!(
            "http://{addr}/.well-known/oauth-protected-resource/mcp"
        ))
        .exchange(http::Method::GET, &[], "")
        .await;
    assert_eq!(document.json()["resource"], "http://127.0.0.1/mcp");
    let token = format!("Bearer {}", hs256(&claims("alice", "")));
    let listed = client
        .modern_with(&[("authorization", &token)], 1, "tools/list", json!({}))
        .await;
    assert_eq!(listed.status, StatusCode::OK, "{}", listed.body);
}
