//! The job-seeker registry key (which names each ID number's claim) is
//! the store's: its fingerprint is kept in the store at first use, and a
//! `labex` with another key (a lost `jobseekers/registry-key`, a wrong
//! `LABEX_REGISTRY_KEY`) refuses to start, instead of serving with ID-number
//! uniqueness quietly gone.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use labex_testkit::{SECRET, Tokens, binary};

use crate::support::{Labex, jobseeker};

/// Runs `labex` on `data` with `registry_key` until it exits (at most a
/// minute): its exit status's success and what it printed.
fn run_with_key(data: &std::path::Path, registry_key: &str) -> (bool, String) {
    let mut command = Command::new(binary("labex"));
    for (name, _) in std::env::vars() {
        if name.starts_with("LABEX_") {
            command.env_remove(name);
        }
    }
    let mut child = command
        .env("LABEX_DATA", data)
        .env("LABEX_HTTP", "127.0.0.1:0")
        .env("LABEX_EVENTSTORE_LISTEN", "127.0.0.1:0")
        .env("LABEX_JWT_SECRET", SECRET)
        .env("LABEX_REGISTRY_KEY", registry_key)
        .env("LABEX_LOG", "warn")
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("labex starts");
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if child.try_wait().expect("a status").is_some() {
            break;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let output = child.wait_with_output().expect("its output");
            panic!(
                "labex went on serving with another registry key: {}",
                String::from_utf8_lossy(&output.stdout)
            );
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let output = child.wait_with_output().expect("its output");
    let mut printed = String::from_utf8_lossy(&output.stdout).into_owned();
    printed.push_str(&String::from_utf8_lossy(&output.stderr));
    (output.status.success(), printed)
}

#[tokio::test]
async fn a_labex_with_another_registry_key_than_the_stores_refuses_to_start() {
    let mut labex = Labex::start().await;
    let counsellor = Tokens::counsellor("410105");
    let body = jobseeker(7_500_031);
    labex
        .http
        .post("/v1/jobseekers", Some(&counsellor), &body)
        .await
        .expect(201);
    // The fingerprint was kept at the first start, once.
    assert_eq!(labex.events(Some("jobseekerregistry-key")).await, 1);
    let kept = std::fs::read(labex.data.path().join("jobseekers/registry-key"))
        .expect("the generated key");
    labex.stop();

    let (started, printed) = run_with_key(
        labex.data.path(),
        "another-registry-key-0123456789-abcdefghij",
    );
    assert!(!started, "labex must not start: {printed}");
    assert!(
        printed.contains("registry key") && printed.contains("fingerprint"),
        "the refusal says why: {printed}"
    );
    assert!(
        !printed.contains(&String::from_utf8_lossy(&kept).trim().to_string()),
        "the key itself is never printed"
    );

    // With its own key back it serves, and the number is still taken.
    labex.respawn();
    labex
        .http
        .post("/v1/jobseekers", Some(&counsellor), &body)
        .await
        .expect_problem(409, "conflict");
    assert_eq!(labex.events(Some("jobseekerregistry-key")).await, 1);
}
