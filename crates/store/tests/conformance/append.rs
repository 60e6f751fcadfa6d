use bytes::Bytes;
use kurrentdb::{AppendToStreamOptions, CurrentRevision, EventData, StreamState};
use uuid::Uuid;

use crate::support::{TestStore, event, number, stream};

fn expecting(state: StreamState) -> AppendToStreamOptions {
    AppendToStreamOptions::default().stream_state(state)
}

#[tokio::test]
async fn appends_with_each_expected_revision_succeed_where_the_stream_stands() {
    let store = TestStore::start().await;
    let name = stream("append");
    let client = &store.client;

    let first = client
        .append_to_stream(
            name.as_str(),
            &expecting(StreamState::NoStream),
            event("A", 0),
        )
        .await
        .unwrap();
    assert_eq!(first.next_expected_version, 0);
    let second = client
        .append_to_stream(
            name.as_str(),
            &expecting(StreamState::StreamExists),
            event("A", 1),
        )
        .await
        .unwrap();
    assert_eq!(second.next_expected_version, 1);
    let third = client
        .append_to_stream(
            name.as_str(),
            &expecting(StreamState::StreamRevision(1)),
            vec![event("A", 2), event("A", 3)],
        )
        .await
        .unwrap();
    assert_eq!(third.next_expected_version, 3);
    let fourth = client
        .append_to_stream(name.as_str(), &expecting(StreamState::Any), event("A", 4))
        .await
        .unwrap();
    assert_eq!(fourth.next_expected_version, 4);
    assert!(
        fourth.position > third.position,
        "positions in $all only grow"
    );

    let events = store.read_stream(&name).await.unwrap();
    let numbers: Vec<u64> = events.iter().map(number).collect();
    assert_eq!(numbers, vec![0, 1, 2, 3, 4]);
    let revisions: Vec<u64> = events
        .iter()
        .map(|event| event.get_original_event().revision)
        .collect();
    assert_eq!(revisions, vec![0, 1, 2, 3, 4]);
}

#[tokio::test]
async fn a_wrong_expected_revision_is_refused_with_the_current_and_expected_revision() {
    let store = TestStore::start().await;
    let name = stream("wev");
    let client = &store.client;
    client
        .append_to_stream(
            name.as_str(),
            &expecting(StreamState::NoStream),
            vec![event("A", 0), event("A", 1)],
        )
        .await
        .unwrap();

    let cases = [
        (StreamState::NoStream, CurrentRevision::Current(1)),
        (StreamState::StreamRevision(0), CurrentRevision::Current(1)),
        (StreamState::StreamRevision(7), CurrentRevision::Current(1)),
    ];
    for (expected, current) in cases {
        let error = client
            .append_to_stream(name.as_str(), &expecting(expected), event("A", 9))
            .await
            .unwrap_err();
        match error {
            kurrentdb::Error::WrongExpectedVersion {
                expected: got_expected,
                current: got_current,
            } => {
                assert_eq!(got_expected, expected);
                assert_eq!(got_current, current);
            }
            other => panic!("expected WrongExpectedVersion, got {other:?}"),
        }
    }

    let missing = stream("missing");
    let error = client
        .append_to_stream(
            missing.as_str(),
            &expecting(StreamState::StreamExists),
            event("A", 0),
        )
        .await
        .unwrap_err();
    assert!(matches!(
        error,
        kurrentdb::Error::WrongExpectedVersion {
            current: CurrentRevision::NoStream,
            expected: StreamState::StreamExists
        }
    ));
    assert_eq!(
        store.read_stream(&name).await.unwrap().len(),
        2,
        "nothing was written"
    );
    assert!(matches!(
        store.read_stream(&missing).await,
        Err(kurrentdb::Error::ResourceNotFound)
    ));
}

#[tokio::test]
async fn ids_types_content_types_metadata_and_data_are_kept_byte_for_byte() {
    let store = TestStore::start().await;
    let name = stream("bytes");
    let id = Uuid::new_v4();
    let data = Bytes::from_static(&[0, 159, 146, 150, 255, b'\n', 0]);
    let custom = Bytes::from_static(b"{\"correlation_id\":\"c-1\",\"office\":\"410100\"}");
    let binary = EventData::binary("Binary.Thing-v2", data.clone())
        .id(id)
        .metadata(custom.clone());
    let json = EventData::json(
        "JobSeekerRegistered",
        &serde_json::json!({"name": "王芳", "n": 1}),
    )
    .unwrap();
    store
        .client
        .append_to_stream(
            name.as_str(),
            &expecting(StreamState::NoStream),
            vec![binary, json],
        )
        .await
        .unwrap();

    let events = store.read_stream(&name).await.unwrap();
    let first = events[0].get_original_event();
    assert_eq!(first.id, id);
    assert_eq!(first.event_type, "Binary.Thing-v2");
    assert!(!first.is_json);
    assert_eq!(
        first.metadata.get("content-type").map(String::as_str),
        Some("application/octet-stream")
    );
    assert_eq!(first.data, data);
    assert_eq!(first.custom_metadata, custom);
    let second = events[1].get_original_event();
    assert!(second.is_json);
    let value: serde_json::Value = second.as_json().unwrap();
    assert_eq!(value["name"], "王芳");
    let now = chrono_now_seconds();
    let created = first.created.timestamp();
    assert!(
        (now - created).abs() < 60,
        "created is now, in ticks since the Unix epoch ({created} vs {now})"
    );
}

fn chrono_now_seconds() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

#[tokio::test]
async fn a_retried_append_with_the_same_event_ids_writes_nothing_twice() {
    let store = TestStore::start().await;
    let name = stream("idempotent");
    let ids: Vec<Uuid> = (0..3).map(|_| Uuid::new_v4()).collect();
    let events = |ids: &[Uuid]| -> Vec<EventData> {
        ids.iter()
            .enumerate()
            .map(|(n, id)| event("A", n as u64).id(*id))
            .collect()
    };
    let client = &store.client;

    let first = client
        .append_to_stream(
            name.as_str(),
            &expecting(StreamState::NoStream),
            events(&ids),
        )
        .await
        .unwrap();
    let retry = client
        .append_to_stream(
            name.as_str(),
            &expecting(StreamState::NoStream),
            events(&ids),
        )
        .await
        .unwrap();
    assert_eq!(retry.next_expected_version, first.next_expected_version);
    assert_eq!(retry.position, first.position);

    let more: Vec<Uuid> = (0..2).map(|_| Uuid::new_v4()).collect();
    let second = client
        .append_to_stream(
            name.as_str(),
            &expecting(StreamState::StreamRevision(2)),
            events(&more),
        )
        .await
        .unwrap();
    let retry = client
        .append_to_stream(
            name.as_str(),
            &expecting(StreamState::StreamRevision(2)),
            events(&more),
        )
        .await
        .unwrap();
    assert_eq!(retry.next_expected_version, second.next_expected_version);
    let retry_any = client
        .append_to_stream(name.as_str(), &expecting(StreamState::Any), events(&more))
        .await
        .unwrap();
    assert_eq!(retry_any.next_expected_version, 4);

    assert_eq!(store.read_stream(&name).await.unwrap().len(), 5);
    assert_eq!(
        store
            .read_all()
            .await
            .iter()
            .filter(|event| event.get_original_stream_id() == name)
            .count(),
        5
    );

    // Other ids after an old expected revision are a conflict, not a retry.
    let error = client
        .append_to_stream(
            name.as_str(),
            &expecting(StreamState::StreamRevision(2)),
            event("A", 9),
        )
        .await
        .unwrap_err();
    assert!(matches!(
        error,
        kurrentdb::Error::WrongExpectedVersion { .. }
    ));
}

#[tokio::test]
async fn an_append_over_the_maximum_size_is_refused_and_writes_nothing() {
    let store = TestStore::start_with(|mut config| {
        config.max_append_size = 64 * 1024;
        config
    })
    .await;
    let name = stream("big");
    let big = EventData::binary("Big", Bytes::from(vec![7u8; 40 * 1024]));
    let error = store
        .client
        .append_to_stream(
            name.as_str(),
            &expecting(StreamState::Any),
            vec![big.clone(), big],
        )
        .await
        .unwrap_err();
    match error {
        kurrentdb::Error::Grpc { code, message } => {
            assert_eq!(code, tonic::Code::InvalidArgument);
            assert!(message.contains("Maximum Append Size"), "{message}");
        }
        other => panic!("expected an InvalidArgument status, got {other:?}"),
    }
    assert!(matches!(
        store.read_stream(&name).await,
        Err(kurrentdb::Error::ResourceNotFound)
    ));
}

#[tokio::test]
async fn batch_append_writes_each_batch_and_reports_conflicts() {
    let store = TestStore::start().await;
    let batch = store
        .client
        .batch_append(&Default::default())
        .await
        .expect("the server advertises batch append");
    let name = stream("batch");
    let written = batch
        .append_to_stream(
            &name,
            StreamState::NoStream,
            vec![event("A", 0), event("A", 1), event("A", 2)],
        )
        .await
        .unwrap();
    assert_eq!(written.current_revision(), Some(2));
    assert!(written.current_position().is_some());
    let conflict = batch
        .append_to_stream(&name, StreamState::NoStream, vec![event("A", 3)])
        .await
        .unwrap_err();
    match conflict {
        kurrentdb::Error::Grpc { code, .. } => assert_eq!(code, tonic::Code::FailedPrecondition),
        other => panic!("expected a FailedPrecondition status, got {other:?}"),
    }
    let numbers: Vec<u64> = store
        .read_stream(&name)
        .await
        .unwrap()
        .iter()
        .map(number)
        .collect();
    assert_eq!(numbers, vec![0, 1, 2]);
}

#[tokio::test]
async fn concurrent_appends_to_one_stream_with_exact_revisions_never_both_win() {
    let store = TestStore::start().await;
    let name = stream("race");
    store
        .client
        .append_to_stream(
            name.as_str(),
            &expecting(StreamState::NoStream),
            event("A", 0),
        )
        .await
        .unwrap();
    let mut tasks = Vec::new();
    for n in 0..16 {
        let client = store.client.clone();
        let name = name.clone();
        tasks.push(tokio::spawn(async move {
            client
                .append_to_stream(
                    name.as_str(),
                    &expecting(StreamState::StreamRevision(0)),
                    event("B", n),
                )
                .await
                .is_ok()
        }));
    }
    let mut winners = 0;
    for task in tasks {
        if task.await.unwrap() {
            winners += 1;
        }
    }
    assert_eq!(winners, 1);
    assert_eq!(store.read_stream(&name).await.unwrap().len(), 2);
}
