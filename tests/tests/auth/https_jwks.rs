//! A JWKS fetched over HTTPS from a server whose certificate a private CA signed:
//! trusted through `Jwks::tls`, refused (and its keys never used) without it, and
//! plain `http://` refused for a host that is not loopback.

use std::convert::Infallible;

use boltmcp::layers::auth::{Algorithm, Jwks, JwtVerifier, TokenError, TokenVerifier};
use boltmcp::transport::http::{McpBody, serve_tls};
use boltmcp::transport::tls::{ClientTls, ServerTls};
use boltmcp_tests::http::bind;
use boltmcp_tests::pki::TestPki;
use http::{Request, Response};
use hyper::body::Incoming;
use jsonwebtoken::jwk::Jwk;
use jsonwebtoken::{EncodingKey, Header};
use serde_json::json;

use crate::support::{AUDIENCE, ISSUER, RSA, claims, sign};

/// Serves `{"keys": [RSA as kid "tls1"]}` over HTTPS; the URL of the set.
async fn https_jwks(pki: &TestPki) -> String {
    let key = EncodingKey::from_rsa_pem(RSA.private_pem.as_bytes()).expect("a private key");
    let mut jwk = Jwk::from_encoding_key(&key, Algorithm::RS256).expect("a JWK");
    jwk.common.key_id = Some("tls1".into());
    let set = json!({ "keys": [jwk] }).to_string();
    let leaf = pki.server(&["127.0.0.1"]);
    let tls = ServerTls::from_pem(leaf.cert_pem.as_bytes(), leaf.key_pem.as_bytes()).expect("TLS");
    let (listener, addr) = bind().await;
    let service = tower::service_fn(move |_: Request<Incoming>| {
        let mut answer = Response::new(McpBody::full(set.clone()));
        answer
            .headers_mut()
            .insert("content-type", "application/json".parse().expect("value"));
        async move { Ok::<_, Infallible>(answer) }
    });
    tokio::spawn(serve_tls(listener, tls, service, std::future::pending()));
    format!("https://{addr}/jwks.json")
}

fn verifier(jwks: Jwks) -> JwtVerifier {
    JwtVerifier::builder()
        .issuer(ISSUER)
        .audience(AUDIENCE)
        .jwks(jwks)
        .build()
        .expect("a verifier")
}

fn token() -> String {
    let mut header = Header::new(Algorithm::RS256);
    header.kid = Some("tls1".into());
    let key = EncodingKey::from_rsa_pem(RSA.private_pem.as_bytes()).expect("a private key");
    sign(&header, &key, &claims("alice", "math:write"))
}

#[tokio::test]
async fn a_jwks_over_https_is_trusted_through_the_configured_ca() {
    let pki = TestPki::new("issuer CA");
    let url = https_jwks(&pki).await;
    let trusted = Jwks::new(&url)
        .expect("an https URL")
        .tls(
            ClientTls::new()
                .only_roots_pem(pki.ca_pem().as_bytes())
                .expect("CA"),
        )
        .expect("TLS");
    let principal = verifier(trusted).verify(&token()).await.expect("verified");
    assert_eq!(principal.subject, "alice");

    // With the public roots only, the set cannot be fetched: no key, no verification.
    let untrusted = Jwks::new(&url).expect("an https URL");
    let refused = verifier(untrusted).verify(&token()).await;
    assert!(
        matches!(refused, Err(TokenError::Unavailable(_))),
        "{refused:?}"
    );
}

#[test]
fn plain_http_is_refused_for_a_remote_issuer() {
    let error = Jwks::new("http://issuer.example.com/jwks.json").expect_err("clear text");
    assert!(error.to_string().contains("https://"), "{error}");
    assert!(Jwks::new("http://127.0.0.1:9/jwks.json").is_ok());
}
