//! Warm streams (decision record 100): a fair's stream, written by many at
//! once, is decided on from the state kept and what came after it, with
//! this process's writers queued and another process's met by the store.

use std::collections::BTreeSet;

use chrono::{Duration, Utc};
use labex_domain::FairId;
use labex_domain::JobSeekerId;
use labex_domain::fair::{
    Capacity, Fair, FairCommand, FairDetails, FairKind, Place, RegisterVisitor, ScheduleFair,
};
use labex_domain::value::{DivisionCode, Title};

use crate::support::{TestStore, context};

fn details(capacity: u32) -> FairDetails {
    FairDetails {
        title: Title::parse("2026届高校毕业生冬季专场招聘会").expect("a title"),
        kind: FairKind::Onsite,
        audience: BTreeSet::new(),
        region: DivisionCode::parse("410100").expect("a division"),
        venue: Some(Title::parse("郑州市人力资源市场三楼大厅").expect("a venue")),
        link: None,
        starts_at: Utc::now() + Duration::days(10),
        ends_at: Utc::now() + Duration::days(10) + Duration::hours(7),
        capacity: Capacity::parse(i64::from(capacity)).expect("a capacity"),
        campaign: None,
    }
}

async fn scheduled(store: &TestStore, capacity: u32) -> FairId {
    let fair_id = FairId::generate();
    store
        .repository()
        .execute::<Fair>(
            fair_id,
            FairCommand::Schedule(ScheduleFair {
                fair_id,
                office: DivisionCode::parse("410100").expect("a division"),
                details: details(capacity),
                now: Utc::now(),
            }),
            &context("organiser"),
        )
        .await
        .expect("scheduled");
    fair_id
}

fn register(jobseeker_id: JobSeekerId) -> FairCommand {
    FairCommand::Register(RegisterVisitor {
        jobseeker_id,
        now: Utc::now(),
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn many_writers_of_one_process_queue_and_none_loses_a_race() {
    let store = TestStore::start().await;
    let fair_id = scheduled(&store, 150).await;
    // No retry at all: a writer of this process never meets another.
    let repository = store.repository().with_conflict_retries(0);
    let visitors: Vec<JobSeekerId> = (0..200).map(|_| JobSeekerId::generate()).collect();
    let writes = visitors.iter().map(|visitor| {
        let repository = repository.clone();
        let command = register(*visitor);
        tokio::spawn(async move {
            repository
                .execute::<Fair>(fair_id, command, &context("visitor"))
                .await
        })
    });
    for write in writes.collect::<Vec<_>>() {
        write.await.expect("joined").expect("no conflict");
    }

    let (warm, warm_revision) = repository.get::<Fair>(fair_id).await.expect("the fair");
    let (cold, cold_revision) = store
        .repository()
        .get::<Fair>(fair_id)
        .await
        .expect("the fair, read whole");
    assert_eq!(
        warm, cold,
        "the state kept is the state folded from the stream"
    );
    assert_eq!(warm_revision, cold_revision);
    assert_eq!(warm_revision, 200, "scheduled, then 200 registrations");
    assert_eq!(warm.visitors.len(), 200);
    assert_eq!(warm.places_taken(), 150, "the capacity held under the load");
    assert_eq!(
        warm.visitors
            .values()
            .filter(|visitor| visitor.place == Place::Waiting)
            .count(),
        50
    );
}

#[tokio::test]
async fn a_warm_stream_written_by_another_process_is_read_on_from_where_it_was_kept() {
    let store = TestStore::start().await;
    let fair_id = scheduled(&store, 2).await;
    // Two processes: each its own repository and its own warm streams.
    let here = store.repository().with_conflict_retries(1);
    let there = store.repository();
    let first = JobSeekerId::generate();
    here.execute::<Fair>(fair_id, register(first), &context("visitor"))
        .await
        .expect("registered here");
    let second = JobSeekerId::generate();
    there
        .execute::<Fair>(fair_id, register(second), &context("visitor"))
        .await
        .expect("registered there");

    // Here kept the fair at revision 1; the store is at 2. The append
    // expecting 1 is refused, the one event after it read, and the
    // decision made again on the fair with both visitors: the third has
    // no place left.
    let third = JobSeekerId::generate();
    let executed = here
        .execute::<Fair>(fair_id, register(third), &context("visitor"))
        .await
        .expect("registered here after the other process");
    assert_eq!(executed.revision, Some(3));
    let fair = executed.state.expect("the fair");
    assert_eq!(fair.visitors[&first].place, Place::Confirmed);
    assert_eq!(fair.visitors[&second].place, Place::Confirmed);
    assert_eq!(fair.visitors[&third].place, Place::Waiting);
    let loaded = there.load::<Fair>(fair_id).await.expect("loaded there");
    assert_eq!(loaded.revision, Some(3));
    assert_eq!(loaded.state.as_ref(), Some(&fair));
}
