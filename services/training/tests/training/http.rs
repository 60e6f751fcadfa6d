//! What the HTTP surface answers: status codes, headers (`ETag`,
//! `Location`), problem bodies, roles and scope, and bad input changing
//! nothing, with `labex-training` as its own process against the real
//! event store.

use std::collections::BTreeSet;
use std::path::Path;
use std::time::Duration;

use labex_domain::JobSeekerId;
use labex_domain::jobseeker::{
    JobSeeker, JobSeekerCommand, JobSeekerProfile, PersonalData, RegisterJobSeeker,
};
use labex_domain::value::{DivisionCode, Education, JobSeekerCategory, PersonName, ResidentId};
use labex_eventsourcing::{EventContext, ExecuteOptions, ExpectedRevision, Repository};
use labex_testkit::{ServiceUnderTest, Tokens, id_number};
use serde_json::{Value, json};

use crate::fixtures::{course_body, provider_body};

async fn start() -> ServiceUnderTest {
    ServiceUnderTest::start(Path::new(env!("CARGO_BIN_EXE_labex-training"))).await
}

/// Registers a job seeker of `categories` in 410105 straight into the store.
async fn jobseeker(service: &ServiceUnderTest, n: u64, categories: &[JobSeekerCategory]) -> String {
    let repository = Repository::new(service.store.client().clone());
    let id = JobSeekerId::generate();
    let command = JobSeekerCommand::Register(RegisterJobSeeker {
        jobseeker_id: id,
        personal: PersonalData {
            name: PersonName::parse("李强").unwrap(),
            id_number: ResidentId::parse(&id_number(8_000 + n)).unwrap(),
            phone: None,
        },
        profile: JobSeekerProfile {
            education: Education::JuniorSecondary,
            major: None,
            graduation_year: None,
            categories: categories.iter().copied().collect::<BTreeSet<_>>(),
            skills: Vec::new(),
            desired_occupations: Vec::new(),
            desired_occupation_codes: Vec::new(),
            desired_regions: BTreeSet::new(),
            summary: None,
        },
        office: DivisionCode::parse("410105").unwrap(),
        registered_on: labex_domain::china_date(chrono::Utc::now()),
    });
    let context = EventContext::for_request(
        uuid::Uuid::now_v7(),
        "test",
        DivisionCode::parse("410105").ok(),
    );
    repository
        .execute_with::<JobSeeker>(
            id,
            command,
            &context,
            ExecuteOptions::default().expected(ExpectedRevision::NoStream),
        )
        .await
        .expect("the job seeker registers");
    id.to_string()
}

async fn provider_and_course(service: &ServiceUnderTest, seats: u32) -> (String, String) {
    let counsellor = Tokens::counsellor("410105");
    let provider = service
        .http
        .post(
            "/v1/training/providers",
            Some(&counsellor),
            &provider_body(1, "410105"),
        )
        .await
        .expect(201);
    let provider_id = provider.body["id"].as_str().unwrap().to_owned();
    let course = service
        .http
        .post(
            "/v1/courses",
            Some(&counsellor),
            &course_body(&provider_id, "电焊工培训班", seats),
        )
        .await
        .expect(201);
    (provider_id, course.body["id"].as_str().unwrap().to_owned())
}

#[tokio::test]
async fn a_course_is_opened_read_publicly_and_searched() {
    let service = start().await;
    let (provider, course) = provider_and_course(&service, 2).await;
    let answer = service
        .http
        .get(&format!("/v1/courses/{course}"), None)
        .await
        .expect(200);
    assert_eq!(answer.etag(), Some("\"0\""));
    assert_eq!(answer.body["kind_zh"], "再就业培训");
    assert_eq!(answer.body["subsidy_per_trainee_fen"], 150000);
    assert_eq!(answer.body["provider_id"], provider.as_str());
    let found = service
        .http
        .get(
            "/v1/courses/search?q=%E7%84%8A%E5%B7%A5&region=410100",
            None,
        )
        .await
        .expect(200);
    assert_eq!(found.body["total"], 1);
    assert_eq!(found.body["total_is_exact"], true);
    assert_eq!(found.body["hits"][0]["id"], course.as_str());
    assert_eq!(found.body["hits"][0]["seats_free"], 2);
    service
        .http
        .get("/v1/courses/search?kind=evening", None)
        .await
        .expect_problem(400, "invalid_query");
}

#[tokio::test]
async fn bad_input_is_refused_with_every_field_and_writes_nothing() {
    let service = start().await;
    let (provider, _) = provider_and_course(&service, 2).await;
    let before = service.events(Some("course-")).await;
    let mut body = course_body(&provider, " ", 0);
    body["kind"] = json!("evening");
    body["ends_on"] = json!("2026-13-01");
    body["subsidy_per_trainee_fen"] = json!(-5);
    // A code the classification does not have.
    body["occupation"] = json!("6-18-02-99");
    let answer = service
        .http
        .post("/v1/courses", Some(&Tokens::counsellor("410105")), &body)
        .await
        .expect_problem(422, "validation_failed");
    let mut fields = answer.error_fields();
    fields.sort();
    assert_eq!(
        fields,
        [
            "ends_on",
            "kind",
            "occupation",
            "seats",
            "subsidy_per_trainee_fen",
            "title"
        ]
    );
    service
        .http
        .get("/v1/courses/search?occupation=6-99", None)
        .await
        .expect_problem(400, "invalid_query");
    let mut order_based = course_body(&provider, "订单式培训", 10);
    order_based["kind"] = json!("order_based");
    service
        .http
        .post(
            "/v1/courses",
            Some(&Tokens::counsellor("410105")),
            &order_based,
        )
        .await
        .expect_problem(422, "order_commitment");
    assert_eq!(service.events(Some("course-")).await, before);
}

#[tokio::test]
async fn roles_and_scope_are_enforced() {
    let service = start().await;
    let (_, course) = provider_and_course(&service, 2).await;
    let trainee = jobseeker(&service, 1, &[]).await;
    let path = format!("/v1/courses/{course}/enrolments");
    let body = json!({"jobseeker_id": trainee});
    service
        .http
        .post(&path, None, &body)
        .await
        .expect_problem(401, "unauthenticated");
    service
        .http
        .post(&path, Some(&Tokens::counsellor("420100")), &body)
        .await
        .expect_problem(403, "forbidden");
    service
        .http
        .get(
            &format!("/v1/courses/{course}/outcomes"),
            Some(&Tokens::counsellor("420100")),
        )
        .await
        .expect_problem(403, "forbidden");
    service
        .http
        .post(
            &format!("/v1/courses/{}/enrolments", uuid::Uuid::now_v7()),
            Some(&Tokens::counsellor("410105")),
            &body,
        )
        .await
        .expect_problem(404, "not_found");
}

#[tokio::test]
async fn an_enrolment_goes_to_completion_appraisal_and_the_waiting_list_moves_up() {
    let service = start().await;
    let (_, course) = provider_and_course(&service, 1).await;
    let counsellor = Tokens::counsellor("410105");
    let first = jobseeker(&service, 2, &[]).await;
    let second = jobseeker(&service, 3, &[]).await;
    let path = format!("/v1/courses/{course}/enrolments");
    let seated = service
        .http
        .post(&path, Some(&counsellor), &json!({"jobseeker_id": first}))
        .await
        .expect(201);
    assert_eq!(seated.body["status"], "seated");
    let seated_id = seated.body["id"].as_str().unwrap().to_owned();
    assert_eq!(
        seated.header("location"),
        Some(format!("/v1/enrolments/{seated_id}").as_str())
    );
    let waiting = service
        .http
        .post(&path, Some(&counsellor), &json!({"jobseeker_id": second}))
        .await
        .expect(201);
    assert_eq!(waiting.body["status"], "waiting");
    assert_eq!(waiting.body["waiting_position"], 1);
    let waiting_id = waiting.body["id"].as_str().unwrap().to_owned();
    service
        .http
        .post(&path, Some(&counsellor), &json!({"jobseeker_id": second}))
        .await
        .expect_problem(409, "already_enrolled");

    service
        .http
        .post(
            &format!("/v1/enrolments/{seated_id}/cancellation"),
            Some(&counsellor),
            &json!({}),
        )
        .await
        .expect(200);
    let promoted = service
        .http
        .get(&format!("/v1/enrolments/{waiting_id}"), Some(&counsellor))
        .await
        .expect(200);
    assert_eq!(promoted.body["status"], "seated");

    service
        .http
        .post(
            &format!("/v1/enrolments/{waiting_id}/appraisal"),
            Some(&counsellor),
            &json!({"level": "level_4", "passed": true, "appraised_on": "2026-05-10"}),
        )
        .await
        .expect_problem(409, "enrolment_status");
    service
        .http
        .post(
            &format!("/v1/enrolments/{waiting_id}/completion"),
            Some(&counsellor),
            &json!({"completed_on": "2026-04-30"}),
        )
        .await
        .expect(200);
    let appraised = service
        .http
        .post(
            &format!("/v1/enrolments/{waiting_id}/appraisal"),
            Some(&counsellor),
            &json!({"level": "level_4", "passed": true, "appraised_on": "2026-05-10"}),
        )
        .await
        .expect(200);
    assert_eq!(appraised.body["appraisal"]["level_zh"], "四级/中级工");
    let outcomes: Value = service
        .http
        .get(&format!("/v1/courses/{course}/outcomes"), Some(&counsellor))
        .await
        .expect(200)
        .body;
    assert_eq!(outcomes["leavers"], 1);
    assert_eq!(outcomes["suppressed"], true);
    assert_eq!(outcomes["completed"], Value::Null);
    service
        .http
        .get("/v1/enrolments/not-a-uuid", Some(&counsellor))
        .await
        .expect_problem(400, "invalid_path");
    tokio::time::sleep(Duration::from_millis(1)).await;
}

#[tokio::test]
async fn a_trainee_drops_out_once_and_the_steps_are_described() {
    let service = start().await;
    let (_, course) = provider_and_course(&service, 2).await;
    let counsellor = Tokens::counsellor("410105");
    let trainee = jobseeker(&service, 4, &[]).await;
    let enrolled = service
        .http
        .post(
            &format!("/v1/courses/{course}/enrolments"),
            Some(&counsellor),
            &json!({"jobseeker_id": trainee}),
        )
        .await
        .expect(201);
    let id = enrolled.body["id"].as_str().unwrap().to_owned();
    let path = format!("/v1/enrolments/{id}/drop-out");
    let before = service.events(Some("course-")).await;
    service
        .http
        .post(&path, Some(&counsellor), &json!({"left_on": "2026-02-30"}))
        .await
        .expect_problem(422, "validation_failed");
    service
        .http
        .post(
            &path,
            Some(&Tokens::counsellor("420100")),
            &json!({"left_on": "2026-04-01"}),
        )
        .await
        .expect_problem(403, "forbidden");
    assert_eq!(service.events(Some("course-")).await, before);
    let dropped = service
        .http
        .post(&path, Some(&counsellor), &json!({"left_on": "2026-04-01"}))
        .await
        .expect(200);
    assert_eq!(dropped.body["status"], "dropped_out");
    service
        .http
        .post(&path, Some(&counsellor), &json!({"left_on": "2026-04-02"}))
        .await
        .expect_problem(409, "enrolment_status");
    assert_eq!(service.events(Some("course-")).await, before + 1);

    let document = service.http.get("/openapi.json", None).await.expect(200);
    for path in [
        "/v1/training/providers",
        "/v1/courses",
        "/v1/courses/search",
        "/v1/courses/{id}/enrolments",
        "/v1/courses/{id}/outcomes",
        "/v1/enrolments/{id}/cancellation",
        "/v1/enrolments/{id}/completion",
        "/v1/enrolments/{id}/drop-out",
        "/v1/enrolments/{id}/appraisal",
        "/v1/training/providers/{id}/outcomes",
    ] {
        assert!(
            document.body["paths"][path].is_object(),
            "{path} is described"
        );
    }
    let drop_out = &document.body["paths"]["/v1/enrolments/{id}/drop-out"]["post"]["responses"];
    for status in ["200", "401", "403", "404", "409", "422"] {
        assert!(drop_out[status].is_object(), "drop-out answers {status}");
    }
}
