//! What the HTTP surface answers: status codes, headers (`ETag`,
//! `Location`), problem bodies, the calendar as iCalendar, the live feed,
//! with `labex-fairs` as its own process against the real event store.

use std::path::Path;
use std::time::Duration as StdDuration;

use chrono::Duration;
use labex_eventsourcing::Repository;
use labex_testkit::{ServiceUnderTest, Tokens};
use labex_web::Role;
use reqwest::Method;
use serde_json::json;

use crate::fixtures::{Records, fair_body};

async fn start() -> (ServiceUnderTest, Records) {
    let service = ServiceUnderTest::start(Path::new(env!("CARGO_BIN_EXE_labex-fairs"))).await;
    let records = Records {
        repository: Repository::new(service.store.client().clone()),
        seed: u64::from(uuid::Uuid::now_v7().as_fields().1) * 1000 + 500,
    };
    (service, records)
}

fn organiser() -> String {
    Tokens::issue(Role::Organiser, "410100", None)
}

#[tokio::test]
async fn a_scheduled_fair_answers_201_with_its_location_and_etag_and_its_page_is_public() {
    let (service, _) = start().await;
    let created = service
        .http
        .post(
            "/v1/fairs",
            Some(&organiser()),
            &fair_body(300, Duration::days(2)),
        )
        .await
        .expect(201);
    let id = created.body["id"].as_str().expect("an id").to_owned();
    assert_eq!(
        created.header("location"),
        Some(format!("/v1/fairs/{id}").as_str())
    );
    assert_eq!(created.etag(), Some("\"0\""));
    assert_eq!(created.body["status"], "scheduled");
    assert_eq!(created.body["kind"], "onsite");
    assert_eq!(created.body["counts"]["places_left"], 300);
    let page = service
        .http
        .get(&format!("/v1/fairs/{id}"), None)
        .await
        .expect(200);
    assert_eq!(page.body["title"], "2026届高校毕业生春季专场招聘会");
    assert_eq!(page.body["campaign"], "高校毕业生就业服务月");
    service
        .http
        .get("/v1/fairs/not-a-fair", None)
        .await
        .expect_problem(400, "invalid_path");
    service
        .http
        .get(&format!("/v1/fairs/{}", uuid::Uuid::now_v7()), None)
        .await
        .expect_problem(404, "not_found");
}

#[tokio::test]
async fn bad_input_and_callers_without_the_right_are_refused_and_change_nothing() {
    let (service, _) = start().await;
    let body = fair_body(300, Duration::days(2));
    service
        .http
        .post("/v1/fairs", None, &body)
        .await
        .expect_problem(401, "unauthenticated");
    service
        .http
        .post(
            "/v1/fairs",
            Some(&Tokens::issue(Role::Jobseeker, "410105", None)),
            &body,
        )
        .await
        .expect_problem(403, "forbidden");
    service
        .http
        .post(
            "/v1/fairs",
            Some(&Tokens::issue(Role::Organiser, "420100", None)),
            &body,
        )
        .await
        .expect_problem(403, "forbidden");
    let mut bad = body.clone();
    bad["kind"] = json!("hybrid");
    bad["capacity"] = json!(0);
    bad["link"] = json!("ftp://fairs.example.cn");
    bad["audience"] = json!(["students"]);
    let refused = service
        .http
        .post("/v1/fairs", Some(&organiser()), &bad)
        .await
        .expect_problem(422, "validation_failed");
    assert_eq!(
        refused.error_fields(),
        ["kind", "audience[0]", "link", "capacity"]
    );
    let mut online_without_link = body.clone();
    online_without_link["kind"] = json!("online");
    online_without_link["venue"] = json!(null);
    service
        .http
        .post("/v1/fairs", Some(&organiser()), &online_without_link)
        .await
        .expect_problem(422, "fair_link_required");
    assert_eq!(service.events(Some("fair-")).await, 0);
}

#[tokio::test]
async fn the_calendar_answers_icalendar_with_crlf_lines_folded_and_escaped() {
    let (service, _) = start().await;
    let mut body = fair_body(300, Duration::days(2));
    body["venue"] = json!("郑州市人力资源市场, 三楼大厅; 东门入场");
    let created = service
        .http
        .post("/v1/fairs", Some(&organiser()), &body)
        .await
        .expect(201);
    let id = created.body["id"].as_str().expect("an id").to_owned();
    let mut calendar = None;
    for _ in 0..100 {
        let answer = service
            .http
            .send(
                Method::GET,
                "/v1/fairs?region=410100",
                None,
                None,
                &[("accept", "text/calendar")],
            )
            .await
            .expect(200);
        if answer.text.contains("BEGIN:VEVENT") {
            calendar = Some(answer);
            break;
        }
        tokio::time::sleep(StdDuration::from_millis(50)).await;
    }
    let calendar = calendar.expect("the fair reaches the calendar");
    assert!(
        calendar
            .header("content-type")
            .is_some_and(|t| t.starts_with("text/calendar"))
    );
    let text = &calendar.text;
    assert!(text.starts_with("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"));
    assert!(text.ends_with("END:VCALENDAR\r\n"));
    assert!(
        !text.replace("\r\n", "").contains('\n'),
        "every line ends in CRLF"
    );
    for line in text.split("\r\n") {
        assert!(line.len() <= 75, "a line of {} octets", line.len());
    }
    let unfolded = text.replace("\r\n ", "");
    assert!(unfolded.contains(&format!("UID:fair-{id}@labex\r\n")));
    assert!(unfolded.contains("DTSTAMP:"));
    assert!(unfolded.contains("LOCATION:郑州市人力资源市场\\, 三楼大厅\\; 东门入场\r\n"));
    assert!(unfolded.contains("STATUS:CONFIRMED\r\n"));
    let json = service
        .http
        .get("/v1/fairs?audience=graduate", None)
        .await
        .expect(200);
    assert_eq!(json.body["items"][0]["id"], id.as_str());
    service
        .http
        .get("/v1/fairs?audience=students", None)
        .await
        .expect_problem(400, "invalid_query");
}

#[tokio::test]
async fn a_fair_takes_exhibitors_and_visitors_up_to_its_capacity() {
    let (service, records) = start().await;
    let created = service
        .http
        .post(
            "/v1/fairs",
            Some(&organiser()),
            &fair_body(1, Duration::days(2)),
        )
        .await
        .expect(201);
    let fair = created.body["id"].as_str().expect("an id").to_owned();
    let employer = records.employer(1).await;
    let vacancy = records.vacancy(employer, "设备维修电工").await;
    let own = Tokens::employer(employer, "410105");
    let exhibiting = service
        .http
        .post(
            &format!("/v1/fairs/{fair}/exhibitors"),
            Some(&own),
            &json!({"employer_id": employer.to_string(), "vacancy_ids": [vacancy.to_string()]}),
        )
        .await
        .expect(200);
    assert_eq!(exhibiting.body["counts"]["vacancies"], 1);
    assert_eq!(exhibiting.etag(), Some("\"1\""));
    let first = records.jobseeker(1).await;
    let second = records.jobseeker(2).await;
    let register = |who: String| {
        let http = &service.http;
        let fair = fair.clone();
        async move {
            http.post(
                &format!("/v1/fairs/{fair}/registrations"),
                Some(&organiser()),
                &json!({"jobseeker_id": who}),
            )
            .await
            .expect(201)
        }
    };
    assert_eq!(register(first.to_string()).await.body["place"], "confirmed");
    let waiting = register(second.to_string()).await;
    assert_eq!(waiting.body["place"], "waiting");
    assert_eq!(waiting.body["waiting_position"], 1);
    let own_token = Tokens::issue(Role::Jobseeker, "410105", None);
    service
        .http
        .get(
            &format!("/v1/fairs/{fair}/registrations/{second}"),
            Some(&own_token),
        )
        .await
        .expect_problem(403, "forbidden");
    service
        .http
        .send(
            Method::DELETE,
            &format!("/v1/fairs/{fair}/registrations/{first}"),
            Some(&organiser()),
            None,
            &[],
        )
        .await
        .expect(200);
    let promoted = service
        .http
        .get(
            &format!("/v1/fairs/{fair}/registrations/{second}"),
            Some(&organiser()),
        )
        .await
        .expect(200);
    assert_eq!(promoted.body["place"], "confirmed");
    // The door of a fair two days away is not open yet.
    service
        .http
        .post(
            &format!("/v1/fairs/{fair}/attendance"),
            Some(&organiser()),
            &json!({"jobseeker_id": second.to_string()}),
        )
        .await
        .expect_problem(409, "fair_check_in_closed");
    // The exhibitor leaves before the start.
    let left = service
        .http
        .send(
            Method::DELETE,
            &format!("/v1/fairs/{fair}/exhibitors/{employer}"),
            Some(&own),
            None,
            &[],
        )
        .await
        .expect(200);
    assert_eq!(left.body["counts"]["exhibitors"], 0);
}

#[tokio::test]
async fn an_online_fair_feeds_its_vacancies_as_server_sent_events() {
    let (service, records) = start().await;
    let mut body = fair_body(1000, Duration::days(2));
    body["kind"] = json!("online");
    body["venue"] = json!(null);
    body["link"] = json!("https://jobs.example.cn/fairs/spring");
    let created = service
        .http
        .post("/v1/fairs", Some(&organiser()), &body)
        .await
        .expect(201);
    let fair = created.body["id"].as_str().expect("an id").to_owned();
    let employer = records.employer(1).await;
    let first = records.vacancy(employer, "设备维修电工").await;
    service
        .http
        .post(
            &format!("/v1/fairs/{fair}/exhibitors"),
            Some(&organiser()),
            &json!({"employer_id": employer.to_string(), "vacancy_ids": [first.to_string()]}),
        )
        .await
        .expect(200);
    let client = reqwest::Client::new();
    let mut response = client
        .get(format!(
            "{}/v1/fairs/{fair}/feed",
            service.process().base_url()
        ))
        .header("accept", "text/event-stream")
        .send()
        .await
        .expect("the feed answers");
    assert_eq!(response.status(), 200);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/event-stream")
    );
    let mut seen = String::new();
    let opening = format!("\"id\":\"{first}\"");
    while !seen.contains(&opening) {
        let chunk = tokio::time::timeout(StdDuration::from_secs(10), response.chunk())
            .await
            .expect("the opening list comes")
            .expect("a chunk")
            .expect("the stream goes on");
        seen.push_str(&String::from_utf8_lossy(&chunk));
    }
    assert!(seen.contains("event: vacancy\n"));
    // A vacancy brought later arrives live, with its position as id.
    let second = records.vacancy(employer, "数控车床操作工").await;
    service
        .http
        .post(
            &format!("/v1/fairs/{fair}/exhibitors"),
            Some(&organiser()),
            &json!({"employer_id": employer.to_string(), "vacancy_ids": [second.to_string()]}),
        )
        .await
        .expect(200);
    let live = format!("\"id\":\"{second}\"");
    while !seen.contains(&live) {
        let chunk = tokio::time::timeout(StdDuration::from_secs(10), response.chunk())
            .await
            .expect("the new vacancy comes")
            .expect("a chunk")
            .expect("the stream goes on");
        seen.push_str(&String::from_utf8_lossy(&chunk));
    }
    let event = seen
        .split("\n\n")
        .find(|event| event.contains(&live))
        .expect("the event");
    assert!(event.starts_with("id: "), "{event}");
    service
        .http
        .send(
            Method::GET,
            &format!("/v1/fairs/{fair}/feed"),
            None,
            None,
            &[("last-event-id", "later")],
        )
        .await
        .expect_problem(400, "invalid_query");
}
