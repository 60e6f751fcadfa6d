//! Reads taken to their end: a read that wants less than the store sends
//! is finished, not dropped, so the one connection a service shares is
//! never closed by the client's HTTP/2 protection against reset streams.

use kurrentdb::{
    AppendToStreamOptions, EventData, ReadAllOptions, ReadStreamOptions, StreamPosition,
};
use labex_eventsourcing::reads;

use crate::support::*;

/// Twenty events of 20 KB each: a read of three of them is still being
/// sent when its first arrives.
async fn large_events(store: &TestStore) {
    for n in 0..20 {
        let event = EventData::json(
            "Large",
            &serde_json::json!({ "n": n, "padding": "x".repeat(20_000) }),
        )
        .expect("the event encodes");
        store
            .client
            .append_to_stream(
                format!("large-{n}"),
                &AppendToStreamOptions::default(),
                event,
            )
            .await
            .expect("the append");
    }
}

/// 12,800 reads of three large events each, 64 at once, of which only the
/// first is wanted. Dropped after it, they fail within seconds with
/// `RESOURCE_EXHAUSTED` ("h2 protocol error"); finished, they all answer.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn reads_finished_after_their_first_event_keep_the_connection() {
    let store = TestStore::start().await;
    large_events(&store).await;
    let readers: Vec<_> = (0..64)
        .map(|_| {
            let client = store.client.clone();
            tokio::spawn(async move {
                for _ in 0..200 {
                    let options = ReadAllOptions::default()
                        .position(StreamPosition::Start)
                        .max_count(3);
                    let read = client.read_all(&options).await.expect("a read");
                    let first = reads::first_event(read).await.expect("the first event");
                    assert!(first.is_some());
                }
            })
        })
        .collect();
    for reader in readers {
        reader.await.expect("the reader ran");
    }
}

#[tokio::test]
async fn the_first_event_of_a_missing_stream_is_none_and_the_last_position_follows_appends() {
    let store = TestStore::start().await;
    let empty = reads::last_position(&store.client, ReadAllOptions::default())
        .await
        .expect("the head of $all");
    let read = store
        .client
        .read_stream("nothing-here", &ReadStreamOptions::default().max_count(1))
        .await
        .expect("a read");
    assert!(reads::first_event(read).await.expect("no error").is_none());
    large_events(&store).await;
    let head = reads::last_position(&store.client, ReadAllOptions::default())
        .await
        .expect("the head of $all");
    assert!(head > empty, "{head:?} after {empty:?}");
    let mut read = store
        .client
        .read_stream("large-19", &ReadStreamOptions::default().max_count(1))
        .await
        .expect("a read");
    let event = read.next().await.expect("a read").expect("the event");
    assert_eq!(event.get_original_event().position, head.expect("a head"));
    reads::finish(&mut read).await;
    assert!(read.next().await.expect("the end").is_none());
}
