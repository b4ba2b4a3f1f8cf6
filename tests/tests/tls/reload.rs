//! A certificate replaced while the server runs: by an explicit reload, and by the
//! file watcher.

use std::time::Duration;

use boltmcp::client::ClientError;
use boltmcp::client::EraChoice;
use boltmcp::transport::tls::{ServerTls, TlsProblem};
use boltmcp_tests::pki::{Leaf, TestPki};

use super::{connect, start_https, trusting};

fn write(dir: &std::path::Path, leaf: &Leaf) {
    std::fs::write(dir.join("cert.pem"), &leaf.cert_pem).expect("write cert");
    std::fs::write(dir.join("key.pem"), &leaf.key_pem).expect("write key");
}

fn scratch(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("boltmcp-tls-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

fn is_untrusted(result: Result<boltmcp::client::Client, ClientError>) -> bool {
    matches!(
        result,
        Err(ClientError::Tls {
            problem: TlsProblem::UntrustedIssuer,
            ..
        })
    )
}

#[tokio::test]
async fn reload_presents_the_new_certificate_to_new_connections() {
    let (old_ca, new_ca) = (TestPki::new("old CA"), TestPki::new("new CA"));
    let dir = scratch("reload");
    write(&dir, &old_ca.server(&["127.0.0.1"]));
    let tls = ServerTls::from_pem_files(dir.join("cert.pem"), dir.join("key.pem")).expect("files");
    let (addr, _) = start_https(tls.clone()).await;
    let before = connect(addr, trusting(&old_ca), EraChoice::Auto)
        .await
        .expect("old certificate");

    write(&dir, &new_ca.server(&["127.0.0.1"]));
    tls.reload().expect("reloaded");
    assert!(is_untrusted(
        connect(addr, trusting(&old_ca), EraChoice::Auto).await
    ));
    let after = connect(addr, trusting(&new_ca), EraChoice::Auto).await;
    after
        .expect("new certificate")
        .list_tools()
        .await
        .expect("tools");
    // A connection made before the swap goes on.
    before
        .list_tools()
        .await
        .expect("the old connection still serves");

    // A broken pair is refused and the current certificate stays.
    std::fs::write(dir.join("key.pem"), "not a key").expect("write");
    let error = tls.reload().expect_err("a broken key");
    assert!(error.to_string().contains("key.pem"), "{error}");
    connect(addr, trusting(&new_ca), EraChoice::Auto)
        .await
        .expect("still the new certificate");
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn the_watcher_reloads_changed_files() {
    let (old_ca, new_ca) = (TestPki::new("old CA"), TestPki::new("new CA"));
    let dir = scratch("watch");
    write(&dir, &old_ca.server(&["127.0.0.1"]));
    let tls = ServerTls::from_pem_files(dir.join("cert.pem"), dir.join("key.pem")).expect("files");
    let watcher = tls.watch(Duration::from_millis(50));
    let (addr, _) = start_https(tls.clone()).await;
    let first = tls.leaf_certificate().expect("a leaf");

    // Some filesystems keep modification times to the second.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    write(&dir, &new_ca.server(&["127.0.0.1"]));
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while tls.leaf_certificate().as_ref() == Some(&first) {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the watcher reloaded the files"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    connect(addr, trusting(&new_ca), EraChoice::Auto)
        .await
        .expect("the watched certificate");
    watcher.abort();
    let _ = std::fs::remove_dir_all(dir);
}
