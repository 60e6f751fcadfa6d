//! Crash safety of the real `labex-store` process: writers append through
//! the official client, the server is killed with SIGKILL in the middle of
//! the load, restarted on the same data, and everything it acknowledged must
//! be there, in order, without gaps, with no append half written.

mod support;

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use bytes::Bytes;
use kurrentdb::{
    AppendToStreamOptions, BatchAppendOptions, Client, ClientSettings, EventData, ReadAllOptions,
    ReadStreamOptions, StreamPosition, StreamState,
};
use support::{StoreProcess, data_folder, test_binary};
use uuid::Uuid;

/// Concurrent writers, each with a stream of its own.
const WRITERS: usize = 16;
/// Times the server is killed and restarted.
const CRASHES: usize = 8;
/// Longest wait for one append; past it the append counts as unanswered.
const CALL_TIMEOUT: Duration = Duration::from_secs(10);
/// Event type of every event written here.
const EVENT_TYPE: &str = "CrashTestEventRecorded";

/// One append a writer sent, and whether the store acknowledged it.
#[derive(Debug, Clone)]
struct SentAppend {
    ids: Vec<Uuid>,
    /// `$all` commit position the store answered with, if it answered.
    acknowledged_at: Option<u64>,
}

/// Every append sent to one stream, in the order sent.
#[derive(Debug, Default)]
struct StreamHistory {
    appends: Vec<SentAppend>,
}

/// An event as read back.
#[derive(Debug, Clone)]
struct StoredEvent {
    id: Uuid,
    revision: u64,
    position: u64,
    data: Bytes,
}

fn stream_name(writer: usize) -> String {
    format!("crash-writer-{writer}")
}

/// The data of an event: its id, then filler, so that a torn or swapped
/// payload shows.
fn payload(id: Uuid, size: usize) -> Bytes {
    let mut data = format!("{{\"id\":\"{id}\",\"filler\":\"").into_bytes();
    let filler_end = size.saturating_sub(2).max(data.len());
    data.resize(filler_end, b'x');
    data.extend_from_slice(b"\"}");
    Bytes::from(data)
}

/// A small deterministic generator, enough to vary batch sizes.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

async fn connect(store: &StoreProcess) -> Client {
    let settings: ClientSettings = store
        .connection_string()
        .parse()
        .expect("the connection string parses");
    Client::new(settings).expect("the client is created")
}

/// Appends to one stream until the store stops answering, starting after
/// `last_revision`, through the `Append` call (even writers) or the
/// `BatchAppend` call (odd writers). Returns what it sent.
async fn write_until_the_store_dies(
    client: Client,
    writer: usize,
    mut last_revision: Option<u64>,
    seed: u64,
    acknowledged: Arc<AtomicUsize>,
) -> Vec<SentAppend> {
    let stream = stream_name(writer);
    let mut random = XorShift(seed | 1);
    let mut sent = Vec::new();
    let batch_client = if writer % 2 == 1 {
        match tokio::time::timeout(
            CALL_TIMEOUT,
            client.batch_append(&BatchAppendOptions::default()),
        )
        .await
        {
            Ok(Ok(batch_client)) => Some(batch_client),
            _ => return sent,
        }
    } else {
        None
    };
    loop {
        // One in three appends carries several events.
        let count = if random.next().is_multiple_of(3) {
            2 + (random.next() % 7) as usize
        } else {
            1
        };
        let ids: Vec<Uuid> = (0..count).map(|_| Uuid::new_v4()).collect();
        let events: Vec<EventData> = ids
            .iter()
            .map(|id| {
                EventData::binary(
                    EVENT_TYPE,
                    payload(*id, 200 + (random.next() % 300) as usize),
                )
                .id(*id)
            })
            .collect();
        let expected = match last_revision {
            None => StreamState::NoStream,
            Some(revision) => StreamState::StreamRevision(revision),
        };
        let answer = match &batch_client {
            None => {
                let options = AppendToStreamOptions::default().stream_state(expected);
                tokio::time::timeout(
                    CALL_TIMEOUT,
                    client.append_to_stream(stream.as_str(), &options, events),
                )
                .await
                .map(|result| {
                    result.map(|write| (write.next_expected_version, write.position.commit))
                })
            }
            Some(batch_client) => tokio::time::timeout(
                CALL_TIMEOUT,
                batch_client.append_to_stream(&stream, expected, events),
            )
            .await
            .map(|result| {
                result.map(|write| {
                    (
                        write.current_revision().unwrap_or(u64::MAX),
                        write
                            .current_position()
                            .map_or(0, |position| position.commit),
                    )
                })
            }),
        };
        match answer {
            Ok(Ok((revision, position))) => {
                let expected_revision =
                    last_revision.map_or(count as u64 - 1, |last| last + count as u64);
                assert_eq!(
                    revision, expected_revision,
                    "{stream}: an append of {count} events after revision {last_revision:?} was acknowledged at revision {revision}"
                );
                last_revision = Some(revision);
                sent.push(SentAppend {
                    ids,
                    acknowledged_at: Some(position),
                });
                acknowledged.fetch_add(1, Ordering::Relaxed);
            }
            Ok(Err(kurrentdb::Error::WrongExpectedVersion { expected, current })) => {
                panic!(
                    "{stream}: the store refused an append expecting {expected}, saying the stream is at {current}"
                )
            }
            // The store went away (or did not answer): this append may or may not have landed.
            Ok(Err(_)) | Err(_) => {
                sent.push(SentAppend {
                    ids,
                    acknowledged_at: None,
                });
                return sent;
            }
        }
    }
}

async fn read_stream(client: &Client, stream: &str) -> Vec<StoredEvent> {
    let options = ReadStreamOptions::default()
        .forwards()
        .position(StreamPosition::Start)
        .max_count(usize::MAX);
    let mut events = Vec::new();
    let mut reading = match client.read_stream(stream, &options).await {
        Ok(reading) => reading,
        Err(kurrentdb::Error::ResourceNotFound) => return events,
        Err(error) => panic!("cannot read {stream}: {error}"),
    };
    loop {
        match reading.next().await {
            Ok(Some(resolved)) => {
                let event = resolved.get_original_event();
                events.push(StoredEvent {
                    id: event.id,
                    revision: event.revision,
                    position: event.position.commit,
                    data: event.data.clone(),
                });
            }
            Ok(None) => return events,
            Err(kurrentdb::Error::ResourceNotFound) => return events,
            Err(error) => panic!("cannot read {stream}: {error}"),
        }
    }
}

/// `(stream, event)` for every event in `$all`, forwards.
async fn read_all(client: &Client) -> Vec<(String, StoredEvent)> {
    let options = ReadAllOptions::default()
        .forwards()
        .position(StreamPosition::Start)
        .max_count(usize::MAX);
    let mut reading = client.read_all(&options).await.expect("$all can be read");
    let mut events = Vec::new();
    while let Some(resolved) = reading.next().await.expect("$all reads to its end") {
        let event = resolved.get_original_event();
        events.push((
            event.stream_id().to_owned(),
            StoredEvent {
                id: event.id,
                revision: event.revision,
                position: event.position.commit,
                data: event.data.clone(),
            },
        ));
    }
    events
}

/// What checking one stream found.
#[derive(Debug, Clone, Copy, Default)]
struct StreamCheck {
    last_revision: Option<u64>,
    /// Unanswered appends found whole in the stream.
    unanswered_landed: usize,
    /// Unanswered appends found nowhere in the stream.
    unanswered_absent: usize,
}

/// Checks one stream against what was sent to it: every acknowledged append
/// present, in order, each append whole or absent, nothing else, revisions
/// without gaps.
fn check_stream(stream: &str, history: &StreamHistory, stored: &[StoredEvent]) -> StreamCheck {
    let mut check = StreamCheck::default();
    for (index, event) in stored.iter().enumerate() {
        assert_eq!(
            event.revision, index as u64,
            "{stream}: event {index} has revision {}: a gap or a repeat",
            event.revision
        );
        let id_text = event.id.to_string();
        assert!(
            event
                .data
                .starts_with(format!("{{\"id\":\"{id_text}\"").as_bytes())
                && event.data.ends_with(b"\"}"),
            "{stream}: event {index} ({id_text}) does not carry its own data"
        );
    }
    let mut next = 0;
    for (number, append) in history.appends.iter().enumerate() {
        let rest = &stored[next..];
        let whole = rest.len() >= append.ids.len()
            && rest
                .iter()
                .zip(&append.ids)
                .all(|(event, id)| event.id == *id);
        if whole {
            match append.acknowledged_at {
                Some(position) => {
                    let last = &rest[append.ids.len() - 1];
                    assert_eq!(
                        last.position, position,
                        "{stream}: append {number} was acknowledged at position {position}, its last event is at {}",
                        last.position
                    );
                }
                None => check.unanswered_landed += 1,
            }
            next += append.ids.len();
            continue;
        }
        assert!(
            append.acknowledged_at.is_none(),
            "{stream}: acknowledged append {number} ({} events, first {}) is missing after the crash; the stream holds {} events, {} of them matched earlier appends",
            append.ids.len(),
            append.ids[0],
            stored.len(),
            next
        );
        let landed: Vec<&Uuid> = append
            .ids
            .iter()
            .filter(|id| stored.iter().any(|event| event.id == **id))
            .collect();
        assert!(
            landed.is_empty(),
            "{stream}: unacknowledged append {number} was written in part: {} of its {} events are stored",
            landed.len(),
            append.ids.len()
        );
        check.unanswered_absent += 1;
    }
    assert_eq!(
        next,
        stored.len(),
        "{stream}: holds {} events, but only {next} were sent to it",
        stored.len()
    );
    check.last_revision = stored.last().map(|event| event.revision);
    check
}

/// Checks the whole store: every stream, and `$all` against the streams.
async fn check_store(client: &Client, histories: &[StreamHistory]) -> Vec<StreamCheck> {
    let mut checks = Vec::with_capacity(WRITERS);
    let mut streams = HashMap::new();
    for (writer, history) in histories.iter().enumerate() {
        let stream = stream_name(writer);
        let stored = read_stream(client, &stream).await;
        checks.push(check_stream(&stream, history, &stored));
        streams.insert(stream, stored);
    }

    let all = read_all(client).await;
    for pair in all.windows(2) {
        assert!(
            pair[1].1.position > pair[0].1.position,
            "$all positions do not strictly grow: {} then {}",
            pair[0].1.position,
            pair[1].1.position
        );
    }
    let mut in_all: HashMap<&str, Vec<&StoredEvent>> = HashMap::new();
    for (stream, event) in &all {
        if !stream.starts_with('$') {
            in_all.entry(stream.as_str()).or_default().push(event);
        }
    }
    for (stream, stored) in &streams {
        let from_all: Vec<(Uuid, u64, u64)> = in_all
            .remove(stream.as_str())
            .unwrap_or_default()
            .into_iter()
            .map(|event| (event.id, event.revision, event.position))
            .collect();
        let from_stream: Vec<(Uuid, u64, u64)> = stored
            .iter()
            .map(|event| (event.id, event.revision, event.position))
            .collect();
        assert!(
            from_all == from_stream,
            "{stream}: $all holds {} of its events, the stream {}, or in another order or position",
            from_all.len(),
            from_stream.len()
        );
    }
    assert!(
        in_all.is_empty(),
        "$all holds events of streams nobody wrote: {:?}",
        in_all.keys().collect::<Vec<_>>()
    );
    checks
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_acknowledged_append_survives_repeated_sigkills_and_no_append_is_half_written() {
    let started = Instant::now();
    let data = data_folder();
    let binary = test_binary();
    let mut histories: Vec<StreamHistory> =
        (0..WRITERS).map(|_| StreamHistory::default()).collect();
    let mut last_revisions: Vec<Option<u64>> = vec![None; WRITERS];
    let mut acknowledged_total = 0;
    let mut unanswered_total = 0;

    for crash in 0..CRASHES {
        let store = StoreProcess::start(&binary, data.path(), &[]);
        let client = connect(&store).await;
        // What the store holds must match what was sent before every crash so far.
        last_revisions = check_store(&client, &histories)
            .await
            .iter()
            .map(|check| check.last_revision)
            .collect();

        let acknowledged = Arc::new(AtomicUsize::new(0));
        let writers: Vec<_> = (0..WRITERS)
            .map(|writer| {
                let seed = (crash as u64 + 1) * 1_000_003 + writer as u64 * 7_919;
                tokio::spawn(write_until_the_store_dies(
                    client.clone(),
                    writer,
                    last_revisions[writer],
                    seed,
                    acknowledged.clone(),
                ))
            })
            .collect();

        // Kill it while the writers are busy: after a varying number of
        // acknowledged appends, so that the kill lands at different moments.
        let wanted = 100 + (crash * 173) % 600;
        let deadline = Instant::now() + Duration::from_secs(20);
        while acknowledged.load(Ordering::Relaxed) < wanted {
            assert!(
                Instant::now() < deadline,
                "the store acknowledged only {} appends in 20 s; its output:\n{}",
                acknowledged.load(Ordering::Relaxed),
                store.output()
            );
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        store.kill();

        for (writer, task) in writers.into_iter().enumerate() {
            let sent = task.await.expect("a writer panicked");
            unanswered_total += sent
                .iter()
                .filter(|append| append.acknowledged_at.is_none())
                .count();
            acknowledged_total += sent
                .iter()
                .filter(|append| append.acknowledged_at.is_some())
                .count();
            histories[writer].appends.extend(sent);
        }
        drop(client);
    }

    let store = StoreProcess::start(&binary, data.path(), &[]);
    let client = connect(&store).await;
    let checks = check_store(&client, &histories).await;
    assert!(
        checks.iter().all(|check| check.last_revision.is_some()),
        "a stream holds no events at the end: {checks:?} (before the last crash: {last_revisions:?})"
    );
    let stored: u64 = checks
        .iter()
        .map(|check| check.last_revision.map_or(0, |revision| revision + 1))
        .sum();
    let landed: usize = checks.iter().map(|check| check.unanswered_landed).sum();
    let absent: usize = checks.iter().map(|check| check.unanswered_absent).sum();
    assert_eq!(
        landed + absent,
        unanswered_total,
        "every unanswered append is accounted for"
    );
    println!(
        "{CRASHES} crashes, {acknowledged_total} acknowledged appends, {unanswered_total} unanswered \
         ({landed} landed whole, {absent} absent), {stored} events stored, in {:?}",
        started.elapsed()
    );
    store.kill();
}
