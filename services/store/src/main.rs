//! `labex-store`: the Labex event store as its own process.

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::Context;
use clap::Parser;
use labex_eventstore::{DEFAULT_MAX_APPEND_SIZE, RunningServer, ServerConfig};

/// The Labex event store: a single-node server speaking the EventStoreDB gRPC protocol.
#[derive(Debug, Parser)]
#[command(name = "labex-store", version)]
struct Args {
    /// Folder of the event store's files.
    #[arg(long, env = "LABEX_DATA", default_value = "./data")]
    data: PathBuf,
    /// Address to serve gRPC on (plaintext HTTP/2).
    #[arg(long, env = "LABEX_EVENTSTORE_LISTEN", default_value = labex_eventstore::DEFAULT_LISTEN)]
    listen: SocketAddr,
    /// Allow listening beyond loopback, where anyone who reaches the port may read and write.
    #[arg(long)]
    insecure: bool,
    /// Largest append accepted, in bytes.
    #[arg(long, default_value_t = DEFAULT_MAX_APPEND_SIZE)]
    max_append_size: usize,
    /// Log filter.
    #[arg(long, env = "LABEX_LOG", default_value = "info")]
    log: String,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_new(&args.log).context("invalid log filter")?,
        )
        .init();
    let config = ServerConfig {
        data: args.data.join("eventstore"),
        listen: args.listen,
        insecure: args.insecure,
        max_append_size: args.max_append_size,
        live_buffer_batches: labex_eventstore::storage::DEFAULT_LIVE_BUFFER_BATCHES,
    };
    let server = RunningServer::start(config)
        .await
        .context("cannot start labex-store")?;
    // The line tests and scripts wait for.
    println!("labex-store listening on {}", server.local_addr());
    server
        .run_until_signalled()
        .await
        .context("cannot listen for signals")?;
    Ok(())
}
