//! Tests of [`Jwks`]: parsing and pinning a key set, and fetching it from a local
//! server that rotates its keys, fails, and counts what it is asked.

use std::sync::atomic::{AtomicBool, Ordering};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use http::HeaderValue;
use jsonwebtoken::Header;
use serde_json::json;

use super::*;
use crate::layers::auth::test_support::{
    RSA, RSA_OTHER, TestKey, TestServer, closed_port, json_response, now, secret_key, sign_with,
};
use crate::layers::auth::{JwtVerifier, TokenVerifier};

const AUDIENCE: &str = "http://127.0.0.1:8000/mcp";

fn claims() -> Value {
    json!({ "sub": "alice", "aud": AUDIENCE, "exp": now() + 600, "scope": "read" })
}

fn verifier(jwks: Jwks) -> JwtVerifier {
    JwtVerifier::builder()
        .audience(AUDIENCE)
        .jwks(jwks)
        .build()
        .expect("a verifier")
}

fn pinned(keys: &[JwtKey]) -> Vec<(Option<&str>, Vec<Algorithm>)> {
    keys.iter()
        .map(|key| (key.key_id(), key.algorithms().to_vec()))
        .collect()
}

#[test]
fn each_key_is_pinned_to_its_alg_or_the_one_its_type_implies() {
    let ec256 = TestKey::ec(Algorithm::ES256);
    let ec384 = TestKey::ec(Algorithm::ES384);
    let ed = TestKey::ed25519();
    let mut pss = RSA.jwk("pss", false);
    pss["alg"] = json!("PS512");
    let mut rsa_as_ec = RSA.jwk("rsa-as-ec", false);
    rsa_as_ec["alg"] = json!("ES256");
    let mut wrong_curve = ec256.jwk("wrong-curve", false);
    wrong_curve["alg"] = json!("ES384");
    let mut for_encryption = RSA.jwk("enc", false);
    for_encryption["use"] = json!("enc");
    let mut sign_only = RSA.jwk("sign-only", false);
    sign_only["key_ops"] = json!(["sign"]);
    let short_modulus = json!({
        "kty": "RSA", "kid": "rsa-1024",
        "n": URL_SAFE_NO_PAD.encode([0xc5u8; 128]), "e": "AQAB",
    });
    let set = json!({ "keys": [
        RSA.jwk("rsa", false),
        pss,
        ec256.jwk("ec256", false),
        ec384.jwk("ec384", false),
        ed.jwk("ed", false),
        { "kty": "oct", "kid": "secret", "k": "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3JldA" },
        rsa_as_ec,
        wrong_curve,
        for_encryption,
        sign_only,
        short_modulus,
        { "kty": "EC", "kid": "p521", "crv": "P-521", "x": "AA", "y": "AA" },
        { "kty": "RSA", "kid": "no-modulus", "e": "AQAB" },
        "not a key",
    ]});
    let keys = parse_set(set.to_string().as_bytes()).expect("usable keys");
    assert_eq!(
        pinned(&keys),
        [
            (Some("rsa"), vec![Algorithm::RS256]),
            (Some("pss"), vec![Algorithm::PS512]),
            (Some("ec256"), vec![Algorithm::ES256]),
            (Some("ec384"), vec![Algorithm::ES384]),
            (Some("ed"), vec![Algorithm::EdDSA]),
        ]
    );
    assert!(parse_set(br#"{"keys": []}"#).is_err());
    assert!(parse_set(br#"{"keys": [{"kty": "oct", "k": "c2VjcmV0"}]}"#).is_err());
    assert!(parse_set(b"<html>").is_err());
}

#[test]
fn max_age_is_read_from_cache_control() {
    let headers = |values: &[&str]| {
        let mut map = http::HeaderMap::new();
        for value in values {
            map.append(
                header::CACHE_CONTROL,
                HeaderValue::from_str(value).expect("a value"),
            );
        }
        map
    };
    let secs = |s| Some(Duration::from_secs(s));
    assert_eq!(max_age(&headers(&["max-age=120"])), secs(120));
    assert_eq!(
        max_age(&headers(&["public, max-age=60, must-revalidate"])),
        secs(60)
    );
    assert_eq!(max_age(&headers(&["public", "Max-Age=\"90\""])), secs(90));
    assert_eq!(max_age(&headers(&["max-age=600, no-cache"])), secs(0));
    assert_eq!(max_age(&headers(&["no-store"])), secs(0));
    assert_eq!(max_age(&headers(&["max-age=soon"])), None);
    assert_eq!(max_age(&headers(&[])), None);
}

/// A JWKS server whose set the test replaces, and which can be made to fail.
struct Issuer {
    server: TestServer,
    set: Arc<Mutex<Value>>,
    failing: Arc<AtomicBool>,
}

impl Issuer {
    async fn start(set: Value, cache_control: &'static str) -> Self {
        let shared = Arc::new(Mutex::new(set));
        let failing = Arc::new(AtomicBool::new(false));
        let (served, fails) = (shared.clone(), failing.clone());
        let server = TestServer::start(move |_| {
            if fails.load(Ordering::SeqCst) {
                return json_response(503, &[], &json!({ "error": "down" }));
            }
            let set = lock(&served).clone();
            json_response(200, &[("cache-control", cache_control)], &set)
        })
        .await;
        Issuer {
            server,
            set: shared,
            failing,
        }
    }

    fn serve(&self, set: Value) {
        *lock(&self.set) = set;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rotated_key_is_picked_up_and_unknown_kids_refetch_at_most_once_per_interval() {
    let first = TestKey::ec(Algorithm::ES256);
    let next = TestKey::ec(Algorithm::ES256);
    let issuer = Issuer::start(
        json!({ "keys": [first.jwk("2026-01", true)] }),
        "max-age=3600",
    )
    .await;
    let interval = Duration::from_secs(1);
    let verifier = Arc::new(verifier(
        Jwks::new(&issuer.server.url("/.well-known/jwks.json"))
            .expect("a URL")
            .refresh_interval(interval),
    ));
    // Signed ahead, so that the timed part below is quick.
    let token = first.sign(Some("2026-01"), &claims());
    let rotated = next.sign(Some("2026-02"), &claims());
    let made_up: Vec<String> = (0..10)
        .map(|i| next.sign(Some(&format!("made-up-{i}")), &claims()))
        .collect();

    // Concurrent first verifications share one fetch.
    let tasks: Vec<_> = (0..8)
        .map(|_| {
            let (verifier, token) = (verifier.clone(), token.clone());
            tokio::spawn(async move { verifier.verify(&token).await })
        })
        .collect();
    for task in tasks {
        let verified = task.await.expect("the task ran");
        assert_eq!(verified.map(|v| v.subject), Ok("alice".to_owned()));
    }
    assert_eq!(issuer.server.hits(), 1);
    let request = &issuer.server.requests()[0];
    assert_eq!(request.method, Method::GET);
    assert_eq!(request.uri.path(), "/.well-known/jwks.json");
    assert_eq!(request.headers[header::ACCEPT], "application/json");
    assert!(request.body.is_empty());

    // The issuer rotates. Right after a fetch, a new kid waits out the interval, and
    // made-up kids cannot force fetches either.
    issuer.serve(json!({ "keys": [next.jwk("2026-02", true)] }));
    assert_eq!(
        verifier.verify(&rotated).await,
        Err(TokenError::invalid("unknown key id"))
    );
    for token in &made_up {
        assert!(verifier.verify(token).await.is_err());
    }
    assert_eq!(issuer.server.hits(), 1, "the refresh rate limit held");

    tokio::time::sleep(interval + Duration::from_millis(50)).await;
    let verified = verifier.verify(&rotated).await;
    assert_eq!(verified.map(|v| v.subject), Ok("alice".to_owned()));
    assert_eq!(issuer.server.hits(), 2, "the rotated key was fetched");
    // The retired key went with the old set.
    assert_eq!(
        verifier.verify(&token).await,
        Err(TokenError::invalid("unknown key id"))
    );
    for token in &made_up {
        assert!(verifier.verify(token).await.is_err());
    }
    assert_eq!(issuer.server.hits(), 2, "the refresh rate limit held");

    tokio::time::sleep(interval + Duration::from_millis(50)).await;
    assert!(verifier.verify(&made_up[0]).await.is_err());
    assert!(verifier.verify(&made_up[1]).await.is_err());
    assert_eq!(issuer.server.hits(), 3, "one fetch per interval");
    assert!(verifier.verify(&rotated).await.is_ok());
}

#[tokio::test]
async fn the_set_is_kept_for_its_max_age_and_refetched_after() {
    let key = TestKey::ec(Algorithm::ES256);
    let issuer = Issuer::start(json!({ "keys": [key.jwk("k", true)] }), "public, max-age=1").await;
    let verifier = verifier(
        Jwks::new(&issuer.server.url("/jwks"))
            .expect("a URL")
            .refresh_interval(Duration::from_millis(100)),
    );
    let token = key.sign(Some("k"), &claims());
    for _ in 0..5 {
        assert!(verifier.verify(&token).await.is_ok());
    }
    assert_eq!(issuer.server.hits(), 1, "cached for its max-age");
    tokio::time::sleep(Duration::from_millis(1100)).await;
    assert!(verifier.verify(&token).await.is_ok());
    assert_eq!(issuer.server.hits(), 2, "refetched once stale");
}

#[tokio::test]
async fn the_last_good_set_is_served_while_the_endpoint_fails() {
    let issuer = Issuer::start(json!({ "keys": [RSA.jwk("k", false)] }), "no-cache").await;
    let interval = Duration::from_millis(200);
    let verifier = verifier(
        Jwks::new(&issuer.server.url("/jwks"))
            .expect("a URL")
            .refresh_interval(interval),
    );
    let token = RSA.sign(Some("k"), &claims());
    assert!(verifier.verify(&token).await.is_ok());
    issuer.failing.store(true, Ordering::SeqCst);
    // `no-cache` keeps a set for the refresh interval only.
    tokio::time::sleep(interval + Duration::from_millis(50)).await;
    assert!(
        verifier.verify(&token).await.is_ok(),
        "the stale set still serves"
    );
    assert_eq!(
        issuer.server.hits(),
        2,
        "the stale set was refetched, and that failed"
    );
    assert!(verifier.verify(&token).await.is_ok());
    assert_eq!(
        issuer.server.hits(),
        2,
        "a failed endpoint is retried once per interval"
    );

    // A garbled answer counts as a failure too.
    issuer.failing.store(false, Ordering::SeqCst);
    issuer.serve(json!({ "not": "a key set" }));
    tokio::time::sleep(interval + Duration::from_millis(50)).await;
    assert!(verifier.verify(&token).await.is_ok());
    assert_eq!(issuer.server.hits(), 3);
}

#[tokio::test]
async fn without_any_set_fetched_tokens_are_refused_as_unavailable() {
    let issuer = Issuer::start(json!({}), "max-age=60").await;
    issuer.failing.store(true, Ordering::SeqCst);
    let verifier = verifier(Jwks::new(&issuer.server.url("/jwks")).expect("a URL"));
    let token = RSA.sign(Some("k"), &claims());
    let refused = verifier.verify(&token).await;
    assert!(
        matches!(refused, Err(TokenError::Unavailable(_))),
        "{refused:?}"
    );
    assert!(matches!(
        verifier.verify(&token).await,
        Err(TokenError::Unavailable(_))
    ));
    assert_eq!(
        issuer.server.hits(),
        1,
        "retries are spaced even before a first set"
    );

    let nowhere = closed_port().await;
    let verifier = verifier_at(&format!("http://{nowhere}/jwks"));
    assert!(matches!(
        verifier.verify(&token).await,
        Err(TokenError::Unavailable(_))
    ));

    // Not a JWT at all: no reason to fetch anything.
    let untouched = Issuer::start(json!({ "keys": [RSA.jwk("k", true)] }), "max-age=60").await;
    let verifier = verifier_at(&untouched.server.url("/jwks"));
    assert_eq!(verifier.verify("opaque").await, Err(TokenError::NotMine));
    assert_eq!(untouched.server.hits(), 0);
}

fn verifier_at(url: &str) -> JwtVerifier {
    verifier(
        Jwks::new(url)
            .expect("a URL")
            .timeout(Duration::from_secs(2)),
    )
}

#[tokio::test]
async fn a_token_pointing_at_its_own_key_set_is_not_followed() {
    let issuer = Issuer::start(json!({ "keys": [RSA.jwk("k1", true)] }), "max-age=60").await;
    let attacker = Issuer::start(
        json!({ "keys": [RSA_OTHER.jwk("evil", true)] }),
        "max-age=60",
    )
    .await;
    let verifier = verifier(Jwks::new(&issuer.server.url("/jwks")).expect("a URL"));
    let mut header = Header::new(Algorithm::RS256);
    header.kid = Some("evil".into());
    header.jku = Some(attacker.server.url("/jwks"));
    let token = sign_with(&header, &RSA_OTHER.encoding(), &claims());
    assert_eq!(
        verifier.verify(&token).await,
        Err(TokenError::invalid("unknown key id"))
    );
    assert_eq!(attacker.server.hits(), 0, "the token's jku was fetched");
    assert_eq!(
        issuer.server.hits(),
        1,
        "only the configured set was fetched"
    );
}

#[tokio::test]
async fn fixed_keys_are_tried_before_the_set_and_need_no_fetch() {
    let issuer = Issuer::start(json!({ "keys": [RSA.jwk("remote", true)] }), "max-age=60").await;
    let secret = [3u8; 32];
    let verifier = JwtVerifier::builder()
        .audience(AUDIENCE)
        .key(
            JwtKey::hmac(Algorithm::HS256, secret)
                .expect("a key")
                .kid("local"),
        )
        .jwks(Jwks::new(&issuer.server.url("/jwks")).expect("a URL"))
        .build()
        .expect("a verifier");
    let mut header = Header::new(Algorithm::HS256);
    header.kid = Some("local".into());
    let local = sign_with(&header, &secret_key(&secret), &claims());
    assert!(verifier.verify(&local).await.is_ok());
    assert_eq!(issuer.server.hits(), 0);
    let remote = RSA.sign(Some("remote"), &claims());
    assert!(verifier.verify(&remote).await.is_ok());
    assert_eq!(issuer.server.hits(), 1);
}
