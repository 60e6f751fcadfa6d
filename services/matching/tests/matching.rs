//! `labex-matching` as its own process against the real store: it
//! serves an empty index, refuses bad parameters with problems, reports
//! readiness and its own metrics, and stops cleanly.

use std::path::Path;

use labex_testkit::{Http, Process, SECRET, Store, Tokens, temporary_folder};

#[tokio::test]
async fn the_matching_binary_serves_search_and_the_feed_alone() {
    let store = Store::start().await;
    let data = temporary_folder("labex-matching-test-");
    let process = Process::start(
        Path::new(env!("CARGO_BIN_EXE_labex-matching")),
        &[],
        &[
            ("LABEX_HTTP", "127.0.0.1:0"),
            ("LABEX_EVENTSTORE", &store.url()),
            ("LABEX_DATA", data.path().to_str().expect("a UTF-8 path")),
            ("LABEX_JWT_SECRET", SECRET),
            ("LABEX_LOG", "warn"),
        ],
    );
    let http = Http::new(process.base_url());

    let empty = http
        .get("/v1/vacancies/search?q=%E7%84%8A%E5%B7%A5", None)
        .await
        .expect(200);
    assert_eq!(empty.body["total"], 0);
    assert_eq!(empty.body["hits"], serde_json::json!([]));
    http.get("/v1/vacancies/search?limit=101", None)
        .await
        .expect_problem(400, "invalid_query");
    let coded = http
        .get("/v1/vacancies/search?occupation_code=6-31", None)
        .await
        .expect(200);
    assert_eq!(coded.body["total"], 0);
    let unknown = http
        .get("/v1/vacancies/search?occupation_code=6-99", None)
        .await
        .expect_problem(400, "invalid_query");
    assert_eq!(unknown.error_fields(), ["occupation_code"]);
    http.get("/v1/vacancies/search?q=x", Some("not-a-token"))
        .await
        .expect_problem(401, "unauthenticated");
    http.get("/v1/vacancies/complete", None)
        .await
        .expect_problem(400, "invalid_query");
    let feed = http.get("/v1/vacancies/feed", None).await.expect(200);
    assert_eq!(feed.text, "");
    http.get(
        "/v1/jobseekers/not-a-uuid/matches",
        Some(&Tokens::counsellor("410105")),
    )
    .await
    .expect_problem(400, "invalid_path");
    http.get(
        "/v1/vacancies/01a220cc-3595-7567-9f69-d493dcb2d1b5/candidates",
        Some(&Tokens::counsellor("410105")),
    )
    .await
    .expect_problem(404, "not_found");

    let ready = http.get("/readyz", None).await.expect(200);
    assert_eq!(ready.body["status"], "ready");
    let checks = ready.body["checks"]
        .as_array()
        .expect("the checks are listed");
    assert!(
        checks
            .iter()
            .any(|check| check["name"] == "event_store" && check["ok"] == true),
        "{checks:?}"
    );
    let search = checks
        .iter()
        .find(|check| check["name"] == "search")
        .unwrap_or_else(|| panic!("the search projection reports its lag: {checks:?}"));
    assert_eq!(search["ok"], true, "{search}");
    assert!(search["lag_events"].is_u64(), "{search}");
    assert!(search["lag_events"].as_u64() <= Some(1_000), "{search}");
    // Positions in `$all`: null while there is none (an empty store).
    for position in ["position", "head_position"] {
        let value = search.get(position).expect("the position is reported");
        assert!(value.is_u64() || value.is_null(), "{search}");
    }
    assert_eq!(search["ready_within_events"], 1_000, "{search}");
    let metrics = http.get("/metrics", None).await.expect(200);
    assert!(metrics.text.contains("labex_search_query_duration_seconds"));
    let document = http.get("/openapi.json", None).await.expect(200);
    for path in [
        "/v1/vacancies/search",
        "/v1/vacancies/complete",
        "/v1/vacancies/feed",
        "/v1/jobseekers/{id}/matches",
        "/v1/vacancies/{id}/candidates",
    ] {
        assert!(
            document.body["paths"].get(path).is_some(),
            "{path} is documented"
        );
    }
    assert!(process.stop().success());
    assert!(data.path().join("matching").join("index").exists());
}
