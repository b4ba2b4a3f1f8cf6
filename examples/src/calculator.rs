//! The calculator's four tools, shared by the `calculator` (stdio) and
//! `calculator-http` (Streamable HTTP) binaries.
//!
//! The transports live in separate binaries so that each one links only the stack it
//! serves: a stdio server that never answers HTTP does not carry hyper and h2, and its
//! peak RSS stays where `benches/run-stdio.sh` reports it.

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

/// The calculator server: `add`, `subtract`, `multiply` and `divide`, each taking
/// numbers `a` and `b`.
pub fn server() -> Server {
    Server::builder("calculator", env!("CARGO_PKG_VERSION"))
        .title("Calculator")
        .instructions("Arithmetic on two numbers: add, subtract, multiply, divide.")
        .tool(add_tool())
        .tool(subtract_tool())
        .tool(multiply_tool())
        .tool(divide_tool())
        .build()
}
