//! What the HTTP surface answers: status codes, headers (`ETag`,
//! `Location`), problem bodies, the CSV register, roles and scope, and bad
//! input changing nothing, with `labex-assistance` as its own process
//! against the real event store.

use std::path::Path;
use std::time::Duration;

use labex_domain::JobSeekerId;
use labex_testkit::{Answer, ServiceUnderTest, Tokens};
use reqwest::Method;
use serde_json::{Value, json};

use crate::fixtures::{JINSHUI, People, declaration_body};

struct Service {
    service: ServiceUnderTest,
    people: People,
}

impl Service {
    async fn start() -> Self {
        let service =
            ServiceUnderTest::start(Path::new(env!("CARGO_BIN_EXE_labex-assistance"))).await;
        let people = People::new(service.store.client(), 1_000);
        Self { service, people }
    }

    async fn declare(&self, members: &[JobSeekerId]) -> Answer {
        self.service
            .http
            .post(
                "/v1/households",
                Some(&Tokens::counsellor(JINSHUI)),
                &declaration_body(JINSHUI, members),
            )
            .await
    }

    /// Polls `path` until `done` holds for its body.
    async fn eventually(&self, path: &str, done: impl Fn(&Value) -> bool) -> Value {
        let token = Tokens::counsellor(JINSHUI);
        let mut last = Value::Null;
        for _ in 0..200 {
            let answer = self.service.http.get(path, Some(&token)).await;
            if answer.status.as_u16() == 200 && done(&answer.body) {
                return answer.body;
            }
            last = answer.body;
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("{path} never reached the expected state; last answer: {last}");
    }
}

fn id_of(answer: &Answer) -> String {
    answer.body["id"].as_str().expect("an id").to_owned()
}

#[tokio::test]
async fn a_declaration_answers_201_with_its_location_and_etag_and_a_verification_200() {
    let service = Service::start().await;
    let member = service.people.jobseeker(JINSHUI).await;
    let declared = service.declare(&[member]).await.expect(201);
    let id = id_of(&declared);
    assert_eq!(
        declared.header("location"),
        Some(format!("/v1/households/{id}").as_str())
    );
    assert_eq!(declared.etag(), Some("\"0\""));
    assert_eq!(declared.body["status"], "declared");
    assert_eq!(declared.body["address"], "金水区文化路 12 号院 3 号楼 201");
    assert_eq!(declared.body["members"], json!([member.to_string()]));
    assert_eq!(declared.body["verification_late"], false);

    let token = Tokens::counsellor(JINSHUI);
    let stale = service
        .service
        .http
        .send(
            Method::POST,
            &format!("/v1/households/{id}/verification"),
            Some(&token),
            Some(&json!({"decision": "verified"})),
            &[("if-match", "\"7\"")],
        )
        .await;
    stale.expect_problem(412, "precondition_failed");
    // A rejection must say why; refused, nothing written.
    let before = service.service.events(Some("household-")).await;
    let unexplained = service
        .service
        .http
        .post(
            &format!("/v1/households/{id}/verification"),
            Some(&token),
            &json!({"decision": "rejected"}),
        )
        .await
        .expect_problem(422, "note_required");
    assert_eq!(unexplained.error_fields(), ["note"]);
    assert_eq!(service.service.events(Some("household-")).await, before);
    let verified = service
        .service
        .http
        .send(
            Method::POST,
            &format!("/v1/households/{id}/verification"),
            Some(&token),
            Some(&json!({"decision": "verified", "note": "入户核实"})),
            &[("if-match", "\"0\"")],
        )
        .await
        .expect(200);
    assert_eq!(verified.body["status"], "registered");
    assert_eq!(verified.body["decision"]["note"], "入户核实");
    assert_eq!(verified.etag(), Some("\"1\""));
    service
        .service
        .http
        .post(
            &format!("/v1/households/{id}/verification"),
            Some(&token),
            &json!({"decision": "rejected"}),
        )
        .await
        .expect_problem(409, "not_awaiting_verification");
}

#[tokio::test]
async fn bad_input_is_a_problem_listing_every_field_and_writes_nothing() {
    let service = Service::start().await;
    let token = Tokens::counsellor(JINSHUI);
    let before = service.service.events(None).await;
    let bad = service
        .service
        .http
        .post(
            "/v1/households",
            Some(&token),
            &json!({"office": "41", "address": " ", "members": ["nope"], "declared_on": "2026-13-01"}),
        )
        .await
        .expect_problem(422, "validation_failed");
    assert_eq!(
        bad.error_fields(),
        ["office", "address", "members[0]", "declared_on"]
    );
    let unknown = service
        .service
        .http
        .post(
            "/v1/households",
            Some(&token),
            &declaration_body(JINSHUI, &[JobSeekerId::generate()]),
        )
        .await
        .expect_problem(422, "validation_failed");
    assert_eq!(unknown.body["errors"][0]["code"], "jobseeker.unknown");
    service
        .service
        .http
        .post("/v1/households", Some(&token), &json!({"address": "x"}))
        .await
        .expect_problem(422, "invalid_body");
    service
        .service
        .http
        .get("/v1/households/not-a-uuid", Some(&token))
        .await
        .expect_problem(400, "invalid_path");
    service
        .service
        .http
        .get("/v1/households?status=gone", Some(&token))
        .await
        .expect_problem(400, "invalid_query");
    assert_eq!(service.service.events(None).await, before);
}

#[tokio::test]
async fn tokens_roles_and_scope_are_enforced() {
    let service = Service::start().await;
    let member = service.people.jobseeker(JINSHUI).await;
    let body = declaration_body(JINSHUI, &[member]);
    let http = &service.service.http;
    http.post("/v1/households", None, &body)
        .await
        .expect_problem(401, "unauthenticated");
    http.post("/v1/households", Some(&Tokens::counsellor("420100")), &body)
        .await
        .expect_problem(403, "forbidden");
    let employer = Tokens::issue(labex_web::Role::Employer, JINSHUI, None);
    http.get("/v1/households", Some(&employer))
        .await
        .expect_problem(403, "forbidden");
    let declared = service.declare(&[member]).await.expect(201);
    let id = id_of(&declared);
    http.get(
        &format!("/v1/households/{id}"),
        Some(&Tokens::counsellor("420100")),
    )
    .await
    .expect_problem(403, "forbidden");
    http.get(&format!("/v1/households/{id}"), Some(&Tokens::province()))
        .await
        .expect(200);
    // The same member in a second open household.
    service
        .declare(&[member])
        .await
        .expect_problem(409, "conflict");
}

#[tokio::test]
async fn the_register_pages_newest_first_and_answers_csv_with_chinese_headers() {
    let service = Service::start().await;
    let mut ids = Vec::new();
    for _ in 0..3 {
        let member = service.people.jobseeker(JINSHUI).await;
        ids.push(id_of(&service.declare(&[member]).await.expect(201)));
    }
    let first = service
        .eventually("/v1/households?office=410105&limit=2", |body| {
            body["next_cursor"].is_string()
        })
        .await;
    let first_ids: Vec<&str> = first["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| item["id"].as_str().unwrap())
        .collect();
    assert_eq!(first_ids, [ids[2].as_str(), ids[1].as_str()]);
    let cursor = first["next_cursor"].as_str().unwrap();
    let token = Tokens::counsellor(JINSHUI);
    let second = service
        .service
        .http
        .get(
            &format!("/v1/households?office=410105&limit=2&cursor={cursor}"),
            Some(&token),
        )
        .await
        .expect(200);
    assert_eq!(second.body["items"][0]["id"], ids[0].as_str());
    assert!(second.body["next_cursor"].is_null());

    let csv = service
        .service
        .http
        .send(
            Method::GET,
            "/v1/households?office=410105&status=declared",
            Some(&token),
            None,
            &[("accept", "text/csv")],
        )
        .await
        .expect(200);
    assert_eq!(csv.header("content-type"), Some("text/csv; charset=utf-8"));
    let lines: Vec<&str> = csv.text.split("\r\n").collect();
    assert!(
        lines[0].starts_with("\u{feff}家庭编号,经办机构,状态,家庭住址"),
        "{}",
        lines[0]
    );
    assert_eq!(lines.len(), 5, "a header, three rows and the last line end");
    assert!(lines[1].starts_with(&format!("{},410105,待审核,", ids[2])));

    let counts = service
        .service
        .http
        .get("/v1/households/counts?office=410105", Some(&token))
        .await
        .expect(200);
    assert_eq!(counts.body["counts"]["declared"], 3);
    let past = service
        .service
        .http
        .get(
            "/v1/households/counts?office=410105&as_of=2020-01-01T00:00:00Z",
            Some(&token),
        )
        .await
        .expect(200);
    assert_eq!(past.body["counts"]["declared"], 0);
}

#[tokio::test]
async fn a_members_hire_clears_the_household_in_the_register() {
    let service = Service::start().await;
    let member = service.people.jobseeker(JINSHUI).await;
    let id = id_of(&service.declare(&[member]).await.expect(201));
    service
        .service
        .http
        .post(
            &format!("/v1/households/{id}/verification"),
            Some(&Tokens::counsellor(JINSHUI)),
            &json!({"decision": "verified"}),
        )
        .await
        .expect(200);
    service.people.hire(member).await;
    let cleared = service
        .eventually(&format!("/v1/households/{id}"), |body| {
            body["status"] == "cleared"
        })
        .await;
    assert_eq!(
        cleared["last_change"]["cause_event_type"],
        "ReferralOutcomeRecorded"
    );
    assert_eq!(cleared["employed_members"], json!([member.to_string()]));
    service
        .eventually("/v1/households?status=cleared", |body| {
            body["items"][0]["id"] == id.as_str()
        })
        .await;
}
