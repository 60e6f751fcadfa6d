//! Starting a process: what can go wrong ([`StartError`]), the client of
//! the event store ([`connect_store`]), the administrator token of a new
//! installation, and the `main` of a service run as its own process
//! ([`run_standalone`]).

use std::future::Future;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use kurrentdb::{Client, ClientSettings};
use labex_app::Role;
use labex_eventsourcing::Repository;

use crate::auth::TokenIssuer;
use crate::host::{DEFAULT_EVENTSTORE, Service, ServiceContext, bind, serve, shutdown_signal};
use crate::settings::load_or_generate_jwt_secret;

/// Why a process or a service could not start: what it was doing, and the
/// error that stopped it.
#[derive(Debug, thiserror::Error)]
#[error("{what}: {source}")]
pub struct StartError {
    what: String,
    #[source]
    source: Box<dyn std::error::Error + Send + Sync>,
}

impl StartError {
    /// `what` failed because of `source`.
    pub fn new(
        what: impl Into<String>,
        source: impl Into<Box<dyn std::error::Error + Send + Sync>>,
    ) -> Self {
        Self {
            what: what.into(),
            source: source.into(),
        }
    }
}

/// Names what a fallible start-up step was doing.
pub trait Starting<T> {
    /// The error, if any, as a [`StartError`] saying `what` failed.
    fn starting(self, what: &str) -> Result<T, StartError>;
}

impl<T, E> Starting<T> for Result<T, E>
where
    E: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    fn starting(self, what: &str) -> Result<T, StartError> {
        self.map_err(|source| StartError::new(what, source))
    }
}

/// A client of the store at `url` (`esdb://…`, `kurrentdb://…`).
pub fn connect_store(url: &str) -> Result<Client, StartError> {
    let settings: ClientSettings = url
        .parse()
        .starting("LABEX_EVENTSTORE is not a connection string")?;
    Client::new(settings).starting("cannot make an event store client")
}

/// The office claim of the administrator token printed at first start
/// (`LABEX_ADMIN_OFFICE`): a province-level division code. The `province`
/// role acts everywhere; the claim says which province issued it.
pub const DEFAULT_ADMIN_OFFICE: &str = "410000";

/// The file, in the data folder, that holds the administrator token of a
/// new installation (0600).
pub const ADMIN_TOKEN_FILE: &str = "admin-token";

/// How long the first start's administrator token is valid.
pub const ADMIN_TOKEN_DAYS: u64 = 30;

/// Writes a province administrator token, for a secret generated just now,
/// to `<data>/admin-token` (readable by its owner only) and says where, so
/// that a new installation can be used at once without the token reaching
/// standard output (and so the journal).
pub fn write_admin_token(
    data: &std::path::Path,
    secret: &[u8],
    office: labex_domain::value::DivisionCode,
) -> Result<std::path::PathBuf, StartError> {
    let token = TokenIssuer::new(secret).issue(
        "admin",
        Role::Province,
        office,
        None,
        Duration::from_secs(ADMIN_TOKEN_DAYS * 24 * 3600),
    );
    let path = data.join(ADMIN_TOKEN_FILE);
    crate::settings::write_private_file(&path, token.as_bytes())
        .starting("cannot write the administrator token")?;
    println!(
        "A new token secret was generated. An administrator token, valid {ADMIN_TOKEN_DAYS} days, is in {} (readable by its owner only).",
        path.display()
    );
    Ok(path)
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
pub async fn run_standalone<S, F>(name: &str, start: S) -> Result<(), StartError>
where
    S: FnOnce(ServiceContext) -> F,
    F: Future<Output = Result<Arc<dyn Service>, StartError>>,
{
    let args = <StandaloneArgs as clap::Parser>::parse_from(
        std::iter::once(format!("labex-{name}")).chain(std::env::args().skip(1)),
    );
    crate::logging::init_logging(&args.log);
    crate::privacy::restrict_file_modes(&args.data)?;
    crate::privacy::open_keyring(&args.data)?;
    let client = connect_store(&args.eventstore)?;
    let configured_secret = std::env::var("LABEX_JWT_SECRET")
        .ok()
        .filter(|secret| !secret.trim().is_empty());
    let secret = load_or_generate_jwt_secret(configured_secret.as_deref(), &args.data)
        .starting("cannot read or write the token secret")?;
    if secret.generated {
        write_admin_token(&args.data, &secret.secret, admin_office()?)?;
    }
    let context = ServiceContext::new(Repository::new(client.clone()), args.data.clone())?;
    let service = start(context).await?;
    let stop = shutdown_signal();
    let listener = bind(args.http).starting("cannot listen for HTTP")?;
    let address = listener
        .local_addr()
        .starting("cannot read the HTTP address")?;
    println!("labex-{name} listening on http://{address}");
    serve(listener, &secret.secret, client, vec![service], stop)
        .await
        .starting("the HTTP server failed")
}

/// `LABEX_ADMIN_OFFICE`, or [`DEFAULT_ADMIN_OFFICE`].
pub fn admin_office() -> Result<labex_domain::value::DivisionCode, StartError> {
    let text = std::env::var("LABEX_ADMIN_OFFICE")
        .ok()
        .filter(|value| !value.trim().is_empty())
        .unwrap_or_else(|| DEFAULT_ADMIN_OFFICE.to_owned());
    labex_domain::value::DivisionCode::parse(&text)
        .starting("LABEX_ADMIN_OFFICE is not a division code")
}
