use boltmcp::tool;

/// Adds two numbers.
#[tool(nme = "add")]
fn add(a: f64, b: f64) -> f64 {
    a + b
}

fn main() {}
