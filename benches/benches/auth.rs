//! Micro benchmarks of token verification: a repeat verification through the cache
//! of verified tokens, and first verifications of HS256 and RS256 JWTs (no cache).
//!
//! `cargo bench -p boltmcp-benches --bench auth`

use std::future::Future;
use std::hint::black_box;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use aws_lc_rs::encoding::{AsDer, Pkcs8V1Der, PublicKeyX509Der};
use aws_lc_rs::rsa::KeySize;
use aws_lc_rs::signature::{KeyPair, RsaKeyPair};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use boltmcp::layers::auth::{Algorithm, Auth, JwtKey, JwtVerifier, TokenVerifier};
use criterion::{Criterion, criterion_group, criterion_main};
use jsonwebtoken::{EncodingKey, Header};
use serde_json::json;

const SECRET: &[u8] = b"a benchmark secret of 32 bytes or more";
const AUDIENCE: &str = "http://127.0.0.1:8000/mcp";
const ISSUER: &str = "https://as.example.com";

/// Polls a future that needs no waiting (every verification here) to its end.
fn now<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    let mut cx = Context::from_waker(Waker::noop());
    match future.as_mut().poll(&mut cx) {
        Poll::Ready(out) => out,
        Poll::Pending => panic!("a verification with pinned keys never waits"),
    }
}

fn pem(label: &str, der: &[u8]) -> String {
    format!(
        "-----BEGIN {label}-----\n{}\n-----END {label}-----\n",
        STANDARD.encode(der)
    )
}

fn claims() -> serde_json::Value {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    json!({ "iss": ISSUER, "aud": AUDIENCE, "sub": "alice", "scope": "math:write",
            "iat": now, "exp": now + 3600 })
}

fn verification(c: &mut Criterion) {
    let pair = RsaKeyPair::generate(KeySize::Rsa2048).expect("an RSA key");
    let private: Pkcs8V1Der<'_> = pair.as_der().expect("PKCS#8");
    let public: PublicKeyX509Der<'_> = pair.public_key().as_der().expect("SPKI");
    let verifier = JwtVerifier::builder()
        .issuer(ISSUER)
        .audience(AUDIENCE)
        .key(JwtKey::hmac(Algorithm::HS256, SECRET).expect("HS256"))
        .key(
            JwtKey::rsa_pem(Algorithm::RS256, pem("PUBLIC KEY", public.as_ref()))
                .expect("RS256")
                .kid("rs1"),
        )
        .build()
        .expect("a verifier");
    let hs256 = jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        &claims(),
        &EncodingKey::from_secret(SECRET).expect("a secret"),
    )
    .expect("HS256 signs");
    let mut rs_header = Header::new(Algorithm::RS256);
    rs_header.kid = Some("rs1".into());
    let rs256 = jsonwebtoken::encode(
        &rs_header,
        &claims(),
        &EncodingKey::from_rsa_pem(pem("PRIVATE KEY", private.as_ref()).as_bytes())
            .expect("an RSA private key"),
    )
    .expect("RS256 signs");

    c.bench_function("jwt/hs256 first verification", |b| {
        b.iter(|| now(verifier.verify(black_box(&hs256))).expect("valid"))
    });
    c.bench_function("jwt/rs256 first verification", |b| {
        b.iter(|| now(verifier.verify(black_box(&rs256))).expect("valid"))
    });
    let auth = Auth::builder(verifier).resource(AUDIENCE).build();
    now(auth.authenticate(&hs256)).expect("valid");
    c.bench_function("auth/repeat verification (cached)", |b| {
        b.iter(|| now(auth.authenticate(black_box(&hs256))).expect("cached"))
    });
}

criterion_group!(benches, verification);
criterion_main!(benches);
