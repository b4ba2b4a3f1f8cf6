use boltmcp::server::Context;
use boltmcp::tool;

/// Many mistakes at once, all reported together.
#[tool(name = "bad name", scopes = ["math write"], annotations(read_only, readonly), sandbox = yes)]
fn broken<T>(_: u32, #[arg(default = 1)] _ctx: &Context) {}

fn main() {}
