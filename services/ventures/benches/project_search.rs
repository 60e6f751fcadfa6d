//! Project search at scale, on the read model the service keeps: 100,000
//! projects of the library written through the service's own view (as
//! the projection writes them, analysed text included), then searches of
//! words, words with filters and filters alone — industry, region,
//! investment — timed one by one. The issue asks p99 ≤ 20 ms.
//!
//! `cargo bench -p labex-ventures --bench project_search` (release).
//! `LABEX_BENCH_PROJECTS` changes the number of projects, and
//! `LABEX_BENCH_SEARCHES` the number of timed searches of each kind.

use std::time::Instant;

use chrono::{TimeZone, Utc};
use hdrhistogram::Histogram;
use labex_domain::Event;
use labex_domain::value::{Description, DivisionCode, Label, OrganisationName, Title};
use labex_domain::venture_project::{
    ProjectDetails, VentureProject, VentureProjectEvent, VentureProjectId, VentureProjectListed,
};
use labex_eventsourcing::{Metadata, Position, StateView, StoredEvent};
use labex_ventures::read_model::{self, ProjectList, ProjectQuery};
use rusqlite::Connection;

/// Kinds of business: a title stem, its industry, what it needs in
/// thousands of yuan (least, most), and a description.
const KINDS: &[(&str, &str, u32, u32, &str)] = &[
    (
        "社区生鲜超市",
        "零售",
        50,
        150,
        "生鲜果蔬进货渠道、门店陈列与社区团购运营",
    ),
    (
        "特色小吃早餐店",
        "餐饮",
        20,
        60,
        "早餐制作工艺、选址与外卖平台经营",
    ),
    (
        "农产品电商直播",
        "电子商务",
        10,
        50,
        "网店运营、直播带货与农产品包装物流",
    ),
    (
        "乡村民宿",
        "住宿",
        200,
        800,
        "老宅改造、乡村旅游线路与线上预订",
    ),
    (
        "家政服务门店",
        "居民服务",
        30,
        80,
        "家政人员培训、保洁与月嫂服务派单",
    ),
    (
        "汽车快修美容",
        "汽车维修",
        100,
        300,
        "快修保养、洗车美容与会员营销",
    ),
    (
        "生态养殖合作社",
        "农业",
        300,
        1000,
        "生态养殖技术、防疫与订单收购",
    ),
    (
        "手工编织工坊",
        "制造业",
        5,
        30,
        "手工编织技艺、来料加工与电商销售",
    ),
    (
        "托育中心",
        "教育",
        150,
        500,
        "婴幼儿照护、场地安全与资质办理",
    ),
    (
        "快递驿站",
        "物流",
        20,
        80,
        "快递代收代发、社区配送与增值服务",
    ),
    (
        "茶饮店加盟",
        "餐饮",
        60,
        200,
        "茶饮配方、品牌加盟与门店管理",
    ),
    (
        "养老助餐点",
        "居民服务",
        40,
        120,
        "老年助餐、营养配餐与上门服务",
    ),
];
const DISTRICTS: &[&str] = &[
    "410102", "410103", "410104", "410105", "410122", "410181", "410302", "410502", "411102",
    "411302", "420102", "420106",
];

fn stored(event: VentureProjectEvent, n: u64) -> StoredEvent {
    StoredEvent {
        id: uuid::Uuid::now_v7(),
        stream: String::new(),
        revision: 0,
        position: Position {
            commit: n,
            prepare: n,
        },
        created: Utc::now(),
        metadata: Metadata {
            correlation_id: uuid::Uuid::nil(),
            causation_id: uuid::Uuid::nil(),
            actor: "bench".to_owned(),
            office: None,
            schema: 1,
            at: None,
        },
        event: Event::VentureProject(event),
    }
}

fn project(n: usize) -> VentureProject {
    let (stem, industry, least, most, description) = KINDS[n % KINDS.len()];
    // Spread the investment: a project asks for 50 % to 150 % of its kind's.
    let scale = 50 + (n / KINDS.len() % 101) as u32;
    VentureProject {
        id: VentureProjectId::from_uuid(uuid::Uuid::from_u128(n as u128 + 1)),
        office: DivisionCode::parse("410100").unwrap(),
        details: ProjectDetails {
            title: Title::parse(&format!("{stem}项目第{}号", n % 997)).unwrap(),
            industry: Label::parse(industry).unwrap(),
            investment_min_yuan: least * 10 * scale,
            investment_max_yuan: most * 10 * scale,
            region: DivisionCode::parse(DISTRICTS[n % DISTRICTS.len()]).unwrap(),
            description: Description::parse(&format!(
                "{description}。适合高校毕业生、返乡农民工和失业人员创业。"
            ))
            .unwrap(),
            contact_organisation: OrganisationName::parse("河南省创业指导服务中心").unwrap(),
        },
        listed_at: Utc.timestamp_opt(1_700_000_000 + n as i64, 0).unwrap(),
        withdrawn: n.is_multiple_of(50),
    }
}

fn write_projects(connection: &mut Connection, count: usize) {
    let mut view = ProjectList;
    let transaction = connection.transaction().unwrap();
    view.migrate(&transaction, false).unwrap();
    for n in 0..count {
        let state = project(n);
        let listed = VentureProjectEvent::Listed(VentureProjectListed {
            project_id: state.id,
            office: state.office.clone(),
            details: state.details.clone(),
            listed_at: state.listed_at,
        });
        view.write(&transaction, &state, &stored(listed, n as u64))
            .unwrap();
    }
    transaction.commit().unwrap();
}

fn milliseconds(histogram: &Histogram<u64>, quantile: f64) -> f64 {
    histogram.value_at_quantile(quantile) as f64 / 1_000.0
}

/// Runs `query(n)` `runs` times, each timed alone; prints p50, p99 and the
/// slowest, and returns the p99 in milliseconds.
fn timed(
    label: &str,
    runs: usize,
    connection: &Connection,
    query: impl Fn(usize) -> ProjectQuery,
) -> f64 {
    let mut histogram = Histogram::<u64>::new(3).unwrap();
    let mut hits = 0u64;
    for n in 0..runs {
        let asked = query(n);
        let started = Instant::now();
        let (total, page) = read_model::search(connection, &asked).unwrap();
        histogram
            .record(started.elapsed().as_micros().max(1) as u64)
            .unwrap();
        hits += total;
        assert!(page.len() <= asked.limit as usize);
    }
    let p99 = milliseconds(&histogram, 0.99);
    println!(
        "{label:<46} runs {runs:>5}  p50 {:>7.2} ms  p99 {p99:>7.2} ms  max {:>7.2} ms  (mean hits {})",
        milliseconds(&histogram, 0.50),
        histogram.max() as f64 / 1_000.0,
        hits / runs.max(1) as u64,
    );
    p99
}

fn page() -> ProjectQuery {
    ProjectQuery {
        limit: 20,
        ..ProjectQuery::default()
    }
}

fn main() {
    let count: usize = std::env::var("LABEX_BENCH_PROJECTS")
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or(100_000);
    let runs: usize = std::env::var("LABEX_BENCH_SEARCHES")
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or(500);
    let folder = tempfile::tempdir().unwrap();
    let path = folder.path().join("readmodel.sqlite");
    let mut writer = Connection::open(&path).unwrap();
    writer.pragma_update(None, "journal_mode", "WAL").unwrap();
    let started = Instant::now();
    write_projects(&mut writer, count);
    println!(
        "{count} projects written in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    drop(writer);
    let reader = Connection::open(&path).unwrap();

    let kinds = [
        "早餐",
        "电商直播",
        "民宿",
        "家政",
        "养殖技术",
        "茶饮加盟",
        "快递",
        "托育",
    ];
    let broad = ["创业", "返乡农民工", "高校毕业生"];
    let industries = ["零售", "餐饮", "农业", "居民服务", "教育"];
    let regions = ["4101", "410105", "4111", "4201", "41"];
    let mut worst: f64 = 0.0;
    worst = worst.max(timed("words (one kind)", runs, &reader, |n| ProjectQuery {
        words: read_model::words(kinds[n % kinds.len()]),
        ..page()
    }));
    worst = worst.max(timed(
        "words matching nearly every project",
        runs,
        &reader,
        |n| ProjectQuery {
            words: read_model::words(broad[n % broad.len()]),
            ..page()
        },
    ));
    worst = worst.max(timed(
        "words + industry + region + budget",
        runs,
        &reader,
        |n| ProjectQuery {
            words: read_model::words(broad[n % broad.len()]),
            industry: Some(industries[n % industries.len()].to_owned()),
            region_prefix: Some(regions[n % regions.len()].to_owned()),
            budget_yuan: Some(100_000 + (n as u32 % 7) * 50_000),
            ..page()
        },
    ));
    worst = worst.max(timed("industry alone", runs, &reader, |n| ProjectQuery {
        industry: Some(industries[n % industries.len()].to_owned()),
        ..page()
    }));
    worst = worst.max(timed("region + investment range", runs, &reader, |n| {
        ProjectQuery {
            region_prefix: Some(regions[n % regions.len()].to_owned()),
            budget_yuan: Some(200_000),
            investment_at_least_yuan: Some(100_000 + (n as u32 % 5) * 100_000),
            ..page()
        }
    }));
    worst = worst.max(timed(
        "nothing (newest first), page 10",
        runs,
        &reader,
        |_| ProjectQuery {
            offset: 180,
            ..page()
        },
    ));
    println!(
        "worst p99 {worst:.2} ms against 20 ms: {}",
        if worst <= 20.0 { "met" } else { "NOT met" }
    );
}
