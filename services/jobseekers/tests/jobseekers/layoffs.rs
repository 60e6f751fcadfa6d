//! The people a layoff plan laid off, registered as unemployed in one
//! step (`POST /v1/layoff-plans/{id}/outcome/registrations`), through the
//! real `labex-jobseekers` binary: all or none, every failing line listed,
//! a retry neither losing nor doubling anyone, roles and scope.

use std::path::Path;

use labex_domain::layoff::{
    LayoffPlan, LayoffPlanCommand, LayoffPlanId, LayoffRules, PlanDetails, RecordLayoffOutcome,
    ReportLayoffPlan,
};
use labex_domain::value::{Description, DivisionCode};
use labex_domain::{EmployerId, china_date};
use labex_eventsourcing::{EventContext, ExecuteOptions, Repository};
use labex_testkit::{ServiceUnderTest, Tokens, id_number, id_number_born};
use serde_json::{Value, json};

async fn start() -> ServiceUnderTest {
    ServiceUnderTest::start(Path::new(env!("CARGO_BIN_EXE_labex-jobseekers"))).await
}

/// A plan of an enterprise of `region`, written to the store as the
/// monitoring service writes it; concluded with `laid_off` when given.
async fn plan(service: &ServiceUnderTest, region: &str, laid_off: Option<u32>) -> LayoffPlanId {
    let id = LayoffPlanId::generate();
    let region = DivisionCode::parse(region).unwrap();
    let today = china_date(chrono::Utc::now());
    let context = EventContext::for_request(uuid::Uuid::now_v7(), "test", Some(region.clone()));
    let repository = Repository::new(service.store.client().clone());
    let report = LayoffPlanCommand::Report(ReportLayoffPlan {
        plan_id: id,
        employer_id: EmployerId::generate(),
        region,
        details: PlanDetails {
            workforce: 200,
            planned: 30,
            reasons: Description::parse("订单减少").unwrap(),
            planned_from: today,
            measures: Description::parse("依法支付经济补偿").unwrap(),
        },
        reported_on: today,
        rules: LayoffRules::default(),
    });
    repository
        .execute_with::<LayoffPlan>(id, report, &context, ExecuteOptions::default())
        .await
        .unwrap();
    if let Some(laid_off) = laid_off {
        let outcome = LayoffPlanCommand::RecordOutcome(RecordLayoffOutcome {
            laid_off,
            recorded_on: today,
        });
        repository
            .execute_with::<LayoffPlan>(id, outcome, &context, ExecuteOptions::default())
            .await
            .unwrap();
    }
    id
}

fn person(n: u64, name: &str) -> Value {
    json!({"id_number": id_number(n), "name": name, "education": "senior_secondary"})
}

fn path(plan: LayoffPlanId) -> String {
    format!("/v1/layoff-plans/{plan}/outcome/registrations")
}

#[tokio::test]
async fn the_people_laid_off_are_registered_in_one_step_and_a_retry_doubles_nobody() {
    let service = start().await;
    let token = Tokens::counsellor("410300");
    let plan = plan(&service, "410305", Some(3)).await;
    // One person registered already as a job seeker, one already
    // registered as unemployed, one new.
    let seeking = service
        .http
        .post(
            "/v1/jobseekers",
            Some(&token),
            &json!({"name": "李娜", "id_number": id_number(2), "education": "bachelor", "office": "410305"}),
        )
        .await
        .expect(201);
    let unemployed = service
        .http
        .post(
            "/v1/jobseekers",
            Some(&token),
            &json!({"name": "赵磊", "id_number": id_number(3), "education": "associate", "office": "410305"}),
        )
        .await
        .expect(201);
    let unemployed_id = unemployed.body["id"].as_str().unwrap().to_owned();
    service
        .http
        .post(
            &format!("/v1/jobseekers/{unemployed_id}/unemployment"),
            Some(&token),
            &json!({}),
        )
        .await
        .expect(200);

    let body = json!({"people": [person(1, "王强"), person(2, "李娜"), person(3, "赵磊")]});
    let answer = service
        .http
        .post(&path(plan), Some(&token), &body)
        .await
        .expect(200);
    assert_eq!(answer.body["plan_id"], plan.to_string());
    assert_eq!(answer.body["laid_off"], 3);
    assert_eq!(answer.body["registered_unemployed"], 3);
    let outcomes: Vec<&str> = answer.body["people"]
        .as_array()
        .unwrap()
        .iter()
        .map(|line| line["outcome"].as_str().unwrap())
        .collect();
    assert_eq!(
        outcomes,
        [
            "registered",
            "unemployment_registered",
            "already_unemployed"
        ]
    );
    assert_eq!(answer.body["people"][1]["jobseeker_id"], seeking.body["id"]);
    assert_eq!(answer.body["people"][2]["jobseeker_id"], unemployed_id);
    // No personal data in the answer.
    assert!(!answer.text.contains(&id_number(1)));

    let new_id = answer.body["people"][0]["jobseeker_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let registered = service
        .http
        .get(&format!("/v1/jobseekers/{new_id}"), Some(&token))
        .await
        .expect(200);
    assert_eq!(registered.body["status"], "registered_unemployed");
    assert_eq!(registered.body["office"], "410305");
    assert_eq!(registered.body["categories"], json!(["laid_off"]));

    // The same request again: everyone found, nothing written.
    let before = service.events(None).await;
    let again = service
        .http
        .post(&path(plan), Some(&token), &body)
        .await
        .expect(200);
    assert_eq!(again.body["registered_unemployed"], 3);
    assert_eq!(again.body["people"][0]["jobseeker_id"], new_id.as_str());
    assert_eq!(again.body["people"][0]["outcome"], "already_unemployed");
    assert_eq!(service.events(None).await, before);
    // And the number stays one person's: registering it anew is refused.
    service
        .http
        .post(
            "/v1/jobseekers",
            Some(&token),
            &json!({"name": "王强", "id_number": id_number(1), "education": "senior_secondary"}),
        )
        .await
        .expect_problem(409, "conflict");
}

#[tokio::test]
async fn a_failing_line_registers_nobody_and_every_failure_is_listed() {
    let service = start().await;
    let token = Tokens::counsellor("410305");
    let plan = plan(&service, "410305", Some(10)).await;
    let mut wrong_check = id_number(11);
    let last = if wrong_check.ends_with('1') { "2" } else { "1" };
    wrong_check.replace_range(17..18, last);
    let child = id_number_born(
        china_date(chrono::Utc::now()) - chrono::Duration::days(365 * 12),
        7,
    );
    let before = service.events(None).await;
    let answer = service
        .http
        .post(
            &path(plan),
            Some(&token),
            &json!({"people": [
                person(10, "王强"),
                {"id_number": wrong_check, "name": "李娜", "education": "bachelor"},
                {"id_number": child, "name": "小明", "education": "primary"},
                {"id_number": id_number(12), "name": "", "education": "astronaut"},
                person(10, "王强"),
            ]}),
        )
        .await
        .expect_problem(422, "validation_failed");
    let mut fields = answer.error_fields();
    fields.sort();
    assert_eq!(
        fields,
        [
            "people[1].id_number",
            "people[3].education",
            "people[3].name",
            "people[4].id_number",
        ]
    );
    let codes: Vec<&str> = answer.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|error| error["code"].as_str().unwrap())
        .collect();
    assert!(codes.contains(&"resident_id.check_character"), "{codes:?}");
    assert!(codes.contains(&"person.repeated"), "{codes:?}");
    assert_eq!(service.events(None).await, before);

    // The fields right, the child is refused by the domain, still alone.
    let answer = service
        .http
        .post(
            &path(plan),
            Some(&token),
            &json!({"people": [person(10, "王强"), {"id_number": child, "name": "小明", "education": "primary"}]}),
        )
        .await
        .expect_problem(422, "validation_failed");
    assert_eq!(answer.error_fields(), ["people[1].id_number"]);
    assert_eq!(
        answer.body["errors"][0]["code"],
        "under_minimum_working_age"
    );
    assert_eq!(service.events(None).await, before);
}

#[tokio::test]
async fn registrations_follow_the_plans_outcome_and_never_outnumber_it() {
    let service = start().await;
    let token = Tokens::counsellor("410305");
    let open = plan(&service, "410305", None).await;
    let concluded = plan(&service, "410305", Some(1)).await;
    let before = service.events(None).await;
    service
        .http
        .post(
            &path(open),
            Some(&token),
            &json!({"people": [person(20, "王强")]}),
        )
        .await
        .expect_problem(409, "not_concluded");
    service
        .http
        .post(
            &path(concluded),
            Some(&token),
            &json!({"people": [person(21, "王强"), person(22, "李娜")]}),
        )
        .await
        .expect_problem(422, "registrations_above_laid_off");
    service
        .http
        .post(&path(concluded), Some(&token), &json!({"people": []}))
        .await
        .expect_problem(422, "validation_failed");
    service
        .http
        .post(
            &path(LayoffPlanId::generate()),
            Some(&token),
            &json!({"people": [person(23, "王强")]}),
        )
        .await
        .expect_problem(404, "not_found");
    assert_eq!(service.events(None).await, before);
}

#[tokio::test]
async fn only_office_staff_covering_the_plan_register_its_people() {
    let service = start().await;
    let plan = plan(&service, "410305", Some(5)).await;
    let body = json!({"people": [person(30, "王强")]});
    let before = service.events(None).await;
    service
        .http
        .post(&path(plan), None, &body)
        .await
        .expect_problem(401, "unauthenticated");
    service
        .http
        .post(&path(plan), Some(&Tokens::counsellor("410100")), &body)
        .await
        .expect_problem(403, "forbidden");
    service
        .http
        .post(
            &path(plan),
            Some(&Tokens::employer(EmployerId::generate(), "410305")),
            &body,
        )
        .await
        .expect_problem(403, "forbidden");
    service
        .http
        .post(
            &path(plan),
            Some(&Tokens::counsellor("410305")),
            &json!({"office": "410100", "people": [person(30, "王强")]}),
        )
        .await
        .expect_problem(403, "forbidden");
    assert_eq!(service.events(None).await, before);
    service
        .http
        .post(&path(plan), Some(&Tokens::province()), &body)
        .await
        .expect(200);
}

#[tokio::test]
async fn the_registrations_are_in_the_openapi_document() {
    let service = start().await;
    let openapi = service.http.get("/openapi.json", None).await.expect(200);
    let path = &openapi.body["paths"]["/v1/layoff-plans/{id}/outcome/registrations"]["post"];
    assert!(path.is_object(), "{}", openapi.text);
    let schemas = &openapi.body["components"]["schemas"];
    for schema in [
        "LayoffRegistrationsBody",
        "LaidOffPersonBody",
        "LayoffRegistrationsView",
        "LaidOffLineView",
    ] {
        assert!(schemas[schema].is_object(), "{schema} is described");
    }
    assert!(schemas["LayoffRegistrationsView"]["properties"]["registered_unemployed"].is_object());
}
