//! The process's log output: `tracing` events as text lines on standard
//! error, filtered by `LABEX_LOG`.

use tracing_subscriber::EnvFilter;

/// Installs the global subscriber with `filter` (`info`,
/// `labex_web=debug,info`, …); an unreadable filter falls back to `info`
/// and says so. Returns whether this call installed it (a second call, or
/// one after another subscriber was set, does nothing).
pub fn init_logging(filter: &str) -> bool {
    let (filter, refused) = match EnvFilter::try_new(filter) {
        Ok(filter) => (filter, None),
        Err(error) => (EnvFilter::new("info"), Some(error)),
    };
    let installed = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init()
        .is_ok();
    if let Some(error) = refused {
        tracing::warn!(error = %error, "log filter not understood, logging at info");
    }
    installed
}
