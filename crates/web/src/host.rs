//! Hosting services: what a service gives the process that runs it
//! ([`Service`]), what it gets ([`ServiceContext`]), and the HTTP server
//! that mounts any number of them on one port ([`serve`]) — the `labex`
//! binary mounts all of them, each service's own binary mounts one
//! ([`run_standalone`]).

use std::future::Future;
use std::io;
use std::net::{SocketAddr, TcpListener};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use actix_web::dev::ServiceResponse;
use actix_web::http::StatusCode;
use actix_web::middleware::{ErrorHandlerResponse, ErrorHandlers, from_fn};
use actix_web::{App, HttpServer, ResponseError, web};
use futures::future::BoxFuture;
use kurrentdb::Client;
use labex_eventsourcing::Repository;
use utoipa::openapi::OpenApi;

use crate::auth::{RevokedTokens, TokenPolicy, TokenVerifier};
use crate::bootstrap::StartError;
use crate::deadline::{Deadline, deadline};
use crate::document::merge_openapi;
use crate::error::{ApiError, ErrorCode};
use crate::extractors::configure_extractors;
use crate::feeds::{FeedGate, FeedLimits};
use crate::metrics::Metrics;
use crate::ops::{Operations, ReadinessCheck};
use crate::panics::catch_panic;
use crate::request_id::observe;
use crate::revocations::{RevocationFollower, Revocations};
use crate::runners::{Runners, StoreReachable, export_lags};

/// How long a start waits to know every token revocation before serving
/// (requests with a token then wait for them, 503).
const REVOCATIONS_CATCH_UP: Duration = Duration::from_secs(5);

/// How long a graceful stop waits for requests in flight.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(30);

/// The store a service binary talks to when `LABEX_EVENTSTORE` is unset.
pub const DEFAULT_EVENTSTORE: &str = "esdb://127.0.0.1:2113?tls=false&discoveryInterval=10";

/// What a process gives every service it hosts.
#[derive(Clone)]
pub struct ServiceContext {
    /// Commands and loads, through the official client.
    pub repository: Repository,
    /// The data folder; a service keeps its read models under
    /// `<data>/<service name>/`.
    pub data: PathBuf,
    /// Admits the process's live feeds (server-sent events) within one
    /// set of bounds, on a store client of their own.
    pub feeds: FeedGate,
}

impl ServiceContext {
    /// A context on `repository` and `data`, with the live feeds' bounds
    /// from the environment ([`FeedLimits::from_env`]).
    pub fn new(repository: Repository, data: PathBuf) -> Result<Self, StartError> {
        let feeds = FeedGate::new(repository.client(), FeedLimits::from_env()?)?;
        Ok(Self {
            repository,
            data,
            feeds,
        })
    }

    /// The folder of one service's own files, created if missing.
    pub fn service_folder(&self, service: &str) -> io::Result<PathBuf> {
        let folder = self.data.join(service);
        std::fs::create_dir_all(&folder)?;
        Ok(folder)
    }
}

/// One service as a host mounts it.
pub trait Service: Send + Sync + 'static {
    /// A short lowercase name (`jobseekers`).
    fn name(&self) -> &'static str;
    /// Mounts its routes; called once per HTTP worker.
    fn configure(&self, config: &mut web::ServiceConfig);
    /// Its part of the API document.
    fn openapi(&self) -> OpenApi;
    /// What must hold before it takes traffic (its projections caught up).
    fn readiness(&self) -> Vec<Arc<dyn ReadinessCheck>> {
        Vec::new()
    }
    /// Adds its own series to the process's metrics (called once).
    fn register_metrics(&self, registry: &prometheus::Registry) {
        let _ = registry;
    }
    /// Stops its projections and process managers, each after the batch in
    /// hand, so that their checkpoints stand where their read models do.
    fn stop(&self) -> BoxFuture<'_, ()>;
}

/// Serves `services` on `listener` until `shutdown` completes, then stops
/// accepting, lets requests in flight finish (at most [`SHUTDOWN_GRACE`])
/// and stops every service's runners.
pub async fn serve(
    listener: TcpListener,
    secret: &[u8],
    client: Client,
    services: Vec<Arc<dyn Service>>,
    shutdown: impl Future<Output = ()>,
) -> io::Result<()> {
    let policy = TokenPolicy::from_env().map_err(io::Error::other)?;
    let revoked = RevokedTokens::default();
    // No token is accepted before every revocation in the store is known:
    // the server starts once they are (or after a bound, answering 503 to
    // requests with a token until they are).
    let following = RevocationFollower::start(client.clone(), revoked.clone());
    match tokio::time::timeout(
        REVOCATIONS_CATCH_UP,
        following.catch_up(REVOCATIONS_CATCH_UP),
    )
    .await
    {
        Ok(Ok(())) => revoked.mark_known(),
        Ok(Err(error)) => tracing::warn!(%error, "token revocations not read yet; tokens wait"),
        Err(_) => tracing::warn!("token revocations not read in time; tokens wait"),
    }
    if !revoked.is_known() {
        let revoked = revoked.clone();
        let client = client.clone();
        tokio::spawn(async move {
            let probe = RevocationFollower::start(client, revoked.clone());
            while probe.catch_up(REVOCATIONS_CATCH_UP).await.is_err() {
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
            revoked.mark_known();
            let _ = probe.stop().await;
        });
    }
    let follower = Runners::default();
    follower.add(following).await;
    let revocations = web::Data::new(Revocations::new(
        client.clone(),
        revoked.clone(),
        policy.longest_days(),
    ));
    let mut checks: Vec<Arc<dyn ReadinessCheck>> = vec![Arc::new(StoreReachable::new(client))];
    checks.extend(follower.checks().await);
    for service in &services {
        checks.extend(service.readiness());
    }
    let openapi = merge_openapi(
        services
            .iter()
            .map(|service| service.openapi())
            .chain([<crate::revocations::TokensApiDoc as utoipa::OpenApi>::openapi()]),
    );
    let metrics = Metrics::new();
    for service in &services {
        service.register_metrics(metrics.registry());
    }
    let lag_export = export_lags(checks.clone(), metrics.registry());
    let operations = Operations::new(checks, metrics, openapi);
    let verifier = web::Data::new(
        TokenVerifier::new(secret)
            .with_policy(policy)
            .with_revocations(revoked),
    );
    let request_deadline = web::Data::new(Deadline::from_env());
    let mounted = services.clone();
    let server = HttpServer::new(move || {
        let services = mounted.clone();
        App::new()
            .wrap(from_fn(catch_panic))
            .wrap(from_fn(deadline))
            .wrap(ErrorHandlers::new().handler(StatusCode::METHOD_NOT_ALLOWED, method_not_allowed))
            .wrap(from_fn(observe))
            .app_data(verifier.clone())
            .app_data(request_deadline.clone())
            .app_data(revocations.clone())
            .configure(configure_extractors)
            .route(
                "/v1/tokens/revocations",
                web::post().to(crate::revocations::revoke),
            )
            .configure(move |config| {
                for service in &services {
                    service.configure(config);
                }
            })
            .configure(operations.clone().configure())
    })
    .backlog(4096)
    // The headers within 10 s; an idle kept-alive connection closed after
    // 75 s; a client that does not close after the answer, 5 s.
    .client_request_timeout(Duration::from_secs(10))
    .keep_alive(Duration::from_secs(75))
    .client_disconnect_timeout(Duration::from_secs(5))
    .max_connections(100_000)
    .disable_signals()
    .shutdown_timeout(SHUTDOWN_GRACE.as_secs())
    .listen(listener)?
    .run();
    let handle = server.handle();
    let running = tokio::spawn(server);
    shutdown.await;
    tracing::info!("stopping: no new connections, finishing requests in flight");
    handle.stop(true).await;
    let served = running.await.map_err(io::Error::other)?;
    lag_export.abort();
    for service in &services {
        service.stop().await;
    }
    follower.stop().await;
    tracing::info!("stopped");
    served
}

/// Gives actix's bodiless 405 (a known path, another method) a problem
/// body and the `Allow` header, from the methods the document lists for
/// the path.
fn method_not_allowed<B>(
    response: ServiceResponse<B>,
) -> actix_web::Result<ErrorHandlerResponse<B>> {
    let (request, _) = response.into_parts();
    let allowed = request
        .app_data::<web::Data<Operations>>()
        .and_then(|operations| {
            operations
                .allowed_methods(request.path())
                .map(str::to_owned)
        });
    let problem = match allowed {
        Some(allowed) => crate::ops::method_not_allowed(&allowed),
        None => ApiError::new(
            ErrorCode::MethodNotAllowed,
            "This resource does not take this method; check the method against /openapi.json.",
        ),
    }
    .error_response();
    let response = ServiceResponse::new(request, problem).map_into_right_body();
    Ok(ErrorHandlerResponse::Response(response))
}

/// Completes on SIGTERM or SIGINT (Ctrl-C). The handlers are installed
/// when this is called, not when the future is first polled: call it
/// before announcing the address, so that a SIGTERM sent as soon as the
/// process says it listens stops it cleanly instead of killing it.
pub fn shutdown_signal() -> impl std::future::Future<Output = ()> + Send + 'static {
    #[cfg(unix)]
    let signals = {
        use tokio::signal::unix::{SignalKind, signal};
        match (
            signal(SignalKind::terminate()),
            signal(SignalKind::interrupt()),
        ) {
            (Ok(terminate), Ok(interrupt)) => Some((terminate, interrupt)),
            _ => {
                tracing::warn!("cannot listen for SIGTERM; stopping on Ctrl-C only");
                None
            }
        }
    };
    async move {
        #[cfg(unix)]
        if let Some((mut terminate, mut interrupt)) = signals {
            tokio::select! {
                _ = terminate.recv() => tracing::info!("SIGTERM received"),
                _ = interrupt.recv() => tracing::info!("SIGINT received"),
            }
            return;
        }
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    }
}

/// Binds `address`, saying clearly what is wrong when it cannot.
pub fn bind(address: SocketAddr) -> io::Result<TcpListener> {
    let listener = TcpListener::bind(address).map_err(|error| {
        io::Error::new(
            error.kind(),
            format!("cannot listen for HTTP on {address}: {error}"),
        )
    })?;
    listener.set_nonblocking(true)?;
    Ok(listener)
}
