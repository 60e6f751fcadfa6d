use kurrentdb::{AppendToStreamOptions, Client, StreamState};
use labex_eventstore::{RunningServer, ServerConfig, StartError};

use crate::support::{TestStore, event, number, stream};

#[tokio::test]
async fn server_features_report_a_version_that_turns_on_modern_client_features() {
    let store = TestStore::start().await;
    let info = store.client.server_info().await.unwrap();
    assert!(info.version().major() >= 24, "version {}", info.version());
}

#[tokio::test]
async fn listening_beyond_loopback_needs_insecure_to_be_asked_for() {
    let data = tempfile::tempdir().unwrap();
    let refused =
        RunningServer::start(ServerConfig::new(data.path(), "0.0.0.0:0".parse().unwrap())).await;
    assert!(matches!(refused, Err(StartError::NotLoopback(_))));
    let mut config = ServerConfig::new(data.path(), "0.0.0.0:0".parse().unwrap());
    config.insecure = true;
    let server = RunningServer::start(config)
        .await
        .expect("allowed when asked for");
    server.shutdown().await;
}

#[tokio::test]
async fn a_restarted_store_keeps_every_event_and_positions_keep_growing() {
    let data = tempfile::tempdir().unwrap();
    let config = ServerConfig::new(data.path(), "127.0.0.1:0".parse().unwrap());
    let name = stream("restart");

    let server = RunningServer::start(config.clone()).await.unwrap();
    let client = Client::new(server.connection_string().parse().unwrap()).unwrap();
    let before = client
        .append_to_stream(
            name.as_str(),
            &AppendToStreamOptions::default().stream_state(StreamState::NoStream),
            vec![event("A", 0), event("A", 1)],
        )
        .await
        .unwrap();
    server.shutdown().await;

    let server = RunningServer::start(config).await.unwrap();
    let client = Client::new(server.connection_string().parse().unwrap()).unwrap();
    let after = client
        .append_to_stream(
            name.as_str(),
            &AppendToStreamOptions::default().stream_state(StreamState::StreamRevision(1)),
            event("A", 2),
        )
        .await
        .unwrap();
    assert!(after.position > before.position);
    let mut read = client
        .read_stream(name.as_str(), &Default::default())
        .await
        .unwrap();
    let mut numbers = Vec::new();
    while let Some(event) = read.next().await.unwrap() {
        numbers.push(number(&event));
    }
    assert_eq!(numbers, vec![0, 1, 2]);
    server.shutdown().await;
}

#[tokio::test]
async fn shutdown_ends_live_subscriptions_instead_of_waiting_for_them() {
    let mut store = TestStore::start().await;
    let mut subscription = store.client.subscribe_to_all(&Default::default()).await;
    // Wait until it is established.
    loop {
        if let kurrentdb::SubscriptionEvent::CaughtUp(_) =
            crate::support::soon(subscription.next_subscription_event())
                .await
                .unwrap()
        {
            break;
        }
    }
    let server = store.server.take().expect("an embedded store");
    let started = std::time::Instant::now();
    server.shutdown().await;
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
}

/// Mirrors the Python client's `test_gossip_read`: `Gossip.Read` answers
/// one member, this node, alive and leader, where the client reached it, so
/// that a client that discovers nodes (`esdb+discover://`) connects.
#[tokio::test]
async fn test_gossip_read() {
    let store = TestStore::start().await;
    let Some(server) = &store.server else {
        // Against another server the connection string says how to discover.
        return;
    };
    let url = format!(
        "esdb+discover://localhost:{}?tls=false",
        server.local_addr().port()
    );
    let client = Client::new(url.parse().expect("a discovery connection string")).unwrap();
    let name = stream("discovered");
    client
        .append_to_stream(
            name.as_str(),
            &AppendToStreamOptions::default().stream_state(StreamState::NoStream),
            event("A", 0),
        )
        .await
        .unwrap();
    let events = store.read_stream(&name).await.unwrap();
    assert_eq!(events.iter().map(number).collect::<Vec<_>>(), vec![0]);
}
