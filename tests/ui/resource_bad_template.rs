use boltmcp::resource;

/// A user.
#[resource("users://{id")]
fn user(id: String) -> String {
    id
}

fn main() {}
