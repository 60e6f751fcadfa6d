//! The projection from a real store: appended events become searchable,
//! a restart goes on from the position in the last commit's payload and
//! applies nothing twice, and an index of another version is rebuilt.

use std::path::Path;
use std::time::{Duration, Instant};

use kurrentdb::{AppendToStreamOptions, Client, Position};
use labex_domain::{EmployerId, Event, VacancyId};
use labex_eventsourcing::{EventContext, ProjectionRunner, RunnerOptions, event_data};
use labex_search::{
    IndexOptions, MatchOptions, Opening, Record, SearchIndex, SearchProjection, VacancySearch,
};
use labex_testkit::Store;
use serde_json::json;
use uuid::Uuid;

use crate::support::{
    SeekerSpec, TestIndex, VacancySpec, WAIT, household_declared, household_exited,
    household_verified, published, registered, vacancy_event,
};

async fn append(client: &Client, event: Event) -> Position {
    let stream = event.stream_name();
    let context = EventContext::for_request(Uuid::now_v7(), "test", None);
    client
        .append_to_stream(
            stream,
            &AppendToStreamOptions::default(),
            event_data(&event, Uuid::now_v7(), &context),
        )
        .await
        .expect("the append succeeds")
        .position
}

fn open(path: &Path) -> (SearchIndex, Opening) {
    // The previous run's writer lets go of the folder once its ticker has
    // made its last commit.
    let deadline = Instant::now() + WAIT;
    loop {
        match SearchIndex::open(path, IndexOptions::for_tests()) {
            Ok(opened) => return opened,
            Err(error) if Instant::now() < deadline => {
                let _ = error;
                std::thread::sleep(Duration::from_millis(20));
            }
            Err(error) => panic!("the index does not open: {error}"),
        }
    }
}

fn titles(index: &SearchIndex, q: &str) -> Vec<String> {
    index
        .search_vacancies(&VacancySearch::text(q))
        .unwrap()
        .hits
        .into_iter()
        .filter_map(|hit| hit.title)
        .collect()
}

fn spec(title: &'static str) -> VacancySpec {
    VacancySpec::new(title, "叉车司机", "负责仓库货物装卸。").days_ago(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn appended_vacancies_and_their_changes_become_searchable() {
    let store = Store::start().await;
    let folder = tempfile::tempdir().unwrap();
    let (index, opening) = SearchIndex::open(folder.path(), IndexOptions::for_tests()).unwrap();
    assert_eq!(opening, Opening::Created);
    assert!(opening.must_replay_from_start());
    let runner = ProjectionRunner::spawn(
        store.client().clone(),
        SearchProjection::new(index.clone()),
        RunnerOptions::default(),
    );
    let employer = EmployerId::from_uuid(Uuid::now_v7());
    let first = VacancyId::from_uuid(Uuid::now_v7());
    let second = VacancyId::from_uuid(Uuid::now_v7());
    append(
        store.client(),
        published(first, employer, &spec("仓库叉车司机")),
    )
    .await;
    let appended = append(
        store.client(),
        published(second, employer, &spec("夜班叉车工")),
    )
    .await;
    let started = Instant::now();
    index.wait_for(appended, WAIT).await.unwrap();
    let lag = started.elapsed();
    assert!(lag < Duration::from_secs(2), "searchable after {lag:?}");
    assert_eq!(titles(&index, "叉车").len(), 2);

    append(
        store.client(),
        vacancy_event(
            "VacancyUpdated",
            json!({"vacancy_id": first, "changes": {"title": "冷库叉车司机"}}),
        ),
    )
    .await;
    let closed = append(
        store.client(),
        vacancy_event(
            "VacancyClosed",
            json!({"vacancy_id": second, "reason": "withdrawn", "note": null}),
        ),
    )
    .await;
    let seeker = labex_domain::JobSeekerId::from_uuid(Uuid::now_v7());
    append(
        store.client(),
        registered(seeker, &SeekerSpec::new("孙八", &["叉车司机"]), 7),
    )
    .await;
    let last = append(
        store.client(),
        vacancy_event(
            "VacancyUpdated",
            json!({"vacancy_id": first, "changes": {"salary": {"min_yuan": 6000, "max_yuan": 8000}}}),
        ),
    )
    .await;
    index.wait_for(closed, WAIT).await.unwrap();
    index.wait_for(last, WAIT).await.unwrap();
    assert_eq!(titles(&index, "冷库"), ["冷库叉车司机"]);
    assert!(
        titles(&index, "夜班").is_empty(),
        "closed vacancies are left out"
    );
    let Some(Record::Vacancy(vacancy)) = index.record(&first.as_uuid().to_string()).unwrap() else {
        panic!("the vacancy is indexed");
    };
    assert_eq!(vacancy.details.title.as_str(), "冷库叉车司机");
    assert_eq!(vacancy.details.salary.min_yuan(), 6000);
    assert_eq!(vacancy.revision, 2);
    let matches = index
        .matches_for(&seeker.as_uuid().to_string(), &MatchOptions::default())
        .unwrap();
    assert_eq!(matches.hits[0].id, first.as_uuid().to_string());
    assert!(
        index
            .checkpoint()
            .is_some_and(|checkpoint| checkpoint >= last)
    );
    runner.stop().await.unwrap();
    store.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_register_in_the_store_puts_a_member_first_even_when_the_household_came_first() {
    let store = Store::start().await;
    let folder = tempfile::tempdir().unwrap();
    let (index, _) = SearchIndex::open(folder.path(), IndexOptions::for_tests()).unwrap();
    let runner = ProjectionRunner::spawn(
        store.client().clone(),
        SearchProjection::new(index.clone()),
        RunnerOptions::default(),
    );
    let employer = EmployerId::from_uuid(Uuid::now_v7());
    let vacancy = VacancyId::from_uuid(Uuid::now_v7());
    let plain = labex_domain::JobSeekerId::from_uuid(Uuid::now_v7());
    let member = labex_domain::JobSeekerId::from_uuid(Uuid::now_v7());
    let household = labex_domain::HouseholdId::from_uuid(Uuid::now_v7());
    // The household is verified before its member's registration is in
    // the store at all.
    append(store.client(), household_declared(household, &[member])).await;
    append(store.client(), household_verified(household)).await;
    append(
        store.client(),
        published(vacancy, employer, &spec("小区叉车司机")),
    )
    .await;
    append(
        store.client(),
        registered(plain, &SeekerSpec::new("张一", &["叉车司机"]), 11),
    )
    .await;
    let last = append(
        store.client(),
        registered(member, &SeekerSpec::new("王三", &["叉车司机"]), 12),
    )
    .await;
    index.wait_for(last, WAIT).await.unwrap();
    let scores = |index: &SearchIndex| -> Vec<(String, f32)> {
        index
            .candidates_for(&vacancy.as_uuid().to_string(), &MatchOptions::default())
            .unwrap()
            .hits
            .into_iter()
            .map(|hit| (hit.id, hit.score))
            .collect()
    };
    let ranked = scores(&index);
    assert_eq!(ranked.len(), 2);
    assert_eq!(ranked[0].0, member.as_uuid().to_string(), "{ranked:?}");
    assert!(ranked[0].1 > ranked[1].1 * 1.1, "{ranked:?}");

    // The household leaves the register: its member is one of the others.
    let exited = append(store.client(), household_exited(household)).await;
    index.wait_for(exited, WAIT).await.unwrap();
    let ranked = scores(&index);
    assert!(
        (ranked[0].1 - ranked[1].1).abs() <= ranked[0].1 * 1e-5,
        "{ranked:?}"
    );
    let Some(Record::JobSeeker(record)) = index.record(&member.as_uuid().to_string()).unwrap()
    else {
        panic!("the member is indexed");
    };
    assert!(!record.in_registered_household);
    runner.stop().await.unwrap();
    store.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restart_goes_on_from_the_commit_payload_and_applies_nothing_twice() {
    let store = Store::start().await;
    let folder = tempfile::tempdir().unwrap();
    let employer = EmployerId::from_uuid(Uuid::now_v7());
    let vacancy = VacancyId::from_uuid(Uuid::now_v7());

    let (index, _) = open(folder.path());
    let runner = ProjectionRunner::spawn(
        store.client().clone(),
        SearchProjection::new(index.clone()),
        RunnerOptions::default(),
    );
    append(
        store.client(),
        published(vacancy, employer, &spec("叉车司机")),
    )
    .await;
    let placed = append(
        store.client(),
        vacancy_event(
            "VacancyPlacementRecorded",
            json!({
                "vacancy_id": vacancy,
                "referral_id": Uuid::now_v7(),
                "jobseeker_id": Uuid::now_v7(),
                "hired_on": "2026-05-20",
                "open_headcount": 2
            }),
        ),
    )
    .await;
    index.wait_for(placed, WAIT).await.unwrap();
    runner.stop().await.unwrap();
    let committed = index.flush().unwrap();
    assert_eq!(committed, Some(placed));
    drop(index);

    // Events appended while the projection is down.
    let other = VacancyId::from_uuid(Uuid::now_v7());
    append(store.client(), published(other, employer, &spec("叉车工"))).await;
    let (index, opening) = open(folder.path());
    assert_eq!(
        opening,
        Opening::Reopened {
            checkpoint: Some(placed)
        }
    );
    assert!(!opening.must_replay_from_start());
    let runner = ProjectionRunner::spawn(
        store.client().clone(),
        SearchProjection::new(index.clone()),
        RunnerOptions::default(),
    );
    let filled = append(
        store.client(),
        vacancy_event("VacancyFilled", json!({"vacancy_id": vacancy})),
    )
    .await;
    index.wait_for(filled, WAIT).await.unwrap();
    assert_eq!(
        runner.progress().handled,
        2,
        "only the events after the stored position are handled again"
    );
    assert_eq!(
        index.document_count().unwrap(),
        2,
        "one document per vacancy"
    );
    let all = index
        .search_vacancies(&VacancySearch {
            include_closed: true,
            ..VacancySearch::text("叉车")
        })
        .unwrap();
    assert_eq!(all.total, 2);
    let Some(Record::Vacancy(filled_vacancy)) =
        index.record(&vacancy.as_uuid().to_string()).unwrap()
    else {
        panic!("the vacancy is indexed");
    };
    assert_eq!(filled_vacancy.status.as_str(), "filled");
    assert_eq!(filled_vacancy.open_headcount, 0);
    assert_eq!(
        titles(&index, "叉车"),
        ["叉车工"],
        "filled vacancies are left out"
    );
    runner.stop().await.unwrap();
    store.stop().await;
}

#[test]
fn an_event_handed_over_again_changes_nothing() {
    let mut index = TestIndex::new();
    let vacancy = index.publish(&spec("叉车司机"));
    let placement = vacancy_event(
        "VacancyPlacementRecorded",
        json!({
            "vacancy_id": vacancy,
            "referral_id": Uuid::now_v7(),
            "jobseeker_id": Uuid::now_v7(),
            "hired_on": "2026-05-20",
            "open_headcount": 2
        }),
    );
    let position = index.apply(placement.clone());
    index.commit();
    // The same event again (revision 1), as a replay would hand it over,
    // and an older one.
    let again = crate::support::stored(placement, &vacancy.stream_name(), 1, position);
    index.index.apply(&[again], position).unwrap();
    let republished = crate::support::stored(
        published(vacancy, index.employer, &spec("别的标题")),
        &vacancy.stream_name(),
        0,
        position,
    );
    index.index.apply(&[republished], position).unwrap();
    index.commit();
    assert_eq!(index.index.document_count().unwrap(), 1);
    let Some(Record::Vacancy(record)) = index.index.record(&vacancy.as_uuid().to_string()).unwrap()
    else {
        panic!("the vacancy is indexed");
    };
    assert_eq!(record.details.title.as_str(), "叉车司机");
    assert_eq!(record.revision, 1);
}

#[test]
fn a_household_event_handed_over_again_changes_nothing() {
    let mut index = TestIndex::new();
    let member = index.register(&SeekerSpec::new("王三", &["叉车司机"]));
    let household = labex_domain::HouseholdId::from_uuid(Uuid::now_v7());
    index.apply(household_declared(household, &[member]));
    index.apply(household_verified(household));
    let exited = index.apply(household_exited(household));
    index.commit();
    // The verification again (revision 1), as a replay would hand it over
    // after the exit: the member stays out of the priority.
    let again = crate::support::stored(
        household_verified(household),
        &format!("household-{}", household.as_uuid()),
        1,
        exited,
    );
    index.index.apply(&[again], exited).unwrap();
    index.commit();
    let Some(Record::Household(kept)) = index
        .index
        .record(&household.as_uuid().to_string())
        .unwrap()
    else {
        panic!("the household is kept");
    };
    assert_eq!(kept.revision, 2);
    assert_eq!(
        kept.status,
        labex_domain::household::HouseholdStatus::Exited
    );
    let Some(Record::JobSeeker(record)) =
        index.index.record(&member.as_uuid().to_string()).unwrap()
    else {
        panic!("the member is indexed");
    };
    assert!(!record.in_registered_household);
    assert!(record.profile.categories.is_empty());
}

#[test]
fn an_index_of_another_version_is_rebuilt_from_the_start() {
    let folder = tempfile::tempdir().unwrap();
    {
        let (index, _) = SearchIndex::open(folder.path(), IndexOptions::for_tests()).unwrap();
        let stored = crate::support::stored(
            published(
                VacancyId::from_uuid(Uuid::now_v7()),
                EmployerId::from_uuid(Uuid::now_v7()),
                &spec("叉车司机"),
            ),
            "vacancy-x",
            0,
            Position {
                commit: 7,
                prepare: 7,
            },
        );
        index
            .apply(
                &[stored],
                Position {
                    commit: 7,
                    prepare: 7,
                },
            )
            .unwrap();
        index.flush().unwrap();
    }
    let (index, opening) = SearchIndex::open(folder.path(), IndexOptions::for_tests()).unwrap();
    assert_eq!(
        opening,
        Opening::Reopened {
            checkpoint: Some(Position {
                commit: 7,
                prepare: 7
            })
        }
    );
    assert_eq!(index.document_count().unwrap(), 1);
    drop(index);

    // As if an older release had written it.
    let meta = folder.path().join("meta.json");
    let text = std::fs::read_to_string(&meta).unwrap();
    let older = text.replace("\\\"analyzer\\\":1", "\\\"analyzer\\\":0");
    assert_ne!(
        text, older,
        "the payload names the analyzer version: {text}"
    );
    std::fs::write(&meta, older).unwrap();
    let (index, opening) = SearchIndex::open(folder.path(), IndexOptions::for_tests()).unwrap();
    assert_eq!(
        opening,
        Opening::Rebuilt {
            found_schema: Some(labex_search::SCHEMA_VERSION),
            found_analyzer: Some(0)
        }
    );
    assert!(opening.must_replay_from_start());
    assert_eq!(index.document_count().unwrap(), 0);
    assert_eq!(index.checkpoint(), None);
}
