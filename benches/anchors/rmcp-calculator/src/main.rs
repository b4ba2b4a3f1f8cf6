//! rmcp's calculator (`rmcp_calculator::Calculator`) on rmcp's non-blocking stdio
//! transport (`rmcp::transport::stdio_pipes`): the anchor of benches/run-stdio.sh.
//!
//! ```text
//! rmcp-calculator
//! ```

use rmcp::ServiceExt as _;
use rmcp_calculator::Calculator;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    if std::env::args().len() > 1 {
        eprintln!("usage: rmcp-calculator   (stdio; for HTTP: rmcp-calculator-http)");
        std::process::exit(2);
    }
    let service = Calculator::new()
        .serve(rmcp::transport::stdio_pipes())
        .await?;
    service.waiting().await?;
    Ok(())
}
