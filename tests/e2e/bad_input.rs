//! Every class of bad input, sent to `labex`: each is answered with
//! problem+json and writes no event.

use labex_testkit::Tokens;
use reqwest::Method;
use serde_json::json;

use crate::support::{Labex, employer, id_of, jobseeker, vacancy};

#[tokio::test]
async fn bad_input_of_every_class_is_a_problem_and_writes_no_event() {
    let labex = Labex::start().await;
    let counsellor = Tokens::counsellor("410105");
    let http = &labex.http;

    // What the refused requests aim at.
    let first_employer = id_of(
        &http
            .post("/v1/employers", Some(&counsellor), &employer(1))
            .await
            .expect(201),
    );
    let second_employer = id_of(
        &http
            .post("/v1/employers", Some(&counsellor), &employer(2))
            .await
            .expect(201),
    );
    let first_vacancy = id_of(
        &http
            .post(
                "/v1/vacancies",
                Some(&counsellor),
                &vacancy(&first_employer, 2),
            )
            .await
            .expect(201),
    );
    let seeker = id_of(
        &http
            .post("/v1/jobseekers", Some(&counsellor), &jobseeker(1))
            .await
            .expect(201),
    );
    let before = labex.events(None).await;

    // Codes offices use are validated.
    let mut bad_id = jobseeker(2);
    bad_id["id_number"] = json!("41010519950301001X");
    let answer = http
        .post("/v1/jobseekers", Some(&counsellor), &bad_id)
        .await
        .expect_problem(422, "validation_failed");
    assert_eq!(answer.error_fields(), ["id_number"]);
    let mut bad_credit = employer(3);
    bad_credit["credit_code"] = json!("91350100M000100Y44");
    let answer = http
        .post("/v1/employers", Some(&counsellor), &bad_credit)
        .await
        .expect_problem(422, "validation_failed");
    assert_eq!(answer.error_fields(), ["credit_code"]);
    let mut bad_division = jobseeker(3);
    bad_division["office"] = json!("410A05");
    let answer = http
        .post("/v1/jobseekers", Some(&counsellor), &bad_division)
        .await
        .expect_problem(422, "validation_failed");
    assert_eq!(answer.error_fields(), ["office"]);

    // Bodies that are not what the API takes.
    http.send_raw(
        Method::POST,
        "/v1/jobseekers",
        Some(&counsellor),
        "application/json",
        "{\"name\": \"赵磊\",",
    )
    .await
    .expect_problem(400, "malformed_json");
    let mut wrong_type = vacancy(&first_employer, 1);
    wrong_type["headcount"] = json!("three");
    http.post("/v1/vacancies", Some(&counsellor), &wrong_type)
        .await
        .expect_problem(422, "invalid_body");
    http.post(
        "/v1/employers",
        Some(&counsellor),
        &json!({"name": "缺字段"}),
    )
    .await
    .expect_problem(422, "invalid_body");
    let mut oversized = jobseeker(4);
    oversized["summary"] = json!("长".repeat(100_000));
    http.post("/v1/jobseekers", Some(&counsellor), &oversized)
        .await
        .expect_problem(413, "payload_too_large");

    // Unknown ids.
    let unknown = "01a220cc-3595-7567-9f69-d493dcb2d1b5";
    for path in [
        format!("/v1/jobseekers/{unknown}"),
        format!("/v1/employers/{unknown}"),
        format!("/v1/vacancies/{unknown}"),
        format!("/v1/referrals/{unknown}"),
    ] {
        http.get(&path, Some(&counsellor))
            .await
            .expect_problem(404, "not_found");
    }
    http.patch(
        &format!("/v1/vacancies/{unknown}"),
        Some(&counsellor),
        &json!({"title": "无此岗位"}),
    )
    .await
    .expect_problem(404, "not_found");

    // A stale If-Match.
    http.send(
        Method::PATCH,
        &format!("/v1/jobseekers/{seeker}"),
        Some(&counsellor),
        Some(&json!({"summary": "更新"})),
        &[("if-match", "\"7\"")],
    )
    .await
    .expect_problem(412, "precondition_failed");
    http.send(
        Method::PATCH,
        &format!("/v1/vacancies/{first_vacancy}"),
        Some(&counsellor),
        Some(&json!({"title": "高级电气工程师"})),
        &[("if-match", "\"7\"")],
    )
    .await
    .expect_problem(412, "precondition_failed");

    // Who may do what.
    http.post("/v1/jobseekers", None, &jobseeker(5))
        .await
        .expect_problem(401, "unauthenticated");
    http.get(
        &format!("/v1/jobseekers/{seeker}"),
        Some(&Tokens::counsellor("410200")),
    )
    .await
    .expect_problem(403, "forbidden");
    let other_employer = Tokens::employer(labex_testkit::employer_id(&second_employer), "410105");
    http.patch(
        &format!("/v1/vacancies/{first_vacancy}"),
        Some(&other_employer),
        &json!({"title": "冒名修改"}),
    )
    .await
    .expect_problem(403, "forbidden");
    http.post(
        &format!("/v1/vacancies/{first_vacancy}/close"),
        Some(&other_employer),
        &json!({"reason": "withdrawn"}),
    )
    .await
    .expect_problem(403, "forbidden");

    assert_eq!(
        labex.events(None).await,
        before,
        "no refused request wrote an event"
    );

    // A repeated Idempotency-Key: the same answer, one vacancy event (and
    // one record of the key bound to its request).
    let vacancies_before = labex.events(Some("vacancy-")).await;
    let key = [("idempotency-key", "vacancy-2026-0001")];
    let first = http
        .send(
            Method::POST,
            "/v1/vacancies",
            Some(&counsellor),
            Some(&vacancy(&first_employer, 3)),
            &key,
        )
        .await
        .expect(201);
    let after_first = labex.events(None).await;
    assert_eq!(labex.events(Some("vacancy-")).await, vacancies_before + 1);
    let again = http
        .send(
            Method::POST,
            "/v1/vacancies",
            Some(&counsellor),
            Some(&vacancy(&first_employer, 3)),
            &key,
        )
        .await
        .expect(201);
    assert_eq!(again.body, first.body);
    assert_eq!(again.etag(), first.etag());
    assert_eq!(labex.events(None).await, after_first);
}
