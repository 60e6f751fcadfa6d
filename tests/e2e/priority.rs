//! The household register decides who comes first among comparable
//! candidates (decision 093), on one `labex`: a household verified over
//! HTTP puts its member first for a vacancy; a member of the household in
//! work (cleared) takes that away, out of work again (registered again)
//! gives it back, and the household leaving the register takes it away
//! for good; a category only declared at registration never gives it.

use labex_testkit::Tokens;
use serde_json::{Value, json};

use crate::support::{Labex, employer, id_of, jobseeker, vacancy};

/// The candidates for `vacancy` once `done` holds: ids in order, with
/// scores, and whether each has the zero-employment priority reason.
async fn candidates(
    labex: &Labex,
    vacancy: &str,
    token: &str,
    done: impl Fn(&[(String, f64, bool)]) -> bool,
) -> Vec<(String, f64, bool)> {
    let read = |body: &Value| -> Vec<(String, f64, bool)> {
        body["hits"]
            .as_array()
            .map(|hits| {
                hits.iter()
                    .map(|hit| {
                        let priority = hit["reasons"].as_array().is_some_and(|reasons| {
                            reasons.iter().any(|reason| {
                                reason["kind"] == "priority"
                                    && reason["detail"] == "zero_employment_household"
                            })
                        });
                        (
                            hit["id"].as_str().unwrap_or_default().to_owned(),
                            hit["score"].as_f64().unwrap_or_default(),
                            priority,
                        )
                    })
                    .collect()
            })
            .unwrap_or_default()
    };
    let body = labex
        .eventually(
            &format!("/v1/vacancies/{vacancy}/candidates"),
            token,
            |body| done(&read(body)),
        )
        .await;
    read(&body)
}

async fn register(labex: &Labex, token: &str, body: Value) -> String {
    id_of(
        &labex
            .http
            .post("/v1/jobseekers", Some(token), &body)
            .await
            .expect(201),
    )
}

fn score_of(hits: &[(String, f64, bool)], id: &str) -> f64 {
    hits.iter()
        .find(|(found, _, _)| found == id)
        .map(|(_, score, _)| *score)
        .unwrap_or_else(|| panic!("{id} is not among {hits:?}"))
}

fn alike(a: f64, b: f64) -> bool {
    (a - b).abs() <= a.abs().max(b.abs()) * 1e-4
}

#[tokio::test]
async fn a_household_verified_over_http_puts_its_member_first_until_it_leaves_the_register() {
    let labex = Labex::start().await;
    let counsellor = Tokens::counsellor("410105");
    let http = &labex.http;

    let employer_id = id_of(
        &http
            .post("/v1/employers", Some(&counsellor), &employer(41))
            .await
            .expect(201),
    );
    let vacancy_id = id_of(
        &http
            .post(
                "/v1/vacancies",
                Some(&counsellor),
                &vacancy(&employer_id, 2),
            )
            .await
            .expect(201),
    );
    // Three graduates alike; one only declares the category.
    let plain = register(&labex, &counsellor, jobseeker(41)).await;
    let member = register(&labex, &counsellor, jobseeker(42)).await;
    let mut declaring = jobseeker(43);
    declaring["categories"] = json!(["graduate", "zero_employment_household"]);
    let declaring = register(&labex, &counsellor, declaring).await;
    // The declaration is kept as said, unverified.
    let record = labex
        .http
        .get(&format!("/v1/jobseekers/{declaring}"), Some(&counsellor))
        .await
        .expect(200);
    assert!(
        record.body["categories"]
            .as_array()
            .is_some_and(|categories| categories.contains(&json!("zero_employment_household"))),
        "{}",
        record.text
    );
    // The member's mother, a cleaner: no candidate for this vacancy.
    let mut mother = jobseeker(44);
    mother["education"] = json!("junior_secondary");
    mother["major"] = Value::Null;
    mother["graduation_year"] = Value::Null;
    mother["categories"] = json!(["laid_off"]);
    mother["skills"] = json!(["保洁"]);
    mother["desired_occupations"] = json!(["保洁员"]);
    let mother = register(&labex, &counsellor, mother).await;

    let before = candidates(&labex, &vacancy_id, &counsellor, |hits| hits.len() == 3).await;
    assert!(
        before.iter().all(|(_, _, priority)| !priority),
        "a declared category gives no priority: {before:?}"
    );
    assert!(
        alike(score_of(&before, &declaring), score_of(&before, &plain)),
        "{before:?}"
    );
    assert!(
        alike(score_of(&before, &member), score_of(&before, &plain)),
        "{before:?}"
    );

    let household = id_of(
        &http
            .post(
                "/v1/households",
                Some(&counsellor),
                &json!({
                    "office": "410105",
                    "address": "金水区经三路 8 号院 2 号楼 502",
                    "members": [member, mother],
                }),
            )
            .await
            .expect(201),
    );
    http.post(
        &format!("/v1/households/{household}/verification"),
        Some(&counsellor),
        &json!({"decision": "verified", "note": "入户核实，二人均未就业"}),
    )
    .await
    .expect(200);
    let first = |hits: &[(String, f64, bool)]| hits.len() == 3 && hits[0].0 == member && hits[0].2;
    let verified = candidates(&labex, &vacancy_id, &counsellor, first).await;
    assert!(
        score_of(&verified, &member) > score_of(&verified, &plain) * 1.05,
        "{verified:?}"
    );
    assert!(
        alike(score_of(&verified, &declaring), score_of(&verified, &plain)),
        "{verified:?}"
    );

    // The mother finds work: the household is cleared, help has done its
    // work, and the member is one of the others.
    let today = labex_testkit::china_today();
    http.post(
        &format!("/v1/jobseekers/{mother}/employment"),
        Some(&counsellor),
        &json!({"started_on": today, "employer_name": "绿城物业"}),
    )
    .await
    .expect(200);
    labex
        .eventually(
            &format!("/v1/households/{household}"),
            &counsellor,
            |body| body["status"] == "cleared",
        )
        .await;
    let none_first = |hits: &[(String, f64, bool)]| {
        hits.len() == 3
            && hits.iter().all(|(_, _, priority)| !priority)
            && alike(score_of(hits, &member), score_of(hits, &plain))
    };
    candidates(&labex, &vacancy_id, &counsellor, none_first).await;

    // Out of work again: the household is registered again, and so is
    // the member's priority.
    http.post(
        &format!("/v1/jobseekers/{mother}/unemployment"),
        Some(&counsellor),
        &json!({"note": "合同到期"}),
    )
    .await
    .expect(200);
    candidates(&labex, &vacancy_id, &counsellor, first).await;

    // The household leaves the register (moved away): the ranking is as
    // before it was verified.
    http.post(
        &format!("/v1/households/{household}/exit"),
        Some(&counsellor),
        &json!({"reason": "moved_away"}),
    )
    .await
    .expect(200);
    let exited = candidates(&labex, &vacancy_id, &counsellor, none_first).await;
    assert!(
        alike(score_of(&exited, &declaring), score_of(&exited, &member)),
        "{exited:?}"
    );
}
