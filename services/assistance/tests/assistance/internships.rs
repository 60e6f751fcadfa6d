//! Internships (就业见习) over HTTP, with `labex-assistance` as its own
//! process against the real event store: an employer sees and lists the
//! internships at its own company only and takes no staff step; bad input
//! is a problem and writes nothing; the paths are in `/openapi.json`.

use std::path::Path;
use std::time::Duration;

use labex_domain::{EmployerId, JobSeekerId};
use labex_testkit::{Answer, ServiceUnderTest, Tokens};
use serde_json::{Value, json};

use crate::fixtures::{JINSHUI, People};

struct Service {
    service: ServiceUnderTest,
    people: People,
}

impl Service {
    async fn start() -> Self {
        let service =
            ServiceUnderTest::start(Path::new(env!("CARGO_BIN_EXE_labex-assistance"))).await;
        let people = People::new(service.store.client(), 2_000);
        Self { service, people }
    }

    async fn post(&self, path: &str, token: &str, body: &Value) -> Answer {
        self.service.http.post(path, Some(token), body).await
    }

    async fn get(&self, path: &str, token: &str) -> Answer {
        self.service.http.get(path, Some(token)).await
    }

    /// An internship of `intern` at `host`, agreed by Jinshui's counsellor:
    /// its id.
    async fn agreed(&self, intern: JobSeekerId, host: EmployerId) -> String {
        let agreed = self
            .post(
                "/v1/internships",
                &Tokens::counsellor(JINSHUI),
                &agreement(intern, host, 150_000),
            )
            .await
            .expect(201);
        agreed.body["id"].as_str().expect("an id").to_owned()
    }

    /// Polls the list at `path` with `token` until it has `count` items.
    async fn listed(&self, path: &str, token: &str, count: usize) -> Vec<Value> {
        let mut last = Value::Null;
        for _ in 0..200 {
            let answer = self.get(path, token).await;
            if answer.status.as_u16() == 200
                && answer.body["items"].as_array().map(Vec::len) == Some(count)
            {
                return answer.body["items"].as_array().cloned().unwrap_or_default();
            }
            last = answer.body;
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("{path} never listed {count} items; last answer: {last}");
    }
}

fn agreement(intern: JobSeekerId, host: EmployerId, monthly_subsidy_fen: u64) -> Value {
    json!({"jobseeker_id": intern, "employer_id": host, "months": 6,
           "monthly_subsidy_fen": monthly_subsidy_fen, "tutor": "王建国"})
}

#[tokio::test]
async fn an_employer_sees_and_lists_the_internships_at_its_own_company_only() {
    let service = Service::start().await;
    let own = service.people.employer(JINSHUI).await;
    let other = service.people.employer(JINSHUI).await;
    let mine = service
        .agreed(service.people.graduate(JINSHUI).await, own)
        .await;
    let theirs = service
        .agreed(service.people.graduate(JINSHUI).await, other)
        .await;
    let counsellor = Tokens::counsellor(JINSHUI);
    let employer = Tokens::employer(own, JINSHUI);

    // Staff list both; the employer lists its own only, even asked for all.
    service.listed("/v1/internships", &counsellor, 2).await;
    let listed = service.listed("/v1/internships", &employer, 1).await;
    assert_eq!(listed[0]["id"], mine.as_str());
    assert_eq!(listed[0]["employer_id"], own.to_string());
    let listed = service
        .listed(&format!("/v1/internships?employer={own}"), &employer, 1)
        .await;
    assert_eq!(listed[0]["id"], mine.as_str());

    // Its own internship reads; another host's is forbidden.
    let read = service
        .get(&format!("/v1/internships/{mine}"), &employer)
        .await
        .expect(200);
    assert_eq!(read.body["employer_id"], own.to_string());
    service
        .get(&format!("/v1/internships/{theirs}"), &employer)
        .await
        .expect_problem(403, "forbidden");
    service
        .get(&format!("/v1/internships?employer={other}"), &employer)
        .await
        .expect_problem(403, "forbidden");

    // Its own figures, not another host's.
    let rates = service
        .get(&format!("/v1/internships/hosts/{own}"), &employer)
        .await
        .expect(200);
    assert_eq!(rates.body["interns"], 1, "{}", rates.text);
    service
        .get(&format!("/v1/internships/hosts/{other}"), &employer)
        .await
        .expect_problem(403, "forbidden");
}

#[tokio::test]
async fn an_employer_is_refused_every_staff_step_and_nothing_is_written() {
    let service = Service::start().await;
    let own = service.people.employer(JINSHUI).await;
    let intern = service.people.graduate(JINSHUI).await;
    let internship = service.agreed(intern, own).await;
    let employer = Tokens::employer(own, JINSHUI);
    let before = service.service.events(None).await;

    service
        .post(
            "/v1/internships",
            &employer,
            &agreement(service.people.graduate(JINSHUI).await, own, 150_000),
        )
        .await
        .expect_problem(403, "forbidden");
    let after_agreement = service.service.events(None).await;
    let today = labex_testkit::china_today();
    let steps = [
        ("start", json!({"on": today})),
        (
            "attendance",
            json!({"month": &today[..7], "days_attended": 20, "working_days": 22}),
        ),
        ("end", json!({"reason": "个人原因", "on": today})),
        ("completion", json!({"on": today})),
    ];
    for (step, body) in steps {
        service
            .post(
                &format!("/v1/internships/{internship}/{step}"),
                &employer,
                &body,
            )
            .await
            .expect_problem(403, "forbidden");
    }
    // Only the graduate registered for the refused agreement was written.
    assert_eq!(after_agreement, before + 1);
    assert_eq!(service.service.events(None).await, after_agreement);
    let read = service
        .get(&format!("/v1/internships/{internship}"), &employer)
        .await
        .expect(200);
    assert_eq!(read.body["status"], "agreed");
    assert_eq!(read.body["revision"], 0);
}

#[tokio::test]
async fn bad_internship_input_is_a_problem_and_writes_nothing() {
    let service = Service::start().await;
    let host = service.people.employer(JINSHUI).await;
    let intern = service.people.graduate(JINSHUI).await;
    let counsellor = Tokens::counsellor(JINSHUI);
    let before = service.service.events(None).await;

    let zero = service
        .post("/v1/internships", &counsellor, &agreement(intern, host, 0))
        .await
        .expect_problem(422, "subsidy_not_positive");
    assert_eq!(zero.body["errors"][0]["field"], "monthly_subsidy_fen");
    let months = service
        .post(
            "/v1/internships",
            &counsellor,
            &json!({"jobseeker_id": intern, "employer_id": host, "months": 30,
                    "monthly_subsidy_fen": 150_000, "tutor": "王建国"}),
        )
        .await
        .expect_problem(422, "months_out_of_range");
    assert_eq!(months.body["errors"][0]["field"], "months");
    let fields = service
        .post(
            "/v1/internships",
            &counsellor,
            &json!({"jobseeker_id": "someone", "employer_id": "somewhere", "months": 6,
                    "monthly_subsidy_fen": 150_000, "tutor": ""}),
        )
        .await
        .expect_problem(422, "validation_failed");
    let named: Vec<&str> = fields.body["errors"]
        .as_array()
        .expect("the fields")
        .iter()
        .filter_map(|error| error["field"].as_str())
        .collect();
    assert_eq!(named, ["jobseeker_id", "employer_id", "tutor"]);
    assert_eq!(service.service.events(None).await, before);

    // A step's bad input writes nothing either.
    let internship = service.agreed(intern, host).await;
    let agreed = service.service.events(None).await;
    service
        .post(
            &format!("/v1/internships/{internship}/start"),
            &counsellor,
            &json!({"on": "2026-13-01"}),
        )
        .await
        .expect_problem(422, "validation_failed");
    let begun = service
        .post(
            &format!("/v1/internships/{internship}/start"),
            &counsellor,
            &json!({"on": "2026-07-01"}),
        )
        .await
        .expect(200);
    assert_eq!(begun.body["last_day"], "2026-12-31");
    let started = service.service.events(None).await;
    assert_eq!(started, agreed + 1);
    service
        .post(
            &format!("/v1/internships/{internship}/completion"),
            &counsellor,
            &json!({"on": "2026-12-30"}),
        )
        .await
        .expect_problem(422, "internship_completed_too_early");
    service
        .post(
            &format!("/v1/internships/{internship}/attendance"),
            &counsellor,
            &json!({"month": "2027-01", "days_attended": 20, "working_days": 22}),
        )
        .await
        .expect_problem(422, "month_outside_internship");
    assert_eq!(service.service.events(None).await, started);
}

#[tokio::test]
async fn the_assistance_paths_are_in_the_openapi_document() {
    let service = Service::start().await;
    let document = service
        .service
        .http
        .get("/openapi.json", None)
        .await
        .expect(200);
    let paths = document.body["paths"].as_object().expect("the paths");
    for path in [
        "/v1/households",
        "/v1/households/{id}",
        "/v1/households/{id}/verification",
        "/v1/households/{id}/exit",
        "/v1/households/{id}/plan",
        "/v1/households/{id}/contacts",
        "/v1/households/counts",
        "/v1/assistance/overdue",
        "/v1/welfare-placements",
        "/v1/welfare-placements/{id}",
        "/v1/welfare-placements/{id}/exit",
        "/v1/internships",
        "/v1/internships/{id}",
        "/v1/internships/{id}/{step}",
        "/v1/internships/hosts/{employer_id}",
    ] {
        assert!(paths.contains_key(path), "{path} is not in /openapi.json");
    }
    let tags = document.body["tags"].to_string();
    for term in ["零就业家庭", "公益性岗位", "就业见习"] {
        assert!(tags.contains(term), "no tag names {term}: {tags}");
    }
}

#[tokio::test]
async fn the_internships_and_a_hosts_figures_as_of_a_past_moment() {
    let service = Service::start().await;
    let host = service.people.employer(JINSHUI).await;
    let intern = service.people.graduate(JINSHUI).await;
    let counsellor = Tokens::counsellor(JINSHUI);
    let before_agreement = labex_domain::rfc3339_millis(chrono::Utc::now());
    tokio::time::sleep(Duration::from_millis(5)).await;
    let internship = service.agreed(intern, host).await;
    service.listed("/v1/internships", &counsellor, 1).await;
    tokio::time::sleep(Duration::from_millis(5)).await;
    let before_start = labex_domain::rfc3339_millis(chrono::Utc::now());
    tokio::time::sleep(Duration::from_millis(5)).await;
    service
        .post(
            &format!("/v1/internships/{internship}/start"),
            &counsellor,
            &json!({"on": "2026-07-01"}),
        )
        .await
        .expect(200);
    service
        .post(
            &format!("/v1/internships/{internship}/end"),
            &counsellor,
            &json!({"on": "2026-08-01", "reason": "考取研究生"}),
        )
        .await
        .expect(200);
    let rates_now = format!("/v1/internships/hosts/{host}");
    let mut ended = Value::Null;
    for _ in 0..200 {
        ended = service.get(&rates_now, &counsellor).await.expect(200).body;
        if ended["ended_early"] == 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(ended["ended_early"], 1, "{ended}");
    assert_eq!(ended["completion_rate"], 0.0, "{ended}");

    let query = |moment: &str| moment.replace('+', "%2B");
    let then = service
        .get(
            &format!("/v1/internships?as_of={}", query(&before_start)),
            &counsellor,
        )
        .await
        .expect(200);
    let items = then.body["items"].as_array().expect("items");
    assert_eq!(items.len(), 1, "{}", then.text);
    assert_eq!(items[0]["id"], internship.as_str());
    assert_eq!(items[0]["status"], "agreed");
    assert!(items[0]["started_on"].is_null());
    let before = service
        .get(
            &format!("/v1/internships?as_of={}", query(&before_agreement)),
            &counsellor,
        )
        .await
        .expect(200);
    assert_eq!(before.body["items"], json!([]));

    let rates_then = service
        .get(
            &format!("{rates_now}?as_of={}", query(&before_start)),
            &counsellor,
        )
        .await
        .expect(200);
    assert_eq!(rates_then.body["interns"], 1, "{}", rates_then.text);
    assert_eq!(rates_then.body["ended_early"], 0);
    assert!(rates_then.body["completion_rate"].is_null());
    // A moment that is none is a bad request.
    service
        .get("/v1/internships?as_of=yesterday", &counsellor)
        .await
        .expect(400);
}
