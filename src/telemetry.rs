use std::io::IsTerminal;

use tracing_subscriber::EnvFilter;

/// Logs to stderr (stdout carries command output such as `claimtrail openapi`), filtered by
/// `RUST_LOG`, `info` by default.
pub fn init() {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,actix_server=warn"));
    // A second initialisation (tests start many apps in one process) keeps the first.
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        // Colour codes only for a terminal: a log file or a pipe gets plain text.
        .with_ansi(std::io::stderr().is_terminal())
        .with_writer(std::io::stderr)
        .try_init();
}
