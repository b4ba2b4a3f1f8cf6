use boltmcp::tool;

/// Repeats text.
#[tool]
fn repeat(
    #[arg(descripton = "The text.")] text: String,
    #[arg(defualt = 2)] times: usize,
) -> String {
    text.repeat(times)
}

fn main() {}
