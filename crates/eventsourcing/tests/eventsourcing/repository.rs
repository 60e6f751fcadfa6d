//! Loading and executing commands: folds, revisions, expected revisions,
//! lost races, `as_of`, upcasting.

use std::time::Duration;

use chrono::Utc;
use kurrentdb::{AppendToStreamOptions, EventData, StreamState};
use labex_domain::jobseeker::JobSeekerError;
use labex_domain::jobseeker::{
    JobSeeker, JobSeekerCommand, JobSeekerStatus, ProfileChanges, RegisterUnemployment,
    UpdateJobSeekerProfile,
};
use labex_domain::vacancy::{RecordVacancyPlacement, Vacancy, VacancyCommand, VacancyStatus};
use labex_domain::value::JobSeekerCategory;
use labex_domain::{EmployerId, JobSeekerId, ReferralId, VacancyId};
use labex_eventsourcing::{ExecuteOptions, ExpectedRevision, Loaded, RepositoryError};

use crate::support::*;

fn add_skill(skill: &str) -> JobSeekerCommand {
    let mut skills = zhang_wei_profile().skills;
    skills.push(label(skill));
    JobSeekerCommand::UpdateProfile(UpdateJobSeekerProfile {
        personal: Default::default(),
        profile: ProfileChanges {
            skills: Some(skills),
            ..Default::default()
        },
    })
}

#[tokio::test]
async fn an_aggregate_without_events_loads_as_no_state_and_no_revision() {
    let store = TestStore::start().await;
    let loaded = store
        .repository()
        .load::<JobSeeker>(JobSeekerId::generate())
        .await
        .unwrap();
    assert_eq!(
        loaded,
        Loaded {
            state: None,
            revision: None
        }
    );
    let missing = store
        .repository()
        .get::<JobSeeker>(JobSeekerId::generate())
        .await;
    assert!(matches!(missing, Err(RepositoryError::NotFound { .. })));
}

#[tokio::test]
async fn executed_commands_append_events_that_load_folds_back_with_their_revision() {
    let store = TestStore::start().await;
    let repository = store.repository();
    let id = JobSeekerId::generate();

    let registered = repository
        .execute::<JobSeeker>(id, register_jobseeker(id), &context("counsellor-1"))
        .await
        .unwrap();
    assert_eq!(registered.events.len(), 1);
    assert_eq!(registered.revision, Some(0));
    assert!(!registered.replayed);
    assert!(registered.position.is_some());

    let unemployed = repository
        .execute::<JobSeeker>(
            id,
            JobSeekerCommand::RegisterUnemployment(RegisterUnemployment {
                registered_on: date(2024, 3, 2),
                note: None,
            }),
            &context("counsellor-1"),
        )
        .await
        .unwrap();
    assert_eq!(unemployed.revision, Some(1));
    assert_eq!(
        unemployed.state.as_ref().map(|state| state.status),
        Some(JobSeekerStatus::RegisteredUnemployed)
    );

    let loaded = repository.load::<JobSeeker>(id).await.unwrap();
    assert_eq!(loaded.revision, Some(1));
    assert_eq!(loaded.state, unemployed.state);
    let (state, revision) = repository.get::<JobSeeker>(id).await.unwrap();
    assert_eq!((state.id, revision), (id, 1));
    let revisions: Vec<u64> = store
        .recorded(&id.stream_name())
        .await
        .iter()
        .map(|event| event.revision)
        .collect();
    assert_eq!(revisions, vec![0, 1]);
}

#[tokio::test]
async fn a_refused_command_is_a_domain_error_and_appends_nothing() {
    let store = TestStore::start().await;
    let repository = store.repository();
    let id = JobSeekerId::generate();
    let refused = repository
        .execute::<JobSeeker>(id, add_skill("Go"), &context("counsellor-1"))
        .await;
    assert!(matches!(
        refused,
        Err(RepositoryError::Domain(refusal))
            if refusal.downcast_ref::<JobSeekerError>() == Some(&JobSeekerError::NotFound)
    ));
    repository
        .execute::<JobSeeker>(id, register_jobseeker(id), &context("counsellor-1"))
        .await
        .unwrap();
    let again = repository
        .execute::<JobSeeker>(id, register_jobseeker(id), &context("counsellor-1"))
        .await;
    assert!(matches!(
        again,
        Err(RepositoryError::Domain(refusal))
            if refusal.downcast_ref::<JobSeekerError>() == Some(&JobSeekerError::AlreadyExists)
    ));
    assert_eq!(store.recorded(&id.stream_name()).await.len(), 1);
}

#[tokio::test]
async fn a_command_that_changes_nothing_appends_nothing_and_keeps_the_revision() {
    let store = TestStore::start().await;
    let repository = store.repository();
    let id = JobSeekerId::generate();
    repository
        .execute::<JobSeeker>(id, register_jobseeker(id), &context("c"))
        .await
        .unwrap();
    let unchanged = repository
        .execute::<JobSeeker>(
            id,
            JobSeekerCommand::UpdateProfile(UpdateJobSeekerProfile {
                personal: Default::default(),
                profile: ProfileChanges {
                    skills: Some(zhang_wei_profile().skills),
                    ..Default::default()
                },
            }),
            &context("c"),
        )
        .await
        .unwrap();
    assert!(unchanged.events.is_empty());
    assert_eq!(unchanged.revision, Some(0));
    assert_eq!(store.recorded(&id.stream_name()).await.len(), 1);
}

#[tokio::test]
async fn a_stale_if_match_is_a_conflict_naming_both_revisions_and_appends_nothing() {
    let store = TestStore::start().await;
    let repository = store.repository();
    let id = JobSeekerId::generate();
    repository
        .execute::<JobSeeker>(id, register_jobseeker(id), &context("c"))
        .await
        .unwrap();
    repository
        .execute::<JobSeeker>(id, add_skill("Go"), &context("c"))
        .await
        .unwrap();

    let stale = repository
        .execute_with::<JobSeeker>(
            id,
            add_skill("Kotlin"),
            &context("c"),
            ExecuteOptions::default().if_match(0),
        )
        .await;
    match stale {
        Err(RepositoryError::Conflict {
            expected, actual, ..
        }) => assert_eq!((expected, actual), (Some(0), Some(1))),
        other => panic!("expected a conflict, got {other:?}"),
    }
    assert_eq!(store.recorded(&id.stream_name()).await.len(), 2);

    let current = repository
        .execute_with::<JobSeeker>(
            id,
            add_skill("Kotlin"),
            &context("c"),
            ExecuteOptions::default().if_match(1),
        )
        .await
        .unwrap();
    assert_eq!(current.revision, Some(2));
}

#[tokio::test]
async fn expecting_no_stream_on_an_existing_aggregate_is_a_conflict() {
    let store = TestStore::start().await;
    let repository = store.repository();
    let id = JobSeekerId::generate();
    repository
        .execute::<JobSeeker>(id, register_jobseeker(id), &context("c"))
        .await
        .unwrap();
    let conflict = repository
        .execute_with::<JobSeeker>(
            id,
            register_jobseeker(id),
            &context("c"),
            ExecuteOptions::default().expected(ExpectedRevision::NoStream),
        )
        .await;
    assert!(matches!(
        conflict,
        Err(RepositoryError::Conflict {
            expected: None,
            actual: Some(0),
            ..
        })
    ));
}

/// Eight hires on one vacancy at once: every writer but one loses each
/// round, reloads, decides again on the new state, and wins later.
#[tokio::test]
async fn concurrent_commands_that_lose_the_race_reload_and_decide_again() {
    let store = TestStore::start().await;
    let repository = store.repository().with_conflict_retries(16);
    let vacancy_id = VacancyId::generate();
    repository
        .execute::<Vacancy>(
            vacancy_id,
            publish_vacancy(vacancy_id, EmployerId::generate(), 8),
            &context("c"),
        )
        .await
        .unwrap();

    let hires = (0..8).map(|_| {
        let repository = repository.clone();
        tokio::spawn(async move {
            repository
                .execute::<Vacancy>(
                    vacancy_id,
                    VacancyCommand::RecordPlacement(RecordVacancyPlacement {
                        referral_id: ReferralId::generate(),
                        jobseeker_id: JobSeekerId::generate(),
                        hired_on: date(2024, 3, 11),
                    }),
                    &context("process"),
                )
                .await
        })
    });
    for hire in hires.collect::<Vec<_>>() {
        hire.await.unwrap().unwrap();
    }

    let (vacancy, revision) = repository.get::<Vacancy>(vacancy_id).await.unwrap();
    assert_eq!(vacancy.placements.len(), 8);
    assert_eq!(vacancy.open_headcount, 0);
    assert_eq!(vacancy.status, VacancyStatus::Filled);
    // Published, eight placements, filled.
    assert_eq!(revision, 9);
}

#[tokio::test]
async fn a_command_without_retries_reports_the_lost_race_as_a_conflict() {
    let store = TestStore::start().await;
    let repository = store.repository();
    let vacancy_id = VacancyId::generate();
    repository
        .execute::<Vacancy>(
            vacancy_id,
            publish_vacancy(vacancy_id, EmployerId::generate(), 50),
            &context("c"),
        )
        .await
        .unwrap();
    let hire = || {
        VacancyCommand::RecordPlacement(RecordVacancyPlacement {
            referral_id: ReferralId::generate(),
            jobseeker_id: JobSeekerId::generate(),
            hired_on: date(2024, 3, 11),
        })
    };
    let attempts = (0..16).map(|_| {
        let repository = repository.clone();
        let command = hire();
        tokio::spawn(async move {
            repository
                .execute_with::<Vacancy>(
                    vacancy_id,
                    command,
                    &context("c"),
                    ExecuteOptions::default().without_retry(),
                )
                .await
        })
    });
    let mut won = 0;
    let mut lost = 0;
    for attempt in attempts.collect::<Vec<_>>() {
        match attempt.await.unwrap() {
            Ok(_) => won += 1,
            Err(RepositoryError::Conflict { .. }) => lost += 1,
            Err(other) => panic!("unexpected {other}"),
        }
    }
    let (vacancy, revision) = repository.get::<Vacancy>(vacancy_id).await.unwrap();
    assert_eq!(won + lost, 16);
    assert_eq!(vacancy.placements.len(), won);
    assert_eq!(revision, won as u64);
}

#[tokio::test]
async fn as_of_folds_only_the_events_recorded_by_that_moment() {
    let store = TestStore::start().await;
    let repository = store.repository();
    let id = JobSeekerId::generate();
    let before_anything = Utc::now();
    tokio::time::sleep(Duration::from_millis(20)).await;
    repository
        .execute::<JobSeeker>(id, register_jobseeker(id), &context("c"))
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(20)).await;
    let after_registration = Utc::now();
    tokio::time::sleep(Duration::from_millis(20)).await;
    repository
        .execute::<JobSeeker>(id, add_skill("Go"), &context("c"))
        .await
        .unwrap();

    let then = repository
        .load_as_of::<JobSeeker>(id, after_registration)
        .await
        .unwrap();
    assert_eq!(then.revision, Some(0));
    assert_eq!(
        then.state.map(|state| state.profile.skills),
        Some(zhang_wei_profile().skills)
    );
    let before = repository
        .load_as_of::<JobSeeker>(id, before_anything)
        .await
        .unwrap();
    assert_eq!(
        before,
        Loaded {
            state: None,
            revision: None
        }
    );
    let now = repository
        .load_as_of::<JobSeeker>(id, Utc::now())
        .await
        .unwrap();
    assert_eq!(now.revision, Some(1));
}

#[tokio::test]
async fn as_of_the_moment_a_change_was_asked_for_includes_it() {
    let store = TestStore::start().await;
    let repository = store.repository();
    let id = JobSeekerId::generate();
    let registration = context("c");
    repository
        .execute::<JobSeeker>(id, register_jobseeker(id), &registration)
        .await
        .unwrap();
    // The store records the event a little after the request came in; a
    // time taken from the request (a vacancy's `published_at`, say) still
    // shows the change.
    let then = repository
        .load_as_of::<JobSeeker>(id, registration.at)
        .await
        .unwrap();
    assert_eq!(then.revision, Some(0));
    let just_before = repository
        .load_as_of::<JobSeeker>(id, registration.at - chrono::Duration::milliseconds(1))
        .await
        .unwrap();
    assert_eq!(just_before.revision, None);
}

#[tokio::test]
async fn an_event_stored_in_an_old_schema_is_upcast_when_loaded() {
    let store = TestStore::start().await;
    let id = JobSeekerId::generate();
    let v1 = serde_json::json!({
        "jobseeker_id": id,
        "name": "张伟",
        "id_number": ZHANG_WEI_ID_NUMBER,
        "phone": "",
        "education": "bachelor",
        "major": "软件工程",
        "graduation_year": 2020,
        "category": "laid_off",
        "skills": ["Rust"],
        "desired_occupations": null,
        "desired_regions": ["410100"],
        "summary": null,
        "office": "410105"
    });
    let metadata = serde_json::json!({
        "correlation_id": uuid::Uuid::now_v7(),
        "causation_id": uuid::Uuid::now_v7(),
        "actor": "legacy-import",
        "office": "410105",
        "schema": 1
    });
    store
        .client
        .append_to_stream(
            id.stream_name(),
            &AppendToStreamOptions::default().stream_state(StreamState::NoStream),
            EventData::json("JobSeekerRegistered", &v1)
                .unwrap()
                .metadata_as_json(&metadata)
                .unwrap(),
        )
        .await
        .unwrap();

    let (jobseeker, revision) = store.repository().get::<JobSeeker>(id).await.unwrap();
    assert_eq!(revision, 0);
    assert_eq!(jobseeker.personal.known().expect("not erased").phone, None);
    assert!(
        jobseeker
            .profile
            .categories
            .contains(&JobSeekerCategory::LaidOff)
    );
    assert!(jobseeker.profile.desired_occupations.is_empty());
}

#[tokio::test]
async fn an_event_of_another_aggregate_in_a_stream_is_a_read_error() {
    let store = TestStore::start().await;
    let repository = store.repository();
    let employer_id = EmployerId::generate();
    repository
        .execute::<labex_domain::employer::Employer>(
            employer_id,
            register_employer(employer_id),
            &context("c"),
        )
        .await
        .unwrap();
    // The same UUID read as a vacancy's stream would be fine (empty); read
    // the employer's stream as a job seeker's by forging the stream name.
    let forged = JobSeekerId::from_uuid(employer_id.as_uuid());
    let copied = store.recorded(&employer_id.stream_name()).await;
    store
        .client
        .append_to_stream(
            forged.stream_name(),
            &AppendToStreamOptions::default(),
            EventData::json(
                copied[0].event_type.as_str(),
                &serde_json::from_slice::<serde_json::Value>(&copied[0].data).unwrap(),
            )
            .unwrap()
            .metadata(copied[0].custom_metadata.clone().into()),
        )
        .await
        .unwrap();
    let read = repository.load::<JobSeeker>(forged).await;
    assert!(matches!(
        read,
        Err(RepositoryError::Read(
            labex_eventsourcing::ReadError::ForeignEvent { .. }
        ))
    ));
}

/// Loading streams that do not exist, many at once on one connection, never
/// leaves the store's answer half-read: a read dropped before its end
/// resets its HTTP/2 stream, and past 1,024 such resets (counted for the
/// connection's lifetime) the client's HTTP/2 layer closes the connection
/// under every call in flight (`RESOURCE_EXHAUSTED`, "h2 protocol error").
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn thousands_of_loads_of_missing_streams_keep_the_connection() {
    let store = TestStore::start().await;
    let repository = store.repository();
    let loaders: Vec<_> = (0..64)
        .map(|_| {
            let repository = repository.clone();
            tokio::spawn(async move {
                for _ in 0..400 {
                    let loaded = repository
                        .load::<JobSeeker>(JobSeekerId::generate())
                        .await
                        .expect("a missing stream loads as no state");
                    assert!(loaded.revision.is_none());
                }
            })
        })
        .collect();
    for loader in loaders {
        loader.await.expect("the loader ran");
    }
}
