use boltmcp::resource;

/// A user's post.
#[resource("users://{user}/posts/{post}")]
fn post(user: String, page: u32) -> String {
    format!("{user} {page}")
}

fn main() {}
