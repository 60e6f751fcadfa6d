//! The process's log output: `tracing` events on standard error, filtered
//! by `LABEX_LOG`, as JSON lines when standard error is not a terminal (a
//! journal, a file) or `LABEX_LOG_FORMAT=json`, else as coloured text
//! (`LABEX_LOG_FORMAT=text` forces text). A request's lines carry its
//! request id, and once its token is read the caller's role and office —
//! never who they are, nor any personal data.

use std::io::IsTerminal;

use tracing_subscriber::EnvFilter;

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    /// One JSON object per line, no colour codes.
    Json,
    /// Human-readable text (coloured on a terminal).
    Text,
}

impl LogFormat {
    /// `LABEX_LOG_FORMAT` (`json` or `text`), else JSON unless standard
    /// error is a terminal.
    pub fn from_env() -> Self {
        match std::env::var("LABEX_LOG_FORMAT")
            .ok()
            .as_deref()
            .map(str::trim)
        {
            Some("json") => Self::Json,
            Some("text") => Self::Text,
            _ if std::io::stderr().is_terminal() => Self::Text,
            _ => Self::Json,
        }
    }
}

/// Installs the global subscriber with `filter` (`info`,
/// `labex_web=debug,info`, …) in the format [`LogFormat::from_env`] says;
/// an unreadable filter falls back to `info` and says so. Returns whether
/// this call installed it (a second call, or one after another subscriber
/// was set, does nothing).
pub fn init_logging(filter: &str) -> bool {
    let (filter, refused) = match EnvFilter::try_new(filter) {
        Ok(filter) => (filter, None),
        Err(error) => (EnvFilter::new("info"), Some(error)),
    };
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let installed = match LogFormat::from_env() {
        LogFormat::Json => builder
            .json()
            .with_current_span(true)
            .with_span_list(false)
            .try_init()
            .is_ok(),
        LogFormat::Text => builder
            .with_ansi(std::io::stderr().is_terminal())
            .try_init()
            .is_ok(),
    };
    if let Some(error) = refused {
        tracing::warn!(error = %error, "log filter not understood, logging at info");
    }
    installed
}
