//! Benchmark of the release `labex` binary (embedded store, fsync on) over
//! HTTP on loopback, loaded from this process.
//!
//! ```text
//! cargo bench -p labex --bench http -- [register|get|search|lag|rebuild|all] [--seconds S] [--clients N] [--rate R] [--vacancies N] [--data DIR]
//! ```
//!
//! - `register`: job-seeker registrations/s from `--clients` (64)
//!   concurrent clients, each sending its next registration as soon as the
//!   last was answered (closed loop), and the p99 of their latency.
//! - `get`: `GET /v1/jobseekers/{id}` at a fixed offered rate (`--rate`,
//!   1,000/s) over registered job seekers, paced open-loop: each request is
//!   due at its own time whether or not the ones before it were answered,
//!   and its latency counts from that time.
//!
//! - `search`: publishes `--vacancies` (50,000) generated Chinese vacancies
//!   (occupations of the national classification, Henan division codes)
//!   over HTTP, waits until all are searchable, then runs the mixed query
//!   set of the search library's benchmark (text with region, salary, sort
//!   and facets) from up to 16 closed-loop clients: searches/s and latency.
//! - `rebuild`: writes `--vacancies` generated vacancies straight into a
//!   `labex-store` (one stream each, 32 appenders), then times
//!   `labex reindex` rebuilding the search index from that store:
//!   vacancies/s, and the index's size (build `labex-store` in release
//!   first: `cargo build --release -p labex-store`); then serves that data
//!   and runs `search` and `lag` on it. `--data DIR` keeps the data in
//!   `DIR`; a `DIR` that already holds it is served again without
//!   writing or rebuilding anything.
//! - `lag`: publishes vacancies at 50/s, each with a word of its own in the
//!   title, and times from its `201` to the moment a search finds it.
//!
//! Wherever searches run (`search`, `rebuild`), two more loads follow on
//! the same index: type-ahead (`/v1/vacancies/complete`, prefixes of
//! occupations in characters and in pinyin) at 200/s open loop, target p99
//! ≤ 10 ms; and a job fair (招聘会) an organiser announces, to which 5,000
//! employers each bring a new vacancy, searched with `?fair=` (alone, with
//! words, with a salary floor) at 100/s open loop, target p99 ≤ 20 ms.
//!
//! With `--secure`, `labex` runs on a `labex-store` of its own with TLS
//! and a user's credentials on every call (the store's test
//! certificates), as a store beyond loopback runs, rather than on the
//! embedded store: the same phases then say what TLS and authentication
//! cost.
//!
//! The bench profile builds the binary with optimisations
//! (`target/release/labex`); `LABEX_BIN` picks another binary.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use hdrhistogram::Histogram;
use labex_testkit::{Process, SECRET, Tokens, folder_size, resident_memory, temporary_folder};
use labex_web::Role;
use serde_json::{Value, json};

mod support;

use support::{
    Random, Vocabulary, binary, machine, queries, register_employer, registration, run_number,
    serve,
};

const TARGET_REGISTRATIONS_PER_SECOND: f64 = 3_000.0;
const TARGET_P99_REGISTRATION: Duration = Duration::from_millis(50);
const TARGET_P99_GET: Duration = Duration::from_millis(5);

const TARGET_SEARCHES_PER_SECOND: f64 = 400.0;
const TARGET_REBUILD_PER_SECOND: f64 = 5_000.0;
/// Closed-loop search clients (at most): enough to keep two cores busy
/// without queueing every request behind sixty others.
const SEARCH_CLIENTS: usize = 16;
const TARGET_P99_SEARCH: Duration = Duration::from_millis(50);
const TARGET_COMPLETIONS_PER_SECOND: f64 = 200.0;
const TARGET_P99_COMPLETE: Duration = Duration::from_millis(10);
const FAIR_EXHIBITORS: u64 = 5_000;
const FAIR_SEARCHES_PER_SECOND: f64 = 100.0;
const TARGET_P99_FAIR_SEARCH: Duration = Duration::from_millis(20);
const TARGET_P50_LAG: Duration = Duration::from_millis(100);
const TARGET_P99_LAG: Duration = Duration::from_millis(300);

#[derive(Debug, Clone)]
struct Settings {
    register: bool,
    get: bool,
    search: bool,
    lag: bool,
    rebuild: bool,
    vacancies: u64,
    seconds: u64,
    clients: usize,
    rate: u64,
    /// Where `rebuild` keeps its data (a temporary folder unless given);
    /// a folder that already holds a rebuilt index is served as it is.
    data: Option<PathBuf>,
    /// `labex` on a store of its own with TLS and users (`--secure`)
    /// rather than the embedded one.
    secure: bool,
}

fn usage() -> ! {
    eprintln!(
        "usage: cargo bench -p labex --bench http -- [register|get|search|lag|rebuild|all] [--seconds S] [--clients N] [--rate R] [--vacancies N] [--data DIR] [--secure]"
    );
    std::process::exit(2)
}

fn settings() -> Settings {
    let mut settings = Settings {
        register: false,
        get: false,
        search: false,
        lag: false,
        rebuild: false,
        vacancies: 50_000,
        seconds: 20,
        clients: 64,
        rate: 1_000,
        data: None,
        secure: false,
    };
    let mut args = std::env::args().skip(1);
    let number = |value: Option<String>| -> u64 {
        value
            .and_then(|value| value.replace('_', "").parse().ok())
            .unwrap_or_else(|| usage())
    };
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "register" => settings.register = true,
            "get" => settings.get = true,
            "search" => settings.search = true,
            "lag" => settings.lag = true,
            "rebuild" => settings.rebuild = true,
            "all" => {
                settings.register = true;
                settings.get = true;
                settings.search = true;
                settings.lag = true;
                settings.rebuild = true;
            }
            "--vacancies" => settings.vacancies = number(args.next()),
            "--seconds" => settings.seconds = number(args.next()),
            "--clients" => settings.clients = number(args.next()) as usize,
            "--rate" => settings.rate = number(args.next()),
            "--data" => settings.data = Some(args.next().unwrap_or_else(|| usage()).into()),
            "--secure" => settings.secure = true,
            "--bench" => {}
            _ => usage(),
        }
    }
    if !settings.register && !settings.get && !settings.search && !settings.lag && !settings.rebuild
    {
        settings.register = true;
        settings.get = true;
        settings.search = true;
        settings.lag = true;
    }
    settings
}

fn millis(duration: u64) -> f64 {
    duration as f64 / 1_000.0
}

struct Counter {
    next: AtomicU64,
}

async fn register_load(
    base: &str,
    settings: &Settings,
    counter: Arc<Counter>,
) -> (f64, Histogram<u64>, u64, Vec<String>) {
    let token = Tokens::counsellor("410105");
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(settings.clients)
        .build()
        .expect("a client");
    let stop = Arc::new(AtomicBool::new(false));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..settings.clients {
        let client = client.clone();
        let token = token.clone();
        let stop = stop.clone();
        let counter = counter.clone();
        let url = format!("{base}/v1/jobseekers");
        tasks.push(tokio::spawn(async move {
            let mut histogram = Histogram::<u64>::new(3).expect("a histogram");
            let mut failures = 0_u64;
            let mut ids = Vec::new();
            while !stop.load(Ordering::Relaxed) {
                let n = counter.next.fetch_add(1, Ordering::Relaxed);
                let body = registration(n);
                let sent = Instant::now();
                let answer = client
                    .post(&url)
                    .bearer_auth(&token)
                    .json(&body)
                    .send()
                    .await;
                let elapsed = sent.elapsed();
                match answer {
                    Ok(response) if response.status().as_u16() == 201 => {
                        if let Ok(created) = response.json::<Value>().await
                            && let Some(id) = created["id"].as_str()
                            && ids.len() < 2_000
                        {
                            ids.push(id.to_owned());
                        }
                        histogram
                            .record(elapsed.as_micros() as u64)
                            .expect("in range");
                    }
                    Ok(response) => {
                        failures += 1;
                        if failures < 3 {
                            eprintln!(
                                "registration answered {}: {}",
                                response.status(),
                                response.text().await.unwrap_or_default()
                            );
                        }
                    }
                    Err(error) => {
                        failures += 1;
                        if failures < 3 {
                            eprintln!("registration failed: {error}");
                        }
                    }
                }
            }
            (histogram, failures, ids)
        }));
    }
    tokio::time::sleep(Duration::from_secs(settings.seconds)).await;
    stop.store(true, Ordering::Relaxed);
    let mut histogram = Histogram::<u64>::new(3).expect("a histogram");
    let mut failures = 0;
    let mut ids = Vec::new();
    for task in tasks {
        let (part, failed, some_ids) = task.await.expect("a load task");
        histogram.add(part).expect("compatible histograms");
        failures += failed;
        ids.extend(some_ids);
    }
    let elapsed = started.elapsed().as_secs_f64();
    (histogram.len() as f64 / elapsed, histogram, failures, ids)
}

/// Waits until every projection has caught up with the writes of the
/// phase before (the search index takes a while after 60,000
/// registrations), so that the next phase measures a steady state.
async fn settle(base: &str) {
    let client = reqwest::Client::new();
    let started = Instant::now();
    loop {
        let ready = client
            .get(format!("{base}/readyz"))
            .send()
            .await
            .is_ok_and(|response| response.status().is_success());
        let metrics = client.get(format!("{base}/metrics")).send().await.ok();
        let text = match metrics {
            Some(response) => response.text().await.unwrap_or_default(),
            None => String::new(),
        };
        let lagging = text
            .lines()
            .filter(|line| line.starts_with("labex_projection_lag_events"))
            .any(|line| !line.trim_end().ends_with(" 0"));
        if ready && !lagging {
            break;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    tokio::time::sleep(Duration::from_secs(3)).await;
    println!(
        "    (projections caught up {:.1} s after the phase ended)",
        started.elapsed().as_secs_f64() - 3.0
    );
}

/// What the access log wrote and dropped of the reads so far (every `GET`
/// of the phase is a counsellor's, so each is logged, in batches).
async fn report_access_log(base: &str) {
    // Give the writer its linger to append the last batch.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let text = match reqwest::get(format!("{base}/metrics")).await {
        Ok(response) => response.text().await.unwrap_or_default(),
        Err(_) => String::new(),
    };
    let series = |name: &str| {
        text.lines()
            .find_map(|line| line.strip_prefix(name)?.strip_prefix(' '))
            .map_or_else(|| "?".to_owned(), |value| value.trim().to_owned())
    };
    println!(
        "    access log: {} reads written, {} dropped",
        series("labex_access_log_reads_written_total"),
        series("labex_access_log_reads_dropped_total")
    );
}

/// Whose reads a `GET` phase makes.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Readers {
    /// A counsellor's: each read is recorded in the access log.
    Staff,
    /// Each job seeker reading their own record: not recorded.
    Themselves,
}

/// `GET`s at the offered rate, over `ids` from `offset` on (so that two
/// phases can read disjoint job seekers, neither warmed by the other).
async fn get_load(
    base: &str,
    settings: &Settings,
    ids: &[String],
    readers: Readers,
    offset: usize,
) -> (Histogram<u64>, u64, u64) {
    let staff = Tokens::counsellor("410105");
    let total = settings.rate * settings.seconds;
    let picked: Vec<&String> = (0..total as usize)
        .map(|index| &ids[(offset + index) % ids.len()])
        .collect();
    let issuer = labex_web::TokenIssuer::new(SECRET.as_bytes());
    let office = labex_domain::value::DivisionCode::parse("410105").expect("a division code");
    let tokens: Vec<String> = picked
        .iter()
        .map(|id| match readers {
            Readers::Staff => staff.clone(),
            Readers::Themselves => issuer.issue(
                id.as_str(),
                labex_web::Role::Jobseeker,
                office.clone(),
                None,
                Duration::from_secs(3600),
            ),
        })
        .collect();
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(256)
        .build()
        .expect("a client");
    let (_, histogram, failures) = open_loop(settings.rate as f64, total, |index| {
        let client = client.clone();
        let token = tokens[index as usize].clone();
        let url = format!("{base}/v1/jobseekers/{}", picked[index as usize]);
        async move {
            match client.get(&url).bearer_auth(&token).send().await {
                Ok(response) => {
                    let status = response.status().as_u16();
                    status == 200 && response.bytes().await.is_ok()
                }
                Err(_) => false,
            }
        }
    })
    .await;
    (histogram, failures, total)
}

/// `total` requests at `rate` a second, paced open-loop: request `index`
/// is due at its own time whether or not the ones before it were
/// answered, and its latency counts from that time (so a stall shows in
/// every request it delays). Answers how long after the first due time the
/// last answer came, the latencies of the answered requests and how many
/// failed.
async fn open_loop<F>(
    rate: f64,
    total: u64,
    request: impl Fn(u64) -> F,
) -> (Duration, Histogram<u64>, u64)
where
    F: std::future::Future<Output = bool> + Send + 'static,
{
    let interval = Duration::from_secs_f64(1.0 / rate);
    let started = Instant::now();
    let mut tasks = Vec::with_capacity(total as usize);
    for index in 0..total {
        let due = started + interval.mul_f64(index as f64);
        tokio::time::sleep_until(due.into()).await;
        let answered = request(index);
        tasks.push(tokio::spawn(async move {
            let ok = answered.await;
            (due.elapsed(), ok)
        }));
    }
    let mut histogram = Histogram::<u64>::new(3).expect("a histogram");
    let mut failures = 0;
    for task in tasks {
        let (latency, ok) = task.await.expect("a request task");
        if ok {
            histogram
                .record(latency.as_micros() as u64)
                .expect("in range");
        } else {
            failures += 1;
        }
    }
    (started.elapsed(), histogram, failures)
}

async fn search_total(client: &reqwest::Client, base: &str) -> u64 {
    let answer = client
        .get(format!("{base}/v1/vacancies/search?limit=1&status=all"))
        .send()
        .await
        .expect("search answers");
    let body: Value = answer.json().await.expect("a JSON answer");
    body["total"].as_u64().unwrap_or(0)
}

/// Publishes `count` generated vacancies from `clients` closed-loop
/// clients and waits until search finds them all.
async fn publish_vacancies(base: &str, settings: &Settings) -> (f64, Duration) {
    let token = Tokens::counsellor("410105");
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(settings.clients)
        .build()
        .expect("a client");
    let employer = register_employer(&client, base, &token, 77).await;
    let vocabulary = Arc::new(Vocabulary::load());
    let next = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for worker in 0..settings.clients {
        let client = client.clone();
        let token = token.clone();
        let employer = employer.clone();
        let vocabulary = vocabulary.clone();
        let next = next.clone();
        let url = format!("{base}/v1/vacancies");
        let count = settings.vacancies;
        tasks.push(tokio::spawn(async move {
            let mut random = Random(2026 + worker as u64);
            while next.fetch_add(1, Ordering::Relaxed) < count {
                let body = vocabulary.vacancy(&mut random, &employer, "");
                let answer = client
                    .post(&url)
                    .bearer_auth(&token)
                    .json(&body)
                    .send()
                    .await;
                match answer {
                    Ok(response) if response.status().as_u16() == 201 => {}
                    Ok(response) => eprintln!(
                        "publishing answered {}: {}",
                        response.status(),
                        response.text().await.unwrap_or_default()
                    ),
                    Err(error) => eprintln!("publishing failed: {error}"),
                }
            }
        }));
    }
    for task in tasks {
        task.await.expect("a publisher");
    }
    let published = started.elapsed();
    let rate = settings.vacancies as f64 / published.as_secs_f64();
    let waiting = Instant::now();
    while search_total(&client, base).await < settings.vacancies {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    (rate, waiting.elapsed())
}

/// Closed loop: up to 16 clients, each sending its next search as soon as
/// the last was answered, for as long as asked: how many searches/s the
/// service answers at most.
async fn search_capacity(base: &str, settings: &Settings) -> (f64, Histogram<u64>, u64) {
    let clients = settings.clients.min(SEARCH_CLIENTS);
    let vocabulary = Vocabulary::load();
    let queries = Arc::new(queries(&vocabulary, 2_000));
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(settings.clients)
        .build()
        .expect("a client");
    let stop = Arc::new(AtomicBool::new(false));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for worker in 0..clients {
        let client = client.clone();
        let stop = stop.clone();
        let queries = queries.clone();
        let url = format!("{base}/v1/vacancies/search");
        tasks.push(tokio::spawn(async move {
            let mut histogram = Histogram::<u64>::new(3).expect("a histogram");
            let mut failures = 0;
            let mut index = worker * 31;
            while !stop.load(Ordering::Relaxed) {
                let query = &queries[index % queries.len()];
                index += 1;
                let sent = Instant::now();
                if search_once(&client, &url, query).await {
                    histogram
                        .record(sent.elapsed().as_micros() as u64)
                        .expect("in range");
                } else {
                    failures += 1;
                }
            }
            (histogram, failures)
        }));
    }
    tokio::time::sleep(Duration::from_secs(settings.seconds)).await;
    stop.store(true, Ordering::Relaxed);
    let mut histogram = Histogram::<u64>::new(3).expect("a histogram");
    let mut failures = 0;
    for task in tasks {
        let (part, failed) = task.await.expect("a search client");
        histogram.add(part).expect("compatible histograms");
        failures += failed;
    }
    (
        histogram.len() as f64 / started.elapsed().as_secs_f64(),
        histogram,
        failures,
    )
}

/// Searches at the target rate, open loop ([`open_loop`]).
async fn search_at_rate(base: &str, settings: &Settings) -> (Duration, Histogram<u64>, u64) {
    let vocabulary = Vocabulary::load();
    let queries = queries(&vocabulary, 2_000);
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(256)
        .build()
        .expect("a client");
    let url = format!("{base}/v1/vacancies/search");
    let rate = TARGET_SEARCHES_PER_SECOND;
    open_loop(rate, (rate as u64) * settings.seconds, |index| {
        let client = client.clone();
        let url = url.clone();
        let query = queries[index as usize % queries.len()].clone();
        async move { search_once(&client, &url, &query).await }
    })
    .await
}

/// One search; whether it was answered `200` with a whole body.
async fn search_once(client: &reqwest::Client, url: &str, query: &[(&str, String)]) -> bool {
    match client.get(url).query(query).send().await {
        Ok(response) => response.status().as_u16() == 200 && response.bytes().await.is_ok(),
        Err(_) => false,
    }
}

/// Publishes vacancies at 50/s, each with a word of its own, and times
/// from each `201` until a search finds it.
async fn lag_load(base: &str, settings: &Settings) -> (Histogram<u64>, u64) {
    const RATE: u64 = 50;
    let token = Tokens::counsellor("410105");
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(64)
        .build()
        .expect("a client");
    let employer = register_employer(&client, base, &token, 78).await;
    let vocabulary = Arc::new(Vocabulary::load());
    let interval = Duration::from_millis(1_000 / RATE);
    let total = RATE * settings.seconds;
    let run = run_number();
    let started = Instant::now();
    let mut tasks = Vec::new();
    for index in 0..total {
        tokio::time::sleep_until((started + interval * index as u32).into()).await;
        let client = client.clone();
        let token = token.clone();
        let employer = employer.clone();
        let vocabulary = vocabulary.clone();
        let base = base.to_owned();
        tasks.push(tokio::spawn(async move {
            let word = format!("probe{run}n{index}x");
            let mut random = Random(index);
            let body = vocabulary.vacancy(&mut random, &employer, &format!(" {word}"));
            let answer = client
                .post(format!("{base}/v1/vacancies"))
                .bearer_auth(&token)
                .json(&body)
                .send()
                .await
                .ok()?;
            if answer.status().as_u16() != 201 {
                return None;
            }
            let acknowledged = Instant::now();
            while acknowledged.elapsed() < Duration::from_secs(5) {
                let found = client
                    .get(format!("{base}/v1/vacancies/search"))
                    .query(&[("q", word.as_str()), ("limit", "1")])
                    .send()
                    .await
                    .ok()?
                    .json::<Value>()
                    .await
                    .ok()?;
                if found["total"].as_u64().unwrap_or(0) > 0 {
                    return Some(acknowledged.elapsed());
                }
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
            None
        }));
    }
    let mut histogram = Histogram::<u64>::new(3).expect("a histogram");
    let mut failures = 0;
    for task in tasks {
        match task.await.expect("a probe") {
            Some(lag) => histogram.record(lag.as_micros() as u64).expect("in range"),
            None => failures += 1,
        }
    }
    (histogram, failures)
}

/// The `VacancyPublished` event of a generated vacancy, as the store
/// keeps it.
fn published_event(body: &Value, n: u64) -> kurrentdb::EventData {
    let vacancy_id = uuid::Uuid::now_v7();
    let event = json!({
        "vacancy_id": vacancy_id,
        "employer_id": body["employer_id"],
        "details": {
            "title": body["title"],
            "description": body["description"],
            "occupation": body["occupation"],
            "region": body["region"],
            "salary": {"min_yuan": body["salary_min_yuan"], "max_yuan": body["salary_max_yuan"]},
            "headcount": body["headcount"],
            "education": body["education"],
            "experience_years": body["experience_years"],
            "welcomes": body["welcomes"],
            "public_welfare": body["public_welfare"],
            "closes_at": null
        },
        "published_at": chrono::Utc::now().to_rfc3339()
    });
    let published: labex_domain::vacancy::VacancyPublished =
        serde_json::from_value(event).expect("a generated vacancy is valid");
    let context = labex_eventsourcing::EventContext::for_request(
        uuid::Uuid::now_v7(),
        format!("benchmark-{n}"),
        None,
    );
    labex_eventsourcing::event_data(
        &labex_domain::vacancy::VacancyEvent::Published(published),
        uuid::Uuid::now_v7(),
        &context,
    )
}

async fn rebuild(settings: &Settings) {
    let temporary = temporary_folder("labex-rebuild-bench-");
    let data = settings
        .data
        .clone()
        .unwrap_or_else(|| temporary.path().to_owned());
    let folder = data.to_str().expect("a UTF-8 path").to_owned();
    if data.join("matching").join("index").exists() {
        println!("rebuild: serving the data already in {folder}");
    } else {
        write_and_reindex(settings, &data).await;
    }

    // The same data served by labex: search and lag on the large index.
    let process = serve(&binary(), &folder);
    let base = process.base_url();
    settle(&base).await;
    println!(
        "search on the rebuilt index of {} vacancies:",
        settings.vacancies
    );
    report_search(&base, settings).await;
    report_complete(&base, settings).await;
    report_fair(&base, settings).await;
    report_lag(lag_load(&base, settings).await);
    let (rss, peak) = resident_memory(process.pid());
    println!(
        "labex resident memory after searching and publishing: {} MiB (peak {} MiB)",
        rss >> 20,
        peak >> 20
    );
    println!("labex stopped on SIGTERM: {}", process.stop());
}

/// Writes the generated vacancies straight into a store in `data`, then
/// times `labex reindex` building the search index from it.
async fn write_and_reindex(settings: &Settings, data: &std::path::Path) {
    let folder = data.to_str().expect("a UTF-8 path").to_owned();
    let store = Process::start(
        &labex_testkit::binary("labex-store"),
        &[
            "--data",
            &folder,
            "--listen",
            "127.0.0.1:0",
            "--log",
            "warn",
        ],
        &[],
    );
    let client = kurrentdb::Client::new(
        format!("esdb://{}?tls=false&discoveryInterval=10", store.address())
            .parse()
            .expect("a connection string"),
    )
    .expect("a client");
    let vocabulary = Arc::new(Vocabulary::load());
    let next = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for worker in 0..32_u64 {
        let client = client.clone();
        let vocabulary = vocabulary.clone();
        let next = next.clone();
        let count = settings.vacancies;
        tasks.push(tokio::spawn(async move {
            let mut random = Random(9_000 + worker);
            let employer = uuid::Uuid::now_v7().to_string();
            let options = kurrentdb::AppendToStreamOptions::default()
                .stream_state(kurrentdb::StreamState::NoStream);
            loop {
                let n = next.fetch_add(1, Ordering::Relaxed);
                if n >= count {
                    break;
                }
                let body = vocabulary.vacancy(&mut random, &employer, "");
                let event = published_event(&body, n);
                let stream = format!("vacancy-{}", uuid::Uuid::now_v7());
                client
                    .append_to_stream(stream, &options, event)
                    .await
                    .expect("the store takes the vacancy");
            }
        }));
    }
    for task in tasks {
        task.await.expect("an appender");
    }
    println!(
        "rebuild: {} vacancies written to the store in {:.1} s",
        settings.vacancies,
        started.elapsed().as_secs_f64()
    );
    assert!(store.stop().success());
    let started = Instant::now();
    let output = std::process::Command::new(binary())
        .arg("reindex")
        .env("LABEX_DATA", &folder)
        .env("LABEX_LOG", "warn")
        .output()
        .expect("labex reindex runs");
    let elapsed = started.elapsed().as_secs_f64();
    assert!(
        output.status.success(),
        "labex reindex failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let rate = settings.vacancies as f64 / elapsed;
    let size = folder_size(&data.join("matching").join("index"));
    println!(
        "    labex reindex: {elapsed:.1} s, {rate:.0} vacancies/s (store opened, replayed, indexed, committed, swapped in); index {:.0} MB",
        size as f64 / 1e6
    );
    println!(
        "    target >= {TARGET_REBUILD_PER_SECOND:.0} vacancies/s: {}",
        verdict(rate >= TARGET_REBUILD_PER_SECOND)
    );
}

/// Both search loads, one after the other, and the verdict: the target
/// rate sustained with its p99 in bounds.
async fn report_search(base: &str, settings: &Settings) {
    let (rate, histogram, failures) = search_capacity(base, settings).await;
    println!(
        "    closed loop, {} clients, {} s: {rate:.0} searches/s at most ({failures} failed); latency p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        settings.clients.min(SEARCH_CLIENTS),
        settings.seconds,
        millis(histogram.value_at_quantile(0.50)),
        millis(histogram.value_at_quantile(0.99)),
        millis(histogram.max())
    );
    let (lasted, histogram, failures) = search_at_rate(base, settings).await;
    let p99 = millis(histogram.value_at_quantile(0.99));
    let offered = TARGET_SEARCHES_PER_SECOND as u64 * settings.seconds;
    let answered = histogram.len();
    println!(
        "    open loop, {TARGET_SEARCHES_PER_SECOND:.0} searches/s offered for {} s: {answered} of {offered} answered ({failures} failed), the last {:.3} s after the first was due; latency from each search's due time p50 {:.2} ms, p90 {:.2} ms, p99 {p99:.2} ms, max {:.2} ms",
        settings.seconds,
        lasted.as_secs_f64(),
        millis(histogram.value_at_quantile(0.50)),
        millis(histogram.value_at_quantile(0.90)),
        millis(histogram.max())
    );
    // Kept pace: every search answered, and the last no later after the
    // offering ended than the latency bound.
    let kept_pace = answered == offered
        && failures == 0
        && lasted <= Duration::from_secs(settings.seconds) + TARGET_P99_SEARCH;
    println!(
        "    target >= {TARGET_SEARCHES_PER_SECOND:.0}/s sustained: {}; p99 <= {} ms: {}",
        verdict(kept_pace),
        TARGET_P99_SEARCH.as_millis(),
        verdict(p99 <= TARGET_P99_SEARCH.as_secs_f64() * 1_000.0)
    );
}

/// Prefixes as people type them into the search box: the first one or two
/// characters of an occupation, or the start of its pinyin.
fn prefixes(vocabulary: &Vocabulary, count: usize) -> Vec<String> {
    const PINYIN: [&str; 12] = [
        "g", "gong", "kuai", "kuaiji", "si", "siji", "dian", "diangong", "xiao", "xiaoshou", "ch",
        "chu",
    ];
    let mut random = Random(11);
    (0..count)
        .map(|_| match random.below(3) {
            0 => random.pick(&PINYIN).to_string(),
            taken => {
                let (occupation, _) = random.pick(&vocabulary.occupations);
                occupation.chars().take(taken).collect()
            }
        })
        .collect()
}

/// Type-ahead at its target rate, open loop, and the verdict.
async fn report_complete(base: &str, settings: &Settings) {
    let vocabulary = Vocabulary::load();
    let prefixes = prefixes(&vocabulary, 2_000);
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(64)
        .build()
        .expect("a client");
    let url = format!("{base}/v1/vacancies/complete");
    let rate = TARGET_COMPLETIONS_PER_SECOND;
    let (lasted, histogram, failures) =
        open_loop(rate, (rate as u64) * settings.seconds, |index| {
            let client = client.clone();
            let url = url.clone();
            let query = vec![("q", prefixes[index as usize % prefixes.len()].clone())];
            async move { search_once(&client, &url, &query).await }
        })
        .await;
    let p99 = millis(histogram.value_at_quantile(0.99));
    println!(
        "type-ahead: {rate:.0}/s offered for {} s: {} answered ({failures} failed), the last {:.3} s after the first was due; p50 {:.2} ms, p99 {p99:.2} ms, max {:.2} ms",
        settings.seconds,
        histogram.len(),
        lasted.as_secs_f64(),
        millis(histogram.value_at_quantile(0.50)),
        millis(histogram.max())
    );
    println!(
        "    target p99 <= {} ms: {}",
        TARGET_P99_COMPLETE.as_millis(),
        verdict(p99 <= TARGET_P99_COMPLETE.as_secs_f64() * 1_000.0 && failures == 0)
    );
}

/// A fair an organiser of Zhengzhou announces for tomorrow; its id.
async fn announce_fair(client: &reqwest::Client, base: &str, organiser: &str) -> String {
    let tomorrow = chrono::Utc::now() + chrono::Duration::days(1);
    let answer = client
        .post(format!("{base}/v1/fairs"))
        .bearer_auth(organiser)
        .json(&json!({
            "title": "2027年春风行动大型招聘会",
            "kind": "onsite",
            "audience": ["graduate", "migrant_worker"],
            "region": "410105",
            "venue": "郑州国际会展中心",
            "starts_at": tomorrow.to_rfc3339(),
            "ends_at": (tomorrow + chrono::Duration::hours(8)).to_rfc3339(),
            "capacity": 20_000,
            "campaign": "春风行动"
        }))
        .send()
        .await
        .expect("the fair is announced");
    assert_eq!(answer.status().as_u16(), 201, "announcing the fair");
    let body: Value = answer.json().await.expect("a JSON answer");
    body["id"].as_str().expect("a fair id").to_owned()
}

/// An employer registered for the fair: a credit code no other run on the
/// same data has taken (drawn again when one has).
async fn register_exhibitor(
    client: &reqwest::Client,
    base: &str,
    token: &str,
    random: &mut Random,
) -> String {
    for _ in 0..20 {
        let answer = client
            .post(format!("{base}/v1/employers"))
            .bearer_auth(token)
            .json(&json!({
                "name": "河南省春风招聘参展有限公司",
                "credit_code": labex_testkit::credit_code(random.next()),
                "region": "410105",
                "industry": "制造业"
            }))
            .send()
            .await
            .expect("the employer is registered");
        if answer.status().as_u16() == 201 {
            let body: Value = answer.json().await.expect("a JSON answer");
            return body["id"].as_str().expect("an employer id").to_owned();
        }
    }
    panic!("no free credit code in twenty draws")
}

/// Announces a fair and has `FAIR_EXHIBITORS` employers each bring a new
/// vacancy to it (the organiser publishing it with the stand), from
/// `settings.clients` closed-loop clients; waits until a search of the
/// fair finds them all. The fair's id.
async fn fair_with_exhibitors(base: &str, settings: &Settings) -> String {
    let counsellor = Tokens::counsellor("410105");
    let organiser = Tokens::issue(Role::Organiser, "410100", None);
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(settings.clients)
        .build()
        .expect("a client");
    let fair = announce_fair(&client, base, &organiser).await;
    let vocabulary = Arc::new(Vocabulary::load());
    let next = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for worker in 0..settings.clients.min(SEARCH_CLIENTS) {
        let (client, counsellor, organiser) =
            (client.clone(), counsellor.clone(), organiser.clone());
        let (vocabulary, next, base, fair) = (
            vocabulary.clone(),
            next.clone(),
            base.to_owned(),
            fair.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let mut random = Random(run_number() * 1_000 + worker as u64);
            let mut conflicts = 0_u64;
            while next.fetch_add(1, Ordering::Relaxed) < FAIR_EXHIBITORS {
                let employer = register_exhibitor(&client, &base, &counsellor, &mut random).await;
                let vacancy = vocabulary.vacancy(&mut random, &employer, "");
                let body = json!({"employer_id": employer, "new_vacancies": [vacancy]});
                // Every stand is a change of the one fair: concurrent ones
                // may lose the race, and the answer (409) says to retry.
                let mut tries = 0;
                loop {
                    let answer = client
                        .post(format!("{base}/v1/fairs/{fair}/exhibitors"))
                        .bearer_auth(&organiser)
                        .json(&body)
                        .send()
                        .await
                        .expect("the stand is taken");
                    let status = answer.status().as_u16();
                    if status == 409 && tries < 20 {
                        tries += 1;
                        conflicts += 1;
                        tokio::time::sleep(Duration::from_millis(5 * tries)).await;
                        continue;
                    }
                    assert_eq!(
                        status,
                        200,
                        "exhibiting: {}",
                        answer.text().await.unwrap_or_default()
                    );
                    break;
                }
            }
            conflicts
        }));
    }
    let mut conflicts = 0;
    for task in tasks {
        conflicts += task.await.expect("an exhibitor");
    }
    let taken = started.elapsed();
    let waiting = Instant::now();
    let url = format!("{base}/v1/vacancies/search?fair={fair}&limit=1");
    loop {
        let answer = client.get(&url).send().await.expect("search answers");
        let body: Value = answer.json().await.unwrap_or_default();
        if body["total"].as_u64() == Some(FAIR_EXHIBITORS) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    println!(
        "fair: {FAIR_EXHIBITORS} exhibitors registered and at their stands with a new vacancy each in {:.1} s ({conflicts} stands retried after a 409); all found by the fair's search {:.2} s after the last",
        taken.as_secs_f64(),
        waiting.elapsed().as_secs_f64()
    );
    fair
}

/// Searches of one fair's vacancies at their rate, open loop: a third the
/// fair alone, a third with an occupation's words, a third with a salary
/// floor (and newest first); the verdict.
async fn report_fair(base: &str, settings: &Settings) {
    let fair = fair_with_exhibitors(base, settings).await;
    let vocabulary = Vocabulary::load();
    let mut random = Random(13);
    let queries: Vec<Vec<(&str, String)>> = (0..1_000)
        .map(|_| {
            let mut query = vec![("fair", fair.clone())];
            match random.below(3) {
                0 => {}
                1 => query.push(("q", random.pick(&vocabulary.occupations).0.clone())),
                _ => {
                    let floor = 3_000 + 500 * random.below(10);
                    query.push(("salary_min_yuan", floor.to_string()));
                    query.push(("sort", "newest".to_owned()));
                }
            }
            query
        })
        .collect();
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(64)
        .build()
        .expect("a client");
    let url = format!("{base}/v1/vacancies/search");
    let rate = FAIR_SEARCHES_PER_SECOND;
    let (lasted, histogram, failures) =
        open_loop(rate, (rate as u64) * settings.seconds, |index| {
            let client = client.clone();
            let url = url.clone();
            let query = queries[index as usize % queries.len()].clone();
            async move { search_once(&client, &url, &query).await }
        })
        .await;
    let p99 = millis(histogram.value_at_quantile(0.99));
    println!(
        "    the fair's search, {rate:.0}/s offered for {} s: {} answered ({failures} failed), the last {:.3} s after the first was due; p50 {:.2} ms, p99 {p99:.2} ms, max {:.2} ms",
        settings.seconds,
        histogram.len(),
        lasted.as_secs_f64(),
        millis(histogram.value_at_quantile(0.50)),
        millis(histogram.max())
    );
    println!(
        "    target p99 <= {} ms: {}",
        TARGET_P99_FAIR_SEARCH.as_millis(),
        verdict(p99 <= TARGET_P99_FAIR_SEARCH.as_secs_f64() * 1_000.0 && failures == 0)
    );
}

fn report_lag((histogram, failures): (Histogram<u64>, u64)) {
    let p50 = millis(histogram.value_at_quantile(0.50));
    let p99 = millis(histogram.value_at_quantile(0.99));
    println!(
        "lag: {} vacancies at 50/s, acknowledged -> found by search: p50 {p50:.1} ms, p99 {p99:.1} ms, max {:.1} ms ({failures} not found within 5 s)",
        histogram.len(),
        millis(histogram.max())
    );
    println!(
        "    target p50 <= {} ms: {}; p99 <= {} ms: {}",
        TARGET_P50_LAG.as_millis(),
        verdict(p50 <= TARGET_P50_LAG.as_secs_f64() * 1_000.0 && failures == 0),
        TARGET_P99_LAG.as_millis(),
        verdict(p99 <= TARGET_P99_LAG.as_secs_f64() * 1_000.0)
    );
}

fn verdict(met: bool) -> &'static str {
    if met { "met" } else { "NOT MET" }
}

#[tokio::main]
async fn main() {
    let settings = settings();
    if settings.rebuild {
        rebuild(&settings).await;
        if !settings.register && !settings.get && !settings.search && !settings.lag {
            return;
        }
    }
    let binary = binary();
    println!("labex HTTP benchmark: {}", binary.display());
    println!("machine: {}", machine());
    let data = temporary_folder("labex-http-bench-");
    let data_path = data.path().to_str().expect("a UTF-8 path").to_owned();
    let (store, process) = if settings.secure {
        println!(
            "secured: labex on a labex-store of its own with TLS and a user's credentials on every call"
        );
        let (store, process) = support::serve_secured(&binary, &data_path);
        (Some(store), process)
    } else {
        (None, serve(&binary, &data_path))
    };
    let base = process.base_url();
    let counter = Arc::new(Counter {
        next: AtomicU64::new(0),
    });
    // Warm up: connections, caches, the store's first pages.
    let warm = Settings {
        seconds: 2,
        ..settings.clone()
    };
    let (_, _, _, mut ids) = register_load(&base, &warm, counter.clone()).await;

    if settings.register {
        let (rate, histogram, failures, more_ids) =
            register_load(&base, &settings, counter.clone()).await;
        ids.extend(more_ids);
        let p50 = millis(histogram.value_at_quantile(0.50));
        let p99 = millis(histogram.value_at_quantile(0.99));
        let max = millis(histogram.max());
        println!(
            "register: {rate:.0} registrations/s with {} clients over {} s ({} answered, {failures} failed)",
            settings.clients,
            settings.seconds,
            histogram.len()
        );
        println!("    latency p50 {p50:.2} ms, p99 {p99:.2} ms, max {max:.2} ms");
        println!(
            "    target >= {TARGET_REGISTRATIONS_PER_SECOND:.0}/s: {}; p99 <= {} ms: {}",
            verdict(rate >= TARGET_REGISTRATIONS_PER_SECOND && failures == 0),
            TARGET_P99_REGISTRATION.as_millis(),
            verdict(p99 <= TARGET_P99_REGISTRATION.as_secs_f64() * 1_000.0)
        );
    }
    if settings.get {
        settle(&base).await;
        let (histogram, failures, total) =
            get_load(&base, &settings, &ids, Readers::Staff, 0).await;
        let p50 = millis(histogram.value_at_quantile(0.50));
        let p99 = millis(histogram.value_at_quantile(0.99));
        let max = millis(histogram.max());
        println!(
            "get: {total} requests at {}/s over {} job seekers ({failures} failed)",
            settings.rate,
            ids.len()
        );
        println!("    latency p50 {p50:.2} ms, p99 {p99:.2} ms, max {max:.2} ms");
        println!(
            "    target p99 <= {} ms: {}",
            TARGET_P99_GET.as_millis(),
            verdict(p99 <= TARGET_P99_GET.as_secs_f64() * 1_000.0 && failures == 0)
        );
        report_access_log(&base).await;
        // The same path without the access log, in the same run: each job
        // seeker reading their own record (not a staff read), over other
        // job seekers than the phase before.
        settle(&base).await;
        let (unlogged, failures, total) =
            get_load(&base, &settings, &ids, Readers::Themselves, ids.len() / 2).await;
        println!(
            "get, by the job seekers themselves (not logged): {total} requests at {}/s ({failures} failed)",
            settings.rate
        );
        println!(
            "    latency p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms (logged above: p99 {p99:.2} ms)",
            millis(unlogged.value_at_quantile(0.50)),
            millis(unlogged.value_at_quantile(0.99)),
            millis(unlogged.max())
        );
    }
    if settings.search {
        let (rate, waited) = publish_vacancies(&base, &settings).await;
        settle(&base).await;
        println!(
            "search: {} vacancies published at {rate:.0}/s, all searchable {:.2} s after the last was acknowledged",
            settings.vacancies,
            waited.as_secs_f64()
        );
        report_search(&base, &settings).await;
        report_complete(&base, &settings).await;
        report_fair(&base, &settings).await;
    }
    if settings.lag {
        report_lag(lag_load(&base, &settings).await);
    }
    let status = process.stop();
    println!("labex stopped on SIGTERM: {status}");
    if let Some(store) = store {
        println!("labex-store stopped on SIGTERM: {}", store.stop());
    }
}
