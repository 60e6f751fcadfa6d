//! The store's limits, through the official Rust client against the real
//! `labex-store`: a filter whose regular expression runs out of its
//! backtracking budget fails the read and the subscription (it does not
//! skip the event), and appends past the cap pending on one connection are
//! refused with `RESOURCE_EXHAUSTED` while the others and later ones succeed.

mod support;

use std::time::Duration;

use kurrentdb::{
    AppendToStreamOptions, Client, EventData, ReadAllOptions, StreamPosition,
    SubscribeToAllOptions, SubscriptionFilter,
};
use support::{StoreProcess, data_folder, test_binary};

fn client(store: &StoreProcess) -> Client {
    Client::new(
        store
            .connection_string()
            .parse()
            .expect("a connection string"),
    )
    .expect("a client")
}

async fn append(client: &Client, stream: &str, body: usize) -> Result<(), kurrentdb::Error> {
    let event = EventData::json(
        "Limited",
        &serde_json::json!({ "padding": "x".repeat(body) }),
    )
    .expect("the event encodes");
    tokio::time::timeout(
        Duration::from_secs(60),
        client.append_to_stream(stream, &AppendToStreamOptions::default(), event),
    )
    .await
    .expect("the append is answered")
    .map(drop)
}

/// A regular expression that backtracks exponentially on a run of `a`s with
/// no `b` after it (the look-ahead keeps it in the backtracking engine).
const RUNAWAY: &str = r"^((?=a)a|a)*b$";

fn is_budget_error(error: &kurrentdb::Error) -> bool {
    matches!(
        error,
        kurrentdb::Error::Grpc { code, message }
            if *code == tonic::Code::InvalidArgument && message.contains("budget")
    )
}

#[tokio::test]
async fn a_filter_out_of_its_budget_fails_the_read_and_the_subscription() {
    let data = data_folder();
    let store = StoreProcess::start(&test_binary(), data.path(), &[]);
    let client = client(&store);
    append(&client, "ab", 1).await.expect("the append succeeds");
    append(&client, &"a".repeat(40), 1)
        .await
        .expect("the append succeeds");
    append(&client, "aab", 1)
        .await
        .expect("the append succeeds");

    // A read of $all: the event before the runaway one, then the error.
    let filter = SubscriptionFilter::on_stream_name().regex(RUNAWAY);
    let mut read = client
        .read_all(
            &ReadAllOptions::default()
                .position(StreamPosition::Start)
                .filter(filter.clone()),
        )
        .await
        .expect("the read starts");
    let mut passed = Vec::new();
    let failure = loop {
        match tokio::time::timeout(Duration::from_secs(30), read.next())
            .await
            .expect("the read answers")
        {
            Ok(Some(event)) => passed.push(event.get_original_event().stream_id().to_owned()),
            Ok(None) => panic!("the read ended without an error after {passed:?}"),
            Err(error) => break error,
        }
    };
    assert!(is_budget_error(&failure), "{failure:?}");
    assert_eq!(
        passed,
        ["ab"],
        "only the event before the runaway one passed"
    );

    // A subscription to $all fails the same way instead of going on past it.
    let mut subscription = client
        .subscribe_to_all(
            &SubscribeToAllOptions::default()
                .position(StreamPosition::Start)
                .filter(filter),
        )
        .await;
    let failure = loop {
        match tokio::time::timeout(Duration::from_secs(30), subscription.next())
            .await
            .expect("the subscription answers")
        {
            Ok(event) => {
                let stream = event.get_original_event().stream_id().to_owned();
                assert_eq!(stream, "ab", "an event past the runaway one arrived");
            }
            Err(error) => break error,
        }
    };
    assert!(is_budget_error(&failure), "{failure:?}");

    // A regular expression within its budget still filters.
    let mut read = client
        .read_all(
            &ReadAllOptions::default()
                .position(StreamPosition::Start)
                .filter(SubscriptionFilter::on_stream_name().regex("^a+b$")),
        )
        .await
        .expect("the read starts");
    let mut streams = Vec::new();
    while let Some(event) = read.next().await.expect("the read goes on") {
        streams.push(event.get_original_event().stream_id().to_owned());
    }
    assert_eq!(streams, ["ab", "aab"]);
    store.kill();
}

/// Fires 48 large appends at once on the client's one connection (they
/// cannot all be pending within a cap of 2): some are refused with
/// `RESOURCE_EXHAUSTED`, the rest succeed, and later appends are served.
async fn burst_past_the_cap(client: &Client, store: &StoreProcess) {
    let appends: Vec<_> = (0..48)
        .map(|n| {
            let client = client.clone();
            tokio::spawn(async move { append(&client, &format!("capped-{n}"), 512 * 1024).await })
        })
        .collect();
    let mut succeeded = 0;
    let mut refused = 0;
    for append in appends {
        match append.await.expect("the append task ran") {
            Ok(()) => succeeded += 1,
            Err(kurrentdb::Error::Grpc {
                code: tonic::Code::ResourceExhausted,
                message,
            }) => {
                assert!(message.contains("pending on this connection"), "{message}");
                refused += 1;
            }
            Err(error) => panic!("an append failed otherwise: {error:?}"),
        }
    }
    assert!(refused > 0, "no append was refused: {}", store.output());
    assert!(succeeded > 0, "no append succeeded");
    // Once answered, their places are free again.
    for n in 0..4 {
        append(client, &format!("after-{n}"), 16)
            .await
            .expect("an append after the burst succeeds");
    }
}

#[tokio::test]
async fn appends_past_the_cap_of_a_connection_are_refused_and_the_rest_succeed() {
    let data = data_folder();
    let store = StoreProcess::start(&test_binary(), data.path(), &["--max-pending-appends", "2"]);
    burst_past_the_cap(&client(&store), &store).await;
    store.kill();
}

#[tokio::test]
async fn the_cap_holds_on_tls_connections_too() {
    let data = data_folder();
    let store_folder = data.path().join("eventstore");
    labex_eventstore::auth::UserFile::in_folder(&store_folder)
        .add("labex", "correct-horse-battery")
        .expect("the user is added");
    let tls = |name: &str| {
        std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("tests/tls")
            .join(name)
            .to_str()
            .expect("a UTF-8 path")
            .to_owned()
    };
    let (cert, key) = (tls("server.pem"), tls("server.key"));
    let store = StoreProcess::start(
        &test_binary(),
        data.path(),
        &[
            "--max-pending-appends",
            "2",
            "--tls-cert",
            &cert,
            "--tls-key",
            &key,
        ],
    );
    let url = format!(
        "esdb://labex:correct-horse-battery@localhost:{}?tls=true&tlsCaFile={}&discoveryInterval=10",
        store.address().port(),
        tls("ca.pem")
    );
    let client = Client::new(url.parse().expect("a connection string")).expect("a client");
    burst_past_the_cap(&client, &store).await;
    store.kill();
}

/// Reads of `$all` whose client takes nothing hold the reader pool's
/// connections only until the slow-reader timeout: a read beside them is
/// served, and theirs end with an error instead of looking complete.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reads_whose_client_takes_nothing_are_given_up_and_free_their_reader() {
    let data = data_folder();
    let store = StoreProcess::start(
        &test_binary(),
        data.path(),
        &["--slow-reader-timeout-secs", "1"],
    );
    let writer = client(&store);
    // 12,000 events of 1 KiB: far more than a read buffers for its client.
    for batch in 0..24 {
        let events: Vec<_> = (0..500)
            .map(|n| {
                EventData::json(
                    "Filled",
                    &serde_json::json!({ "n": batch * 500 + n, "padding": "x".repeat(1024) }),
                )
                .expect("the event encodes")
            })
            .collect();
        writer
            .append_to_stream(
                format!("filled-{}", batch % 4),
                &AppendToStreamOptions::default(),
                events,
            )
            .await
            .expect("the append succeeds");
    }

    // More reads than the pool has connections (32), none of them taken.
    let stalled_client = client(&store);
    let mut stalled = Vec::new();
    for _ in 0..40 {
        stalled.push(
            stalled_client
                .read_all(&ReadAllOptions::default().position(StreamPosition::Start))
                .await
                .expect("the read starts"),
        );
    }
    tokio::time::sleep(Duration::from_millis(500)).await;

    // A read beside them is served.
    let reader = client(&store);
    let served = tokio::time::timeout(Duration::from_secs(30), async {
        let mut read = reader
            .read_all(
                &ReadAllOptions::default()
                    .position(StreamPosition::Start)
                    .max_count(10),
            )
            .await
            .expect("the read starts");
        let mut count = 0;
        while read.next().await.expect("the read goes on").is_some() {
            count += 1;
        }
        count
    })
    .await
    .expect("a read beside the stalled ones is served");
    assert_eq!(served, 10);

    // The stalled reads, taken at last (all at once: they share one
    // connection's flow-control window), end with an error after what
    // they had buffered, not as if $all ended there.
    tokio::time::sleep(Duration::from_millis(1_500)).await;
    let drains: Vec<_> = stalled
        .into_iter()
        .map(|mut read| {
            tokio::spawn(async move {
                let mut received = 0;
                loop {
                    match read.next().await {
                        Ok(Some(_)) => received += 1,
                        Ok(None) => return (received, None),
                        Err(error) => return (received, Some(error)),
                    }
                }
            })
        })
        .collect();
    for drain in drains {
        let (received, failure) = tokio::time::timeout(Duration::from_secs(60), drain)
            .await
            .expect("the stalled read answers")
            .expect("the drain ran");
        let failure = failure
            .unwrap_or_else(|| panic!("a read ended as if complete after {received} events"));
        assert!(
            matches!(
                &failure,
                kurrentdb::Error::Grpc { code: tonic::Code::ResourceExhausted, message }
                    if message.contains("given up")
            ),
            "{failure:?}"
        );
        assert!(received < 12_000, "{received}");
    }
    store.kill();
}

/// A batch-append call with more batches pending than its cap fails with
/// `RESOURCE_EXHAUSTED`; the store goes on serving. Whether three batches
/// are pending at once is up to the scheduler, so the test sends rounds of
/// 48 concurrent batches on a new call each until one is refused (the first,
/// nearly always); that the cap holds without such luck is the unit tests'
/// part (`server::streams::tests`).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_batch_append_call_past_its_cap_fails_and_the_store_goes_on() {
    let data = data_folder();
    let store = StoreProcess::start(&test_binary(), data.path(), &["--max-pending-batches", "2"]);
    let client = client(&store);
    let mut refused = 0;
    for round in 0..20 {
        refused = batch_round(&client, round).await;
        if refused > 0 {
            break;
        }
    }
    assert!(
        refused > 0,
        "no batch was refused in 20 rounds: {}",
        store.output()
    );
    append(&client, "after-batches", 16)
        .await
        .expect("an append after the refused call succeeds");
    store.kill();
}

/// Sends 48 batches of one event of 256 KiB at once on one new batch-append
/// call; answers how many were refused as past the call's cap.
async fn batch_round(client: &kurrentdb::Client, round: usize) -> usize {
    let batches = std::sync::Arc::new(
        client
            .batch_append(&kurrentdb::BatchAppendOptions::default())
            .await
            .expect("the batch-append call starts"),
    );
    let appends: Vec<_> = (0..48)
        .map(|n| {
            let batches = batches.clone();
            tokio::spawn(async move {
                let events = vec![
                    EventData::json(
                        "Batched",
                        &serde_json::json!({ "n": n, "padding": "x".repeat(256 * 1024) }),
                    )
                    .expect("the event encodes"),
                ];
                batches
                    .append_to_stream(
                        format!("batched-{round}-{n}"),
                        kurrentdb::StreamState::Any,
                        events,
                    )
                    .await
            })
        })
        .collect();
    let mut refused = 0;
    for append in appends {
        if let Err(error) = append.await.expect("the append task ran")
            && matches!(
                &error,
                kurrentdb::Error::Grpc { code: tonic::Code::ResourceExhausted, message }
                    if message.contains("batches are pending")
            )
        {
            refused += 1;
        }
    }
    refused
}
