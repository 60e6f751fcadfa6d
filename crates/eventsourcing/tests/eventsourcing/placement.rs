//! The placement process manager against the real store: a hire employs
//! the job seeker and fills the vacancy, and redelivery changes nothing.

use std::time::Duration;

use labex_domain::employer::Employer;
use labex_domain::jobseeker::{JobSeeker, JobSeekerStatus};
use labex_domain::referral::{Referral, ReferralOutcome};
use labex_domain::vacancy::{Vacancy, VacancyStatus};
use labex_domain::{EmployerId, JobSeekerId, ReferralId, VacancyId};
use labex_eventsourcing::{
    EventContext, IdempotencyKey, Metadata, PLACEMENT_ACTOR, PLACEMENT_PROCESS, PlacementProcess,
    Position, reset_checkpoint,
};

use crate::support::*;

struct Scene {
    jobseeker_id: JobSeekerId,
    vacancy_id: VacancyId,
    hired: ReferralId,
    hired_at: Position,
    hire_context: EventContext,
    rejected_at: Position,
}

/// An employer with a one-place vacancy, two job seekers referred to it:
/// one rejected, one hired.
async fn scene(store: &TestStore) -> Scene {
    let repository = store.repository();
    let employer_id = EmployerId::generate();
    repository
        .execute::<Employer>(employer_id, register_employer(employer_id), &context("c"))
        .await
        .unwrap();
    let vacancy_id = VacancyId::generate();
    let vacancy = repository
        .execute::<Vacancy>(
            vacancy_id,
            publish_vacancy(vacancy_id, employer_id, 1),
            &context("c"),
        )
        .await
        .unwrap()
        .state
        .unwrap();

    let mut referred = Vec::new();
    for _ in 0..2 {
        let jobseeker_id = JobSeekerId::generate();
        let jobseeker = repository
            .execute::<JobSeeker>(
                jobseeker_id,
                register_jobseeker(jobseeker_id),
                &context("c"),
            )
            .await
            .unwrap()
            .state
            .unwrap();
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

#[tokio::test]
async fn a_hire_employs_the_job_seeker_and_fills_the_vacancy() {
    let store = TestStore::start().await;
    let scene = scene(&store).await;
    let repository = store.repository();
    let process = PlacementProcess::start(repository.clone(), database(&store.data, "placement"));
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
    // with ids derived from the referral and their stream.
    let outcome_event = store.recorded(&scene.hired.stream_name()).await[1].clone();
    for stream in [
        scene.jobseeker_id.stream_name(),
        scene.vacancy_id.stream_name(),
    ] {
        let recorded = store.recorded(&stream).await;
        let reaction = recorded.last().unwrap();
        let metadata = Metadata::from_json(&reaction.custom_metadata).unwrap();
        assert_eq!(metadata.actor, PLACEMENT_ACTOR);
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
    let store = TestStore::start().await;
    let scene = scene(&store).await;
    let repository = store.repository();
    let process = PlacementProcess::start(repository.clone(), database(&store.data, "placement"));
    soon(process.wait_for(scene.hired_at, Duration::from_secs(10)))
        .await
        .unwrap();
    process.stop().await.unwrap();
    let jobseeker_events = store
        .recorded(&scene.jobseeker_id.stream_name())
        .await
        .len();
    let vacancy_events = store.recorded(&scene.vacancy_id.stream_name()).await.len();
    assert_eq!((jobseeker_events, vacancy_events), (2, 3));

    // Forget the checkpoint: every outcome is delivered again.
    let connection = database(&store.data, "placement");
    reset_checkpoint(&connection, PLACEMENT_PROCESS).unwrap();
    let process = PlacementProcess::start(repository.clone(), connection);
    soon(process.wait_for(scene.hired_at, Duration::from_secs(10)))
        .await
        .unwrap();
    assert!(process.progress().handled >= 2, "{:?}", process.progress());
    assert_eq!(
        store
            .recorded(&scene.jobseeker_id.stream_name())
            .await
            .len(),
        jobseeker_events
    );
    assert_eq!(
        store.recorded(&scene.vacancy_id.stream_name()).await.len(),
        vacancy_events
    );
    process.stop().await.unwrap();
}
