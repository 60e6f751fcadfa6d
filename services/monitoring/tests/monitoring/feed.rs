//! The warnings feed (`GET /v1/warnings/feed`) and the warnings of a
//! month over HTTP, with `labex-monitoring` as its own process: a change of
//! level reaches an open server-sent-events feed at once, a reader resumes
//! after the last change it saw (`after`, `Last-Event-ID`), and bad query
//! input is a problem naming each field at fault, writing nothing.

use std::time::{Duration, Instant};

use labex_domain::china_date;
use labex_domain::monitoring::Period;
use labex_testkit::{ServiceUnderTest, Tokens};
use serde_json::{Value, json};

use crate::http::{employer, start};

fn last_month() -> Period {
    Period::of(china_date(chrono::Utc::now())).plus(-1)
}

/// A live feed of warning changes, as a browser opens it.
struct Live {
    response: reqwest::Response,
    seen: String,
}

impl Live {
    /// Opens the feed; the answer's head may wait for the first event, so
    /// the request runs on its own task.
    fn open(
        service: &ServiceUnderTest,
        query: &str,
        token: &str,
        after: Option<&str>,
    ) -> tokio::task::JoinHandle<Self> {
        let mut request = reqwest::Client::new()
            .get(format!(
                "{}/v1/warnings/feed{query}",
                service.process().base_url()
            ))
            .bearer_auth(token)
            .header("accept", "text/event-stream");
        if let Some(after) = after {
            request = request.header("last-event-id", after);
        }
        tokio::spawn(async move {
            let response = request.send().await.expect("the feed answers");
            assert_eq!(response.status(), 200);
            assert!(
                response.headers()["content-type"]
                    .to_str()
                    .unwrap()
                    .starts_with("text/event-stream")
            );
            Self {
                response,
                seen: String::new(),
            }
        })
    }

    /// The next whole event: its id and its data as JSON.
    async fn next(&mut self, within: Duration) -> (i64, Value) {
        loop {
            if let Some(end) = self.seen.find("\n\n") {
                let event: String = self.seen.drain(..end + 2).collect();
                let field = |name: &str| {
                    event
                        .lines()
                        .find_map(|line| line.strip_prefix(name))
                        .map(str::to_owned)
                        .unwrap_or_default()
                };
                assert_eq!(field("event: "), "WarningLevelChanged");
                let id = field("id: ").parse().expect("the seq is the id");
                let data = serde_json::from_str(&field("data: ")).expect("the data is JSON");
                return (id, data);
            }
            let chunk = tokio::time::timeout(within, self.response.chunk())
                .await
                .expect("a change arrives in time")
                .expect("a chunk")
                .expect("the stream goes on");
            self.seen.push_str(&String::from_utf8_lossy(&chunk));
        }
    }
}

/// The lines of a JSON-lines page of the feed: each `{seq, change}`.
fn lines(text: &str) -> Vec<(i64, Value)> {
    text.lines()
        .map(|line| {
            let item: Value = serde_json::from_str(line).expect("a JSON line");
            (item["seq"].as_i64().expect("a seq"), item["change"].clone())
        })
        .collect()
}

#[tokio::test]
async fn a_change_of_level_reaches_an_open_feed_at_once_and_a_reader_resumes_after_what_it_saw() {
    let service = start().await;
    let token = Tokens::counsellor("410105");
    let employer = employer(&service, 11, "410105").await;
    let opening = Live::open(&service, "?region=410105", &token, None);
    tokio::time::sleep(Duration::from_millis(300)).await;
    let period = last_month().to_string();
    let sent = Instant::now();
    service
        .http
        .post(
            "/v1/monitoring/reports",
            Some(&token),
            &json!({"employer_id": employer, "period": period, "headcount": 300,
                    "separations": {"quits": 5}, "state": "stopped"}),
        )
        .await
        .expect(201);
    let mut live = opening.await.expect("the feed opens");
    let (seq, change) = live.next(Duration::from_secs(10)).await;
    let waited = sent.elapsed();
    assert!(
        waited < Duration::from_secs(3),
        "the change came after {waited:?}"
    );
    assert_eq!(change["region"], "410105");
    assert_eq!(change["period"], period);
    assert_eq!(
        (change["from"].as_str(), change["to"].as_str()),
        (Some("none"), Some("blue"))
    );
    assert_eq!(
        change["standing"], "blue",
        "the closed month's level stands"
    );
    assert_eq!(change["rule"]["id"], "closures_and_stoppages_seen");
    assert_eq!(change["indicators"]["enterprise_stoppages"], 1);
    assert!(seq > 0);

    // The province reads the county's, the city's and the province's
    // changes as JSON lines, oldest first, and resumes after any of them.
    let province = Tokens::province();
    let everything = service
        .http
        .get("/v1/warnings/feed?region=410000", Some(&province))
        .await
        .expect(200);
    assert!(
        everything
            .header("content-type")
            .unwrap()
            .starts_with("application/x-ndjson")
    );
    let all = lines(&everything.text);
    let regions: Vec<&str> = all
        .iter()
        .map(|(_, change)| change["region"].as_str().unwrap())
        .collect();
    assert_eq!(regions.len(), 3, "{}", everything.text);
    for region in ["410105", "410100", "410000"] {
        assert!(regions.contains(&region), "{region} changed");
    }
    assert!(
        all.windows(2).all(|pair| pair[0].0 < pair[1].0),
        "oldest first"
    );
    let (first, second, third) = (all[0].0, all[1].0, all[2].0);
    assert_eq!(
        everything.header("labex-feed-next"),
        Some(third.to_string().as_str())
    );
    let page = service
        .http
        .get(
            &format!("/v1/warnings/feed?region=410000&after={first}&limit=1"),
            Some(&province),
        )
        .await
        .expect(200);
    assert_eq!(
        lines(&page.text)
            .iter()
            .map(|(seq, _)| *seq)
            .collect::<Vec<_>>(),
        [second]
    );
    assert_eq!(
        page.header("labex-feed-next"),
        Some(second.to_string().as_str())
    );
    let rest = service
        .http
        .get(
            &format!("/v1/warnings/feed?region=410000&after={third}"),
            Some(&province),
        )
        .await
        .expect(200);
    assert_eq!(rest.text, "", "nothing after the last change");
    assert_eq!(rest.header("labex-feed-next"), None);

    // A live reader that reconnects with Last-Event-ID gets what it missed.
    let second_text = second.to_string();
    let mut resumed = Live::open(&service, "?region=410000", &province, Some(&second_text))
        .await
        .expect("the feed opens");
    let (next, _) = resumed.next(Duration::from_secs(10)).await;
    assert_eq!(next, third);
}

#[tokio::test]
async fn bad_query_input_to_the_feed_and_the_warnings_is_a_problem_naming_each_field() {
    let service = start().await;
    let token = Tokens::counsellor("410105");
    let before = service.events(None).await;
    let cases: [(&str, &[&str]); 9] = [
        ("/v1/warnings/feed?region=41", &["region"]),
        ("/v1/warnings/feed?region=419999", &["region"]),
        ("/v1/warnings/feed?after=-1", &["after"]),
        ("/v1/warnings/feed?after=yesterday", &["after"]),
        ("/v1/warnings/feed?limit=5000", &["limit"]),
        (
            "/v1/warnings/feed?region=x&after=x&limit=x",
            &["region", "after", "limit"],
        ),
        ("/v1/warnings?period=2026-13", &["period"]),
        ("/v1/warnings?period=November", &["period"]),
        (
            "/v1/warnings?region=4101&period=26-11",
            &["region", "period"],
        ),
    ];
    for (path, fields) in cases {
        let answer = service
            .http
            .get(path, Some(&token))
            .await
            .expect_problem(400, "invalid_query");
        assert_eq!(answer.error_fields(), *fields, "{path}: {}", answer.text);
        for error in answer.body["errors"].as_array().unwrap() {
            assert!(
                error["detail"]
                    .as_str()
                    .is_some_and(|detail| !detail.is_empty()),
                "{path}: each field says what is wrong"
            );
        }
    }
    let answer = service
        .http
        .get("/v1/warnings/feed?region=419999", Some(&token))
        .await;
    assert_eq!(answer.body["errors"][0]["code"], "division_code.unknown");
    let answer = service
        .http
        .get("/v1/warnings?period=2026-13", Some(&token))
        .await;
    assert_eq!(answer.body["errors"][0]["code"], "period.invalid");
    // Last-Event-ID is read as `after` is.
    let answer = service
        .http
        .send(
            reqwest::Method::GET,
            "/v1/warnings/feed",
            Some(&token),
            None,
            &[("last-event-id", "nope")],
        )
        .await
        .expect_problem(400, "invalid_query");
    assert_eq!(answer.error_fields(), ["after"]);
    // Outside the caller's scope is forbidden, not a bad field.
    service
        .http
        .get("/v1/warnings/feed?region=410300", Some(&token))
        .await
        .expect_problem(403, "forbidden");
    assert_eq!(
        service.events(None).await,
        before,
        "bad input writes nothing"
    );

    // The OpenAPI document says so.
    let openapi = service.http.get("/openapi.json", None).await.expect(200);
    let parameters = |path: &str| -> Vec<String> {
        openapi.body["paths"][path]["get"]["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .map(|parameter| parameter["name"].as_str().unwrap().to_owned())
            .collect()
    };
    assert!(parameters("/v1/warnings").contains(&"period".to_owned()));
    for name in ["region", "after", "limit"] {
        assert!(parameters("/v1/warnings/feed").contains(&name.to_owned()));
    }
    for path in ["/v1/warnings", "/v1/warnings/feed"] {
        assert!(
            openapi.body["paths"][path]["get"]["responses"]["400"].is_object(),
            "{path} documents its 400"
        );
    }
}

#[tokio::test]
async fn the_warnings_of_a_month_are_that_months_and_the_standing_level_is_the_closed_months() {
    let service = start().await;
    let token = Tokens::counsellor("410105");
    let employer = employer(&service, 12, "410105").await;
    let period = last_month();
    service
        .http
        .post(
            "/v1/monitoring/reports",
            Some(&token),
            &json!({"employer_id": employer, "period": period.to_string(), "headcount": 300,
                    "state": "closed"}),
        )
        .await
        .expect(201);
    let mut standing = Value::Null;
    for _ in 0..100 {
        standing = service
            .http
            .get("/v1/warnings?region=410105", Some(&token))
            .await
            .expect(200)
            .body;
        if standing["level"] == "blue" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(standing["level"], "blue", "{standing}");
    assert_eq!(
        standing["items"][0]["period"],
        period.to_string(),
        "the closed month's level stands in the new month"
    );
    assert!(standing.get("period").is_none());
    let month = service
        .http
        .get(
            &format!("/v1/warnings?region=410105&period={period}"),
            Some(&token),
        )
        .await
        .expect(200);
    assert_eq!(month.body["period"], period.to_string());
    assert_eq!(month.body["level"], "blue");
    assert_eq!(
        month.body["items"][0]["rule"]["id"],
        "closures_and_stoppages_seen"
    );
    let before = service
        .http
        .get(
            &format!("/v1/warnings?region=410105&period={}", period.plus(-1)),
            Some(&token),
        )
        .await
        .expect(200);
    assert_eq!(before.body["level"], "none");
    assert_eq!(before.body["items"], json!([]));
}
