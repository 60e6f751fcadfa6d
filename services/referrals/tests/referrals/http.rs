//! Referrals as their own process (`labex-referrals`) against the real
//! event store, spoken to over HTTP: status codes, headers, problem
//! bodies, roles and scope, and bad input changing nothing. The job
//! seekers, employers and vacancies referred to are written straight
//! through the repository.

use std::collections::HashSet;
use std::path::Path;
use std::time::Duration;

use labex_domain::jobseeker::{JobSeeker, JobSeekerStatus};
use labex_domain::vacancy::{Vacancy, VacancyStatus};
use labex_domain::{EmployerId, JobSeekerId, VacancyId};
use labex_testkit::{Answer, ServiceUnderTest, Tokens, china_today as today};
use reqwest::Method;
use serde_json::{Value, json};

use crate::fixtures::{JINSHUI, Records};

struct Referrals {
    service: ServiceUnderTest,
    records: Records,
}

impl std::ops::Deref for Referrals {
    type Target = ServiceUnderTest;

    fn deref(&self) -> &ServiceUnderTest {
        &self.service
    }
}

impl Referrals {
    async fn start() -> Self {
        let service =
            ServiceUnderTest::start(Path::new(env!("CARGO_BIN_EXE_labex-referrals"))).await;
        let records = Records::new(service.store.client());
        Self { service, records }
    }

    /// Events of referral streams.
    async fn referral_events(&self) -> usize {
        self.service.events(Some("referral-")).await
    }

    async fn jobseeker(&self, office: &str) -> JobSeekerId {
        self.records.jobseeker(office).await
    }

    async fn employer(&self) -> EmployerId {
        self.records.employer().await
    }

    async fn vacancy(&self, employer: EmployerId, headcount: u32) -> VacancyId {
        self.records.vacancy(employer, headcount).await
    }

    async fn close(&self, vacancy: VacancyId) {
        self.records.close(vacancy).await;
    }

    /// The referrals of one job seeker to one vacancy, as listed.
    async fn of_pair(&self, token: &str, jobseeker: JobSeekerId, vacancy: VacancyId) -> Answer {
        self.http
            .get(
                &format!("/v1/referrals?jobseeker={jobseeker}&vacancy={vacancy}"),
                Some(token),
            )
            .await
            .expect(200)
    }

    async fn refer(&self, token: &str, jobseeker: JobSeekerId, vacancy: VacancyId) -> Answer {
        self.http
            .post("/v1/referrals", Some(token), &referral(jobseeker, vacancy))
            .await
    }

    async fn outcome(
        &self,
        token: &str,
        referral: &str,
        outcome: &str,
        headers: &[(&str, &str)],
    ) -> Answer {
        self.http
            .send(
                Method::POST,
                &format!("/v1/referrals/{referral}/outcome"),
                Some(token),
                Some(&json!({"outcome": outcome, "date": today(), "note": "已确认"})),
                headers,
            )
            .await
    }

    /// Polls the repository until `check` holds of the job seeker and the
    /// vacancy, for at most ten seconds.
    async fn until_placed(
        &self,
        jobseeker: JobSeekerId,
        vacancy: VacancyId,
        check: impl Fn(&JobSeeker, &Vacancy) -> bool,
    ) -> (JobSeeker, Vacancy) {
        for _ in 0..200 {
            let (person, _) = self
                .records
                .repository()
                .get::<JobSeeker>(jobseeker)
                .await
                .expect("the job seeker");
            let (post, _) = self
                .records
                .repository()
                .get::<Vacancy>(vacancy)
                .await
                .expect("the vacancy");
            if check(&person, &post) {
                return (person, post);
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("the placement never showed on job seeker {jobseeker} and vacancy {vacancy}");
    }
}

fn referral(jobseeker: JobSeekerId, vacancy: VacancyId) -> Value {
    json!({
        "jobseeker_id": jobseeker.to_string(),
        "vacancy_id": vacancy.to_string(),
        "note": "已电话确认面试时间"
    })
}

fn id_of(answer: &Answer) -> String {
    answer.body["id"].as_str().expect("an id").to_owned()
}

#[tokio::test]
async fn a_referral_is_made_and_reads_back_now_and_as_of() {
    let referrals = Referrals::start().await;
    let token = Tokens::counsellor("410100");
    let jobseeker = referrals.jobseeker(JINSHUI).await;
    let employer = referrals.employer().await;
    let vacancy = referrals.vacancy(employer, 1).await;

    let made = referrals
        .refer(&token, jobseeker, vacancy)
        .await
        .expect(201);
    let id = id_of(&made);
    assert_eq!(made.etag(), Some("\"0\""));
    assert_eq!(
        made.header("location"),
        Some(format!("/v1/referrals/{id}").as_str())
    );
    assert_eq!(made.body["jobseeker_id"], jobseeker.to_string());
    assert_eq!(made.body["vacancy_id"], vacancy.to_string());
    assert_eq!(made.body["employer_id"], employer.to_string());
    assert_eq!(made.body["note"], "已电话确认面试时间");
    assert_eq!(made.body["status"], "open");
    assert_eq!(made.body["outcome"], Value::Null);
    assert_eq!(made.body["revision"], 0);
    assert!(
        chrono::DateTime::parse_from_rfc3339(made.body["referred_at"].as_str().unwrap()).is_ok()
    );

    let read = referrals
        .http
        .get(&format!("/v1/referrals/{id}"), Some(&token))
        .await
        .expect(200);
    assert_eq!(read.body, made.body);
    assert_eq!(read.etag(), Some("\"0\""));
    let listed = referrals
        .http
        .get("/v1/referrals", Some(&token))
        .await
        .expect(200);
    assert_eq!(listed.body["items"], json!([made.body]));
    assert_eq!(listed.body["next_cursor"], Value::Null);

    referrals
        .http
        .get(
            &format!("/v1/referrals/{id}?as_of=2020-01-01T00:00:00Z"),
            Some(&token),
        )
        .await
        .expect_problem(404, "not_found");
    referrals
        .http
        .get(&format!("/v1/referrals/{id}?as_of=yesterday"), Some(&token))
        .await
        .expect_problem(400, "invalid_query");
    referrals
        .http
        .get("/v1/referrals/not-a-uuid", Some(&token))
        .await
        .expect_problem(400, "invalid_path");
    referrals
        .http
        .get(
            &format!("/v1/referrals/{}", VacancyId::generate()),
            Some(&token),
        )
        .await
        .expect_problem(404, "not_found");
    referrals
        .http
        .post("/v1/referrals", None, &referral(jobseeker, vacancy))
        .await
        .expect_problem(401, "unauthenticated");
    referrals.http.get("/readyz", None).await.expect(200);
}

#[tokio::test]
async fn a_second_open_referral_of_a_pair_is_refused_also_when_requests_race() {
    let referrals = Referrals::start().await;
    let token = Tokens::counsellor(JINSHUI);
    let jobseeker = referrals.jobseeker(JINSHUI).await;
    let employer = referrals.employer().await;
    let vacancy = referrals.vacancy(employer, 3).await;

    let first = referrals
        .refer(&token, jobseeker, vacancy)
        .await
        .expect(201);
    let second = referrals
        .refer(&token, jobseeker, vacancy)
        .await
        .expect_problem(409, "duplicate_open_referral");
    assert!(
        second.body["detail"]
            .as_str()
            .unwrap()
            .contains(&id_of(&first)),
        "the detail names the open referral: {}",
        second.text
    );
    // The same job seeker may be referred to another vacancy.
    let other = referrals.vacancy(employer, 1).await;
    referrals.refer(&token, jobseeker, other).await.expect(201);
    assert_eq!(referrals.referral_events().await, 2);

    // Eight requests for a fresh pair at once: exactly one wins.
    let racer = referrals.jobseeker(JINSHUI).await;
    let attempts = (0..8).map(|_| referrals.refer(&token, racer, vacancy));
    let answers = futures::future::join_all(attempts).await;
    let statuses: Vec<u16> = answers
        .iter()
        .map(|answer| answer.status.as_u16())
        .collect();
    assert_eq!(
        statuses.iter().filter(|status| **status == 201).count(),
        1,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|status| **status == 409).count(),
        7,
        "{statuses:?}"
    );
    assert_eq!(referrals.referral_events().await, 3);

    // Once the referral has ended, the pair may be referred again.
    let open = referrals.of_pair(&token, jobseeker, vacancy).await;
    let open_id = open.body["items"][0]["id"].as_str().unwrap().to_owned();
    referrals
        .outcome(&token, &open_id, "no_show", &[])
        .await
        .expect(200);
    referrals
        .refer(&token, jobseeker, vacancy)
        .await
        .expect(201);
}

#[tokio::test]
async fn two_processes_racing_for_one_pair_make_one_referral() {
    let referrals = Referrals::start().await;
    let (_second, second_http, _data) = referrals.another();
    let token = Tokens::counsellor(JINSHUI);
    let employer = referrals.employer().await;
    let vacancy = referrals.vacancy(employer, 3).await;
    for round in 0..3 {
        let jobseeker = referrals.jobseeker(JINSHUI).await;
        let body = referral(jobseeker, vacancy);
        let attempts = (0..8).map(|n| {
            let http = if n % 2 == 0 {
                &referrals.http
            } else {
                &second_http
            };
            http.try_post("/v1/referrals", Some(&token), &body)
        });
        let answers = futures::future::join_all(attempts).await;
        let statuses: Vec<u16> = answers
            .iter()
            .map(|answer| answer.as_ref().expect("an answer").status.as_u16())
            .collect();
        assert_eq!(
            statuses.iter().filter(|status| **status == 201).count(),
            1,
            "round {round}: {statuses:?}"
        );
        assert!(
            statuses
                .iter()
                .all(|status| *status == 201 || *status == 409),
            "round {round}: {statuses:?}"
        );
        let listed = referrals.of_pair(&token, jobseeker, vacancy).await;
        assert_eq!(listed.body["items"].as_array().unwrap().len(), 1);
    }
    assert_eq!(referrals.referral_events().await, 3);
}

#[tokio::test]
async fn referrals_to_closed_vacancies_or_of_unknown_people_are_refused_and_write_nothing() {
    let referrals = Referrals::start().await;
    let token = Tokens::counsellor(JINSHUI);
    let jobseeker = referrals.jobseeker(JINSHUI).await;
    let employer = referrals.employer().await;
    let vacancy = referrals.vacancy(employer, 1).await;
    referrals.close(vacancy).await;

    let closed = referrals
        .refer(&token, jobseeker, vacancy)
        .await
        .expect_problem(409, "vacancy_not_open");
    assert!(closed.body["detail"].as_str().unwrap().contains("closed"));

    let open = referrals.vacancy(employer, 1).await;
    let unknown = referrals
        .refer(&token, JobSeekerId::generate(), open)
        .await
        .expect_problem(422, "validation_failed");
    assert_eq!(unknown.error_fields(), ["jobseeker_id"]);
    let both = referrals
        .refer(&token, JobSeekerId::generate(), VacancyId::generate())
        .await
        .expect_problem(422, "validation_failed");
    assert_eq!(both.error_fields(), ["jobseeker_id", "vacancy_id"]);
    let malformed = referrals
        .http
        .post(
            "/v1/referrals",
            Some(&token),
            &json!({"jobseeker_id": "42", "vacancy_id": open.to_string(), "note": "\u{7}"}),
        )
        .await
        .expect_problem(422, "validation_failed");
    assert_eq!(malformed.error_fields(), ["jobseeker_id", "note"]);
    referrals
        .http
        .post(
            "/v1/referrals",
            Some(&token),
            &json!({"jobseeker_id": jobseeker.to_string(), "vacancy_id": open.to_string(), "extra": 1}),
        )
        .await
        .expect_problem(422, "invalid_body");
    assert_eq!(referrals.referral_events().await, 0);
}

#[tokio::test]
async fn offices_see_their_scope_and_employers_only_the_referrals_to_them() {
    let referrals = Referrals::start().await;
    let counsellor = Tokens::counsellor(JINSHUI);
    let jobseeker = referrals.jobseeker(JINSHUI).await;
    let mine = referrals.employer().await;
    let theirs = referrals.employer().await;
    let my_vacancy = referrals.vacancy(mine, 2).await;
    let their_vacancy = referrals.vacancy(theirs, 2).await;

    // A counsellor of another city may not refer a Jinshui job seeker.
    let elsewhere = Tokens::counsellor("420100");
    referrals
        .refer(&elsewhere, jobseeker, my_vacancy)
        .await
        .expect_problem(403, "forbidden");
    referrals
        .refer(&Tokens::employer(mine, JINSHUI), jobseeker, my_vacancy)
        .await
        .expect_problem(403, "forbidden");
    assert_eq!(referrals.referral_events().await, 0);

    let to_me = id_of(
        &referrals
            .refer(&counsellor, jobseeker, my_vacancy)
            .await
            .expect(201),
    );
    let to_them = id_of(
        &referrals
            .refer(&Tokens::province(), jobseeker, their_vacancy)
            .await
            .expect(201),
    );

    referrals
        .http
        .get(&format!("/v1/referrals/{to_me}"), Some(&elsewhere))
        .await
        .expect_problem(403, "forbidden");
    let listed = referrals
        .http
        .get("/v1/referrals", Some(&elsewhere))
        .await
        .expect(200);
    assert_eq!(listed.body["items"], json!([]));

    let employer = Tokens::employer(mine, JINSHUI);
    referrals
        .http
        .get(&format!("/v1/referrals/{to_me}"), Some(&employer))
        .await
        .expect(200);
    referrals
        .http
        .get(&format!("/v1/referrals/{to_them}"), Some(&employer))
        .await
        .expect_problem(403, "forbidden");
    referrals
        .outcome(&employer, &to_them, "rejected", &[])
        .await
        .expect_problem(403, "forbidden");
    let own = referrals
        .http
        .get("/v1/referrals", Some(&employer))
        .await
        .expect(200);
    let ids: Vec<&str> = own.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| item["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [to_me.as_str()]);
    // Asking for another employer's vacancy shows nothing of it.
    let filtered = referrals
        .http
        .get(
            &format!("/v1/referrals?vacancy={their_vacancy}"),
            Some(&employer),
        )
        .await
        .expect(200);
    assert_eq!(filtered.body["items"], json!([]));

    let seeker = Tokens::issue(labex_web::Role::Jobseeker, JINSHUI, None);
    referrals
        .http
        .get("/v1/referrals", Some(&seeker))
        .await
        .expect_problem(403, "forbidden");
    referrals
        .http
        .get(&format!("/v1/referrals/{to_me}"), Some(&seeker))
        .await
        .expect_problem(403, "forbidden");
    // The province sees both.
    let all = referrals
        .http
        .get("/v1/referrals", Some(&Tokens::province()))
        .await
        .expect(200);
    assert_eq!(all.body["items"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn hires_employ_the_job_seeker_and_fill_the_vacancy_at_zero() {
    let referrals = Referrals::start().await;
    let token = Tokens::counsellor(JINSHUI);
    let employer = referrals.employer().await;
    let vacancy = referrals.vacancy(employer, 2).await;
    let first = referrals.jobseeker(JINSHUI).await;
    let second = referrals.jobseeker(JINSHUI).await;
    let third = referrals.jobseeker(JINSHUI).await;
    let first_referral = id_of(&referrals.refer(&token, first, vacancy).await.expect(201));
    let second_referral = id_of(&referrals.refer(&token, second, vacancy).await.expect(201));

    let hired = referrals
        .outcome(&token, &first_referral, "hired", &[])
        .await
        .expect(200);
    assert_eq!(hired.etag(), Some("\"1\""));
    assert_eq!(hired.body["status"], "concluded");
    assert_eq!(
        hired.body["outcome"],
        json!({"outcome": "hired", "date": today(), "note": "已确认"})
    );
    let (person, post) = referrals
        .until_placed(first, vacancy, |person, post| {
            person.status == JobSeekerStatus::Employed && post.open_headcount == 1
        })
        .await;
    let employment = person.employment.expect("employed");
    assert_eq!(employment.vacancy_id, Some(vacancy));
    assert_eq!(post.status, VacancyStatus::Open);

    // A second outcome is refused, and nothing more is written.
    let before = referrals.referral_events().await;
    referrals
        .outcome(&token, &first_referral, "withdrawn", &[])
        .await
        .expect_problem(409, "referral_already_concluded");
    assert_eq!(referrals.referral_events().await, before);

    referrals
        .outcome(&token, &second_referral, "hired", &[])
        .await
        .expect(200);
    let (_, post) = referrals
        .until_placed(second, vacancy, |person, post| {
            person.status == JobSeekerStatus::Employed && post.open_headcount == 0
        })
        .await;
    assert_eq!(post.status, VacancyStatus::Filled);
    // A filled vacancy takes no more referrals.
    referrals
        .refer(&token, third, vacancy)
        .await
        .expect_problem(409, "vacancy_not_open");
}

#[tokio::test]
async fn if_match_and_idempotency_keys_are_honoured() {
    let referrals = Referrals::start().await;
    let token = Tokens::counsellor(JINSHUI);
    let jobseeker = referrals.jobseeker(JINSHUI).await;
    let employer = referrals.employer().await;
    let vacancy = referrals.vacancy(employer, 1).await;

    let body = referral(jobseeker, vacancy);
    let send = || {
        referrals.http.send(
            Method::POST,
            "/v1/referrals",
            Some(&token),
            Some(&body),
            &[("Idempotency-Key", "refer-1")],
        )
    };
    let first = send().await.expect(201);
    let again = send().await.expect(201);
    assert_eq!(again.body, first.body);
    assert_eq!(again.header("location"), first.header("location"));
    assert_eq!(referrals.referral_events().await, 1);
    let id = id_of(&first);

    referrals
        .outcome(&token, &id, "hired", &[("If-Match", "\"7\"")])
        .await
        .expect_problem(412, "precondition_failed");
    referrals
        .outcome(&token, &id, "hired", &[("If-Match", "seven")])
        .await
        .expect_problem(400, "invalid_if_match");
    assert_eq!(referrals.referral_events().await, 1);

    let headers = [("If-Match", "\"0\""), ("Idempotency-Key", "outcome-1")];
    let concluded = referrals
        .outcome(&token, &id, "rejected", &headers)
        .await
        .expect(200);
    let repeated = referrals
        .outcome(&token, &id, "rejected", &headers)
        .await
        .expect(200);
    assert_eq!(repeated.body, concluded.body);
    assert_eq!(repeated.etag(), Some("\"1\""));
    assert_eq!(referrals.referral_events().await, 2);
    referrals
        .outcome(&token, &id, "hired", &[])
        .await
        .expect_problem(409, "referral_already_concluded");
    let bad = referrals
        .http
        .post(
            &format!("/v1/referrals/{id}/outcome"),
            Some(&token),
            &json!({"outcome": "promoted", "date": "2026-02-30"}),
        )
        .await
        .expect_problem(422, "validation_failed");
    assert_eq!(bad.error_fields(), ["outcome", "date"]);
    referrals
        .outcome(&token, &VacancyId::generate().to_string(), "hired", &[])
        .await
        .expect_problem(404, "not_found");
    assert_eq!(referrals.referral_events().await, 2);
}

#[tokio::test]
async fn lists_filter_by_vacancy_job_seeker_and_status_and_page_with_a_cursor() {
    let referrals = Referrals::start().await;
    let token = Tokens::counsellor(JINSHUI);
    let employer = referrals.employer().await;
    let first_vacancy = referrals.vacancy(employer, 5).await;
    let second_vacancy = referrals.vacancy(employer, 5).await;
    let mut people = Vec::new();
    let mut made = Vec::new();
    for _ in 0..3 {
        let person = referrals.jobseeker(JINSHUI).await;
        for vacancy in [first_vacancy, second_vacancy] {
            made.push(id_of(
                &referrals.refer(&token, person, vacancy).await.expect(201),
            ));
        }
        people.push(person);
    }
    referrals
        .outcome(&token, &made[0], "withdrawn", &[])
        .await
        .expect(200);

    let ids = |answer: &Answer| -> Vec<String> {
        answer.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|item| item["id"].as_str().unwrap().to_owned())
            .collect()
    };
    let get = |query: String| {
        let http = referrals.http.clone();
        let token = token.clone();
        async move {
            http.get(&format!("/v1/referrals?{query}"), Some(&token))
                .await
                .expect(200)
        }
    };
    let newest_first: Vec<String> = made.iter().rev().cloned().collect();
    assert_eq!(ids(&get(String::new()).await), newest_first);
    assert_eq!(
        ids(&get(format!("vacancy={first_vacancy}")).await),
        [made[4].clone(), made[2].clone(), made[0].clone()]
    );
    assert_eq!(
        ids(&get(format!("jobseeker={}", people[1])).await),
        [made[3].clone(), made[2].clone()]
    );
    assert_eq!(
        ids(&get("status=concluded".to_owned()).await),
        [made[0].clone()]
    );
    assert_eq!(ids(&get("status=open".to_owned()).await).len(), 5);
    assert_eq!(
        ids(&get(format!(
            "vacancy={first_vacancy}&status=open&jobseeker={}",
            people[0]
        ))
        .await),
        Vec::<String>::new()
    );

    // Pages of two walk the whole list once.
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    for _ in 0..10 {
        let query = match &cursor {
            None => "limit=2".to_owned(),
            Some(cursor) => format!("limit=2&cursor={cursor}"),
        };
        let page = get(query).await;
        let items = ids(&page);
        assert!(items.len() <= 2);
        seen.extend(items);
        match page.body["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => break,
        }
    }
    assert_eq!(seen, newest_first);
    assert_eq!(seen.iter().collect::<HashSet<_>>().len(), 6);

    for (query, code) in [
        ("status=hired", "invalid_query"),
        ("vacancy=42", "invalid_query"),
        ("cursor=bm90LWEtY3Vyc29y", "invalid_cursor"),
        ("limit=0", "invalid_limit"),
    ] {
        referrals
            .http
            .get(&format!("/v1/referrals?{query}"), Some(&token))
            .await
            .expect_problem(400, code);
    }
}

#[tokio::test]
async fn a_service_started_on_an_empty_read_model_still_refuses_a_second_open_referral() {
    let mut referrals = Referrals::start().await;
    let token = Tokens::counsellor(JINSHUI);
    let jobseeker = referrals.jobseeker(JINSHUI).await;
    let employer = referrals.employer().await;
    let vacancy = referrals.vacancy(employer, 1).await;
    let made = referrals
        .refer(&token, jobseeker, vacancy)
        .await
        .expect(201);

    referrals.service.restart_afresh();
    // At once, before the rebuilt lists could be relied on to be current.
    referrals
        .refer(&token, jobseeker, vacancy)
        .await
        .expect_problem(409, "duplicate_open_referral");
    let listed = referrals
        .http
        .get("/v1/referrals", Some(&token))
        .await
        .expect(200);
    assert_eq!(listed.body["items"], json!([made.body]));
    let document = referrals.http.get("/openapi.json", None).await.expect(200);
    for path in [
        "/v1/referrals",
        "/v1/referrals/{id}",
        "/v1/referrals/{id}/outcome",
    ] {
        assert!(
            document.body["paths"][path].is_object(),
            "{path} is documented"
        );
    }
    assert_eq!(referrals.referral_events().await, 1);
}

#[tokio::test]
async fn only_office_staff_in_scope_record_outcomes_and_the_employer_reads_them() {
    let referrals = Referrals::start().await;
    let jobseeker = referrals.jobseeker(JINSHUI).await;
    let employer_id = referrals.employer().await;
    let vacancy = referrals.vacancy(employer_id, 1).await;
    let referral = id_of(
        &referrals
            .refer(&Tokens::counsellor(JINSHUI), jobseeker, vacancy)
            .await
            .expect(201),
    );
    let path = format!("/v1/referrals/{referral}");
    let events = referrals.referral_events().await;
    let all_events = referrals.events(None).await;

    // The employer referred to may not record how it ended, not even with
    // an If-Match or an Idempotency-Key, nor for a referral that does not
    // exist; nor may the job seeker, nor an office outside the scope.
    let employer = Tokens::employer(employer_id, JINSHUI);
    let refused = referrals
        .outcome(&employer, &referral, "hired", &[])
        .await
        .expect_problem(403, "forbidden");
    assert!(
        refused.body["detail"]
            .as_str()
            .unwrap()
            .contains("employment office"),
        "{}",
        refused.text
    );
    referrals
        .outcome(
            &employer,
            &referral,
            "rejected",
            &[("If-Match", "\"0\""), ("Idempotency-Key", "employer-1")],
        )
        .await
        .expect_problem(403, "forbidden");
    referrals
        .outcome(&employer, &VacancyId::generate().to_string(), "hired", &[])
        .await
        .expect_problem(403, "forbidden");
    let seeker = Tokens::issue(labex_web::Role::Jobseeker, JINSHUI, None);
    referrals
        .outcome(&seeker, &referral, "withdrawn", &[])
        .await
        .expect_problem(403, "forbidden");
    referrals
        .outcome(&Tokens::counsellor("420100"), &referral, "hired", &[])
        .await
        .expect_problem(403, "forbidden");
    referrals
        .outcome(
            &Tokens::issue(labex_web::Role::OfficeAdmin, "410102", None),
            &referral,
            "hired",
            &[],
        )
        .await
        .expect_problem(403, "forbidden");
    assert_eq!(referrals.referral_events().await, events);
    assert_eq!(
        referrals.events(None).await,
        all_events,
        "refused outcomes write nothing anywhere"
    );
    let still_open = referrals.http.get(&path, Some(&employer)).await.expect(200);
    assert_eq!(still_open.body["status"], "open");
    assert_eq!(still_open.body["outcome"], Value::Null);

    // The city's office administrator covers Jinshui and records it.
    let city_admin = Tokens::issue(labex_web::Role::OfficeAdmin, "410100", None);
    let rejected = referrals
        .outcome(&city_admin, &referral, "rejected", &[])
        .await
        .expect(200);
    assert_eq!(rejected.body["status"], "concluded");
    assert_eq!(rejected.body["outcome"]["outcome"], "rejected");
    assert_eq!(referrals.referral_events().await, events + 1);

    // The employer still reads the referral to it, and its outcome, by id
    // and in its list.
    let read = referrals.http.get(&path, Some(&employer)).await.expect(200);
    assert_eq!(read.body, rejected.body);
    let listed = referrals
        .http
        .get(&format!("/v1/referrals?vacancy={vacancy}"), Some(&employer))
        .await
        .expect(200);
    assert_eq!(listed.body["items"], json!([rejected.body]));

    // A counsellor of Jinshui and the province record outcomes too.
    let second_vacancy = referrals.vacancy(employer_id, 1).await;
    let second = id_of(
        &referrals
            .refer(&Tokens::counsellor(JINSHUI), jobseeker, second_vacancy)
            .await
            .expect(201),
    );
    referrals
        .outcome(&Tokens::counsellor(JINSHUI), &second, "no_show", &[])
        .await
        .expect(200);
    let third_vacancy = referrals.vacancy(employer_id, 1).await;
    let third = id_of(
        &referrals
            .refer(&Tokens::counsellor(JINSHUI), jobseeker, third_vacancy)
            .await
            .expect(201),
    );
    let withdrawn = referrals
        .outcome(&Tokens::province(), &third, "withdrawn", &[])
        .await
        .expect(200);
    assert_eq!(withdrawn.body["outcome"]["outcome"], "withdrawn");
}

#[tokio::test]
async fn readiness_reports_the_lag_of_the_lists_and_of_the_placement_process() {
    let referrals = Referrals::start().await;
    let token = Tokens::counsellor(JINSHUI);
    let jobseeker = referrals.jobseeker(JINSHUI).await;
    let employer = referrals.employer().await;
    let vacancy = referrals.vacancy(employer, 1).await;
    referrals
        .refer(&token, jobseeker, vacancy)
        .await
        .expect(201);

    let ready = referrals.http.get("/readyz", None).await.expect(200);
    assert_eq!(ready.body["status"], "ready");
    let checks = ready.body["checks"]
        .as_array()
        .expect("the checks are listed");
    for name in ["referral-list", "placement-process"] {
        let check = checks
            .iter()
            .find(|check| check["name"] == name)
            .unwrap_or_else(|| panic!("{name} is a readiness check: {checks:?}"));
        assert_eq!(check["ok"], true, "{check}");
        assert!(
            check["lag_events"].is_u64(),
            "{name} reports its lag: {check}"
        );
        // Positions in `$all`: null while a runner has reached none.
        for position in ["position", "head_position"] {
            let value = check.get(position).expect("the position is reported");
            assert!(value.is_u64() || value.is_null(), "{check}");
        }
        assert_eq!(check["ready_within_events"], 1_000, "{check}");
    }
    // The lists applied the referral before it was answered.
    let lists = checks
        .iter()
        .find(|check| check["name"] == "referral-list")
        .expect("the lists' check");
    assert_eq!(lists["lag_events"], 0, "{lists}");
    assert!(lists["position"].is_u64(), "{lists}");

    // And the host exports it as a metric, as every projection's.
    let mut metrics = String::new();
    for _ in 0..50 {
        metrics = referrals.http.get("/metrics", None).await.expect(200).text;
        if metrics.contains("projection=\"referral-list\"") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(
        metrics
            .lines()
            .any(|line| line.starts_with("labex_projection_lag_events{")
                && line.contains("projection=\"referral-list\"")),
        "the lists export their lag:\n{metrics}"
    );
}
