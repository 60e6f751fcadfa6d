//! Entrepreneurship end to end on one `labex`: the project library
//! searched in Chinese and filtered by industry, investment and region;
//! a guaranteed small loan (小额担保贷款) of a registered job seeker taken
//! to repaid by instalments, with the interest split by the province's
//! rules, and another to default with the guarantee fund's payout; the
//! borrower sees their own loan, another job seeker and staff out of
//! scope do not.

use std::time::Duration;

use labex_domain::value::DivisionCode;
use labex_testkit::{SECRET, Tokens};
use labex_web::{Role, TokenIssuer};
use serde_json::{Value, json};

use crate::support::{Labex, id_of, jobseeker};

/// A token of the job seeker `id` of 410105.
fn person_token(id: &str) -> String {
    TokenIssuer::new(SECRET.as_bytes()).issue(
        id,
        Role::Jobseeker,
        DivisionCode::parse("410105").expect("a division code"),
        None,
        Duration::from_secs(3600),
    )
}

fn project(title: &str, industry: &str, min: u32, max: u32, region: &str) -> Value {
    json!({
        "title": title,
        "industry": industry,
        "investment_min_yuan": min,
        "investment_max_yuan": max,
        "region": region,
        "description": format!("{title}项目，提供技术培训与开业指导，适合高校毕业生和返乡农民工创业。"),
        "contact_organisation": "河南省创业指导服务中心",
    })
}

fn titles(found: &Value) -> Vec<String> {
    found["hits"]
        .as_array()
        .expect("hits")
        .iter()
        .map(|hit| hit["title"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn the_project_library_is_searched_by_words_industry_investment_and_region() {
    let labex = Labex::start().await;
    let counsellor = Tokens::counsellor("410000");
    let http = &labex.http;
    for body in [
        project("农产品电商直播", "电子商务", 10_000, 50_000, "410105"),
        project("社区烘焙坊", "餐饮", 80_000, 200_000, "410105"),
        project("生态养殖合作社", "农业", 300_000, 1_000_000, "410122"),
        project("跨境电商选品工作室", "电子商务", 60_000, 150_000, "420102"),
    ] {
        http.post("/v1/ventures/projects", Some(&counsellor), &body)
            .await
            .expect(201);
    }

    let found = http
        .get("/v1/ventures/projects/search?q=电商", None)
        .await
        .expect(200);
    let mut words = titles(&found.body);
    words.sort();
    assert_eq!(
        words,
        ["农产品电商直播", "跨境电商选品工作室"],
        "{}",
        found.text
    );
    let found = http
        .get(
            "/v1/ventures/projects/search?q=电商&industry=电子商务&region=410100",
            None,
        )
        .await
        .expect(200);
    assert_eq!(titles(&found.body), ["农产品电商直播"]);
    let found = http
        .get(
            "/v1/ventures/projects/search?q=创业&budget_yuan=100000&region=410000",
            None,
        )
        .await
        .expect(200);
    assert_eq!(
        titles(&found.body),
        ["社区烘焙坊", "农产品电商直播"],
        "startable with 100,000 yuan in 河南, newest first: {}",
        found.text
    );
    let found = http
        .get(
            "/v1/ventures/projects/search?investment_at_least_yuan=500000",
            None,
        )
        .await
        .expect(200);
    assert_eq!(titles(&found.body), ["生态养殖合作社"]);
}

/// Applies for a loan of `amount_fen` for `borrower` and takes it through
/// review, guarantee and disbursement on 2026-01-15 at 3.85 %.
async fn disbursed_loan(labex: &Labex, borrower: &str, amount_fen: u64) -> String {
    let http = &labex.http;
    let applied = http
        .post(
            "/v1/ventures/loans",
            Some(&person_token(borrower)),
            &json!({
                "borrower": borrower,
                "amount_fen": amount_fen,
                "term_months": 24,
                "purpose": "开办农产品电商网店",
                "collateral_free_category": "graduate",
            }),
        )
        .await
        .expect(201);
    let path = applied.header("location").expect("a location").to_owned();
    let counsellor = Tokens::counsellor("410105");
    for (step, body) in [
        (
            "review",
            json!({"decision": "approved", "on": "2026-01-05"}),
        ),
        (
            "guarantee",
            json!({"guarantee_fund": "郑州市小额贷款担保中心", "on": "2026-01-10"}),
        ),
        (
            "disbursement",
            json!({"on": "2026-01-15", "annual_rate_bp": 385}),
        ),
    ] {
        http.post(&format!("{path}/{step}"), Some(&counsellor), &body)
            .await
            .expect(200);
    }
    path
}

#[tokio::test]
async fn one_loan_is_repaid_and_another_defaults_with_the_guarantee_funds_payout() {
    let mut labex = Labex::start().await;
    // Serving before it is stopped (labex installs its SIGTERM handler as
    // it starts to serve).
    labex.http.get("/healthz", None).await.expect(200);
    // The province caps loans at 100,000 yuan and pays half the interest.
    let ventures = labex.data.path().join("ventures");
    std::fs::create_dir_all(&ventures).unwrap();
    std::fs::write(
        ventures.join("rules.json"),
        r#"{"rules": {"loans": {"cap_fen": 10000000, "treasury_interest_share_percent": 50}}}"#,
    )
    .unwrap();
    labex.restart();
    let counsellor = Tokens::counsellor("410105");
    let http = &labex.http;
    let borrower = id_of(
        &http
            .post("/v1/jobseekers", Some(&counsellor), &jobseeker(61))
            .await
            .expect(201),
    );
    let other = id_of(
        &http
            .post("/v1/jobseekers", Some(&counsellor), &jobseeker(62))
            .await
            .expect(201),
    );
    http.post(
        "/v1/ventures/loans",
        Some(&counsellor),
        &json!({
            "borrower": borrower,
            "amount_fen": 10_000_001,
            "term_months": 24,
            "purpose": "开办网店",
            "guarantor": "郑州市中小企业信用担保有限公司",
        }),
    )
    .await
    .expect_problem(422, "loan_above_cap");

    let repaid = disbursed_loan(&labex, &borrower, 10_000_000).await;
    let first = http
        .post(
            &format!("{repaid}/repayments"),
            Some(&counsellor),
            &json!({"principal_fen": 4_000_000, "on": "2026-07-15"}),
        )
        .await
        .expect(200);
    // 10,000,000 fen at 3.85 % for 181 days: 190,918 fen, half each.
    assert_eq!(first.body["instalments"][0]["interest_fen"], 190_918);
    assert_eq!(
        first.body["instalments"][0]["treasury_interest_fen"],
        95_459
    );
    assert_eq!(
        first.body["instalments"][0]["borrower_interest_fen"],
        95_459
    );
    assert_eq!(first.body["status"], "disbursed");
    let last = http
        .post(
            &format!("{repaid}/repayments"),
            Some(&counsellor),
            &json!({"principal_fen": 6_000_000, "on": "2028-01-15"}),
        )
        .await
        .expect(200);
    assert_eq!(last.body["status"], "repaid");
    assert_eq!(last.body["repaid"], "on_time");
    assert_eq!(last.body["outstanding_fen"], 0);
    let seen = http
        .get(&repaid, Some(&person_token(&borrower)))
        .await
        .expect(200);
    assert_eq!(seen.body["status"], "repaid");
    http.get(&repaid, Some(&person_token(&other)))
        .await
        .expect_problem(403, "forbidden");
    http.get(&repaid, Some(&Tokens::counsellor("420100")))
        .await
        .expect_problem(403, "forbidden");

    let defaulted = disbursed_loan(&labex, &borrower, 6_000_000).await;
    http.post(
        &format!("{defaulted}/repayments"),
        Some(&counsellor),
        &json!({"principal_fen": 1_000_000, "on": "2026-06-15"}),
    )
    .await
    .expect(200);
    http.post(
        &format!("{defaulted}/default"),
        Some(&counsellor),
        &json!({"guarantee_payout_fen": 5_000_001, "on": "2027-03-01"}),
    )
    .await
    .expect_problem(422, "payout_above_outstanding");
    let answer = http
        .post(
            &format!("{defaulted}/default"),
            Some(&counsellor),
            &json!({"guarantee_payout_fen": 5_000_000, "on": "2027-03-01"}),
        )
        .await
        .expect(200);
    assert_eq!(answer.body["status"], "defaulted");
    assert_eq!(answer.body["guarantee_payout_fen"], 5_000_000);
    assert_eq!(answer.body["closed_on"], "2027-03-01");
    http.post(
        &format!("{defaulted}/repayments"),
        Some(&counsellor),
        &json!({"principal_fen": 100, "on": "2027-04-01"}),
    )
    .await
    .expect_problem(409, "loan_status");
    assert_eq!(labex.events(Some("loan-")).await, 13);
}
