use kurrentdb::{
    AppendToStreamOptions, Position, ReadAllOptions, ReadStreamOptions, StreamPosition,
    SubscriptionFilter,
};

use crate::support::{TestStore, event, number, stream};

async fn stream_of(store: &TestStore, count: u64) -> String {
    let name = stream("read");
    let events: Vec<_> = (0..count).map(|n| event("Numbered", n)).collect();
    store
        .client
        .append_to_stream(name.as_str(), &AppendToStreamOptions::default(), events)
        .await
        .unwrap();
    name
}

#[tokio::test]
async fn a_stream_reads_forwards_and_backwards_from_a_revision_with_a_count() {
    let store = TestStore::start().await;
    let name = stream_of(&store, 10).await;

    let forwards = store
        .read_stream_with(
            &name,
            &ReadStreamOptions::default()
                .position(StreamPosition::Position(3))
                .max_count(4),
        )
        .await
        .unwrap();
    assert_eq!(
        forwards.iter().map(number).collect::<Vec<_>>(),
        vec![3, 4, 5, 6]
    );

    let backwards = store
        .read_stream_with(
            &name,
            &ReadStreamOptions::default()
                .backwards()
                .position(StreamPosition::Position(5))
                .max_count(3),
        )
        .await
        .unwrap();
    assert_eq!(
        backwards.iter().map(number).collect::<Vec<_>>(),
        vec![5, 4, 3]
    );

    let from_end = store
        .read_stream_with(
            &name,
            &ReadStreamOptions::default()
                .backwards()
                .position(StreamPosition::End)
                .max_count(2),
        )
        .await
        .unwrap();
    assert_eq!(from_end.iter().map(number).collect::<Vec<_>>(), vec![9, 8]);

    let past_end = store
        .read_stream_with(
            &name,
            &ReadStreamOptions::default().position(StreamPosition::Position(50)),
        )
        .await
        .unwrap();
    assert!(past_end.is_empty());

    let everything = store.read_stream(&name).await.unwrap();
    assert_eq!(
        everything.len(),
        10,
        "the default count reads the whole stream"
    );
}

#[tokio::test]
async fn a_missing_stream_reads_as_not_found() {
    let store = TestStore::start().await;
    let result = store.read_stream(&stream("never-written")).await;
    assert!(
        matches!(result, Err(kurrentdb::Error::ResourceNotFound)),
        "{result:?}"
    );
}

#[tokio::test]
async fn all_reads_forwards_and_backwards_in_position_order() {
    let store = TestStore::start().await;
    let first = stream_of(&store, 3).await;
    let second = stream_of(&store, 3).await;

    let all = store.read_all().await;
    let ours: Vec<_> = all
        .iter()
        .filter(|event| [&first, &second].contains(&&event.get_original_stream_id().to_owned()))
        .collect();
    assert_eq!(ours.len(), 6);
    let positions: Vec<Position> = all
        .iter()
        .map(|event| event.get_original_event().position)
        .collect();
    assert!(
        positions.windows(2).all(|pair| pair[0] < pair[1]),
        "positions grow"
    );

    let backwards = store
        .read_all_with(
            &ReadAllOptions::default()
                .backwards()
                .position(StreamPosition::End)
                .max_count(2),
        )
        .await;
    let last_two: Vec<u64> = backwards.iter().map(number).collect();
    assert_eq!(last_two, vec![2, 1]);
    assert_eq!(backwards[0].get_original_stream_id(), second);

    // From a position, forwards, includes the event at that position.
    let middle = ours[2].get_original_event().position;
    let from_middle = store
        .read_all_with(
            &ReadAllOptions::default()
                .position(StreamPosition::Position(middle))
                .max_count(2),
        )
        .await;
    assert_eq!(from_middle[0].get_original_event().position, middle);
    assert_eq!(from_middle.len(), 2);
}

#[tokio::test]
async fn all_reads_filter_on_stream_name_and_event_type_by_prefix_and_regex() {
    let store = TestStore::start().await;
    let tag = uuid::Uuid::new_v4().simple().to_string();
    let vacancy = format!("vacancy{tag}-1");
    let seeker = format!("jobseeker{tag}-1");
    store
        .client
        .append_to_stream(
            vacancy.as_str(),
            &Default::default(),
            vec![event("VacancyPublished", 0), event("$internal", 1)],
        )
        .await
        .unwrap();
    store
        .client
        .append_to_stream(
            seeker.as_str(),
            &Default::default(),
            vec![event("JobSeekerRegistered", 2)],
        )
        .await
        .unwrap();

    let by_prefix = store
        .read_all_with(
            &ReadAllOptions::default()
                .filter(SubscriptionFilter::on_stream_name().add_prefix(format!("vacancy{tag}"))),
        )
        .await;
    assert_eq!(by_prefix.iter().map(number).collect::<Vec<_>>(), vec![0, 1]);

    let by_regex = store
        .read_all_with(&ReadAllOptions::default().filter(
            SubscriptionFilter::on_stream_name().regex(format!("^(vacancy|jobseeker){tag}")),
        ))
        .await;
    assert_eq!(by_regex.len(), 3);

    let by_type = store
        .read_all_with(
            &ReadAllOptions::default()
                .filter(SubscriptionFilter::on_event_type().add_prefix("JobSeeker")),
        )
        .await;
    assert!(by_type.iter().all(|event| {
        event
            .get_original_event()
            .event_type
            .starts_with("JobSeeker")
    }));
    assert!(
        by_type
            .iter()
            .any(|event| event.get_original_stream_id() == seeker)
    );

    // The negative look-ahead other clients send to leave system events out.
    let no_system = store
        .read_all_with(
            &ReadAllOptions::default()
                .filter(SubscriptionFilter::on_event_type().regex(r"^(?!\$)")),
        )
        .await;
    assert!(
        no_system
            .iter()
            .all(|event| !event.get_original_event().event_type.starts_with('$'))
    );
    assert!(
        no_system
            .iter()
            .any(|event| event.get_original_stream_id() == vacancy)
    );
    let excluded = store
        .read_all_with(
            &ReadAllOptions::default()
                .filter(SubscriptionFilter::on_event_type().exclude_system_events()),
        )
        .await;
    assert_eq!(excluded.len(), no_system.len());
}

#[tokio::test]
async fn reading_all_without_a_limit_reads_everything_without_allocating_for_the_limit() {
    let store = TestStore::start().await;
    let name = stream_of(&store, 1_500).await;
    // The client sends u64::MAX as the count for "no limit"; the server must page.
    let all = store
        .read_all_with(&ReadAllOptions::default().max_count(usize::MAX))
        .await;
    assert!(
        all.iter()
            .filter(|event| event.get_original_stream_id() == name)
            .count()
            == 1_500
    );
    let read = store
        .read_stream_with(&name, &ReadStreamOptions::default().max_count(usize::MAX))
        .await
        .unwrap();
    assert_eq!(
        read.iter().map(number).collect::<Vec<_>>(),
        (0..1_500).collect::<Vec<_>>()
    );
}

#[tokio::test]
async fn reads_report_the_first_and_last_stream_positions() {
    let store = TestStore::start().await;
    let name = stream_of(&store, 4).await;
    let mut read = store
        .client
        .read_stream(name.as_str(), &ReadStreamOptions::default())
        .await
        .unwrap();
    let mut last = None;
    let mut first = None;
    while let Some(item) = read.next_read_event().await.unwrap() {
        match item {
            kurrentdb::ReadEvent::FirstStreamPosition(revision) => first = Some(revision),
            kurrentdb::ReadEvent::LastStreamPosition(revision) => last = Some(revision),
            _ => {}
        }
    }
    assert_eq!(first, Some(0));
    assert_eq!(last, Some(3));

    // $all reads send no last position: the client does not ask for it
    // (compatibility 0), and older clients would not know the message.
}
