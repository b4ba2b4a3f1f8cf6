use boltmcp::tool;

/// Not a function.
#[tool]
struct Calculator {
    precision: u8,
}

fn main() {}
