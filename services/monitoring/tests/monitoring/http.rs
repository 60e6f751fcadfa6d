//! What the HTTP surface answers, with `labex-monitoring` as its own
//! process against the real event store: status codes, headers, problem
//! bodies, roles and scope, bad input changing nothing, CSV.

use std::path::Path;

use labex_domain::employer::{Employer, EmployerCommand, RegisterEmployer};
use labex_domain::value::{CreditCode, DivisionCode, Label, OrganisationName};
use labex_domain::{EmployerId, china_date};
use labex_eventsourcing::{EventContext, ExecuteOptions, Repository};
use labex_testkit::{ServiceUnderTest, Tokens, credit_code};
use serde_json::json;

pub(crate) async fn start() -> ServiceUnderTest {
    ServiceUnderTest::start(Path::new(env!("CARGO_BIN_EXE_labex-monitoring"))).await
}

/// An employer registered in `region`, written to the store as the
/// employers service writes it.
pub(crate) async fn employer(service: &ServiceUnderTest, n: u64, region: &str) -> String {
    let id = EmployerId::generate();
    let region = DivisionCode::parse(region).unwrap();
    let command = EmployerCommand::Register(RegisterEmployer {
        employer_id: id,
        name: OrganisationName::parse("洛阳轴承有限公司").unwrap(),
        credit_code: CreditCode::parse(&credit_code(n)).unwrap(),
        region: region.clone(),
        industry: Label::parse("制造业").unwrap(),
    });
    let context = EventContext::for_request(uuid::Uuid::now_v7(), "test", Some(region));
    Repository::new(service.store.client().clone())
        .execute_with::<Employer>(id, command, &context, ExecuteOptions::default())
        .await
        .unwrap();
    id.to_string()
}

fn in_days(days: i64) -> String {
    (china_date(chrono::Utc::now()) + chrono::Duration::days(days)).to_string()
}

#[tokio::test]
async fn a_layoff_plan_is_created_amended_and_concluded_with_etags() {
    let service = start().await;
    let token = Tokens::counsellor("410305");
    let employer = employer(&service, 1, "410305").await;
    let created = service
        .http
        .post(
            "/v1/layoff-plans",
            Some(&token),
            &json!({"employer_id": employer, "workforce": 400, "planned": 40, "reasons": "订单减少",
                    "planned_from": in_days(20), "measures": "经济补偿"}),
        )
        .await
        .expect(201);
    assert_eq!(created.body["mandatory"], true);
    assert_eq!(created.body["late"], true);
    assert_eq!(created.etag(), Some("\"0\""));
    let location = created.header("location").unwrap().to_owned();
    let amended = service
        .http
        .patch(
            &location,
            Some(&token),
            &json!({"planned": 30, "planned_from": in_days(40)}),
        )
        .await
        .expect(200);
    assert_eq!(amended.body["id"], created.body["id"]);
    assert_eq!(amended.body["amendments"], 1);
    assert_eq!(amended.body["mandatory"], false);
    assert_eq!(amended.body["late"], false);
    let concluded = service
        .http
        .post(
            &format!("{location}/outcome"),
            Some(&token),
            &json!({"laid_off": 28}),
        )
        .await
        .expect(200);
    assert_eq!(concluded.body["status"], "concluded");
    service
        .http
        .patch(&location, Some(&token), &json!({"planned": 10}))
        .await
        .expect_problem(409, "concluded");
}

#[tokio::test]
async fn bad_input_is_refused_with_every_field_and_writes_nothing() {
    let service = start().await;
    let token = Tokens::counsellor("410305");
    let before = service.events(None).await;
    let answer = service
        .http
        .post(
            "/v1/monitoring/reports",
            Some(&token),
            &json!({"employer_id": "nope", "period": "2026-13", "headcount": -1, "state": "asleep"}),
        )
        .await
        .expect_problem(422, "validation_failed");
    let mut fields = answer.error_fields();
    fields.sort();
    assert_eq!(fields, ["employer_id", "headcount", "period", "state"]);
    assert_eq!(service.events(None).await, before);
}

#[tokio::test]
async fn tokens_and_scope_are_checked() {
    let service = start().await;
    service
        .http
        .get("/v1/warnings", None)
        .await
        .expect_problem(401, "unauthenticated");
    service
        .http
        .get(
            "/v1/monitoring/coverage?region=410300",
            Some(&Tokens::counsellor("410100")),
        )
        .await
        .expect_problem(403, "forbidden");
    service
        .http
        .get("/v1/reports/monthly?region=41", Some(&Tokens::province()))
        .await
        .expect_problem(400, "invalid_query");
}

#[tokio::test]
async fn the_monthly_report_comes_as_csv_and_a_submission_shows_its_differences() {
    let service = start().await;
    let token = Tokens::counsellor("410305");
    let employer = employer(&service, 2, "410305").await;
    let period = labex_domain::monitoring::Period::of(china_date(chrono::Utc::now()))
        .plus(-1)
        .to_string();
    service
        .http
        .post("/v1/monitoring/points", Some(&token), &json!({"kind": "community_platform", "name": "西工区平台", "region": "410305", "employers": [employer]}))
        .await
        .expect(201);
    let first = service
        .http
        .post(
            "/v1/reports/monthly/submissions",
            Some(&token),
            &json!({"period": period}),
        )
        .await
        .expect(200);
    assert_eq!(first.body["submission"], 1);
    assert_eq!(first.body["figures"]["reports_missing"], 1);
    service
        .http
        .post("/v1/monitoring/reports", Some(&token), &json!({"employer_id": employer, "period": period, "headcount": 90, "state": "operating"}))
        .await
        .expect(201);
    let second = service
        .http
        .post(
            "/v1/reports/monthly/submissions",
            Some(&token),
            &json!({"period": period}),
        )
        .await
        .expect(200);
    assert_eq!(second.body["submission"], 2);
    assert_eq!(
        second.body["differences"]["reports_missing"],
        json!({"before": 1, "after": 0})
    );
    let listed = service
        .http
        .get(
            &format!("/v1/reports/monthly/submissions?region=410000&period={period}"),
            Some(&Tokens::province()),
        )
        .await
        .expect(200);
    assert_eq!(listed.body["items"][0]["region"], "410305");

    let csv = service
        .http
        .get(
            &format!("/v1/reports/monthly?region=410305&period={period}&format=csv"),
            Some(&token),
        )
        .await
        .expect(200);
    assert!(csv.header("content-type").unwrap().starts_with("text/csv"));
    assert!(csv.text.starts_with("region,period,figure,value,label\n"));
    assert!(csv.text.contains(&format!(
        "410305,{period},reports_received,1,监测报表已报\n"
    )));
    assert!(csv.text.contains(&format!(
        "410305,{period},training_enrolments,0,培训报名入学\n"
    )));
    assert!(csv.text.contains(&format!(
        "410305,{period},hires_graduate,0,介绍成功（高校毕业生）\n"
    )));
    assert_eq!(
        csv.text.lines().count(),
        1 + labex_monitoring::FIGURES.len(),
        "a header and a line per figure"
    );

    let openapi = service.http.get("/openapi.json", None).await.expect(200);
    let described = openapi.body["components"]["schemas"]["MonthlyReportView"]["properties"]
        ["figures"]["description"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    for figure in labex_monitoring::FIGURES {
        let named = figure.starts_with("referrals_") || figure.starts_with("hires_");
        assert!(
            named || described.contains(&format!("`{figure}`")),
            "the OpenAPI description names {figure}"
        );
    }
    assert!(described.contains("`referrals_<category>`"));
}

#[tokio::test]
async fn an_office_and_a_months_report_are_read_where_their_location_points() {
    let service = start().await;
    let token = Tokens::counsellor("410305");
    let created = service
        .http
        .post(
            "/v1/monitoring/offices",
            Some(&token),
            &json!({"name": "西工区王城路街道劳动保障事务所", "region": "410305"}),
        )
        .await
        .expect(201);
    let location = created.header("location").unwrap().to_owned();
    let office = service.http.get(&location, Some(&token)).await.expect(200);
    assert_eq!(office.body, created.body);
    assert_eq!(office.etag(), Some("\"0\""));
    service
        .http
        .get(&location, Some(&Tokens::counsellor("410300")))
        .await
        .expect(200);
    service
        .http
        .get(&location, Some(&Tokens::counsellor("410100")))
        .await
        .expect_problem(403, "forbidden");
    service
        .http
        .get(&location, None)
        .await
        .expect_problem(401, "unauthenticated");
    service
        .http
        .get(
            &format!("/v1/monitoring/offices/{}", uuid::Uuid::now_v7()),
            Some(&token),
        )
        .await
        .expect_problem(404, "not_found");
    service
        .http
        .get("/v1/monitoring/offices/nope", Some(&token))
        .await
        .expect_problem(400, "invalid_path");

    let employer = employer(&service, 3, "410305").await;
    let period = labex_domain::monitoring::Period::of(china_date(chrono::Utc::now()))
        .plus(-1)
        .to_string();
    let filed = service
        .http
        .post(
            "/v1/monitoring/reports",
            Some(&token),
            &json!({"employer_id": employer, "period": period, "headcount": 120, "hires": 4,
                    "separations": {"quits": 3}, "state": "operating"}),
        )
        .await
        .expect(201);
    let location = filed.header("location").unwrap().to_owned();
    assert_eq!(
        location,
        format!("/v1/monitoring/reports/{employer}/{period}")
    );
    let report = service.http.get(&location, Some(&token)).await.expect(200);
    assert_eq!(report.body, filed.body);
    assert_eq!(report.body["figures"]["headcount"], 120);
    assert_eq!(report.etag(), filed.etag());
    service
        .http
        .post(
            "/v1/monitoring/reports/corrections",
            Some(&token),
            &json!({"employer_id": employer, "period": period, "headcount": 118, "hires": 4,
                    "separations": {"quits": 5}, "state": "operating"}),
        )
        .await
        .expect(200);
    let corrected = service.http.get(&location, Some(&token)).await.expect(200);
    assert_eq!(corrected.body["figures"]["headcount"], 118);
    assert_eq!(corrected.body["corrections"], 1);
    service
        .http
        .get(&location, Some(&Tokens::counsellor("410100")))
        .await
        .expect_problem(403, "forbidden");
    service
        .http
        .get(
            &format!("/v1/monitoring/reports/{employer}/2020-01"),
            Some(&token),
        )
        .await
        .expect_problem(404, "not_found");
    service
        .http
        .get(
            &format!("/v1/monitoring/reports/{employer}/2020-13"),
            Some(&token),
        )
        .await
        .expect_problem(400, "invalid_path");
    service
        .http
        .get(
            &format!("/v1/monitoring/reports/{}/{period}", uuid::Uuid::now_v7()),
            Some(&token),
        )
        .await
        .expect_problem(404, "not_found");

    let openapi = service.http.get("/openapi.json", None).await.expect(200);
    for path in [
        "/v1/monitoring/offices/{id}",
        "/v1/monitoring/reports/{id}/{period}",
    ] {
        assert!(
            openapi.body["paths"][path]["get"].is_object(),
            "the OpenAPI document describes GET {path}"
        );
    }
}

#[tokio::test]
async fn the_dashboard_needs_a_token_names_bad_input_and_shows_the_household_register() {
    let service = start().await;
    let token = Tokens::counsellor("410305");
    service
        .http
        .get("/dashboard", None)
        .await
        .expect_problem(401, "unauthenticated");
    let bad = service
        .http
        .get(
            &format!("/dashboard?region=4103&period=2026-13&token={token}"),
            None,
        )
        .await
        .expect_problem(400, "invalid_query");
    assert_eq!(bad.error_fields(), ["region", "period"]);
    let page = service
        .http
        .get("/dashboard?region=410305&period=2026-11", Some(&token))
        .await
        .expect(200);
    assert!(
        page.header("content-type")
            .unwrap()
            .starts_with("text/html")
    );
    assert!(page.text.contains("<table id=\"households\">"));
    for status in [
        "declared",
        "registered",
        "cleared",
        "stabilised",
        "rejected",
        "exited",
    ] {
        assert!(
            page.text.contains(&format!(
                "<td data-household=\"households_{status}\">0</td>"
            )),
            "the register shows {status}"
        );
    }
    assert!(
        page.text
            .contains("<svg class=\"bars\" data-chart=\"households\"")
    );
    assert!(!page.text.contains("<script"), "no script");
}
