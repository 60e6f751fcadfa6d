//! The live feeds' bounds (issue 12): connections in all and per address
//! past which a 429 answers, counted over the vacancy feed and the fairs'
//! feeds together, and a reader of either that stops reading is sent
//! where to resume and disconnected rather than holding the process's
//! store connection.

use std::io::{Read, Write};
use std::time::Duration;

use labex_eventsourcing::kurrentdb::{
    AppendToStreamOptions, EventData, RecordedEvent, StreamState,
};
use labex_testkit::Tokens;
use labex_web::Role;
use serde_json::json;
use serde_json::value::RawValue;
use tokio::task::JoinSet;

use crate::support::{Labex, employer, id_of, vacancy};

/// Items of history for a reader to fall behind on.
const HISTORY: usize = 20_000;
/// The same for a fair's feed, whose items are smaller: more than the
/// kernel's buffers between the two ends (a few megabytes) hold.
const FAIR_HISTORY: usize = 60_000;

/// Sends `request` (`{address}` in it replaced) on a connection with a
/// small receive window, so that what the reader does not take stays at
/// the server; reads until `flowing` shows that items flow, stops reading
/// for five seconds, then reads what is left: the queue, the last word,
/// the end (within 20 s of silence, else the test fails).
async fn read_with_a_pause(labex: &Labex, request: &str, flowing: &'static str) -> String {
    let address = labex.process_url().trim_start_matches("http://").to_owned();
    let request = request.replace("{address}", &address);
    tokio::task::spawn_blocking(move || {
        let socket = socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None)
            .expect("a socket");
        socket.set_recv_buffer_size(4_096).expect("a small buffer");
        let target: std::net::SocketAddr = address.parse().expect("an address");
        socket.connect(&target.into()).expect("connects");
        let mut stream: std::net::TcpStream = socket.into();
        stream
            .write_all(request.as_bytes())
            .expect("the request goes out");
        // Opening the feed and catching up take a while, longer on a busy
        // machine (a fair's feed first loads the fair, here tens of
        // thousands of events in a debug build): the pause begins once
        // items flow, and the first bytes may take a minute or two.
        stream
            .set_read_timeout(Some(Duration::from_secs(180)))
            .expect("a timeout");
        let mut seen = Vec::new();
        let mut chunk = [0_u8; 4_096];
        while !String::from_utf8_lossy(&seen).contains(flowing) {
            let read = stream.read(&mut chunk).expect("the feed sends");
            assert!(read > 0, "the feed ended early");
            seen.extend_from_slice(&chunk[..read]);
        }
        // Once flowing, a server that keeps the reader past its end shows
        // as a read that waits this long.
        stream
            .set_read_timeout(Some(Duration::from_secs(20)))
            .expect("a timeout");
        std::thread::sleep(Duration::from_secs(5));
        let ended = stream.read_to_end(&mut seen);
        assert!(
            ended.is_ok(),
            "the server ends the stream: {ended:?} after {} bytes: {}",
            seen.len(),
            String::from_utf8_lossy(&seen[seen.len().saturating_sub(600)..])
        );
        String::from_utf8_lossy(&seen).into_owned()
    })
    .await
    .expect("the reader ran")
}

/// The last 600 bytes or so of `text`, for a failure's message.
fn tail(text: &str) -> &str {
    let mut at = text.len().saturating_sub(600);
    while !text.is_char_boundary(at) {
        at += 1;
    }
    &text[at..]
}

/// Whether `open` is admitted again within five seconds (a place given
/// back once its reader went away).
async fn admitted_again<F, Opened>(open: F) -> bool
where
    F: Fn() -> Opened,
    Opened: std::future::Future<Output = reqwest::Response>,
{
    for _ in 0..50 {
        if open().await.status() == 200 {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    false
}

/// `count` copies of `original` (new ids, same type, data and metadata)
/// appended to `stream` straight into the store, a thousand at a time.
async fn append_copies(labex: &Labex, stream: &str, original: &RecordedEvent, count: usize) {
    for _ in 0..count / 1_000 {
        let copies: Vec<EventData> = (0..1_000)
            .map(|_| {
                let data = RawValue::from_string(
                    String::from_utf8(original.data.to_vec()).expect("JSON text"),
                )
                .expect("JSON");
                EventData::json(&original.event_type, &data)
                    .expect("an event")
                    .metadata(original.custom_metadata.clone())
            })
            .collect();
        labex
            .store()
            .append_to_stream(
                stream,
                &AppendToStreamOptions::default().stream_state(StreamState::Any),
                copies,
            )
            .await
            .expect("the copies are written");
    }
}

/// Asserts that what a reader `seen` ends with a `lagged` event naming the
/// last item it was sent as where to resume; answers that item's id.
fn told_where_to_resume(seen: &str) -> String {
    assert!(seen.contains("event: lagged"), "{}", tail(seen));
    let lagged = seen.rfind("event: lagged").expect("a lagged event");
    let last_id = seen[..lagged]
        .rmatch_indices("id: ")
        .next()
        .map(|(at, _)| seen[at + 4..].lines().next().unwrap_or_default().to_owned())
        .expect("items came before the last word");
    assert!(
        seen[lagged..].contains(&format!("\"resume_after\": \"{last_id}\"")),
        "the last word names the last item sent: {}",
        &seen[lagged..]
    );
    last_id
}

/// A live feed at `path` opened, as a browser's `EventSource` does.
async fn open_stream(labex: &Labex, path: &str) -> reqwest::Response {
    reqwest::Client::new()
        .get(format!("{}{path}", labex.process_url()))
        .header("accept", "text/event-stream")
        .send()
        .await
        .expect("the feed answers")
}

async fn open_live(labex: &Labex) -> reqwest::Response {
    open_stream(labex, "/v1/vacancies/feed").await
}

#[tokio::test]
async fn live_feeds_past_the_cap_of_an_address_are_refused_until_one_closes() {
    let labex = Labex::start_with(
        "warn",
        &[
            ("LABEX_FEED_MAX_PER_ADDRESS", "2"),
            ("LABEX_FEED_KEEPALIVE_SECONDS", "1"),
        ],
    )
    .await;
    let first = open_live(&labex).await;
    let second = open_live(&labex).await;
    assert_eq!(
        (first.status().as_u16(), second.status().as_u16()),
        (200, 200)
    );

    let third = open_live(&labex).await;
    assert_eq!(third.status(), 429);
    assert_eq!(
        third
            .headers()
            .get("content-type")
            .and_then(|value| value.to_str().ok()),
        Some("application/problem+json")
    );
    assert!(third.headers().get("retry-after").is_some());
    let problem: serde_json::Value = third.json().await.expect("a problem");
    assert_eq!(
        problem["type"],
        "https://labex.example/problems/too_many_requests"
    );

    // Pages of JSON lines are not live feeds: still served.
    labex.http.get("/v1/vacancies/feed", None).await.expect(200);

    // A reader that goes away is noticed at the next keep-alive at the
    // latest, and its place given back.
    drop(first);
    assert!(
        admitted_again(|| open_live(&labex)).await,
        "a closed feed gives its place back"
    );
    drop(second);
}

#[tokio::test]
async fn a_reader_that_falls_behind_is_told_where_to_resume_and_disconnected() {
    let labex = Labex::start_with(
        "warn",
        &[
            ("LABEX_FEED_MAX_BEHIND", "8"),
            ("LABEX_FEED_PATIENCE_MS", "300"),
            // No keep-alive to keep a reader waiting for the end.
            ("LABEX_FEED_KEEPALIVE_SECONDS", "3600"),
        ],
    )
    .await;
    let counsellor = Tokens::counsellor("410105");
    let company = id_of(
        &labex
            .http
            .post("/v1/employers", Some(&counsellor), &employer(71))
            .await
            .expect(201),
    );
    let published = id_of(
        &labex
            .http
            .post("/v1/vacancies", Some(&counsellor), &vacancy(&company, 1))
            .await
            .expect(201),
    );
    // Far more than the socket buffers between the two ends hold (the
    // kernel lets a sender's buffer grow to megabytes): copies of the
    // vacancy's publication, written straight into the store.
    let stream = format!("vacancy-{published}");
    let mut read = labex
        .store()
        .read_stream(stream.as_str(), &Default::default())
        .await
        .expect("the vacancy's stream reads");
    let first = read.next().await.expect("a read").expect("the publication");
    append_copies(&labex, &stream, first.get_original_event(), HISTORY).await;

    let seen = read_with_a_pause(
        &labex,
        "GET /v1/vacancies/feed HTTP/1.1\r\nHost: {address}\r\nAccept: text/event-stream\r\n\r\n",
        "event: VacancyPublished",
    )
    .await;

    let last_id = told_where_to_resume(&seen);
    let published = seen.matches("event: VacancyPublished").count();
    assert!(
        published < HISTORY,
        "the reader was cut off before the end ({published} items)"
    );

    // The process serves on, and the reader can resume from there.
    labex
        .http
        .get(&format!("/v1/vacancies/feed?after={last_id}&limit=5"), None)
        .await
        .expect(200);
}

#[tokio::test]
async fn a_reader_catching_up_from_far_back_is_given_the_whole_history() {
    // Far more history than the queue holds: the store reads it faster than
    // any reader takes it, and a reader that keeps reading is not cut off.
    let labex = Labex::start_with("warn", &[("LABEX_FEED_MAX_BEHIND", "8")]).await;
    let counsellor = Tokens::counsellor("410105");
    let company = id_of(
        &labex
            .http
            .post("/v1/employers", Some(&counsellor), &employer(72))
            .await
            .expect(201),
    );
    let mut publishing = JoinSet::new();
    for _ in 0..4 {
        let http = labex.http.clone();
        let token = counsellor.clone();
        let body = vacancy(&company, 1);
        publishing.spawn(async move {
            for _ in 0..100 {
                http.post("/v1/vacancies", Some(&token), &body)
                    .await
                    .expect(201);
            }
        });
    }
    while publishing.join_next().await.is_some() {}

    let mut feed = open_live(&labex).await;
    assert_eq!(feed.status(), 200);
    let mut seen = String::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    while seen.matches("event: VacancyPublished").count() < 400 {
        let chunk = tokio::time::timeout_at(deadline, feed.chunk())
            .await
            .expect("the whole history within 30 s")
            .expect("the feed reads");
        let Some(chunk) = chunk else {
            break;
        };
        seen.push_str(&String::from_utf8_lossy(&chunk));
    }
    assert!(!seen.contains("event: lagged"), "cut off while catching up");
    assert_eq!(seen.matches("event: VacancyPublished").count(), 400);
}

/// An online fair announced by an organiser of Zhengzhou; its id.
async fn online_fair(labex: &Labex) -> String {
    let organiser = Tokens::issue(Role::Organiser, "410100", None);
    let now = chrono::Utc::now();
    let fair = labex
        .http
        .post(
            "/v1/fairs",
            Some(&organiser),
            &json!({
                "title": "网上招聘会",
                "kind": "online",
                "audience": ["graduate"],
                "region": "410105",
                "link": "https://jobs.example.cn/fair",
                "starts_at": (now + chrono::Duration::hours(1)).to_rfc3339(),
                "ends_at": (now + chrono::Duration::hours(9)).to_rfc3339(),
                "capacity": 500
            }),
        )
        .await
        .expect(201);
    id_of(&fair)
}

async fn open_fair_feed(labex: &Labex, fair: &str) -> reqwest::Response {
    open_stream(labex, &format!("/v1/fairs/{fair}/feed")).await
}

#[tokio::test]
async fn fair_feeds_and_the_vacancy_feed_share_the_cap_of_an_address() {
    let labex = Labex::start_with(
        "warn",
        &[
            ("LABEX_FEED_MAX_PER_ADDRESS", "2"),
            ("LABEX_FEED_KEEPALIVE_SECONDS", "1"),
        ],
    )
    .await;
    let fair = online_fair(&labex).await;
    let vacancies = open_live(&labex).await;
    let first = open_fair_feed(&labex, &fair).await;
    assert_eq!(
        (vacancies.status().as_u16(), first.status().as_u16()),
        (200, 200)
    );
    let refused = open_fair_feed(&labex, &fair).await;
    assert_eq!(refused.status(), 429);
    assert_eq!(
        refused
            .headers()
            .get("content-type")
            .and_then(|value| value.to_str().ok()),
        Some("application/problem+json")
    );
    assert_eq!(open_live(&labex).await.status(), 429);

    // A fair-feed reader that goes away gives its place back.
    drop(first);
    assert!(
        admitted_again(|| open_fair_feed(&labex, &fair)).await,
        "a closed fair feed gives its place back"
    );
    drop(vacancies);
}

#[tokio::test]
async fn a_fair_feed_reader_that_falls_behind_is_told_where_to_resume_and_disconnected() {
    let labex = Labex::start_with(
        "warn",
        &[
            ("LABEX_FEED_MAX_BEHIND", "8"),
            ("LABEX_FEED_PATIENCE_MS", "300"),
            // No keep-alive to keep a reader waiting for the end.
            ("LABEX_FEED_KEEPALIVE_SECONDS", "3600"),
        ],
    )
    .await;
    let fair = online_fair(&labex).await;
    // The fair's announcement, and far more amendments than the socket
    // buffers between the two ends hold, written straight into the
    // store after it: a reader resuming from the announcement has them
    // all to take.
    let amended = labex
        .http
        .patch(
            &format!("/v1/fairs/{fair}"),
            Some(&Tokens::issue(Role::Organiser, "410100", None)),
            &json!({"link": "https://jobs.example.cn/fair-2"}),
        )
        .await;
    assert!(amended.status.is_success(), "{:?}", amended.body);
    let stream = format!("fair-{fair}");
    let mut read = labex
        .store()
        .read_stream(stream.as_str(), &Default::default())
        .await
        .expect("the fair's stream reads");
    let mut events = Vec::new();
    while let Some(event) = read.next().await.expect("a read") {
        events.push(event);
    }
    let announced = events
        .first()
        .expect("the announcement")
        .get_original_event();
    let resume = format!(
        "{}-{}",
        announced.position.commit, announced.position.prepare
    );
    let amendment = events
        .iter()
        .map(|event| event.get_original_event())
        .rfind(|event| event.event_type.contains("Amended"))
        .expect("the amendment");
    append_copies(&labex, &stream, amendment, FAIR_HISTORY).await;

    let request = format!(
        "GET /v1/fairs/{fair}/feed HTTP/1.1\r\nHost: {{address}}\r\nAccept: text/event-stream\r\nLast-Event-ID: {resume}\r\n\r\n"
    );
    let seen = read_with_a_pause(&labex, &request, "event: fair_amended").await;

    told_where_to_resume(&seen);
    let amendments = seen.matches("event: fair_amended").count();
    assert!(
        (1..FAIR_HISTORY).contains(&amendments),
        "the reader was cut off before the end ({amendments} items)"
    );
}
