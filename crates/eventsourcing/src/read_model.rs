//! The database of a service's read models: one connection that its
//! projections write through, and a small pool of read-only connections
//! that request handlers query on the blocking pool.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use kurrentdb::Client;
use rusqlite::{Connection, OpenFlags};

use crate::projection::Projection;
use crate::runner::ProjectionRunner;

/// How many idle read connections are kept.
const IDLE_READERS: usize = 16;

/// A query of a read model that failed.
#[derive(Debug, thiserror::Error)]
pub enum ReadModelError {
    /// SQLite refused.
    #[error("read model query failed: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// The blocking task did not return.
    #[error("read model query did not finish: {0}")]
    Worker(String),
}

/// The read side of one read-model database. Cheap to clone.
#[derive(Clone)]
pub struct ReadModel {
    path: PathBuf,
    idle: Arc<Mutex<Vec<Connection>>>,
}

impl ReadModel {
    /// Opens (creating it if missing) the database at `path` in WAL mode:
    /// the connection for the projections to write through, and the
    /// read side.
    pub fn open(path: &Path) -> rusqlite::Result<(Connection, Self)> {
        let writer = Connection::open(path)?;
        writer.pragma_update(None, "journal_mode", "WAL")?;
        // The checkpoint is in the same transaction as the rows, so losing
        // the last transactions to a power cut only replays them.
        writer.pragma_update(None, "synchronous", "NORMAL")?;
        // Rows of personal data that change or go (an erasure) leave no
        // bytes behind in the file.
        writer.pragma_update(None, "secure_delete", "ON")?;
        writer.busy_timeout(Duration::from_secs(5))?;
        Ok((
            writer,
            Self {
                path: path.to_owned(),
                idle: Arc::new(Mutex::new(Vec::new())),
            },
        ))
    }

    /// Opens the database at `path`, creates or upgrades `projection`'s
    /// tables in it (so that no query ever meets a missing table), and
    /// starts the projection from its checkpoint on the current runtime:
    /// the read side, and the runner that keeps it.
    pub fn start<P: Projection>(
        path: &Path,
        client: Client,
        mut projection: P,
    ) -> rusqlite::Result<(Self, ProjectionRunner)> {
        let (mut writer, read_model) = Self::open(path)?;
        let transaction = writer.transaction()?;
        projection.migrate(&transaction)?;
        transaction.commit()?;
        Ok((
            read_model,
            ProjectionRunner::start(client, writer, projection),
        ))
    }

    fn connection(&self) -> rusqlite::Result<Connection> {
        if let Some(connection) = self.idle.lock().map(|mut idle| idle.pop()).ok().flatten() {
            return Ok(connection);
        }
        let connection = Connection::open_with_flags(
            &self.path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        connection.busy_timeout(Duration::from_secs(5))?;
        Ok(connection)
    }

    /// Runs `query` on a read-only connection, on the blocking pool.
    pub async fn read<T, Q>(&self, query: Q) -> Result<T, ReadModelError>
    where
        T: Send + 'static,
        Q: FnOnce(&Connection) -> rusqlite::Result<T> + Send + 'static,
    {
        let pool = self.clone();
        tokio::task::spawn_blocking(move || {
            let connection = pool.connection()?;
            let answer = query(&connection);
            if let Ok(mut idle) = pool.idle.lock()
                && idle.len() < IDLE_READERS
            {
                idle.push(connection);
            }
            Ok(answer?)
        })
        .await
        .map_err(|error| ReadModelError::Worker(error.to_string()))?
    }
}
