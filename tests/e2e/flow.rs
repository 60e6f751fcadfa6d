//! The whole flow of a placement on one `labex`: an employer registered, a
//! vacancy published, a job seeker registered, referred and hired; the job
//! seeker is then employed and the vacancy filled.

use labex_testkit::{Tokens, china_today};
use serde_json::json;

use crate::support::{Labex, employer, id_of, jobseeker, vacancy};

#[tokio::test]
async fn a_referral_ends_in_a_hire_that_employs_the_job_seeker_and_fills_the_vacancy() {
    let labex = Labex::start().await;
    let counsellor = Tokens::counsellor("410105");
    let http = &labex.http;

    let employer = http
        .post("/v1/employers", Some(&counsellor), &employer(1))
        .await
        .expect(201);
    let employer_id = id_of(&employer);
    let vacancy = http
        .post(
            "/v1/vacancies",
            Some(&counsellor),
            &vacancy(&employer_id, 1),
        )
        .await
        .expect(201);
    let vacancy_id = id_of(&vacancy);
    assert_eq!(vacancy.body["status"], "open");
    assert_eq!(vacancy.body["open_headcount"], 1);
    let seeker = http
        .post("/v1/jobseekers", Some(&counsellor), &jobseeker(1))
        .await
        .expect(201);
    let jobseeker_id = id_of(&seeker);

    let referral = http
        .post(
            "/v1/referrals",
            Some(&counsellor),
            &json!({"jobseeker_id": jobseeker_id, "vacancy_id": vacancy_id, "note": "专业对口"}),
        )
        .await
        .expect(201);
    let referral_id = id_of(&referral);
    // Outcomes are recorded by office staff and dated no earlier than the
    // referral (China time): today, taken after the referral was made.
    let today = china_today();
    let hired = http
        .post(
            &format!("/v1/referrals/{referral_id}/outcome"),
            Some(&counsellor),
            &json!({"outcome": "hired", "date": today}),
        )
        .await
        .expect(200);
    assert_eq!(hired.body["outcome"]["outcome"], "hired", "{}", hired.text);

    let employed = labex
        .eventually(
            &format!("/v1/jobseekers/{jobseeker_id}"),
            &counsellor,
            |body| body["status"] == "employed",
        )
        .await;
    assert_eq!(employed["employment"]["vacancy_id"], vacancy_id.as_str());
    assert_eq!(employed["employment"]["employer_id"], employer_id.as_str());
    assert_eq!(employed["employment"]["started_on"], today.as_str());
    let filled = labex
        .eventually(
            &format!("/v1/vacancies/{vacancy_id}"),
            &counsellor,
            |body| body["status"] == "filled",
        )
        .await;
    assert_eq!(filled["open_headcount"], 0);

    // A filled vacancy takes no more referrals.
    let other = http
        .post("/v1/jobseekers", Some(&counsellor), &jobseeker(2))
        .await
        .expect(201);
    http.post(
        "/v1/referrals",
        Some(&counsellor),
        &json!({"jobseeker_id": id_of(&other), "vacancy_id": vacancy_id}),
    )
    .await
    .expect(409);

    // Everything answers from one port, documented in one API document.
    let document = http.get("/openapi.json", None).await.expect(200);
    for path in [
        "/healthz",
        "/readyz",
        "/metrics",
        "/v1/tokens/revocations",
        "/v1/jobseekers",
        "/v1/employers",
        "/v1/vacancies",
        "/v1/referrals",
    ] {
        assert!(
            document.body["paths"].get(path).is_some(),
            "{path} is documented"
        );
    }
    http.get("/readyz", None).await.expect(200);
    let metrics = http.get("/metrics", None).await.expect(200);
    assert!(
        metrics.text.contains("/v1/referrals"),
        "requests are counted by route"
    );
    // Every projection and process manager of every service exports its
    // lag (published every two seconds).
    let mut lags = String::new();
    for _ in 0..50 {
        lags = http.get("/metrics", None).await.expect(200).text;
        if lags.contains("projection=\"placement-process\"") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    for projection in ["jobseeker-list", "placement-process", "search"] {
        assert!(
            lags.lines()
                .any(|line| line.starts_with("labex_projection_lag_events{")
                    && line.contains(&format!("projection=\"{projection}\""))),
            "{projection} exports its lag:\n{lags}"
        );
    }
}
