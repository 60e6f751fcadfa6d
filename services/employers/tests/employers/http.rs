//! What the HTTP surface answers: status codes, headers (`ETag`,
//! `Location`), problem bodies, and the rules end to end, with
//! `labex-employers` as its own process against the real event store.

use std::path::Path;
use std::time::Duration;

use labex_testkit::{Answer, ServiceUnderTest, Tokens, credit_code, employer_id};
use reqwest::Method;
use serde_json::{Value, json};

use crate::fixtures::{employer_body, vacancy_body};

struct Service(ServiceUnderTest);

impl std::ops::Deref for Service {
    type Target = ServiceUnderTest;

    fn deref(&self) -> &ServiceUnderTest {
        &self.0
    }
}

impl std::ops::DerefMut for Service {
    fn deref_mut(&mut self) -> &mut ServiceUnderTest {
        &mut self.0
    }
}

impl Service {
    async fn start() -> Self {
        Self(ServiceUnderTest::start(Path::new(env!("CARGO_BIN_EXE_labex-employers"))).await)
    }

    /// Events of streams starting with `prefix`.
    async fn events_of(&self, prefix: &str) -> usize {
        self.0.events(Some(prefix)).await
    }

    /// Registers employer `n` in `region` as a counsellor there; its id.
    async fn employer(&self, n: u64, region: &str) -> String {
        let answer = self
            .http
            .post(
                "/v1/employers",
                Some(&Tokens::counsellor(region)),
                &employer_body(n, region),
            )
            .await
            .expect(201);
        answer.body["id"].as_str().expect("an id").to_owned()
    }

    /// Publishes a vacancy of `employer` with `token`; its id.
    async fn vacancy(&self, token: &str, employer: &str, title: &str) -> String {
        let answer = self
            .http
            .post("/v1/vacancies", Some(token), &vacancy_body(employer, title))
            .await
            .expect(201);
        answer.body["id"].as_str().expect("an id").to_owned()
    }

    /// Polls `GET /v1/employers?{query}` with `token` until `expected`
    /// items answer.
    async fn employers_until(&self, token: &str, query: &str, expected: usize) -> Value {
        for _ in 0..100 {
            let answer = self
                .http
                .get(&format!("/v1/employers?{query}"), Some(token))
                .await
                .expect(200);
            if answer.body["items"].as_array().map(Vec::len) == Some(expected) {
                return answer.body;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("the employers {query} never reached {expected} items");
    }

    /// Polls the public list until `expected` items answer.
    async fn list_until(&self, query: &str, expected: usize) -> Value {
        for _ in 0..100 {
            let answer = self
                .http
                .get(&format!("/v1/vacancies?{query}"), None)
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

fn employer_token(id: &str) -> String {
    Tokens::employer(employer_id(id), "410105")
}

#[tokio::test]
async fn an_employer_registers_once_per_credit_code_and_is_seen_by_itself_and_its_office() {
    let service = Service::start().await;
    let http = &service.http;
    let counsellor = Tokens::counsellor("410105");

    let created = http
        .post(
            "/v1/employers",
            Some(&counsellor),
            &employer_body(1, "410105"),
        )
        .await
        .expect(201);
    let id = created.body["id"].as_str().expect("an id").to_owned();
    assert_eq!(created.etag(), Some("\"0\""));
    assert_eq!(
        created.header("location"),
        Some(format!("/v1/employers/{id}").as_str())
    );
    assert_eq!(created.body["credit_code"], credit_code(1));
    assert_eq!(created.body["region"], "410105");
    assert_eq!(created.body["revision"], 0);

    let path = format!("/v1/employers/{id}");
    let read = http.get(&path, Some(&counsellor)).await.expect(200);
    assert_eq!(read.body, created.body);
    assert_eq!(read.etag(), Some("\"0\""));
    http.get(&path, Some(&Tokens::counsellor("410100")))
        .await
        .expect(200);
    http.get(&path, Some(&employer_token(&id)))
        .await
        .expect(200);
    http.get(&path, Some(&Tokens::counsellor("420100")))
        .await
        .expect_problem(403, "forbidden");
    let other = service.employer(2, "410105").await;
    http.get(&path, Some(&employer_token(&other)))
        .await
        .expect_problem(403, "forbidden");
    http.get(&path, None)
        .await
        .expect_problem(401, "unauthenticated");
    http.get(
        &format!("{path}?as_of=2020-01-01T00:00:00Z"),
        Some(&counsellor),
    )
    .await
    .expect_problem(404, "not_found");
    http.get(&format!("{path}?as_of=yesterday"), Some(&counsellor))
        .await
        .expect_problem(400, "invalid_query");
    http.get(
        "/v1/employers/0192f0a0-0000-7000-8000-000000000001",
        Some(&counsellor),
    )
    .await
    .expect_problem(404, "not_found");
    http.get("/v1/employers/42", Some(&counsellor))
        .await
        .expect_problem(400, "invalid_path");

    let employers = service.events_of("employer-").await;
    let claims = service.events_of("employercode-").await;
    assert_eq!((employers, claims), (2, 2));

    let again = http
        .post(
            "/v1/employers",
            Some(&counsellor),
            &employer_body(1, "410105"),
        )
        .await
        .expect_problem(409, "conflict");
    assert!(
        again.body["detail"].as_str().unwrap().contains(&id),
        "the conflict names the registered employer: {}",
        again.text
    );

    let mut wrong = employer_body(3, "410105");
    let code = credit_code(3);
    let last = code.chars().last().unwrap();
    let replaced = if last == '0' { '1' } else { '0' };
    wrong["credit_code"] = json!(format!("{}{replaced}", &code[..17]));
    let refused = http
        .post("/v1/employers", Some(&counsellor), &wrong)
        .await
        .expect_problem(422, "validation_failed");
    assert_eq!(refused.error_fields(), ["credit_code"]);

    http.post(
        "/v1/employers",
        Some(&Tokens::counsellor("420100")),
        &employer_body(4, "410105"),
    )
    .await
    .expect_problem(403, "forbidden");
    http.post(
        "/v1/employers",
        Some(&employer_token(&id)),
        &employer_body(5, "410105"),
    )
    .await
    .expect_problem(403, "forbidden");
    http.post("/v1/employers", None, &employer_body(6, "410105"))
        .await
        .expect_problem(401, "unauthenticated");
    assert_eq!(service.events_of("employer-").await, employers);
    assert_eq!(service.events_of("employercode-").await, claims);
}

#[tokio::test]
async fn vacancies_are_published_by_the_employer_or_its_office_and_read_by_anyone() {
    let service = Service::start().await;
    let http = &service.http;
    let employer = service.employer(10, "410105").await;
    let counsellor = Tokens::counsellor("410105");

    let by_office = http
        .post(
            "/v1/vacancies",
            Some(&counsellor),
            &vacancy_body(&employer, "后端工程师"),
        )
        .await
        .expect(201);
    let id = by_office.body["id"].as_str().unwrap().to_owned();
    assert_eq!(
        by_office.header("location"),
        Some(format!("/v1/vacancies/{id}").as_str())
    );
    assert_eq!(by_office.etag(), Some("\"0\""));
    assert_eq!(by_office.body["status"], "open");
    assert_eq!(by_office.body["open_headcount"], 2);
    assert_eq!(by_office.body["employer_id"], employer);
    assert_eq!(by_office.body["welcomes"], json!(["graduate"]));
    assert_eq!(by_office.body["closes_at"], "2099-12-31T16:00:00.000Z");
    assert!(by_office.body["published_at"].is_string());

    service
        .vacancy(&employer_token(&employer), &employer, "测试工程师")
        .await;

    let events = service.events_of("vacancy-").await;
    assert_eq!(events, 2);
    let other = service.employer(11, "410105").await;
    http.post(
        "/v1/vacancies",
        Some(&employer_token(&other)),
        &vacancy_body(&employer, "冒名岗位"),
    )
    .await
    .expect_problem(403, "forbidden");
    http.post(
        "/v1/vacancies",
        Some(&Tokens::counsellor("420100")),
        &vacancy_body(&employer, "越权岗位"),
    )
    .await
    .expect_problem(403, "forbidden");
    http.post("/v1/vacancies", None, &vacancy_body(&employer, "无证岗位"))
        .await
        .expect_problem(401, "unauthenticated");
    let unknown = http
        .post(
            "/v1/vacancies",
            Some(&counsellor),
            &vacancy_body("0192f0a0-0000-7000-8000-000000000001", "无主岗位"),
        )
        .await
        .expect_problem(422, "validation_failed");
    assert_eq!(unknown.error_fields(), ["employer_id"]);
    let mut past = vacancy_body(&employer, "过期岗位");
    past["closes_at"] = json!("2020-01-01T00:00:00Z");
    let past = http
        .post("/v1/vacancies", Some(&counsellor), &past)
        .await
        .expect_problem(422, "closing_time_not_in_future");
    assert_eq!(past.error_fields(), ["closes_at"]);
    assert_eq!(service.events_of("vacancy-").await, events);

    let path = format!("/v1/vacancies/{id}");
    let read = http.get(&path, None).await.expect(200);
    assert_eq!(read.body, by_office.body);
    assert_eq!(read.etag(), Some("\"0\""));
    http.get(&path, Some("not-a-token"))
        .await
        .expect_problem(401, "unauthenticated");
    http.get(&format!("{path}?as_of=2020-01-01T00:00:00Z"), None)
        .await
        .expect_problem(404, "not_found");
    http.get("/v1/vacancies/0192f0a0-0000-7000-8000-000000000001", None)
        .await
        .expect_problem(404, "not_found");
    http.get("/v1/vacancies/not-an-id", None)
        .await
        .expect_problem(400, "invalid_path");
}

#[tokio::test]
async fn edits_follow_if_match_and_rights_and_a_closed_vacancy_stays_closed() {
    let service = Service::start().await;
    let http = &service.http;
    let employer = service.employer(20, "410105").await;
    let own = employer_token(&employer);
    let id = service.vacancy(&own, &employer, "后端工程师").await;
    let path = format!("/v1/vacancies/{id}");

    let updated = http
        .send(
            Method::PATCH,
            &path,
            Some(&own),
            Some(&json!({"salary_max_yuan": 18000, "headcount": 3, "closes_at": null})),
            &[("if-match", "\"0\"")],
        )
        .await
        .expect(200);
    assert_eq!(updated.etag(), Some("\"1\""));
    assert_eq!(updated.body["salary_min_yuan"], 8000);
    assert_eq!(updated.body["salary_max_yuan"], 18000);
    assert_eq!(updated.body["open_headcount"], 3);
    assert_eq!(updated.body["closes_at"], Value::Null);
    assert_eq!(updated.body["title"], "后端工程师");

    let events = service.events_of("vacancy-").await;
    http.send(
        Method::PATCH,
        &path,
        Some(&own),
        Some(&json!({"title": "过时的修改"})),
        &[("if-match", "\"0\"")],
    )
    .await
    .expect_problem(412, "precondition_failed");
    let other = service.employer(21, "410105").await;
    http.patch(
        &path,
        Some(&employer_token(&other)),
        &json!({"title": "别家"}),
    )
    .await
    .expect_problem(403, "forbidden");
    http.patch(
        &path,
        Some(&Tokens::counsellor("420100")),
        &json!({"title": "外地"}),
    )
    .await
    .expect_problem(403, "forbidden");
    http.patch(&path, None, &json!({"title": "匿名"}))
        .await
        .expect_problem(401, "unauthenticated");
    let invalid = http
        .patch(&path, Some(&own), &json!({"headcount": 0, "region": "x"}))
        .await
        .expect_problem(422, "validation_failed");
    assert_eq!(invalid.error_fields(), ["region", "headcount"]);
    assert_eq!(service.events_of("vacancy-").await, events);

    let by_office = http
        .patch(
            &path,
            Some(&Tokens::counsellor("410100")),
            &json!({"title": "高级后端工程师"}),
        )
        .await
        .expect(200);
    assert_eq!(by_office.etag(), Some("\"2\""));

    let closed = http
        .post(
            &format!("{path}/close"),
            Some(&own),
            &json!({"reason": "withdrawn", "note": "岗位取消"}),
        )
        .await
        .expect(200);
    assert_eq!(closed.body["status"], "closed");
    assert_eq!(closed.body["close_reason"], "withdrawn");
    assert_eq!(closed.etag(), Some("\"3\""));
    http.post(
        &format!("{path}/close"),
        Some(&employer_token(&other)),
        &json!({"reason": "withdrawn"}),
    )
    .await
    .expect_problem(403, "forbidden");
    http.patch(&path, Some(&own), &json!({"title": "再开"}))
        .await
        .expect_problem(409, "vacancy_not_open");
    let later = http
        .get(&format!("{path}?as_of=2099-01-01T00:00:00Z"), None)
        .await
        .expect(200);
    assert_eq!(later.body, closed.body);
}

#[tokio::test]
async fn a_vacancy_as_of_its_publication_time_is_the_published_one() {
    let service = Service::start().await;
    let http = &service.http;
    let employer = service.employer(22, "410105").await;
    let own = employer_token(&employer);
    let id = service.vacancy(&own, &employer, "仓储主管").await;
    let path = format!("/v1/vacancies/{id}");
    let published = http.get(&path, None).await.expect(200);
    let published_at = published.body["published_at"]
        .as_str()
        .expect("a publication time")
        .to_owned();
    http.patch(&path, Some(&own), &json!({"title": "仓储经理"}))
        .await
        .expect(200);

    // The store records the event a moment after the request that set
    // `published_at`; replaying to `published_at` still finds it.
    let then = http
        .get(
            &format!("{path}?as_of={}", published_at.replace('+', "%2B")),
            None,
        )
        .await
        .expect(200);
    assert_eq!(then.body, published.body);
    assert_eq!(then.etag(), Some("\"0\""));
}

#[tokio::test]
async fn an_idempotent_retry_answers_the_same_and_writes_once() {
    let service = Service::start().await;
    let http = &service.http;
    let counsellor = Tokens::counsellor("410105");
    let registration = employer_body(30, "410105");
    let register = || {
        http.send(
            Method::POST,
            "/v1/employers",
            Some(&counsellor),
            Some(&registration),
            &[("idempotency-key", "employer-30")],
        )
    };
    let first = register().await.expect(201);
    let again = register().await.expect(201);
    assert_eq!(again.body, first.body);
    assert_eq!(service.events_of("employer-").await, 1);
    let employer = first.body["id"].as_str().unwrap().to_owned();

    let publication = vacancy_body(&employer, "仓库管理员");
    let publish = || {
        http.send(
            Method::POST,
            "/v1/vacancies",
            Some(&counsellor),
            Some(&publication),
            &[("idempotency-key", "vacancy-1")],
        )
    };
    let first = publish().await.expect(201);
    let again = publish().await.expect(201);
    assert_eq!(again.body, first.body);
    assert_eq!(again.header("location"), first.header("location"));
    assert_eq!(service.events_of("vacancy-").await, 1);
}

#[tokio::test]
async fn the_list_filters_pages_and_survives_a_restart() {
    let mut service = Service::start().await;
    let first = service.employer(40, "410105").await;
    let second = service.employer(41, "410105").await;
    let counsellor = Tokens::counsellor("410105");
    let mut ids = Vec::new();
    for title in ["一号岗位", "二号岗位", "三号岗位"] {
        ids.push(service.vacancy(&counsellor, &first, title).await);
    }
    let other = service.vacancy(&counsellor, &second, "别家岗位").await;
    service
        .http
        .post(
            &format!("/v1/vacancies/{}/close", ids[0]),
            Some(&counsellor),
            &json!({"reason": "filled_elsewhere"}),
        )
        .await
        .expect(200);

    // The list follows the store: the close is in it once it says so, and
    // only then is the whole list the one a restart must give back.
    let closed = service.list_until("status=closed", 1).await;
    assert_eq!(closed["items"][0]["id"], ids[0]);
    assert_eq!(closed["items"][0]["status"], "closed");
    let all = service.list_until("", 4).await;
    let newest_first: Vec<&str> = all["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| item["id"].as_str().unwrap())
        .collect();
    assert_eq!(newest_first, [&other, &ids[2], &ids[1], &ids[0]]);
    assert_eq!(all["next_cursor"], Value::Null);

    let mine = service
        .list_until(&format!("employer={first}&status=open"), 2)
        .await;
    assert_eq!(mine["items"][0]["id"], ids[2]);

    let page = service
        .list_until(&format!("employer={first}&limit=2"), 2)
        .await;
    let cursor = page["next_cursor"]
        .as_str()
        .expect("a next page")
        .to_owned();
    let rest = service
        .list_until(&format!("employer={first}&limit=2&cursor={cursor}"), 1)
        .await;
    assert_eq!(rest["items"][0]["id"], ids[0]);
    assert_eq!(rest["next_cursor"], Value::Null);

    let http = &service.http;
    http.get("/v1/vacancies?status=paused", None)
        .await
        .expect_problem(400, "invalid_query");
    http.get("/v1/vacancies?employer=acme", None)
        .await
        .expect_problem(400, "invalid_query");
    http.get("/v1/vacancies?cursor=garbage", None)
        .await
        .expect_problem(400, "invalid_cursor");
    http.get("/v1/vacancies", Some("not-a-token"))
        .await
        .expect_problem(401, "unauthenticated");

    let document = http.get("/openapi.json", None).await.expect(200);
    for path in [
        "/v1/employers",
        "/v1/employers/{id}",
        "/v1/vacancies",
        "/v1/vacancies/{id}",
        "/v1/vacancies/{id}/close",
    ] {
        assert!(
            document.body["paths"][path].is_object(),
            "{path} is documented"
        );
    }
    assert!(document.body["components"]["schemas"]["PublishVacancyBody"].is_object());

    service.restart();
    let after: Answer = service.http.get("/v1/vacancies", None).await.expect(200);
    assert_eq!(after.body, all);
}

#[tokio::test]
async fn a_vacancy_past_its_closing_time_answers_closed_and_takes_only_a_new_closing_time() {
    let service = Service::start().await;
    let http = &service.http;
    let employer = service.employer(70, "410105").await;
    let own = employer_token(&employer);
    let closes_at = chrono::Utc::now() + chrono::Duration::seconds(3);
    let mut body = vacancy_body(&employer, "短期岗位");
    body["closes_at"] = json!(labex_domain::rfc3339_millis(closes_at));
    let published = http
        .post("/v1/vacancies", Some(&own), &body)
        .await
        .expect(201);
    assert_eq!(published.body["status"], "open");
    assert_eq!(published.body["close_reason"], Value::Null);
    let path = format!("/v1/vacancies/{}", published.body["id"].as_str().unwrap());
    let left = (closes_at - chrono::Utc::now())
        .to_std()
        .unwrap_or_default();
    tokio::time::sleep(left + Duration::from_millis(50)).await;

    let read = http.get(&path, None).await.expect(200);
    assert_eq!(read.body["status"], "closed");
    assert_eq!(read.body["close_reason"], "expired");
    assert_eq!(read.etag(), Some("\"0\""));
    let listed = service
        .list_until(&format!("employer={employer}&status=closed"), 1)
        .await;
    assert_eq!(listed["items"][0]["status"], "closed");
    let refused = http
        .patch(&path, Some(&own), &json!({"title": "过期后修改"}))
        .await
        .expect_problem(409, "vacancy_past_closing_time");
    assert_eq!(refused.error_fields(), ["closes_at"]);

    let reopened = http
        .patch(
            &path,
            Some(&own),
            &json!({"closes_at": "2099-06-30T16:00:00Z"}),
        )
        .await
        .expect(200);
    assert_eq!(reopened.body["status"], "open");
    assert_eq!(reopened.body["close_reason"], Value::Null);
    assert_eq!(reopened.etag(), Some("\"1\""));
}

#[tokio::test]
async fn office_staff_page_through_the_employers_of_their_scope() {
    let service = Service::start().await;
    let http = &service.http;
    let counsellor = Tokens::counsellor("410105");
    let mut registered = Vec::new();
    for n in 80..83 {
        registered.push(service.employer(n, "410105").await);
    }
    let elsewhere = service.employer(83, "420100").await;

    let page = service.employers_until(&counsellor, "limit=2", 2).await;
    let ids = |page: &Value| -> Vec<String> {
        page["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|item| item["id"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(ids(&page), [registered[2].as_str(), registered[1].as_str()]);
    assert_eq!(page["items"][0]["credit_code"], credit_code(82));
    assert_eq!(page["items"][0]["region"], "410105");
    let cursor = page["next_cursor"].as_str().expect("a next page");
    let rest = http
        .get(
            &format!("/v1/employers?limit=2&cursor={cursor}"),
            Some(&counsellor),
        )
        .await
        .expect(200);
    assert_eq!(ids(&rest.body), [registered[0].as_str()]);
    assert_eq!(rest.body["next_cursor"], Value::Null);
    let province = service
        .employers_until(&Tokens::province(), "office=420100", 1)
        .await;
    assert_eq!(ids(&province), [elsewhere.as_str()]);

    http.get("/v1/employers?office=420100", Some(&counsellor))
        .await
        .expect_problem(403, "forbidden");
    http.get("/v1/employers", Some(&employer_token(&elsewhere)))
        .await
        .expect_problem(403, "forbidden");
    http.get("/v1/employers", None)
        .await
        .expect_problem(401, "unauthenticated");
    http.get("/v1/employers?office=41", Some(&counsellor))
        .await
        .expect_problem(400, "invalid_query");
    http.get("/v1/employers?cursor=garbage", Some(&counsellor))
        .await
        .expect_problem(400, "invalid_cursor");
}

#[tokio::test]
async fn a_vacancy_carries_an_occupation_code_of_the_classification() {
    let service = Service::start().await;
    let http = &service.http;
    let employer = service.employer(80, "410105").await;
    let own = employer_token(&employer);

    let mut body = vacancy_body(&employer, "维修电工");
    body["occupation_code"] = json!("6-31-01-03");
    let published = http
        .post("/v1/vacancies", Some(&own), &body)
        .await
        .expect(201);
    assert_eq!(published.body["occupation_code"], "6-31-01-03");
    assert_eq!(published.body["occupation_title"], "电工");
    let id = published.body["id"].as_str().unwrap().to_owned();

    let events = service.events_of("vacancy-").await;
    for code in ["6-31-01-99", "6-31", "电工"] {
        let mut unknown = vacancy_body(&employer, "未知职业");
        unknown["occupation_code"] = json!(code);
        let refused = http
            .post("/v1/vacancies", Some(&own), &unknown)
            .await
            .expect_problem(422, "validation_failed");
        assert_eq!(refused.error_fields(), ["occupation_code"], "{code}");
    }
    assert_eq!(service.events_of("vacancy-").await, events);

    let path = format!("/v1/vacancies/{id}");
    let group = http
        .patch(&path, Some(&own), &json!({"occupation_code": "6-31-00-00"}))
        .await
        .expect(200);
    assert_eq!(group.body["occupation_code"], "6-31-00-00");
    let dropped = http
        .patch(&path, Some(&own), &json!({"occupation_code": null}))
        .await
        .expect(200);
    assert_eq!(dropped.body["occupation_code"], Value::Null);
    assert_eq!(dropped.body["occupation_title"], Value::Null);
    assert_eq!(dropped.body["occupation"], "软件工程师");
}
