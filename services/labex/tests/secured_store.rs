//! The real `labex` against a store with TLS and users (the store's own
//! server code, started here on loopback with the test certificate of
//! `services/store/tests/tls/` and a user in its users file): labex
//! connects with the user, the password file and the CA of its
//! configuration (`LABEX_EVENTSTORE_USER`, `LABEX_EVENTSTORE_PASSWORD_FILE`,
//! `LABEX_EVENTSTORE_CA`), becomes ready and writes its events through it;
//! with a wrong password it never becomes ready and the store has nothing
//! of it.

use std::path::{Path, PathBuf};
use std::time::Duration;

use labex_eventstore::auth::UserFile;
use labex_eventstore::{RunningServer, ServerConfig, TlsFiles};
use labex_testkit::{Http, Process, temporary_folder};

const PASSWORD: &str = "a-store-password-for-labex";

fn labex() -> &'static Path {
    Path::new(env!("CARGO_BIN_EXE_labex"))
}

fn tls_file(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../store/tests/tls")
        .join(name)
}

/// The store with TLS and the user `labex`, on a free loopback port.
async fn secured_store(folder: &Path) -> RunningServer {
    let store = folder.join("eventstore");
    UserFile::in_folder(&store)
        .add("labex", PASSWORD)
        .expect("the user is added");
    let mut config = ServerConfig::new(store, "127.0.0.1:0".parse().expect("an address"));
    config.tls = Some(TlsFiles {
        cert: tls_file("server.pem"),
        key: tls_file("server.key"),
    });
    RunningServer::start(config)
        .await
        .expect("the store starts")
}

/// The settings of a labex on `data` whose store is the secured one, with
/// `password` (written to the password file).
fn secured_settings(data: &Path, store: &RunningServer, password: &str) -> Vec<(String, String)> {
    let password_file = data.join("store-password");
    std::fs::create_dir_all(data).expect("the data folder is made");
    std::fs::write(&password_file, format!("{password}\n")).expect("the password file is written");
    let url = format!(
        "esdb://localhost:{}?discoveryInterval=10",
        store.local_addr().port()
    );
    let path = |path: &Path| path.to_str().expect("a UTF-8 path").to_owned();
    vec![
        ("LABEX_DATA".to_owned(), path(data)),
        ("LABEX_HTTP".to_owned(), "127.0.0.1:0".to_owned()),
        ("LABEX_EVENTSTORE".to_owned(), url),
        ("LABEX_EVENTSTORE_USER".to_owned(), "labex".to_owned()),
        (
            "LABEX_EVENTSTORE_PASSWORD_FILE".to_owned(),
            path(&password_file),
        ),
        ("LABEX_EVENTSTORE_CA".to_owned(), path(&tls_file("ca.pem"))),
        ("LABEX_LOG".to_owned(), "warn".to_owned()),
    ]
}

/// labex on `data`, its store the secured one with `password`.
fn start_labex(data: &Path, store: &RunningServer, password: &str) -> Process {
    let settings = secured_settings(data, store, password);
    let settings: Vec<(&str, &str)> = settings
        .iter()
        .map(|(name, value)| (name.as_str(), value.as_str()))
        .collect();
    Process::start(labex(), &[], &settings)
}

/// labex on `data` with a `password` the store refuses: it must stop at
/// start with the store's refusal (before serving anything); what it said.
fn refused_labex(data: &Path, store: &RunningServer, password: &str) -> String {
    let mut command = std::process::Command::new(labex());
    for (name, _) in std::env::vars() {
        if name.starts_with("LABEX_") {
            command.env_remove(name);
        }
    }
    let output = command
        .envs(secured_settings(data, store, password))
        .output()
        .expect("labex runs");
    assert!(
        !output.status.success(),
        "labex started with a password the store refuses"
    );
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// Runs `labex` on `data` with `env` and `arguments`; its output, once it
/// succeeded.
fn run_labex(data: &Path, env: &[(&str, &str)], arguments: &[&str]) -> String {
    let mut command = std::process::Command::new(labex());
    for (name, _) in std::env::vars() {
        if name.starts_with("LABEX_") {
            command.env_remove(name);
        }
    }
    let output = command
        .env("LABEX_DATA", data)
        .envs(env.iter().copied())
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

/// Whether `/readyz` answers 200 within `tries` quarter seconds.
async fn becomes_ready(http: &Http, tries: usize) -> bool {
    for _ in 0..tries {
        if http.get("/readyz", None).await.status == 200 {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    false
}

// Two worker threads: the store serves on this runtime while the test
// thread waits for `labex` to say it listens, which it does only once the
// store has answered (the registry key's fingerprint is checked first).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn labex_uses_the_user_password_and_ca_of_its_configuration() {
    let folder = temporary_folder("labex-secured-store-");
    let store = secured_store(folder.path()).await;

    let data = folder.path().join("labex");
    let serving = start_labex(&data, &store, PASSWORD);
    let http = Http::new(serving.base_url());
    assert!(
        becomes_ready(&http, 240).await,
        "labex became ready on the secured store: {}",
        serving.output()
    );
    // It reads and writes through the store: the store holds its events.
    let written = store
        .storage()
        .read(|reader| reader.last_position())
        .await
        .expect("the store reads");
    assert!(
        written > 0,
        "labex wrote nothing to the store: {}",
        serving.output()
    );
    assert!(serving.stop().success());

    // `labex backup` of a labex whose store is its own copies the keys and
    // secrets (the store is backed up by `labex-store backup`), and
    // `labex restore` puts them into a new data folder.
    let copy = folder.path().join("backup");
    let keys = folder.path().join("backup-keys");
    let printed = run_labex(
        &data,
        &[("LABEX_EVENTSTORE", "esdb://localhost:1?tls=false")],
        &[
            "backup",
            copy.to_str().expect("a UTF-8 path"),
            "--keys-dir",
            keys.to_str().expect("a UTF-8 path"),
        ],
    );
    assert!(printed.contains("not the store"), "{printed}");
    assert!(keys.join("keys.sqlite3").is_file());
    assert!(copy.join("jwt-secret").is_file());
    assert!(!copy.join("eventstore").exists());
    let restored = folder.path().join("restored");
    let printed = run_labex(
        &restored,
        &[],
        &[
            "restore",
            copy.to_str().expect("a UTF-8 path"),
            "--keys-dir",
            keys.to_str().expect("a UTF-8 path"),
        ],
    );
    assert!(printed.contains("restored"), "{printed}");
    assert_eq!(
        std::fs::read(restored.join("jwt-secret")).expect("the secret came along"),
        std::fs::read(data.join("jwt-secret")).expect("the secret")
    );
    assert!(restored.join("keys/keys.sqlite3").is_file());

    // The same labex with a wrong password is refused by the store.
    let before = store
        .storage()
        .read(|reader| reader.last_position())
        .await
        .expect("the store reads");
    let refused = refused_labex(&folder.path().join("other"), &store, "not-the-password");
    assert!(
        refused.contains("Access denied"),
        "labex says the store refused it: {refused}"
    );
    let after = store
        .storage()
        .read(|reader| reader.last_position())
        .await
        .expect("the store reads");
    assert_eq!(before, after, "a refused labex wrote to the store");
    store.shutdown().await;
}
