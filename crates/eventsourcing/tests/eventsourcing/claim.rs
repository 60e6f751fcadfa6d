//! Unique keys: the first claimant owns a key for good, a repeated claim
//! by the owner is answered the same without a second event, and racing
//! claimants agree on one owner.

use labex_domain::JobSeekerId;
use labex_domain::jobseeker::JobSeeker;
use labex_eventsourcing::{ExecuteOptions, ExpectedRevision, KEY_CLAIMED, RepositoryError};
use uuid::Uuid;

use crate::support::*;

#[tokio::test]
async fn the_first_claim_wins_and_a_repeat_by_the_owner_writes_nothing() {
    let store = TestStore::start().await;
    let repository = store.repository();
    let stream = "employercode-91350100M000100Y43";
    let (first, second) = (Uuid::now_v7(), Uuid::now_v7());

    let owner = repository
        .claim(stream, first, &context("counsellor-1"))
        .await
        .unwrap();
    assert_eq!(owner, first);
    let again = repository
        .claim(stream, first, &context("counsellor-1"))
        .await
        .unwrap();
    assert_eq!(again, first);
    let taken = repository
        .claim(stream, second, &context("counsellor-2"))
        .await
        .unwrap();
    assert_eq!(taken, first, "the later claimant learns the owner");

    let recorded = store.recorded(stream).await;
    assert_eq!(recorded.len(), 1, "one claim event: {recorded:?}");
    assert_eq!(recorded[0].event_type, KEY_CLAIMED);
    let data: serde_json::Value = serde_json::from_slice(&recorded[0].data).unwrap();
    assert_eq!(data["owner"], first.to_string());
}

#[tokio::test]
async fn racing_claimants_agree_on_one_owner() {
    let store = TestStore::start().await;
    let repository = store.repository();
    let stream = "jobseekerid-0123456789abcdef0123456789abcdef";
    let claims = (0..16).map(|index| {
        let repository = repository.clone();
        async move {
            repository
                .claim(
                    stream,
                    Uuid::now_v7(),
                    &context(&format!("counsellor-{index}")),
                )
                .await
                .unwrap()
        }
    });
    let owners = futures::future::join_all(claims).await;
    assert!(
        owners.windows(2).all(|pair| pair[0] == pair[1]),
        "{owners:?}"
    );
    assert_eq!(store.recorded(stream).await.len(), 1);
}

#[tokio::test]
async fn creating_an_aggregate_appends_without_reading_and_refuses_an_existing_stream() {
    let store = TestStore::start().await;
    let repository = store.repository();
    let id = JobSeekerId::generate();
    let options = ExecuteOptions::default().expected(ExpectedRevision::NoStream);
    let created = repository
        .execute_with::<JobSeeker>(id, register_jobseeker(id), &context("c"), options.clone())
        .await
        .unwrap();
    assert_eq!(created.revision, Some(0));
    assert!(created.position.is_some());
    assert_eq!(created.state.unwrap().id, id);
    let error = repository
        .execute_with::<JobSeeker>(id, register_jobseeker(id), &context("c"), options)
        .await
        .unwrap_err();
    assert!(
        matches!(
            error,
            RepositoryError::Conflict {
                actual: Some(0),
                ..
            }
        ),
        "{error:?}"
    );
    assert_eq!(store.recorded(&id.stream_name()).await.len(), 1);
}

#[tokio::test]
async fn a_turn_is_taken_once_after_the_latest_and_can_be_handed_back() {
    let store = TestStore::start().await;
    let repository = store.repository();
    let stream = "referralpair-test";
    let (first, second) = (Uuid::now_v7(), Uuid::now_v7());
    assert_eq!(repository.latest_turn(stream).await.unwrap(), None);

    let taker = context("counsellor-1");
    assert!(
        repository
            .take_turn(stream, first, None, &taker)
            .await
            .unwrap()
            .is_some()
    );
    // A retry of the same taking is taken once; a rival who read before it
    // is refused.
    assert!(
        repository
            .take_turn(stream, first, None, &taker)
            .await
            .unwrap()
            .is_some()
    );
    assert!(
        repository
            .take_turn(stream, second, None, &context("counsellor-2"))
            .await
            .unwrap()
            .is_none()
    );
    let latest = repository.latest_turn(stream).await.unwrap().unwrap();
    assert_eq!(latest.holder, Some(first));
    assert_eq!(latest.revision, 0);
    assert_eq!(latest.at, taker.at);

    assert!(
        repository
            .hand_back_turn(stream, &latest, &taker)
            .await
            .unwrap()
            .is_some()
    );
    let handed_back = repository.latest_turn(stream).await.unwrap().unwrap();
    assert_eq!(handed_back.holder, None);
    assert_eq!(handed_back.revision, 1);
    assert!(
        repository
            .take_turn(stream, second, Some(&handed_back), &context("counsellor-2"))
            .await
            .unwrap()
            .is_some()
    );
    assert_eq!(store.recorded(stream).await.len(), 3);
}
