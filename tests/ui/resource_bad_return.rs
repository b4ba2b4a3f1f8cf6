use boltmcp::resource;

struct Settings {
    debug: bool,
}

/// The settings.
#[resource("config://settings")]
fn settings() -> Settings {
    Settings { debug: true }
}

fn main() {}
