//! The gRPC server: the services the store answers, the answer to those it
//! does not, and how it is started and stopped.

pub(crate) mod connection;
mod convert;
mod errors;
mod features;
mod gossip;
mod persistent;
mod reads;
mod streams;

use std::net::SocketAddr;
use std::path::PathBuf;

use futures::StreamExt;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tonic::service::Routes;

use crate::proto::gossip::gossip_server::GossipServer;
use crate::proto::persistent_subscriptions::persistent_subscriptions_server::PersistentSubscriptionsServer;
use crate::proto::server_features::server_features_server::ServerFeaturesServer;
use crate::proto::streams::streams_server::StreamsServer;
use crate::storage::Storage;

/// Largest append accepted by default, in bytes of event data and metadata.
pub const DEFAULT_MAX_APPEND_SIZE: usize = 1024 * 1024;
/// Where the store listens by default.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:2113";
/// Calls open at once on one connection: every subscription holds one.
const MAX_CONCURRENT_STREAMS: u32 = 65_536;
/// How long calls in flight may take to finish once shutdown begins.
const SHUTDOWN_GRACE: std::time::Duration = std::time::Duration::from_secs(10);
/// Largest gRPC message accepted, a little over the append limit.
const MAX_MESSAGE_SIZE: usize = 16 * 1024 * 1024;

/// How to run the store.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// Folder of the database.
    pub data: PathBuf,
    /// Address to listen on; port 0 picks a free one.
    pub listen: SocketAddr,
    /// Allow listening beyond loopback without authentication.
    pub insecure: bool,
    pub max_append_size: usize,
    /// Committed batches kept for live subscribers before a slow one goes
    /// back to reading from disk.
    pub live_buffer_batches: usize,
}

impl ServerConfig {
    pub fn new(data: impl Into<PathBuf>, listen: SocketAddr) -> Self {
        ServerConfig {
            data: data.into(),
            listen,
            insecure: false,
            max_append_size: DEFAULT_MAX_APPEND_SIZE,
            live_buffer_batches: crate::storage::DEFAULT_LIVE_BUFFER_BATCHES,
        }
    }
}

/// Why the store could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(
        "refusing to listen on {0} without authentication: this store has none, so listen on loopback or pass --insecure"
    )]
    NotLoopback(SocketAddr),
    #[error("cannot open the store: {0}")]
    Storage(#[from] crate::storage::StoreError),
    #[error("cannot listen on {address}: {source}")]
    Listen {
        address: SocketAddr,
        source: std::io::Error,
    },
}

/// A running store; dropping it does not stop it, [`RunningServer::shutdown`] does.
pub struct RunningServer {
    local_addr: SocketAddr,
    storage: Storage,
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<Result<(), tonic::transport::Error>>,
}

impl RunningServer {
    /// Opens the data folder, binds and starts serving.
    pub async fn start(config: ServerConfig) -> Result<RunningServer, StartError> {
        if !config.listen.ip().is_loopback() {
            if !config.insecure {
                return Err(StartError::NotLoopback(config.listen));
            }
            tracing::warn!(
                address = %config.listen,
                "listening beyond loopback without authentication or TLS, as --insecure asked"
            );
        }
        let storage = {
            let data = config.data.clone();
            let live_buffer = config.live_buffer_batches;
            tokio::task::spawn_blocking(move || Storage::open_with_live_buffer(&data, live_buffer))
                .await
                .map_err(|error| crate::storage::StoreError::CommitFailed(error.to_string()))??
        };
        let listener =
            TcpListener::bind(config.listen)
                .await
                .map_err(|source| StartError::Listen {
                    address: config.listen,
                    source,
                })?;
        let local_addr = listener.local_addr().map_err(|source| StartError::Listen {
            address: config.listen,
            source,
        })?;

        let streams = StreamsServer::new(streams::StreamsService::new(
            storage.clone(),
            config.max_append_size,
        ))
        .max_decoding_message_size(MAX_MESSAGE_SIZE)
        .max_encoding_message_size(MAX_MESSAGE_SIZE);
        let persistent = persistent::PersistentSubscriptionsService::start(storage.clone()).await?;
        let persistent = PersistentSubscriptionsServer::new(persistent)
            .max_decoding_message_size(MAX_MESSAGE_SIZE)
            .max_encoding_message_size(MAX_MESSAGE_SIZE);
        let routes = Routes::from(axum::Router::new().fallback(not_served))
            .add_service(streams)
            .add_service(persistent)
            .add_service(ServerFeaturesServer::new(features::FeaturesService))
            .add_service(gossip::WithAuthority(GossipServer::new(
                gossip::GossipService::new(local_addr),
            )));

        let (stop, stopped) = oneshot::channel::<()>();
        let incoming = tokio_stream::wrappers::TcpListenerStream::new(listener)
            .map(|accepted| accepted.and_then(connection::QuickAckStream::new));
        let task = tokio::spawn(
            tonic::transport::Server::builder()
                .tcp_nodelay(true)
                .max_concurrent_streams(Some(MAX_CONCURRENT_STREAMS))
                .http2_keepalive_interval(Some(std::time::Duration::from_secs(10)))
                .add_routes(routes.prepare())
                .serve_with_incoming_shutdown(incoming, async {
                    drop(stopped.await);
                }),
        );
        tracing::info!(address = %local_addr, data = %config.data.display(), "event store serving");
        Ok(RunningServer {
            local_addr,
            storage,
            stop: Some(stop),
            task,
        })
    }

    /// The address the store listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// A connection string the official clients accept.
    pub fn connection_string(&self) -> String {
        format!("esdb://{}?tls=false", self.local_addr)
    }

    /// Stops accepting, ends subscriptions, lets other calls in flight
    /// finish (for a while), and waits.
    pub async fn shutdown(mut self) {
        self.storage.begin_shutdown();
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        match tokio::time::timeout(SHUTDOWN_GRACE, &mut self.task).await {
            Ok(Ok(Ok(()))) => {}
            Ok(Ok(Err(error))) => tracing::error!(%error, "event store server failed"),
            Ok(Err(error)) => tracing::error!(%error, "event store server task failed"),
            Err(_) => {
                tracing::warn!("calls still running after the grace period; stopping them");
                self.task.abort();
            }
        }
    }

    /// Serves until SIGTERM or Ctrl-C, then shuts down gracefully.
    pub async fn run_until_signalled(self) -> std::io::Result<()> {
        let mut terminate =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
        tokio::select! {
            result = tokio::signal::ctrl_c() => result?,
            _ = terminate.recv() => {}
        }
        tracing::info!("stopping the event store");
        self.shutdown().await;
        Ok(())
    }
}

/// Answers every method this store does not serve.
async fn not_served(uri: axum::http::Uri) -> axum::response::Response {
    let method = uri.path().trim_start_matches('/');
    let message = format!(
        "labex-store does not serve {method}: it serves Streams, PersistentSubscriptions, ServerFeatures and Gossip (no users, operations, monitoring or projections)"
    );
    tonic::Status::unimplemented(message).into_http()
}
