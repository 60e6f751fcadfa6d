//! Course search and outcomes at scale, on the read model the service
//! keeps: 100,000 courses written through the service's own view (as the
//! projection writes them, analysed text included), then searches of
//! words, words with filters and filters alone, timed one by one; and the
//! outcomes of a provider with 10,000 trainees, of one of its courses (400)
//! and of a course of 10,000, as the outcomes endpoint reads them.
//!
//! `cargo bench -p labex-training --bench course_search` (release).
//! `LABEX_BENCH_COURSES` changes the number of courses, and
//! `LABEX_BENCH_SEARCHES` the number of timed searches.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Instant;

use chrono::{NaiveDate, TimeZone, Utc};
use hdrhistogram::Histogram;
use labex_domain::course::{
    Course, CourseDetails, CourseEvent, CourseHours, CourseId, CourseKind, CourseOpened, Enrolment,
    EnrolmentId, EnrolmentStatus, Seats, TrainingCompleted,
};
use labex_domain::provider::ProviderId;
use labex_domain::value::{Description, DivisionCode, Fen, Label, Title};
use labex_domain::{EmployerId, Event, JobSeekerId};
use labex_eventsourcing::{Metadata, Position, StateView, StoredEvent};
use labex_training::read_model::{self, CourseList, SearchQuery};
use rusqlite::Connection;

const TRADES: &[(&str, &str, &str)] = &[
    ("电焊工", "6-18-02-04", "电焊、气焊、氩弧焊实操与安全规范"),
    ("中式烹调师", "4-03-02-01", "中餐烹饪刀工、火候与菜品制作"),
    ("育婴员", "4-10-01-02", "婴幼儿生活照料、保健与早期教育"),
    ("电工", "6-31-01-03", "低压电气安装、维修与安全用电"),
    ("养老护理员", "4-10-01-05", "老年人生活照料与基础护理"),
    ("电子商务师", "4-01-02-02", "网店运营、直播带货与客户服务"),
    ("叉车司机", "6-29-02-06", "叉车驾驶、装卸作业与安全"),
    ("美容师", "4-10-03-01", "皮肤护理与美容技术"),
    ("计算机操作员", "4-04-05-01", "办公软件与信息录入"),
    ("家政服务员", "4-10-01-06", "家庭保洁、烹饪与照护"),
    ("汽车维修工", "4-12-01-01", "汽车发动机与底盘维修"),
    ("创业培训", "", "创业意识、商业计划书与风险评估 SYB"),
];
const KINDS: &[CourseKind] = &[
    CourseKind::Employment,
    CourseKind::ReEmployment,
    CourseKind::OnTheJob,
    CourseKind::Entrepreneurship,
];
const DISTRICTS: &[&str] = &[
    "410102", "410103", "410104", "410105", "410122", "410181", "410302", "410502",
];

fn stored(event: CourseEvent, n: u64) -> StoredEvent {
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
        event: Event::Course(event),
    }
}

fn course(n: usize, provider: ProviderId) -> Course {
    let (trade, occupation, description) = TRADES[n % TRADES.len()];
    let kind = KINDS[(n / TRADES.len()) % KINDS.len()];
    let starts_on =
        NaiveDate::from_ymd_opt(2024, 1, 1).unwrap() + chrono::Days::new((n % 900) as u64);
    Course {
        id: CourseId::from_uuid(uuid::Uuid::from_u128(n as u128 + 1)),
        provider_id: provider,
        office: DivisionCode::parse("410100").unwrap(),
        details: CourseDetails {
            title: Title::parse(&format!("{trade}{}培训班第{}期", kind.label_zh(), n % 97))
                .unwrap(),
            kind,
            occupation: (!occupation.is_empty()).then(|| Label::parse(occupation).unwrap()),
            description: Some(Description::parse(description).unwrap()),
            hours: CourseHours::parse(120).unwrap(),
            seats: Seats::parse(40).unwrap(),
            starts_on,
            ends_on: starts_on + chrono::Days::new(60),
            region: DivisionCode::parse(DISTRICTS[n % DISTRICTS.len()]).unwrap(),
            subsidy_per_trainee_fen: Fen::parse(120_000).unwrap(),
            eligible_categories: BTreeSet::new(),
            order: None,
        },
        opened_at: Utc.timestamp_opt(1_700_000_000 + n as i64, 0).unwrap(),
        enrolments: BTreeMap::new(),
        waiting: Vec::new(),
    }
}

fn write_courses(connection: &mut Connection, count: usize) -> Vec<CourseId> {
    let mut view = CourseList;
    let transaction = connection.transaction().unwrap();
    view.migrate(&transaction, false).unwrap();
    let provider = ProviderId::from_uuid(uuid::Uuid::from_u128(u128::MAX));
    let mut ids = Vec::new();
    for n in 0..count {
        let state = course(n, provider);
        let opened = CourseEvent::Opened(CourseOpened {
            course_id: state.id,
            provider_id: state.provider_id,
            office: state.office.clone(),
            details: state.details.clone(),
            opened_at: state.opened_at,
        });
        view.write(&transaction, &state, &stored(opened, n as u64))
            .unwrap();
        ids.push(state.id);
    }
    transaction.commit().unwrap();
    ids
}

/// Gives each of `courses` (the `first`-th on of those written) to
/// `provider` with `per_course` trainees: each completed, every third
/// employed.
fn write_trainees(
    connection: &mut Connection,
    courses: &[CourseId],
    first: usize,
    provider: ProviderId,
    per_course: u128,
) -> CourseId {
    let mut view = CourseList;
    let transaction = connection.transaction().unwrap();
    for (c, course_id) in courses.iter().enumerate() {
        let c = first + c;
        let mut state = course(c, provider);
        state.id = *course_id;
        for t in 0..per_course {
            let id = EnrolmentId::from_uuid(uuid::Uuid::from_u128((c as u128) << 32 | t));
            let jobseeker_id =
                JobSeekerId::from_uuid(uuid::Uuid::from_u128(1 << 100 | (c as u128) << 32 | t));
            let employment = (t % 3 == 0).then(|| labex_domain::course::TraineeEmployment {
                started_on: NaiveDate::from_ymd_opt(2025, 6, 1).unwrap(),
                employer_id: Some(EmployerId::from_uuid(uuid::Uuid::from_u128(7))),
                source: labex_domain::course::EmploymentSource::Hire,
            });
            state.enrolments.insert(
                id,
                Enrolment {
                    id,
                    jobseeker_id,
                    status: EnrolmentStatus::Completed,
                    enrolled_at: Utc::now(),
                    completed_on: Some(NaiveDate::from_ymd_opt(2025, 3, 1).unwrap()),
                    left_on: None,
                    appraisal: None,
                    employment,
                },
            );
            let completed = CourseEvent::Completed(TrainingCompleted {
                course_id: *course_id,
                enrolment_id: id,
                jobseeker_id,
                completed_on: NaiveDate::from_ymd_opt(2025, 3, 1).unwrap(),
            });
            view.write(&transaction, &state, &stored(completed, 0))
                .unwrap();
        }
    }
    transaction.commit().unwrap();
    courses[0]
}

fn percentile(histogram: &Histogram<u64>, quantile: f64) -> f64 {
    histogram.value_at_quantile(quantile) as f64 / 1_000.0
}

fn timed(label: &str, runs: usize, mut run: impl FnMut(usize) -> u64) {
    let mut histogram = Histogram::<u64>::new(3).unwrap();
    let mut found = 0;
    for n in 0..runs {
        let started = Instant::now();
        found += run(n);
        histogram
            .record(started.elapsed().as_micros().max(1) as u64)
            .unwrap();
    }
    println!(
        "{label:<44} runs {runs:>5}  p50 {:>7.2} ms  p99 {:>7.2} ms  max {:>7.2} ms  (hits {found})",
        percentile(&histogram, 0.50),
        percentile(&histogram, 0.99),
        histogram.max() as f64 / 1_000.0,
    );
}

fn main() {
    let count: usize = std::env::var("LABEX_BENCH_COURSES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let searches: usize = std::env::var("LABEX_BENCH_SEARCHES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2_000);
    let folder = tempfile::tempdir().unwrap();
    let path = folder.path().join("readmodel.sqlite");
    let mut connection = Connection::open(&path).unwrap();
    connection
        .pragma_update(None, "journal_mode", "WAL")
        .unwrap();
    let started = Instant::now();
    labex_search::analysis::warm_up();
    let ids = write_courses(&mut connection, count);
    // A provider with 10,000 trainees over 25 courses of 400, and another
    // with one course of 10,000.
    let provider = ProviderId::from_uuid(uuid::Uuid::from_u128(u128::MAX));
    let first = write_trainees(&mut connection, &ids[..25], 0, provider, 400);
    let large_provider = ProviderId::from_uuid(uuid::Uuid::from_u128(u128::MAX - 1));
    let large = write_trainees(&mut connection, &ids[25..26], 25, large_provider, 10_000);
    println!(
        "wrote {count} courses and 20,000 trainees in {:.1} s",
        started.elapsed().as_secs_f64()
    );

    let words = [
        "焊工",
        "电工 培训",
        "养老护理",
        "电子商务 直播",
        "烹调",
        "叉车",
        "创业 计划书",
        "育婴",
        "汽车 维修",
        "welding",
    ];
    let query = |text: Option<&str>, kind: Option<&str>, region: Option<&str>| SearchQuery {
        words: text.map(labex_search::fts::words).unwrap_or_default(),
        kind: kind.map(str::to_owned),
        region_prefix: region.map(str::to_owned),
        limit: 20,
        ..SearchQuery::default()
    };
    let search = |query: &SearchQuery| read_model::search(&connection, query).unwrap().0;
    // Warm the page cache as a running service would be.
    for text in words {
        search(&query(Some(text), None, None));
    }
    timed("words (top 20 of all matches)", searches, |n| {
        search(&query(Some(words[n % words.len()]), None, None))
    });
    timed("words + kind + region", searches, |n| {
        let kind = KINDS[n % KINDS.len()].as_str();
        search(&query(
            Some(words[n % words.len()]),
            Some(kind),
            Some("4101"),
        ))
    });
    timed("filters alone (kind + district)", searches, |n| {
        let kind = KINDS[n % KINDS.len()].as_str();
        search(&query(
            None,
            Some(kind),
            Some(&DISTRICTS[n % DISTRICTS.len()][..6]),
        ))
    });
    timed("a common word (培训, every course)", searches / 4, |_| {
        search(&query(Some("培训"), None, None))
    });

    let provider = provider.to_string();
    timed("outcomes of a provider, 10,000 trainees", 200, |_| {
        read_model::provider_counts(&connection, &provider)
            .unwrap()
            .employed
    });
    // What `GET /v1/courses/{id}/outcomes` reads: the course's row and its
    // enrolments' counts (no replay of the course's events).
    let course_outcomes = |course: &str| {
        let owner = read_model::course_owner(&connection, course)
            .unwrap()
            .expect("the course's row");
        let employer = owner.order.as_ref().map(|(employer, _)| employer.as_str());
        read_model::course_counts(&connection, course, employer)
            .unwrap()
            .employed
    };
    let course = first.to_string();
    timed("outcomes of a course, 400 trainees", 200, |_| {
        course_outcomes(&course)
    });
    let large = large.to_string();
    timed("outcomes of a course, 10,000 trainees", 200, |_| {
        course_outcomes(&large)
    });
}
