//! The quick start: four arithmetic tools, served on stdio.
//!
//! ```text
//! cargo run -p boltmcp-examples --bin calculator
//! ```

use boltmcp::prelude::*;

/// Adds two numbers.
///
/// a: the first addend
/// b: the second addend
#[tool(annotations(read_only, idempotent))]
fn add(a: f64, b: f64) -> f64 {
    a + b
}

/// Subtracts `b` from `a`.
///
/// a: the minuend
/// b: the subtrahend
#[tool(annotations(read_only, idempotent))]
fn subtract(a: f64, b: f64) -> f64 {
    a - b
}

/// Multiplies two numbers.
///
/// a: the first factor
/// b: the second factor
#[tool(annotations(read_only, idempotent))]
fn multiply(a: f64, b: f64) -> f64 {
    a * b
}

/// Divides `a` by `b`.
///
/// a: the dividend
/// b: the divisor; zero is an error
#[tool(annotations(read_only, idempotent))]
fn divide(a: f64, b: f64) -> Result<f64, String> {
    if b == 0.0 {
        Err("division by zero".to_owned())
    } else {
        Ok(a / b)
    }
}

fn main() -> std::io::Result<()> {
    let server = Server::builder("calculator", env!("CARGO_PKG_VERSION"))
        .title("Calculator")
        .instructions("Arithmetic on two numbers: add, subtract, multiply, divide.")
        .tool(add_tool())
        .tool(subtract_tool())
        .tool(multiply_tool())
        .tool(divide_tool())
        .build();
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let [flag, addr] = args.as_slice()
        && flag == "--http"
    {
        let addr: std::net::SocketAddr = addr.parse().map_err(|err| {
            std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                format!("--http {addr}: {err}"),
            )
        })?;
        boltmcp_examples::init_logging();
        eprintln!("calculator: serving MCP at http://{addr}/mcp");
        return tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()?
            .block_on(server.serve_http(addr));
    }
    if !args.is_empty() {
        eprintln!("usage: calculator [--http 127.0.0.1:PORT]   (stdio without arguments)");
        std::process::exit(2);
    }
    // A stdio server with one client and tools that never wait: the main thread
    // blocks on stdin and answers each call with one write, as a plain echo loop
    // would (no reactor round trip per request).
    boltmcp::transport::serve_stdio_blocking(server)
}
