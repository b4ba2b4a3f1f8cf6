//! `Client::connect_stdio` against the calculator example, a real child process, and
//! the `client` example doing the same.

use boltmcp::client::{Client, Era, EraChoice};
use serde_json::json;

const CALCULATOR: &str = env!("CARGO_BIN_EXE_calculator");

#[tokio::test]
async fn connect_stdio_lists_and_calls_in_both_eras() {
    for era in [EraChoice::Auto, EraChoice::Legacy] {
        let client = Client::builder()
            .era(era)
            .connect_stdio(CALCULATOR, std::iter::empty::<&str>())
            .await
            .expect("spawned and connected");
        assert_eq!(client.server_info().name, "calculator");
        let expected = if era == EraChoice::Auto {
            Era::Modern
        } else {
            Era::Legacy(boltmcp::protocol::ProtocolVersion::V2025_11_25)
        };
        assert_eq!(client.era(), expected);
        let names: Vec<String> = client
            .list_tools()
            .await
            .expect("tools")
            .into_iter()
            .map(|t| t.name)
            .collect();
        assert_eq!(names.len(), 4, "{names:?}");
        let sum: serde_json::Value = client
            .call_tool_as("add", json!({"a": 5, "b": 3}))
            .await
            .expect("add");
        assert_eq!(sum, json!({"result": 8.0}));
    }
}

#[test]
fn the_client_example_prints_the_sum() {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_client"))
        .output()
        .expect("the client example runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(stdout.contains("5 + 3 = 8"), "{stdout}");
}
