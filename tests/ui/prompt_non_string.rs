use boltmcp::prompt;

/// Asks for a summary.
#[prompt]
fn summarize(words: u32) -> String {
    format!("Summarise in {words} words.")
}

fn main() {}
