//! The `labex` binary's own promises: the token secret generated once with
//! an administrator token printed that works, an external store used when
//! `LABEX_EVENTSTORE` names one, and clear refusals of bad configuration.

use std::path::Path;
use std::process::Command;

use labex_testkit::{Http, Process, Store, event_count, temporary_folder};
use serde_json::json;

fn labex() -> &'static Path {
    Path::new(env!("CARGO_BIN_EXE_labex"))
}

#[tokio::test]
async fn first_start_generates_the_secret_once_and_prints_an_admin_token_that_works() {
    let data = temporary_folder("labex-first-start-");
    let folder = data.path().to_str().expect("a UTF-8 path");
    let env = [
        ("LABEX_DATA", folder),
        ("LABEX_HTTP", "127.0.0.1:0"),
        ("LABEX_EVENTSTORE_LISTEN", "127.0.0.1:0"),
        ("LABEX_LOG", "warn"),
    ];
    let first = Process::start(labex(), &[], &env);
    let token = first
        .printed("LABEX_TOKEN=")
        .expect("the first start prints an admin token");
    let secret = data.path().join("jwt-secret");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&secret)
            .expect("the secret is kept")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "only the owner reads the secret");
    }
    let http = Http::new(first.base_url());
    http.get("/v1/jobseekers?office=410105", Some(&token))
        .await
        .expect(200);
    assert!(first.stop().success());

    let second = Process::start(labex(), &[], &env);
    assert_eq!(second.printed("LABEX_TOKEN="), None, "no new token");
    Http::new(second.base_url())
        .get("/v1/jobseekers?office=410105", Some(&token))
        .await
        .expect(200);
    assert!(second.stop().success());
}

#[tokio::test]
async fn an_external_store_is_used_instead_of_the_embedded_one() {
    let store = Store::start().await;
    let data = temporary_folder("labex-external-");
    let process = Process::start(
        labex(),
        &[],
        &[
            ("LABEX_DATA", data.path().to_str().expect("a UTF-8 path")),
            ("LABEX_HTTP", "127.0.0.1:0"),
            ("LABEX_EVENTSTORE", &store.url()),
            ("LABEX_JWT_SECRET", labex_testkit::SECRET),
            ("LABEX_LOG", "warn"),
        ],
    );
    assert_eq!(process.printed("labex: event store at "), None);
    assert!(
        !data.path().join("eventstore").exists(),
        "no embedded store"
    );
    let token = labex_testkit::Tokens::counsellor("410105");
    Http::new(process.base_url())
        .post(
            "/v1/jobseekers",
            Some(&token),
            &json!({"name": "孙丽", "id_number": "11010519491231002X", "education": "master"}),
        )
        .await
        .expect(201);
    assert_eq!(event_count(store.client(), Some("jobseeker-")).await, 1);
    assert!(process.stop().success());
}

#[test]
fn bad_configuration_is_refused_with_a_clear_message() {
    let data = temporary_folder("labex-bad-config-");
    let output = Command::new(labex())
        .env("LABEX_DATA", data.path())
        .env("LABEX_HTTP", "localhost-ish")
        .output()
        .expect("labex runs");
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("--http") || stderr.contains("LABEX_HTTP") || stderr.contains("http"),
        "{stderr}"
    );

    let output = Command::new(labex())
        .env("LABEX_DATA", data.path())
        .env("LABEX_HTTP", "127.0.0.1:0")
        .env("LABEX_EVENTSTORE", "not a url")
        .env("LABEX_JWT_SECRET", "x")
        .output()
        .expect("labex runs");
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("LABEX_EVENTSTORE"), "{stderr}");
}
