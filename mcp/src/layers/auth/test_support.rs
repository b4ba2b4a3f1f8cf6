//! What the verifiers' tests share: key pairs made at test time (aws-lc-rs), tokens
//! signed with them, and a local HTTP server that records every request it gets.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::{Arc, LazyLock, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

use aws_lc_rs::encoding::{AsDer, Pkcs8V1Der, PublicKeyX509Der};
use aws_lc_rs::rsa::KeySize;
use aws_lc_rs::signature::{
    ECDSA_P256_SHA256_FIXED_SIGNING, ECDSA_P384_SHA384_FIXED_SIGNING, EcdsaKeyPair,
    EcdsaSigningAlgorithm, Ed25519KeyPair, KeyPair, RsaKeyPair,
};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use bytes::Bytes;
use http::{HeaderMap, Method, Request, Response, Uri};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use jsonwebtoken::jwk::Jwk;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::Value;

use super::jwt_key::ensure_crypto_provider;
use crate::sync::lock;

/// A key pair: the private half signs test tokens, the public half is configured.
pub(crate) struct TestKey {
    pub(crate) alg: Algorithm,
    pub(crate) private_pem: String,
    pub(crate) public_pem: String,
}

impl TestKey {
    pub(crate) fn rsa() -> Self {
        let pair = RsaKeyPair::generate(KeySize::Rsa2048).expect("an RSA key");
        let private: Pkcs8V1Der<'_> = pair.as_der().expect("PKCS#8");
        let public: PublicKeyX509Der<'_> = pair.public_key().as_der().expect("SPKI");
        TestKey {
            alg: Algorithm::RS256,
            private_pem: pem("PRIVATE KEY", private.as_ref()),
            public_pem: pem("PUBLIC KEY", public.as_ref()),
        }
    }

    pub(crate) fn ec(alg: Algorithm) -> Self {
        let curve: &'static EcdsaSigningAlgorithm = match alg {
            Algorithm::ES384 => &ECDSA_P384_SHA384_FIXED_SIGNING,
            _ => &ECDSA_P256_SHA256_FIXED_SIGNING,
        };
        let pair = EcdsaKeyPair::generate(curve).expect("an EC key");
        let private = pair.to_pkcs8v1().expect("PKCS#8");
        let public: PublicKeyX509Der<'_> = pair.public_key().as_der().expect("SPKI");
        TestKey {
            alg,
            private_pem: pem("PRIVATE KEY", private.as_ref()),
            public_pem: pem("PUBLIC KEY", public.as_ref()),
        }
    }

    pub(crate) fn ed25519() -> Self {
        let pair = Ed25519KeyPair::generate().expect("an Ed25519 key");
        let private: Pkcs8V1Der<'_> = pair.as_der().expect("PKCS#8");
        let public: PublicKeyX509Der<'_> = pair.public_key().as_der().expect("SPKI");
        TestKey {
            alg: Algorithm::EdDSA,
            private_pem: pem("PRIVATE KEY", private.as_ref()),
            public_pem: pem("PUBLIC KEY", public.as_ref()),
        }
    }

    pub(crate) fn encoding(&self) -> EncodingKey {
        let pem = self.private_pem.as_bytes();
        match self.alg {
            Algorithm::ES256 | Algorithm::ES384 => EncodingKey::from_ec_pem(pem),
            Algorithm::EdDSA => EncodingKey::from_ed_pem(pem),
            _ => EncodingKey::from_rsa_pem(pem),
        }
        .expect("the private PEM parses")
    }

    /// Signs `claims` with this key, as `alg`, naming `kid`.
    pub(crate) fn sign_as(&self, alg: Algorithm, kid: Option<&str>, claims: &Value) -> String {
        let mut header = Header::new(alg);
        header.kid = kid.map(str::to_owned);
        sign_with(&header, &self.encoding(), claims)
    }

    /// Signs `claims` with this key's own algorithm.
    pub(crate) fn sign(&self, kid: Option<&str>, claims: &Value) -> String {
        self.sign_as(self.alg, kid, claims)
    }

    /// The public key as a JWK, with `kid`, its `alg` member only if `with_alg`.
    pub(crate) fn jwk(&self, kid: &str, with_alg: bool) -> Value {
        ensure_crypto_provider();
        let mut jwk = Jwk::from_encoding_key(&self.encoding(), self.alg).expect("a JWK");
        jwk.common.key_id = Some(kid.to_owned());
        if !with_alg {
            jwk.common.key_algorithm = None;
        }
        serde_json::to_value(jwk).expect("a JWK serialises")
    }
}

/// Keys made once per test run: RSA key generation is slow in a debug build.
pub(crate) static RSA: LazyLock<TestKey> = LazyLock::new(TestKey::rsa);
/// A second RSA key: an attacker's, or the next one after a rotation.
pub(crate) static RSA_OTHER: LazyLock<TestKey> = LazyLock::new(TestKey::rsa);

/// Signs `claims` under `header` (which may carry any `jku`, `jwk`, `kid`).
pub(crate) fn sign_with(header: &Header, key: &EncodingKey, claims: &Value) -> String {
    ensure_crypto_provider();
    jsonwebtoken::encode(header, claims, key).expect("the token signs")
}

/// The HS256 token of `claims`, signed with `secret`.
pub(crate) fn hs256(secret: &[u8], kid: Option<&str>, claims: &Value) -> String {
    let mut header = Header::new(Algorithm::HS256);
    header.kid = kid.map(str::to_owned);
    sign_with(&header, &secret_key(secret), claims)
}

/// An HMAC signing key.
pub(crate) fn secret_key(secret: &[u8]) -> EncodingKey {
    EncodingKey::from_secret(secret).expect("a non-empty secret")
}

/// A JWT segment: `value` as base64url JSON.
pub(crate) fn segment(value: &Value) -> String {
    URL_SAFE_NO_PAD.encode(value.to_string())
}

/// Seconds since the epoch.
pub(crate) fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("the clock is past 1970")
        .as_secs()
}

fn pem(label: &str, der: &[u8]) -> String {
    let body = STANDARD.encode(der);
    let mut out = format!("-----BEGIN {label}-----\n");
    for line in body.as_bytes().chunks(64) {
        out.push_str(std::str::from_utf8(line).expect("base64 is ASCII"));
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}

/// A request the test server got.
#[derive(Debug, Clone)]
pub(crate) struct Recorded {
    pub(crate) method: Method,
    pub(crate) uri: Uri,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Bytes,
}

type Handler = dyn Fn(&Recorded) -> Response<Full<Bytes>> + Send + Sync;

/// An HTTP/1.1 server on 127.0.0.1 that answers with `handler` and records requests.
pub(crate) struct TestServer {
    addr: SocketAddr,
    requests: Arc<Mutex<Vec<Recorded>>>,
}

impl TestServer {
    pub(crate) async fn start(
        handler: impl Fn(&Recorded) -> Response<Full<Bytes>> + Send + Sync + 'static,
    ) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a local port");
        let addr = listener.local_addr().expect("its address");
        let requests: Arc<Mutex<Vec<Recorded>>> = Arc::default();
        let handler: Arc<Handler> = Arc::new(handler);
        let log = requests.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let (handler, log) = (handler.clone(), log.clone());
                let service = service_fn(move |request: Request<Incoming>| {
                    let (handler, log) = (handler.clone(), log.clone());
                    async move {
                        let (parts, body) = request.into_parts();
                        let body = body.collect().await.map(|b| b.to_bytes());
                        let recorded = Recorded {
                            method: parts.method,
                            uri: parts.uri,
                            headers: parts.headers,
                            body: body.unwrap_or_default(),
                        };
                        let response = handler(&recorded);
                        lock(&log).push(recorded);
                        Ok::<_, Infallible>(response)
                    }
                });
                tokio::spawn(async move {
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        TestServer { addr, requests }
    }

    pub(crate) fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// How many requests arrived.
    pub(crate) fn hits(&self) -> usize {
        lock(&self.requests).len()
    }

    pub(crate) fn requests(&self) -> Vec<Recorded> {
        lock(&self.requests).clone()
    }
}

/// A JSON answer with `status` and extra `headers`.
pub(crate) fn json_response(
    status: u16,
    headers: &[(&str, &str)],
    body: &Value,
) -> Response<Full<Bytes>> {
    let mut response = Response::builder()
        .status(status)
        .header(http::header::CONTENT_TYPE, "application/json");
    for (name, value) in headers {
        response = response.header(*name, *value);
    }
    response
        .body(Full::new(Bytes::from(body.to_string())))
        .expect("a response")
}

/// A port nothing listens on.
pub(crate) async fn closed_port() -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a local port");
    listener.local_addr().expect("its address")
}
