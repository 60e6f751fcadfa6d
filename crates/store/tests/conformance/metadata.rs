use std::time::Duration;

use kurrentdb::{StreamMetadata, StreamMetadataResult};

use crate::support::{TestStore, event, number, stream};

async fn stream_with(store: &TestStore, count: u64) -> String {
    let name = stream("meta");
    let events: Vec<_> = (0..count).map(|n| event("A", n)).collect();
    store
        .client
        .append_to_stream(name.as_str(), &Default::default(), events)
        .await
        .unwrap();
    name
}

#[tokio::test]
async fn max_count_keeps_only_the_latest_events_visible() {
    let store = TestStore::start().await;
    let name = stream_with(&store, 10).await;
    let metadata = StreamMetadata::builder().max_count(3).build();
    store
        .client
        .set_stream_metadata(name.as_str(), &Default::default(), &metadata)
        .await
        .unwrap();
    let visible: Vec<u64> = store
        .read_stream(&name)
        .await
        .unwrap()
        .iter()
        .map(number)
        .collect();
    assert_eq!(visible, vec![7, 8, 9]);

    match store
        .client
        .get_stream_metadata(name.as_str(), &Default::default())
        .await
        .unwrap()
    {
        StreamMetadataResult::Success(read) => assert_eq!(read.metadata().max_count, Some(3)),
        other => panic!("expected the metadata back, got {other:?}"),
    }
}

#[tokio::test]
async fn truncate_before_hides_earlier_revisions() {
    let store = TestStore::start().await;
    let name = stream_with(&store, 6).await;
    let metadata = StreamMetadata::builder().truncate_before(4).build();
    store
        .client
        .set_stream_metadata(name.as_str(), &Default::default(), &metadata)
        .await
        .unwrap();
    let visible: Vec<u64> = store
        .read_stream(&name)
        .await
        .unwrap()
        .iter()
        .map(number)
        .collect();
    assert_eq!(visible, vec![4, 5]);
}

#[tokio::test]
async fn max_age_hides_events_older_than_it() {
    let store = TestStore::start().await;
    let name = stream_with(&store, 2).await;
    // `$maxAge` is in seconds on the wire (the Rust client's builder writes
    // milliseconds), so the metadata is written as JSON here.
    let metadata =
        kurrentdb::EventData::json("$metadata", &serde_json::json!({ "$maxAge": 1 })).unwrap();
    store
        .client
        .append_to_stream(format!("$${name}").as_str(), &Default::default(), metadata)
        .await
        .unwrap();
    assert_eq!(
        store.read_stream(&name).await.unwrap().len(),
        2,
        "young events are visible"
    );
    tokio::time::sleep(Duration::from_millis(2_100)).await;
    store
        .client
        .append_to_stream(name.as_str(), &Default::default(), event("A", 2))
        .await
        .unwrap();
    let visible: Vec<u64> = store
        .read_stream(&name)
        .await
        .unwrap()
        .iter()
        .map(number)
        .collect();
    assert_eq!(visible, vec![2]);
}

#[tokio::test]
async fn the_metadata_stream_keeps_one_event_and_bad_metadata_is_refused() {
    let store = TestStore::start().await;
    let name = stream_with(&store, 1).await;
    for count in [5, 4] {
        let metadata = StreamMetadata::builder().max_count(count).build();
        store
            .client
            .set_stream_metadata(name.as_str(), &Default::default(), &metadata)
            .await
            .unwrap();
    }
    let metadata_events = store.read_stream(&format!("$${name}")).await.unwrap();
    assert_eq!(metadata_events.len(), 1);
    assert_eq!(metadata_events[0].get_original_event().revision, 1);

    let bad = kurrentdb::EventData::binary("$metadata", bytes::Bytes::from_static(b"[1, 2]"));
    let refused = store
        .client
        .append_to_stream(format!("$${name}").as_str(), &Default::default(), bad)
        .await
        .unwrap_err();
    assert!(
        matches!(
            refused,
            kurrentdb::Error::Grpc {
                code: tonic::Code::InvalidArgument,
                ..
            }
        ),
        "{refused:?}"
    );
    match store
        .client
        .get_stream_metadata(name.as_str(), &Default::default())
        .await
        .unwrap()
    {
        StreamMetadataResult::Success(read) => assert_eq!(read.metadata().max_count, Some(4)),
        other => panic!("expected the metadata back, got {other:?}"),
    }
}

/// Mirrors the Python client's `test_stream_metadata_get_and_set`: a soft
/// delete writes `$tb` at the largest 64-bit signed integer, as KurrentDB
/// does; metadata that keeps it keeps the stream deleted; the next append
/// writes it again at its first new revision, keeping the other fields; a
/// tombstoned stream's metadata reads as deleted yet still takes writes.
#[tokio::test]
async fn test_stream_metadata_get_and_set() {
    use kurrentdb::{AppendToStreamOptions, DeleteStreamOptions, StreamState};
    const MAX_LONG: u64 = 9_223_372_036_854_775_807;
    let store = TestStore::start().await;
    let name = stream_with(&store, 2).await;
    assert!(matches!(
        store
            .client
            .get_stream_metadata(name.as_str(), &Default::default())
            .await
            .unwrap(),
        StreamMetadataResult::NotFound
    ));

    store
        .client
        .delete_stream(
            name.as_str(),
            &DeleteStreamOptions::default().stream_state(StreamState::StreamExists),
        )
        .await
        .unwrap();
    let StreamMetadataResult::Success(deleted) = store
        .client
        .get_stream_metadata(name.as_str(), &Default::default())
        .await
        .unwrap()
    else {
        panic!("a deleted stream has metadata");
    };
    assert_eq!(deleted.metadata().truncate_before, Some(MAX_LONG));
    assert_eq!(deleted.version(), 0);

    let kept_deleted = StreamMetadata::builder()
        .truncate_before(MAX_LONG)
        .max_count(10)
        .insert_custom_property("foo", "bar")
        .build();
    store
        .client
        .set_stream_metadata(
            name.as_str(),
            &AppendToStreamOptions::default().stream_state(StreamState::StreamRevision(0)),
            &kept_deleted,
        )
        .await
        .unwrap();
    assert!(matches!(
        store.read_stream(&name).await,
        Err(kurrentdb::Error::ResourceNotFound)
    ));

    store
        .client
        .append_to_stream(name.as_str(), &Default::default(), event("A", 2))
        .await
        .unwrap();
    let StreamMetadataResult::Success(recreated) = store
        .client
        .get_stream_metadata(name.as_str(), &Default::default())
        .await
        .unwrap()
    else {
        panic!("a recreated stream has metadata");
    };
    assert_eq!(recreated.version(), 2);
    assert_eq!(recreated.metadata().truncate_before, Some(2));
    assert_eq!(recreated.metadata().max_count, Some(10));
    assert_eq!(
        recreated.metadata().custom_properties.get("foo"),
        Some(&serde_json::json!("bar"))
    );
    let visible: Vec<u64> = store
        .read_stream(&name)
        .await
        .unwrap()
        .iter()
        .map(number)
        .collect();
    assert_eq!(visible, vec![2]);

    store
        .client
        .tombstone_stream(name.as_str(), &Default::default())
        .await
        .unwrap();
    assert!(matches!(
        store
            .client
            .get_stream_metadata(name.as_str(), &Default::default())
            .await
            .unwrap(),
        StreamMetadataResult::Deleted
    ));
    store
        .client
        .set_stream_metadata(
            name.as_str(),
            &AppendToStreamOptions::default().stream_state(StreamState::StreamRevision(2)),
            &StreamMetadata::builder().max_count(3).build(),
        )
        .await
        .unwrap();
}
