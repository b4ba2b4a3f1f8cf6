use boltmcp::prompt;

/// Asks for a summary.
#[prompt(titel = "Summary", mime_type = "text/plain")]
fn summarize(text: String) -> String {
    format!("Summarise: {text}")
}

fn main() {}
