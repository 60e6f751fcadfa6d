//! The soak: the release `labex` (embedded store, fsync on) under a steady
//! mixed load for an hour, as an office's working day would load it, to
//! show that nothing grows or slows with time.
//!
//! ```text
//! cargo bench -p labex --bench soak -- [--minutes 60] [--warmup 10] [--register 20] [--read 20] [--search 50] [--refer 5] [--publish 2] [--feeds 8] [--vacancies 2000] [--data DIR]
//! ```
//!
//! Before the clock starts, an employer and `--vacancies` vacancies are
//! published. Then, each at its own steady rate a second and paced open
//! loop (a request is due at its time whether or not the ones before it
//! were answered, and its latency counts from then): counsellors register
//! job seekers (`--register`), read them back (`--read`), refer each new
//! job seeker to a vacancy (`--refer`) and publish vacancies
//! (`--publish`); anonymous searches run the mixed query set of the HTTP
//! benchmark (`--search`); `--feeds` clients hold the live vacancy feed
//! open and read everything it sends.
//!
//! Every minute a line gives each kind of request's count, p50, p99 and
//! errors, the events the feed clients received, and the process's
//! resident memory (all of it, and its anonymous part: the heap, where a
//! leak would show; file pages of the index and databases come and go with
//! the kernel's cache). The verdict, after `--warmup` minutes: no error at
//! all; anonymous memory of the last minute within 10 % of the first
//! minute after warm-up; each request kind's p99 in its worst minute
//! within three times its median minute's.
//!
//! Not part of `.ci/run` (it takes its hour); figures in `BENCHMARKS.md`.

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use hdrhistogram::Histogram;
use labex_testkit::{Tokens, temporary_folder};
use serde_json::{Value, json};

mod support;

use support::{Random, Vocabulary, binary, machine, queries, register_employer, registration};

/// Anonymous memory may grow by this share from the end of the warm-up to
/// the last minute and still count as flat.
const FLAT_MEMORY: f64 = 0.10;
/// A request kind's worst minute's p99 may be this many times its median
/// minute's and still count as stable.
const STABLE_P99: f64 = 3.0;

#[derive(Debug, Clone)]
struct Settings {
    minutes: u64,
    warmup: u64,
    register: f64,
    read: f64,
    search: f64,
    refer: f64,
    publish: f64,
    feeds: usize,
    vacancies: usize,
    data: Option<PathBuf>,
}

fn usage() -> ! {
    eprintln!(
        "usage: cargo bench -p labex --bench soak -- [--minutes M] [--warmup M] [--register R] [--read R] [--search R] [--refer R] [--publish R] [--feeds N] [--vacancies N] [--data DIR]"
    );
    std::process::exit(2)
}

fn settings() -> Settings {
    let mut settings = Settings {
        minutes: 60,
        warmup: 10,
        register: 20.0,
        read: 20.0,
        search: 50.0,
        refer: 5.0,
        publish: 2.0,
        feeds: 8,
        vacancies: 2_000,
        data: None,
    };
    let mut args = std::env::args().skip(1);
    let number = |value: Option<String>| -> f64 {
        value
            .and_then(|value| value.replace('_', "").parse().ok())
            .filter(|value: &f64| value.is_finite() && *value >= 0.0)
            .unwrap_or_else(|| usage())
    };
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--minutes" => settings.minutes = number(args.next()) as u64,
            "--warmup" => settings.warmup = number(args.next()) as u64,
            "--register" => settings.register = number(args.next()),
            "--read" => settings.read = number(args.next()),
            "--search" => settings.search = number(args.next()),
            "--refer" => settings.refer = number(args.next()),
            "--publish" => settings.publish = number(args.next()),
            "--feeds" => settings.feeds = number(args.next()) as usize,
            "--vacancies" => settings.vacancies = number(args.next()).max(1.0) as usize,
            "--data" => settings.data = Some(args.next().unwrap_or_else(|| usage()).into()),
            "--bench" => {}
            _ => usage(),
        }
    }
    if settings.warmup >= settings.minutes {
        eprintln!("--warmup must be shorter than --minutes");
        usage();
    }
    if settings.refer > settings.register {
        eprintln!("each referral needs a job seeker of its own: --refer may not exceed --register");
        usage();
    }
    settings
}

/// One kind of request: its figures for the minute under way, and its
/// errors in all.
struct Operation {
    name: &'static str,
    minute: Mutex<Minute>,
    errors: AtomicU64,
}

struct Minute {
    latencies: Histogram<u64>,
    errors: u64,
}

impl Minute {
    fn new() -> Self {
        Self {
            latencies: Histogram::new(3).expect("a histogram"),
            errors: 0,
        }
    }
}

/// What one minute of one kind of request came to.
#[derive(Debug, Clone, Copy)]
struct Figures {
    count: u64,
    p50: f64,
    p99: f64,
    errors: u64,
}

impl Operation {
    fn new(name: &'static str) -> Arc<Self> {
        Arc::new(Self {
            name,
            minute: Mutex::new(Minute::new()),
            errors: AtomicU64::new(0),
        })
    }

    fn record(&self, latency: Duration, outcome: Result<(), String>) {
        let mut minute = self.minute.lock().expect("a minute");
        match outcome {
            Ok(()) => minute
                .latencies
                .record(latency.as_micros() as u64)
                .expect("in range"),
            Err(error) => {
                minute.errors += 1;
                let before = self.errors.fetch_add(1, Ordering::Relaxed);
                if before < 5 {
                    eprintln!("{}: {error}", self.name);
                }
            }
        }
    }

    /// The minute's figures, starting the next minute.
    fn take(&self) -> Figures {
        let minute = std::mem::replace(&mut *self.minute.lock().expect("a minute"), Minute::new());
        let millis = |micros: u64| micros as f64 / 1_000.0;
        Figures {
            count: minute.latencies.len(),
            p50: millis(minute.latencies.value_at_quantile(0.50)),
            p99: millis(minute.latencies.value_at_quantile(0.99)),
            errors: minute.errors,
        }
    }
}

/// Sends `request(index)` at `rate` a second until `until`, each due at
/// its own time, and records each answer's latency (from its due time) or
/// error in `operation`.
async fn paced<F, Fut>(rate: f64, until: Instant, operation: Arc<Operation>, request: F)
where
    F: Fn(u64) -> Fut,
    Fut: std::future::Future<Output = Result<(), String>> + Send + 'static,
{
    if rate <= 0.0 {
        return;
    }
    let interval = Duration::from_secs_f64(1.0 / rate);
    let started = Instant::now();
    for index in 0.. {
        let due = started + interval.mul_f64(index as f64);
        if due >= until {
            break;
        }
        tokio::time::sleep_until(due.into()).await;
        let answer = request(index);
        let operation = operation.clone();
        tokio::spawn(async move {
            let outcome = answer.await;
            operation.record(due.elapsed(), outcome);
        });
    }
}

/// An answer with `expected` status, or what came instead.
async fn expect(
    answer: Result<reqwest::Response, reqwest::Error>,
    expected: u16,
) -> Result<Value, String> {
    let response = answer.map_err(|error| format!("no answer: {error}"))?;
    let status = response.status().as_u16();
    let text = response
        .text()
        .await
        .map_err(|error| format!("a broken body: {error}"))?;
    if status != expected {
        return Err(format!("answered {status}: {text}"));
    }
    serde_json::from_str(&text).map_err(|error| format!("not JSON: {error}"))
}

/// The process's resident memory in kB: all of it, and its anonymous part.
fn memory(pid: u32) -> (u64, u64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|line| line.strip_prefix(name))
            .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap_or(0)
    };
    (field("VmRSS:"), field("RssAnon:"))
}

/// Holds the live vacancy feed open, reading all it sends, for as long as
/// the soak runs; a feed that ends or fails is an error, and is opened
/// again from the last event seen.
async fn feed_client(base: String, until: Instant, events: Arc<AtomicU64>, feeds: Arc<Operation>) {
    let client = reqwest::Client::new();
    let mut last_id: Option<String> = None;
    while Instant::now() < until {
        let mut request = client
            .get(format!("{base}/v1/vacancies/feed"))
            .header("Accept", "text/event-stream");
        if let Some(id) = &last_id {
            request = request.header("Last-Event-ID", id);
        }
        let opened = Instant::now();
        let mut response = match request.send().await {
            Ok(response) if response.status().is_success() => response,
            Ok(response) => {
                feeds.record(
                    opened.elapsed(),
                    Err(format!("the feed answered {}", response.status())),
                );
                tokio::time::sleep(Duration::from_secs(1)).await;
                continue;
            }
            Err(error) => {
                feeds.record(opened.elapsed(), Err(format!("no feed: {error}")));
                tokio::time::sleep(Duration::from_secs(1)).await;
                continue;
            }
        };
        feeds.record(opened.elapsed(), Ok(()));
        let mut pending = String::new();
        loop {
            let left = until.saturating_duration_since(Instant::now());
            match tokio::time::timeout(left, response.chunk()).await {
                Err(_) => return,
                Ok(Ok(Some(chunk))) => {
                    pending.push_str(&String::from_utf8_lossy(&chunk));
                    while let Some(end) = pending.find('\n') {
                        let line = pending[..end].trim_end_matches('\r').to_owned();
                        pending.drain(..=end);
                        if let Some(id) = line.strip_prefix("id:") {
                            last_id = Some(id.trim().to_owned());
                            events.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                }
                Ok(Ok(None)) => {
                    feeds.record(opened.elapsed(), Err("the feed ended".to_owned()));
                    break;
                }
                Ok(Err(error)) => {
                    feeds.record(opened.elapsed(), Err(format!("the feed broke: {error}")));
                    break;
                }
            }
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

/// The employer and the vacancies referrals go to, published before the
/// clock starts.
async fn prepare(
    client: &reqwest::Client,
    base: &str,
    settings: &Settings,
    vocabulary: &Vocabulary,
) -> (String, Vec<String>) {
    let token = Tokens::counsellor("410105");
    let employer = register_employer(client, base, &token, 41).await;
    let mut random = Random(2027);
    let mut vacancies = Vec::with_capacity(settings.vacancies);
    let started = Instant::now();
    for _ in 0..settings.vacancies {
        let body = vocabulary.vacancy(&mut random, &employer, "");
        let created = expect(
            client
                .post(format!("{base}/v1/vacancies"))
                .bearer_auth(&token)
                .json(&body)
                .send()
                .await,
            201,
        )
        .await
        .unwrap_or_else(|error| panic!("a vacancy to refer to: {error}"));
        vacancies.push(created["id"].as_str().expect("a vacancy id").to_owned());
    }
    println!(
        "prepared: an employer and {} vacancies in {:.1} s",
        vacancies.len(),
        started.elapsed().as_secs_f64()
    );
    (employer, vacancies)
}

/// The state the kinds of request share: the job seekers registered so
/// far (those referred are taken from the front, one each), the vacancies.
struct Shared {
    base: String,
    client: reqwest::Client,
    employer: String,
    vacancies: Vec<String>,
    registered: Mutex<Vec<String>>,
    referred: AtomicUsize,
    queries: Vec<Vec<(&'static str, String)>>,
    vocabulary: Vocabulary,
    /// The number of this run, so that ID numbers of earlier runs on the
    /// same data are not met again.
    run: u64,
}

impl Shared {
    /// A counsellor's `POST` of `body` to `path`, answered 201.
    async fn post(&self, path: &str, body: &Value) -> Result<Value, String> {
        expect(
            self.client
                .post(format!("{}{path}", self.base))
                .bearer_auth(Tokens::counsellor("410105"))
                .json(body)
                .send()
                .await,
            201,
        )
        .await
    }
}

fn run_load(shared: &Arc<Shared>, settings: &Settings, until: Instant) -> Vec<Arc<Operation>> {
    let register = Operation::new("register");
    let read = Operation::new("read");
    let search = Operation::new("search");
    let refer = Operation::new("refer");
    let publish = Operation::new("publish");
    {
        let shared = shared.clone();
        tokio::spawn(paced(
            settings.register,
            until,
            register.clone(),
            move |index| {
                let shared = shared.clone();
                async move {
                    let created = shared
                        .post(
                            "/v1/jobseekers",
                            &registration(shared.run * 1_000_000 + index),
                        )
                        .await?;
                    let id = created["id"].as_str().ok_or("no id")?.to_owned();
                    shared.registered.lock().expect("the registered").push(id);
                    Ok(())
                }
            },
        ));
    }
    {
        let shared = shared.clone();
        tokio::spawn(paced(settings.read, until, read.clone(), move |index| {
            let shared = shared.clone();
            async move {
                let id = {
                    let registered = shared.registered.lock().expect("the registered");
                    if registered.is_empty() {
                        return Ok(());
                    }
                    registered[(index as usize * 7_919) % registered.len()].clone()
                };
                expect(
                    shared
                        .client
                        .get(format!("{}/v1/jobseekers/{id}", shared.base))
                        .bearer_auth(Tokens::counsellor("410105"))
                        .send()
                        .await,
                    200,
                )
                .await
                .map(drop)
            }
        }));
    }
    {
        let shared = shared.clone();
        tokio::spawn(paced(
            settings.search,
            until,
            search.clone(),
            move |index| {
                let shared = shared.clone();
                async move {
                    let query = &shared.queries[index as usize % shared.queries.len()];
                    expect(
                        shared
                            .client
                            .get(format!("{}/v1/vacancies/search", shared.base))
                            .query(query)
                            .send()
                            .await,
                        200,
                    )
                    .await
                    .map(drop)
                }
            },
        ));
    }
    {
        let shared = shared.clone();
        tokio::spawn(paced(settings.refer, until, refer.clone(), move |_| {
            let shared = shared.clone();
            async move {
                // The next job seeker not yet referred, to a vacancy in
                // turn: each pair is new.
                let next = shared.referred.load(Ordering::Relaxed);
                let jobseeker = {
                    let registered = shared.registered.lock().expect("the registered");
                    match registered.get(next) {
                        Some(id) => id.clone(),
                        None => return Ok(()),
                    }
                };
                if shared
                    .referred
                    .compare_exchange(next, next + 1, Ordering::Relaxed, Ordering::Relaxed)
                    .is_err()
                {
                    return Ok(());
                }
                let vacancy = &shared.vacancies[next % shared.vacancies.len()];
                shared
                    .post("/v1/referrals", &json!({"jobseeker_id": jobseeker, "vacancy_id": vacancy, "note": "专业对口"}))
                    .await
                .map(drop)
            }
        }));
    }
    {
        let shared = shared.clone();
        tokio::spawn(paced(
            settings.publish,
            until,
            publish.clone(),
            move |index| {
                let shared = shared.clone();
                async move {
                    let mut random = Random(9_000 + index);
                    let body = shared.vocabulary.vacancy(&mut random, &shared.employer, "");
                    shared.post("/v1/vacancies", &body).await.map(drop)
                }
            },
        ));
    }
    vec![register, read, search, refer, publish]
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    values.get(values.len() / 2).copied().unwrap_or(0.0)
}

#[tokio::main]
async fn main() {
    let settings = settings();
    println!("machine: {}", machine());
    println!("settings: {settings:?}");
    let folder = temporary_folder("labex-soak");
    let data = settings
        .data
        .clone()
        .unwrap_or_else(|| folder.path().to_path_buf());
    let process = support::serve(&binary(), data.to_str().expect("a UTF-8 path"));
    let base = process.base_url();
    let pid = process.pid();
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(256)
        .build()
        .expect("a client");
    let vocabulary = Vocabulary::load();
    let (employer, vacancies) = prepare(&client, &base, &settings, &vocabulary).await;
    let shared = Arc::new(Shared {
        base: base.clone(),
        client,
        employer,
        vacancies,
        registered: Mutex::new(Vec::new()),
        referred: AtomicUsize::new(0),
        queries: queries(&vocabulary, 2_000),
        vocabulary,
        run: support::run_number(),
    });

    let started = Instant::now();
    let until = started + Duration::from_secs(settings.minutes * 60);
    let feed_events = Arc::new(AtomicU64::new(0));
    let feeds = Operation::new("feed");
    for _ in 0..settings.feeds {
        tokio::spawn(feed_client(
            base.clone(),
            until,
            feed_events.clone(),
            feeds.clone(),
        ));
    }
    let mut operations = run_load(&shared, &settings, until);
    operations.push(feeds.clone());

    println!(
        "minute | {} | feed events | RSS MB (anonymous)",
        operations
            .iter()
            .filter(|operation| operation.name != "feed")
            .map(|operation| format!("{}: n p50 p99 ms err", operation.name))
            .collect::<Vec<_>>()
            .join(" | ")
    );
    let mut history: Vec<(Vec<Figures>, u64, u64)> = Vec::new();
    let mut seen_events = 0;
    for minute in 1..=settings.minutes {
        tokio::time::sleep_until((started + Duration::from_secs(minute * 60)).into()).await;
        let figures: Vec<Figures> = operations
            .iter()
            .map(|operation| operation.take())
            .collect();
        let (rss, anonymous) = memory(pid);
        let events = feed_events.load(Ordering::Relaxed);
        let mut line = format!("{minute:>6}");
        for (operation, figures) in operations.iter().zip(&figures) {
            if operation.name != "feed" {
                line.push_str(&format!(
                    " | {:>5} {:>6.2} {:>7.2} {:>3}",
                    figures.count, figures.p50, figures.p99, figures.errors
                ));
            }
        }
        line.push_str(&format!(
            " | {:>7} | {:.0} ({:.0})",
            events - seen_events,
            rss as f64 / 1024.0,
            anonymous as f64 / 1024.0
        ));
        println!("{line}");
        seen_events = events;
        history.push((figures, rss, anonymous));
    }
    // Let the last requests be answered before counting errors.
    tokio::time::sleep(Duration::from_secs(5)).await;

    let errors: u64 = operations
        .iter()
        .map(|operation| operation.errors.load(Ordering::Relaxed))
        .sum();
    let steady = &history[settings.warmup as usize..];
    let first = steady.first().map_or(0, |(_, _, anonymous)| *anonymous) as f64;
    let last = steady.last().map_or(0, |(_, _, anonymous)| *anonymous) as f64;
    let growth = if first > 0.0 { last / first - 1.0 } else { 0.0 };
    println!();
    println!(
        "registered {} job seekers, referred {}, feed events received {}",
        shared.registered.lock().expect("the registered").len(),
        shared.referred.load(Ordering::Relaxed),
        feed_events.load(Ordering::Relaxed)
    );
    println!(
        "errors: {errors} ({})",
        if errors == 0 { "met" } else { "NOT MET" }
    );
    println!(
        "anonymous memory after warm-up: {:.0} MB → {:.0} MB ({:+.1} %, flat within {:.0} %: {})",
        first / 1024.0,
        last / 1024.0,
        growth * 100.0,
        FLAT_MEMORY * 100.0,
        if growth <= FLAT_MEMORY {
            "met"
        } else {
            "NOT MET"
        }
    );
    let mut stable = true;
    for (index, operation) in operations.iter().enumerate() {
        if operation.name == "feed" {
            continue;
        }
        let mut p99s: Vec<f64> = steady
            .iter()
            .map(|(figures, _, _)| figures[index])
            .filter(|figures| figures.count > 0)
            .map(|figures| figures.p99)
            .collect();
        if p99s.is_empty() {
            continue;
        }
        let worst = p99s.iter().copied().fold(0.0, f64::max);
        let best = p99s.iter().copied().fold(f64::INFINITY, f64::min);
        let middle = median(&mut p99s);
        let ok = worst <= middle * STABLE_P99;
        stable &= ok;
        println!(
            "{:>8} p99 per minute after warm-up: best {best:.2}, median {middle:.2}, worst {worst:.2} ms ({})",
            operation.name,
            if ok { "stable" } else { "NOT STABLE" }
        );
    }
    let met = errors == 0 && growth <= FLAT_MEMORY && stable;
    println!("soak: {}", if met { "met" } else { "NOT MET" });
    drop(process);
    drop(folder);
    if !met {
        std::process::exit(1);
    }
}
