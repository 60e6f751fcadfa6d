//! The placement process manager against the real store: a hire employs
//! the job seeker and fills the vacancy, and redelivery changes nothing.

use std::time::Duration;

use chrono::{DateTime, Utc};
use labex_domain::jobseeker::{JobSeeker, JobSeekerStatus};
use labex_domain::referral::{
    MakeReferral, RecordReferralOutcome, Referral, ReferralCommand, ReferralOutcome,
};
use labex_domain::vacancy::{Vacancy, VacancyStatus};
use labex_domain::{JobSeekerId, ReferralId, VacancyId};
use labex_eventsourcing::{
    EventContext, IdempotencyKey, Metadata, Position, Repository, reset_checkpoint,
};
use labex_referrals::{PLACEMENT_ACTOR, PLACEMENT_PROCESS, PlacementProcess};
use labex_testkit::Store;

use crate::fixtures::{JINSHUI, Recorded, Records, database, date, division, recorded, soon};

/// A store with the scene below, and a folder for the process's
/// checkpoint.
struct Given {
    store: Store,
    records: Records,
    folder: tempfile::TempDir,
}

struct Scene {
    jobseeker_id: JobSeekerId,
    vacancy_id: VacancyId,
    hired: ReferralId,
    hired_at: Position,
    hire_context: EventContext,
    rejected_at: Position,
}

impl Given {
    async fn a_store() -> Self {
        let store = Store::start().await;
        let records = Records::new(store.client());
        Self {
            store,
            records,
            folder: labex_testkit::temporary_folder("labex-placement-"),
        }
    }

    fn repository(&self) -> &Repository {
        self.records.repository()
    }

    /// Starts the process on the checkpoint database of this store's
    /// folder.
    fn process(&self) -> labex_eventsourcing::ProjectionRunner {
        PlacementProcess::start(
            self.repository().clone(),
            database(&self.folder, "placement"),
        )
    }

    async fn events_of(&self, stream: &str) -> Vec<Recorded> {
        recorded(self.store.client(), stream).await
    }

    /// An employer with a one-place vacancy, two job seekers referred to
    /// it: one rejected, one hired.
    async fn a_hire_and_a_rejection(&self) -> Scene {
        let repository = self.repository();
        let employer_id = self.records.employer().await;
        let vacancy_id = self.records.vacancy(employer_id, 1).await;
        let (vacancy, _) = repository.get::<Vacancy>(vacancy_id).await.unwrap();

        let mut referred = Vec::new();
        for _ in 0..2 {
            let jobseeker_id = self.records.jobseeker(JINSHUI).await;
            let (jobseeker, _) = repository.get::<JobSeeker>(jobseeker_id).await.unwrap();
            let referral_id = ReferralId::generate();
            repository
                .execute::<Referral>(
                    referral_id,
                    make_referral(referral_id, &jobseeker, &vacancy),
                    &context("c"),
                )
                .await
                .unwrap();
            referred.push((jobseeker_id, referral_id));
        }
        let (_, rejected) = referred[0];
        let rejected_at = repository
            .execute::<Referral>(
                rejected,
                record_outcome(ReferralOutcome::Rejected),
                &context("c"),
            )
            .await
            .unwrap()
            .position
            .unwrap();
        let (jobseeker_id, hired) = referred[1];
        let hire_context = context("counsellor-9");
        let hired_at = repository
            .execute::<Referral>(hired, record_outcome(ReferralOutcome::Hired), &hire_context)
            .await
            .unwrap()
            .position
            .unwrap();
        Scene {
            jobseeker_id,
            vacancy_id,
            hired,
            hired_at,
            hire_context,
            rejected_at,
        }
    }
}

fn context(actor: &str) -> EventContext {
    EventContext::for_request(uuid::Uuid::now_v7(), actor, Some(division(JINSHUI)))
}

fn at(rfc3339: &str) -> DateTime<Utc> {
    rfc3339.parse().expect("an RFC 3339 time")
}

/// A referral of the job seeker to the vacancy, as the referral service
/// builds it from their current states.
fn make_referral(
    referral_id: ReferralId,
    jobseeker: &JobSeeker,
    vacancy: &Vacancy,
) -> ReferralCommand {
    ReferralCommand::Make(MakeReferral {
        referral_id,
        jobseeker_id: jobseeker.id,
        vacancy_id: vacancy.id,
        note: None,
        referred_at: at("2024-03-04T02:00:00Z"),
        vacancy: vacancy.for_referral(),
        jobseeker: jobseeker.for_referral(),
        open_referrals: vec![],
        fair_id: None,
    })
}

/// How the referral ended, on the day work started for a hire.
fn record_outcome(outcome: ReferralOutcome) -> ReferralCommand {
    ReferralCommand::RecordOutcome(RecordReferralOutcome {
        outcome,
        date: date(2024, 3, 11),
        note: None,
    })
}

#[tokio::test]
async fn a_hire_employs_the_job_seeker_and_fills_the_vacancy() {
    let given = Given::a_store().await;
    let scene = given.a_hire_and_a_rejection().await;
    let repository = given.repository();

    let process = given.process();
    soon(process.wait_for(
        scene.hired_at.max(scene.rejected_at),
        Duration::from_secs(10),
    ))
    .await
    .unwrap();

    let (jobseeker, _) = repository
        .get::<JobSeeker>(scene.jobseeker_id)
        .await
        .unwrap();
    assert_eq!(jobseeker.status, JobSeekerStatus::Employed);
    let employment = jobseeker.employment.unwrap();
    assert_eq!(employment.referral_id, Some(scene.hired));
    assert_eq!(employment.vacancy_id, Some(scene.vacancy_id));
    assert_eq!(employment.started_on, date(2024, 3, 11));

    let (vacancy, revision) = repository.get::<Vacancy>(scene.vacancy_id).await.unwrap();
    assert_eq!(vacancy.open_headcount, 0);
    assert_eq!(vacancy.status, VacancyStatus::Filled);
    assert_eq!(vacancy.placements.len(), 1, "the rejection placed nobody");
    // Published, placement recorded, filled.
    assert_eq!(revision, 2);

    // The reactions belong to the hire's conversation, caused by its event,
    // by the process, with ids derived from the key `placement:<referral>`
    // and their stream.
    let outcome_event = given.events_of(&scene.hired.stream_name()).await[1].clone();
    for stream in [
        scene.jobseeker_id.stream_name(),
        scene.vacancy_id.stream_name(),
    ] {
        let recorded = given.events_of(&stream).await;
        let reaction = recorded.last().unwrap();
        let metadata = Metadata::from_json(&reaction.custom_metadata).unwrap();
        assert_eq!(metadata.actor, PLACEMENT_ACTOR);
        assert_eq!(metadata.actor, "process:placement");
        assert_eq!(metadata.correlation_id, scene.hire_context.correlation_id);
        assert_eq!(metadata.causation_id, outcome_event.id);
        assert_eq!(metadata.office, scene.hire_context.office);
        let ids = IdempotencyKey::parse(&format!("placement:{}", scene.hired))
            .unwrap()
            .event_ids(PLACEMENT_ACTOR, &stream);
        let first_reaction = recorded.iter().find(|event| event.id == ids.id(0));
        assert!(first_reaction.is_some(), "{stream} holds the derived id");
    }
    process.stop().await.unwrap();
}

#[tokio::test]
async fn redelivering_every_outcome_from_the_start_appends_nothing() {
    let given = Given::a_store().await;
    let scene = given.a_hire_and_a_rejection().await;

    let process = given.process();
    soon(process.wait_for(scene.hired_at, Duration::from_secs(10)))
        .await
        .unwrap();
    process.stop().await.unwrap();
    let jobseeker_events = given
        .events_of(&scene.jobseeker_id.stream_name())
        .await
        .len();
    let vacancy_events = given.events_of(&scene.vacancy_id.stream_name()).await.len();
    assert_eq!((jobseeker_events, vacancy_events), (2, 3));

    // Forget the checkpoint: every outcome is delivered again.
    reset_checkpoint(&database(&given.folder, "placement"), PLACEMENT_PROCESS).unwrap();
    let process = given.process();
    soon(process.wait_for(scene.hired_at, Duration::from_secs(10)))
        .await
        .unwrap();
    assert!(process.progress().handled >= 2, "{:?}", process.progress());
    assert_eq!(
        given
            .events_of(&scene.jobseeker_id.stream_name())
            .await
            .len(),
        jobseeker_events
    );
    assert_eq!(
        given.events_of(&scene.vacancy_id.stream_name()).await.len(),
        vacancy_events
    );
    process.stop().await.unwrap();
}
