//! `labex-store`: the Labex event store as its own process.

use std::io::Read;
use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::Context;
use clap::Parser;
use labex_eventstore::auth::UserFile;
use labex_eventstore::{
    DEFAULT_MAX_APPEND_SIZE, DEFAULT_MAX_PENDING_APPENDS, DEFAULT_MAX_PENDING_BATCHES,
    RunningServer, ServerConfig, TlsFiles,
};

/// The Labex event store: a single-node server speaking the EventStoreDB gRPC protocol.
#[derive(Debug, Parser)]
#[command(name = "labex-store", version)]
struct Args {
    /// What to do; serving when absent.
    #[command(subcommand)]
    command: Option<Command>,
    /// Folder of the event store's files.
    #[arg(long, env = "LABEX_DATA", default_value = "./data", global = true)]
    data: PathBuf,
    /// Address to serve gRPC on.
    #[arg(long, env = "LABEX_EVENTSTORE_LISTEN", default_value = labex_eventstore::DEFAULT_LISTEN)]
    listen: SocketAddr,
    /// Serve TLS with this certificate (chain, PEM); needs --tls-key.
    #[arg(long, env = "LABEX_EVENTSTORE_TLS_CERT", requires = "tls_key")]
    tls_cert: Option<PathBuf>,
    /// The private key (PEM) of --tls-cert.
    #[arg(long, env = "LABEX_EVENTSTORE_TLS_KEY", requires = "tls_cert")]
    tls_key: Option<PathBuf>,
    /// Allow listening beyond loopback without TLS and users, where anyone
    /// who reaches the port may read and write.
    #[arg(long)]
    insecure: bool,
    /// Largest append accepted, in bytes.
    #[arg(long, default_value_t = DEFAULT_MAX_APPEND_SIZE)]
    max_append_size: usize,
    /// Appends pending at once on one connection (a batch of a batch-append
    /// call counts as one); past them a call is refused.
    #[arg(long, default_value_t = DEFAULT_MAX_PENDING_APPENDS)]
    max_pending_appends: usize,
    /// Batches received or committing at once on one batch-append call;
    /// past them the call fails.
    #[arg(long, default_value_t = DEFAULT_MAX_PENDING_BATCHES)]
    max_pending_batches: usize,
    /// Seconds a read of a count of events waits for its client to take a
    /// page before it gives up and frees its reader.
    #[arg(long, default_value_t = 30)]
    slow_reader_timeout_secs: u64,
    /// Log filter.
    #[arg(long, env = "LABEX_LOG", default_value = "info")]
    log: String,
}

#[derive(Debug, clap::Subcommand)]
enum Command {
    /// The store's users: once one exists, every call needs a user's
    /// credentials.
    #[command(subcommand)]
    User(UserCommand),
    /// Copy the store (online, while it serves) and its users into the new
    /// folder DIR.
    Backup {
        /// A new or empty folder.
        dir: PathBuf,
    },
    /// Copy a backup made by `labex-store backup` into the empty data
    /// folder (`--data`).
    Restore {
        /// A folder written by `labex-store backup`.
        dir: PathBuf,
    },
}

#[derive(Debug, clap::Subcommand)]
enum UserCommand {
    /// Add a user (or set the password of one), the password read from
    /// standard input (one line).
    Add { name: String },
    /// Remove a user.
    Remove { name: String },
}

/// The store's own folder within the data folder.
fn store_folder(data: &std::path::Path) -> PathBuf {
    data.join("eventstore")
}

fn manage_users(data: &std::path::Path, command: UserCommand) -> anyhow::Result<()> {
    let file = UserFile::in_folder(&store_folder(data));
    match command {
        UserCommand::Add { name } => {
            let mut password = String::new();
            std::io::stdin()
                .read_to_string(&mut password)
                .context("cannot read the password from standard input")?;
            let password = password.strip_suffix('\n').unwrap_or(&password);
            let password = password.strip_suffix('\r').unwrap_or(password);
            file.add(&name, password)?;
            println!(
                "labex-store: user {name} saved in {}",
                file.path().display()
            );
        }
        UserCommand::Remove { name } => {
            file.remove(&name)?;
            println!(
                "labex-store: user {name} removed from {}",
                file.path().display()
            );
        }
    }
    Ok(())
}

fn is_empty_folder(folder: &std::path::Path) -> anyhow::Result<bool> {
    match std::fs::read_dir(folder) {
        Ok(mut entries) => Ok(entries.next().is_none()),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(true),
        Err(error) => Err(error).with_context(|| format!("cannot read {}", folder.display())),
    }
}

/// `labex-store backup DIR`: SQLite's backup API in one read transaction,
/// so the copy is the store as of one commit (decision 083).
fn backup(data: &std::path::Path, dir: &std::path::Path) -> anyhow::Result<()> {
    anyhow::ensure!(
        is_empty_folder(dir)?,
        "the backup folder {} must be new or empty",
        dir.display()
    );
    let copy = labex_eventstore::backup::backup_store(&store_folder(data), dir)
        .context("cannot back up the store")?;
    println!(
        "labex-store: backed up {} into {}, up to position {}",
        store_folder(data).display(),
        dir.display(),
        copy.last_position
    );
    Ok(())
}

/// `labex-store restore DIR`: the backup copied into an empty data folder.
fn restore(dir: &std::path::Path, data: &std::path::Path) -> anyhow::Result<()> {
    anyhow::ensure!(
        dir.join(labex_eventstore::backup::DATABASE_FILE).is_file(),
        "{} holds no backup of the store",
        dir.display()
    );
    let store = store_folder(data);
    anyhow::ensure!(
        is_empty_folder(&store)?,
        "the store folder {} to restore into must be new or empty",
        store.display()
    );
    let copy =
        labex_eventstore::backup::backup_store(dir, &store).context("cannot restore the store")?;
    println!(
        "labex-store: restored {} into {}, up to position {}",
        dir.display(),
        store.display(),
        copy.last_position
    );
    Ok(())
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    match args.command {
        Some(Command::User(command)) => return manage_users(&args.data, command),
        Some(Command::Backup { dir }) => return backup(&args.data, &dir),
        Some(Command::Restore { dir }) => return restore(&dir, &args.data),
        None => {}
    }
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_new(&args.log).context("invalid log filter")?,
        )
        .init();
    let tls = match (args.tls_cert, args.tls_key) {
        (Some(cert), Some(key)) => Some(TlsFiles { cert, key }),
        _ => None,
    };
    let mut config = ServerConfig::new(store_folder(&args.data), args.listen);
    config.insecure = args.insecure;
    config.max_append_size = args.max_append_size;
    config.max_pending_appends = args.max_pending_appends;
    config.max_pending_batches = args.max_pending_batches;
    config.slow_reader_timeout =
        std::time::Duration::from_secs(args.slow_reader_timeout_secs.max(1));
    config.tls = tls;
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
