//! HTTP: the job-seeker registry as its own process (`labex-jobseekers`)
//! against the real event store: status codes, headers, problem bodies,
//! roles and scope.

use std::path::Path;
use std::time::Duration;

use chrono::{DateTime, NaiveDate, Utc};
use labex_domain::value::DivisionCode;
use labex_domain::{JobSeekerId, china_date};
use labex_eventsourcing::Metadata;
use labex_eventsourcing::kurrentdb::{AppendToStreamOptions, EventData, StreamState};
use labex_testkit::{Answer, SECRET, ServiceUnderTest, Tokens};
use labex_web::{Role, TokenIssuer};
use reqwest::Method;
use serde_json::value::RawValue;
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

fn date(year: i32, month: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, month, day).expect("a calendar date")
}

/// Whole years from `birth` to `day`, counted here independently of the
/// service (chrono's calendar arithmetic).
fn age_on(birth: NaiveDate, day: NaiveDate) -> u32 {
    day.years_since(birth).expect("born before")
}

fn age_today(birth: NaiveDate) -> u32 {
    age_on(birth, china_date(Utc::now()))
}

/// A token of the job seeker `id` (`sub` is their id), of `office`.
fn jobseeker_token(id: &str, office: &str) -> String {
    TokenIssuer::new(SECRET.as_bytes()).issue(
        id,
        Role::Jobseeker,
        DivisionCode::parse(office).expect("a division code"),
        None,
        Duration::from_secs(3600),
    )
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
    // Born 1970-01-01: the age, never the date.
    assert_eq!(created.body.get("birth_date"), None);
    assert_eq!(created.body["age"], age_today(date(1970, 1, 1)));

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

#[tokio::test]
async fn no_answer_about_a_job_seeker_gives_away_the_birth_date_or_the_whole_number() {
    let registry = Registry::start().await;
    let token = Tokens::counsellor("410105");
    // The 2,000,123rd test number: born 1975-06-24, serial 123.
    let n = 2_000_123;
    let number = id_number(n);
    let birth_digits = &number[6..14];
    assert_eq!(birth_digits, "19750624");
    let birth = date(1975, 6, 24);
    let birth_iso = birth.format("%Y-%m-%d").to_string();

    let created = registry.register(&token, &graduate(n)).await.expect(201);
    let id = created.body["id"].as_str().unwrap().to_owned();
    let path = format!("/v1/jobseekers/{id}");
    let http = &registry.http;
    let moment = (Utc::now() + chrono::TimeDelta::seconds(1))
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true);

    let mut answers = vec![("create", created)];
    answers.push(("get", http.get(&path, Some(&token)).await.expect(200)));
    answers.push((
        "get as_of",
        http.get(&format!("{path}?as_of={moment}"), Some(&token))
            .await
            .expect(200),
    ));
    answers.push((
        "list",
        json_answer(registry.list_until(&token, "office=410105", 1).await),
    ));
    answers.push((
        "patch by staff",
        http.patch(&path, Some(&token), &json!({"summary": "有三年后端经验"}))
            .await
            .expect(200),
    ));
    let own = jobseeker_token(&id, "410105");
    answers.push((
        "get by the job seeker",
        http.get(&path, Some(&own)).await.expect(200),
    ));
    answers.push((
        "patch by the job seeker",
        http.patch(&path, Some(&own), &json!({"skills": ["Rust", "Go"]}))
            .await
            .expect(200),
    ));
    answers.push((
        "unemployment",
        http.post(&format!("{path}/unemployment"), Some(&token), &json!({}))
            .await
            .expect(200),
    ));
    answers.push((
        "employment",
        http.post(
            &format!("{path}/employment"),
            Some(&token),
            &json!({"started_on": "2026-11-20", "employer_name": "郑州宇通客车"}),
        )
        .await
        .expect(200),
    ));
    answers.push((
        "a refused change",
        http.patch(&path, Some(&own), &json!({"categories": ["hardship"]}))
            .await
            .expect_problem(403, "forbidden"),
    ));
    answers.push((
        "a duplicate registration",
        registry
            .register(&token, &graduate(n))
            .await
            .expect_problem(409, "conflict"),
    ));

    let expected_age = age_today(birth);
    for (what, answer) in &answers {
        assert!(
            !answer.text.contains(&number),
            "{what} shows the whole number: {}",
            answer.text
        );
        assert!(
            !answer.text.contains(birth_digits),
            "{what} shows the birth-date digits: {}",
            answer.text
        );
        assert!(
            !answer.text.contains(&birth_iso),
            "{what} shows the birth date: {}",
            answer.text
        );
        assert!(
            !answer.text.contains("birth"),
            "{what} names a birth field: {}",
            answer.text
        );
    }
    for (what, answer) in answers.iter().filter(|(_, answer)| answer.status == 200) {
        let views: Vec<&Value> = match answer.body["items"].as_array() {
            Some(items) => items.iter().collect(),
            None => vec![&answer.body],
        };
        for view in views {
            assert_eq!(view["age"], expected_age, "{what}: {}", answer.text);
            assert_eq!(
                view["id_number"],
                format!("{}********{}", &number[..6], &number[14..]),
                "{what}"
            );
        }
    }

    // Nor does the published schema describe a birth date.
    let openapi = http.get("/openapi.json", None).await.expect(200);
    let schemas = &openapi.body["components"]["schemas"];
    for schema in ["JobSeekerView", "JobSeekerSummary"] {
        let properties = schemas[schema]["properties"]
            .as_object()
            .unwrap_or_else(|| panic!("{schema} in {}", openapi.text));
        assert!(properties.contains_key("age"), "{schema}");
        assert!(
            properties.keys().all(|name| !name.contains("birth")),
            "{schema}: {properties:?}"
        );
    }
    assert!(!openapi.text.contains("birth_date"));
}

/// A list page read by [`Registry::list_until`], as an answer.
fn json_answer(body: Value) -> Answer {
    Answer {
        status: reqwest::StatusCode::OK,
        headers: Default::default(),
        text: body.to_string(),
        body,
    }
}

#[tokio::test]
async fn a_job_seeker_changes_their_contact_skills_and_wishes_but_not_who_they_are_or_what_they_qualify_for()
 {
    let registry = Registry::start().await;
    let counsellor = Tokens::counsellor("410105");
    let created = registry
        .register(&counsellor, &graduate(31))
        .await
        .expect(201);
    let id = created.body["id"].as_str().unwrap().to_owned();
    let path = format!("/v1/jobseekers/{id}");
    let own = jobseeker_token(&id, "410105");
    let http = &registry.http;
    let events = registry.events(None).await;

    // Self-declaring hardship or disability, or changing name, education
    // or graduation year, is refused with the fields named, even mixed
    // with allowed fields, cleared with null, invalid, or with If-Match.
    let refused = http
        .patch(
            &path,
            Some(&own),
            &json!({"categories": ["hardship", "disabled"]}),
        )
        .await
        .expect_problem(403, "forbidden");
    assert_eq!(refused.error_fields(), ["categories"]);
    assert!(
        refused.body["detail"]
            .as_str()
            .unwrap()
            .contains("categories")
    );
    let refused = http
        .send(
            Method::PATCH,
            &path,
            Some(&own),
            Some(&json!({
                "name": "李娜娜", "education": "master", "graduation_year": 2020,
                "categories": ["graduate", "hardship"], "skills": ["焊接"]
            })),
            &[("if-match", "\"0\"")],
        )
        .await
        .expect_problem(403, "forbidden");
    assert_eq!(
        refused.error_fields(),
        ["name", "education", "graduation_year", "categories"]
    );
    assert!(
        refused.body["errors"]
            .as_array()
            .unwrap()
            .iter()
            .all(|error| error["code"] == "update.staff_only")
    );
    http.patch(&path, Some(&own), &json!({"graduation_year": null}))
        .await
        .expect_problem(403, "forbidden");
    http.patch(&path, Some(&own), &json!({"categories": ["astronaut"]}))
        .await
        .expect_problem(403, "forbidden");
    assert_eq!(registry.events(None).await, events, "nothing was written");
    let unchanged = http.get(&path, Some(&own)).await.expect(200);
    assert_eq!(unchanged.body, created.body);

    // Contact, skills, wishes and the free profile are theirs to change.
    let updated = http
        .send(
            Method::PATCH,
            &path,
            Some(&own),
            Some(&json!({
                "phone": "13912345678",
                "skills": ["Rust", "PostgreSQL"],
                "desired_occupations": ["后端开发"],
                "desired_regions": ["410100", "410200"],
                "summary": "希望在郑州或开封工作",
                "major": "软件工程"
            })),
            &[("if-match", "\"0\"")],
        )
        .await
        .expect(200);
    assert_eq!(updated.etag(), Some("\"1\""));
    assert_eq!(updated.body["phone"], "13912345678");
    assert_eq!(updated.body["skills"], json!(["Rust", "PostgreSQL"]));
    assert_eq!(updated.body["desired_occupations"], json!(["后端开发"]));
    assert_eq!(updated.body["desired_regions"], json!(["410100", "410200"]));
    assert_eq!(updated.body["summary"], "希望在郑州或开封工作");
    assert_eq!(updated.body["major"], "软件工程");
    assert_eq!(updated.body["categories"], json!(["graduate"]));
    assert_eq!(updated.body["name"], created.body["name"]);
    assert_eq!(registry.events(None).await, events + 1);

    // Another job seeker may change nothing of this one.
    let other = jobseeker_token(&JobSeekerId::generate().to_string(), "410105");
    http.patch(&path, Some(&other), &json!({"phone": null}))
        .await
        .expect_problem(403, "forbidden");
    http.get(&path, Some(&other))
        .await
        .expect_problem(403, "forbidden");
    // An employer neither.
    let employer = Tokens::issue(Role::Employer, "410105", None);
    http.patch(&path, Some(&employer), &json!({"skills": ["焊接"]}))
        .await
        .expect_problem(403, "forbidden");
    assert_eq!(registry.events(None).await, events + 1);

    // The office changes what eligibility is judged on.
    let city_admin = Tokens::issue(Role::OfficeAdmin, "410100", None);
    let decided = http
        .patch(
            &path,
            Some(&city_admin),
            &json!({
                "name": "李娜娜", "education": "master", "graduation_year": 2025,
                "categories": ["graduate", "hardship"]
            }),
        )
        .await
        .expect(200);
    assert_eq!(decided.body["name"], "李娜娜");
    assert_eq!(decided.body["education"], "master");
    assert_eq!(decided.body["graduation_year"], 2025);
    assert_eq!(decided.body["categories"], json!(["graduate", "hardship"]));
    assert_eq!(decided.body["skills"], json!(["Rust", "PostgreSQL"]));
    registry
        .list_until(&counsellor, "office=410105&category=hardship", 1)
        .await;
    // A counsellor of another office may not.
    http.patch(
        &path,
        Some(&Tokens::counsellor("410102")),
        &json!({"categories": ["disabled"]}),
    )
    .await
    .expect_problem(403, "forbidden");
    assert_eq!(registry.events(None).await, events + 2);
}

#[tokio::test]
async fn a_v1_registration_written_by_an_older_build_is_served_in_the_current_shape() {
    let registry = Registry::start().await;
    // The domain's golden v1 registration, as an older build wrote it:
    // one flat object, a formatted phone, one category.
    let golden = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../crates/domain/tests/golden/JobSeekerRegistered.v1.json"
    ))
    .expect("the domain's golden v1 registration");
    let v1: Value = serde_json::from_str(&golden).unwrap();
    assert!(v1.get("category").is_some() && v1.get("personal").is_none());
    let id = v1["jobseeker_id"].as_str().unwrap().to_owned();
    let number = v1["id_number"].as_str().unwrap().to_owned();
    let birth = date(1998, 5, 12);
    assert_eq!(&number[6..14], "19980512");

    let registered_at: DateTime<Utc> = "2020-03-02T01:00:00Z".parse().unwrap();
    let mut context =
        labex_web::request_context("older-build", Some(DivisionCode::parse("410105").unwrap()));
    context.at = registered_at;
    let data: Box<RawValue> = RawValue::from_string(golden.clone()).unwrap();
    let event = EventData::json("JobSeekerRegistered", &data)
        .unwrap()
        .metadata(Metadata::new(&context, 1).to_json().into());
    registry
        .store
        .client()
        .append_to_stream(
            format!("jobseeker-{id}"),
            &AppendToStreamOptions::default().stream_state(StreamState::NoStream),
            event,
        )
        .await
        .expect("the v1 event is appended");

    let token = Tokens::counsellor("410105");
    let path = format!("/v1/jobseekers/{id}");
    let read = registry.http.get(&path, Some(&token)).await.expect(200);
    assert_eq!(read.etag(), Some("\"0\""));
    assert_eq!(
        read.body,
        json!({
            "id": id,
            "name": "张伟",
            "id_number": "410105********1235",
            "age": age_today(birth),
            "phone": "13800138000",
            "education": "bachelor",
            "major": "软件工程",
            "graduation_year": 2020,
            "categories": ["graduate"],
            "skills": ["Rust", "SQL"],
            "desired_occupations": ["软件开发"],
            // A wish in codes is newer than the event: none.
            "desired_occupation_codes": [],
            "desired_occupation_titles": [],
            "desired_regions": ["410100"],
            "summary": null,
            "office": "410105",
            "status": "seeking",
            "unemployed_since": null,
            "employment": null,
            "erased": null,
            "returns": [],
            "revision": 0
        })
    );
    assert!(!read.text.contains(&number) && !read.text.contains("19980512"));

    // Replayed, it is known from its moment, with the age of then: 21 when
    // registered, 22 on the last day (in China) before the 2021 birthday,
    // 23 from that day on.
    registry
        .http
        .get(&format!("{path}?as_of=2020-03-01T00:00:00Z"), Some(&token))
        .await
        .expect_problem(404, "not_found");
    for (moment, age) in [
        ("2020-03-02T01:00:00Z", 21),
        ("2021-05-11T15:59:59Z", 22),
        ("2021-05-11T16:00:00Z", 23),
    ] {
        assert_eq!(age, age_on(birth, china_date(moment.parse().unwrap())));
        let then = registry
            .http
            .get(&format!("{path}?as_of={moment}"), Some(&token))
            .await
            .expect(200);
        assert_eq!(then.body["age"], age, "as of {moment}");
        let mut now = read.body.clone();
        now["age"] = json!(age);
        assert_eq!(then.body, now, "as of {moment}");
    }

    // It is in the office's lists, by category too.
    let listed = registry.list_until(&token, "office=410105", 1).await;
    let item = &listed["items"][0];
    assert_eq!(item["id"], id);
    assert_eq!(item["name"], "张伟");
    assert_eq!(item["id_number"], "410105********1235");
    assert_eq!(item["age"], age_today(birth));
    assert_eq!(item["categories"], json!(["graduate"]));
    assert_eq!(item["status"], "seeking");
    assert_eq!(item["education"], "bachelor");
    registry
        .list_until(&token, "office=410105&category=graduate", 1)
        .await;
    assert!(!listed.to_string().contains(&number));

    // And it carries on as any registration: changed, then read back.
    let updated = registry
        .http
        .send(
            Method::PATCH,
            &path,
            Some(&token),
            Some(&json!({"skills": ["Rust", "SQL", "Kubernetes"]})),
            &[("if-match", "\"0\"")],
        )
        .await
        .expect(200);
    assert_eq!(updated.etag(), Some("\"1\""));
    assert_eq!(updated.body["skills"], json!(["Rust", "SQL", "Kubernetes"]));
    assert_eq!(updated.body["phone"], "13800138000");
}

#[tokio::test]
async fn a_wish_in_occupation_codes_is_registered_changed_and_answered_with_its_titles() {
    let registry = Registry::start().await;
    let counsellor = Tokens::counsellor("410105");
    let http = &registry.http;

    // Registered with codes: an occupation and a medium group, a repeat
    // dropped; each answered with its title in the classification.
    let mut body = graduate(41);
    body["desired_occupation_codes"] = json!(["2-02-10-03", "4-04-00-00", "2-02-10-03"]);
    let created = registry.register(&counsellor, &body).await.expect(201);
    assert_eq!(
        created.body["desired_occupation_codes"],
        json!(["2-02-10-03", "4-04-00-00"])
    );
    assert_eq!(
        created.body["desired_occupation_titles"],
        json!(["计算机软件工程技术人员", "信息传输、软件和信息技术服务人员"])
    );
    let id = created.body["id"].as_str().unwrap().to_owned();
    let path = format!("/v1/jobseekers/{id}");
    let read = http.get(&path, Some(&counsellor)).await.expect(200);
    assert_eq!(read.body, created.body);

    // Without codes, the lists are empty.
    let plain = registry
        .register(&counsellor, &graduate(42))
        .await
        .expect(201);
    assert_eq!(plain.body["desired_occupation_codes"], json!([]));
    assert_eq!(plain.body["desired_occupation_titles"], json!([]));

    // Bad codes are refused, each named by its index, and write nothing.
    let events = registry.events(None).await;
    let mut bad = graduate(43);
    bad["desired_occupation_codes"] = json!(["6-31-01-03", "6-31-01-99", "电工"]);
    let refused = registry
        .register(&counsellor, &bad)
        .await
        .expect_problem(422, "validation_failed");
    assert_eq!(
        refused.error_fields(),
        ["desired_occupation_codes[1]", "desired_occupation_codes[2]"]
    );
    assert_eq!(refused.body["errors"][0]["code"], "occupation_code.unknown");
    assert_eq!(refused.body["errors"][1]["code"], "occupation_code.form");
    let mut too_many = graduate(44);
    too_many["desired_occupation_codes"] = json!([
        "2-02-10-03",
        "2-02-10-04",
        "4-04-00-00",
        "6-31-01-03",
        "6-18-02-04",
        "4-02-02-02"
    ]);
    let refused = registry
        .register(&counsellor, &too_many)
        .await
        .expect_problem(422, "too_many_items");
    assert_eq!(refused.error_fields(), ["desired_occupation_codes"]);
    let own = jobseeker_token(&id, "410105");
    let refused = http
        .patch(
            &path,
            Some(&own),
            &json!({"desired_occupation_codes": ["6-31-01-03", "9-99-99-99"]}),
        )
        .await
        .expect_problem(422, "validation_failed");
    assert_eq!(refused.error_fields(), ["desired_occupation_codes[1]"]);
    assert_eq!(registry.events(None).await, events, "nothing was written");

    // The job seeker changes their own wish: the whole list, reordered.
    let updated = http
        .send(
            Method::PATCH,
            &path,
            Some(&own),
            Some(&json!({"desired_occupation_codes": ["6-31-01-03", "2-02-10-03"]})),
            &[("if-match", "\"0\"")],
        )
        .await
        .expect(200);
    assert_eq!(updated.etag(), Some("\"1\""));
    assert_eq!(
        updated.body["desired_occupation_codes"],
        json!(["6-31-01-03", "2-02-10-03"])
    );
    assert_eq!(
        updated.body["desired_occupation_titles"],
        json!(["电工", "计算机软件工程技术人员"])
    );
    assert_eq!(updated.body["desired_occupations"], json!(["软件工程师"]));
    // The same list again changes nothing; an empty one clears it.
    let same = http
        .patch(
            &path,
            Some(&own),
            &json!({"desired_occupation_codes": ["6-31-01-03", "2-02-10-03"]}),
        )
        .await
        .expect(200);
    assert_eq!(same.etag(), Some("\"1\""));
    let cleared = http
        .patch(
            &path,
            Some(&counsellor),
            &json!({"desired_occupation_codes": []}),
        )
        .await
        .expect(200);
    assert_eq!(cleared.body["desired_occupation_codes"], json!([]));
    assert_eq!(cleared.body["desired_occupation_titles"], json!([]));

    // The published schema describes the field in both requests and the
    // answer.
    let openapi = http.get("/openapi.json", None).await.expect(200);
    let schemas = &openapi.body["components"]["schemas"];
    for schema in ["RegisterBody", "UpdateBody", "JobSeekerView"] {
        let property = &schemas[schema]["properties"]["desired_occupation_codes"];
        assert!(
            property["type"] == "array" || property["type"] == json!(["array", "null"]),
            "{schema}: {}",
            openapi.text
        );
        assert_eq!(property["items"]["type"], "string", "{schema}");
        assert!(
            property["description"]
                .as_str()
                .is_some_and(|text| text.contains("职业分类大典")),
            "{schema}: {property}"
        );
    }
    assert_eq!(
        schemas["JobSeekerView"]["properties"]["desired_occupation_titles"]["type"],
        "array"
    );
}

#[tokio::test]
async fn a_return_home_stands_on_the_job_seeker_latest_first_and_bad_input_writes_nothing() {
    let registry = Registry::start().await;
    let token = Tokens::counsellor("410105");
    let created = registry.register(&token, &graduate(43)).await.expect(201);
    let id = created.body["id"].as_str().expect("an id").to_owned();
    assert_eq!(created.body["returns"], json!([]));
    let path = format!("/v1/jobseekers/{id}/returns");

    // Back from Shenzhen to work near home, then from Suzhou to start a
    // business (返乡创业).
    let first = registry
        .http
        .post(
            &path,
            Some(&token),
            &json!({"from_region": "440300", "returned_on": "2026-02-01", "intention": "local_work"}),
        )
        .await
        .expect(200);
    assert_eq!(first.etag(), Some("\"1\""));
    assert_eq!(first.body["returns"][0]["from_region"], "440300");
    assert_eq!(first.body["returns"][0]["from_region_name"], "深圳市");
    assert_eq!(first.body["returns"][0]["returned_on"], "2026-02-01");
    assert_eq!(first.body["returns"][0]["intention"], "local_work");
    registry
        .http
        .post(
            &path,
            Some(&token),
            &json!({"from_region": "320500", "returned_on": "2026-11-20", "intention": "start_business"}),
        )
        .await
        .expect(200);
    let read = registry
        .http
        .get(&format!("/v1/jobseekers/{id}"), Some(&token))
        .await
        .expect(200);
    let returns = read.body["returns"].as_array().expect("returns");
    assert_eq!(returns.len(), 2);
    assert_eq!(returns[0]["from_region"], "320500", "the latest first");
    assert_eq!(returns[0]["intention"], "start_business");
    assert_eq!(returns[1]["from_region"], "440300");

    // Every bad field named; nothing written.
    let refused = registry
        .http
        .post(
            &path,
            Some(&token),
            &json!({"from_region": "4403", "returned_on": "2026-13-01", "intention": "wander"}),
        )
        .await
        .expect(422);
    let mut fields = refused.error_fields();
    fields.sort();
    assert_eq!(fields, ["from_region", "intention", "returned_on"]);
    // Another office's counsellor may not record it.
    registry
        .http
        .post(
            &path,
            Some(&Tokens::counsellor("420100")),
            &json!({"from_region": "440300", "intention": "undecided"}),
        )
        .await
        .expect(403);
    let after = registry
        .http
        .get(&format!("/v1/jobseekers/{id}"), Some(&token))
        .await
        .expect(200);
    assert_eq!(after.etag(), Some("\"2\""), "the refusals wrote nothing");
    assert_eq!(after.body["returns"].as_array().map(Vec::len), Some(2));
}
