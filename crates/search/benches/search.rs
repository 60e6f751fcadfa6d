//! The search benchmark, in process: builds an index of generated Chinese
//! vacancies through the projection's own path (batches of
//! `VacancyPublished` events, grouped commits with the position in the
//! payload), then runs a mixed query set (text with region, salary, sort
//! and facets) and reports vacancies/s, query latency percentiles, index
//! size and resident memory.
//!
//! ```text
//! cargo bench -p labex-search --bench search -- --count 100000
//! ```
//!
//! Flags: `--count N` vacancies (1,000,000), `--queries N` measured
//! queries (5,000), `--seed N` (2026), `--dir PATH` to keep the index
//! (a temporary folder otherwise), `--skip-build` to query an index kept
//! in `--dir`. `--store` instead goes through the embedded event store:
//! it preloads `--count` vacancies, times the projection rebuilding the
//! index from `$all`, then measures the lag from an acknowledged append to
//! a searchable vacancy at 50 appends/s for `--lag-seconds` (20).

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use chrono::{TimeZone, Utc};
use hdrhistogram::Histogram;
use kurrentdb::Position;
use labex_domain::vacancy::{VacancyEvent, VacancyPublished};
use labex_domain::value::{DivisionCode, DivisionLevel, Education};
use labex_domain::{EmployerId, Event, VacancyId};
use labex_eventsourcing::{EventContext, Metadata, StoredEvent};
use labex_search::{IndexOptions, SearchIndex, SortOrder, VacancySearch};
use labex_testkit::{folder_size, resident_memory};
use serde_json::json;
use uuid::Uuid;

const OCCUPATIONS: &str = include_str!("data/occupations.txt");
const DIVISIONS: &str = include_str!("data/divisions.txt");

/// The batch size the projection runner hands over by default.
const BATCH: usize = 256;

struct Flags {
    store: bool,
    lag_seconds: u64,
    skip_build: bool,
    count: usize,
    queries: usize,
    seed: u64,
    dir: Option<PathBuf>,
}

fn flags() -> Flags {
    let mut flags = Flags {
        store: false,
        lag_seconds: 20,
        skip_build: false,
        count: 1_000_000,
        queries: 5_000,
        seed: 2026,
        dir: None,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().expect("a flag takes a value");
        match arg.as_str() {
            "--count" => flags.count = value().replace('_', "").parse().expect("a count"),
            "--queries" => flags.queries = value().parse().expect("a query count"),
            "--seed" => flags.seed = value().parse().expect("a seed"),
            "--dir" => flags.dir = Some(PathBuf::from(value())),
            "--skip-build" => flags.skip_build = true,
            "--store" => flags.store = true,
            "--lag-seconds" => flags.lag_seconds = value().parse().expect("seconds"),
            // `cargo bench` passes `--bench`; ignore what is not ours.
            _ => {}
        }
    }
    flags
}

/// SplitMix64: small, seeded, good enough for test data.
struct Random(u64);

impl Random {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, bound: usize) -> usize {
        (self.next() % bound as u64) as usize
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    fn word(&mut self, items: &[&'static str]) -> &'static str {
        items[self.below(items.len())]
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

struct Occupation {
    group: u8,
    name: String,
    duties: Vec<String>,
}

struct Division {
    code: String,
    name: String,
}

fn occupations() -> Vec<Occupation> {
    OCCUPATIONS
        .lines()
        .filter(|line| !line.starts_with('#') && !line.trim().is_empty())
        .map(|line| {
            let mut parts = line.split('\t');
            let group = parts.next().unwrap().parse().unwrap();
            let name = parts.next().unwrap().to_owned();
            let duties = parts
                .next()
                .unwrap()
                .split('；')
                .map(str::to_owned)
                .collect();
            Occupation {
                group,
                name,
                duties,
            }
        })
        .collect()
}

fn divisions() -> Vec<Division> {
    DIVISIONS
        .lines()
        .filter(|line| !line.starts_with('#') && !line.trim().is_empty())
        .map(|line| {
            let (code, name) = line.split_once('\t').unwrap();
            DivisionCode::parse(code).expect("a real division code");
            Division {
                code: code.to_owned(),
                name: name.to_owned(),
            }
        })
        .collect()
}

const TITLE_PREFIXES: [&str; 8] = [
    "",
    "",
    "招聘",
    "急招",
    "诚聘",
    "高薪招聘",
    "长期招聘",
    "直招",
];
const TITLE_SUFFIXES: [&str; 9] = [
    "",
    "",
    "",
    "（长白班）",
    "（两班倒）",
    "（包吃住）",
    "（五险一金）",
    "学徒",
    "（可兼职）",
];
const REQUIREMENTS: [&str; 10] = [
    "年龄18至45周岁，身体健康，吃苦耐劳",
    "有相关工作经验者优先，无经验可培训",
    "持相关职业资格证书上岗",
    "责任心强，服从管理，能适应倒班",
    "初中及以上文化程度",
    "高中或中专以上学历，会使用电脑",
    "大专以上学历，沟通能力强",
    "欢迎退役军人和应届毕业生",
    "能吃苦，适应户外工作",
    "熟悉本地道路优先",
];
const BENEFITS: [&str; 10] = [
    "缴纳五险一金",
    "提供免费食宿",
    "月休四天，法定节假日按规定休息",
    "年底双薪，工作满一年有带薪年假",
    "计件工资，多劳多得",
    "提供岗前培训，表现优秀者可晋升",
    "有餐补和交通补贴",
    "工作环境好，长白班不加班",
    "签订正式劳动合同",
    "节日福利和生日福利",
];
const EDUCATIONS: [&str; 6] = [
    "none",
    "none",
    "junior_secondary",
    "senior_secondary",
    "associate",
    "bachelor",
];
const CATEGORIES: [&str; 8] = [
    "graduate",
    "migrant_worker",
    "laid_off",
    "urban_new_labour",
    "hardship",
    "zero_employment_household",
    "returning_migrant",
    "disabled",
];

struct Generator {
    random: Random,
    occupations: Vec<Occupation>,
    divisions: Vec<Division>,
    employers: Vec<EmployerId>,
    start: chrono::DateTime<Utc>,
}

impl Generator {
    fn new(seed: u64) -> Self {
        let mut random = Random(seed);
        let employers = (0..5_000)
            .map(|_| EmployerId::from_uuid(Uuid::from_u64_pair(random.next(), random.next())))
            .collect();
        Self {
            random,
            occupations: occupations(),
            divisions: divisions(),
            employers,
            start: Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap(),
        }
    }

    fn vacancy(&mut self, n: usize) -> Event {
        let random = &mut self.random;
        let occupation = &self.occupations[random.below(self.occupations.len())];
        let division = &self.divisions[random.below(self.divisions.len())];
        let title = format!(
            "{}{}{}",
            random.word(&TITLE_PREFIXES),
            occupation.name,
            random.word(&TITLE_SUFFIXES)
        );
        let mut description = String::new();
        for duty in &occupation.duties {
            description.push_str(duty);
            description.push('；');
        }
        description.push_str(random.word(&REQUIREMENTS));
        description.push('；');
        description.push_str(random.word(&REQUIREMENTS));
        description.push('。');
        description.push_str(random.word(&BENEFITS));
        description.push('，');
        description.push_str(random.word(&BENEFITS));
        description.push_str("。工作地点：");
        description.push_str(&division.name);
        description.push('。');
        let base = match occupation.group {
            2 => 6000,
            3 => 3500,
            5 => 3500,
            6 => 4500,
            _ => 3000,
        };
        let min = base + random.below(30) as u32 * 100;
        let max = min + 1000 + random.below(40) as u32 * 100;
        let education = if occupation.group == 2 {
            "associate"
        } else {
            random.pick(&EDUCATIONS)
        };
        let mut welcomes = Vec::new();
        if random.chance(30) {
            welcomes.push(random.word(&CATEGORIES));
        }
        let public_welfare = random.chance(2);
        let published_at = self.start + chrono::Duration::seconds((n as i64) * 13);
        let employer = self.employers[random.below(self.employers.len())];
        let id = VacancyId::from_uuid(Uuid::from_u64_pair(random.next(), n as u64));
        let value = json!({
            "vacancy_id": id,
            "employer_id": employer,
            "details": {
                "title": title,
                "description": description,
                "occupation": occupation.name,
                "region": division.code,
                "salary": {"min_yuan": min, "max_yuan": max},
                "headcount": 1 + random.below(20),
                "education": education,
                "experience_years": random.below(4),
                "welcomes": welcomes,
                "public_welfare": public_welfare,
                "closes_at": null
            },
            "published_at": published_at,
        });
        let published: VacancyPublished =
            serde_json::from_value(value).expect("generated vacancies are valid");
        Event::Vacancy(VacancyEvent::Published(published))
    }
}

fn stored(event: Event, position: Position, metadata: &Metadata) -> StoredEvent {
    StoredEvent {
        id: Uuid::now_v7(),
        stream: event.stream_name(),
        revision: 0,
        position,
        created: Utc::now(),
        metadata: metadata.clone(),
        event,
    }
}

/// Busy CPU time of the whole machine and of this process, in clock
/// ticks, to tell how much else ran during a measurement.
fn cpu_ticks() -> (u64, u64) {
    let machine = std::fs::read_to_string("/proc/stat")
        .ok()
        .and_then(|stat| {
            let line = stat.lines().next()?.to_owned();
            let values: Vec<u64> = line
                .split_whitespace()
                .skip(1)
                .filter_map(|value| value.parse().ok())
                .collect();
            // user nice system idle iowait irq softirq steal: busy is all
            // but idle and iowait.
            Some(values.iter().sum::<u64>() - values.get(3)? - values.get(4)?)
        })
        .unwrap_or(0);
    let own = std::fs::read_to_string("/proc/self/stat")
        .ok()
        .and_then(|stat| {
            let after_name = stat.rsplit_once(')')?.1.to_owned();
            let fields: Vec<&str> = after_name.split_whitespace().collect();
            // utime and stime are fields 14 and 15 of the whole line.
            Some(fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?)
        })
        .unwrap_or(0);
    (machine, own)
}

/// The share of one core the rest of the machine used since `before`,
/// over `elapsed`, in per cent.
fn rest_of_machine(before: (u64, u64), elapsed: Duration) -> f64 {
    let after = cpu_ticks();
    let others = (after.0 - before.0).saturating_sub(after.1 - before.1);
    // Clock ticks are 1/100 s on Linux.
    others as f64 / elapsed.as_secs_f64()
}

const QUERY_WORDS: [&str; 24] = [
    "叉车",
    "焊工",
    "电焊工",
    "司机",
    "驾驶员",
    "保洁",
    "厨师",
    "普工",
    "电工",
    "快递员",
    "仓库",
    "收银员",
    "保安",
    "育婴员",
    "护理",
    "会计",
    "软件",
    "服务员",
    "包吃住",
    "长白班",
    "五险一金",
    "装配",
    "面点师",
    "维修",
];
const CITIES: [&str; 6] = ["410100", "410200", "410300", "410700", "420100", "410000"];
const COUNTIES: [&str; 6] = ["410105", "410102", "410311", "420106", "410182", "410212"];

fn query(random: &mut Random) -> VacancySearch {
    let mut search = VacancySearch::default();
    let words = if random.chance(20) {
        format!(
            "{} {}",
            random.pick(&QUERY_WORDS),
            random.pick(&QUERY_WORDS)
        )
    } else {
        (random.word(&QUERY_WORDS)).to_owned()
    };
    if !random.chance(10) {
        search.q = Some(words);
    }
    if std::env::var_os("LABEX_BENCH_NO_TEXT").is_some() {
        // For profiling the searches that match (nearly) everything.
        search.q = None;
        search.region = None;
        return search;
    }
    let region = random.below(10);
    if region < 5 {
        search.region = Some(DivisionCode::parse(random.word(&CITIES)).unwrap());
    } else if region < 8 {
        search.region = Some(DivisionCode::parse(random.word(&COUNTIES)).unwrap());
    }
    if random.chance(60) {
        search.salary_min_yuan = Some(*random.pick(&[3000, 4000, 5000, 6000, 8000]));
    }
    if random.chance(15) {
        search.education =
            Some(*random.pick(&[Education::JuniorSecondary, Education::SeniorSecondary]));
    }
    search.sort = match random.below(10) {
        0 => SortOrder::Newest,
        1 => SortOrder::Salary,
        _ => SortOrder::Relevance,
    };
    if random.chance(5) {
        search.offset = 20 * (1 + random.below(10));
    }
    search
}

/// Queries and microseconds by kind: with or without text (one word or
/// more), and how wide their region is.
fn time_by_kind(
    measured: &[(u64, usize, String, &'static str)],
) -> std::collections::BTreeMap<&'static str, (u64, u64)> {
    let mut kinds = std::collections::BTreeMap::new();
    for (micros, _, _, kind) in measured {
        let entry: &mut (u64, u64) = kinds.entry(*kind).or_default();
        entry.0 += 1;
        entry.1 += micros;
    }
    kinds
}

fn kind(search: &VacancySearch) -> &'static str {
    let words = search
        .q
        .as_deref()
        .map_or(0, |q| q.split_whitespace().count());
    let wide = search
        .region
        .as_ref()
        .is_none_or(|region| region.level() == DivisionLevel::Province);
    match (words, wide) {
        (0, true) => "no text, province",
        (0, false) => "no text, city or county",
        (1, true) => "one word, province",
        (1, false) => "one word, city or county",
        (_, true) => "two words, province",
        (_, false) => "two words, city or county",
    }
}

/// This process's resident and peak resident memory, in MiB.
fn memory_mib() -> (u64, u64) {
    let (rss, peak) = resident_memory(std::process::id());
    (rss >> 20, peak >> 20)
}

fn describe(search: &VacancySearch) -> String {
    format!(
        "q={:?} region={:?} salary_min={:?} education={:?} sort={:?} offset={}",
        search.q.as_deref().unwrap_or_default(),
        search.region.as_ref().map(|region| region.as_str()),
        search.salary_min_yuan,
        search.education.map(|level| level.as_str()),
        search.sort,
        search.offset
    )
}

fn main() {
    let flags = flags();
    if flags.store {
        println!(
            "search benchmark through the embedded store: {} vacancies, lag for {} s",
            flags.count, flags.lag_seconds
        );
        through_the_store(flags.count, flags.lag_seconds, flags.seed);
        return;
    }
    let temporary = tempfile::tempdir().expect("a temporary folder");
    let path = flags
        .dir
        .clone()
        .unwrap_or_else(|| temporary.path().join("index"));
    println!(
        "search benchmark: {} vacancies, {} queries, seed {}, {} cores",
        flags.count,
        flags.queries,
        flags.seed,
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );

    if flags.skip_build {
        let (index, _) =
            SearchIndex::open(&path, IndexOptions::default()).expect("the index opens");
        measure(&flags, &path, index);
        return;
    }

    // Build.
    let (index, _) = SearchIndex::open(&path, IndexOptions::default()).expect("the index opens");
    let mut generator = Generator::new(flags.seed);
    let metadata = Metadata::new(&EventContext::for_request(Uuid::nil(), "bench", None), 1);
    let started = Instant::now();
    let build_ticks = cpu_ticks();
    let mut generated = Duration::ZERO;
    let mut position = 0u64;
    let mut n = 0;
    let mut last_report = Instant::now();
    while n < flags.count {
        let generating = Instant::now();
        let size = BATCH.min(flags.count - n);
        let mut batch = Vec::with_capacity(size);
        for _ in 0..size {
            position += 1_000;
            let at = Position {
                commit: position,
                prepare: position,
            };
            batch.push(stored(generator.vacancy(n), at, &metadata));
            n += 1;
        }
        generated += generating.elapsed();
        let checkpoint = Position {
            commit: position,
            prepare: position,
        };
        index.apply(&batch, checkpoint).expect("the batch applies");
        if last_report.elapsed() > Duration::from_secs(10) {
            last_report = Instant::now();
            println!(
                "  {n} vacancies, {:.0}/s",
                n as f64 / started.elapsed().as_secs_f64()
            );
        }
    }
    index.flush().expect("the last commit");
    let built = started.elapsed();
    let build_others = rest_of_machine(build_ticks, built);
    let indexing = built.saturating_sub(generated);
    let (rss_built, _) = memory_mib();
    println!(
        "build: {} vacancies in {:.1} s = {:.0} vacancies/s (generation {:.1} s excluded: {:.0} vacancies/s; rest of machine: {build_others:.0} % of a core)",
        flags.count,
        built.as_secs_f64(),
        flags.count as f64 / built.as_secs_f64(),
        generated.as_secs_f64(),
        flags.count as f64 / indexing.as_secs_f64()
    );
    println!(
        "after build: {} segments, index {:.0} MiB, RSS {rss_built} MiB",
        index.segment_count(),
        folder_size(&path) as f64 / 1_048_576.0
    );
    let merging = Instant::now();
    index.wait_merging_threads().expect("merges end");
    let (index, _) = SearchIndex::open(&path, IndexOptions::default()).expect("the index reopens");
    println!(
        "merges settled in {:.1} s: {} segments, index {:.0} MiB",
        merging.elapsed().as_secs_f64(),
        index.segment_count(),
        folder_size(&path) as f64 / 1_048_576.0
    );

    measure(&flags, &path, index);
}

fn measure(flags: &Flags, path: &Path, index: SearchIndex) {
    // A look at what the queries find.
    let sample = index
        .search_vacancies(&VacancySearch {
            region: Some(DivisionCode::parse("410100").unwrap()),
            salary_min_yuan: Some(6000),
            limit: 3,
            ..VacancySearch::text("叉车 包吃住")
        })
        .expect("a sample search");
    println!(
        "sample: 叉车 包吃住 in 410100 paying 6000+: {} matches",
        sample.total
    );
    for hit in &sample.hits {
        println!(
            "  {:.2} {} | {}",
            hit.score,
            hit.highlight.title.as_deref().unwrap_or_default(),
            hit.highlight.description.as_deref().unwrap_or_default()
        );
    }
    println!(
        "  occupations: {:?}",
        sample
            .facets
            .occupation
            .iter()
            .take(3)
            .map(|facet| (&facet.value, facet.count))
            .collect::<Vec<_>>()
    );
    let completions = index.complete("叉", 5).expect("a completion");
    println!(
        "sample type-ahead 叉: {:?}",
        completions
            .iter()
            .map(|suggestion| (&suggestion.text, suggestion.count))
            .collect::<Vec<_>>()
    );

    // Query.
    let mut random = Random(flags.seed ^ 0xABCD);
    for _ in 0..200 {
        index
            .search_vacancies(&query(&mut random))
            .expect("a warm-up search");
    }
    let mut latency = Histogram::<u64>::new_with_bounds(1, 60_000_000, 3).unwrap();
    let mut hits = 0usize;
    let mut totals = 0usize;
    let mut slowest: Vec<(u64, usize, String, &'static str)> = Vec::new();
    let querying = Instant::now();
    let ticks = cpu_ticks();
    for _ in 0..flags.queries {
        let search = query(&mut random);
        let started = Instant::now();
        let results = index.search_vacancies(&search).expect("a search");
        let micros = started.elapsed().as_micros().max(1) as u64;
        latency.record(micros).unwrap();
        hits += results.hits.len();
        totals += results.total;
        slowest.push((micros, results.total, describe(&search), kind(&search)));
    }
    let own_ticks = cpu_ticks().1 - ticks.1;
    let shares = time_by_kind(&slowest);
    slowest.sort_by_key(|entry| std::cmp::Reverse(entry.0));
    let elapsed = querying.elapsed();
    let others = rest_of_machine(ticks, elapsed);
    let ms = |quantile: f64| latency.value_at_quantile(quantile) as f64 / 1000.0;
    println!(
        "search: {} queries in {:.1} s ({:.0}/s on one thread), mean {:.0} hits of {:.0} matches",
        flags.queries,
        elapsed.as_secs_f64(),
        flags.queries as f64 / elapsed.as_secs_f64(),
        hits as f64 / flags.queries as f64,
        totals as f64 / flags.queries as f64
    );
    println!(
        "latency: p50 {:.2} ms, p90 {:.2} ms, p99 {:.2} ms, max {:.2} ms (rest of machine: {others:.0} % of a core)",
        ms(0.5),
        ms(0.9),
        ms(0.99),
        latency.max() as f64 / 1000.0
    );
    // Clock ticks are 1/100 s: CPU time is steadier than latency when
    // something else shares the machine.
    println!(
        "CPU: {:.2} ms a query (this process, user and system)",
        own_ticks as f64 * 10.0 / flags.queries as f64
    );
    println!("time by kind of query:");
    for (kind, (count, micros)) in &shares {
        println!(
            "  {kind}: {count} queries, mean {:.2} ms, {:.0} % of the time",
            *micros as f64 / *count as f64 / 1000.0,
            *micros as f64 * 100.0 / elapsed.as_micros() as f64
        );
    }
    println!("slowest queries:");
    for (micros, total, search, _) in slowest.iter().take(8) {
        println!(
            "  {:.1} ms, {total} matches: {search}",
            *micros as f64 / 1000.0
        );
    }
    let started = Instant::now();
    let suggestions = 1_000;
    let mut random = Random(flags.seed ^ 0x1234);
    let prefixes = [
        "叉", "电", "司", "保", "厨", "快递", "仓", "收银", "软件", "维",
    ];
    let mut completion = Histogram::<u64>::new_with_bounds(1, 60_000_000, 3).unwrap();
    for _ in 0..suggestions {
        let at = Instant::now();
        index
            .complete(random.word(&prefixes), 10)
            .expect("a completion");
        completion
            .record(at.elapsed().as_micros().max(1) as u64)
            .unwrap();
    }
    println!(
        "type-ahead: {suggestions} in {:.1} s, p50 {:.2} ms, p99 {:.2} ms",
        started.elapsed().as_secs_f64(),
        completion.value_at_quantile(0.5) as f64 / 1000.0,
        completion.value_at_quantile(0.99) as f64 / 1000.0
    );
    let (rss, peak) = memory_mib();
    println!(
        "index {:.0} MiB on disk; RSS {rss} MiB now, peak {peak} MiB",
        folder_size(path) as f64 / 1_048_576.0
    );
}

/// `--store`: through the embedded event store. Preloads `count`
/// vacancies, times a projection runner rebuilding the index from the
/// start of `$all`, then appends vacancies at 50/s for `seconds` and
/// measures, for each, the time from the append's acknowledgement to the
/// vacancy being searchable.
fn through_the_store(count: usize, seconds: u64, seed: u64) {
    use kurrentdb::AppendToStreamOptions;
    use labex_eventsourcing::{ProjectionRunner, RunnerOptions, event_data};
    use labex_search::SearchProjection;

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime");
    runtime.block_on(async move {
        let store = labex_testkit::Store::start().await;
        let client = store.client().clone();
        let context = EventContext::for_request(Uuid::nil(), "bench", None);

        // Preload.
        let preloading = Instant::now();
        let mut generator = Generator::new(seed);
        let events: Vec<Event> = (0..count).map(|n| generator.vacancy(n)).collect();
        let writers = 32;
        let mut shares: Vec<Vec<Event>> = (0..writers).map(|_| Vec::new()).collect();
        for (n, event) in events.into_iter().enumerate() {
            shares[n % writers].push(event);
        }
        let mut tasks = Vec::new();
        for share in shares {
            let client = client.clone();
            let context = context.clone();
            tasks.push(tokio::spawn(async move {
                let mut last = None;
                for event in share {
                    let stream = event.stream_name();
                    let written = client
                        .append_to_stream(
                            stream,
                            &AppendToStreamOptions::default(),
                            event_data(&event, Uuid::now_v7(), &context),
                        )
                        .await
                        .expect("an append");
                    last = last.max(Some(written.position));
                }
                last
            }));
        }
        let mut head = None;
        for task in tasks {
            head = head.max(task.await.expect("a writer"));
        }
        let head = head.expect("something was appended");
        println!(
            "store: preloaded {count} vacancies in {:.1} s",
            preloading.elapsed().as_secs_f64()
        );

        // Rebuild from the start of $all.
        let folder = tempfile::tempdir().expect("a temporary folder");
        let (index, _) = SearchIndex::open(&folder.path().join("index"), IndexOptions::default())
            .expect("the index opens");
        let rebuilding = Instant::now();
        let runner = ProjectionRunner::spawn(
            client.clone(),
            SearchProjection::new(index.clone()),
            RunnerOptions::default(),
        );
        index
            .wait_for(head, Duration::from_secs(3_600))
            .await
            .expect("the rebuild ends");
        let rebuilt = rebuilding.elapsed();
        println!(
            "store: rebuilt the index from $all in {:.1} s = {:.0} vacancies/s ({} searchable)",
            rebuilt.as_secs_f64(),
            count as f64 / rebuilt.as_secs_f64(),
            index.document_count().expect("a count")
        );

        // Lag at 50 appends/s.
        let (sender, mut receiver) = tokio::sync::mpsc::unbounded_channel::<(Position, Instant)>();
        let watcher = {
            let index = index.clone();
            tokio::spawn(async move {
                let mut lag = Histogram::<u64>::new_with_bounds(1, 60_000_000, 3).unwrap();
                while let Some((position, acknowledged)) = receiver.recv().await {
                    index
                        .wait_for(position, Duration::from_secs(30))
                        .await
                        .expect("the vacancy becomes searchable");
                    lag.record(acknowledged.elapsed().as_micros().max(1) as u64)
                        .unwrap();
                }
                lag
            })
        };
        let mut ticker = tokio::time::interval(Duration::from_millis(20));
        let total = seconds * 50;
        for n in 0..total as usize {
            ticker.tick().await;
            let event = generator.vacancy(count + n);
            let stream = event.stream_name();
            let written = client
                .append_to_stream(
                    stream,
                    &AppendToStreamOptions::default(),
                    event_data(&event, Uuid::now_v7(), &context),
                )
                .await
                .expect("an append");
            sender
                .send((written.position, Instant::now()))
                .expect("the watcher runs");
        }
        drop(sender);
        let lag = watcher.await.expect("the watcher");
        println!(
            "store: lag from acknowledged append to searchable at 50/s, {} vacancies: p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
            lag.len(),
            lag.value_at_quantile(0.5) as f64 / 1000.0,
            lag.value_at_quantile(0.99) as f64 / 1000.0,
            lag.max() as f64 / 1000.0
        );
        runner.stop().await.expect("the runner stops");
        store.stop().await;
    });
}
