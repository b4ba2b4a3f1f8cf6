//! Writes a test PKI into a directory, for tests that run servers as processes:
//! `ca.pem`, and `server.pem`/`server.key` for `localhost` and `127.0.0.1`.
//!
//! ```text
//! cargo run -p boltmcp-tests --bin test-pki -- DIR
//! ```

use boltmcp_tests::pki::TestPki;

fn main() -> std::io::Result<()> {
    let Some(dir) = std::env::args().nth(1) else {
        eprintln!("usage: test-pki DIR");
        std::process::exit(2);
    };
    let dir = std::path::Path::new(&dir);
    std::fs::create_dir_all(dir)?;
    let pki = TestPki::new("boltmcp test CA");
    let server = pki.server(&["localhost", "127.0.0.1"]);
    std::fs::write(dir.join("ca.pem"), pki.ca_pem())?;
    std::fs::write(dir.join("server.pem"), server.cert_pem)?;
    std::fs::write(dir.join("server.key"), server.key_pem)?;
    Ok(())
}
