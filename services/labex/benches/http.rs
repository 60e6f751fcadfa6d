//! Benchmark of the release `labex` binary (embedded store, fsync on) over
//! HTTP on loopback, loaded from this process.
//!
//! ```text
//! cargo bench -p labex --bench http -- [register|get|all] [--seconds S] [--clients N] [--rate R]
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
//! The bench profile builds the binary with optimisations
//! (`target/release/labex`); `LABEX_BIN` picks another binary.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use hdrhistogram::Histogram;
use labex_testkit::{Process, SECRET, Tokens, temporary_folder};
use serde_json::{Value, json};

const TARGET_REGISTRATIONS_PER_SECOND: f64 = 3_000.0;
const TARGET_P99_REGISTRATION: Duration = Duration::from_millis(50);
const TARGET_P99_GET: Duration = Duration::from_millis(5);

#[derive(Debug, Clone)]
struct Settings {
    register: bool,
    get: bool,
    seconds: u64,
    clients: usize,
    rate: u64,
}

fn usage() -> ! {
    eprintln!(
        "usage: cargo bench -p labex --bench http -- [register|get|all] [--seconds S] [--clients N] [--rate R]"
    );
    std::process::exit(2)
}

fn settings() -> Settings {
    let mut settings = Settings {
        register: false,
        get: false,
        seconds: 20,
        clients: 64,
        rate: 1_000,
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
            "all" => {
                settings.register = true;
                settings.get = true;
            }
            "--seconds" => settings.seconds = number(args.next()),
            "--clients" => settings.clients = number(args.next()) as usize,
            "--rate" => settings.rate = number(args.next()),
            "--bench" => {}
            _ => usage(),
        }
    }
    if !settings.register && !settings.get {
        settings.register = true;
        settings.get = true;
    }
    settings
}

fn registration(n: u64) -> Value {
    json!({
        "name": "王芳",
        "id_number": labex_testkit::id_number(n),
        "phone": "13800138000",
        "education": "associate",
        "major": "数控技术",
        "graduation_year": 2026,
        "categories": ["graduate", "hardship"],
        "skills": ["数控车床", "CAD", "质量检验"],
        "desired_occupations": ["数控操作工"],
        "desired_regions": ["410100"],
        "summary": "高职应届毕业生，持数控车工中级证书",
        "office": "410105"
    })
}

fn binary() -> PathBuf {
    std::env::var_os("LABEX_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| labex_testkit::binary("labex"))
}

fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|text| {
            text.lines()
                .find(|line| line.starts_with("model name"))
                .and_then(|line| line.split(':').nth(1))
                .map(|name| name.trim().to_owned())
        })
        .unwrap_or_else(|| "unknown cpu".to_owned());
    let cores = std::thread::available_parallelism().map_or(0, |cores| cores.get());
    format!("{cores} cores, {cpu}")
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

async fn get_load(base: &str, settings: &Settings, ids: &[String]) -> (Histogram<u64>, u64, u64) {
    let token = Tokens::counsellor("410105");
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(256)
        .build()
        .expect("a client");
    let interval = Duration::from_secs_f64(1.0 / settings.rate as f64);
    let total = settings.rate * settings.seconds;
    let started = Instant::now();
    let mut tasks = Vec::with_capacity(total as usize);
    for index in 0..total {
        let due = started + interval.mul_f64(index as f64);
        tokio::time::sleep_until(due.into()).await;
        let client = client.clone();
        let token = token.clone();
        let url = format!("{base}/v1/jobseekers/{}", ids[index as usize % ids.len()]);
        tasks.push(tokio::spawn(async move {
            let answer = client.get(&url).bearer_auth(&token).send().await;
            let ok = match answer {
                Ok(response) => {
                    let status = response.status().as_u16();
                    let body = response.bytes().await;
                    status == 200 && body.is_ok()
                }
                Err(_) => false,
            };
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
    (histogram, failures, total)
}

fn verdict(met: bool) -> &'static str {
    if met { "met" } else { "NOT MET" }
}

#[tokio::main]
async fn main() {
    let settings = settings();
    let binary = binary();
    println!("labex HTTP benchmark: {}", binary.display());
    println!("machine: {}", machine());
    let data = temporary_folder("labex-http-bench-");
    let data_path = data.path().to_str().expect("a UTF-8 path").to_owned();
    let process = Process::start(
        &binary,
        &[],
        &[
            ("LABEX_DATA", data_path.as_str()),
            ("LABEX_HTTP", "127.0.0.1:0"),
            ("LABEX_EVENTSTORE_LISTEN", "127.0.0.1:0"),
            ("LABEX_JWT_SECRET", SECRET),
            ("LABEX_LOG", "warn"),
        ],
    );
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
        let (histogram, failures, total) = get_load(&base, &settings, &ids).await;
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
    }
    let status = process.stop();
    println!("labex stopped on SIGTERM: {status}");
}
