//! The seed's own flow: spawn the calculator example over stdio, call `add`, print the
//! result.
//!
//! ```text
//! cargo build -p boltmcp-examples && cargo run -p boltmcp-examples --bin client
//! ```

use boltmcp::client::{Client, ClientError};
use serde_json::json;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), ClientError> {
    boltmcp_examples::init_logging();
    // The calculator sits next to this binary (both are built into target/<profile>).
    let calculator = std::env::current_exe()?.with_file_name("calculator");
    let calculator = calculator.to_string_lossy();
    let client = Client::connect_stdio(&calculator, std::iter::empty::<&str>()).await?;
    let result = client.call_tool("add", json!({"a": 5, "b": 3})).await?;
    println!(
        "{} (protocol era: {:?}) says 5 + 3 = {}",
        client.server_info().name,
        client.era(),
        result.structured_content.unwrap_or_default()["result"]
    );
    Ok(())
}
