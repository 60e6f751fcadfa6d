//! The placement process manager: a hire recorded on a referral employs
//! the job seeker and lowers the vacancy's open headcount (filling it at
//! zero).
//!
//! It follows `ReferralOutcomeRecorded` events through its own filtered
//! `$all` subscription and checkpoint, and runs the domain's
//! [`placement_commands`] through the [`Repository`]. Delivery is at least
//! once (the checkpoint is stored after the reactions), so every reaction
//! is idempotent twice over: the domain ignores a referral it has already
//! counted, and the events carry ids derived from the referral and the
//! target stream, so that a redelivered append is recognised and writes
//! nothing.

use std::sync::{Arc, Mutex};

use kurrentdb::Position;
use labex_domain::event::Event;
use labex_domain::jobseeker::JobSeeker;
use labex_domain::placement::placement_commands;
use labex_domain::referral::{ReferralEvent, ReferralOutcomeRecorded};
use labex_domain::vacancy::Vacancy;
use labex_domain::{DomainError, ErrorKind};
use rusqlite::Connection;

use crate::checkpoint::{create_table, read_checkpoint, write_checkpoint};
use crate::error::{ProjectionError, RepositoryError};
use crate::idempotency::IdempotencyKey;
use crate::metadata::EventContext;
use crate::repository::{AggregateStream, ExecuteOptions, Repository};
use crate::runner::{Consumer, EventFilter, ProjectionRunner, RunnerOptions};
use crate::stored::StoredEvent;

/// The name of its checkpoint.
pub const PLACEMENT_PROCESS: &str = "placement-process";
/// The actor its events name.
pub const PLACEMENT_ACTOR: &str = "process:placement";

/// Starts and names the placement process manager.
pub struct PlacementProcess;

impl PlacementProcess {
    /// Runs the process on a task of the current runtime, keeping its
    /// checkpoint in the database of `connection` (a service's read-model
    /// database).
    pub fn start(repository: Repository, connection: Connection) -> ProjectionRunner {
        Self::start_with(repository, connection, RunnerOptions::default())
    }

    /// Like [`start`](Self::start), with options.
    pub fn start_with(
        repository: Repository,
        connection: Connection,
        options: RunnerOptions,
    ) -> ProjectionRunner {
        let client = repository.client().clone();
        let consumer = PlacementConsumer {
            repository,
            connection: Arc::new(Mutex::new(connection)),
        };
        ProjectionRunner::spawn(client, consumer, options)
    }

    /// Carries out one referral outcome (nothing for outcomes other than
    /// a hire): the job seeker's employment, then the vacancy's placement.
    /// Safe to repeat.
    pub async fn react(
        repository: &Repository,
        event_id: uuid::Uuid,
        context_of: &EventContext,
        outcome: &ReferralOutcomeRecorded,
    ) -> Result<(), RepositoryError> {
        let Some(commands) = placement_commands(outcome) else {
            return Ok(());
        };
        let context = EventContext {
            correlation_id: context_of.correlation_id,
            causation_id: event_id,
            actor: PLACEMENT_ACTOR.to_owned(),
            office: context_of.office.clone(),
            at: crate::metadata::now_millis(),
        };
        let key = IdempotencyKey::parse(&format!("placement:{}", outcome.referral_id))
            .expect("a referral id makes a visible-ascii key");
        let options = ExecuteOptions::default().idempotency_key(key);
        let employed = repository
            .execute_with::<JobSeeker>(
                commands.jobseeker_id,
                commands.jobseeker,
                &context,
                options.clone(),
            )
            .await;
        skip_refusal::<JobSeeker>(commands.jobseeker_id, outcome, employed.map(|_| ()))?;
        let placed = repository
            .execute_with::<Vacancy>(commands.vacancy_id, commands.vacancy, &context, options)
            .await;
        skip_refusal::<Vacancy>(commands.vacancy_id, outcome, placed.map(|_| ()))?;
        Ok(())
    }
}

/// A refusal by the domain (the job seeker or vacancy is unknown, say) is
/// logged and passed over: redelivering the hire would not change it.
fn skip_refusal<A: AggregateStream>(
    id: A::Id,
    outcome: &ReferralOutcomeRecorded,
    result: Result<(), RepositoryError>,
) -> Result<(), RepositoryError> {
    match result {
        Err(RepositoryError::Domain(refusal)) => {
            log_refusal(&A::stream_name(id), outcome, &refusal);
            Ok(())
        }
        other => other,
    }
}

fn log_refusal(stream: &str, outcome: &ReferralOutcomeRecorded, refusal: &DomainError) {
    let level_is_warning = refusal.kind() != ErrorKind::Conflict;
    if level_is_warning {
        tracing::warn!(%stream, referral = %outcome.referral_id, %refusal, "placement refused");
    } else {
        tracing::info!(%stream, referral = %outcome.referral_id, %refusal, "placement refused");
    }
}

struct PlacementConsumer {
    repository: Repository,
    /// Only the checkpoint lives here; locked on a blocking thread.
    connection: Arc<Mutex<Connection>>,
}

impl PlacementConsumer {
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

impl Consumer for PlacementConsumer {
    fn name(&self) -> &str {
        PLACEMENT_PROCESS
    }

    fn filter(&self) -> EventFilter {
        EventFilter::event_types(["ReferralOutcomeRecorded"])
    }

    async fn checkpoint(&mut self) -> Result<Option<Position>, ProjectionError> {
        self.with_connection(|connection| {
            create_table(connection)?;
            read_checkpoint(connection, PLACEMENT_PROCESS)
        })
        .await
    }

    async fn handle(
        &mut self,
        events: Vec<StoredEvent>,
        checkpoint: Position,
    ) -> Result<(), ProjectionError> {
        for event in &events {
            let Event::Referral(ReferralEvent::OutcomeRecorded(outcome)) = &event.event else {
                continue;
            };
            PlacementProcess::react(
                &self.repository,
                event.id,
                &event.metadata.context(event.created),
                outcome,
            )
            .await?;
        }
        self.with_connection(move |connection| {
            write_checkpoint(connection, PLACEMENT_PROCESS, checkpoint)
        })
        .await
    }
}
