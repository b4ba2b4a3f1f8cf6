use boltmcp::tool;

/// Sleeps.
#[tool(timeout = "5 seconds")]
async fn slow() -> String {
    String::new()
}

/// Runs alone.
#[tool(max_concurrency = 0)]
async fn lonely() -> String {
    String::new()
}

/// Runs with friends.
#[tool(max_concurrency = "four")]
async fn crowded() -> String {
    String::new()
}

fn main() {
    let _ = (slow_tool(), lonely_tool(), crowded_tool());
}
