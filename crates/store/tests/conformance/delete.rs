use kurrentdb::{AppendToStreamOptions, DeleteStreamOptions, StreamState, TombstoneStreamOptions};

use crate::support::{TestStore, event, number, stream};

#[tokio::test]
async fn a_soft_deleted_stream_reads_as_not_found_and_continues_after_its_last_revision() {
    let store = TestStore::start().await;
    let name = stream("soft");
    let events: Vec<_> = (0..3).map(|n| event("A", n)).collect();
    store
        .client
        .append_to_stream(name.as_str(), &Default::default(), events)
        .await
        .unwrap();

    let position = store
        .client
        .delete_stream(
            name.as_str(),
            &DeleteStreamOptions::default().stream_state(StreamState::StreamRevision(2)),
        )
        .await
        .unwrap();
    assert!(position.is_some(), "the delete is recorded in $all");
    assert!(matches!(
        store.read_stream(&name).await,
        Err(kurrentdb::Error::ResourceNotFound)
    ));

    let written = store
        .client
        .append_to_stream(
            name.as_str(),
            &AppendToStreamOptions::default().stream_state(StreamState::NoStream),
            event("A", 3),
        )
        .await
        .unwrap();
    assert_eq!(
        written.next_expected_version, 3,
        "the stream continues at the last revision + 1"
    );
    let events = store.read_stream(&name).await.unwrap();
    assert_eq!(events.iter().map(number).collect::<Vec<_>>(), vec![3]);
    assert_eq!(events[0].get_original_event().revision, 3);
}

#[tokio::test]
async fn a_delete_with_a_wrong_expected_revision_is_refused() {
    let store = TestStore::start().await;
    let name = stream("soft-wev");
    store
        .client
        .append_to_stream(name.as_str(), &Default::default(), event("A", 0))
        .await
        .unwrap();
    let error = store
        .client
        .delete_stream(
            name.as_str(),
            &DeleteStreamOptions::default().stream_state(StreamState::StreamRevision(5)),
        )
        .await
        .unwrap_err();
    match error {
        kurrentdb::Error::Grpc { code, .. } => assert_eq!(code, tonic::Code::FailedPrecondition),
        other => panic!("expected FailedPrecondition, got {other:?}"),
    }
    assert_eq!(store.read_stream(&name).await.unwrap().len(), 1);
}

#[tokio::test]
async fn a_tombstoned_stream_can_never_be_read_or_written_again() {
    let store = TestStore::start().await;
    let name = stream("tomb");
    store
        .client
        .append_to_stream(name.as_str(), &Default::default(), event("A", 0))
        .await
        .unwrap();
    store
        .client
        .tombstone_stream(name.as_str(), &TombstoneStreamOptions::default())
        .await
        .unwrap();

    assert!(matches!(
        store.read_stream(&name).await,
        Err(kurrentdb::Error::ResourceDeleted)
    ));
    let append = store
        .client
        .append_to_stream(name.as_str(), &Default::default(), event("A", 1))
        .await;
    assert!(
        matches!(append, Err(kurrentdb::Error::ResourceDeleted)),
        "{append:?}"
    );
    let again = store
        .client
        .tombstone_stream(name.as_str(), &TombstoneStreamOptions::default())
        .await;
    assert!(
        matches!(again, Err(kurrentdb::Error::ResourceDeleted)),
        "{again:?}"
    );
    let delete = store
        .client
        .delete_stream(name.as_str(), &DeleteStreamOptions::default())
        .await;
    assert!(
        matches!(delete, Err(kurrentdb::Error::ResourceDeleted)),
        "{delete:?}"
    );
}

#[tokio::test]
async fn a_stream_that_never_existed_can_be_tombstoned_so_it_never_will() {
    let store = TestStore::start().await;
    let name = stream("tomb-new");
    store
        .client
        .tombstone_stream(
            name.as_str(),
            &TombstoneStreamOptions::default().stream_state(StreamState::NoStream),
        )
        .await
        .unwrap();
    let append = store
        .client
        .append_to_stream(name.as_str(), &Default::default(), event("A", 0))
        .await;
    assert!(matches!(append, Err(kurrentdb::Error::ResourceDeleted)));
}

// What the official Python client's own test class
// (`tests.test_client.TestKurrentDBClient`) says of deleting, as KurrentDB
// answers it; each test is named after the one it mirrors.

/// The client's "not found" on a delete: a wrong expected version whose
/// actual version is -1 (the Python client reads `Actual version: -1` in
/// the message; the Rust client sees FailedPrecondition).
fn is_delete_of_a_stream_never_written(error: &kurrentdb::Error) -> bool {
    matches!(
        error,
        kurrentdb::Error::Grpc { code, message }
            if *code == tonic::Code::FailedPrecondition
                && message.contains("WrongExpectedVersion")
                && message.contains("Actual version: -1")
    )
}

fn is_wrong_expected_version(error: &kurrentdb::Error) -> bool {
    matches!(
        error,
        kurrentdb::Error::Grpc { code, message }
            if *code == tonic::Code::FailedPrecondition
                && message.contains("WrongExpectedVersion")
                && !message.contains("Actual version: -1")
    )
}

async fn delete(
    store: &TestStore,
    name: &str,
    state: StreamState,
) -> Result<Option<kurrentdb::Position>, kurrentdb::Error> {
    store
        .client
        .delete_stream(name, &DeleteStreamOptions::default().stream_state(state))
        .await
}

async fn append(
    store: &TestStore,
    name: &str,
    state: StreamState,
    number: u64,
) -> Result<kurrentdb::WriteResult, kurrentdb::Error> {
    store
        .client
        .append_to_stream(
            name,
            &AppendToStreamOptions::default().stream_state(state),
            event("A", number),
        )
        .await
}

#[tokio::test]
async fn test_stream_delete_with_current_version() {
    let store = TestStore::start().await;
    let name = stream("delete-current");
    append(&store, &name, StreamState::NoStream, 0)
        .await
        .unwrap();
    append(&store, &name, StreamState::StreamRevision(0), 1)
        .await
        .unwrap();

    let wrong = delete(&store, &name, StreamState::StreamRevision(0)).await;
    assert!(is_wrong_expected_version(&wrong.unwrap_err()));
    delete(&store, &name, StreamState::StreamRevision(1))
        .await
        .unwrap();
    let wrong = delete(&store, &name, StreamState::StreamRevision(0)).await;
    assert!(is_wrong_expected_version(&wrong.unwrap_err()));
    // Odd but KurrentDB's: deleting the deleted stream again with its last
    // revision succeeds.
    delete(&store, &name, StreamState::StreamRevision(1))
        .await
        .unwrap();
    assert!(matches!(
        store.read_stream(&name).await,
        Err(kurrentdb::Error::ResourceNotFound)
    ));

    // A deleted stream takes appends expecting no stream, after its last revision.
    let written = append(&store, &name, StreamState::NoStream, 2)
        .await
        .unwrap();
    assert_eq!(written.next_expected_version, 2);
    append(&store, &name, StreamState::StreamRevision(2), 3)
        .await
        .unwrap();
    let events = store.read_stream(&name).await.unwrap();
    assert_eq!(events.iter().map(number).collect::<Vec<_>>(), vec![2, 3]);

    let wrong = delete(&store, &name, StreamState::StreamRevision(0)).await;
    assert!(is_wrong_expected_version(&wrong.unwrap_err()));
    delete(&store, &name, StreamState::StreamRevision(3))
        .await
        .unwrap();
    let wrong = delete(&store, &name, StreamState::StreamRevision(2)).await;
    assert!(is_wrong_expected_version(&wrong.unwrap_err()));
    delete(&store, &name, StreamState::StreamRevision(3))
        .await
        .unwrap();
}

#[tokio::test]
async fn test_stream_delete_with_any_current_version() {
    let store = TestStore::start().await;
    let name = stream("delete-any");
    // Odd but KurrentDB's: a stream never written cannot be deleted, even
    // expecting any revision.
    let never = delete(&store, &name, StreamState::Any).await.unwrap_err();
    assert!(is_delete_of_a_stream_never_written(&never), "{never:?}");

    append(&store, &name, StreamState::NoStream, 0)
        .await
        .unwrap();
    append(&store, &name, StreamState::StreamRevision(0), 1)
        .await
        .unwrap();
    delete(&store, &name, StreamState::Any).await.unwrap();
    delete(&store, &name, StreamState::Any).await.unwrap();
    assert!(matches!(
        store.read_stream(&name).await,
        Err(kurrentdb::Error::ResourceNotFound)
    ));

    let wrong = append(&store, &name, StreamState::StreamRevision(0), 2).await;
    assert!(
        matches!(wrong, Err(kurrentdb::Error::WrongExpectedVersion { .. })),
        "{wrong:?}"
    );
    append(&store, &name, StreamState::StreamRevision(1), 2)
        .await
        .unwrap();
    let events = store.read_stream(&name).await.unwrap();
    assert_eq!(events.iter().map(number).collect::<Vec<_>>(), vec![2]);

    delete(&store, &name, StreamState::Any).await.unwrap();
    assert!(matches!(
        store.read_stream(&name).await,
        Err(kurrentdb::Error::ResourceNotFound)
    ));
    delete(&store, &name, StreamState::Any).await.unwrap();
}

#[tokio::test]
async fn test_stream_delete_expecting_stream_exists() {
    let store = TestStore::start().await;
    let name = stream("delete-exists");
    let never = delete(&store, &name, StreamState::NoStream)
        .await
        .unwrap_err();
    assert!(is_delete_of_a_stream_never_written(&never), "{never:?}");
    let never = delete(&store, &name, StreamState::StreamExists)
        .await
        .unwrap_err();
    assert!(is_delete_of_a_stream_never_written(&never), "{never:?}");

    append(&store, &name, StreamState::NoStream, 0)
        .await
        .unwrap();
    append(&store, &name, StreamState::StreamRevision(0), 1)
        .await
        .unwrap();
    delete(&store, &name, StreamState::Any).await.unwrap();
    // A deleted stream exists, deleted: stream-deleted, the Rust client's
    // ResourceDeleted and the Python client's StreamIsDeletedError.
    let deleted = delete(&store, &name, StreamState::StreamExists).await;
    assert!(
        matches!(deleted, Err(kurrentdb::Error::ResourceDeleted)),
        "{deleted:?}"
    );
    let wrong = append(&store, &name, StreamState::StreamRevision(0), 2).await;
    assert!(
        matches!(wrong, Err(kurrentdb::Error::WrongExpectedVersion { .. })),
        "{wrong:?}"
    );
    append(&store, &name, StreamState::NoStream, 2)
        .await
        .unwrap();
    let events = store.read_stream(&name).await.unwrap();
    assert_eq!(events.iter().map(number).collect::<Vec<_>>(), vec![2]);

    delete(&store, &name, StreamState::StreamExists)
        .await
        .unwrap();
    assert!(matches!(
        store.read_stream(&name).await,
        Err(kurrentdb::Error::ResourceNotFound)
    ));
    let deleted = delete(&store, &name, StreamState::StreamExists).await;
    assert!(
        matches!(deleted, Err(kurrentdb::Error::ResourceDeleted)),
        "{deleted:?}"
    );
}

/// Every way a client meets a tombstoned stream answers stream-deleted:
/// `exception: stream-deleted` (the Rust client's `ResourceDeleted`) and a
/// message that says the stream "is deleted" (the Python client's
/// `StreamIsDeletedError`), on reads, appends, deletes, subscriptions and
/// reads of its metadata.
#[tokio::test]
async fn test_tombstone_stream_with_current_version() {
    let store = TestStore::start().await;
    let name = stream("tomb-paths");
    append(&store, &name, StreamState::NoStream, 0)
        .await
        .unwrap();
    store
        .client
        .tombstone_stream(
            name.as_str(),
            &TombstoneStreamOptions::default().stream_state(StreamState::StreamRevision(0)),
        )
        .await
        .unwrap();

    let read = store.read_stream(&name).await;
    assert!(
        matches!(read, Err(kurrentdb::Error::ResourceDeleted)),
        "{read:?}"
    );
    for state in [
        StreamState::Any,
        StreamState::NoStream,
        StreamState::StreamExists,
        StreamState::StreamRevision(0),
    ] {
        let appended = append(&store, &name, state, 1).await;
        assert!(
            matches!(appended, Err(kurrentdb::Error::ResourceDeleted)),
            "{state:?}: {appended:?}"
        );
        let deleted = delete(&store, &name, state).await;
        assert!(
            matches!(deleted, Err(kurrentdb::Error::ResourceDeleted)),
            "{state:?}: {deleted:?}"
        );
    }
    let mut subscription = store
        .client
        .subscribe_to_stream(name.as_str(), &Default::default())
        .await;
    let subscribed = crate::support::soon(subscription.next()).await;
    assert!(
        matches!(subscribed, Err(kurrentdb::Error::ResourceDeleted)),
        "{subscribed:?}"
    );
    // Odd but KurrentDB's: the metadata reads as deleted, yet takes writes.
    let metadata = store
        .client
        .get_stream_metadata(name.as_str(), &Default::default())
        .await;
    assert!(
        matches!(metadata, Ok(kurrentdb::StreamMetadataResult::Deleted)),
        "{metadata:?}"
    );
    store
        .client
        .set_stream_metadata(
            name.as_str(),
            &Default::default(),
            &kurrentdb::StreamMetadata::builder().max_count(5).build(),
        )
        .await
        .unwrap();
}
