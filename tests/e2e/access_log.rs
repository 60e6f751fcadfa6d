//! The access log, through the real `labex`: every time a member of staff
//! is shown a job seeker's full record it is recorded (who, whom, when,
//! which endpoint), batched in the background; the job seeker, an office
//! administrator in scope and the province read it, nobody else; it names
//! people by ids only; and a graceful stop writes every read it served.

use labex_domain::value::DivisionCode;
use labex_testkit::Tokens;
use labex_web::{Role, TokenIssuer};
use serde_json::{Value, json};

use crate::support::{Labex, id_of, jobseeker};

/// A token of `role` in `office` for the user `sub`.
fn token(role: Role, office: &str, sub: &str) -> String {
    TokenIssuer::new(labex_testkit::SECRET.as_bytes()).issue(
        sub,
        role,
        DivisionCode::parse(office).expect("a division code"),
        None,
        std::time::Duration::from_secs(3600),
    )
}

/// The value of the series `name` in a Prometheus text page.
fn counter(metrics: &str, name: &str) -> f64 {
    metrics
        .lines()
        .find_map(|line| line.strip_prefix(name)?.strip_prefix(' '))
        .unwrap_or_else(|| panic!("{name} is among the metrics:\n{metrics}"))
        .trim()
        .parse()
        .expect("a number")
}

fn items(page: &Value) -> &Vec<Value> {
    page["items"].as_array().expect("a page of items")
}

#[tokio::test]
async fn staff_reads_of_a_full_record_are_logged_and_shown_to_the_person_their_office_admin_and_the_province()
 {
    let mut labex = Labex::start().await;
    let wang = token(Role::Counsellor, "410105", "counsellor-wang");
    let province = token(Role::Province, "410000", "province-li");
    let name = "司马相如";
    let mut body = jobseeker(7_400_021);
    body["name"] = json!(name);
    let id = id_of(
        &labex
            .http
            .post("/v1/jobseekers", Some(&wang), &body)
            .await
            .expect(201),
    );
    let record = format!("/v1/jobseekers/{id}");
    let log = format!("{record}/access-log");
    let own = token(Role::Jobseeker, "410105", &id);

    // Two reads by the counsellor (one of the past), one by the province;
    // the person reading their own record is not a staff read.
    labex.http.get(&record, Some(&wang)).await.expect(200);
    let now = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    labex
        .http
        .get(&format!("{record}?as_of={now}"), Some(&wang))
        .await
        .expect(200);
    labex.http.get(&record, Some(&province)).await.expect(200);
    labex.http.get(&record, Some(&own)).await.expect(200);

    let admin = token(Role::OfficeAdmin, "410100", "admin-zhao");
    let page = labex
        .eventually(&log, &admin, |page| items(page).len() == 3)
        .await;
    let entries = items(&page);
    // Newest first.
    assert_eq!(entries[0]["reader"], "province-li");
    assert_eq!(entries[0]["role"], "province");
    assert_eq!(entries[0]["office"], "410000");
    for entry in &entries[1..] {
        assert_eq!(entry["reader"], "counsellor-wang");
        assert_eq!(entry["role"], "counsellor");
        assert_eq!(entry["office"], "410105");
    }
    for entry in entries {
        assert_eq!(entry["endpoint"], "GET /v1/jobseekers/{id}");
        assert!(
            entry["read_at"]
                .as_str()
                .is_some_and(|at| at.ends_with('Z')),
            "{entry}"
        );
        assert_eq!(
            entry.as_object().map(|object| object.len()),
            Some(5),
            "ids, roles, offices, endpoints and times only: {entry}"
        );
    }
    assert!(!page.to_string().contains(name), "no name in the log");

    // The process counts what it wrote and what it dropped.
    let metrics = labex.http.get("/metrics", None).await.expect(200).text;
    assert_eq!(
        counter(&metrics, "labex_access_log_reads_written_total"),
        3.0
    );
    assert_eq!(
        counter(&metrics, "labex_access_log_reads_dropped_total"),
        0.0
    );

    // The person and the province read it too; paging walks it.
    let mine = labex.http.get(&log, Some(&own)).await.expect(200);
    assert_eq!(items(&mine.body).len(), 3);
    let first = labex
        .http
        .get(&format!("{log}?limit=2"), Some(&province))
        .await
        .expect(200);
    assert_eq!(items(&first.body).len(), 2);
    let cursor = first.body["next_cursor"].as_str().expect("a next page");
    let second = labex
        .http
        .get(&format!("{log}?limit=2&cursor={cursor}"), Some(&province))
        .await
        .expect(200);
    assert_eq!(items(&second.body).len(), 1);
    assert_eq!(second.body["next_cursor"], Value::Null);

    // Nobody else: not the counsellor whose reads it shows, not an office
    // administrator of another scope, not another job seeker.
    labex
        .http
        .get(&log, Some(&wang))
        .await
        .expect_problem(403, "forbidden");
    labex
        .http
        .get(
            &log,
            Some(&token(Role::OfficeAdmin, "410200", "admin-qian")),
        )
        .await
        .expect_problem(403, "forbidden");
    labex
        .http
        .get(
            &log,
            Some(&token(
                Role::Jobseeker,
                "410105",
                "0190f5a8-3c1e-7d2a-9b4f-0123456789ab",
            )),
        )
        .await
        .expect_problem(403, "forbidden");
    labex
        .http
        .get(
            "/v1/jobseekers/0190f5a8-3c1e-7d2a-9b4f-0123456789ab/access-log",
            Some(&Tokens::province()),
        )
        .await
        .expect_problem(404, "not_found");

    // Reads served just before a graceful stop are written by it.
    for _ in 0..40 {
        labex.http.get(&record, Some(&wang)).await.expect(200);
    }
    labex.restart();
    labex
        .eventually(&format!("{log}?limit=100"), &admin, |page| {
            items(page).len() == 43
        })
        .await;
}

#[tokio::test]
async fn answers_of_changes_show_the_full_record_and_are_logged_as_reads_too() {
    let labex = Labex::start().await;
    let wang = token(Role::Counsellor, "410105", "counsellor-wang");
    let id = id_of(
        &labex
            .http
            .post("/v1/jobseekers", Some(&wang), &jobseeker(7_400_022))
            .await
            .expect(201),
    );
    let record = format!("/v1/jobseekers/{id}");
    let own = token(Role::Jobseeker, "410105", &id);

    // Each answer is the whole record: staff's are logged with their
    // endpoint; the person changing their own record is not.
    labex
        .http
        .patch(&record, Some(&wang), &json!({"skills": ["叉车"]}))
        .await
        .expect(200);
    labex
        .http
        .patch(&record, Some(&own), &json!({"phone": "13912345678"}))
        .await
        .expect(200);
    labex
        .http
        .post(
            &format!("{record}/unemployment"),
            Some(&wang),
            &json!({"registered_on": "2026-11-01"}),
        )
        .await
        .expect(200);
    labex
        .http
        .post(
            &format!("{record}/employment"),
            Some(&wang),
            &json!({"started_on": "2026-11-20", "employer_name": "郑州宇通客车"}),
        )
        .await
        .expect(200);

    let page = labex
        .eventually(&format!("{record}/access-log"), &own, |page| {
            items(page).len() == 3
        })
        .await;
    let endpoints: Vec<&str> = items(&page)
        .iter()
        .map(|entry| entry["endpoint"].as_str().expect("an endpoint"))
        .collect();
    assert_eq!(
        endpoints,
        [
            "POST /v1/jobseekers/{id}/employment",
            "POST /v1/jobseekers/{id}/unemployment",
            "PATCH /v1/jobseekers/{id}",
        ]
    );
    assert!(
        items(&page)
            .iter()
            .all(|entry| entry["reader"] == "counsellor-wang"),
        "{page}"
    );
}
