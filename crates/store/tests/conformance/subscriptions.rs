use std::collections::HashSet;

use kurrentdb::{
    AppendToStreamOptions, Position, StreamPosition, SubscribeToAllOptions,
    SubscribeToStreamOptions, SubscriptionEvent, SubscriptionFilter,
};

use crate::support::{TestStore, event, number, soon, stream};

#[tokio::test]
async fn a_stream_subscription_catches_up_then_receives_live_events_in_order() {
    let store = TestStore::start().await;
    let name = stream("sub");
    let before: Vec<_> = (0..5).map(|n| event("A", n)).collect();
    store
        .client
        .append_to_stream(name.as_str(), &Default::default(), before)
        .await
        .unwrap();

    let mut subscription = store
        .client
        .subscribe_to_stream(
            name.as_str(),
            &SubscribeToStreamOptions::default().start_from(StreamPosition::Start),
        )
        .await;
    let mut seen = Vec::new();
    let mut caught_up = false;
    while seen.len() < 5 || !caught_up {
        match soon(subscription.next_subscription_event()).await.unwrap() {
            SubscriptionEvent::EventAppeared(event) => seen.push(number(&event)),
            SubscriptionEvent::CaughtUp(_) => caught_up = true,
            _ => {}
        }
    }
    assert_eq!(seen, vec![0, 1, 2, 3, 4]);

    let after: Vec<_> = (5..8).map(|n| event("A", n)).collect();
    store
        .client
        .append_to_stream(name.as_str(), &Default::default(), after)
        .await
        .unwrap();
    for expected in 5..8 {
        let event = soon(subscription.next()).await.unwrap();
        assert_eq!(number(&event), expected);
    }
}

#[tokio::test]
async fn a_stream_subscription_from_the_end_or_a_revision_skips_what_came_before() {
    let store = TestStore::start().await;
    let name = stream("sub-end");
    let before: Vec<_> = (0..3).map(|n| event("A", n)).collect();
    store
        .client
        .append_to_stream(name.as_str(), &Default::default(), before)
        .await
        .unwrap();

    let mut from_end = store
        .client
        .subscribe_to_stream(
            name.as_str(),
            &SubscribeToStreamOptions::default().start_from(StreamPosition::End),
        )
        .await;
    let mut after_one = store
        .client
        .subscribe_to_stream(
            name.as_str(),
            &SubscribeToStreamOptions::default().start_from(StreamPosition::Position(1)),
        )
        .await;
    assert_eq!(number(&soon(after_one.next()).await.unwrap()), 2);
    // Make sure the subscription from the end is established before appending.
    loop {
        if let SubscriptionEvent::CaughtUp(_) =
            soon(from_end.next_subscription_event()).await.unwrap()
        {
            break;
        }
    }
    store
        .client
        .append_to_stream(name.as_str(), &Default::default(), event("A", 3))
        .await
        .unwrap();
    assert_eq!(number(&soon(from_end.next()).await.unwrap()), 3);
    assert_eq!(number(&soon(after_one.next()).await.unwrap()), 3);
}

#[tokio::test]
async fn an_all_subscription_misses_nothing_at_the_hand_over_under_concurrent_appends() {
    let store = TestStore::start().await;
    let writers = 8u64;
    let per_writer = 150u64;
    let prefix = format!("handover{}", uuid::Uuid::new_v4().simple());

    // Writers start before the subscription and go on while it catches up.
    let mut tasks = Vec::new();
    for writer in 0..writers {
        let client = store.client.clone();
        let name = format!("{prefix}-{writer}");
        tasks.push(tokio::spawn(async move {
            for n in 0..per_writer {
                client
                    .append_to_stream(
                        name.as_str(),
                        &AppendToStreamOptions::default(),
                        event("Load", n),
                    )
                    .await
                    .unwrap();
            }
        }));
    }
    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    let filter = SubscriptionFilter::on_stream_name().add_prefix(&prefix);
    let mut subscription = store
        .client
        .subscribe_to_all(
            &SubscribeToAllOptions::default()
                .position(StreamPosition::Start)
                .filter(filter),
        )
        .await;

    let mut last_position = Position::start();
    let mut next_per_stream = std::collections::HashMap::new();
    let mut seen = 0;
    while seen < writers * per_writer {
        let event = soon(subscription.next()).await.unwrap();
        let recorded = event.get_original_event();
        assert!(
            recorded.position > last_position,
            "events arrive in $all order"
        );
        last_position = recorded.position;
        let next = next_per_stream
            .entry(recorded.stream_id().to_owned())
            .or_insert(0u64);
        assert_eq!(
            number(&event),
            *next,
            "no event of {} is missed or repeated",
            recorded.stream_id()
        );
        *next += 1;
        seen += 1;
    }
    for task in tasks {
        task.await.unwrap();
    }
    assert_eq!(next_per_stream.len() as u64, writers);
}

#[tokio::test]
async fn a_filtered_all_subscription_sends_checkpoints_per_window() {
    let store = TestStore::start().await;
    let noise = stream("noise");
    let events: Vec<_> = (0..100).map(|n| event("Noise", n)).collect();
    store
        .client
        .append_to_stream(noise.as_str(), &Default::default(), events)
        .await
        .unwrap();

    let filter = SubscriptionFilter::on_event_type()
        .add_prefix("NothingMatchesThis")
        .max(10);
    let mut subscription = store
        .client
        .subscribe_to_all(
            &SubscribeToAllOptions::default()
                .position(StreamPosition::Start)
                .filter(filter),
        )
        .await;
    let mut checkpoints = Vec::new();
    while checkpoints.len() < 5 {
        if let SubscriptionEvent::Checkpoint(position) =
            soon(subscription.next_subscription_event()).await.unwrap()
        {
            checkpoints.push(position);
        }
    }
    assert!(
        checkpoints.windows(2).all(|pair| pair[0] < pair[1]),
        "checkpoints move forwards"
    );
}

#[tokio::test]
async fn an_all_subscription_from_a_position_starts_after_it() {
    let store = TestStore::start().await;
    let name = stream("after");
    let written: Vec<_> = (0..3).map(|n| event("A", n)).collect();
    store
        .client
        .append_to_stream(name.as_str(), &Default::default(), written)
        .await
        .unwrap();
    let ours: Vec<_> = store
        .read_all()
        .await
        .into_iter()
        .filter(|event| event.get_original_stream_id() == name)
        .collect();
    let after = ours[0].get_original_event().position;

    let mut subscription = store
        .client
        .subscribe_to_all(
            &SubscribeToAllOptions::default().position(StreamPosition::Position(after)),
        )
        .await;
    let mut seen = Vec::new();
    while seen.len() < 2 {
        let event = soon(subscription.next()).await.unwrap();
        if event.get_original_stream_id() == name {
            seen.push(number(&event));
        }
    }
    assert_eq!(seen, vec![1, 2]);
}

#[tokio::test]
async fn a_slow_subscriber_does_not_stall_writers_and_loses_nothing() {
    // A small live buffer, so that the subscriber surely falls behind it.
    let store = TestStore::start_with(|mut config| {
        config.live_buffer_batches = 8;
        config
    })
    .await;
    let name = stream("slow");
    let mut subscription = store
        .client
        .subscribe_to_stream(
            name.as_str(),
            &SubscribeToStreamOptions::default().start_from(StreamPosition::Start),
        )
        .await;
    // Confirmed and caught up on an empty stream.
    loop {
        if let SubscriptionEvent::CaughtUp(_) =
            soon(subscription.next_subscription_event()).await.unwrap()
        {
            break;
        }
    }
    // Writers go far past the live buffer while the subscriber reads nothing.
    let total = 6_000u64;
    let started = std::time::Instant::now();
    for chunk in 0..(total / 100) {
        let events: Vec<_> = (0..100).map(|n| event("A", chunk * 100 + n)).collect();
        soon(
            store
                .client
                .append_to_stream(name.as_str(), &Default::default(), events),
        )
        .await
        .unwrap();
    }
    let noise = stream("noise");
    for chunk in 0..50u64 {
        let events: Vec<_> = (0..10).map(|n| event("B", chunk * 10 + n)).collect();
        store
            .client
            .append_to_stream(noise.as_str(), &Default::default(), events)
            .await
            .unwrap();
    }
    assert!(
        started.elapsed() < std::time::Duration::from_secs(30),
        "writers were not held up"
    );

    let mut seen = HashSet::new();
    let mut expected = 0;
    while expected < total {
        let event = soon(subscription.next()).await.unwrap();
        assert_eq!(number(&event), expected);
        seen.insert(expected);
        expected += 1;
    }
    assert_eq!(seen.len() as u64, total);
}

#[tokio::test]
async fn thousands_of_idle_subscriptions_are_held_and_still_receive_events() {
    let store = TestStore::start().await;
    let name = stream("idle");
    let mut subscriptions = Vec::new();
    for _ in 0..2_000 {
        subscriptions.push(
            store
                .client
                .subscribe_to_stream(
                    name.as_str(),
                    &SubscribeToStreamOptions::default().start_from(StreamPosition::Start),
                )
                .await,
        );
    }
    // Each subscription is confirmed (the client connects lazily on first poll).
    for subscription in subscriptions.iter_mut() {
        loop {
            if let SubscriptionEvent::CaughtUp(_) =
                soon(subscription.next_subscription_event()).await.unwrap()
            {
                break;
            }
        }
    }
    store
        .client
        .append_to_stream(name.as_str(), &Default::default(), event("A", 42))
        .await
        .unwrap();
    for subscription in subscriptions.iter_mut() {
        assert_eq!(number(&soon(subscription.next()).await.unwrap()), 42);
    }
    drop(subscriptions);
    // The store still answers after they all went away.
    let read = store.read_stream(&name).await.unwrap();
    assert_eq!(read.len(), 1);
}

/// Mirrors the Python client's `test_subscribe_to_all_filter_exclude_nothing`:
/// a subscription to `$all` that excludes nothing begins with system events,
/// as on KurrentDB, whose new databases begin `$all` with system events of
/// their own (Labex's store: one `$store-created`), and it sees the
/// `$metadata` events written to `$$` streams.
#[tokio::test]
async fn test_subscribe_to_all_filter_exclude_nothing() {
    let store = TestStore::start().await;
    let name = stream("exclude-nothing");
    store
        .client
        .append_to_stream(name.as_str(), &Default::default(), event("A", 0))
        .await
        .unwrap();
    store
        .client
        .set_stream_metadata(
            name.as_str(),
            &Default::default(),
            &kurrentdb::StreamMetadata::builder().max_count(5).build(),
        )
        .await
        .unwrap();

    let mut subscription = store
        .client
        .subscribe_to_all(&SubscribeToAllOptions::default().position(StreamPosition::Start))
        .await;
    let first = soon(subscription.next()).await.unwrap();
    assert!(
        first.get_original_event().event_type.starts_with('$'),
        "the first event of $all is a system event, not {:?}",
        first.get_original_event().event_type
    );
    let metadata_stream = format!("$${name}");
    loop {
        let event = soon(subscription.next()).await.unwrap();
        let recorded = event.get_original_event();
        if recorded.stream_id() == metadata_stream {
            assert_eq!(recorded.event_type, "$metadata");
            break;
        }
    }
}
