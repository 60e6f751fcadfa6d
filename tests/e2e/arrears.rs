//! Wage-arrears cases (欠薪) end to end on one `labex`: a case opened,
//! mediated, paid worker by worker (amounts actually received), settled,
//! and another transferred to labour inspection; bad input refused with a
//! problem and nothing written; and the employer marked for office staff
//! on its vacancies and on the referrals to them — never for the public,
//! a job seeker or the employer — and on its hits in search, until its
//! cases are closed.

use labex_testkit::{Tokens, employer_id};
use labex_web::Role;
use serde_json::{Value, json};

use crate::support::{Labex, employer, id_of, jobseeker, vacancy};

/// Polls `path` for `token` until its `employer_arrears` is `expected`
/// (`Value::Null` for absent).
async fn mark_becomes(labex: &Labex, path: &str, token: &str, expected: &Value) -> Value {
    labex
        .eventually(path, token, |body| {
            body.get("employer_arrears").unwrap_or(&Value::Null) == expected
        })
        .await
}

#[tokio::test]
async fn an_employer_with_an_open_wage_arrears_case_is_marked_for_staff_until_it_is_settled() {
    let labex = Labex::start().await;
    let http = &labex.http;
    let counsellor = Tokens::counsellor("410105");
    let employer = id_of(
        &http
            .post("/v1/employers", Some(&counsellor), &employer(91))
            .await
            .expect(201),
    );
    let vacancy = id_of(
        &http
            .post("/v1/vacancies", Some(&counsellor), &vacancy(&employer, 3))
            .await
            .expect(201),
    );
    let first = id_of(
        &http
            .post("/v1/jobseekers", Some(&counsellor), &jobseeker(91))
            .await
            .expect(201),
    );
    let second = id_of(
        &http
            .post("/v1/jobseekers", Some(&counsellor), &jobseeker(92))
            .await
            .expect(201),
    );
    let referral = id_of(
        &http
            .post(
                "/v1/referrals",
                Some(&counsellor),
                &json!({"jobseeker_id": first, "vacancy_id": vacancy}),
            )
            .await
            .expect(201),
    );

    // Bad input: nothing written, every field named.
    let before = labex.events(None).await;
    let refused = http
        .post(
            "/v1/wage-arrears",
            Some(&counsellor),
            &json!({"employer_id": employer, "workers": [
                {"jobseeker_id": first, "owed_fen": 0},
                {"jobseeker_id": "nobody", "owed_fen": 100},
            ]}),
        )
        .await
        .expect_problem(422, "validation_failed");
    let mut fields = refused.error_fields();
    fields.sort();
    assert_eq!(fields, ["workers[0].owed_fen", "workers[1].jobseeker_id"]);
    http.post(
        "/v1/wage-arrears",
        Some(&Tokens::counsellor("410300")),
        &json!({"employer_id": employer, "workers": [{"jobseeker_id": first, "owed_fen": 100}]}),
    )
    .await
    .expect_problem(403, "forbidden");
    assert_eq!(labex.events(None).await, before);

    let opened = http
        .post(
            "/v1/wage-arrears",
            Some(&counsellor),
            &json!({"employer_id": employer, "workers": [
                {"jobseeker_id": first, "owed_fen": 300_000},
                {"jobseeker_id": second, "owed_fen": 150_000},
            ]}),
        )
        .await
        .expect(201);
    assert_eq!(opened.body["status"], "open");
    assert_eq!(opened.body["owed_fen"], 450_000);
    let case = opened.header("location").unwrap().to_owned();
    let since = opened.body["opened_on"].clone();
    let marked = json!({"open_cases": 1, "since": since});

    // Staff see the mark on the vacancy, in the list, on the referral.
    let vacancy_path = format!("/v1/vacancies/{vacancy}");
    let referral_path = format!("/v1/referrals/{referral}");
    mark_becomes(&labex, &vacancy_path, &counsellor, &marked).await;
    mark_becomes(&labex, &referral_path, &counsellor, &marked).await;
    mark_becomes(&labex, &vacancy_path, &Tokens::province(), &marked).await;
    let list = http
        .get(
            &format!("/v1/vacancies?employer={employer}"),
            Some(&counsellor),
        )
        .await
        .expect(200);
    assert_eq!(list.body["items"][0]["employer_arrears"], marked);
    let referrals = http
        .get(
            &format!("/v1/referrals?vacancy={vacancy}"),
            Some(&counsellor),
        )
        .await
        .expect(200);
    assert_eq!(referrals.body["items"][0]["employer_arrears"], marked);
    // And on the vacancy's hit in search (matching keeps the marks too).
    let search = "/v1/vacancies/search?q=电气工程师";
    let hit_marked = |body: &Value| {
        body["hits"]
            .as_array()
            .and_then(|hits| hits.iter().find(|hit| hit["id"] == vacancy.as_str()))
            .and_then(|hit| hit.get("employer_arrears"))
            == Some(&marked)
    };
    labex.eventually(search, &counsellor, hit_marked).await;
    let public_search = http.get(search, None).await.expect(200);
    assert!(
        public_search.body["hits"][0]
            .get("employer_arrears")
            .is_none(),
        "{}",
        public_search.text
    );
    // The public, a job seeker and the employer never do.
    let public = http.get(&vacancy_path, None).await.expect(200);
    assert!(
        public.body.get("employer_arrears").is_none(),
        "{}",
        public.text
    );
    let public_list = http
        .get(&format!("/v1/vacancies?employer={employer}"), None)
        .await
        .expect(200);
    assert!(
        public_list.body["items"][0]
            .get("employer_arrears")
            .is_none()
    );
    let seeker = Tokens::issue(Role::Jobseeker, "410105", None);
    let seen = http.get(&vacancy_path, Some(&seeker)).await.expect(200);
    assert!(seen.body.get("employer_arrears").is_none());
    let own = Tokens::employer(employer_id(&employer), "410105");
    let seen = http.get(&vacancy_path, Some(&own)).await.expect(200);
    assert!(seen.body.get("employer_arrears").is_none());
    let seen = http.get(&referral_path, Some(&own)).await.expect(200);
    assert!(seen.body.get("employer_arrears").is_none());

    // Mediation, then payments actually received, worker by worker.
    let mediated = http
        .post(&format!("{case}/mediation"), Some(&counsellor), &json!({}))
        .await
        .expect(200);
    assert_eq!(mediated.body["status"], "mediating");
    assert_eq!(mediated.body["mediations"], 1);
    mark_becomes(&labex, &vacancy_path, &counsellor, &marked).await;
    let paid = http
        .post(
            &format!("{case}/payments"),
            Some(&counsellor),
            &json!({"jobseeker_id": first, "amount_fen": 300_000}),
        )
        .await
        .expect(200);
    assert_eq!(paid.body["paid_fen"], 300_000);
    let paid = http
        .post(
            &format!("{case}/payments"),
            Some(&counsellor),
            &json!({"jobseeker_id": second, "amount_fen": 100_000}),
        )
        .await
        .expect(200);
    assert_eq!(paid.body["paid_fen"], 400_000);
    let workers = paid.body["workers"].as_array().unwrap();
    let second_worker = workers
        .iter()
        .find(|worker| worker["jobseeker_id"] == second.as_str())
        .unwrap();
    assert_eq!(second_worker["owed_fen"], 150_000);
    assert_eq!(second_worker["paid_fen"], 100_000);

    // More than is owed, an unknown worker, settling too early: refused,
    // nothing written.
    let before = labex.events(None).await;
    http.post(
        &format!("{case}/payments"),
        Some(&counsellor),
        &json!({"jobseeker_id": second, "amount_fen": 50_001}),
    )
    .await
    .expect_problem(422, "payment_out_of_range");
    http.post(
        &format!("{case}/payments"),
        Some(&counsellor),
        &json!({"jobseeker_id": vacancy, "amount_fen": 1}),
    )
    .await
    .expect_problem(422, "unknown_worker");
    http.post(
        &format!("{case}/payments"),
        Some(&counsellor),
        &json!({"jobseeker_id": second, "amount_fen": -5, "paid_on": "yesterday"}),
    )
    .await
    .expect_problem(422, "validation_failed");
    http.post(&format!("{case}/settlement"), Some(&counsellor), &json!({}))
        .await
        .expect_problem(409, "not_fully_paid");
    assert_eq!(labex.events(None).await, before);

    // A second case, transferred to labour inspection: two open, then one.
    let other = http
        .post(
            "/v1/wage-arrears",
            Some(&counsellor),
            &json!({"employer_id": employer, "workers": [{"jobseeker_id": first, "owed_fen": 80_000}]}),
        )
        .await
        .expect(201);
    let other_case = other.header("location").unwrap().to_owned();
    mark_becomes(
        &labex,
        &vacancy_path,
        &counsellor,
        &json!({"open_cases": 2, "since": since}),
    )
    .await;
    let transferred = http
        .post(
            &format!("{other_case}/transfer"),
            Some(&counsellor),
            &json!({}),
        )
        .await
        .expect(200);
    assert_eq!(transferred.body["status"], "transferred");
    mark_becomes(&labex, &referral_path, &counsellor, &marked).await;

    // The rest paid and the case settled: the mark is gone.
    http.post(
        &format!("{case}/payments"),
        Some(&counsellor),
        &json!({"jobseeker_id": second, "amount_fen": 50_000}),
    )
    .await
    .expect(200);
    let settled = http
        .post(&format!("{case}/settlement"), Some(&counsellor), &json!({}))
        .await
        .expect(200);
    assert_eq!(settled.body["status"], "settled");
    assert_eq!(settled.body["paid_fen"], 450_000);
    mark_becomes(&labex, &vacancy_path, &counsellor, &Value::Null).await;
    mark_becomes(&labex, &referral_path, &counsellor, &Value::Null).await;
    labex
        .eventually(search, &counsellor, |body| {
            body["hits"][0]["id"] == vacancy.as_str()
                && body["hits"][0].get("employer_arrears").is_none()
        })
        .await;
    let status = http
        .get(
            &format!("/v1/employers/{employer}/arrears-status"),
            Some(&counsellor),
        )
        .await
        .expect(200);
    assert_eq!(status.body["marked"], false);
    http.post(&format!("{case}/mediation"), Some(&counsellor), &json!({}))
        .await
        .expect_problem(409, "closed");
    let openapi = http.get("/openapi.json", None).await.expect(200);
    let schemas = &openapi.body["components"]["schemas"];
    for schema in ["VacancyView", "VacancySummary", "ReferralView", "HitView"] {
        assert!(
            schemas[schema]["properties"]["employer_arrears"].is_object(),
            "{schema} describes employer_arrears"
        );
    }
    assert!(schemas["ArrearsMark"]["properties"]["open_cases"].is_object());
}
