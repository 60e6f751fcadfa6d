//! The `labex` binary's own promises: the token secret generated once with
//! an administrator token written to an owner-only file (never printed),
//! staff tokens minted by `labex token` and revoked through the API, an
//! external store used when `LABEX_EVENTSTORE` names one, and clear
//! refusals of bad configuration.

use std::path::Path;
use std::process::Command;

use labex_testkit::{Http, Process, Store, event_count, temporary_folder};
use serde_json::json;

fn labex() -> &'static Path {
    Path::new(env!("CARGO_BIN_EXE_labex"))
}

#[tokio::test]
async fn first_start_generates_the_secret_once_and_writes_an_admin_token_that_works() {
    let data = temporary_folder("labex-first-start-");
    let folder = data.path().to_str().expect("a UTF-8 path");
    let env = [
        ("LABEX_DATA", folder),
        ("LABEX_HTTP", "127.0.0.1:0"),
        ("LABEX_EVENTSTORE_LISTEN", "127.0.0.1:0"),
        ("LABEX_LOG", "warn"),
    ];
    let first = Process::start(labex(), &[], &env);
    let said = first
        .printed("A new token secret was generated.")
        .expect("the first start says where the admin token is");
    let token_file = data.path().join("admin-token");
    assert!(said.contains(token_file.to_str().unwrap()), "{said}");
    let token = std::fs::read_to_string(&token_file).expect("the admin token is kept");
    assert!(!said.contains(&token), "the token itself is not printed");
    for file in [data.path().join("jwt-secret"), token_file] {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&file)
            .expect("the file is kept")
            .permissions()
            .mode();
        assert_eq!(
            mode & 0o777,
            0o600,
            "only the owner reads {}",
            file.display()
        );
    }
    let http = Http::new(first.base_url());
    http.get("/v1/jobseekers?office=410105", Some(&token))
        .await
        .expect(200);
    assert!(first.stop().success());

    let second = Process::start(labex(), &[], &env);
    assert_eq!(
        second.printed("A new token secret was generated."),
        None,
        "no new token"
    );
    Http::new(second.base_url())
        .get("/v1/jobseekers?office=410105", Some(&token))
        .await
        .expect(200);
    assert!(second.stop().success());
}

/// `labex token …` on the data folder `data`: its output, or the failure.
fn labex_token(data: &Path, arguments: &[&str]) -> Result<String, String> {
    let output = Command::new(labex())
        .env("LABEX_DATA", data)
        .env_remove("LABEX_JWT_SECRET")
        .arg("token")
        .args(arguments)
        .output()
        .expect("labex runs");
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    if output.status.success() {
        Ok(String::from_utf8_lossy(&output.stdout).trim().to_owned())
    } else {
        Err(stderr)
    }
}

#[tokio::test]
async fn staff_tokens_are_minted_by_labex_token_and_refused_everywhere_once_revoked() {
    let data = temporary_folder("labex-tokens-");
    let folder = data.path().to_str().expect("a UTF-8 path");
    assert!(
        labex_token(
            data.path(),
            &[
                "--role",
                "counsellor",
                "--office",
                "410105",
                "--sub",
                "wang"
            ]
        )
        .unwrap_err()
        .contains("no token secret"),
        "no installation yet"
    );
    let env = [
        ("LABEX_DATA", folder),
        ("LABEX_HTTP", "127.0.0.1:0"),
        ("LABEX_EVENTSTORE_LISTEN", "127.0.0.1:0"),
        ("LABEX_LOG", "warn"),
    ];
    let labex_process = Process::start(labex(), &[], &env);
    let admin = std::fs::read_to_string(data.path().join("admin-token")).expect("an admin token");
    let counsellor = labex_token(
        data.path(),
        &[
            "--role",
            "counsellor",
            "--office",
            "410105",
            "--sub",
            "wang",
            "--days",
            "7",
        ],
    )
    .expect("a counsellor's token");
    let http = Http::new(labex_process.base_url());
    http.get("/v1/jobseekers?office=410105", Some(&counsellor))
        .await
        .expect(200);
    // Longer than the role may have, or of no role: refused.
    let too_long = labex_token(
        data.path(),
        &[
            "--role",
            "counsellor",
            "--office",
            "410105",
            "--sub",
            "wang",
            "--days",
            "400",
        ],
    )
    .unwrap_err();
    assert!(
        too_long.contains("--days must be from 1 to 30"),
        "{too_long}"
    );
    assert!(
        labex_token(
            data.path(),
            &["--role", "janitor", "--office", "410105", "--sub", "x"]
        )
        .unwrap_err()
        .contains("--role")
    );

    let jti = jti_of(&counsellor);
    // Only the province revokes.
    http.post(
        "/v1/tokens/revocations",
        Some(&counsellor),
        &json!({"jti": jti, "reason": "笔记本电脑遗失"}),
    )
    .await
    .expect_problem(403, "forbidden");
    http.post(
        "/v1/tokens/revocations",
        Some(&admin),
        &json!({"jti": "not-a-uuid"}),
    )
    .await
    .expect_problem(422, "validation_failed");
    let revoked = http
        .post(
            "/v1/tokens/revocations",
            Some(&admin),
            &json!({"jti": jti, "reason": "笔记本电脑遗失"}),
        )
        .await
        .expect(201);
    assert_eq!(revoked.body["jti"], jti);
    let refused = http
        .get("/v1/jobseekers?office=410105", Some(&counsellor))
        .await
        .expect_problem(401, "unauthenticated");
    assert_eq!(
        refused.body["detail"],
        "The bearer token has been revoked; sign in again for a new one."
    );
    assert!(labex_process.stop().success());

    // A restarted process learns the revocation from the store.
    let again = Process::start(labex(), &[], &env);
    Http::new(again.base_url())
        .get("/v1/jobseekers?office=410105", Some(&counsellor))
        .await
        .expect_problem(401, "unauthenticated");
    assert!(again.stop().success());
}

/// The `jti` claim of a token (its payload, unverified).
fn jti_of(token: &str) -> String {
    use base64::Engine;
    let payload = token.split('.').nth(1).expect("a JWT");
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .expect("base64url");
    let claims: serde_json::Value = serde_json::from_slice(&bytes).expect("JSON claims");
    claims["jti"].as_str().expect("a jti").to_owned()
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

#[tokio::test]
async fn log_lines_are_json_with_the_request_id_role_and_office_when_not_on_a_terminal() {
    let data = temporary_folder("labex-json-logs-");
    let folder = data.path().to_str().expect("a UTF-8 path");
    let process = Process::start(
        labex(),
        &[],
        &[
            ("LABEX_DATA", folder),
            ("LABEX_HTTP", "127.0.0.1:0"),
            ("LABEX_EVENTSTORE_LISTEN", "127.0.0.1:0"),
            ("LABEX_LOG", "info"),
        ],
    );
    let admin = std::fs::read_to_string(data.path().join("admin-token")).expect("an admin token");
    let http = Http::new(process.base_url());
    http.send(
        reqwest::Method::GET,
        "/v1/jobseekers?office=410105",
        Some(&admin),
        None,
        &[("x-request-id", "req-json-1")],
    )
    .await
    .expect(200);
    let (status, output) = process.stop_with_output();
    assert!(status.success());
    let served = output
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .find(|line| line["span"]["request_id"] == "req-json-1")
        .unwrap_or_else(|| panic!("a JSON line of the request:\n{output}"));
    assert_eq!(served["span"]["role"], "province");
    assert_eq!(served["span"]["office"], "410000");
    assert!(!output.contains('\u{1b}'), "no colour codes in a file");
}
