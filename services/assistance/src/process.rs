//! The household process manager: a household's state follows its
//! members' employment. It follows the job seekers' employment and
//! unemployment registrations and the referrals' outcomes (a hire is
//! seen before the placement process writes the employment it implies)
//! through its own filtered `$all` subscription and checkpoint, finds each
//! member's household by the member's turn stream, and records the
//! member's employment or unemployment on it; the domain clears a
//! registered household, or registers a cleared one again, naming the
//! member's event.
//!
//! Delivery is at least once. Every reaction is idempotent twice over:
//! the household ignores an event it has taken into account already (and
//! a second signal of the same employment), and its events carry ids
//! derived from the causing event, so a redelivered append writes nothing.
//!
//! Stabilisation (稳定) is a matter of time, not of an event: the
//! [`Stabiliser`] looks, at start and then periodically, for cleared
//! households whose follow-up period is over, and stabilises them.

use std::time::Duration;

use chrono::{NaiveDate, Utc};
use kurrentdb::Client;
use labex_app::RuleBook;
use labex_domain::course::{Course, CourseEvent, Placement, TraineeEnrolled, TraineePromoted};
use labex_domain::household::{
    Cause, Household, HouseholdCommand, HouseholdRules, Measure, RecordMeasureDelivered,
    RecordMemberEmployed, RecordMemberUnemployed, StabiliseHousehold,
};
use labex_domain::jobseeker::{EmploymentRegistered, JobSeekerEvent, UnemploymentRegistered};
use labex_domain::referral::{
    ReferralEvent, ReferralMade, ReferralOutcome, ReferralOutcomeRecorded,
};
use labex_domain::{Event, HouseholdId, JobSeekerId, china_date};
use labex_eventsourcing::{
    EventContext, EventFilter, ExecuteOptions, ProcessManager, ProjectionError, ProjectionRunner,
    ReadModel, Repository, RepositoryError, RunnerOptions, StoredEvent, pass_over_refusal,
    reaction_context, reaction_key, start_process,
};
use rusqlite::Connection;
use tokio::sync::watch;

use crate::members::household_of;
use crate::read_model;

/// The name of its checkpoint.
pub const HOUSEHOLD_PROCESS: &str = "household-process";
/// The actor its events name.
pub const HOUSEHOLD_ACTOR: &str = "process:households";

/// What a member's event says.
#[derive(Debug, Clone, PartialEq, Eq)]
enum MemberFact {
    Employed { started_on: NaiveDate },
    Unemployed { registered_on: NaiveDate },
}

/// The household process manager.
pub struct HouseholdProcess {
    repository: Repository,
    rules: RuleBook<HouseholdRules>,
}

impl HouseholdProcess {
    /// Runs the process on a task of the current runtime, keeping its
    /// checkpoint in the database of `connection`.
    pub fn start(
        repository: Repository,
        rules: RuleBook<HouseholdRules>,
        connection: Connection,
    ) -> ProjectionRunner {
        let client: Client = repository.client().clone();
        start_process(
            client,
            connection,
            Self { repository, rules },
            RunnerOptions::default(),
        )
    }

    /// The member and what happened to them, for the events it follows.
    fn fact(event: &Event) -> Option<(JobSeekerId, MemberFact)> {
        match event {
            Event::JobSeeker(JobSeekerEvent::EmploymentRegistered(EmploymentRegistered {
                jobseeker_id,
                started_on,
                ..
            })) => Some((
                *jobseeker_id,
                MemberFact::Employed {
                    started_on: *started_on,
                },
            )),
            Event::JobSeeker(JobSeekerEvent::UnemploymentRegistered(UnemploymentRegistered {
                jobseeker_id,
                registered_on,
                ..
            })) => Some((
                *jobseeker_id,
                MemberFact::Unemployed {
                    registered_on: *registered_on,
                },
            )),
            Event::Referral(ReferralEvent::OutcomeRecorded(ReferralOutcomeRecorded {
                jobseeker_id,
                outcome: ReferralOutcome::Hired,
                date,
                ..
            })) => Some((*jobseeker_id, MemberFact::Employed { started_on: *date })),
            _ => None,
        }
    }

    /// Records one member event on the member's household, if they have
    /// one. Safe to repeat.
    pub async fn react_to(
        repository: &Repository,
        rules: &RuleBook<HouseholdRules>,
        event: &StoredEvent,
    ) -> Result<(), RepositoryError> {
        let Some((member, fact)) = Self::fact(&event.event) else {
            return Ok(());
        };
        let Some(household_id) = household_of(repository, member).await? else {
            return Ok(());
        };
        let Some(household) = repository.load::<Household>(household_id).await?.state else {
            return Ok(());
        };
        let cause = Cause {
            event_id: event.id,
            event_type: event.event.event_type().to_owned(),
        };
        let command = match fact {
            MemberFact::Employed { started_on } => {
                HouseholdCommand::RecordMemberEmployed(RecordMemberEmployed {
                    jobseeker_id: member,
                    started_on,
                    cause,
                    rules: rules.for_office(&household.office).clone(),
                })
            }
            MemberFact::Unemployed { registered_on } => {
                HouseholdCommand::RecordMemberUnemployed(RecordMemberUnemployed {
                    jobseeker_id: member,
                    registered_on,
                    cause,
                })
            }
        };
        let mut context = reaction_context(event, HOUSEHOLD_ACTOR);
        context.office = Some(household.office.clone());
        let options =
            ExecuteOptions::default().idempotency_key(reaction_key(HOUSEHOLD_PROCESS, event.id));
        let done = repository
            .execute_with::<Household>(household_id, command, &context, options)
            .await;
        if let Ok(executed) = &done
            && !executed.events.is_empty()
        {
            tracing::debug!(household = %household_id, event = event.event.event_type(), "household follows its member");
        }
        pass_over_refusal(
            HOUSEHOLD_PROCESS,
            &household_id.stream_name(),
            done.map(|_| ()),
        )
    }
}

impl ProcessManager for HouseholdProcess {
    fn name(&self) -> &str {
        HOUSEHOLD_PROCESS
    }

    fn filter(&self) -> EventFilter {
        EventFilter::event_types([
            EmploymentRegistered::EVENT_TYPE,
            UnemploymentRegistered::EVENT_TYPE,
            ReferralOutcomeRecorded::EVENT_TYPE,
        ])
    }

    async fn react(&self, event: &StoredEvent) -> Result<(), ProjectionError> {
        Ok(Self::react_to(&self.repository, &self.rules, event).await?)
    }
}

/// The name of the referral-measures process's checkpoint.
pub const REFERRAL_MEASURES_PROCESS: &str = "household-referral-measures";

/// The referral-measures process manager: a referral made for a member of
/// a household on the register is a job referral (职业介绍) delivered to
/// the household, counted on its assistance by itself (one-to-one
/// assistance, 一对一帮扶). It follows `ReferralMade` through its own
/// subscription and checkpoint (so that it takes in the referrals made
/// before it existed, decision 089), finds the member's household by the
/// member's turn stream, and records the measure, naming the referral's
/// event. Idempotent as [`HouseholdProcess`] is: the household ignores a
/// cause it has taken in, and the append carries the reaction's key.
pub struct ReferralMeasureProcess {
    repository: Repository,
}

impl ReferralMeasureProcess {
    /// Runs the process on a task of the current runtime, keeping its
    /// checkpoint in the database of `connection`.
    pub fn start(repository: Repository, connection: Connection) -> ProjectionRunner {
        let client: Client = repository.client().clone();
        start_process(
            client,
            connection,
            Self { repository },
            RunnerOptions::default(),
        )
    }

    /// Records one referral on the member's household, if they have one.
    /// Safe to repeat.
    pub async fn react_to(
        repository: &Repository,
        event: &StoredEvent,
    ) -> Result<(), RepositoryError> {
        let Event::Referral(ReferralEvent::Made(ReferralMade {
            jobseeker_id,
            referred_at,
            ..
        })) = &event.event
        else {
            return Ok(());
        };
        deliver_measure(
            repository,
            event,
            REFERRAL_MEASURES_PROCESS,
            *jobseeker_id,
            Measure::JobReferral,
            china_date(*referred_at),
        )
        .await
    }
}

/// Records on a member's household (if they have one) a measure another
/// context delivered to them, naming the event that says so; safe to
/// repeat (the household ignores a cause it has taken in, and the append
/// carries the reaction's key of `process`).
async fn deliver_measure(
    repository: &Repository,
    event: &StoredEvent,
    process: &str,
    jobseeker_id: JobSeekerId,
    measure: Measure,
    delivered_on: NaiveDate,
) -> Result<(), RepositoryError> {
    let Some(household_id) = household_of(repository, jobseeker_id).await? else {
        return Ok(());
    };
    let Some(household) = repository.load::<Household>(household_id).await?.state else {
        return Ok(());
    };
    let command = HouseholdCommand::RecordMeasureDelivered(RecordMeasureDelivered {
        jobseeker_id,
        measure,
        delivered_on,
        cause: Cause {
            event_id: event.id,
            event_type: event.event.event_type().to_owned(),
        },
    });
    let mut context = reaction_context(event, HOUSEHOLD_ACTOR);
    context.office = Some(household.office.clone());
    let options = ExecuteOptions::default().idempotency_key(reaction_key(process, event.id));
    let done = repository
        .execute_with::<Household>(household_id, command, &context, options)
        .await;
    if let Ok(executed) = &done
        && !executed.events.is_empty()
    {
        tracing::debug!(household = %household_id, ?measure, "a member's measure counts");
    }
    pass_over_refusal(process, &household_id.stream_name(), done.map(|_| ()))
}

/// The name of the training-measures process's checkpoint.
pub const TRAINING_MEASURES_PROCESS: &str = "household-training-measures";

/// The training-measures process manager: a member of a household on the
/// register who takes a seat on a training course (enrolled with a seat,
/// or moved up from the waiting list) has been given training (职业培训),
/// counted on the household's assistance by itself, as a referral is
/// (decision 089). A place on the waiting list is not yet training; a
/// completion is the same training, not another measure.
pub struct TrainingMeasureProcess {
    repository: Repository,
}

impl TrainingMeasureProcess {
    /// Runs the process on a task of the current runtime, keeping its
    /// checkpoint in the database of `connection`.
    pub fn start(repository: Repository, connection: Connection) -> ProjectionRunner {
        let client: Client = repository.client().clone();
        start_process(
            client,
            connection,
            Self { repository },
            RunnerOptions::default(),
        )
    }

    /// Records one seat taken on the trainee's household, if they have
    /// one. Safe to repeat.
    pub async fn react_to(
        repository: &Repository,
        event: &StoredEvent,
    ) -> Result<(), RepositoryError> {
        let (jobseeker_id, at) = match &event.event {
            Event::Course(CourseEvent::Enrolled(TraineeEnrolled {
                jobseeker_id,
                placement: Placement::Seat,
                enrolled_at,
                ..
            })) => (*jobseeker_id, *enrolled_at),
            Event::Course(CourseEvent::Promoted(TraineePromoted {
                course_id,
                enrolment_id,
                promoted_at,
            })) => {
                // The promotion names the enrolment, not the trainee.
                let course = repository.load::<Course>(*course_id).await?.state;
                let Some(enrolment) = course
                    .as_ref()
                    .and_then(|course| course.enrolments.get(enrolment_id))
                else {
                    return Ok(());
                };
                (enrolment.jobseeker_id, *promoted_at)
            }
            _ => return Ok(()),
        };
        deliver_measure(
            repository,
            event,
            TRAINING_MEASURES_PROCESS,
            jobseeker_id,
            Measure::Training,
            china_date(at),
        )
        .await
    }
}

impl ProcessManager for TrainingMeasureProcess {
    fn name(&self) -> &str {
        TRAINING_MEASURES_PROCESS
    }

    fn filter(&self) -> EventFilter {
        EventFilter::event_types([TraineeEnrolled::EVENT_TYPE, TraineePromoted::EVENT_TYPE])
    }

    async fn react(&self, event: &StoredEvent) -> Result<(), ProjectionError> {
        Ok(Self::react_to(&self.repository, event).await?)
    }
}

impl ProcessManager for ReferralMeasureProcess {
    fn name(&self) -> &str {
        REFERRAL_MEASURES_PROCESS
    }

    fn filter(&self) -> EventFilter {
        EventFilter::event_types([ReferralMade::EVENT_TYPE])
    }

    async fn react(&self, event: &StoredEvent) -> Result<(), ProjectionError> {
        Ok(Self::react_to(&self.repository, event).await?)
    }
}

/// Stabilises cleared households whose follow-up period is over: at
/// start, then every `period`, until stopped.
pub struct Stabiliser {
    stop: watch::Sender<bool>,
    task: tokio::sync::Mutex<Option<tokio::task::JoinHandle<()>>>,
}

impl Stabiliser {
    /// Starts the periodic look on the current runtime.
    pub fn start(repository: Repository, register: ReadModel, period: Duration) -> Self {
        let (stop, mut stopped) = watch::channel(false);
        let task = tokio::spawn(async move {
            loop {
                if let Err(error) =
                    stabilise_due(&repository, &register, china_date(Utc::now())).await
                {
                    tracing::warn!(%error, "stabilising households failed; trying again later");
                }
                tokio::select! {
                    _ = tokio::time::sleep(period) => {}
                    _ = stopped.changed() => break,
                }
            }
        });
        Self {
            stop,
            task: tokio::sync::Mutex::new(Some(task)),
        }
    }

    /// Stops it after the look in hand.
    pub async fn stop(&self) {
        let _ = self.stop.send(true);
        if let Some(task) = self.task.lock().await.take() {
            let _ = task.await;
        }
    }
}

/// Stabilises every cleared household the register says is due by
/// `today`: how many were.
pub async fn stabilise_due(
    repository: &Repository,
    register: &ReadModel,
    today: NaiveDate,
) -> Result<usize, labex_app::Error> {
    let due = register
        .read(move |connection| read_model::stabilising(connection, today))
        .await?;
    let mut stabilised = 0;
    for id in due {
        let Ok(household_id) = HouseholdId::parse(&id) else {
            continue;
        };
        let Some(household) = repository.load::<Household>(household_id).await?.state else {
            continue;
        };
        let context = EventContext::for_request(
            uuid::Uuid::now_v7(),
            HOUSEHOLD_ACTOR,
            Some(household.office.clone()),
        );
        let done = repository
            .execute::<Household>(
                household_id,
                HouseholdCommand::Stabilise(StabiliseHousehold { today }),
                &context,
            )
            .await?;
        if !done.events.is_empty() {
            stabilised += 1;
        }
    }
    Ok(stabilised)
}
