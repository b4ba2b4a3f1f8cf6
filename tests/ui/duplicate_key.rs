use boltmcp::tool;

/// Adds two numbers.
#[tool(name = "add", title = "Add", name = "plus")]
fn add(a: f64, b: f64) -> f64 {
    a + b
}

fn main() {}
