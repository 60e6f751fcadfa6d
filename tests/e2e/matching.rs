//! Search and matching through `labex`: vacancies found in Chinese and
//! English with filters, facets, highlights and type-ahead; matches and
//! candidates with reasons and priority; the change feed; the index
//! rebuilt by `labex reindex` and recovered after SIGKILL with the same
//! answers.

use labex_testkit::{Answer, Tokens, binary};
use serde_json::{Value, json};

use crate::support::{Labex, Placement, employer, id_of, jobseeker, place};

struct Fixture {
    employer: String,
    welding: String,
    forklift: String,
    software: String,
    graduate: String,
    priority: String,
}

fn posting(
    employer: &str,
    title: &str,
    occupation: &str,
    region: &str,
    salary: (u32, u32),
    description: &str,
) -> Value {
    json!({
        "employer_id": employer,
        "title": title,
        "description": description,
        "occupation": occupation,
        "region": region,
        "salary_min_yuan": salary.0,
        "salary_max_yuan": salary.1,
        "headcount": 2,
        "education": "junior_secondary",
        "experience_years": 0,
        "welcomes": ["graduate", "zero_employment_household"],
        "public_welfare": false
    })
}

async fn publish(labex: &Labex, token: &str, body: Value) -> String {
    id_of(
        &labex
            .http
            .post("/v1/vacancies", Some(token), &body)
            .await
            .expect(201),
    )
}

async fn fixture(labex: &Labex) -> Fixture {
    let counsellor = Tokens::counsellor("410105");
    let employer = id_of(
        &labex
            .http
            .post("/v1/employers", Some(&counsellor), &employer(31))
            .await
            .expect(201),
    );
    let welding = publish(
        labex,
        &counsellor,
        posting(
            &employer,
            "电焊工",
            "焊工",
            "410105",
            (5_000, 8_000),
            "负责客车车身焊接，持焊工证者优先，欢迎应届毕业生。",
        ),
    )
    .await;
    let forklift = publish(
        labex,
        &counsellor,
        posting(
            &employer,
            "叉车司机",
            "叉车司机",
            "410102",
            (4_500, 6_000),
            "仓库叉车装卸作业，需持特种设备操作证。",
        ),
    )
    .await;
    let software = publish(
        labex,
        &counsellor,
        posting(
            &employer,
            "Software engineer (Rust)",
            "软件工程师",
            "410105",
            (12_000, 20_000),
            "Build backend services in Rust for public employment offices.",
        ),
    )
    .await;
    let mut graduate = jobseeker(31);
    graduate["skills"] = json!(["焊接", "钳工"]);
    graduate["desired_occupations"] = json!(["焊工"]);
    graduate["education"] = json!("associate");
    let graduate = id_of(
        &labex
            .http
            .post("/v1/jobseekers", Some(&counsellor), &graduate)
            .await
            .expect(201),
    );
    let mut priority = jobseeker(32);
    priority["skills"] = json!(["焊接", "钳工"]);
    priority["desired_occupations"] = json!(["焊工"]);
    priority["education"] = json!("associate");
    priority["categories"] = json!(["zero_employment_household"]);
    let priority = id_of(
        &labex
            .http
            .post("/v1/jobseekers", Some(&counsellor), &priority)
            .await
            .expect(201),
    );
    // The register, not the declared category, puts them first (decision
    // 093).
    let household = id_of(
        &labex
            .http
            .post(
                "/v1/households",
                Some(&counsellor),
                &json!({
                    "office": "410105",
                    "address": "金水区经三路 8 号院 2 号楼 502",
                    "members": [priority],
                }),
            )
            .await
            .expect(201),
    );
    labex
        .http
        .post(
            &format!("/v1/households/{household}/verification"),
            Some(&counsellor),
            &json!({"decision": "verified", "note": "入户核实"}),
        )
        .await
        .expect(200);
    // Everything is searchable once the candidates list shows both, the
    // household's member first.
    labex
        .eventually(
            &format!("/v1/vacancies/{welding}/candidates"),
            &counsellor,
            |body| body["total"].as_u64() == Some(2) && body["hits"][0]["id"] == priority.as_str(),
        )
        .await;
    labex
        .eventually("/v1/vacancies/search?status=all", &counsellor, |body| {
            body["total"].as_u64() == Some(3)
        })
        .await;
    Fixture {
        employer,
        welding,
        forklift,
        software,
        graduate,
        priority,
    }
}

fn ids(answer: &Answer) -> Vec<String> {
    answer.body["hits"]
        .as_array()
        .unwrap_or_else(|| panic!("no hits in {}", answer.text))
        .iter()
        .map(|hit| hit["id"].as_str().expect("an id").to_owned())
        .collect()
}

async fn search(labex: &Labex, query: &str) -> Answer {
    labex
        .http
        .get(&format!("/v1/vacancies/search?{query}"), None)
        .await
        .expect(200)
}

#[tokio::test]
async fn vacancies_are_found_filtered_and_matched_both_ways() {
    let labex = Labex::start().await;
    let f = fixture(&labex).await;

    let welding = search(&labex, "q=%E7%84%8A%E5%B7%A5").await; // 焊工
    assert_eq!(ids(&welding).first(), Some(&f.welding));
    assert!(
        welding.body["hits"][0]["highlight"]["title"]
            .as_str()
            .is_some_and(|title| title.contains("<em>")),
        "{}",
        welding.text
    );
    assert!(
        welding.body["facets"]["region"]
            .as_array()
            .is_some_and(|facets| !facets.is_empty())
    );
    // 驾驶员 is a synonym of 司机.
    let drivers = search(&labex, "q=%E9%A9%BE%E9%A9%B6%E5%91%98").await;
    assert_eq!(ids(&drivers).first(), Some(&f.forklift), "{}", drivers.text);
    let english = search(&labex, "q=rust+engineer").await;
    assert_eq!(ids(&english).first(), Some(&f.software), "{}", english.text);

    // Filters: a city covers its districts, salary, employer.
    assert_eq!(search(&labex, "region=410100").await.body["total"], 3);
    assert_eq!(
        ids(&search(&labex, "region=410102").await),
        [f.forklift.as_str()]
    );
    assert_eq!(
        ids(&search(&labex, "salary_min_yuan=10000").await),
        [f.software.as_str()]
    );
    assert_eq!(
        search(&labex, &format!("employer={}", f.employer))
            .await
            .body["total"],
        3
    );

    // Type-ahead.
    let complete = labex
        .http
        .get("/v1/vacancies/complete?q=%E7%84%8A", None)
        .await
        .expect(200);
    assert!(complete.text.contains("焊"), "{}", complete.text);

    // Bad parameters are 400 problems.
    for query in [
        "limit=1000",
        "offset=5000",
        "region=41",
        "sort=random",
        "education=phd",
    ] {
        labex
            .http
            .get(&format!("/v1/vacancies/search?{query}"), None)
            .await
            .expect_problem(400, "invalid_query");
    }

    // Matches for the graduate: the welding job first, with reasons.
    let counsellor = Tokens::counsellor("410105");
    let matches = labex
        .http
        .get(
            &format!("/v1/jobseekers/{}/matches", f.graduate),
            Some(&counsellor),
        )
        .await
        .expect(200);
    assert_eq!(ids(&matches).first(), Some(&f.welding), "{}", matches.text);
    assert!(
        matches.body["hits"][0]["reasons"]
            .as_array()
            .is_some_and(|reasons| !reasons.is_empty())
    );
    labex
        .http
        .get(
            &format!("/v1/jobseekers/{}/matches", f.graduate),
            Some(&Tokens::counsellor("420100")),
        )
        .await
        .expect_problem(403, "forbidden");
    labex
        .http
        .get(&format!("/v1/jobseekers/{}/matches", f.graduate), None)
        .await
        .expect_problem(401, "unauthenticated");

    // Candidates: the zero-employment household first among equals.
    let candidates = labex
        .http
        .get(
            &format!("/v1/vacancies/{}/candidates", f.welding),
            Some(&counsellor),
        )
        .await
        .expect(200);
    assert_eq!(
        ids(&candidates),
        [f.priority.clone(), f.graduate.clone()],
        "{}",
        candidates.text
    );
    assert!(candidates.text.contains("priority"), "{}", candidates.text);
    let own_employer = Tokens::employer(labex_testkit::employer_id(&f.employer), "410105");
    labex
        .http
        .get(
            &format!("/v1/vacancies/{}/candidates", f.welding),
            Some(&own_employer),
        )
        .await
        .expect(200);
    let stranger = Tokens::employer(
        labex_testkit::employer_id("01a220cc-3595-7567-9f69-d493dcb2d1b5"),
        "410105",
    );
    labex
        .http
        .get(
            &format!("/v1/vacancies/{}/candidates", f.welding),
            Some(&stranger),
        )
        .await
        .expect_problem(403, "forbidden");

    // A closed vacancy leaves the search unless asked for.
    labex
        .http
        .post(
            &format!("/v1/vacancies/{}/close", f.forklift),
            Some(&counsellor),
            &json!({"reason": "withdrawn"}),
        )
        .await
        .expect(200);
    labex
        .eventually("/v1/vacancies/search", &counsellor, |body| {
            body["total"].as_u64() == Some(2)
        })
        .await;
    assert_eq!(search(&labex, "status=all").await.body["total"], 3);
}

#[tokio::test]
async fn the_feed_pages_resumes_and_streams() {
    let labex = Labex::start().await;
    let f = fixture(&labex).await;
    let page = labex.http.get("/v1/vacancies/feed", None).await.expect(200);
    assert_eq!(page.header("content-type"), Some("application/x-ndjson"));
    let items: Vec<Value> = page
        .text
        .lines()
        .map(|line| serde_json::from_str(line).expect("a JSON line"))
        .collect();
    let vacancies: Vec<_> = items
        .iter()
        .map(|item| item["vacancy_id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        vacancies,
        [f.welding.clone(), f.forklift.clone(), f.software.clone()]
    );
    assert!(items.iter().all(|item| item["type"] == "VacancyPublished"));
    let first = items[0]["position"].as_str().unwrap();
    let rest = labex
        .http
        .get(&format!("/v1/vacancies/feed?after={first}&limit=1"), None)
        .await
        .expect(200);
    assert_eq!(rest.text.lines().count(), 1);
    assert!(rest.text.contains(&f.forklift));
    assert_eq!(
        rest.header("labex-feed-next"),
        items[1]["position"].as_str()
    );
    labex
        .http
        .get("/v1/vacancies/feed?after=yesterday", None)
        .await
        .expect_problem(400, "invalid_query");

    // Server-sent events: the same items, then live ones.
    let response = reqwest::Client::new()
        .get(format!("{}/v1/vacancies/feed", labex.process_url()))
        .header("accept", "text/event-stream")
        .send()
        .await
        .expect("the feed answers");
    assert_eq!(
        response
            .headers()
            .get("content-type")
            .and_then(|value| value.to_str().ok()),
        Some("text/event-stream")
    );
    let mut response = response;
    let mut seen = String::new();
    while !seen.contains(&f.software) {
        let chunk = tokio::time::timeout(std::time::Duration::from_secs(10), response.chunk())
            .await
            .expect("events arrive")
            .expect("a chunk")
            .expect("the stream goes on");
        seen.push_str(&String::from_utf8_lossy(&chunk));
    }
    assert!(seen.contains("event: VacancyPublished"), "{seen}");
    assert!(seen.contains(&format!("id: {first}")), "{seen}");
}

/// The JSON lines of a feed page.
fn feed_items(answer: &Answer) -> Vec<Value> {
    answer
        .text
        .lines()
        .map(|line| serde_json::from_str(line).expect("a JSON line"))
        .collect()
}

/// Server-sent events of the feed until `until` shows up.
async fn events_until(
    labex: &Labex,
    query: &str,
    last_event_id: Option<&str>,
    until: &str,
) -> String {
    let mut request = reqwest::Client::new()
        .get(format!("{}/v1/vacancies/feed{query}", labex.process_url()))
        .header("accept", "text/event-stream");
    if let Some(id) = last_event_id {
        request = request.header("last-event-id", id);
    }
    let mut response = request.send().await.expect("the feed answers");
    assert_eq!(response.status(), 200);
    let mut seen = String::new();
    while !seen.contains(until) {
        let chunk = tokio::time::timeout(std::time::Duration::from_secs(10), response.chunk())
            .await
            .expect("events arrive")
            .expect("a chunk")
            .expect("the stream goes on");
        seen.push_str(&String::from_utf8_lossy(&chunk));
    }
    seen
}

#[tokio::test]
async fn the_feed_resumes_server_sent_events_from_last_event_id_over_after() {
    let labex = Labex::start().await;
    let f = fixture(&labex).await;
    let page = labex.http.get("/v1/vacancies/feed", None).await.expect(200);
    let items = feed_items(&page);
    let positions: Vec<_> = items
        .iter()
        .map(|item| item["position"].as_str().unwrap().to_owned())
        .collect();
    let (first, second, third) = (&positions[0], &positions[1], &positions[2]);

    // A reconnecting EventSource: the URL it was opened with, and the
    // last id it saw.
    let seen = events_until(
        &labex,
        &format!("?after={first}"),
        Some(second),
        &f.software,
    )
    .await;
    let ids: Vec<_> = seen
        .lines()
        .filter_map(|line| line.strip_prefix("id: "))
        .collect();
    assert_eq!(ids.first().copied(), Some(third.as_str()), "{seen}");
    assert!(!ids.contains(&first.as_str()), "{seen}");
    assert!(!ids.contains(&second.as_str()), "{seen}");
    assert!(!seen.contains(&f.welding), "{seen}");
    assert!(!seen.contains(&f.forklift), "{seen}");

    // Without the header, `after` still holds.
    let seen = events_until(&labex, &format!("?after={first}"), None, &f.software).await;
    assert!(seen.contains(&format!("id: {second}")), "{seen}");
    assert!(!seen.contains(&format!("id: {first}")), "{seen}");

    // A malformed Last-Event-ID is refused like a malformed `after`.
    let response = reqwest::Client::new()
        .get(format!(
            "{}/v1/vacancies/feed?after={first}",
            labex.process_url()
        ))
        .header("accept", "text/event-stream")
        .header("last-event-id", "yesterday")
        .send()
        .await
        .expect("the feed answers");
    assert_eq!(response.status(), 400);
    assert_eq!(
        response
            .headers()
            .get("content-type")
            .and_then(|value| value.to_str().ok()),
        Some("application/problem+json")
    );
    let problem: Value = response.json().await.expect("a problem");
    assert_eq!(problem["errors"][0]["field"], "Last-Event-ID", "{problem}");
}

#[tokio::test]
async fn the_feed_refuses_positions_that_name_no_item() {
    let labex = Labex::start().await;
    let f = fixture(&labex).await;
    let items = feed_items(&labex.http.get("/v1/vacancies/feed", None).await.expect(200));
    let last = items.last().unwrap()["position"]
        .as_str()
        .unwrap()
        .to_owned();
    let (commit, _) = last.split_once('-').unwrap();
    let commit: u64 = commit.parse().unwrap();
    for after in [
        "5-3".to_owned(),
        "3-5".to_owned(),
        format!("{}-{}", commit + 1_000_000, commit + 1_000_000),
        format!("{commit}-{}", commit + 1),
    ] {
        labex
            .http
            .get(&format!("/v1/vacancies/feed?after={after}"), None)
            .await
            .expect_problem(400, "invalid_query");
        let response = reqwest::Client::new()
            .get(format!("{}/v1/vacancies/feed", labex.process_url()))
            .header("accept", "text/event-stream")
            .header("last-event-id", &after)
            .send()
            .await
            .expect("the feed answers");
        assert_eq!(response.status(), 400, "Last-Event-ID: {after}");
    }
    // The last item's own position is a good place to resume: nothing yet.
    let rest = labex
        .http
        .get(&format!("/v1/vacancies/feed?after={last}"), None)
        .await
        .expect(200);
    assert_eq!(rest.text, "");
    assert_eq!(rest.header("labex-feed-next"), Some(last.as_str()));
    assert!(
        items
            .iter()
            .any(|item| item["vacancy_id"] == f.software.as_str())
    );
}

#[tokio::test]
async fn the_feed_shows_a_hire_without_the_job_seeker_or_the_referral() {
    let labex = Labex::start().await;
    let counsellor = Tokens::counsellor("410105");
    let http = &labex.http;
    let Placement {
        vacancy: vacancy_id,
        jobseeker: jobseeker_id,
        referral: referral_id,
        hired_on: today,
        ..
    } = place(http, http, http, 41).await;
    labex
        .eventually(
            &format!("/v1/vacancies/{vacancy_id}"),
            &counsellor,
            |body| body["status"] == "filled",
        )
        .await;

    let page = http.get("/v1/vacancies/feed", None).await.expect(200);
    let items = feed_items(&page);
    let types: Vec<_> = items
        .iter()
        .map(|item| item["type"].as_str().unwrap())
        .collect();
    assert_eq!(
        types,
        [
            "VacancyPublished",
            "VacancyPlacementRecorded",
            "VacancyFilled"
        ],
        "{}",
        page.text
    );
    let placement = &items[1];
    assert_eq!(placement["vacancy_id"], vacancy_id.as_str());
    assert_eq!(placement["data"]["vacancy_id"], vacancy_id.as_str());
    assert_eq!(placement["data"]["hired_on"], today.as_str());
    assert_eq!(placement["data"]["open_headcount"], 0);
    assert_eq!(placement["data"]["status"], "filled");
    assert_eq!(items[2]["data"]["status"], "filled");
    for item in &items {
        assert!(item["data"].get("jobseeker_id").is_none(), "{item}");
        assert!(item["data"].get("referral_id").is_none(), "{item}");
    }
    for secret in [&jobseeker_id, &referral_id] {
        assert!(!page.text.contains(secret.as_str()), "{}", page.text);
    }
    assert!(!page.text.contains("jobseeker_id"), "{}", page.text);
    assert!(!page.text.contains("referral_id"), "{}", page.text);

    // The same over server-sent events.
    let filled_position = items[2]["position"].as_str().unwrap();
    let seen = events_until(&labex, "", None, &format!("id: {filled_position}")).await;
    assert!(seen.contains("event: VacancyPlacementRecorded"), "{seen}");
    for secret in [&jobseeker_id, &referral_id] {
        assert!(!seen.contains(secret.as_str()), "{seen}");
    }
    assert!(!seen.contains("jobseeker_id"), "{seen}");
    assert!(!seen.contains("referral_id"), "{seen}");
}

#[tokio::test]
async fn reindex_and_a_crash_give_the_same_answers() {
    let mut labex = Labex::start().await;
    let f = fixture(&labex).await;
    let queries = [
        "q=%E7%84%8A%E5%B7%A5",
        "region=410100&sort=newest",
        "q=rust",
        "status=all&sort=salary",
    ];
    let mut before = Vec::new();
    for query in queries {
        before.push(ids(&search(&labex, query).await));
    }

    labex.crash_and_restart();
    for (query, expected) in queries.iter().zip(&before) {
        assert_eq!(
            &ids(&search(&labex, query).await),
            expected,
            "{query} after SIGKILL"
        );
    }

    let folder = labex.data.path().to_str().expect("a UTF-8 path").to_owned();
    labex.stop();
    let output = std::process::Command::new(binary("labex"))
        .arg("reindex")
        .env("LABEX_DATA", &folder)
        .env("LABEX_JWT_SECRET", labex_testkit::SECRET)
        .env("LABEX_LOG", "warn")
        .output()
        .expect("labex reindex runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(String::from_utf8_lossy(&output.stdout).contains("search index rebuilt"));
    labex.respawn();
    for (query, expected) in queries.iter().zip(&before) {
        assert_eq!(
            &ids(&search(&labex, query).await),
            expected,
            "{query} after reindex"
        );
    }
    assert!(before[0].contains(&f.welding));
}

#[tokio::test]
async fn metrics_export_the_search_lag_and_query_latency() {
    let labex = Labex::start().await;
    let f = fixture(&labex).await;
    assert!(ids(&search(&labex, "q=rust").await).contains(&f.software));
    let metrics = labex.http.get("/metrics", None).await.expect(200).text;
    let value = |name: &str| -> f64 {
        metrics
            .lines()
            .find(|line| line.starts_with(name))
            .and_then(|line| line.rsplit(' ').next())
            .and_then(|value| value.parse().ok())
            .unwrap_or_else(|| panic!("{name} is not exported:\n{metrics}"))
    };
    // Each vacancy published, and the job seekers registered, waited a
    // measured time to become searchable.
    assert!(value("labex_search_lag_seconds_count") >= 3.0, "{metrics}");
    assert!(value("labex_search_lag_seconds_sum") > 0.0, "{metrics}");
    assert!(value("labex_search_query_duration_seconds_count{kind=\"search\"}") >= 1.0);
}

#[tokio::test]
async fn a_wish_in_occupation_codes_ranks_coded_vacancies_before_shared_words() {
    let labex = Labex::start().await;
    let counsellor = Tokens::counsellor("410105");
    let employer = id_of(
        &labex
            .http
            .post("/v1/employers", Some(&counsellor), &employer(41))
            .await
            .expect(201),
    );
    // 机电设备维修工 (6-31-01-10): the same minor group as 电工, in other words.
    let mut coded = posting(
        &employer,
        "厂区设备维护",
        "维修师傅",
        "410105",
        (6_000, 8_000),
        "负责生产线设备巡检和故障处理。",
    );
    coded["occupation_code"] = json!("6-31-01-10");
    let coded = publish(&labex, &counsellor, coded).await;
    let worded = publish(
        &labex,
        &counsellor,
        posting(
            &employer,
            "电工",
            "电工",
            "410105",
            (5_000, 7_000),
            "持低压电工证，负责小区线路维护。",
        ),
    )
    .await;
    let mut cook = posting(
        &employer,
        "中餐厨师",
        "中式烹调师",
        "410105",
        (5_000, 7_000),
        "负责热菜。",
    );
    cook["occupation_code"] = json!("4-03-02-01");
    let cook = publish(&labex, &counsellor, cook).await;

    let mut seeker = jobseeker(41);
    seeker["desired_occupations"] = json!(["电工"]);
    seeker["desired_occupation_codes"] = json!(["6-31-01-03"]);
    seeker["skills"] = json!([]);
    let registered = labex
        .http
        .post("/v1/jobseekers", Some(&counsellor), &seeker)
        .await
        .expect(201);
    assert_eq!(
        registered.body["desired_occupation_titles"],
        json!(["电工"])
    );
    let seeker = id_of(&registered);

    let matches_path = format!("/v1/jobseekers/{seeker}/matches");
    let matches = labex
        .eventually(&matches_path, &counsellor, |body| {
            body["total"].as_u64() == Some(2)
        })
        .await;
    let hits = matches["hits"].as_array().unwrap();
    assert_eq!(hits[0]["id"], coded.as_str(), "{matches}");
    assert_eq!(hits[1]["id"], worded.as_str(), "{matches}");
    assert!(!matches.to_string().contains(&cook));
    assert!(
        hits[0]["reasons"].as_array().unwrap().contains(&json!({
            "kind": "occupation_code",
            "detail": "6-31-01-10 in 6-31-01-00",
            "field": "occupation_code"
        })),
        "{matches}"
    );
    assert!(
        !hits[1]["reasons"]
            .as_array()
            .unwrap()
            .iter()
            .any(|reason| reason["kind"] == "occupation_code"),
        "{matches}"
    );

    // The vacancy's candidates: the job seeker, for their wished code.
    let candidates = labex
        .eventually(
            &format!("/v1/vacancies/{coded}/candidates"),
            &counsellor,
            |body| body["total"].as_u64() == Some(1),
        )
        .await;
    assert_eq!(candidates["hits"][0]["id"], seeker.as_str());
    assert!(
        candidates["hits"][0]["reasons"]
            .to_string()
            .contains("occupation_code"),
        "{candidates}"
    );

    // Their wish changed to cooking: the cook's post, by its code, first.
    labex
        .http
        .patch(
            &format!("/v1/jobseekers/{seeker}"),
            Some(&counsellor),
            &json!({"desired_occupation_codes": ["4-03-02-00"]}),
        )
        .await
        .expect(200);
    let matches = labex
        .eventually(&matches_path, &counsellor, |body| {
            body["hits"][0]["id"] == cook.as_str()
        })
        .await;
    assert!(
        matches["hits"][0]["reasons"]
            .as_array()
            .unwrap()
            .contains(&json!({
                "kind": "occupation_code",
                "detail": "4-03-02-01 in 4-03-02-00",
                "field": "occupation_code"
            })),
        "{matches}"
    );
}
