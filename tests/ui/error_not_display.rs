use boltmcp::tool;

#[derive(Debug)]
struct Oops;

/// Fails.
#[tool]
fn fails(n: i64) -> Result<i64, Oops> {
    if n < 0 { Err(Oops) } else { Ok(n) }
}

fn main() {}
