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

pub use connection::DEFAULT_MAX_PENDING_APPENDS;
pub use streams::DEFAULT_MAX_PENDING_BATCHES;

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
    /// Serve TLS with this certificate (chain) and key, both PEM.
    pub tls: Option<TlsFiles>,
    /// Appends pending at once on one connection (unary appends and whole
    /// batches of batch-append calls); past them `RESOURCE_EXHAUSTED`.
    pub max_pending_appends: usize,
    /// Batches received or committing at once on one batch-append call;
    /// past them the call fails with `RESOURCE_EXHAUSTED`.
    pub max_pending_batches: usize,
    /// How long a read of a count of events waits for its client to take
    /// a page before it gives up (and frees its reader).
    pub slow_reader_timeout: std::time::Duration,
}

/// The PEM files of the certificate (chain) and private key served.
#[derive(Debug, Clone)]
pub struct TlsFiles {
    pub cert: PathBuf,
    pub key: PathBuf,
}

impl ServerConfig {
    pub fn new(data: impl Into<PathBuf>, listen: SocketAddr) -> Self {
        ServerConfig {
            data: data.into(),
            listen,
            insecure: false,
            max_append_size: DEFAULT_MAX_APPEND_SIZE,
            live_buffer_batches: crate::storage::DEFAULT_LIVE_BUFFER_BATCHES,
            tls: None,
            max_pending_appends: DEFAULT_MAX_PENDING_APPENDS,
            max_pending_batches: DEFAULT_MAX_PENDING_BATCHES,
            slow_reader_timeout: reads::DEFAULT_SLOW_READER_TIMEOUT,
        }
    }
}

/// Why the store could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(
        "refusing to listen on {0} without TLS and users: give --tls-cert and --tls-key and add a user (labex-store user add NAME --data DIR), listen on loopback, or pass --insecure"
    )]
    NotLoopback(SocketAddr),
    #[error("cannot read the users file: {0}")]
    Users(#[from] crate::auth::UserError),
    #[error("cannot read {path}: {source}")]
    TlsFile {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot serve TLS with the certificate and key given: {0}")]
    Tls(String),
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
        let users = crate::auth::UserFile::in_folder(&config.data);
        let authenticator = if users.has_users()? {
            Some(crate::auth::Authenticator::new(users)?)
        } else {
            None
        };
        let authenticated = authenticator.is_some();
        let secured = config.tls.is_some() && authenticated;
        if !config.listen.ip().is_loopback() && !secured {
            if !config.insecure {
                return Err(StartError::NotLoopback(config.listen));
            }
            tracing::warn!(
                address = %config.listen,
                tls = config.tls.is_some(),
                users = authenticator.is_some(),
                "listening beyond loopback without both TLS and users, as --insecure asked"
            );
        }
        let tls = match &config.tls {
            Some(files) => Some(tls_config(files)?),
            None => None,
        };
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
            config.max_pending_batches.max(1),
            config.slow_reader_timeout,
        ))
        .max_decoding_message_size(MAX_MESSAGE_SIZE)
        .max_encoding_message_size(MAX_MESSAGE_SIZE);
        let persistent = persistent::PersistentSubscriptionsService::start(storage.clone()).await?;
        let persistent = PersistentSubscriptionsServer::new(persistent)
            .max_decoding_message_size(MAX_MESSAGE_SIZE)
            .max_encoding_message_size(MAX_MESSAGE_SIZE);
        let mut routes = Routes::from(axum::Router::new().fallback(not_served))
            .add_service(streams)
            .add_service(persistent)
            .add_service(ServerFeaturesServer::new(features::FeaturesService))
            .add_service(gossip::WithAuthority(GossipServer::new(
                gossip::GossipService::new(local_addr),
            )))
            .prepare();
        if let Some(authenticator) = authenticator {
            routes = Routes::from(routes.into_axum_router().layer(
                axum::middleware::from_fn_with_state(authenticator, authenticate),
            ));
        }

        let (stop, stopped) = oneshot::channel::<()>();
        let max_pending_appends = config.max_pending_appends.max(1);
        let incoming =
            tokio_stream::wrappers::TcpListenerStream::new(listener).map(move |accepted| {
                accepted
                    .and_then(|stream| connection::QuickAckStream::new(stream, max_pending_appends))
            });
        let mut builder = tonic::transport::Server::builder();
        if let Some(tls) = tls {
            builder = builder.tls_config(tls).map_err(|error| {
                // tonic's error says only "transport error"; its sources say what.
                let mut message = error.to_string();
                let mut source = std::error::Error::source(&error);
                while let Some(cause) = source {
                    message = format!("{message}: {cause}");
                    source = cause.source();
                }
                StartError::Tls(message)
            })?;
        }
        let task = tokio::spawn(
            builder
                .tcp_nodelay(true)
                .max_concurrent_streams(Some(MAX_CONCURRENT_STREAMS))
                .http2_keepalive_interval(Some(std::time::Duration::from_secs(10)))
                .add_routes(routes)
                .serve_with_incoming_shutdown(incoming, async {
                    drop(stopped.await);
                }),
        );
        tracing::info!(
            address = %local_addr,
            data = %config.data.display(),
            tls = config.tls.is_some(),
            users = authenticated,
            "event store serving"
        );
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

    /// A connection string the official clients accept (for a store
    /// without TLS).
    pub fn connection_string(&self) -> String {
        format!("esdb://{}?tls=false", self.local_addr)
    }

    /// The store's storage, for an online backup.
    pub fn storage(&self) -> &Storage {
        &self.storage
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

/// The TLS identity of the PEM files.
fn tls_config(files: &TlsFiles) -> Result<tonic::transport::ServerTlsConfig, StartError> {
    // Both of rustls's providers are linked in (the clients of the
    // workspace bring aws-lc-rs): the store's TLS uses ring. A provider
    // already installed by the process stays.
    drop(rustls::crypto::ring::default_provider().install_default());
    let read = |path: &PathBuf| {
        std::fs::read(path).map_err(|source| StartError::TlsFile {
            path: path.clone(),
            source,
        })
    };
    let identity = tonic::transport::Identity::from_pem(read(&files.cert)?, read(&files.key)?);
    Ok(tonic::transport::ServerTlsConfig::new().identity(identity))
}

/// Lets a call through only with a user's credentials (but those of
/// `ServerFeatures` and `Gossip`, which answer anyone as KurrentDB's do).
async fn authenticate(
    axum::extract::State(authenticator): axum::extract::State<crate::auth::Authenticator>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    if crate::auth::is_open_path(request.uri().path()) {
        return next.run(request).await;
    }
    let header = request
        .headers()
        .get(axum::http::header::AUTHORIZATION)
        .map(|value| value.as_bytes());
    match authenticator.check(header).await {
        Ok(_user) => next.run(request).await,
        Err(refusal) => refusal.status().into_http(),
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
