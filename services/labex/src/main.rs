//! `labex`: Labex in one command. It runs the embedded event store (data
//! under `LABEX_DATA`) unless `LABEX_EVENTSTORE` names an external one,
//! mounts every service on one HTTP port (`LABEX_HTTP`), generates the
//! token secret at first start and prints an administrator token, and on
//! SIGTERM stops accepting, finishes the requests in flight, stops the
//! projections with their checkpoints saved, and stops the store.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use clap::Parser;
use labex_assistance::AssistanceService;
use labex_employers::EmployersService;
use labex_eventsourcing::Repository;
use labex_eventstore::{RunningServer, ServerConfig};
use labex_fairs::FairsService;
use labex_jobseekers::JobSeekersService;
use labex_matching::MatchingService;
use labex_monitoring::MonitoringService;
use labex_referrals::ReferralsService;
use labex_training::TrainingService;
use labex_web::{Service, ServiceContext, StartError, Starting};

mod backup;
mod migrate;

/// mimalloc: under load the system allocator took about a sixth of the
/// process's time (docs/decisions/009).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Labex: a labour exchange for public employment offices.
#[derive(Debug, Parser)]
#[command(name = "labex", version)]
struct Args {
    /// What to do; serving everything when absent.
    #[command(subcommand)]
    command: Option<Command>,
    /// Data folder (event store files, read models, the token secret).
    #[arg(long, env = "LABEX_DATA", default_value = "./data")]
    data: PathBuf,
    /// Where HTTP is served.
    #[arg(long, env = "LABEX_HTTP", default_value = "127.0.0.1:8080")]
    http: SocketAddr,
    /// An external store (`esdb://…`, `kurrentdb://…`); the embedded one
    /// runs when unset.
    #[arg(long, env = "LABEX_EVENTSTORE")]
    eventstore: Option<String>,
    /// The external store's user (its password in
    /// `--eventstore-password-file`).
    #[arg(
        long,
        env = "LABEX_EVENTSTORE_USER",
        requires = "eventstore_password_file"
    )]
    eventstore_user: Option<String>,
    /// A file holding the external store user's password (one line).
    #[arg(
        long,
        env = "LABEX_EVENTSTORE_PASSWORD_FILE",
        requires = "eventstore_user"
    )]
    eventstore_password_file: Option<PathBuf>,
    /// The CA certificate (PEM) of the external store's TLS certificate;
    /// connects with TLS.
    #[arg(long, env = "LABEX_EVENTSTORE_CA")]
    eventstore_ca: Option<PathBuf>,
    /// Where the embedded event store listens (gRPC, EventStoreDB protocol).
    #[arg(long, env = "LABEX_EVENTSTORE_LISTEN", default_value = labex_eventstore::DEFAULT_LISTEN)]
    eventstore_listen: SocketAddr,
    /// Log filter.
    #[arg(long, env = "LABEX_LOG", default_value = "info")]
    log: String,
}

/// What `labex` can do besides serving.
#[derive(Debug, clap::Subcommand)]
enum Command {
    /// Rebuild the search index from the store into a new folder and swap
    /// it in (stop the serving labex of this data folder first).
    Reindex,
    /// Copy the data folder `--from` (written before personal data was
    /// sealed) into `--data` (new), every personal field sealed with a
    /// person's key; stop the labex of `--from` first, and destroy that
    /// folder once the copy serves.
    Migrate(MigrateArgs),
    /// Copy the event store (online, while labex serves), the keys and the
    /// secrets of the data folder into the new folder DIR.
    Backup {
        /// A new or empty folder.
        dir: PathBuf,
        /// A new or empty folder, outside DIR, for the key table and its
        /// master key: kept apart from the store's backup (decision 050).
        #[arg(long)]
        keys_dir: PathBuf,
    },
    /// Copy the backup in DIR into the empty data folder (`--data`); labex
    /// rebuilds the read models and search index when next started.
    Restore {
        /// A folder written by `labex backup`.
        dir: PathBuf,
        /// The keys' folder written by the same `labex backup`.
        #[arg(long)]
        keys_dir: PathBuf,
    },
    /// Mint a bearer token for a member of staff (or an employer, a job
    /// seeker) with the data folder's token secret (or `LABEX_JWT_SECRET`),
    /// and print it with its id (`jti`, for revoking it).
    Token(TokenArgs),
}

/// `labex migrate --from OLD_DATA --data NEW_DATA`.
#[derive(Debug, clap::Args)]
struct MigrateArgs {
    /// The data folder to copy (its plaintext stays there until you
    /// destroy it).
    #[arg(long)]
    from: PathBuf,
}

/// `labex token --role counsellor --office 410105 --sub NAME --days 7`.
#[derive(Debug, clap::Args)]
struct TokenArgs {
    /// jobseeker, employer, counsellor, office_admin or province.
    #[arg(long)]
    role: String,
    /// The office (six-digit division code) the token acts in.
    #[arg(long)]
    office: String,
    /// Who the token is for (a staff member's user name; a job seeker's
    /// id; an employer's user).
    #[arg(long)]
    sub: String,
    /// Days until it expires (at most what the role allows,
    /// `LABEX_TOKEN_MAX_DAYS`).
    #[arg(long, default_value_t = 7)]
    days: u64,
    /// The employer an employer's token acts for.
    #[arg(long)]
    employer: Option<String>,
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    labex_web::init_logging(&args.log);
    let outcome = match args.command {
        Some(Command::Token(ref token)) => mint_token(&args, token),
        Some(Command::Backup {
            ref dir,
            ref keys_dir,
        }) => run_backup(&args, dir, keys_dir),
        Some(Command::Restore {
            ref dir,
            ref keys_dir,
        }) => run_restore(&args, dir, keys_dir),
        Some(Command::Reindex) => match prepare_data(&args) {
            Ok(()) => reindex(args).await,
            Err(error) => Err(error),
        },
        Some(Command::Migrate(ref migrate)) => match prepare_data(&args) {
            Ok(()) => run_migration(&args, &migrate.from).await,
            Err(error) => Err(error),
        },
        None => match prepare_data(&args) {
            Ok(()) => run(args).await,
            Err(error) => Err(error),
        },
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("labex: {error}");
            ExitCode::FAILURE
        }
    }
}

/// Files made from here on are the owner's alone, and the process's
/// keyring is the data folder's (`LABEX_KEYS`, `LABEX_MASTER_KEY`).
fn prepare_data(args: &Args) -> Result<(), StartError> {
    labex_web::restrict_file_modes(&args.data)?;
    labex_web::open_keyring(&args.data)?;
    Ok(())
}

/// `labex migrate`: the old folder copied into `--data` with a progress
/// bar.
async fn run_migration(args: &Args, from: &std::path::Path) -> Result<(), StartError> {
    let bar = indicatif::ProgressBar::new(1);
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "migrating [{elapsed_precise}] {wide_bar} {percent}% (eta {eta})",
        )
        .starting("the progress bar's template")?,
    );
    let started = std::time::Instant::now();
    let migrated = migrate::migrate(from, &args.data, |done, last| {
        bar.set_length(last.max(1));
        bar.set_position(done);
    })
    .await;
    bar.finish_and_clear();
    let migrated = migrated?;
    println!(
        "labex: {} events copied into {} in {:.1} s, {} of them with personal data now sealed ({} of the store's own streams left out).",
        migrated.events,
        args.data.display(),
        started.elapsed().as_secs_f64(),
        migrated.sealed,
        migrated.skipped,
    );
    println!(
        "labex: start labex on {} (its read models and search index rebuild from the store), check it, then destroy {}: it still holds the personal data in plaintext.",
        args.data.display(),
        from.display()
    );
    Ok(())
}

/// The store to talk to: `--eventstore` when given, else the embedded
/// store on the data folder, started listening on `listen`.
async fn store_for(
    args: &Args,
    listen: SocketAddr,
) -> Result<(Option<RunningServer>, String), StartError> {
    if let Some(url) = args
        .eventstore
        .as_ref()
        .filter(|url| !url.trim().is_empty())
    {
        return Ok((None, external_store_url(args, url)?));
    }
    let config = ServerConfig::new(args.data.join("eventstore"), listen);
    let store = RunningServer::start(config).await.starting(
        "cannot start the embedded event store (is another labex using this data folder?)",
    )?;
    let url = format!("{}&discoveryInterval=10", store.connection_string());
    Ok((Some(store), url))
}

/// `--eventstore` with the user, password and CA of the configuration
/// added (`user:password@` and `tls=true&tlsCaFile=…`).
fn external_store_url(args: &Args, url: &str) -> Result<String, StartError> {
    let mut url = url.trim().to_owned();
    if let (Some(user), Some(password_file)) =
        (&args.eventstore_user, &args.eventstore_password_file)
    {
        let password = std::fs::read_to_string(password_file)
            .starting("cannot read LABEX_EVENTSTORE_PASSWORD_FILE")?;
        let password = password.trim_end_matches(['\n', '\r']);
        // The official client takes the credentials of the connection
        // string as they are written (it decodes no `%XX`), and the URL
        // parser under it escapes what userinfo cannot hold: only what
        // passes through both unchanged can be sent.
        let unchanged = |text: &str| {
            !text.is_empty()
                && text
                    .bytes()
                    .all(|byte| byte.is_ascii_alphanumeric() || b"-._~!$&'()*+,".contains(&byte))
        };
        if !unchanged(user) || !unchanged(password) {
            return Err(StartError::new(
                "cannot pass the event store's user and password to the store client",
                "they may hold only letters, digits and - . _ ~ ! $ & ' ( ) * + , (choose such a password with labex-store user add)",
            ));
        }
        let Some((scheme, rest)) = url.split_once("://") else {
            return Err(StartError::new(
                "LABEX_EVENTSTORE is not a connection string",
                "it has no scheme (esdb://…)",
            ));
        };
        let hosts = rest.split(['/', '?']).next().unwrap_or_default();
        if hosts.contains('@') {
            return Err(StartError::new(
                "LABEX_EVENTSTORE names a user already",
                "give the user either in the connection string or in LABEX_EVENTSTORE_USER, not both",
            ));
        }
        url = format!("{scheme}://{user}:{password}@{rest}");
    }
    if let Some(ca) = &args.eventstore_ca {
        url = with_tls_ca(&url, &ca.display().to_string());
    }
    Ok(url)
}

/// `url` with TLS on and `ca` as its CA file, in place of any `tls` or
/// `tlsCaFile` setting it had.
fn with_tls_ca(url: &str, ca: &str) -> String {
    let (base, query) = url.split_once('?').unwrap_or((url, ""));
    let mut settings: Vec<&str> = query
        .split('&')
        .filter(|setting| {
            let name = setting.split('=').next().unwrap_or_default();
            !setting.is_empty()
                && !name.eq_ignore_ascii_case("tls")
                && !name.eq_ignore_ascii_case("tlsCaFile")
        })
        .collect();
    let tls = format!("tlsCaFile={ca}");
    settings.push("tls=true");
    settings.push(&tls);
    format!("{base}?{}", settings.join("&"))
}

/// What a backup or restore says of the store it copied.
fn store_copied(copied: &backup::Copied) -> String {
    match copied.last_position {
        Some(position) => format!("the store up to position {position}"),
        None => "not the store (a labex-store of its own: use labex-store backup and restore)"
            .to_owned(),
    }
}

/// `labex backup DIR`.
fn run_backup(
    args: &Args,
    dir: &std::path::Path,
    keys_dir: &std::path::Path,
) -> Result<(), StartError> {
    let keys = labex_web::keys_folder(&args.data);
    let external = args
        .eventstore
        .as_ref()
        .is_some_and(|url| !url.trim().is_empty());
    let copied = backup::backup(&args.data, &keys, dir, keys_dir, external)?;
    println!(
        "labex: backed up {} into {} (the keys into {}, to keep apart): {}, and {} key and secret files",
        args.data.display(),
        dir.display(),
        keys_dir.display(),
        store_copied(&copied),
        copied.files
    );
    Ok(())
}

/// `labex restore DIR`.
fn run_restore(
    args: &Args,
    dir: &std::path::Path,
    keys_dir: &std::path::Path,
) -> Result<(), StartError> {
    labex_web::restrict_file_modes(&args.data)?;
    let keys = labex_web::keys_folder(&args.data);
    let copied = backup::restore(dir, keys_dir, &args.data, &keys)?;
    println!(
        "labex: restored {} into {}: {}, and {} key and secret files; start labex to rebuild the read models and search index",
        dir.display(),
        args.data.display(),
        store_copied(&copied),
        copied.files
    );
    Ok(())
}

/// `labex reindex`: the store (the embedded one on a free loopback port,
/// or `LABEX_EVENTSTORE`) replayed into a new search index, with a
/// progress bar.
async fn reindex(args: Args) -> Result<(), StartError> {
    let (store, url) = store_for(&args, SocketAddr::from(([127, 0, 0, 1], 0))).await?;
    let client = labex_web::connect_store(&url)?;
    let bar = indicatif::ProgressBar::new(0);
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "reindexing [{elapsed_precise}] {wide_bar} {percent}% (eta {eta})",
        )
        .starting("the progress bar template is malformed")?,
    );
    let started = std::time::Instant::now();
    let reached = labex_matching::reindex(client, &args.data, |progress| {
        bar.set_length(progress.target.max(1));
        bar.set_position(progress.done);
    })
    .await;
    bar.finish_and_clear();
    if let Some(store) = store {
        store.shutdown().await;
    }
    let reached = reached.starting("the search index could not be rebuilt")?;
    println!(
        "labex: search index rebuilt in {:.1} s up to {}",
        started.elapsed().as_secs_f64(),
        reached.map_or_else(|| "the start".to_owned(), labex_matching::format_position)
    );
    Ok(())
}

/// `labex token`: a token signed with this installation's secret.
fn mint_token(args: &Args, token: &TokenArgs) -> Result<(), StartError> {
    let role = labex_web::Role::parse(&token.role).ok_or_else(|| {
        StartError::new(
            "--role must be jobseeker, employer, counsellor, office_admin, province or organiser",
            format!("{} is none of them", token.role),
        )
    })?;
    let office = labex_domain::value::DivisionCode::parse(&token.office)
        .starting("--office must be a six-digit administrative division code")?;
    let employer_id = token
        .employer
        .as_deref()
        .map(labex_domain::EmployerId::parse)
        .transpose()
        .starting("--employer must be an employer id")?;
    if role == labex_web::Role::Employer && employer_id.is_none() {
        return Err(StartError::new(
            "an employer's token needs --employer",
            "no employer id given",
        ));
    }
    let policy = labex_web::TokenPolicy::from_env().starting("LABEX_TOKEN_MAX_DAYS")?;
    let allowed = policy.max_lifetime(role).as_secs() / 86_400;
    if token.days == 0 || token.days > allowed {
        return Err(StartError::new(
            format!(
                "--days must be from 1 to {allowed} for a {} token",
                role.as_str()
            ),
            format!("{} days asked", token.days),
        ));
    }
    let configured = std::env::var("LABEX_JWT_SECRET")
        .ok()
        .filter(|secret| !secret.trim().is_empty());
    let secret_file = args.data.join(labex_web::JWT_SECRET_FILE);
    if configured.is_none() && !secret_file.exists() {
        return Err(StartError::new(
            format!("no token secret in {}", args.data.display()),
            "start labex once on this data folder, or set LABEX_JWT_SECRET",
        ));
    }
    let secret = labex_web::load_or_generate_jwt_secret(configured.as_deref(), &args.data)
        .starting("cannot read the token secret")?;
    let minted = labex_web::TokenIssuer::new(&secret.secret).issue(
        &token.sub,
        role,
        office,
        employer_id,
        std::time::Duration::from_secs(token.days * 24 * 3600),
    );
    let claims = labex_web::TokenVerifier::new(&secret.secret)
        .with_policy(policy)
        .verify(&minted)
        .map_err(|error| StartError::new("the minted token does not verify", error.to_string()))?;
    eprintln!(
        "labex: a {} token for {} in {}, valid {} days; its id (for revoking it): {}",
        role.as_str(),
        token.sub,
        token.office,
        token.days,
        claims.jti
    );
    println!("{minted}");
    Ok(())
}

async fn run(args: Args) -> Result<(), StartError> {
    let (store, url) = store_for(&args, args.eventstore_listen).await?;
    if let Some(store) = &store {
        println!(
            "labex: event store at {} (data in {})",
            store.connection_string(),
            args.data.display()
        );
    }
    let client = labex_web::connect_store(&url)?;
    let jwt_secret = std::env::var("LABEX_JWT_SECRET")
        .ok()
        .filter(|secret| !secret.trim().is_empty());
    let secret = labex_web::load_or_generate_jwt_secret(jwt_secret.as_deref(), &args.data)
        .starting("cannot read or write the token secret")?;
    if secret.generated {
        labex_web::write_admin_token(&args.data, &secret.secret, labex_web::admin_office()?)?;
    }
    let context = ServiceContext::new(Repository::new(client.clone()), args.data.clone())?;
    // Matching first: its /v1/vacancies/search and /feed must be matched
    // before the employers' /v1/vacancies/{id}.
    let services: Vec<Arc<dyn Service>> = vec![
        Arc::new(MatchingService::start(context.clone()).await?),
        Arc::new(JobSeekersService::start(context.clone()).await?),
        Arc::new(EmployersService::start(context.clone()).await?),
        Arc::new(ReferralsService::start(context.clone()).await?),
        Arc::new(AssistanceService::start(context.clone()).await?),
        Arc::new(FairsService::start(context.clone()).await?),
        Arc::new(TrainingService::start(context.clone()).await?),
        Arc::new(MonitoringService::start(context.clone()).await?),
        Arc::new(labex_ventures::VenturesService::start(context.clone()).await?),
    ];
    let stop = labex_web::shutdown_signal();
    let listener = labex_web::bind(args.http).starting("cannot listen for HTTP")?;
    let address = listener
        .local_addr()
        .starting("cannot read the HTTP address")?;
    println!("labex listening on http://{address}");
    let served = labex_web::serve(listener, &secret.secret, client, services, stop)
        .await
        .starting("HTTP server failed");
    if let Some(store) = store {
        store.shutdown().await;
    }
    served
}

#[cfg(test)]
mod tests {
    use super::with_tls_ca;

    #[test]
    fn the_ca_turns_tls_on_in_place_of_what_the_url_said() {
        assert_eq!(
            with_tls_ca(
                "esdb://store:2113?tls=false&discoveryInterval=10",
                "/etc/ca.pem"
            ),
            "esdb://store:2113?discoveryInterval=10&tls=true&tlsCaFile=/etc/ca.pem"
        );
        assert_eq!(
            with_tls_ca("esdb://a:2113,b:2113", "ca.pem"),
            "esdb://a:2113,b:2113?tls=true&tlsCaFile=ca.pem"
        );
        assert_eq!(
            with_tls_ca("esdb://store:2113?TLS=true&tlsCAFile=old.pem", "new.pem"),
            "esdb://store:2113?tls=true&tlsCaFile=new.pem"
        );
    }
}
