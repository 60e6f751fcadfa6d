//! Projections: read models in SQLite, fed by a filtered `$all`
//! subscription, each batch applied in one transaction with its checkpoint.

use kurrentdb::{Client, Position};
use rusqlite::{Connection, Transaction};

use crate::checkpoint::{create_table, read_checkpoint, write_checkpoint};
use crate::error::ProjectionError;
use crate::keys::truncate_wal;
use crate::runner::{Consumer, EventFilter, ProjectionRunner, RunnerOptions};
use crate::stored::StoredEvent;

/// A read model kept in SQLite.
///
/// Its tables and its checkpoint live in the same database: the runner
/// applies a batch of events and writes the checkpoint in one transaction,
/// so that after a crash or a restart the read model has seen exactly the
/// events up to its checkpoint, none twice and none skipped.
pub trait Projection: Send + 'static {
    /// Its name, unique per database: the key of its checkpoint.
    fn name(&self) -> &str;

    /// The events it wants (applied by the store, so others never travel).
    fn filter(&self) -> EventFilter;

    /// Creates or upgrades its tables; runs in a transaction at every start.
    fn migrate(&mut self, transaction: &Transaction<'_>) -> rusqlite::Result<()> {
        let _ = transaction;
        Ok(())
    }

    /// Applies one event. An error rolls the whole batch back and stops
    /// the runner.
    fn apply(
        &mut self,
        transaction: &Transaction<'_>,
        event: &StoredEvent,
    ) -> Result<(), ProjectionError>;
}

impl ProjectionRunner {
    /// Runs `projection` into the database of `connection` on a task of the
    /// current runtime, from its stored checkpoint, with default options.
    pub fn start<P: Projection>(client: Client, connection: Connection, projection: P) -> Self {
        Self::start_with(client, connection, projection, RunnerOptions::default())
    }

    /// Like [`start`](Self::start), with options.
    pub fn start_with<P: Projection>(
        client: Client,
        connection: Connection,
        projection: P,
        options: RunnerOptions,
    ) -> Self {
        let consumer = SqliteProjection {
            name: projection.name().to_owned(),
            filter: projection.filter(),
            parts: Some((connection, projection)),
        };
        Self::spawn(client, consumer, options)
    }
}

/// Whether `event` erases a person's personal data (its type says so).
fn erases_personal_data(event: &StoredEvent) -> bool {
    <labex_domain::Event as labex_domain::DomainEvent>::erasure_subject(event.event_type())
        .is_some()
}

/// Drives a [`Projection`]: its connection and the projection itself move
/// onto a blocking thread for every batch and back.
struct SqliteProjection<P> {
    name: String,
    filter: EventFilter,
    parts: Option<(Connection, P)>,
}

impl<P: Projection> SqliteProjection<P> {
    /// Runs `work` on a blocking thread with the connection and the
    /// projection.
    async fn blocking<T: Send + 'static>(
        &mut self,
        work: impl FnOnce(&mut Connection, &mut P) -> Result<T, ProjectionError> + Send + 'static,
    ) -> Result<T, ProjectionError> {
        let (mut connection, mut projection) = self.parts.take().ok_or_else(|| {
            ProjectionError::Worker("a previous batch did not return the database".to_owned())
        })?;
        let (parts, outcome) = tokio::task::spawn_blocking(move || {
            let outcome = work(&mut connection, &mut projection);
            ((connection, projection), outcome)
        })
        .await
        .map_err(|error| ProjectionError::Worker(error.to_string()))?;
        self.parts = Some(parts);
        outcome
    }
}

impl<P: Projection> Consumer for SqliteProjection<P> {
    fn name(&self) -> &str {
        &self.name
    }

    fn filter(&self) -> EventFilter {
        self.filter.clone()
    }

    async fn checkpoint(&mut self) -> Result<Option<Position>, ProjectionError> {
        let name = self.name.clone();
        self.blocking(move |connection, projection| {
            create_table(connection)?;
            let transaction = connection.transaction()?;
            projection.migrate(&transaction)?;
            transaction.commit()?;
            Ok(read_checkpoint(connection, &name)?)
        })
        .await
    }

    async fn handle(
        &mut self,
        events: Vec<StoredEvent>,
        checkpoint: Position,
    ) -> Result<(), ProjectionError> {
        let name = self.name.clone();
        self.blocking(move |connection, projection| {
            let transaction = connection.transaction()?;
            for event in &events {
                projection.apply(&transaction, event)?;
            }
            write_checkpoint(&transaction, &name, checkpoint)?;
            transaction.commit()?;
            // The WAL's older frames still hold what an erasure dropped:
            // copy it into the database and truncate it.
            if events.iter().any(erases_personal_data) {
                truncate_wal(connection)?;
            }
            Ok(())
        })
        .await
    }
}
