use boltmcp::{prompt, tool};

/// Adds two numbers.
#[tool(rate_limit = "10/fortnight")]
fn add(a: f64, b: f64) -> f64 {
    a + b
}

/// Reviews code.
#[prompt(rate_limit = "0/s")]
fn review(code: String) -> String {
    code
}

fn main() {
    let _ = (add_tool(), review_prompt());
}
