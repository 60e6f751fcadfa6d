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
