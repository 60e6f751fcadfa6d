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
use kurrentdb::{Client, ClientSettings, ReadAllOptions, StreamPosition};
use labex_eventsourcing::{EventContext, LAG_COUNT_LIMIT, Lag, ProjectionRunner, Repository};
use tokio::sync::Mutex;
use utoipa::openapi::OpenApi;

use labex_app::Role;

use crate::auth::{TokenIssuer, TokenVerifier};
use crate::error::{ApiError, ErrorCode};
use crate::extractors::configure_extractors;
use crate::metrics::Metrics;
use crate::ops::{LagReport, Operations, Readiness, ReadinessCheck, merge_openapi};
use crate::panics::catch_panic;
use crate::request_id::{self, observe};
use crate::settings::load_or_generate_jwt_secret;

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
}

impl ServiceContext {
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

/// The projections and process managers of a service: each is a readiness
/// check (caught up with `$all` within a bound) and is stopped with the
/// service.
#[derive(Clone, Default)]
pub struct Runners {
    runners: Arc<Mutex<Vec<ProjectionRunner>>>,
}

/// How far behind `$all` a projection may be and still count as ready.
pub const READY_LAG_EVENTS: u64 = 1_000;

impl Runners {
    /// Holds `runner` until [`stop`](Self::stop).
    pub async fn add(&self, runner: ProjectionRunner) {
        self.runners.lock().await.push(runner);
    }

    /// One readiness check per runner held now.
    pub async fn checks(&self) -> Vec<Arc<dyn ReadinessCheck>> {
        let runners = self.runners.lock().await;
        (0..runners.len())
            .map(|index| {
                Arc::new(RunnerCaughtUp {
                    runners: self.clone(),
                    index,
                    name: runners[index].name().to_owned(),
                }) as Arc<dyn ReadinessCheck>
            })
            .collect()
    }

    /// How far each runner held now is behind `$all`, by name.
    pub async fn lags(&self) -> Vec<(String, Option<labex_eventsourcing::Lag>)> {
        let runners = self.runners.lock().await;
        let mut lags = Vec::with_capacity(runners.len());
        for runner in runners.iter() {
            lags.push((runner.name().to_owned(), runner.lag().await.ok()));
        }
        lags
    }

    /// Stops every runner after the batch in hand; a runner that had
    /// failed is logged.
    pub async fn stop(&self) {
        let runners = std::mem::take(&mut *self.runners.lock().await);
        for runner in runners {
            let name = runner.name().to_owned();
            match runner.stop().await {
                Ok(()) => tracing::info!(runner = %name, "stopped, checkpoint saved"),
                Err(error) => tracing::error!(runner = %name, error = %error, "had failed"),
            }
        }
    }
}

struct RunnerCaughtUp {
    runners: Runners,
    index: usize,
    name: String,
}

impl ReadinessCheck for RunnerCaughtUp {
    fn name(&self) -> &str {
        &self.name
    }

    fn check(&self) -> BoxFuture<'_, Result<(), String>> {
        Box::pin(async move { self.report().await.outcome })
    }

    fn report(&self) -> BoxFuture<'_, Readiness> {
        Box::pin(async move {
            let runners = self.runners.runners.lock().await;
            let Some(runner) = runners.get(self.index) else {
                return Readiness {
                    outcome: Err("stopped".to_owned()),
                    lag: None,
                };
            };
            match runner.lag().await {
                Ok(lag) => Readiness {
                    outcome: lag_outcome(&lag),
                    lag: Some(LagReport::from(&lag)),
                },
                Err(error) => Readiness {
                    outcome: Err(error.to_string()),
                    lag: None,
                },
            }
        })
    }
}

/// Ready when caught up or at most [`READY_LAG_EVENTS`] behind.
pub fn lag_outcome(lag: &Lag) -> Result<(), String> {
    if lag.caught_up() || lag.pending_events <= READY_LAG_EVENTS {
        Ok(())
    } else {
        Err(format!("{} events behind the store", lag.pending_events))
    }
}

impl From<&Lag> for LagReport {
    fn from(lag: &Lag) -> Self {
        Self {
            lag_events: lag.pending_events,
            lag_counted_up_to: LAG_COUNT_LIMIT,
            position: lag.checkpoint.map(|position| position.commit),
            head_position: lag.head.map(|position| position.commit),
            ready_within_events: READY_LAG_EVENTS,
        }
    }
}

/// Ready when the event store answers a one-event read of `$all`.
pub struct StoreReachable {
    client: Client,
}

impl StoreReachable {
    /// A check through `client`.
    pub fn new(client: Client) -> Self {
        Self { client }
    }
}

impl ReadinessCheck for StoreReachable {
    fn name(&self) -> &str {
        "event_store"
    }

    fn check(&self) -> BoxFuture<'_, Result<(), String>> {
        Box::pin(async move {
            let options = ReadAllOptions::default()
                .max_count(1)
                .position(StreamPosition::End)
                .backwards();
            let read = async {
                let mut stream = self.client.read_all(&options).await?;
                stream.next().await.map(|_| ())
            };
            match tokio::time::timeout(Duration::from_secs(2), read).await {
                Ok(Ok(())) => Ok(()),
                Ok(Err(error)) => Err(format!("the event store refused a read: {error}")),
                Err(_) => Err("the event store did not answer within 2 s".to_owned()),
            }
        })
    }
}

/// A client of the store at `url` (`esdb://…`, `kurrentdb://…`).
pub fn connect_store(url: &str) -> Result<Client, String> {
    let settings: ClientSettings = url
        .parse()
        .map_err(|error| format!("LABEX_EVENTSTORE is not a connection string: {error}"))?;
    Client::new(settings).map_err(|error| format!("cannot make an event store client: {error}"))
}

/// The event context of the request being served: its id (a UUID; a
/// client's own request id that is not one is hashed into one) as
/// correlation and causation, the caller as actor, on behalf of `office`.
pub fn request_context(
    actor: &str,
    office: Option<labex_domain::value::DivisionCode>,
) -> EventContext {
    EventContext::for_request(request_correlation_id(), actor, office)
}

/// The correlation id of the request being served: its id (a UUID; a
/// client's own request id that is not one is hashed into one), or a new
/// one outside a request.
pub(crate) fn request_correlation_id() -> uuid::Uuid {
    request_id::current()
        .map(|text| {
            uuid::Uuid::try_parse(&text)
                .unwrap_or_else(|_| uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_OID, text.as_bytes()))
        })
        .unwrap_or_else(uuid::Uuid::now_v7)
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
    let mut checks: Vec<Arc<dyn ReadinessCheck>> = vec![Arc::new(StoreReachable::new(client))];
    for service in &services {
        checks.extend(service.readiness());
    }
    let openapi = merge_openapi(services.iter().map(|service| service.openapi()));
    let metrics = Metrics::new();
    for service in &services {
        service.register_metrics(metrics.registry());
    }
    let operations = Operations::new(checks, metrics, openapi);
    let verifier = web::Data::new(TokenVerifier::new(secret));
    let mounted = services.clone();
    let server = HttpServer::new(move || {
        let services = mounted.clone();
        App::new()
            .wrap(from_fn(catch_panic))
            .wrap(ErrorHandlers::new().handler(StatusCode::METHOD_NOT_ALLOWED, method_not_allowed))
            .wrap(from_fn(observe))
            .app_data(verifier.clone())
            .configure(configure_extractors)
            .configure(move |config| {
                for service in &services {
                    service.configure(config);
                }
            })
            .configure(operations.clone().configure())
    })
    .backlog(4096)
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
    for service in &services {
        service.stop().await;
    }
    tracing::info!("stopped");
    served
}

/// Gives actix's bodiless 405 (a known path, another method) a problem
/// body.
fn method_not_allowed<B>(
    response: ServiceResponse<B>,
) -> actix_web::Result<ErrorHandlerResponse<B>> {
    let problem = ApiError::new(
        ErrorCode::MethodNotAllowed,
        "This resource does not take this method; check the method against /openapi.json.",
    )
    .error_response();
    let (request, _) = response.into_parts();
    let response = ServiceResponse::new(request, problem).map_into_right_body();
    Ok(ErrorHandlerResponse::Response(response))
}

/// Completes on SIGTERM or SIGINT (Ctrl-C).
pub async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match (
            signal(SignalKind::terminate()),
            signal(SignalKind::interrupt()),
        ) {
            (Ok(mut terminate), Ok(mut interrupt)) => {
                tokio::select! {
                    _ = terminate.recv() => tracing::info!("SIGTERM received"),
                    _ = interrupt.recv() => tracing::info!("SIGINT received"),
                }
                return;
            }
            _ => tracing::warn!("cannot listen for SIGTERM; stopping on Ctrl-C only"),
        }
    }
    if tokio::signal::ctrl_c().await.is_err() {
        std::future::pending::<()>().await;
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

/// The office claim of the administrator token printed at first start
/// (`LABEX_ADMIN_OFFICE`): a province-level division code. The `province`
/// role acts everywhere; the claim says which province issued it.
pub const DEFAULT_ADMIN_OFFICE: &str = "410000";

/// Prints a province administrator token for a secret generated just now,
/// so that a new installation can be used at once.
pub fn print_admin_token(secret: &[u8], office: labex_domain::value::DivisionCode) {
    let token = TokenIssuer::new(secret).issue(
        "admin",
        Role::Province,
        office,
        None,
        Duration::from_secs(30 * 24 * 3600),
    );
    println!("A new token secret was generated. An administrator token, valid 30 days:");
    println!("LABEX_TOKEN={token}");
}

/// A Labex service run as its own process against one event store; every
/// flag has its `LABEX_*` variable.
#[derive(Debug, clap::Parser)]
struct StandaloneArgs {
    /// Data folder (the service's read models, the token secret).
    #[arg(long, env = "LABEX_DATA", default_value = "./data")]
    data: PathBuf,
    /// Where HTTP is served.
    #[arg(long, env = "LABEX_HTTP", default_value = "127.0.0.1:8080")]
    http: SocketAddr,
    /// The event store (`esdb://…`, `kurrentdb://…`).
    #[arg(long, env = "LABEX_EVENTSTORE", default_value = DEFAULT_EVENTSTORE)]
    eventstore: String,
    /// Log filter.
    #[arg(long, env = "LABEX_LOG", default_value = "info")]
    log: String,
}

/// The `main` of a service run as its own process: flags or `LABEX_*`
/// variables, a client of the store named by `--eventstore` /
/// `LABEX_EVENTSTORE` (or [`DEFAULT_EVENTSTORE`]), the service started by
/// `start` and served on `--http` / `LABEX_HTTP` until SIGTERM.
pub async fn run_standalone<S, F>(name: &str, start: S) -> Result<(), String>
where
    S: FnOnce(ServiceContext) -> F,
    F: Future<Output = Result<Arc<dyn Service>, String>>,
{
    let args = <StandaloneArgs as clap::Parser>::parse_from(
        std::iter::once(format!("labex-{name}")).chain(std::env::args().skip(1)),
    );
    crate::logging::init_logging(&args.log);
    let client = connect_store(&args.eventstore)?;
    let configured_secret = std::env::var("LABEX_JWT_SECRET")
        .ok()
        .filter(|secret| !secret.trim().is_empty());
    let secret = load_or_generate_jwt_secret(configured_secret.as_deref(), &args.data)
        .map_err(|error| format!("cannot read or write the token secret: {error}"))?;
    if secret.generated {
        print_admin_token(&secret.secret, admin_office()?);
    }
    let context = ServiceContext {
        repository: Repository::new(client.clone()),
        data: args.data.clone(),
    };
    let service = start(context).await?;
    let listener = bind(args.http).map_err(|error| error.to_string())?;
    let address = listener.local_addr().map_err(|error| error.to_string())?;
    println!("labex-{name} listening on http://{address}");
    serve(
        listener,
        &secret.secret,
        client,
        vec![service],
        shutdown_signal(),
    )
    .await
    .map_err(|error| error.to_string())
}

/// `LABEX_ADMIN_OFFICE`, or [`DEFAULT_ADMIN_OFFICE`].
pub fn admin_office() -> Result<labex_domain::value::DivisionCode, String> {
    let text = std::env::var("LABEX_ADMIN_OFFICE")
        .ok()
        .filter(|value| !value.trim().is_empty())
        .unwrap_or_else(|| DEFAULT_ADMIN_OFFICE.to_owned());
    labex_domain::value::DivisionCode::parse(&text)
        .map_err(|error| format!("LABEX_ADMIN_OFFICE is not a division code: {error}"))
}
