//! The access log's writer against a real store: reads are appended in
//! batches (one `accesslog-<uuid>` stream each, at most `max_batch`
//! reads), a stop writes every read waiting, and what cannot wait is
//! dropped and counted, never blocking the read that recorded it.

use std::collections::BTreeMap;
use std::time::Duration;

use labex_app::{AccessLog, AccessLogOptions, Actor, Role};
use labex_domain::JobSeekerId;
use labex_domain::value::DivisionCode;
use labex_eventsourcing::Repository;
use labex_eventsourcing::kurrentdb::{ReadAllOptions, StreamPosition};
use labex_jobseekers::GET_ENDPOINT;
use labex_testkit::Store;
use uuid::Uuid;

fn actor(role: Role, subject: &str) -> Actor {
    Actor {
        subject: subject.to_owned(),
        role,
        office: DivisionCode::parse("410105").expect("a division code"),
        employer_id: None,
        correlation_id: Uuid::now_v7(),
    }
}

fn options(max_batch: usize, capacity: usize) -> AccessLogOptions {
    AccessLogOptions {
        linger: Duration::from_millis(20),
        max_batch,
        capacity,
        attempts: 3,
    }
}

/// The `PersonalRecordRead` events in the store, counted per stream.
async fn reads_per_stream(store: &Store) -> BTreeMap<String, usize> {
    let all = ReadAllOptions::default()
        .position(StreamPosition::Start)
        .max_count(usize::MAX);
    let mut events = store.client().read_all(&all).await.expect("a read of $all");
    let mut streams = BTreeMap::new();
    while let Some(event) = events.next().await.expect("a read of $all") {
        let recorded = event.get_original_event();
        if recorded.event_type == "PersonalRecordRead" {
            *streams.entry(recorded.stream_id().to_owned()).or_insert(0) += 1;
        }
    }
    streams
}

#[tokio::test]
async fn staff_reads_are_appended_in_batches_and_a_stop_writes_every_one() {
    let store = Store::start().await;
    let log = AccessLog::start(Repository::new(store.client().clone()), options(10, 1_000));
    let office = DivisionCode::parse("410105").expect("a division code");
    let jobseeker = JobSeekerId::generate();
    let counsellor = actor(Role::Counsellor, "counsellor-wang");

    for _ in 0..25 {
        log.record(&counsellor, jobseeker, &office, GET_ENDPOINT);
    }
    // The person reading their own record is not a staff read.
    let own = actor(Role::Jobseeker, &jobseeker.to_string());
    log.record(&own, jobseeker, &office, GET_ENDPOINT);
    log.stop().await;

    assert_eq!((log.written(), log.dropped()), (25, 0));
    let streams = reads_per_stream(&store).await;
    assert_eq!(streams.values().sum::<usize>(), 25, "{streams:?}");
    assert!(streams.len() >= 3, "batches of at most 10: {streams:?}");
    assert!(
        streams
            .iter()
            .all(|(stream, reads)| stream.starts_with("accesslog-") && *reads <= 10),
        "{streams:?}"
    );
}

#[tokio::test]
async fn a_full_queue_drops_reads_counted_instead_of_waiting() {
    let store = Store::start().await;
    // A test's runtime runs one task at a time: the writer takes nothing
    // until this test waits, so the queue of 5 fills.
    let log = AccessLog::start(Repository::new(store.client().clone()), options(100, 5));
    let office = DivisionCode::parse("410105").expect("a division code");
    let counsellor = actor(Role::Counsellor, "counsellor-wang");
    for _ in 0..8 {
        log.record(&counsellor, JobSeekerId::generate(), &office, GET_ENDPOINT);
    }
    assert_eq!(log.dropped(), 3);
    log.stop().await;
    assert_eq!((log.written(), log.dropped()), (5, 3));
    // After the stop nothing more is taken.
    log.record(&counsellor, JobSeekerId::generate(), &office, GET_ENDPOINT);
    assert_eq!((log.written(), log.dropped()), (5, 4));
    assert_eq!(reads_per_stream(&store).await.values().sum::<usize>(), 5);
}
