//! `labex`: Labex in one command. Today it runs the embedded event store
//! (data under `LABEX_DATA`); the HTTP services mount here as they land.

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::Context;
use clap::Parser;
use labex_eventstore::{RunningServer, ServerConfig};

/// Labex: a labour exchange for public employment offices.
#[derive(Debug, Parser)]
#[command(name = "labex", version)]
struct Args {
    /// Data folder (event store files, later the search index).
    #[arg(long, env = "LABEX_DATA", default_value = "./data")]
    data: PathBuf,
    /// Where the embedded event store listens (gRPC, EventStoreDB protocol).
    #[arg(long, env = "LABEX_EVENTSTORE_LISTEN", default_value = labex_eventstore::DEFAULT_LISTEN)]
    eventstore_listen: SocketAddr,
    /// Log filter.
    #[arg(long, env = "LABEX_LOG", default_value = "info")]
    log: String,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_new(&args.log)
                .context("invalid LABEX_LOG filter")?,
        )
        .init();
    let config = ServerConfig::new(args.data.join("eventstore"), args.eventstore_listen);
    let store = RunningServer::start(config)
        .await
        .context("cannot start the embedded event store")?;
    println!(
        "labex: event store at {} (data in {})",
        store.connection_string(),
        args.data.display()
    );
    store
        .run_until_signalled()
        .await
        .context("cannot listen for signals")?;
    Ok(())
}
