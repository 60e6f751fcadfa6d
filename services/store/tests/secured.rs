//! The real `labex-store` with TLS and users, through the official Rust
//! client: `labex-store user add` (password from standard input) and
//! `user remove`, `--tls-cert`/`--tls-key`, credentials checked on every
//! call (a wrong password and no credentials are the client's
//! `AccessDenied`), and the refusal to listen beyond loopback without both.
//!
//! The certificates in `tests/tls/` are a test CA and a `localhost` /
//! `127.0.0.1` certificate it signed, made for these tests only by
//! `tests/tls/make.sh` (the CA's key was not kept).

mod support;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use kurrentdb::{AppendToStreamOptions, Client, EventData, ReadStreamOptions, StreamPosition};
use support::{StoreProcess, data_folder, test_binary};

fn tls_file(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/tls")
        .join(name)
}

/// Runs `labex-store user …` with `input` on standard input.
fn user_command(data: &Path, arguments: &[&str], input: &str) -> std::process::Output {
    let mut child = Command::new(test_binary())
        .arg("user")
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
        .expect("the password is written");
    child.wait_with_output().expect("labex-store ends")
}

fn start_secured(data: &Path) -> StoreProcess {
    let cert = tls_file("server.pem");
    let key = tls_file("server.key");
    StoreProcess::start(
        &test_binary(),
        data,
        &[
            "--tls-cert",
            cert.to_str().expect("a UTF-8 path"),
            "--tls-key",
            key.to_str().expect("a UTF-8 path"),
        ],
    )
}

fn client(store: &StoreProcess, credentials: Option<(&str, &str)>) -> Client {
    let credentials = credentials
        .map(|(user, password)| format!("{user}:{password}@"))
        .unwrap_or_default();
    let url = format!(
        "esdb://{credentials}localhost:{}?tls=true&tlsCaFile={}&discoveryInterval=10",
        store.address().port(),
        tls_file("ca.pem").display()
    );
    Client::new(url.parse().expect("a connection string")).expect("a client")
}

async fn append(client: &Client, stream: &str) -> Result<(), kurrentdb::Error> {
    let event =
        EventData::json("Checked", &serde_json::json!({ "ok": true })).expect("the event encodes");
    tokio::time::timeout(
        Duration::from_secs(30),
        client.append_to_stream(stream, &AppendToStreamOptions::default(), event),
    )
    .await
    .expect("the append is answered")
    .map(drop)
}

#[tokio::test]
async fn a_store_with_tls_and_users_serves_its_users_alone() {
    let data = data_folder();
    let added = user_command(data.path(), &["add", "labex"], "correct-horse-battery\n");
    assert!(added.status.success(), "{added:?}");
    let users = std::fs::read_to_string(data.path().join("eventstore/users")).unwrap();
    assert!(users.starts_with("labex:$argon2id$"), "{users}");
    assert!(!users.contains("correct-horse"));

    let store = start_secured(data.path());
    let good = client(&store, Some(("labex", "correct-horse-battery")));
    append(&good, "secured-1")
        .await
        .unwrap_or_else(|error| panic!("{error}; store output:\n{}", store.output()));
    let mut read = good
        .read_stream(
            "secured-1",
            &ReadStreamOptions::default().position(StreamPosition::Start),
        )
        .await
        .expect("the stream reads");
    assert!(read.next().await.expect("a read answer").is_some());

    let wrong = client(&store, Some(("labex", "wrong-horse-battery")));
    assert!(matches!(
        append(&wrong, "secured-2").await,
        Err(kurrentdb::Error::AccessDenied)
    ));
    let nobody = client(&store, Some(("nobody", "correct-horse-battery")));
    assert!(matches!(
        append(&nobody, "secured-2").await,
        Err(kurrentdb::Error::AccessDenied)
    ));
    let anonymous = client(&store, None);
    assert!(matches!(
        append(&anonymous, "secured-2").await,
        Err(kurrentdb::Error::AccessDenied)
    ));

    // A user removed while the store serves is refused from then on.
    let removed = user_command(data.path(), &["remove", "labex"], "");
    assert!(removed.status.success(), "{removed:?}");
    let added = user_command(data.path(), &["add", "other"], "another-fine-password\n");
    assert!(added.status.success(), "{added:?}");
    assert!(matches!(
        append(&good, "secured-3").await,
        Err(kurrentdb::Error::AccessDenied)
    ));
    let other = client(&store, Some(("other", "another-fine-password")));
    append(&other, "secured-3")
        .await
        .expect("the new user appends");
    store.kill();
}

#[tokio::test]
async fn a_plaintext_client_gets_nothing_from_a_tls_store() {
    let data = data_folder();
    let added = user_command(data.path(), &["add", "labex"], "correct-horse-battery\n");
    assert!(added.status.success(), "{added:?}");
    let store = start_secured(data.path());
    let url = format!(
        "esdb://labex:correct-horse-battery@127.0.0.1:{}?tls=false&discoveryInterval=10&maxDiscoverAttempts=2",
        store.address().port()
    );
    let plaintext = Client::new(url.parse().expect("a connection string")).expect("a client");
    assert!(append(&plaintext, "secured-plain").await.is_err());
    store.kill();
}

#[test]
fn a_bad_password_or_name_is_refused_and_nothing_is_written() {
    let data = data_folder();
    let short = user_command(data.path(), &["add", "labex"], "short\n");
    assert!(!short.status.success());
    let bad_name = user_command(data.path(), &["add", "la:bex"], "long enough password\n");
    assert!(!bad_name.status.success());
    let missing = user_command(data.path(), &["remove", "labex"], "");
    assert!(!missing.status.success());
    assert!(!data.path().join("eventstore/users").exists());
}

/// Runs the binary on `listen` with `extra` and returns its exit status and
/// output once it stops (it must refuse at once).
fn refused_start(data: &Path, listen: &str, extra: &[&str]) -> String {
    let output = Command::new(test_binary())
        .arg("--data")
        .arg(data)
        .args(["--listen", listen])
        .args(extra)
        .stdin(Stdio::null())
        .output()
        .expect("labex-store runs");
    assert!(!output.status.success(), "labex-store started on {listen}");
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn beyond_loopback_needs_both_tls_and_users() {
    let data = data_folder();
    let cert = tls_file("server.pem");
    let key = tls_file("server.key");
    let tls = [
        "--tls-cert",
        cert.to_str().expect("a UTF-8 path"),
        "--tls-key",
        key.to_str().expect("a UTF-8 path"),
    ];
    // Neither, then TLS without users.
    let message = refused_start(data.path(), "0.0.0.0:0", &[]);
    assert!(message.contains("without TLS and users"), "{message}");
    let message = refused_start(data.path(), "0.0.0.0:0", &tls);
    assert!(message.contains("without TLS and users"), "{message}");
    // Users without TLS.
    let added = user_command(data.path(), &["add", "labex"], "correct-horse-battery\n");
    assert!(added.status.success(), "{added:?}");
    let message = refused_start(data.path(), "0.0.0.0:0", &[]);
    assert!(message.contains("without TLS and users"), "{message}");
}

#[test]
fn a_key_that_is_not_a_key_stops_the_start_with_a_reason() {
    let data = data_folder();
    let key = data.path().join("not-a-key.pem");
    std::fs::write(&key, "not a key\n").expect("the file is written");
    let cert = tls_file("server.pem");
    let message = refused_start(
        data.path(),
        "127.0.0.1:0",
        &[
            "--tls-cert",
            cert.to_str().expect("a UTF-8 path"),
            "--tls-key",
            key.to_str().expect("a UTF-8 path"),
        ],
    );
    assert!(
        message.contains("cannot serve TLS with the certificate and key given: "),
        "{message}"
    );
    let missing = data.path().join("missing.pem");
    let message = refused_start(
        data.path(),
        "127.0.0.1:0",
        &[
            "--tls-cert",
            cert.to_str().expect("a UTF-8 path"),
            "--tls-key",
            missing.to_str().expect("a UTF-8 path"),
        ],
    );
    assert!(message.contains("missing.pem"), "{message}");
}
