//! Training end to end on one `labex`: an order-based course (订单式培训)
//! of a registered provider, a job seeker enrolled, completing and hired
//! by the course's employer through a referral; the hire is counted in
//! the course's and the provider's outcomes, and the employer's
//! commitment is met.

use labex_testkit::{Tokens, china_today};
use serde_json::{Value, json};

use crate::support::{Labex, employer, id_of, jobseeker, vacancy};

#[tokio::test]
async fn a_trainees_hire_after_an_order_based_course_counts_in_its_outcomes() {
    let mut labex = Labex::start().await;
    // Rates of small courses are withheld; this office shows them from
    // one leaver on.
    let training = labex.data.path().join("training");
    std::fs::create_dir_all(&training).unwrap();
    std::fs::write(
        training.join("rules.json"),
        r#"{"rules": {"min_leavers_for_rates": 1}}"#,
    )
    .unwrap();
    labex.restart();
    let counsellor = Tokens::counsellor("410105");
    let http = &labex.http;

    let employer_id = id_of(
        &http
            .post("/v1/employers", Some(&counsellor), &employer(31))
            .await
            .expect(201),
    );
    let vacancy_id = id_of(
        &http
            .post(
                "/v1/vacancies",
                Some(&counsellor),
                &vacancy(&employer_id, 1),
            )
            .await
            .expect(201),
    );
    let jobseeker_id = id_of(
        &http
            .post("/v1/jobseekers", Some(&counsellor), &jobseeker(31))
            .await
            .expect(201),
    );
    let provider_id = id_of(
        &http
            .post(
                "/v1/training/providers",
                Some(&counsellor),
                &json!({"name": "郑州市电气技能培训中心", "credit_code": labex_testkit::credit_code(7_031), "office": "410105"}),
            )
            .await
            .expect(201),
    );
    let course_id = id_of(
        &http
            .post(
                "/v1/courses",
                Some(&counsellor),
                &json!({
                    "provider_id": provider_id,
                    "title": "电气设备安装订单班",
                    "kind": "order_based",
                    "occupation": "6-31-01-03",
                    "hours": 160,
                    "seats": 20,
                    "starts_on": "2020-01-06",
                    "ends_on": "2099-12-31",
                    "region": "410105",
                    "subsidy_per_trainee_fen": 120000,
                    "eligible_categories": ["graduate", "laid_off"],
                    "order": {"employer_id": employer_id, "committed_hires": 1}
                }),
            )
            .await
            .expect(201),
    );
    let found = http
        .get("/v1/courses/search?q=电气安装&kind=order_based", None)
        .await
        .expect(200);
    assert_eq!(
        found.body["hits"][0]["id"],
        course_id.as_str(),
        "{}",
        found.text
    );

    let enrolment = http
        .post(
            &format!("/v1/courses/{course_id}/enrolments"),
            Some(&counsellor),
            &json!({"jobseeker_id": jobseeker_id}),
        )
        .await
        .expect(201);
    assert_eq!(enrolment.body["status"], "seated");
    let enrolment_id = id_of(&enrolment);
    let today = china_today();
    http.post(
        &format!("/v1/enrolments/{enrolment_id}/completion"),
        Some(&counsellor),
        &json!({"completed_on": today}),
    )
    .await
    .expect(200);

    let referral_id = id_of(
        &http
            .post(
                "/v1/referrals",
                Some(&counsellor),
                &json!({"jobseeker_id": jobseeker_id, "vacancy_id": vacancy_id}),
            )
            .await
            .expect(201),
    );
    http.post(
        &format!("/v1/referrals/{referral_id}/outcome"),
        Some(&counsellor),
        &json!({"outcome": "hired", "date": today}),
    )
    .await
    .expect(200);

    let outcomes = labex
        .eventually(
            &format!("/v1/courses/{course_id}/outcomes"),
            &counsellor,
            |body: &Value| body["employed"] == 1,
        )
        .await;
    assert_eq!(outcomes["leavers"], 1);
    assert_eq!(outcomes["employment_rate_percent"], 100.0);
    assert_eq!(outcomes["commitment"]["met"], true);
    assert_eq!(outcomes["commitment"]["hires"], 1);
    let trainee = http
        .get(&format!("/v1/enrolments/{enrolment_id}"), Some(&counsellor))
        .await
        .expect(200);
    assert_eq!(
        trainee.body["employment"]["employer_id"],
        employer_id.as_str()
    );
    assert_eq!(trainee.body["employment"]["started_on"], today.as_str());
    let by_provider = http
        .get(
            &format!("/v1/training/providers/{provider_id}/outcomes"),
            Some(&counsellor),
        )
        .await
        .expect(200);
    assert_eq!(by_provider.body["employed"], 1);
    assert_eq!(by_provider.body["commitments_met"], 1);
}
