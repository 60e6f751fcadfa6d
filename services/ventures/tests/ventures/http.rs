//! What the HTTP surface answers: status codes, headers (`ETag`,
//! `Location`), problem bodies, roles and scope, and bad input changing
//! nothing, with `labex-ventures` as its own process against the real
//! event store.

use std::path::Path;
use std::time::Duration;

use labex_domain::value::DivisionCode;
use labex_eventsourcing::Repository;
use labex_testkit::{SECRET, ServiceUnderTest, Tokens};
use labex_web::{Role, TokenIssuer};
use serde_json::json;

use crate::fixtures::{jobseeker, loan_body, project_body};

async fn start() -> ServiceUnderTest {
    ServiceUnderTest::start(Path::new(env!("CARGO_BIN_EXE_labex-ventures"))).await
}

/// A token of the job seeker `id` (`sub` is their id) of 410105.
fn person_token(id: &str) -> String {
    TokenIssuer::new(SECRET.as_bytes()).issue(
        id,
        Role::Jobseeker,
        DivisionCode::parse("410105").unwrap(),
        None,
        Duration::from_secs(3600),
    )
}

/// `text` percent-encoded for a query string.
fn encoded(text: &str) -> String {
    text.bytes()
        .map(|byte| match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => {
                char::from(byte).to_string()
            }
            _ => format!("%{byte:02X}"),
        })
        .collect()
}

#[tokio::test]
async fn a_project_is_listed_read_publicly_and_found_by_words_and_filters() {
    let service = start().await;
    let counsellor = Tokens::counsellor("410105");
    let listed = service
        .http
        .post(
            "/v1/ventures/projects",
            Some(&counsellor),
            &project_body("社区生鲜超市加盟", "零售", 50_000, 150_000, "410105"),
        )
        .await
        .expect(201);
    let id = listed.body["id"].as_str().unwrap().to_owned();
    assert_eq!(
        listed.header("location"),
        Some(format!("/v1/ventures/projects/{id}").as_str())
    );
    service
        .http
        .post(
            "/v1/ventures/projects",
            Some(&counsellor),
            &project_body("特色小吃早餐店", "餐饮", 20_000, 60_000, "410105"),
        )
        .await
        .expect(201);

    let read = service
        .http
        .get(&format!("/v1/ventures/projects/{id}"), None)
        .await
        .expect(200);
    assert_eq!(read.etag(), Some("\"0\""));
    assert_eq!(read.body["status"], "listed");
    assert_eq!(read.body["investment_max_yuan"], 150_000);

    let found = service
        .http
        .get(
            &format!(
                "/v1/ventures/projects/search?q={}&industry={}&region=410100&budget_yuan=60000",
                encoded("超市"),
                encoded("零售")
            ),
            None,
        )
        .await
        .expect(200);
    assert_eq!(found.body["total"], 1);
    assert_eq!(found.body["hits"][0]["id"], id.as_str());
    assert_eq!(found.body["total_is_exact"], true);
    assert_eq!(
        found.body["hits"][0]["score"], 2.0,
        "the words are in its title"
    );
    let none = service
        .http
        .get("/v1/ventures/projects/search?region=420100", None)
        .await
        .expect(200);
    assert_eq!(none.body["total"], 0);
    service
        .http
        .get("/v1/ventures/projects/search?region=zz", None)
        .await
        .expect_problem(400, "invalid_query");
    service
        .http
        .get("/v1/ventures/projects/search?limit=0", None)
        .await
        .expect_problem(400, "invalid_query");
}

#[tokio::test]
async fn bad_input_is_refused_with_every_field_and_writes_nothing() {
    let service = start().await;
    let counsellor = Tokens::counsellor("410105");
    let mut body = project_body(" ", "餐饮", 0, 0, "4101");
    body["investment_min_yuan"] = json!(-1);
    let answer = service
        .http
        .post("/v1/ventures/projects", Some(&counsellor), &body)
        .await
        .expect_problem(422, "validation_failed");
    let mut fields = answer.error_fields();
    fields.sort();
    assert_eq!(fields, ["investment_min_yuan", "region", "title"]);
    service
        .http
        .post(
            "/v1/ventures/projects",
            Some(&counsellor),
            &project_body("民宿", "住宿", 900, 100, "410105"),
        )
        .await
        .expect_problem(422, "investment_range");
    assert_eq!(service.events(Some("ventureproject-")).await, 0);

    let borrower = jobseeker(
        &Repository::new(service.store.client().clone()),
        11,
        "410105",
    )
    .await
    .to_string();
    let mut loan = loan_body(&borrower, 0);
    loan["collateral_free_category"] = json!("graduate");
    let answer = service
        .http
        .post("/v1/ventures/loans", Some(&counsellor), &loan)
        .await
        .expect_problem(422, "validation_failed");
    assert_eq!(answer.error_fields(), ["guarantor"]);
    service
        .http
        .post(
            "/v1/ventures/loans",
            Some(&counsellor),
            &loan_body(&borrower, 20_000_001),
        )
        .await
        .expect_problem(422, "loan_above_cap");
    service
        .http
        .post(
            "/v1/ventures/loans",
            Some(&counsellor),
            &loan_body(&uuid::Uuid::now_v7().to_string(), 100),
        )
        .await
        .expect_problem(422, "validation_failed");
    assert_eq!(service.events(Some("loan-")).await, 0);
}

#[tokio::test]
async fn a_loan_goes_to_repaid_and_is_seen_by_its_borrower_and_staff_in_scope_only() {
    let service = start().await;
    let repository = Repository::new(service.store.client().clone());
    let borrower = jobseeker(&repository, 12, "410105").await.to_string();
    let other = jobseeker(&repository, 13, "410105").await.to_string();
    let counsellor = Tokens::counsellor("410105");
    let applied = service
        .http
        .post(
            "/v1/ventures/loans",
            Some(&person_token(&borrower)),
            &loan_body(&borrower, 2_000_000),
        )
        .await
        .expect(201);
    let path = applied.header("location").unwrap().to_owned();
    assert_eq!(applied.body["status"], "applied");
    assert_eq!(applied.body["amount_fen"], 2_000_000);

    service
        .http
        .post(
            &format!("{path}/review"),
            Some(&person_token(&borrower)),
            &json!({"decision": "approved", "on": "2026-01-05"}),
        )
        .await
        .expect_problem(403, "forbidden");
    service
        .http
        .post(
            &format!("{path}/disbursement"),
            Some(&counsellor),
            &json!({"on": "2026-01-10", "annual_rate_bp": 385}),
        )
        .await
        .expect_problem(409, "loan_status");
    for (step, body) in [
        (
            "review",
            json!({"decision": "approved", "on": "2026-01-05"}),
        ),
        (
            "guarantee",
            json!({"guarantee_fund": "郑州市小额担保贷款担保基金", "on": "2026-01-08"}),
        ),
        (
            "disbursement",
            json!({"on": "2026-01-10", "annual_rate_bp": 385}),
        ),
    ] {
        service
            .http
            .post(&format!("{path}/{step}"), Some(&counsellor), &body)
            .await
            .expect(200);
    }
    let repaid = service
        .http
        .post(
            &format!("{path}/repayments"),
            Some(&counsellor),
            &json!({"principal_fen": 2_000_000, "on": "2028-01-10"}),
        )
        .await
        .expect(200);
    assert_eq!(repaid.body["status"], "repaid");
    assert_eq!(repaid.body["repaid"], "on_time");
    assert_eq!(repaid.body["outstanding_fen"], 0);
    // 2,000,000 fen at 3.85 % for 730 days: 154,000 fen, all the treasury's
    // by the default rules.
    assert_eq!(repaid.body["instalments"][0]["interest_fen"], 154_000);
    assert_eq!(repaid.body["interest_paid_by_treasury_fen"], 154_000);
    assert_eq!(repaid.body["interest_paid_by_borrower_fen"], 0);

    let seen = service
        .http
        .get(&path, Some(&person_token(&borrower)))
        .await
        .expect(200);
    assert_eq!(seen.etag(), Some("\"5\""));
    service
        .http
        .get(&path, Some(&Tokens::counsellor("410100")))
        .await
        .expect(200);
    service
        .http
        .get(&path, Some(&person_token(&other)))
        .await
        .expect_problem(403, "forbidden");
    service
        .http
        .get(&path, Some(&Tokens::counsellor("420100")))
        .await
        .expect_problem(403, "forbidden");
    service
        .http
        .get(&path, None)
        .await
        .expect_problem(401, "unauthenticated");

    let listed = service
        .http
        .get("/v1/ventures/loans", Some(&person_token(&borrower)))
        .await
        .expect(200);
    assert_eq!(listed.body["items"].as_array().unwrap().len(), 1);
    assert_eq!(listed.body["items"][0]["status"], "repaid");
    assert_eq!(listed.body["next_cursor"], serde_json::Value::Null);
    let listed = service
        .http
        .get("/v1/ventures/loans", Some(&person_token(&other)))
        .await
        .expect(200);
    assert_eq!(listed.body["items"], json!([]));
    service
        .http
        .get(
            &format!("/v1/ventures/loans?borrower={borrower}"),
            Some(&person_token(&other)),
        )
        .await
        .expect_problem(403, "forbidden");
    service
        .http
        .get("/v1/ventures/loans?status=lost", Some(&counsellor))
        .await
        .expect_problem(400, "invalid_query");
    service
        .http
        .get("/v1/ventures/loans?office=420100", Some(&counsellor))
        .await
        .expect_problem(403, "forbidden");
}

#[tokio::test]
async fn a_case_is_opened_for_a_person_and_its_paths_are_described() {
    let service = start().await;
    let founder = jobseeker(
        &Repository::new(service.store.client().clone()),
        14,
        "410105",
    )
    .await
    .to_string();
    let counsellor = Tokens::counsellor("410105");
    let opened = service
        .http
        .post(
            "/v1/ventures/cases",
            Some(&counsellor),
            &json!({"jobseeker_id": founder, "on": "2026-03-01"}),
        )
        .await
        .expect(201);
    let path = opened.header("location").unwrap().to_owned();
    service
        .http
        .post(
            &format!("{path}/stages"),
            Some(&counsellor),
            &json!({"stage": "tea_ceremony", "on": "2026-03-02"}),
        )
        .await
        .expect_problem(422, "validation_failed");
    let started = service
        .http
        .post(
            &format!("{path}/business"),
            Some(&counsellor),
            &json!({"name": "郑州市金水区张记早餐店", "started_on": "2026-04-01"}),
        )
        .await
        .expect(200);
    assert_eq!(started.body["business"]["follow_up_until"], "2027-04-01");
    assert_eq!(
        started.body["business"]["credit_code"],
        serde_json::Value::Null
    );
    let code = labex_testkit::credit_code(4_114);
    service
        .http
        .post(
            &format!("{path}/business/registration"),
            Some(&counsellor),
            &json!({"credit_code": code, "on": "2026-03-31"}),
        )
        .await
        .expect_problem(422, "case_date_before");
    let registered = service
        .http
        .post(
            &format!("{path}/business/registration"),
            Some(&counsellor),
            &json!({"credit_code": code, "on": "2026-05-06"}),
        )
        .await
        .expect(200);
    assert_eq!(registered.body["business"]["credit_code"], code.as_str());
    service
        .http
        .post(
            &format!("{path}/business/registration"),
            Some(&counsellor),
            &json!({"credit_code": labex_testkit::credit_code(4_115), "on": "2026-05-07"}),
        )
        .await
        .expect_problem(409, "business_registered");
    service
        .http
        .get(&path, Some(&person_token(&founder)))
        .await
        .expect(200);
    service
        .http
        .post(
            "/v1/ventures/cases",
            Some(&Tokens::counsellor("420100")),
            &json!({"jobseeker_id": founder, "on": "2026-03-01"}),
        )
        .await
        .expect_problem(403, "forbidden");

    let listed = service
        .http
        .get("/v1/ventures/cases?stage=started", Some(&counsellor))
        .await
        .expect(200);
    assert_eq!(listed.body["items"].as_array().unwrap().len(), 1);
    assert_eq!(listed.body["items"][0]["jobseeker_id"], founder.as_str());
    service
        .http
        .get("/v1/ventures/cases?cursor=not-ours", Some(&counsellor))
        .await
        .expect_problem(400, "invalid_cursor");
    service
        .http
        .get(
            "/v1/ventures/cases?following_on=2026-13-01",
            Some(&counsellor),
        )
        .await
        .expect_problem(400, "invalid_query");

    let document = service.http.get("/openapi.json", None).await.expect(200);
    for path in [
        "/v1/ventures/projects/search",
        "/v1/ventures/loans/{id}/repayments",
        "/v1/ventures/cases/{id}/follow-ups",
        "/v1/ventures/cases/{id}/business/registration",
        "/v1/ventures/cases",
        "/v1/ventures/loans",
    ] {
        assert!(
            document.body["paths"][path].is_object(),
            "{path} is described"
        );
    }
}
