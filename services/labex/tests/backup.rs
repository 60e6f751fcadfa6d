//! `labex backup` while labex serves appends, then `labex restore` into a
//! new data folder and labex started on it: every event acknowledged before
//! the backup began is in the restored store, the keys (backed up into a
//! folder apart) and secrets came along, and the restored labex serves (its
//! read models rebuilt).

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use kurrentdb::{AppendToStreamOptions, Client, EventData, ReadAllOptions, StreamPosition};
use labex_testkit::{Http, Process, temporary_folder};

fn labex() -> &'static Path {
    Path::new(env!("CARGO_BIN_EXE_labex"))
}

fn start(data: &Path) -> Process {
    let folder = data.to_str().expect("a UTF-8 path");
    Process::start(
        labex(),
        &[],
        &[
            ("LABEX_DATA", folder),
            ("LABEX_HTTP", "127.0.0.1:0"),
            ("LABEX_EVENTSTORE_LISTEN", "127.0.0.1:0"),
            ("LABEX_LOG", "warn"),
        ],
    )
}

/// A client of the embedded store of a running labex.
fn store_client(labex: &Process) -> Client {
    let line = labex
        .printed("labex: event store at ")
        .expect("labex says where its store is");
    let url = line.split(' ').next().expect("the connection string");
    Client::new(
        format!("{url}&discoveryInterval=10")
            .parse()
            .expect("a connection string"),
    )
    .expect("a client")
}

fn run_labex(data: &Path, arguments: &[&str]) -> String {
    let output = Command::new(labex())
        .env("LABEX_DATA", data)
        .env_remove("LABEX_KEYS")
        .args(arguments)
        .output()
        .expect("labex runs");
    assert!(
        output.status.success(),
        "labex {arguments:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// The numbers of the load's events in the store.
async fn numbers_in(client: &Client) -> BTreeSet<u64> {
    let mut read = client
        .read_all(&ReadAllOptions::default().position(StreamPosition::Start))
        .await
        .expect("$all reads");
    let mut numbers = BTreeSet::new();
    while let Some(event) = read.next().await.expect("$all reads on") {
        let recorded = event.get_original_event();
        if recorded.stream_id().starts_with("backup-load-") {
            let value: serde_json::Value =
                serde_json::from_slice(&recorded.data).expect("the event is JSON");
            numbers.insert(value["n"].as_u64().expect("a number"));
        }
    }
    numbers
}

#[tokio::test]
async fn a_backup_under_load_restores_every_event_acknowledged_before_it() {
    let data = temporary_folder("labex-backup-data-");
    let serving = start(data.path());
    let client = store_client(&serving);

    let acknowledged = Arc::new(Mutex::new(BTreeSet::new()));
    let stop = Arc::new(AtomicBool::new(false));
    let mut writers = Vec::new();
    for writer in 0..4u64 {
        let client = client.clone();
        let acknowledged = acknowledged.clone();
        let stop = stop.clone();
        writers.push(tokio::spawn(async move {
            let mut n = writer;
            while !stop.load(Ordering::Acquire) {
                let event = EventData::json("Loaded", &serde_json::json!({ "n": n }))
                    .expect("the event encodes");
                client
                    .append_to_stream(
                        format!("backup-load-{writer}"),
                        &AppendToStreamOptions::default(),
                        event,
                    )
                    .await
                    .expect("the append succeeds");
                acknowledged.lock().expect("the set").insert(n);
                n += 4;
            }
        }));
    }
    tokio::time::sleep(Duration::from_millis(1_500)).await;

    // Everything acknowledged by now must be in the backup.
    let before: BTreeSet<u64> = acknowledged.lock().expect("the set").clone();
    assert!(before.len() > 20, "the load ran: {}", before.len());
    let backup = temporary_folder("labex-backup-copy-");
    let destination = backup.path().join("copy");
    let keys = backup.path().join("keys");
    let printed = {
        let data = data.path().to_owned();
        let destination = destination.clone();
        let keys = keys.clone();
        tokio::task::spawn_blocking(move || {
            run_labex(
                &data,
                &[
                    "backup",
                    destination.to_str().expect("a UTF-8 path"),
                    "--keys-dir",
                    keys.to_str().expect("a UTF-8 path"),
                ],
            )
        })
        .await
        .expect("the backup ran")
    };
    assert!(printed.contains("backed up"), "{printed}");
    tokio::time::sleep(Duration::from_millis(300)).await;
    stop.store(true, Ordering::Release);
    for writer in writers {
        writer.await.expect("a writer ran");
    }
    let after = acknowledged.lock().expect("the set").len();
    assert!(after > before.len(), "appends went on during the backup");
    assert!(serving.stop().success());

    // The backup holds the store and the secrets, the keys' folder apart
    // the key table and its master key.
    assert!(destination.join("eventstore/events.sqlite3").is_file());
    assert!(keys.join("keys.sqlite3").is_file());
    assert!(keys.join("master-key").is_file());
    assert!(!destination.join("keys").exists());
    assert!(destination.join("jwt-secret").is_file());

    let restored = temporary_folder("labex-backup-restored-");
    let printed = run_labex(
        restored.path(),
        &[
            "restore",
            destination.to_str().expect("a UTF-8 path"),
            "--keys-dir",
            keys.to_str().expect("a UTF-8 path"),
        ],
    );
    assert!(printed.contains("restored"), "{printed}");
    assert_eq!(
        std::fs::read(restored.path().join("jwt-secret")).expect("the secret came along"),
        std::fs::read(data.path().join("jwt-secret")).expect("the secret")
    );

    let serving = start(restored.path());
    let numbers = numbers_in(&store_client(&serving)).await;
    let missing: Vec<_> = before.difference(&numbers).collect();
    assert!(
        missing.is_empty(),
        "acknowledged before the backup and missing: {missing:?}"
    );
    // The restored labex serves: its read models were rebuilt from the store.
    let http = Http::new(serving.base_url());
    let mut ready = false;
    for _ in 0..120 {
        if http.get("/readyz", None).await.status == 200 {
            ready = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    assert!(
        ready,
        "the restored labex became ready: {}",
        serving.output()
    );
    assert!(serving.stop().success());

    // A backup is not restored over data.
    let output = Command::new(labex())
        .env("LABEX_DATA", restored.path())
        .env_remove("LABEX_KEYS")
        .args([
            "restore",
            destination.to_str().expect("a UTF-8 path"),
            "--keys-dir",
            keys.to_str().expect("a UTF-8 path"),
        ])
        .output()
        .expect("labex runs");
    assert!(!output.status.success());

    // The keys are never put inside the store's backup.
    let output = Command::new(labex())
        .env("LABEX_DATA", data.path())
        .env_remove("LABEX_KEYS")
        .args([
            "backup",
            backup.path().join("again").to_str().expect("a UTF-8 path"),
            "--keys-dir",
            backup
                .path()
                .join("again/keys")
                .to_str()
                .expect("a UTF-8 path"),
        ])
        .output()
        .expect("labex runs");
    assert!(!output.status.success());
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("apart"),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}
