//! The placement process manager: a hire recorded on a referral employs
//! the job seeker and lowers the vacancy's open headcount (filling it at
//! zero).
//!
//! It follows `ReferralOutcomeRecorded` events through its own filtered
//! `$all` subscription and checkpoint ([`start_process`]), and runs the
//! domain's [`placement_commands`] through the [`Repository`]. Delivery is
//! at least once (the checkpoint is stored after the reactions), so every
//! reaction is idempotent twice over: the domain ignores a referral it has
//! already counted, and the events carry ids derived from the referral and
//! the target stream, so that a redelivered append is recognised and
//! writes nothing.

use kurrentdb::Client;
use labex_domain::Event;
use labex_domain::jobseeker::JobSeeker;
use labex_domain::placement::placement_commands;
use labex_domain::referral::{ReferralEvent, ReferralOutcomeRecorded};
use labex_domain::vacancy::Vacancy;
use labex_eventsourcing::{
    EventContext, EventFilter, ExecuteOptions, IdempotencyKey, ProcessManager, ProjectionError,
    ProjectionRunner, Repository, RepositoryError, RunnerOptions, StoredEvent, pass_over_refusal,
    reaction_context, start_process,
};
use rusqlite::Connection;

/// The name of its checkpoint.
pub const PLACEMENT_PROCESS: &str = "placement-process";
/// The actor its events name.
pub const PLACEMENT_ACTOR: &str = "process:placement";

/// The placement process manager.
pub struct PlacementProcess {
    repository: Repository,
}

impl PlacementProcess {
    /// Runs the process on a task of the current runtime, keeping its
    /// checkpoint in the database of `connection`.
    pub fn start(repository: Repository, connection: Connection) -> ProjectionRunner {
        Self::start_with(repository, connection, RunnerOptions::default())
    }

    /// Like [`start`](Self::start), with options.
    pub fn start_with(
        repository: Repository,
        connection: Connection,
        options: RunnerOptions,
    ) -> ProjectionRunner {
        let client: Client = repository.client().clone();
        start_process(client, connection, Self { repository }, options)
    }

    /// Carries out one referral outcome (nothing for outcomes other than
    /// a hire): the job seeker's employment, then the vacancy's placement.
    /// Safe to repeat.
    pub async fn react_to(
        repository: &Repository,
        context: &EventContext,
        outcome: &ReferralOutcomeRecorded,
    ) -> Result<(), RepositoryError> {
        let Some(commands) = placement_commands(outcome) else {
            return Ok(());
        };
        let key = IdempotencyKey::parse(&format!("placement:{}", outcome.referral_id))
            .expect("a referral id makes a visible-ascii key");
        let options = ExecuteOptions::default().idempotency_key(key);
        let employed = repository
            .execute_with::<JobSeeker>(
                commands.jobseeker_id,
                commands.jobseeker,
                context,
                options.clone(),
            )
            .await;
        pass_over_refusal(
            PLACEMENT_PROCESS,
            &commands.jobseeker_id.stream_name(),
            employed.map(|_| ()),
        )?;
        let placed = repository
            .execute_with::<Vacancy>(commands.vacancy_id, commands.vacancy, context, options)
            .await;
        pass_over_refusal(
            PLACEMENT_PROCESS,
            &commands.vacancy_id.stream_name(),
            placed.map(|_| ()),
        )
    }
}

impl ProcessManager for PlacementProcess {
    fn name(&self) -> &str {
        PLACEMENT_PROCESS
    }

    fn filter(&self) -> EventFilter {
        EventFilter::event_types([ReferralOutcomeRecorded::EVENT_TYPE])
    }

    async fn react(&self, event: &StoredEvent) -> Result<(), ProjectionError> {
        let Event::Referral(ReferralEvent::OutcomeRecorded(outcome)) = &event.event else {
            return Ok(());
        };
        tracing::debug!(referral = %outcome.referral_id, event = event.event.event_type(), "placement");
        let context = reaction_context(event, PLACEMENT_ACTOR);
        Ok(Self::react_to(&self.repository, &context, outcome).await?)
    }
}
