//! Shared bits of the boltmcp examples.

/// Sends diagnostics to stderr (stdout is the stdio transport), filtered by
/// `RUST_LOG`, in colour only on a terminal.
pub fn init_logging() {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
}
