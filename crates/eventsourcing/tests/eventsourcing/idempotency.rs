//! A repeated `Idempotency-Key` appends nothing twice and gets the first
//! answer.

use labex_domain::JobSeekerId;
use labex_domain::jobseeker::{JobSeeker, JobSeekerCommand, RegisterUnemployment};
use labex_eventsourcing::{ExecuteOptions, IdempotencyKey};

use crate::support::*;

fn key(text: &str) -> ExecuteOptions {
    ExecuteOptions::default().idempotency_key(IdempotencyKey::parse(text).unwrap())
}

#[tokio::test]
async fn a_creating_command_retried_with_the_same_key_appends_once_and_answers_the_same() {
    let store = TestStore::start().await;
    let repository = store.repository();
    let idempotency_key = IdempotencyKey::parse("register-zhang-wei-1").unwrap();
    // The service derives the new aggregate's id from the key, so that the
    // retry addresses the same stream.
    let id = JobSeekerId::from_uuid(idempotency_key.aggregate_uuid("counsellor-1", "jobseeker"));

    let first = repository
        .execute_with::<JobSeeker>(
            id,
            register_jobseeker(id),
            &context("counsellor-1"),
            key("register-zhang-wei-1"),
        )
        .await
        .unwrap();
    let retry = repository
        .execute_with::<JobSeeker>(
            id,
            register_jobseeker(id),
            &context("counsellor-1"),
            key("register-zhang-wei-1"),
        )
        .await
        .unwrap();

    assert!(!first.replayed);
    assert!(retry.replayed);
    assert_eq!(retry.events, first.events);
    assert_eq!(retry.revision, first.revision);
    assert_eq!(retry.position, first.position);
    assert_eq!(retry.state, first.state);
    let recorded = store.recorded(&id.stream_name()).await;
    assert_eq!(recorded.len(), 1);
    assert_eq!(
        recorded[0].id,
        idempotency_key
            .event_ids("counsellor-1", &id.stream_name())
            .id(0)
    );
}

#[tokio::test]
async fn a_retry_after_later_changes_still_answers_with_the_first_attempts_revision() {
    let store = TestStore::start().await;
    let repository = store.repository();
    let id = JobSeekerId::generate();
    repository
        .execute::<JobSeeker>(id, register_jobseeker(id), &context("c"))
        .await
        .unwrap();
    let unemployment = || {
        JobSeekerCommand::RegisterUnemployment(RegisterUnemployment {
            registered_on: date(2024, 3, 2),
            note: None,
        })
    };
    let first = repository
        .execute_with::<JobSeeker>(id, unemployment(), &context("c"), key("u-1"))
        .await
        .unwrap();
    assert_eq!(first.revision, Some(1));
    // Someone else changes the job seeker before the retry arrives.
    repository
        .execute::<JobSeeker>(
            id,
            JobSeekerCommand::RegisterEmployment(labex_domain::jobseeker::RegisterEmployment {
                started_on: date(2024, 3, 5),
                employer_id: None,
                employer_name: Some(
                    labex_domain::value::OrganisationName::parse("郑州某公司").unwrap(),
                ),
                note: None,
            }),
            &context("other"),
        )
        .await
        .unwrap();

    let retry = repository
        .execute_with::<JobSeeker>(id, unemployment(), &context("c"), key("u-1"))
        .await
        .unwrap();
    assert!(retry.replayed);
    assert_eq!(retry.revision, Some(1));
    assert_eq!(retry.state, first.state);
    assert_eq!(store.recorded(&id.stream_name()).await.len(), 3);
}

#[tokio::test]
async fn the_same_key_from_another_actor_is_another_command() {
    let store = TestStore::start().await;
    let repository = store.repository();
    let id = JobSeekerId::generate();
    repository
        .execute::<JobSeeker>(id, register_jobseeker(id), &context("c"))
        .await
        .unwrap();
    let unemployment = JobSeekerCommand::RegisterUnemployment(RegisterUnemployment {
        registered_on: date(2024, 3, 2),
        note: None,
    });
    repository
        .execute_with::<JobSeeker>(id, unemployment.clone(), &context("alice"), key("k"))
        .await
        .unwrap();
    let bobs = repository
        .execute_with::<JobSeeker>(id, unemployment, &context("bob"), key("k"))
        .await;
    // Bob's command is decided on its own: the job seeker is already
    // registered unemployed.
    assert!(matches!(
        bobs,
        Err(labex_eventsourcing::RepositoryError::Domain(refusal))
            if refusal.downcast_ref::<labex_domain::jobseeker::JobSeekerError>()
                == Some(&labex_domain::jobseeker::JobSeekerError::AlreadyRegisteredUnemployed)
    ));
}

#[tokio::test]
async fn concurrent_retries_with_one_key_append_one_set_of_events() {
    let store = TestStore::start().await;
    let repository = store.repository();
    let id = JobSeekerId::generate();
    let attempts = (0..6).map(|_| {
        let repository = repository.clone();
        tokio::spawn(async move {
            repository
                .execute_with::<JobSeeker>(
                    id,
                    register_jobseeker(id),
                    &context("counsellor-1"),
                    key("one-registration"),
                )
                .await
        })
    });
    let mut revisions = Vec::new();
    for attempt in attempts.collect::<Vec<_>>() {
        revisions.push(attempt.await.unwrap().unwrap().revision);
    }
    assert!(revisions.iter().all(|revision| *revision == Some(0)));
    assert_eq!(store.recorded(&id.stream_name()).await.len(), 1);
}
