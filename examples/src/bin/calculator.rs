//! The quick start: four arithmetic tools (`boltmcp_examples::calculator`), served
//! on stdio. `calculator-http` serves the same tools over Streamable HTTP.
//!
//! ```text
//! cargo run -p boltmcp-examples --bin calculator
//! ```

fn main() -> std::io::Result<()> {
    if std::env::args().len() > 1 {
        eprintln!(
            "usage: calculator   (stdio; for Streamable HTTP: calculator-http 127.0.0.1:PORT)"
        );
        std::process::exit(2);
    }
    // A stdio server with one client and tools that never wait: the main thread
    // blocks on stdin and answers each call with one write, as a plain echo loop
    // would (no reactor round trip per request).
    boltmcp::transport::serve_stdio_blocking(boltmcp_examples::calculator::server())
}
