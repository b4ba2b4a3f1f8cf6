//! HTTPS end to end: boltmcp's client against boltmcp's HTTPS server, with a CA and
//! certificates the test makes (`boltmcp_tests::pki`): both ALPN protocols, each
//! certificate failure by name, mutual TLS, and a certificate swapped while serving.

#[path = "../server/fixtures.rs"]
#[allow(dead_code)]
mod fixtures;

mod reload;

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use boltmcp::client::{Client, ClientError, Era, EraChoice};
use boltmcp::protocol::ProtocolVersion;
use boltmcp::transport::http::{HttpConfig, MCP_PATH, McpBody, at_path, serve_tls};
use boltmcp::transport::tls::{ClientTls, PeerCertificates, ServerTls, TlsProblem};
use boltmcp_tests::http::bind;
use boltmcp_tests::pki::{Leaf, TestPki};
use http::{Request, Response, Version};
use hyper::body::Incoming;

/// What the server saw of each request: its HTTP version, whether a client
/// certificate came with it.
type Seen = Arc<Mutex<Vec<(Version, bool)>>>;

/// Serves the fixture server over HTTPS with `tls` on a fresh loopback port.
async fn start_https(tls: ServerTls) -> (SocketAddr, Seen) {
    let (listener, addr) = bind().await;
    let seen: Seen = Arc::default();
    let endpoint = at_path(
        MCP_PATH,
        fixtures::server().http_service(HttpConfig::default()),
    );
    let record = seen.clone();
    let service = tower::service_fn(move |request: Request<Incoming>| {
        let mut endpoint = endpoint.clone();
        let peer = request.extensions().get::<PeerCertificates>().is_some();
        record.lock().expect("lock").push((request.version(), peer));
        async move {
            let response: Response<McpBody> = tower::Service::call(&mut endpoint, request).await?;
            Ok::<_, Infallible>(response)
        }
    });
    tokio::spawn(serve_tls(listener, tls, service, std::future::pending()));
    (addr, seen)
}

fn server_tls(leaf: &Leaf) -> ServerTls {
    ServerTls::from_pem(leaf.cert_pem.as_bytes(), leaf.key_pem.as_bytes()).expect("server TLS")
}

fn trusting(pki: &TestPki) -> ClientTls {
    ClientTls::new()
        .only_roots_pem(pki.ca_pem().as_bytes())
        .expect("CA")
}

async fn connect(addr: SocketAddr, tls: ClientTls, era: EraChoice) -> Result<Client, ClientError> {
    Client::builder()
        .era(era)
        .tls(tls)
        .connect_http(&format!("https://{addr}/mcp"))
        .await
}

fn problem(error: ClientError) -> TlsProblem {
    match error {
        ClientError::Tls { host, problem } => {
            assert_eq!(host, "127.0.0.1");
            problem
        }
        other => panic!("expected a TLS error, got {other:?}"),
    }
}

#[tokio::test]
async fn serves_both_eras_over_h2_and_http1() {
    let pki = TestPki::new("test CA");
    let (addr, seen) = start_https(server_tls(&pki.server(&["127.0.0.1"]))).await;
    let cases = [
        (
            trusting(&pki),
            EraChoice::Auto,
            Era::Modern,
            Version::HTTP_2,
        ),
        (
            trusting(&pki).http1_only(),
            EraChoice::Legacy,
            Era::Legacy(ProtocolVersion::V2025_11_25),
            Version::HTTP_11,
        ),
    ];
    for (tls, era, expected_era, expected_version) in cases {
        seen.lock().expect("lock").clear();
        let client = connect(addr, tls, era).await.expect("connected over TLS");
        assert_eq!(client.era(), expected_era);
        let tools = client.list_tools().await.expect("tools");
        assert!(!tools.is_empty());
        let versions: Vec<Version> = seen.lock().expect("lock").iter().map(|s| s.0).collect();
        assert!(
            !versions.is_empty() && versions.iter().all(|v| *v == expected_version),
            "{versions:?}"
        );
    }
}

#[tokio::test]
async fn an_untrusted_issuer_is_refused_by_name() {
    let (pki, stranger) = (TestPki::new("test CA"), TestPki::new("another CA"));
    let (addr, seen) = start_https(server_tls(&pki.server(&["127.0.0.1"]))).await;
    let error = connect(addr, trusting(&stranger), EraChoice::Auto)
        .await
        .expect_err("untrusted");
    let text = error.to_string();
    assert_eq!(problem(error), TlsProblem::UntrustedIssuer);
    assert!(
        text.contains("127.0.0.1") && text.contains("unknown issuer"),
        "{text}"
    );
    // The default roots (the public CAs) do not know the test CA either.
    let error = connect(addr, ClientTls::new(), EraChoice::Auto)
        .await
        .expect_err("untrusted");
    assert_eq!(problem(error), TlsProblem::UntrustedIssuer);
    assert!(
        seen.lock().expect("lock").is_empty(),
        "no request got through"
    );
}

#[tokio::test]
async fn a_certificate_for_another_name_is_refused() {
    let pki = TestPki::new("test CA");
    let (addr, _) = start_https(server_tls(&pki.server(&["mcp.example.test"]))).await;
    let error = connect(addr, trusting(&pki), EraChoice::Auto)
        .await
        .expect_err("wrong name");
    assert!(
        error.to_string().contains("not valid for this host name"),
        "{error}"
    );
    assert_eq!(problem(error), TlsProblem::NameMismatch);
}

#[tokio::test]
async fn an_expired_certificate_is_refused() {
    let pki = TestPki::new("test CA");
    let (addr, _) = start_https(server_tls(&pki.expired_server(&["127.0.0.1"]))).await;
    let error = connect(addr, trusting(&pki), EraChoice::Auto)
        .await
        .expect_err("expired");
    assert_eq!(problem(error), TlsProblem::Expired);
}

#[tokio::test]
async fn mutual_tls_requires_and_checks_the_client_certificate() {
    let (pki, stranger) = (TestPki::new("test CA"), TestPki::new("another CA"));
    let tls = server_tls(&pki.server(&["127.0.0.1"]))
        .require_client_certificates(pki.ca_pem().as_bytes())
        .expect("client CA");
    let (addr, seen) = start_https(tls).await;

    let without = connect(addr, trusting(&pki), EraChoice::Auto)
        .await
        .expect_err("no client certificate");
    assert!(
        matches!(problem(without), TlsProblem::ClientCertificateRefused(_)),
        "refused for the missing certificate"
    );
    let foreign = stranger.client("agent");
    let with_foreign = trusting(&pki)
        .client_certificate_pem(foreign.cert_pem.as_bytes(), foreign.key_pem.as_bytes())
        .expect("identity");
    let refused = connect(addr, with_foreign, EraChoice::Auto)
        .await
        .expect_err("a certificate from another CA");
    assert!(matches!(
        problem(refused),
        TlsProblem::ClientCertificateRefused(_)
    ));
    assert!(
        seen.lock().expect("lock").is_empty(),
        "no request got through"
    );

    let own = pki.client("agent");
    let with_own = trusting(&pki)
        .client_certificate_pem(own.cert_pem.as_bytes(), own.key_pem.as_bytes())
        .expect("identity");
    let client = connect(addr, with_own, EraChoice::Auto)
        .await
        .expect("a certificate from the CA");
    client.list_tools().await.expect("tools");
    assert!(seen.lock().expect("lock").iter().all(|(_, peer)| *peer));
}
