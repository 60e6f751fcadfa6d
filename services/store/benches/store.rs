//! Benchmark of the real `labex-store` process through the official Rust
//! client over loopback, with fsync on (the store's only mode).
//!
//! ```text
//! cargo bench -p labex-store --bench store -- [append|latency|read|live|large|all]...
//!     [--seconds S] [--writers N] [--rate R] [--event-size B] [--preload N] [--runs N]
//! ```
//!
//! - `append`: appends/s with `--writers` (64) concurrent writers, each
//!   appending single events of `--event-size` (500) bytes to its own stream.
//! - `latency`: append latency at a fixed offered rate (`--rate`, 2,000/s),
//!   paced open-loop: each append is due at its own time whether or not the
//!   ones before it were answered, and its latency counts from that time.
//!   With `--runs N`, N runs each on a fresh store, each line with the CPU
//!   the rest of the machine used meanwhile and the disk's own fsync
//!   latency just before (a second of 4 KiB writes, each fsynced, in the
//!   data folder), then the spread of p99 over the runs.
//! - `read`: events/s reading `$all` forwards into one client (after
//!   writing events up to 200,000 if the store holds fewer).
//! - `live`: a live `$all` subscriber's latency from the append's
//!   acknowledgement to the event's arrival, at `--rate` appends/s.
//! - `large`: on a fresh store, `append` and `read` while empty, then again
//!   after writing `--preload` events (default 200,000; the target is
//!   10,000,000), the time to serve again after a clean stop and after
//!   SIGKILL, and the server's resident memory.
//!
//! - `--secure`: every figure with TLS (the test certificates of
//!   `tests/tls/`) and a user's credentials on every call, as a store
//!   beyond loopback runs; run with and without it in the same session
//!   for what they cost.
//!
//! The bench profile builds the server with optimisations
//! (`target/release/labex-store`); `LABEX_STORE_BIN` picks another binary.

#[path = "../tests/support/mod.rs"]
mod support;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::Bytes;
use hdrhistogram::Histogram;
use kurrentdb::{
    AppendToStreamOptions, Client, ClientSettings, EventData, ReadAllOptions, StreamPosition,
    StreamState, SubscribeToAllOptions, SubscriptionEvent,
};
use labex_testkit::{folder_size, resident_memory};
use support::{StoreProcess, data_folder};
use uuid::Uuid;

const TARGET_APPENDS_PER_SECOND: f64 = 20_000.0;
const TARGET_P99_APPEND: Duration = Duration::from_millis(10);
const TARGET_READ_EVENTS_PER_SECOND: f64 = 200_000.0;
const TARGET_P99_LIVE: Duration = Duration::from_millis(5);
/// How far the large store's figures may fall below the empty store's.
const TARGET_LARGE_SLOWDOWN: f64 = 0.20;
const TARGET_RESTART: Duration = Duration::from_secs(5);
const TARGET_RSS_BYTES: u64 = 300 * 1024 * 1024;
/// Longest wait for one call before the benchmark gives up on it.
const CALL_TIMEOUT: Duration = Duration::from_secs(30);
/// Events per append while preloading.
const PRELOAD_BATCH: u64 = 100;
/// Concurrent appenders while preloading.
const PRELOAD_APPENDERS: usize = 8;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Bench {
    Append,
    Latency,
    Read,
    Live,
    Large,
}

#[derive(Debug, Clone)]
struct Settings {
    benches: Vec<Bench>,
    seconds: u64,
    writers: usize,
    rate: u64,
    event_size: usize,
    preload: u64,
    /// Runs of `latency`, each on a fresh store.
    runs: u64,
    /// TLS and a user's credentials on every call.
    secure: bool,
}

fn usage() -> ! {
    eprintln!(
        "usage: cargo bench -p labex-store --bench store -- [append|latency|read|live|large|all]... \
         [--seconds S] [--writers N] [--rate R] [--event-size B] [--preload N] [--runs N] [--secure]"
    );
    std::process::exit(2)
}

fn number(value: Option<String>) -> u64 {
    let Some(value) = value else { usage() };
    let digits = value.replace(['_', ','], "");
    let (digits, scale) = match digits.strip_suffix(['M', 'm']) {
        Some(digits) => (digits.to_owned(), 1_000_000),
        None => match digits.strip_suffix(['k', 'K']) {
            Some(digits) => (digits.to_owned(), 1_000),
            None => (digits, 1),
        },
    };
    match digits.parse::<u64>() {
        Ok(number) => number * scale,
        Err(_) => usage(),
    }
}

impl Settings {
    fn from_args() -> Settings {
        let mut settings = Settings {
            benches: Vec::new(),
            seconds: 10,
            writers: 64,
            rate: 2_000,
            event_size: 500,
            preload: 200_000,
            runs: 1,
            secure: false,
        };
        let mut args = std::env::args().skip(1);
        while let Some(arg) = args.next() {
            match arg.as_str() {
                // Cargo passes --bench to every benchmark binary.
                "--bench" => {}
                "append" => settings.benches.push(Bench::Append),
                "latency" => settings.benches.push(Bench::Latency),
                "read" => settings.benches.push(Bench::Read),
                "live" => settings.benches.push(Bench::Live),
                "large" => settings.benches.push(Bench::Large),
                "all" => settings.benches.extend([
                    Bench::Append,
                    Bench::Latency,
                    Bench::Read,
                    Bench::Live,
                    Bench::Large,
                ]),
                "--seconds" => settings.seconds = number(args.next()).max(1),
                "--writers" => settings.writers = number(args.next()).max(1) as usize,
                "--rate" => settings.rate = number(args.next()).max(1),
                "--event-size" => settings.event_size = number(args.next()) as usize,
                "--preload" => settings.preload = number(args.next()),
                "--runs" => settings.runs = number(args.next()).max(1),
                "--secure" => settings.secure = true,
                _ => usage(),
            }
        }
        if settings.benches.is_empty() {
            settings.benches = vec![
                Bench::Append,
                Bench::Latency,
                Bench::Read,
                Bench::Live,
                Bench::Large,
            ];
        }
        settings
    }

    fn duration(&self) -> Duration {
        Duration::from_secs(self.seconds)
    }
}

/// One line of the results table.
struct Row {
    figure: String,
    measured: String,
    target: String,
    /// `None` where there is no target to meet.
    met: Option<bool>,
}

#[derive(Default)]
struct Report {
    rows: Vec<Row>,
}

impl Report {
    fn add(
        &mut self,
        figure: impl Into<String>,
        measured: impl Into<String>,
        target: impl Into<String>,
        met: Option<bool>,
    ) {
        let row = Row {
            figure: figure.into(),
            measured: measured.into(),
            target: target.into(),
            met,
        };
        if row.target.is_empty() {
            println!("    {}: {}", row.figure, row.measured);
        } else {
            println!(
                "    {}: {} (target {})",
                row.figure, row.measured, row.target
            );
        }
        self.rows.push(row);
    }

    fn print(&self) {
        let width = |pick: fn(&Row) -> &str, title: &str| {
            self.rows
                .iter()
                .map(|row| pick(row).len())
                .max()
                .unwrap_or(0)
                .max(title.len())
        };
        let figure_width = width(|row| &row.figure, "figure");
        let measured_width = width(|row| &row.measured, "measured");
        let target_width = width(|row| &row.target, "target");
        println!();
        println!(
            "| {:figure_width$} | {:>measured_width$} | {:target_width$} | met |",
            "figure", "measured", "target"
        );
        println!(
            "|{}|{}|{}|-----|",
            "-".repeat(figure_width + 2),
            "-".repeat(measured_width + 2),
            "-".repeat(target_width + 2)
        );
        for row in &self.rows {
            let met = match row.met {
                Some(true) => "yes",
                Some(false) => "NO",
                None => "",
            };
            println!(
                "| {:figure_width$} | {:>measured_width$} | {:target_width$} | {met:3} |",
                row.figure, row.measured, row.target
            );
        }
    }
}

fn binary() -> PathBuf {
    match std::env::var_os("LABEX_STORE_BIN") {
        Some(path) => PathBuf::from(path),
        None => PathBuf::from(env!("CARGO_BIN_EXE_labex-store")),
    }
}

/// Whether the stores of this run are secured (`--secure`).
static SECURE: std::sync::OnceLock<bool> = std::sync::OnceLock::new();

/// The user and password of a secured store.
const USER: (&str, &str) = ("bench", "bench-password-of-the-benchmark");

fn secure() -> bool {
    SECURE.get().copied().unwrap_or(false)
}

fn tls_file(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/tls")
        .join(name)
}

/// Starts the store on `data`: as it is, or with `--secure` with TLS and
/// the benchmark's user added first.
fn start(binary: &Path, data: &Path) -> StoreProcess {
    if !secure() {
        return StoreProcess::start(binary, data, &[]);
    }
    let users = std::fs::read_to_string(data.join("eventstore/users")).unwrap_or_default();
    if !users.starts_with(&format!("{}:", USER.0)) {
        add_user(binary, data);
    }
    let cert = tls_file("server.pem");
    let key = tls_file("server.key");
    StoreProcess::start(
        binary,
        data,
        &[
            "--tls-cert",
            cert.to_str().expect("a UTF-8 path"),
            "--tls-key",
            key.to_str().expect("a UTF-8 path"),
        ],
    )
}

/// `labex-store user add` of the benchmark's user, its password on
/// standard input.
fn add_user(binary: &Path, data: &Path) {
    let mut adding = std::process::Command::new(binary)
        .args(["user", "add", USER.0, "--data"])
        .arg(data)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .spawn()
        .expect("labex-store user add runs");
    std::io::Write::write_all(
        &mut adding.stdin.take().expect("stdin is piped"),
        format!("{}\n", USER.1).as_bytes(),
    )
    .expect("the password is written");
    assert!(
        adding.wait().expect("labex-store user add ends").success(),
        "the benchmark's user is added"
    );
}

fn connect(store: &StoreProcess) -> Client {
    let url = if secure() {
        format!(
            "esdb://{}:{}@localhost:{}?tls=true&tlsCaFile={}&discoveryInterval=10",
            USER.0,
            USER.1,
            store.address().port(),
            tls_file("ca.pem").display()
        )
    } else {
        store.connection_string()
    };
    let settings: ClientSettings = url.parse().expect("the connection string parses");
    Client::new(settings).expect("the client is created")
}

/// An event of about `size` bytes of JSON.
fn event(size: usize) -> EventData {
    let id = Uuid::new_v4();
    let mut data = format!("{{\"id\":\"{id}\",\"pad\":\"").into_bytes();
    data.resize(size.saturating_sub(2).max(data.len()), b'x');
    data.extend_from_slice(b"\"}");
    EventData::binary("BenchmarkEventRecorded", Bytes::from(data)).id(id)
}

fn histogram() -> Histogram<u64> {
    Histogram::new_with_bounds(1, 120_000_000, 3).expect("histogram bounds are valid")
}

fn micros(duration: Duration) -> u64 {
    u64::try_from(duration.as_micros())
        .unwrap_or(u64::MAX)
        .max(1)
}

fn milliseconds(micros: u64) -> String {
    format!("{:.2} ms", micros as f64 / 1_000.0)
}

fn per_second(count: u64, elapsed: Duration) -> f64 {
    count as f64 / elapsed.as_secs_f64()
}

fn thousands(value: f64) -> String {
    let whole = value.round() as u64;
    let text = whole.to_string();
    let mut grouped = String::new();
    for (index, digit) in text.chars().enumerate() {
        if index > 0 && (text.len() - index).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    grouped
}

/// CPU time the whole machine has been busy (not idle, not waiting for I/O).
fn machine_cpu_time() -> Duration {
    let stat = std::fs::read_to_string("/proc/stat").unwrap_or_default();
    let ticks: u64 = stat
        .lines()
        .next()
        .map(|line| {
            line.split_whitespace()
                .skip(1)
                .enumerate()
                // user, nice, system, (idle, iowait), irq, softirq, steal
                .filter(|(index, _)| matches!(index, 0 | 1 | 2 | 5 | 6 | 7))
                .filter_map(|(_, field)| field.parse::<u64>().ok())
                .sum()
        })
        .unwrap_or(0);
    Duration::from_millis(ticks * 10)
}

/// CPU time (user + system) a process has used so far.
fn cpu_time(pid: u32) -> Duration {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // Fields after the command name, which ends with the last ')'.
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map(|(_, rest)| rest.split_whitespace().collect())
        .unwrap_or_default();
    let ticks = |index: usize| {
        fields
            .get(index)
            .and_then(|field| field.parse::<u64>().ok())
            .unwrap_or(0)
    };
    // utime and stime are fields 14 and 15 of the line, 12 and 13 after the name and state.
    let total = ticks(11) + ticks(12);
    // The kernel's clock tick is 100 Hz on every Linux this runs on.
    Duration::from_millis(total * 10)
}

/// Bytes of the page cache waiting to be written to disk.
fn dirty_bytes() -> u64 {
    std::fs::read_to_string("/proc/meminfo")
        .unwrap_or_default()
        .lines()
        .find_map(|line| line.strip_prefix("Dirty:"))
        .and_then(|rest| {
            rest.trim()
                .trim_end_matches("kB")
                .trim()
                .parse::<u64>()
                .ok()
        })
        .map_or(0, |kilobytes| kilobytes * 1024)
}

fn megabytes(bytes: u64) -> String {
    format!("{:.0} MB", bytes as f64 / (1024.0 * 1024.0))
}

struct AppendFigures {
    per_second: f64,
    latency: Histogram<u64>,
    server_cpu: Duration,
    /// CPU time of this benchmark process (the client) meanwhile.
    client_cpu: Duration,
    /// CPU time of everything else on the machine meanwhile.
    other_cpu: Duration,
    elapsed: Duration,
}

/// (a) Closed-loop writers, each appending single events to its own stream
/// with its exact expected revision. The first second warms up and is not counted.
async fn append_throughput(
    client: &Client,
    store: &StoreProcess,
    settings: &Settings,
) -> AppendFigures {
    let run = Uuid::new_v4().simple().to_string();
    let warm_up = Duration::from_secs(1);
    let started = Instant::now();
    let counting_from = started + warm_up;
    let until = counting_from + settings.duration();
    let tasks: Vec<_> = (0..settings.writers)
        .map(|writer| {
            let client = client.clone();
            let stream = format!("bench-append-{run}-{writer}");
            let size = settings.event_size;
            tokio::spawn(async move {
                let mut latency = histogram();
                let mut counted = 0u64;
                let mut state = StreamState::NoStream;
                loop {
                    let sent = Instant::now();
                    if sent >= until {
                        break;
                    }
                    let options = AppendToStreamOptions::default().stream_state(state);
                    let result = tokio::time::timeout(
                        CALL_TIMEOUT,
                        client.append_to_stream(stream.as_str(), &options, event(size)),
                    )
                    .await;
                    let acknowledged = Instant::now();
                    match result {
                        Ok(Ok(write)) => {
                            state = StreamState::StreamRevision(write.next_expected_version);
                            if sent >= counting_from && acknowledged <= until {
                                counted += 1;
                                latency.saturating_record(micros(acknowledged - sent));
                            }
                        }
                        Ok(Err(error)) => panic!("an append failed: {error}"),
                        Err(_) => panic!("an append was not answered within {CALL_TIMEOUT:?}"),
                    }
                }
                (counted, latency)
            })
        })
        .collect();
    tokio::time::sleep_until(counting_from.into()).await;
    let cpu_at_start = cpu_time(store.pid());
    let client_cpu_at_start = cpu_time(std::process::id());
    let machine_cpu_at_start = machine_cpu_time();
    tokio::time::sleep_until(until.into()).await;
    let server_cpu = cpu_time(store.pid()).saturating_sub(cpu_at_start);
    let client_cpu = cpu_time(std::process::id()).saturating_sub(client_cpu_at_start);
    let other_cpu = machine_cpu_time()
        .saturating_sub(machine_cpu_at_start)
        .saturating_sub(server_cpu + client_cpu);
    let mut total = 0;
    let mut latency = histogram();
    for task in tasks {
        let (counted, histogram) = task.await.expect("a writer panicked");
        total += counted;
        latency
            .add(&histogram)
            .expect("histograms have the same bounds");
    }
    AppendFigures {
        per_second: per_second(total, settings.duration()),
        latency,
        server_cpu,
        client_cpu,
        other_cpu,
        elapsed: settings.duration(),
    }
}

struct RateFigures {
    latency: Histogram<u64>,
    sent: u64,
    elapsed: Duration,
    /// When appends were slower than the p99 target, for finding out why.
    slow_periods: Vec<String>,
}

/// (b) Appends due at a fixed rate, each sent at its time whether or not
/// earlier ones were answered; latency counts from when it was due.
async fn fixed_rate_latency(client: &Client, settings: &Settings) -> RateFigures {
    let run = Uuid::new_v4().simple().to_string();
    let total = settings.rate * settings.seconds;
    let interval = Duration::from_secs_f64(1.0 / settings.rate as f64);
    let started = Instant::now();
    let mut tasks = Vec::with_capacity(total as usize);
    for index in 0..total {
        let due = started + interval.mul_f64(index as f64);
        tokio::time::sleep_until(due.into()).await;
        let client = client.clone();
        let stream = format!("bench-latency-{run}-{}", index % 64);
        let size = settings.event_size;
        tasks.push(tokio::spawn(async move {
            let options = AppendToStreamOptions::default().stream_state(StreamState::Any);
            match tokio::time::timeout(
                CALL_TIMEOUT,
                client.append_to_stream(stream.as_str(), &options, event(size)),
            )
            .await
            {
                Ok(Ok(_)) => (due - started, due.elapsed()),
                Ok(Err(error)) => panic!("an append failed: {error}"),
                Err(_) => panic!("an append was not answered within {CALL_TIMEOUT:?}"),
            }
        }));
    }
    let mut latency = histogram();
    let mut slow = Vec::new();
    for task in tasks {
        let (due, took) = task.await.expect("an appender panicked");
        latency.saturating_record(micros(took));
        if took > TARGET_P99_APPEND {
            slow.push((due, took));
        }
    }
    RateFigures {
        latency,
        sent: total,
        elapsed: started.elapsed(),
        slow_periods: slow_periods(&slow),
    }
}

/// Groups appends slower than their target into periods (appends due
/// within 100 ms of each other), as "from–to s: worst ms".
fn slow_periods(slow: &[(Duration, Duration)]) -> Vec<String> {
    let mut periods: Vec<(Duration, Duration, Duration, usize)> = Vec::new();
    for &(due, took) in slow {
        match periods.last_mut() {
            Some((_, end, worst, count)) if due <= *end + Duration::from_millis(100) => {
                *end = due;
                *worst = (*worst).max(took);
                *count += 1;
            }
            _ => periods.push((due, due, took, 1)),
        }
    }
    periods
        .iter()
        .map(|(start, end, worst, count)| {
            format!(
                "{:.2}–{:.2} s: {count} slow, worst {:.0} ms",
                start.as_secs_f64(),
                end.as_secs_f64(),
                worst.as_secs_f64() * 1e3
            )
        })
        .collect()
}

struct ReadFigures {
    events: u64,
    bytes: u64,
    /// Reads from the start: more than one where the store was read to its end.
    passes: u64,
    elapsed: Duration,
}

/// (c) Reads `$all` forwards from the start into one client for the
/// benchmark's duration, starting again from the start whenever it reaches
/// the end (so that a small store is measured as long as a large one).
async fn read_all_throughput(client: &Client, settings: &Settings) -> ReadFigures {
    let options = ReadAllOptions::default()
        .forwards()
        .position(StreamPosition::Start)
        .max_count(usize::MAX);
    let started = Instant::now();
    let until = started + settings.duration();
    let mut events = 0u64;
    let mut bytes = 0u64;
    let mut passes = 0u64;
    'passes: while Instant::now() < until {
        passes += 1;
        let mut reading = client.read_all(&options).await.expect("$all can be read");
        let mut last_position = 0;
        loop {
            let next = tokio::time::timeout(CALL_TIMEOUT, reading.next())
                .await
                .expect("the read keeps answering");
            match next {
                Ok(Some(resolved)) => {
                    let event = resolved.get_original_event();
                    assert!(
                        event.position.commit > last_position,
                        "$all positions do not grow"
                    );
                    last_position = event.position.commit;
                    events += 1;
                    bytes += event.data.len() as u64;
                    if events.is_multiple_of(4_096) && Instant::now() >= until {
                        break 'passes;
                    }
                }
                Ok(None) => break,
                Err(error) => panic!("reading $all failed: {error}"),
            }
        }
    }
    ReadFigures {
        events,
        bytes,
        passes,
        elapsed: started.elapsed(),
    }
}

struct LiveFigures {
    from_acknowledgement: Histogram<u64>,
    from_sending: Histogram<u64>,
    seen_before_acknowledgement: u64,
    missed: u64,
    sent: u64,
}

/// (d) A live subscriber to `$all` while appends come at a fixed rate:
/// time from each append's acknowledgement to the subscriber receiving it.
async fn live_latency(client: &Client, settings: &Settings) -> LiveFigures {
    let run = Uuid::new_v4().simple().to_string();
    let seen: Arc<Mutex<HashMap<Uuid, Instant>>> = Arc::default();
    let mut subscription = client
        .subscribe_to_all(&SubscribeToAllOptions::default().position(StreamPosition::End))
        .await;
    match tokio::time::timeout(CALL_TIMEOUT, subscription.next_subscription_event()).await {
        Ok(Ok(SubscriptionEvent::Confirmed(_))) => {}
        other => panic!("the subscription was not confirmed: {other:?}"),
    }
    let done = Arc::new(AtomicBool::new(false));
    let subscriber = {
        let seen = seen.clone();
        let done = done.clone();
        tokio::spawn(async move {
            while !done.load(Ordering::Relaxed) {
                match tokio::time::timeout(Duration::from_millis(200), subscription.next()).await {
                    Ok(Ok(resolved)) => {
                        let now = Instant::now();
                        let id = resolved.get_original_event().id;
                        drop(seen.lock().map(|mut seen| seen.insert(id, now)));
                    }
                    Ok(Err(error)) => panic!("the subscription failed: {error}"),
                    Err(_) => {}
                }
            }
        })
    };

    let total = settings.rate * settings.seconds;
    let interval = Duration::from_secs_f64(1.0 / settings.rate as f64);
    let acknowledged: Arc<Mutex<HashMap<Uuid, (Instant, Instant)>>> = Arc::default();
    let started = Instant::now();
    let mut tasks = Vec::with_capacity(total as usize);
    for index in 0..total {
        let due = started + interval.mul_f64(index as f64);
        tokio::time::sleep_until(due.into()).await;
        let client = client.clone();
        let stream = format!("bench-live-{run}-{}", index % 64);
        let event = event(settings.event_size);
        let acknowledged = acknowledged.clone();
        tasks.push(tokio::spawn(async move {
            let id = Uuid::new_v4();
            let options = AppendToStreamOptions::default().stream_state(StreamState::Any);
            let sent = Instant::now();
            match tokio::time::timeout(
                CALL_TIMEOUT,
                client.append_to_stream(stream.as_str(), &options, event.id(id)),
            )
            .await
            {
                Ok(Ok(_)) => {
                    let now = Instant::now();
                    drop(
                        acknowledged
                            .lock()
                            .map(|mut acknowledged| acknowledged.insert(id, (sent, now))),
                    );
                }
                Ok(Err(error)) => panic!("an append failed: {error}"),
                Err(_) => panic!("an append was not answered within {CALL_TIMEOUT:?}"),
            }
        }));
    }
    for task in tasks {
        task.await.expect("an appender panicked");
    }
    // Let the subscriber receive the last ones.
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline && seen.lock().map_or(0, |seen| seen.len()) < total as usize {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    done.store(true, Ordering::Relaxed);
    subscriber.await.expect("the subscriber panicked");

    let seen = seen.lock().expect("the subscriber is done").clone();
    let acknowledged = acknowledged.lock().expect("the appenders are done").clone();
    let mut figures = LiveFigures {
        from_acknowledgement: histogram(),
        from_sending: histogram(),
        seen_before_acknowledgement: 0,
        missed: 0,
        sent: total,
    };
    for (id, (sent, acknowledged_at)) in &acknowledged {
        match seen.get(id) {
            Some(seen_at) => {
                if seen_at < acknowledged_at {
                    figures.seen_before_acknowledgement += 1;
                }
                figures
                    .from_acknowledgement
                    .saturating_record(micros(seen_at.saturating_duration_since(*acknowledged_at)));
                figures
                    .from_sending
                    .saturating_record(micros(seen_at.saturating_duration_since(*sent)));
            }
            None => figures.missed += 1,
        }
    }
    figures
}

/// Writes `count` events as fast as the store takes them: appends of
/// [`PRELOAD_BATCH`] events, each to a new stream, from several appenders.
async fn preload(client: &Client, count: u64, event_size: usize) -> Duration {
    let appends = count.div_ceil(PRELOAD_BATCH);
    let next = Arc::new(AtomicU64::new(0));
    let written = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let tasks: Vec<_> = (0..PRELOAD_APPENDERS)
        .map(|_| {
            let client = client.clone();
            let next = next.clone();
            let written = written.clone();
            tokio::spawn(async move {
                loop {
                    let append = next.fetch_add(1, Ordering::Relaxed);
                    if append >= appends {
                        break;
                    }
                    let events = PRELOAD_BATCH.min(count - append * PRELOAD_BATCH);
                    let batch: Vec<EventData> = (0..events).map(|_| event(event_size)).collect();
                    let options =
                        AppendToStreamOptions::default().stream_state(StreamState::NoStream);
                    let stream = format!("preload-{append}");
                    match tokio::time::timeout(
                        CALL_TIMEOUT,
                        client.append_to_stream(stream.as_str(), &options, batch),
                    )
                    .await
                    {
                        Ok(Ok(_)) => {
                            written.fetch_add(events, Ordering::Relaxed);
                        }
                        Ok(Err(error)) => panic!("a preload append failed: {error}"),
                        Err(_) => {
                            panic!("a preload append was not answered within {CALL_TIMEOUT:?}")
                        }
                    }
                }
            })
        })
        .collect();
    let progress = {
        let written = written.clone();
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(Duration::from_secs(10)).await;
                let so_far = written.load(Ordering::Relaxed);
                println!(
                    "    preloaded {} of {} events ({} events/s)",
                    thousands(so_far as f64),
                    thousands(count as f64),
                    thousands(per_second(so_far, started.elapsed()))
                );
            }
        })
    };
    for task in tasks {
        task.await.expect("a preload appender panicked");
    }
    progress.abort();
    started.elapsed()
}

/// Time until the restarted store answers a read of `$all` and an append.
async fn first_answers(store: &StoreProcess) -> (Duration, Duration) {
    let started = Instant::now();
    let client = connect(store);
    let options = ReadAllOptions::default()
        .backwards()
        .position(StreamPosition::End)
        .max_count(1);
    let mut reading = client
        .read_all(&options)
        .await
        .expect("$all can be read after a restart");
    reading
        .next()
        .await
        .expect("$all reads after a restart")
        .expect("$all holds events after a restart");
    let read = started.elapsed();
    let options = AppendToStreamOptions::default().stream_state(StreamState::Any);
    client
        .append_to_stream("bench-restart", &options, event(500))
        .await
        .expect("the store takes appends after a restart");
    (read, started.elapsed())
}

fn report_append(
    report: &mut Report,
    label: &str,
    figures: &AppendFigures,
    writers: usize,
    target: Option<f64>,
) {
    let (target_text, met) = match target {
        Some(target) => (
            format!("≥ {} /s", thousands(target)),
            Some(figures.per_second >= target),
        ),
        None => (String::new(), None),
    };
    report.add(
        format!("{label}appends/s, {writers} writers, single events"),
        format!("{} /s", thousands(figures.per_second)),
        target_text,
        met,
    );
    report.add(
        format!("{label}  their latency p50 / p99 (closed loop)"),
        format!(
            "{} / {}",
            milliseconds(figures.latency.value_at_quantile(0.50)),
            milliseconds(figures.latency.value_at_quantile(0.99))
        ),
        "",
        None,
    );
    report.add(
        format!(
            "{label}  CPU while appending, server / client / rest of machine (100 % = one core)"
        ),
        format!(
            "{:.0} % / {:.0} % / {:.0} %",
            100.0 * figures.server_cpu.as_secs_f64() / figures.elapsed.as_secs_f64(),
            100.0 * figures.client_cpu.as_secs_f64() / figures.elapsed.as_secs_f64(),
            100.0 * figures.other_cpu.as_secs_f64() / figures.elapsed.as_secs_f64()
        ),
        "",
        None,
    );
}

fn report_read(report: &mut Report, label: &str, figures: &ReadFigures, target: Option<f64>) {
    let rate = per_second(figures.events, figures.elapsed);
    let (target_text, met) = match target {
        Some(target) => (format!("≥ {} /s", thousands(target)), Some(rate >= target)),
        None => (String::new(), None),
    };
    report.add(
        format!("{label}read $all forwards, events/s"),
        format!(
            "{} /s ({} events in {} pass{}, {:.0} MB/s of data)",
            thousands(rate),
            thousands(figures.events as f64),
            figures.passes,
            if figures.passes == 1 { "" } else { "es" },
            figures.bytes as f64 / figures.elapsed.as_secs_f64() / 1e6
        ),
        target_text,
        met,
    );
}

async fn run_large(report: &mut Report, settings: &Settings) {
    let data = data_folder();
    let binary = binary();
    let store = start(&binary, data.path());
    let client = connect(&store);

    println!("large: baseline on an empty store");
    let empty_append = append_throughput(&client, &store, settings).await;
    report_append(
        report,
        "empty store: ",
        &empty_append,
        settings.writers,
        None,
    );
    let empty_read = read_all_throughput(&client, settings).await;
    report_read(report, "empty store: ", &empty_read, None);

    println!(
        "large: preloading {} events",
        thousands(settings.preload as f64)
    );
    let took = preload(&client, settings.preload, settings.event_size).await;
    report.add(
        format!(
            "preload of {} events ({} per append)",
            thousands(settings.preload as f64),
            PRELOAD_BATCH
        ),
        format!(
            "{:.1} s, {} events/s",
            took.as_secs_f64(),
            thousands(per_second(settings.preload, took))
        ),
        "",
        None,
    );
    // The kernel is still writing the preload back to disk; measuring now
    // would measure that (every fsync waits behind it), not the large store.
    let dirty = dirty_bytes();
    let syncing = Instant::now();
    let synced = std::process::Command::new("sync")
        .status()
        .is_ok_and(|status| status.success());
    assert!(synced, "sync failed");
    report.add(
        "writing the preload back to disk (sync) before measuring",
        format!(
            "{:.1} s ({} dirty)",
            syncing.elapsed().as_secs_f64(),
            megabytes(dirty)
        ),
        "",
        None,
    );
    let (rss, _) = resident_memory(store.pid());
    report.add(
        "RSS after preloading",
        megabytes(rss),
        format!("≤ {}", megabytes(TARGET_RSS_BYTES)),
        Some(rss <= TARGET_RSS_BYTES),
    );

    println!("large: figures on the large store");
    let large_append = append_throughput(&client, &store, settings).await;
    let append_floor = empty_append.per_second * (1.0 - TARGET_LARGE_SLOWDOWN);
    report_append(
        report,
        "large store: ",
        &large_append,
        settings.writers,
        Some(append_floor),
    );
    let large_read = read_all_throughput(&client, settings).await;
    let empty_read_rate = per_second(empty_read.events, empty_read.elapsed);
    report_read(
        report,
        "large store: ",
        &large_read,
        Some(empty_read_rate * (1.0 - TARGET_LARGE_SLOWDOWN)),
    );
    let (rss, peak) = resident_memory(store.pid());
    report.add(
        "RSS after appending and reading (peak)",
        format!("{} ({})", megabytes(rss), megabytes(peak)),
        format!("≤ {}", megabytes(TARGET_RSS_BYTES)),
        Some(rss <= TARGET_RSS_BYTES && peak <= TARGET_RSS_BYTES),
    );
    let size = folder_size(data.path());
    report.add("size of the data folder", megabytes(size), "", None);

    println!("large: restarts");
    drop(client);
    let stopped_in = store.stop();
    report.add(
        "clean stop (SIGTERM) to exit",
        format!("{:.2} s", stopped_in.as_secs_f64()),
        "",
        None,
    );

    let store = start(&binary, data.path());
    let (read, append) = first_answers(&store).await;
    report.add(
        "restart after a clean stop: to listening / first read / first append",
        format!(
            "{:.2} s / {:.2} s / {:.2} s",
            store.startup().as_secs_f64(),
            (store.startup() + read).as_secs_f64(),
            (store.startup() + append).as_secs_f64()
        ),
        format!("≤ {:.0} s", TARGET_RESTART.as_secs_f64()),
        Some(store.startup() + append <= TARGET_RESTART),
    );
    let (rss, _) = resident_memory(store.pid());
    report.add(
        "RSS after a restart",
        megabytes(rss),
        format!("≤ {}", megabytes(TARGET_RSS_BYTES)),
        Some(rss <= TARGET_RSS_BYTES),
    );

    // Crash under load, then recover.
    let client = connect(&store);
    let loading = {
        let client = client.clone();
        let size = settings.event_size;
        tokio::spawn(async move {
            let mut appended = 0u64;
            loop {
                let options = AppendToStreamOptions::default().stream_state(StreamState::Any);
                if client
                    .append_to_stream("bench-crash", &options, event(size))
                    .await
                    .is_err()
                {
                    return appended;
                }
                appended += 1;
            }
        })
    };
    tokio::time::sleep(Duration::from_millis(500)).await;
    store.kill();
    drop(loading.await);
    drop(client);
    let store = start(&binary, data.path());
    let (read, append) = first_answers(&store).await;
    report.add(
        "restart after SIGKILL under load: to listening / first read / first append",
        format!(
            "{:.2} s / {:.2} s / {:.2} s",
            store.startup().as_secs_f64(),
            (store.startup() + read).as_secs_f64(),
            (store.startup() + append).as_secs_f64()
        ),
        format!("≤ {:.0} s", TARGET_RESTART.as_secs_f64()),
        Some(store.startup() + append <= TARGET_RESTART),
    );
    store.kill();
}

fn machine() -> String {
    let cores = std::thread::available_parallelism().map_or(0, usize::from);
    let model = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines().find_map(|line| {
                line.strip_prefix("model name")
                    .map(|rest| rest.trim_start_matches([' ', '\t', ':']).to_owned())
            })
        })
        .unwrap_or_else(|| "unknown CPU".to_owned());
    let memory = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .next()
                .map(|line| line.split_whitespace().nth(1).unwrap_or("0").to_owned())
        })
        .and_then(|kilobytes| kilobytes.parse::<u64>().ok())
        .map_or_else(
            || "unknown memory".to_owned(),
            |kilobytes| format!("{:.1} GiB", kilobytes as f64 / 1_048_576.0),
        );
    format!("{cores} cores ({model}), {memory}")
}

#[tokio::main]
async fn main() {
    let settings = Settings::from_args();
    SECURE
        .set(settings.secure)
        .expect("the settings are read once");
    let binary = binary();
    println!("labex-store benchmark: {}", binary.display());
    println!("machine: {}", machine());
    println!(
        "settings: {} s per figure, {} writers, {} appends/s offered, {} B events, preload {}",
        settings.seconds,
        settings.writers,
        settings.rate,
        settings.event_size,
        thousands(settings.preload as f64)
    );
    if settings.secure {
        println!("secured: TLS and a user's credentials on every call");
    }
    let mut report = Report::default();

    let latency_runs = settings.runs > 1 && settings.benches.contains(&Bench::Latency);
    if latency_runs {
        run_latency_runs(&mut report, &settings, &binary).await;
    }
    let small: Vec<Bench> = settings
        .benches
        .iter()
        .copied()
        .filter(|bench| *bench != Bench::Large)
        .filter(|bench| !(latency_runs && *bench == Bench::Latency))
        .collect();
    if !small.is_empty() {
        let data = data_folder();
        let store = start(&binary, data.path());
        let client = connect(&store);
        for bench in &small {
            match bench {
                Bench::Append => {
                    println!(
                        "append: {} writers for {} s",
                        settings.writers, settings.seconds
                    );
                    let figures = append_throughput(&client, &store, &settings).await;
                    report_append(
                        &mut report,
                        "",
                        &figures,
                        settings.writers,
                        Some(TARGET_APPENDS_PER_SECOND),
                    );
                }
                Bench::Latency => {
                    println!(
                        "latency: {} appends/s for {} s, open loop",
                        settings.rate, settings.seconds
                    );
                    let figures = fixed_rate_latency(&client, &settings).await;
                    let p99 = figures.latency.value_at_quantile(0.99);
                    report.add(
                        format!(
                            "append latency p50 / p99 at {} /s offered",
                            thousands(settings.rate as f64)
                        ),
                        format!(
                            "{} / {} (max {}, {} /s achieved)",
                            milliseconds(figures.latency.value_at_quantile(0.50)),
                            milliseconds(p99),
                            milliseconds(figures.latency.max()),
                            thousands(per_second(figures.sent, figures.elapsed))
                        ),
                        format!("p99 ≤ {} ms", TARGET_P99_APPEND.as_millis()),
                        Some(p99 <= micros(TARGET_P99_APPEND)),
                    );
                    if !figures.slow_periods.is_empty() {
                        println!(
                            "    appends over {} ms, by when they were due: {}",
                            TARGET_P99_APPEND.as_millis(),
                            figures.slow_periods.join("; ")
                        );
                    }
                }
                Bench::Read => {
                    let stored = store_size(&client).await;
                    if stored < 200_000 {
                        println!(
                            "read: preloading {} events to read",
                            thousands((200_000 - stored) as f64)
                        );
                        preload(&client, 200_000 - stored, settings.event_size).await;
                    }
                    println!("read: $all forwards");
                    let figures = read_all_throughput(&client, &settings).await;
                    report_read(
                        &mut report,
                        "",
                        &figures,
                        Some(TARGET_READ_EVENTS_PER_SECOND),
                    );
                }
                Bench::Live => {
                    println!(
                        "live: subscriber to $all at {} appends/s for {} s",
                        settings.rate, settings.seconds
                    );
                    let figures = live_latency(&client, &settings).await;
                    let p99 = figures.from_acknowledgement.value_at_quantile(0.99);
                    report.add(
                        format!(
                            "live $all latency, acknowledged → seen, p50 / p99 at {} /s",
                            thousands(settings.rate as f64)
                        ),
                        format!(
                            "{} / {} (max {})",
                            milliseconds(figures.from_acknowledgement.value_at_quantile(0.50)),
                            milliseconds(p99),
                            milliseconds(figures.from_acknowledgement.max())
                        ),
                        format!("p99 ≤ {} ms", TARGET_P99_LIVE.as_millis()),
                        Some(p99 <= micros(TARGET_P99_LIVE) && figures.missed == 0),
                    );
                    report.add(
                        "  live latency, sent → seen, p50 / p99",
                        format!(
                            "{} / {}",
                            milliseconds(figures.from_sending.value_at_quantile(0.50)),
                            milliseconds(figures.from_sending.value_at_quantile(0.99))
                        ),
                        "",
                        None,
                    );
                    report.add(
                        "  live events seen before their append was acknowledged / missed",
                        format!(
                            "{} / {} of {}",
                            thousands(figures.seen_before_acknowledgement as f64),
                            figures.missed,
                            thousands(figures.sent as f64)
                        ),
                        "missed = 0",
                        Some(figures.missed == 0),
                    );
                }
                Bench::Large => {}
            }
        }
        let (rss, peak) = resident_memory(store.pid());
        report.add(
            "RSS of the server after the figures above (peak)",
            format!("{} ({})", megabytes(rss), megabytes(peak)),
            "",
            None,
        );
        store.kill();
    }

    if settings.benches.contains(&Bench::Large) {
        run_large(&mut report, &settings).await;
    }
    report.print();
}

/// The disk's fsync latency where the store keeps its data: 4 KiB written
/// over the same 4 MiB again and again, each write fsynced, for `probe`.
fn disk_fsync_latency(folder: &std::path::Path, probe: Duration) -> Histogram<u64> {
    use std::io::{Seek, SeekFrom, Write};
    let path = folder.join("fsync-probe");
    let mut latency = histogram();
    let Ok(mut file) = std::fs::File::create(&path) else {
        return latency;
    };
    let block = vec![b'x'; 4096];
    let started = Instant::now();
    let mut offset = 0u64;
    while started.elapsed() < probe {
        let written = file
            .seek(SeekFrom::Start(offset))
            .and_then(|_| file.write_all(&block));
        let synced = Instant::now();
        if written.and_then(|()| file.sync_all()).is_err() {
            break;
        }
        latency.saturating_record(micros(synced.elapsed()));
        offset = (offset + 4096) % (4 * 1024 * 1024);
    }
    drop(std::fs::remove_file(&path));
    latency
}

/// `latency` `--runs` times, each on a fresh store, with the load on the
/// rest of the machine and the disk's fsync latency beside each run.
async fn run_latency_runs(report: &mut Report, settings: &Settings, binary: &std::path::Path) {
    println!(
        "latency: {} runs of {} appends/s for {} s, open loop, each on a fresh store",
        settings.runs, settings.rate, settings.seconds
    );
    let mut p99s = Vec::new();
    for run in 1..=settings.runs {
        let data = data_folder();
        let disk = disk_fsync_latency(data.path(), Duration::from_secs(1));
        let store = start(binary, data.path());
        let client = connect(&store);
        let cpu_at_start = cpu_time(store.pid());
        let client_cpu_at_start = cpu_time(std::process::id());
        let machine_cpu_at_start = machine_cpu_time();
        let figures = fixed_rate_latency(&client, settings).await;
        let server_cpu = cpu_time(store.pid()).saturating_sub(cpu_at_start);
        let client_cpu = cpu_time(std::process::id()).saturating_sub(client_cpu_at_start);
        let other_cpu = machine_cpu_time()
            .saturating_sub(machine_cpu_at_start)
            .saturating_sub(server_cpu + client_cpu);
        store.kill();
        let p99 = figures.latency.value_at_quantile(0.99);
        let seconds = figures.elapsed.as_secs_f64();
        println!(
            "    run {run}: p50 {} / p99 {} / max {}; CPU server {:.0} %, client {:.0} %, rest of machine {:.0} %; disk fsync before the run p50 {} / p99 {} / max {}",
            milliseconds(figures.latency.value_at_quantile(0.50)),
            milliseconds(p99),
            milliseconds(figures.latency.max()),
            100.0 * server_cpu.as_secs_f64() / seconds,
            100.0 * client_cpu.as_secs_f64() / seconds,
            100.0 * other_cpu.as_secs_f64() / seconds,
            milliseconds(disk.value_at_quantile(0.50)),
            milliseconds(disk.value_at_quantile(0.99)),
            milliseconds(disk.max()),
        );
        if !figures.slow_periods.is_empty() {
            println!(
                "        appends over {} ms, by when they were due: {}",
                TARGET_P99_APPEND.as_millis(),
                figures.slow_periods.join("; ")
            );
        }
        p99s.push(p99);
    }
    let met = p99s
        .iter()
        .filter(|p99| **p99 <= micros(TARGET_P99_APPEND))
        .count();
    let mut sorted = p99s.clone();
    sorted.sort_unstable();
    let median = sorted[sorted.len() / 2];
    report.add(
        format!(
            "append latency p99 at {} /s offered, {} fresh runs: min / median / max",
            thousands(settings.rate as f64),
            p99s.len()
        ),
        format!(
            "{} / {} / {} ({met} of {} runs ≤ {} ms; every run: {})",
            milliseconds(sorted[0]),
            milliseconds(median),
            milliseconds(sorted[sorted.len() - 1]),
            p99s.len(),
            TARGET_P99_APPEND.as_millis(),
            p99s.iter()
                .map(|p99| format!("{:.1}", *p99 as f64 / 1_000.0))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        format!("p99 ≤ {} ms in every run", TARGET_P99_APPEND.as_millis()),
        Some(met == p99s.len()),
    );
}

/// Position of the last event: the number of events, since positions count from 1.
async fn store_size(client: &Client) -> u64 {
    let options = ReadAllOptions::default()
        .backwards()
        .position(StreamPosition::End)
        .max_count(1);
    let mut reading = client.read_all(&options).await.expect("$all can be read");
    match reading.next().await.expect("$all can be read") {
        Some(resolved) => resolved.get_original_event().position.commit,
        None => 0,
    }
}
