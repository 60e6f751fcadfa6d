//! Projections into SQLite: batches applied with their checkpoint, so that
//! stops, failures, restarts and dropped subscriptions neither skip nor
//! repeat an event.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use kurrentdb::Position;
use labex_domain::employer::Employer;
use labex_domain::jobseeker::JobSeeker;
use labex_domain::{EmployerId, JobSeekerId};
use labex_eventsourcing::{
    EventFilter, Projection, ProjectionError, ProjectionRunner, RunState, RunnerOptions,
    StoredEvent, read_checkpoint,
};
use rusqlite::{Connection, Transaction, params};

use crate::support::*;

const NAME: &str = "jobseeker-counter";

/// Counts how often each job-seeker event is applied; can be slowed down,
/// and made to fail once at the n-th event it applies.
struct Counter {
    delay: Duration,
    fail_at: Option<(usize, Arc<AtomicBool>)>,
    applied: Arc<AtomicUsize>,
}

impl Counter {
    fn new() -> Self {
        Counter {
            delay: Duration::ZERO,
            fail_at: None,
            applied: Arc::new(AtomicUsize::new(0)),
        }
    }
}

impl Projection for Counter {
    fn name(&self) -> &str {
        NAME
    }

    fn filter(&self) -> EventFilter {
        EventFilter::stream_prefixes(["jobseeker-"])
    }

    fn migrate(&mut self, transaction: &Transaction<'_>) -> rusqlite::Result<()> {
        transaction.execute_batch(
            "CREATE TABLE IF NOT EXISTS applied (
                event_id TEXT PRIMARY KEY,
                commit_position INTEGER NOT NULL,
                times INTEGER NOT NULL
            )",
        )
    }

    fn apply(
        &mut self,
        transaction: &Transaction<'_>,
        event: &StoredEvent,
    ) -> Result<(), ProjectionError> {
        let count = self.applied.fetch_add(1, Ordering::SeqCst) + 1;
        if let Some((at, armed)) = &self.fail_at
            && count == *at
            && armed.swap(false, Ordering::SeqCst)
        {
            return Err(ProjectionError::Apply {
                projection: NAME.to_owned(),
                event_id: event.id,
                reason: "failing once on purpose".to_owned(),
            });
        }
        assert!(event.stream.starts_with("jobseeker-"));
        transaction.execute(
            "INSERT INTO applied (event_id, commit_position, times) VALUES (?1, ?2, 1)
             ON CONFLICT (event_id) DO UPDATE SET times = times + 1",
            params![event.id.to_string(), event.position.commit],
        )?;
        if !self.delay.is_zero() {
            std::thread::sleep(self.delay);
        }
        Ok(())
    }
}

/// Registers `count` job seekers (and a third as many employers, which the
/// projection must not see); the positions of the job-seeker events.
async fn register(store: &TestStore, count: usize) -> Vec<Position> {
    let repository = store.repository();
    let mut tasks = Vec::new();
    for n in 0..count {
        let repository = repository.clone();
        tasks.push(tokio::spawn(async move {
            if n % 3 == 0 {
                let employer = EmployerId::generate();
                repository
                    .execute::<Employer>(employer, register_employer(employer), &context("c"))
                    .await
                    .unwrap();
            }
            let id = JobSeekerId::generate();
            repository
                .execute::<JobSeeker>(id, register_jobseeker(id), &context("c"))
                .await
                .unwrap()
                .position
                .unwrap()
        }));
    }
    let mut positions = Vec::new();
    for task in tasks {
        positions.push(task.await.unwrap());
    }
    positions.sort();
    positions
}

/// Applications per event: (events applied, events applied more than once).
fn tally(connection: &Connection) -> (u64, u64) {
    connection
        .query_row(
            "SELECT COUNT(*), COALESCE(SUM(times > 1), 0) FROM applied",
            [],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .unwrap()
}

/// Events applied at or before `position`.
fn applied_up_to(connection: &Connection, position: Position) -> u64 {
    connection
        .query_row(
            "SELECT COUNT(*) FROM applied WHERE commit_position <= ?1",
            params![position.commit],
            |row| row.get(0),
        )
        .unwrap()
}

fn small_batches() -> RunnerOptions {
    RunnerOptions {
        batch_size: 10,
        ..RunnerOptions::default()
    }
}

#[tokio::test]
async fn a_projection_applies_matching_events_and_stores_its_checkpoint_with_them() {
    let store = TestStore::start().await;
    let positions = register(&store, 60).await;
    let runner = ProjectionRunner::start(
        store.client.clone(),
        database(&store.data, "read"),
        Counter::new(),
    );
    soon(runner.wait_for(*positions.last().unwrap(), Duration::from_secs(10)))
        .await
        .unwrap();
    let reader = database(&store.data, "read");
    assert_eq!(tally(&reader), (60, 0));
    let checkpoint = read_checkpoint(&reader, NAME).unwrap().unwrap();
    assert!(checkpoint >= *positions.last().unwrap());
    assert_eq!(runner.progress().checkpoint, Some(checkpoint));

    // Live events follow.
    let more = register(&store, 5).await;
    soon(runner.wait_for(*more.last().unwrap(), Duration::from_secs(10)))
        .await
        .unwrap();
    assert_eq!(tally(&reader), (65, 0));
    let lag = runner.lag().await.unwrap();
    assert!(lag.caught_up(), "{lag:?}");
    assert!(lag.head >= Some(*more.last().unwrap()));
    assert_eq!(runner.progress().state, RunState::Running);
    runner.stop().await.unwrap();
}

/// The store sends a checkpoint every few dozen events a subscription
/// looks at, wanted or not: the progress follows each at once, but one
/// past filtered-out events only is stored at most once per
/// `checkpoint_interval` (and at a stop), not once per message.
#[tokio::test]
async fn checkpoints_past_filtered_out_events_are_stored_at_the_interval_and_at_a_stop() {
    let store = TestStore::start().await;
    let positions = register(&store, 10).await;
    let runner = ProjectionRunner::start_with(
        store.client.clone(),
        database(&store.data, "read"),
        Counter::new(),
        RunnerOptions {
            checkpoint_interval: Duration::from_secs(3600),
            ..RunnerOptions::default()
        },
    );
    soon(runner.wait_for(*positions.last().unwrap(), Duration::from_secs(10)))
        .await
        .unwrap();
    let reader = database(&store.data, "read");
    let stored = read_checkpoint(&reader, NAME).unwrap().unwrap();
    assert!(stored >= *positions.last().unwrap());

    // Employers only: hundreds of events the projection does not want,
    // past which the store sends checkpoints.
    let repository = store.repository();
    for _ in 0..200 {
        let employer = EmployerId::generate();
        repository
            .execute::<Employer>(employer, register_employer(employer), &context("c"))
            .await
            .unwrap();
    }
    soon(async {
        while runner.progress().checkpoint <= Some(stored) {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await;
    assert_eq!(read_checkpoint(&reader, NAME).unwrap(), Some(stored));
    assert_eq!(tally(&reader), (10, 0));

    let moved = runner.progress().checkpoint;
    runner.stop().await.unwrap();
    assert_eq!(read_checkpoint(&reader, NAME).unwrap(), moved);
}

#[tokio::test]
async fn stopping_mid_way_and_restarting_applies_every_event_exactly_once() {
    let store = TestStore::start().await;
    let positions = register(&store, 300).await;
    let last = *positions.last().unwrap();

    let slow = Counter {
        delay: Duration::from_millis(2),
        ..Counter::new()
    };
    let runner = ProjectionRunner::start_with(
        store.client.clone(),
        database(&store.data, "read"),
        slow,
        small_batches(),
    );
    soon(async {
        while runner.progress().handled < 50 {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    })
    .await;
    runner.stop().await.unwrap();

    let reader = database(&store.data, "read");
    let checkpoint = read_checkpoint(&reader, NAME).unwrap().unwrap();
    let (applied, doubled) = tally(&reader);
    assert!((50..300).contains(&applied), "stopped mid-way: {applied}");
    assert_eq!(doubled, 0);
    // The read model holds exactly the events up to its checkpoint.
    assert_eq!(applied, applied_up_to(&reader, checkpoint));
    assert_eq!(
        applied,
        positions
            .iter()
            .filter(|position| **position <= checkpoint)
            .count() as u64
    );

    let runner = ProjectionRunner::start_with(
        store.client.clone(),
        database(&store.data, "read"),
        Counter::new(),
        small_batches(),
    );
    soon(runner.wait_for(last, Duration::from_secs(10)))
        .await
        .unwrap();
    assert_eq!(tally(&reader), (300, 0));
    runner.stop().await.unwrap();
}

#[tokio::test]
async fn a_failing_batch_rolls_back_whole_and_a_restart_applies_every_event_exactly_once() {
    let store = TestStore::start().await;
    let positions = register(&store, 200).await;
    let armed = Arc::new(AtomicBool::new(true));
    let failing = Counter {
        fail_at: Some((137, Arc::clone(&armed))),
        ..Counter::new()
    };
    let runner = ProjectionRunner::start_with(
        store.client.clone(),
        database(&store.data, "read"),
        failing,
        small_batches(),
    );
    let waited = soon(runner.wait_for(*positions.last().unwrap(), Duration::from_secs(10))).await;
    assert!(matches!(waited, Err(ProjectionError::Stopped { .. })));
    assert_eq!(runner.progress().state, RunState::Failed);
    let lag = runner.lag().await.unwrap();
    assert!(!lag.caught_up());
    assert!(matches!(
        runner.stop().await,
        Err(ProjectionError::Apply { .. })
    ));

    let reader = database(&store.data, "read");
    let checkpoint = read_checkpoint(&reader, NAME).unwrap().unwrap();
    let (applied, doubled) = tally(&reader);
    // Batches of at most ten (fewer when the subscription has fewer at
    // hand): the batch holding the 137th event rolled back whole, so none
    // of it is applied and every event before that batch is.
    assert!(
        (127..137).contains(&applied),
        "the failing batch rolled back whole: {applied} applied"
    );
    assert_eq!(doubled, 0);
    assert_eq!(applied, applied_up_to(&reader, checkpoint));
    assert_eq!(lag.pending_events, 200 - applied);

    let runner = ProjectionRunner::start_with(
        store.client.clone(),
        database(&store.data, "read"),
        Counter::new(),
        small_batches(),
    );
    soon(runner.wait_for(*positions.last().unwrap(), Duration::from_secs(10)))
        .await
        .unwrap();
    assert_eq!(tally(&reader), (200, 0));
    runner.stop().await.unwrap();
}

#[tokio::test]
async fn a_dropped_subscription_resubscribes_from_the_checkpoint_and_loses_nothing() {
    let mut store = TestStore::start().await;
    let before = register(&store, 40).await;
    let runner = ProjectionRunner::start(
        store.client.clone(),
        database(&store.data, "read"),
        Counter::new(),
    );
    soon(runner.wait_for(*before.last().unwrap(), Duration::from_secs(10)))
        .await
        .unwrap();

    // The store goes away and comes back on the same address.
    let server = store.server.take().unwrap();
    let address = server.local_addr();
    server.shutdown().await;
    let server = soon(async {
        loop {
            match labex_eventstore::RunningServer::start(labex_eventstore::ServerConfig::new(
                store.data.path(),
                address,
            ))
            .await
            {
                Ok(server) => break server,
                Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
            }
        }
    })
    .await;
    store.server = Some(server);

    let after = soon(async {
        loop {
            // The client reconnects on its own; retry until it has.
            let repository = store.repository();
            let id = JobSeekerId::generate();
            if let Ok(executed) = repository
                .execute::<JobSeeker>(id, register_jobseeker(id), &context("c"))
                .await
            {
                break executed.position.unwrap();
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    })
    .await;
    let more = register(&store, 20).await;
    soon(runner.wait_for(after.max(*more.last().unwrap()), Duration::from_secs(10)))
        .await
        .unwrap();
    let reader = database(&store.data, "read");
    assert_eq!(tally(&reader), (61, 0));
    assert!(runner.progress().subscriptions >= 2);
    runner.stop().await.unwrap();
}

/// Asking how far a runner is, and waiting for it, on every request of a
/// busy service reads the head of `$all` and the next relevant event each
/// time. Thousands of such reads at once on the one connection the service
/// shares, while the runner follows new events, all answer, and the
/// connection serves on: no read is dropped before the store ends it, which
/// would reset its HTTP/2 stream, and past 1,024 late frames on reset streams
/// the client's HTTP/2 layer closes the connection under every call
/// (`RESOURCE_EXHAUSTED`, "h2 protocol error").
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn thousands_of_lag_and_wait_questions_at_once_keep_the_connection() {
    let store = TestStore::start().await;
    register(&store, 30).await;
    let runner = Arc::new(ProjectionRunner::start(
        store.client.clone(),
        database(&store.data, "read"),
        Counter::new(),
    ));
    let writer = {
        let repository = store.repository();
        tokio::spawn(async move {
            for _ in 0..100 {
                let id = JobSeekerId::generate();
                repository
                    .execute::<JobSeeker>(id, register_jobseeker(id), &context("c"))
                    .await
                    .expect("a registration");
            }
        })
    };
    let askers: Vec<_> = (0..64)
        .map(|n| {
            let runner = runner.clone();
            tokio::spawn(async move {
                for _ in 0..120 {
                    if n % 2 == 0 {
                        runner.lag().await.expect("the lag");
                    } else {
                        runner
                            .catch_up(Duration::from_secs(60))
                            .await
                            .expect("caught up");
                    }
                }
            })
        })
        .collect();
    for asker in askers {
        asker.await.expect("the asker ran");
    }
    writer.await.expect("the writer ran");
    let lag = runner.lag().await.expect("the lag");
    assert_eq!(lag.pending_events, 0, "{lag:?}");
}
