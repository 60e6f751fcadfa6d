//! Process managers: reactions to events of other aggregates, each with
//! its own filtered `$all` subscription and checkpoint.
//!
//! A context that reacts to another's facts (a hire employs the job seeker
//! and fills the vacancy; a member's employment clears a household)
//! implements [`ProcessManager`]: which events it follows, and what it does
//! for one. [`start_process`] runs it: the checkpoint lives in a SQLite
//! database of the service's (its read-model database will do) and is
//! stored after each batch's reactions, so delivery is at least once and
//! every reaction must be idempotent — a command the domain ignores when
//! repeated, appended with an idempotency key derived from the event.

use std::future::Future;
use std::sync::{Arc, Mutex};

use kurrentdb::{Client, Position};
use rusqlite::Connection;

use crate::checkpoint::{create_table, read_checkpoint, write_checkpoint};
use crate::error::{ProjectionError, RepositoryError};
use crate::idempotency::IdempotencyKey;
use crate::metadata::EventContext;
use crate::runner::{Consumer, EventFilter, ProjectionRunner, RunnerOptions};
use crate::stored::StoredEvent;

/// Reactions to events, run by [`start_process`].
pub trait ProcessManager: Send + Sync + 'static {
    /// Its name: the key of its checkpoint.
    fn name(&self) -> &str;

    /// The events it follows.
    fn filter(&self) -> EventFilter;

    /// Reacts to one event. Must be idempotent: the same event may come
    /// again after a crash or a dropped subscription. An error that is not
    /// [transient](ProjectionError::is_transient) stops the process.
    fn react(
        &self,
        event: &StoredEvent,
    ) -> impl Future<Output = Result<(), ProjectionError>> + Send;
}

/// Runs `process` on a task of the current runtime from its checkpoint,
/// kept in the database of `connection`.
pub fn start_process<P: ProcessManager>(
    client: Client,
    connection: Connection,
    process: P,
    options: RunnerOptions,
) -> ProjectionRunner {
    let consumer = ProcessConsumer {
        name: process.name().to_owned(),
        process,
        connection: Arc::new(Mutex::new(connection)),
    };
    ProjectionRunner::spawn(client, consumer, options)
}

/// The context of the events a reaction to `event` writes: the same
/// conversation, caused by that event, for its office, by `actor`.
pub fn reaction_context(event: &StoredEvent, actor: &str) -> EventContext {
    EventContext::caused_by(event.id, &event.metadata, actor)
}

/// The idempotency key of a reaction to the event `event_id`: the same on
/// every redelivery, so the store drops a repeated append.
pub fn reaction_key(process: &str, event_id: uuid::Uuid) -> IdempotencyKey {
    IdempotencyKey::parse(&format!("{process}:{event_id}"))
        .expect("a process name and a uuid make a visible-ascii key")
}

/// A refusal by the domain is passed over, logged: delivering the event
/// again would not change it (the target is unknown, or the state forbids
/// the command). Every other error stands.
pub fn pass_over_refusal(
    process: &str,
    stream: &str,
    result: Result<(), RepositoryError>,
) -> Result<(), RepositoryError> {
    match result {
        Err(RepositoryError::Domain(refusal)) => {
            if refusal.kind() == labex_domain::ErrorKind::Conflict {
                tracing::info!(%process, %stream, %refusal, "reaction refused");
            } else {
                tracing::warn!(%process, %stream, %refusal, "reaction refused");
            }
            Ok(())
        }
        other => other,
    }
}

struct ProcessConsumer<P> {
    name: String,
    process: P,
    /// Only the checkpoint lives here; locked on a blocking thread.
    connection: Arc<Mutex<Connection>>,
}

impl<P> ProcessConsumer<P> {
    async fn with_connection<T: Send + 'static>(
        &self,
        work: impl FnOnce(&Connection) -> rusqlite::Result<T> + Send + 'static,
    ) -> Result<T, ProjectionError> {
        let connection = Arc::clone(&self.connection);
        tokio::task::spawn_blocking(move || {
            let connection = connection.lock().map_err(|_| {
                ProjectionError::Worker("the checkpoint lock is poisoned".to_owned())
            })?;
            Ok(work(&connection)?)
        })
        .await
        .map_err(|error| ProjectionError::Worker(error.to_string()))?
    }
}

impl<P: ProcessManager> Consumer for ProcessConsumer<P> {
    fn name(&self) -> &str {
        &self.name
    }

    fn filter(&self) -> EventFilter {
        self.process.filter()
    }

    async fn checkpoint(&mut self) -> Result<Option<Position>, ProjectionError> {
        let name = self.name.clone();
        self.with_connection(move |connection| {
            create_table(connection)?;
            read_checkpoint(connection, &name)
        })
        .await
    }

    async fn handle(
        &mut self,
        events: Vec<StoredEvent>,
        checkpoint: Position,
    ) -> Result<(), ProjectionError> {
        for event in &events {
            self.process.react(event).await?;
        }
        let name = self.name.clone();
        self.with_connection(move |connection| write_checkpoint(connection, &name, checkpoint))
            .await
    }
}
