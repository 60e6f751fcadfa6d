//! The job-seeker registry as its own process (`labex-jobseekers`) against
//! the real event store, spoken to over HTTP.

use std::path::Path;
use std::time::Duration;

use labex_testkit::{Answer, ServiceUnderTest, Tokens};
use reqwest::Method;
use serde_json::{Value, json};

struct Registry(ServiceUnderTest);

impl std::ops::Deref for Registry {
    type Target = ServiceUnderTest;

    fn deref(&self) -> &ServiceUnderTest {
        &self.0
    }
}

impl std::ops::DerefMut for Registry {
    fn deref_mut(&mut self) -> &mut ServiceUnderTest {
        &mut self.0
    }
}

impl Registry {
    async fn start() -> Self {
        Self(ServiceUnderTest::start(Path::new(env!("CARGO_BIN_EXE_labex-jobseekers"))).await)
    }

    async fn register(&self, token: &str, body: &Value) -> Answer {
        self.http.post("/v1/jobseekers", Some(token), body).await
    }

    /// Polls the list until `expected` items answer.
    async fn list_until(&self, token: &str, query: &str, expected: usize) -> Value {
        for _ in 0..100 {
            let answer = self
                .http
                .get(&format!("/v1/jobseekers?{query}"), Some(token))
                .await
                .expect(200);
            if answer.body["items"].as_array().map(Vec::len) == Some(expected) {
                return answer.body;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("the list {query} never reached {expected} items");
    }
}

fn id_number(n: u32) -> String {
    labex_testkit::id_number(u64::from(n))
}

fn graduate(n: u32) -> Value {
    json!({
        "name": "李娜",
        "id_number": id_number(n),
        "phone": "13800138000",
        "education": "bachelor",
        "major": "计算机科学与技术",
        "graduation_year": 2026,
        "categories": ["graduate"],
        "skills": ["Rust", "SQL"],
        "desired_occupations": ["软件工程师"],
        "desired_regions": ["410100"],
        "summary": "应届毕业生，熟悉后端开发",
        "office": "410105"
    })
}

#[tokio::test]
async fn a_registration_answers_masked_with_etag_and_location_and_reads_back() {
    let registry = Registry::start().await;
    let token = Tokens::counsellor("410105");
    let created = registry.register(&token, &graduate(1)).await.expect(201);
    let id = created.body["id"].as_str().expect("an id").to_owned();
    assert_eq!(created.etag(), Some("\"0\""));
    assert_eq!(
        created.header("location"),
        Some(format!("/v1/jobseekers/{id}").as_str())
    );
    let number = id_number(1);
    assert_eq!(
        created.body["id_number"],
        format!("{}********{}", &number[..6], &number[14..])
    );
    assert!(
        !created.text.contains(&id_number(1)),
        "the full number never leaves"
    );
    assert_eq!(created.body["status"], "seeking");
    assert_eq!(created.body["birth_date"], "1970-01-01");

    let read = registry
        .http
        .get(&format!("/v1/jobseekers/{id}"), Some(&token))
        .await
        .expect(200);
    assert_eq!(read.body, created.body);
    assert_eq!(read.etag(), Some("\"0\""));

    let before = registry
        .http
        .get(
            &format!("/v1/jobseekers/{id}?as_of=2020-01-01T00:00:00Z"),
            Some(&token),
        )
        .await;
    before.expect_problem(404, "not_found");
}

#[tokio::test]
async fn the_same_id_number_registers_once_and_an_idempotent_retry_answers_the_same() {
    let registry = Registry::start().await;
    let token = Tokens::counsellor("410105");
    let headers = [("idempotency-key", "registration-7")];
    let first = registry
        .http
        .send(
            Method::POST,
            "/v1/jobseekers",
            Some(&token),
            Some(&graduate(7)),
            &headers,
        )
        .await
        .expect(201);
    let events = registry.events(None).await;
    let again = registry
        .http
        .send(
            Method::POST,
            "/v1/jobseekers",
            Some(&token),
            Some(&graduate(7)),
            &headers,
        )
        .await
        .expect(201);
    assert_eq!(again.body, first.body);
    assert_eq!(
        registry.events(None).await,
        events,
        "a retry writes nothing"
    );

    let duplicate = registry.register(&token, &graduate(7)).await;
    let duplicate = duplicate.expect_problem(409, "conflict");
    let id = first.body["id"].as_str().unwrap();
    assert!(duplicate.body["detail"].as_str().unwrap().contains(id));
    assert_eq!(
        registry.events(None).await,
        events,
        "a refused duplicate writes nothing"
    );
}

#[tokio::test]
async fn bad_input_of_every_kind_is_a_problem_and_writes_nothing() {
    let registry = Registry::start().await;
    let token = Tokens::counsellor("410105");
    let http = &registry.http;

    let mut bad_number = graduate(2);
    bad_number["id_number"] = json!("410105199901021230");
    let answer = registry.register(&token, &bad_number).await;
    let answer = answer.expect_problem(422, "validation_failed");
    assert_eq!(answer.error_fields(), ["id_number"]);

    let mut bad_codes = graduate(3);
    bad_codes["office"] = json!("4101");
    bad_codes["desired_regions"] = json!(["990000"]);
    bad_codes["categories"] = json!(["astronaut"]);
    let answer = registry.register(&token, &bad_codes).await;
    let answer = answer.expect_problem(422, "validation_failed");
    assert_eq!(
        answer.error_fields(),
        ["categories[0]", "desired_regions[0]", "office"]
    );

    http.send_raw(
        Method::POST,
        "/v1/jobseekers",
        Some(&token),
        "application/json",
        "{\"name\": ",
    )
    .await
    .expect_problem(400, "malformed_json");
    let mut wrong_type = graduate(4);
    wrong_type["graduation_year"] = json!("twenty");
    registry
        .register(&token, &wrong_type)
        .await
        .expect_problem(422, "invalid_body");
    registry
        .register(&token, &json!({"name": "王强"}))
        .await
        .expect_problem(422, "invalid_body");
    let mut unknown_field = graduate(5);
    unknown_field["salary"] = json!(3000);
    registry
        .register(&token, &unknown_field)
        .await
        .expect_problem(422, "invalid_body");
    let mut huge = graduate(6);
    huge["summary"] = json!("很".repeat(40_000));
    registry
        .register(&token, &huge)
        .await
        .expect_problem(413, "payload_too_large");

    http.post("/v1/jobseekers", None, &graduate(8))
        .await
        .expect_problem(401, "unauthenticated");
    registry
        .register("not-a-token", &graduate(8))
        .await
        .expect_problem(401, "unauthenticated");
    registry
        .register(&Tokens::counsellor("410200"), &graduate(8))
        .await
        .expect_problem(403, "forbidden");

    http.get("/v1/jobseekers/not-a-uuid", Some(&token))
        .await
        .expect_problem(400, "invalid_path");
    http.get(
        "/v1/jobseekers/01a220cc-3595-7567-9f69-d493dcb2d1b5",
        Some(&token),
    )
    .await
    .expect_problem(404, "not_found");
    http.send(
        Method::DELETE,
        "/v1/jobseekers/01a220cc-3595-7567-9f69-d493dcb2d1b5",
        Some(&token),
        None,
        &[],
    )
    .await
    .expect_problem(405, "method_not_allowed");
    http.get("/v1/jobseekers?status=happy", Some(&token))
        .await
        .expect_problem(400, "invalid_query");
    http.get("/v1/jobseekers?cursor=%%%", Some(&token))
        .await
        .expect_problem(400, "invalid_cursor");

    assert_eq!(registry.events(None).await, 0, "nothing was written");
}

#[tokio::test]
async fn changes_follow_if_match_and_office_scope() {
    let registry = Registry::start().await;
    let token = Tokens::counsellor("410105");
    let created = registry.register(&token, &graduate(11)).await.expect(201);
    let path = format!("/v1/jobseekers/{}", created.body["id"].as_str().unwrap());
    let http = &registry.http;

    let updated = http
        .send(
            Method::PATCH,
            &path,
            Some(&token),
            Some(&json!({"skills": ["Rust", "Kubernetes"], "phone": null})),
            &[("if-match", "\"0\"")],
        )
        .await
        .expect(200);
    assert_eq!(updated.etag(), Some("\"1\""));
    assert_eq!(updated.body["skills"], json!(["Rust", "Kubernetes"]));
    assert_eq!(updated.body["phone"], Value::Null);

    let events = registry.events(None).await;
    http.send(
        Method::PATCH,
        &path,
        Some(&token),
        Some(&json!({"summary": "stale"})),
        &[("if-match", "\"0\"")],
    )
    .await
    .expect_problem(412, "precondition_failed");
    http.send(
        Method::PATCH,
        &path,
        Some(&token),
        Some(&json!({"summary": "stale"})),
        &[("if-match", "zero")],
    )
    .await
    .expect_problem(400, "invalid_if_match");
    http.get(&path, Some(&Tokens::counsellor("420100")))
        .await
        .expect_problem(403, "forbidden");
    http.patch(
        &path,
        Some(&Tokens::counsellor("420100")),
        &json!({"summary": "x"}),
    )
    .await
    .expect_problem(403, "forbidden");
    assert_eq!(
        registry.events(None).await,
        events,
        "refused changes write nothing"
    );

    // The city office covers the district's job seekers.
    let city = Tokens::counsellor("410100");
    let unemployed = http
        .post(
            &format!("{path}/unemployment"),
            Some(&city),
            &json!({"registered_on": "2026-11-01"}),
        )
        .await
        .expect(200);
    assert_eq!(unemployed.body["status"], "registered_unemployed");
    assert_eq!(unemployed.body["unemployed_since"], "2026-11-01");
    http.post(&format!("{path}/unemployment"), Some(&city), &json!({}))
        .await
        .expect_problem(409, "already_registered_unemployed");
    let employed = http
        .post(
            &format!("{path}/employment"),
            Some(&city),
            &json!({"started_on": "2026-11-20", "employer_name": "郑州宇通客车"}),
        )
        .await
        .expect(200);
    assert_eq!(employed.body["status"], "employed");
    assert_eq!(employed.body["employment"]["employer_name"], "郑州宇通客车");
    assert_eq!(employed.etag(), Some("\"3\""));

    let then = http
        .get(&format!("{path}?as_of=2100-01-01T00:00:00Z"), Some(&token))
        .await
        .expect(200);
    assert_eq!(then.body, employed.body);
    http.get(&format!("{path}?as_of=yesterday"), Some(&token))
        .await
        .expect_problem(400, "invalid_query");
}

#[tokio::test]
async fn lists_filter_by_office_category_and_status_page_by_cursor_and_survive_a_restart() {
    let mut registry = Registry::start().await;
    let province = Tokens::province();
    for n in 0..5 {
        let mut body = graduate(20 + n);
        if n % 2 == 1 {
            body["categories"] = json!(["laid_off"]);
            body["office"] = json!("410102");
        }
        registry.register(&province, &body).await.expect(201);
    }
    let all = registry
        .list_until(&province, "office=410100&limit=100", 5)
        .await;
    let ids: Vec<_> = all["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| item["id"].clone())
        .collect();
    let mut sorted = ids.clone();
    sorted.sort_by(|a, b| b.as_str().cmp(&a.as_str()));
    assert_eq!(ids, sorted, "newest first");

    let laid_off = registry
        .list_until(&province, "office=410100&category=laid_off", 2)
        .await;
    assert!(
        laid_off["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|item| item["office"] == "410102")
    );
    registry.list_until(&province, "office=410105", 3).await;
    registry
        .list_until(&province, "office=410100&status=employed", 0)
        .await;

    let first = registry
        .http
        .get("/v1/jobseekers?office=410100&limit=2", Some(&province))
        .await
        .expect(200);
    let cursor = first.body["next_cursor"]
        .as_str()
        .expect("more pages")
        .to_owned();
    let second = registry
        .http
        .get(
            &format!("/v1/jobseekers?office=410100&limit=2&cursor={cursor}"),
            Some(&province),
        )
        .await
        .expect(200);
    let third_cursor = second.body["next_cursor"]
        .as_str()
        .expect("a third page")
        .to_owned();
    let third = registry
        .http
        .get(
            &format!("/v1/jobseekers?office=410100&limit=2&cursor={third_cursor}"),
            Some(&province),
        )
        .await
        .expect(200);
    assert_eq!(third.body["next_cursor"], Value::Null);
    let paged: Vec<_> = [&first, &second, &third]
        .iter()
        .flat_map(|page| {
            page.body["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|item| item["id"].clone())
        })
        .collect();
    assert_eq!(paged, ids);

    registry
        .http
        .get(
            "/v1/jobseekers?office=420100",
            Some(&Tokens::counsellor("410105")),
        )
        .await
        .expect_problem(403, "forbidden");

    registry.restart();
    let after = registry
        .list_until(&province, "office=410100&limit=100", 5)
        .await;
    assert_eq!(after["items"], all["items"]);
    registry.http.get("/readyz", None).await.expect(200);
}
