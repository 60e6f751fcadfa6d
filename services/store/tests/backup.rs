//! `labex-store backup DIR` while the real store serves appends (with TLS
//! and a user), then `labex-store restore DIR` into a new data folder and
//! the store started on it: every event acknowledged before the backup
//! began is there, and the user came along (the same credentials work).

mod support;

use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use kurrentdb::{AppendToStreamOptions, Client, EventData, ReadAllOptions, StreamPosition};
use support::{StoreProcess, data_folder, test_binary};

const PASSWORD: &str = "correct-horse-battery";

fn tls_file(name: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/tls")
        .join(name)
        .to_str()
        .expect("a UTF-8 path")
        .to_owned()
}

/// Runs `labex-store` with `arguments` and `input` on standard input; its
/// output, once it succeeded.
fn run(arguments: &[&str], data: &Path, input: &str) -> String {
    let mut child = Command::new(test_binary())
        .args(arguments)
        .arg("--data")
        .arg(data)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("labex-store runs");
    child
        .stdin
        .take()
        .expect("stdin is piped")
        .write_all(input.as_bytes())
        .expect("the input is written");
    let output = child.wait_with_output().expect("labex-store ends");
    assert!(
        output.status.success(),
        "labex-store {arguments:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn start(data: &Path) -> StoreProcess {
    let (cert, key) = (tls_file("server.pem"), tls_file("server.key"));
    StoreProcess::start(
        &test_binary(),
        data,
        &["--tls-cert", &cert, "--tls-key", &key],
    )
}

fn client_of(store: &StoreProcess) -> Client {
    let url = format!(
        "esdb://labex:{PASSWORD}@localhost:{}?tls=true&tlsCaFile={}&discoveryInterval=10",
        store.address().port(),
        tls_file("ca.pem")
    );
    Client::new(url.parse().expect("a connection string")).expect("a client")
}

async fn numbers_in(client: &Client) -> BTreeSet<u64> {
    let mut read = client
        .read_all(&ReadAllOptions::default().position(StreamPosition::Start))
        .await
        .expect("$all reads");
    let mut numbers = BTreeSet::new();
    while let Some(event) = read.next().await.expect("$all reads on") {
        let recorded = event.get_original_event();
        if recorded.stream_id().starts_with("load-") {
            let value: serde_json::Value =
                serde_json::from_slice(&recorded.data).expect("the event is JSON");
            numbers.insert(value["n"].as_u64().expect("a number"));
        }
    }
    numbers
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_under_load_restores_every_event_acknowledged_before_it() {
    let data = data_folder();
    run(
        &["user", "add", "labex"],
        data.path(),
        &format!("{PASSWORD}\n"),
    );
    let store = start(data.path());
    let client = client_of(&store);

    let acknowledged = Arc::new(Mutex::new(BTreeSet::new()));
    let stop = Arc::new(AtomicBool::new(false));
    let writers: Vec<_> = (0..4u64)
        .map(|writer| {
            let client = client.clone();
            let acknowledged = acknowledged.clone();
            let stop = stop.clone();
            tokio::spawn(async move {
                let mut n = writer;
                while !stop.load(Ordering::Acquire) {
                    let event = EventData::json("Loaded", &serde_json::json!({ "n": n }))
                        .expect("the event encodes");
                    client
                        .append_to_stream(
                            format!("load-{writer}"),
                            &AppendToStreamOptions::default(),
                            event,
                        )
                        .await
                        .expect("the append succeeds");
                    acknowledged.lock().expect("the set").insert(n);
                    n += 4;
                }
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(1_000)).await;

    let before = acknowledged.lock().expect("the set").clone();
    assert!(before.len() > 20, "the load ran: {}", before.len());
    let copies = data_folder();
    let destination = copies.path().join("copy");
    let printed = {
        let data = data.path().to_owned();
        let destination = destination.clone();
        tokio::task::spawn_blocking(move || {
            run(
                &["backup", destination.to_str().expect("a UTF-8 path")],
                &data,
                "",
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
    store.kill();

    let restored = data_folder();
    let printed = run(
        &["restore", destination.to_str().expect("a UTF-8 path")],
        restored.path(),
        "",
    );
    assert!(printed.contains("restored"), "{printed}");
    let store = start(restored.path());
    // The same user's credentials: the users file came along.
    let numbers = numbers_in(&client_of(&store)).await;
    let missing: Vec<_> = before.difference(&numbers).collect();
    assert!(
        missing.is_empty(),
        "acknowledged before the backup and missing: {missing:?}"
    );
    store.kill();

    // A backup is not restored over a store.
    let output = Command::new(test_binary())
        .args(["restore", destination.to_str().expect("a UTF-8 path")])
        .arg("--data")
        .arg(restored.path())
        .output()
        .expect("labex-store runs");
    assert!(!output.status.success());
}
