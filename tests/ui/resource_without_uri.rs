use boltmcp::resource;

/// The configuration.
#[resource(name = "config")]
fn config() -> String {
    String::new()
}

fn main() {}
