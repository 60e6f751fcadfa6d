//! The monitoring benchmark (release build):
//!
//! 1. **Monthly report.** A province's read model with `--jobseekers`
//!    (1,000,000) job seekers registered over `--months` (24) months in 40
//!    counties of 4 cities, a fifth of them registered unemployed and half
//!    of those employed again, and `--enterprises` (10,000) followed
//!    enterprises reporting every month — all applied through the real
//!    projection (`MonitoringProjection::apply`) into SQLite — then the
//!    time of a region's monthly figures (county, city, province), the
//!    target being ≤ 500 ms.
//! 2. **Warning latency.** The service over that read model and a real
//!    store: an enterprise's stopped report is filed through the use case,
//!    and the time until the county's `WarningLevelChanged` is in the feed
//!    (projection → assessor → event → projection), `--rounds` times, with
//!    p50 / p99 (target p99 ≤ 2 s).
//!
//! `cargo bench -p labex-monitoring --bench monitoring -- --jobseekers 1000000`

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use chrono::{NaiveDate, TimeZone, Utc};
use labex_app::{Actor, Role};
use labex_domain::employer::{
    Employer, EmployerCommand, EmployerEvent, EmployerRegistered, RegisterEmployer,
};
use labex_domain::enterprise_report::{
    EnterpriseReportEvent, EnterpriseReportSubmitted, EnterpriseReportsId, OperatingState,
    ReportFigures, Separations,
};
use labex_domain::jobseeker::{
    EmploymentRegistered, JobSeekerEvent, JobSeekerProfile, JobSeekerRegistered, PersonalData,
    UnemploymentRegistered,
};
use labex_domain::monitoring::{
    MonitoringPointDesignated, MonitoringPointEvent, MonitoringPointId, Period, PointKind,
};
use labex_domain::vacancy::{VacancyDetails, VacancyEvent, VacancyPublished};
use labex_domain::value::{
    CreditCode, Description, DivisionCode, Education, ExperienceYears, Headcount, Label,
    OrganisationName, PersonName, ResidentId, SalaryRange, Title,
};
use labex_domain::{EmployerId, Event, JobSeekerId, Personal, VacancyId};
use labex_eventsourcing::{
    EventContext, ExecuteOptions, Metadata, Position, Projection, ReadModel, Repository,
    StoredEvent,
};
use labex_monitoring::read_model::MonitoringProjection;
use labex_monitoring::{Assessor, Monitoring, ReportFiling};
use labex_testkit::{Store, credit_code, id_number, temporary_folder};

struct Options {
    jobseekers: u64,
    enterprises: u64,
    months: i32,
    rounds: usize,
}

fn options() -> Options {
    let mut options = Options {
        jobseekers: 1_000_000,
        enterprises: 10_000,
        months: 24,
        rounds: 20,
    };
    let args: Vec<String> = std::env::args().collect();
    for pair in args.windows(2) {
        let value = || pair[1].parse().expect("a number");
        match pair[0].as_str() {
            "--jobseekers" => options.jobseekers = value(),
            "--enterprises" => options.enterprises = value(),
            "--months" => options.months = i32::try_from(value()).expect("a month count"),
            "--rounds" => options.rounds = usize::try_from(value()).expect("a round count"),
            _ => {}
        }
    }
    options
}

/// Ten county-level divisions of each of four cities of Henan (Zhengzhou,
/// Luoyang, Pingdingshan, Xinxiang), from the division list the codes are
/// checked against.
static COUNTIES: std::sync::LazyLock<Vec<Vec<String>>> = std::sync::LazyLock::new(|| {
    let list = include_str!("../../../crates/domain/data/divisions.tsv");
    ["4101", "4103", "4104", "4107"]
        .into_iter()
        .map(|prefix| {
            let counties: Vec<String> = list
                .lines()
                .filter_map(|line| line.split('\t').next())
                .filter(|code| code.len() == 6 && code.starts_with(prefix) && !code.ends_with("00"))
                .take(10)
                .map(str::to_owned)
                .collect();
            assert_eq!(counties.len(), 10, "ten counties in {prefix}");
            counties
        })
        .collect()
});

/// The county of `n`: 40 counties of 4 cities.
fn county(n: u64) -> DivisionCode {
    let city = &COUNTIES[((n / 10) % 4) as usize];
    DivisionCode::parse(&city[(n % 10) as usize]).expect("a county code")
}

fn stored(event: Event, sequence: &mut u64, at: chrono::DateTime<Utc>) -> StoredEvent {
    *sequence += 1;
    let context = EventContext::for_request(uuid::Uuid::now_v7(), "bench", None);
    let mut metadata = Metadata::new(&context, 1);
    metadata.at = Some(at);
    StoredEvent {
        id: uuid::Uuid::now_v7(),
        stream: event.stream_name(),
        revision: 0,
        position: Position {
            commit: *sequence,
            prepare: *sequence,
        },
        created: at,
        metadata,
        event,
    }
}

/// Fills the read model at `path` through the projection.
fn fill(path: &std::path::Path, options: &Options, first: Period) -> Vec<EmployerId> {
    let (mut connection, _) = ReadModel::open(path).expect("the read model opens");
    let mut projection = MonitoringProjection;
    let transaction = connection.transaction().unwrap();
    projection.migrate(&transaction).unwrap();
    transaction.commit().unwrap();
    let mut sequence = 0;
    let started = Instant::now();
    // The month from n / 40, since the county is n % 40: every county has
    // job seekers in every month.
    let day = |n: u64| {
        let month =
            first.plus(i32::try_from((n / 40) % u64::try_from(options.months).unwrap()).unwrap());
        NaiveDate::from_ymd_opt(
            month.year(),
            month.month(),
            1 + u32::try_from(n % 28).unwrap(),
        )
        .unwrap()
    };
    let moment = |date: NaiveDate| Utc.from_utc_datetime(&date.and_hms_opt(2, 0, 0).unwrap());
    let profile = JobSeekerProfile {
        education: Education::SeniorSecondary,
        major: None,
        graduation_year: None,
        categories: BTreeSet::new(),
        skills: vec![],
        desired_occupations: vec![],
        desired_occupation_codes: Vec::new(),
        desired_regions: BTreeSet::new(),
        summary: None,
    };
    for chunk in (0..options.jobseekers).collect::<Vec<_>>().chunks(50_000) {
        let transaction = connection.transaction().unwrap();
        for &n in chunk {
            let id = JobSeekerId::from_uuid(uuid::Uuid::from_u128(u128::from(n) + 1));
            let registered_on = day(n);
            let mut events = vec![Event::JobSeeker(JobSeekerEvent::Registered(
                JobSeekerRegistered {
                    jobseeker_id: id,
                    personal: Personal::Known(PersonalData {
                        name: PersonName::parse("王芳").unwrap(),
                        id_number: ResidentId::parse(&id_number(n)).unwrap(),
                        phone: None,
                    }),
                    profile: profile.clone(),
                    office: county(n),
                },
            ))];
            if n % 5 == 0 {
                events.push(Event::JobSeeker(JobSeekerEvent::UnemploymentRegistered(
                    UnemploymentRegistered {
                        jobseeker_id: id,
                        registered_on,
                        note: None,
                    },
                )));
                if n % 10 == 0 {
                    events.push(Event::JobSeeker(JobSeekerEvent::EmploymentRegistered(
                        EmploymentRegistered {
                            jobseeker_id: id,
                            started_on: registered_on + chrono::Duration::days(20),
                            employer_id: None,
                            employer_name: Some(OrganisationName::parse("个体").unwrap()),
                            vacancy_id: None,
                            referral_id: None,
                            note: None,
                        },
                    )));
                }
            }
            for event in events {
                projection
                    .apply(
                        &transaction,
                        &stored(event, &mut sequence, moment(registered_on)),
                    )
                    .unwrap();
            }
        }
        transaction.commit().unwrap();
    }
    let mut employers = Vec::new();
    let transaction = connection.transaction().unwrap();
    let point = MonitoringPointId::generate();
    let mut followed = BTreeSet::new();
    for n in 0..options.enterprises {
        let id = EmployerId::from_uuid(uuid::Uuid::from_u128(u128::from(n) + 1 + (1 << 64)));
        employers.push(id);
        followed.insert(id);
        let event = Event::Employer(EmployerEvent::Registered(EmployerRegistered {
            employer_id: id,
            name: OrganisationName::parse("河南制造有限公司").unwrap(),
            credit_code: CreditCode::parse(&credit_code(n + 1)).unwrap(),
            region: county(n),
            industry: Label::parse("制造业").unwrap(),
        }));
        projection
            .apply(&transaction, &stored(event, &mut sequence, Utc::now()))
            .unwrap();
    }
    let designated = Event::MonitoringPoint(MonitoringPointEvent::Designated(
        MonitoringPointDesignated {
            point_id: point,
            kind: PointKind::CommunityPlatform,
            name: OrganisationName::parse("省监测点").unwrap(),
            region: DivisionCode::parse("410100").unwrap(),
            labour_office_id: None,
            employers: followed,
        },
    ));
    projection
        .apply(&transaction, &stored(designated, &mut sequence, Utc::now()))
        .unwrap();
    // Open vacancies in every county from the first month, as many places
    // as job seekers or more, so that open vacancies per job seeker raise
    // no warning and a stoppage moves a county's level.
    let vacancies_per_county = options.jobseekers / 40 / 10_000 + 1;
    for n in 0..40 * vacancies_per_county {
        let published = Event::Vacancy(VacancyEvent::Published(VacancyPublished {
            vacancy_id: VacancyId::from_uuid(uuid::Uuid::from_u128(u128::from(n) + 1 + (2 << 64))),
            employer_id: employers[0],
            details: VacancyDetails {
                title: Title::parse("普工").unwrap(),
                description: Description::parse("流水线操作。").unwrap(),
                occupation: Label::parse("制造业").unwrap(),
                occupation_code: None,
                region: county(n % 40),
                salary: SalaryRange::parse(4000, 6000).unwrap(),
                headcount: Headcount::parse(10_000).unwrap(),
                education: Education::None,
                experience_years: ExperienceYears::parse(0).unwrap(),
                welcomes: BTreeSet::new(),
                public_welfare: false,
                closes_at: None,
            },
            published_at: moment(first.first_day()),
        }));
        projection
            .apply(
                &transaction,
                &stored(published, &mut sequence, moment(first.first_day())),
            )
            .unwrap();
    }
    transaction.commit().unwrap();
    for month in 0..options.months {
        let period = first.plus(month);
        let transaction = connection.transaction().unwrap();
        for (n, employer) in employers.iter().enumerate() {
            let event = Event::EnterpriseReport(EnterpriseReportEvent::Submitted(
                EnterpriseReportSubmitted {
                    reports_id: EnterpriseReportsId::of(*employer),
                    employer_id: *employer,
                    region: county(u64::try_from(n).unwrap()),
                    period,
                    figures: ReportFigures {
                        headcount: 200,
                        hires: 3,
                        separations: Separations {
                            quits: 2,
                            layoffs: 0,
                            contract_ends: 1,
                            other: 0,
                        },
                        state: OperatingState::Operating,
                    },
                    signals: vec![],
                    submitted_on: period.due_in_next_month(5),
                    late: false,
                },
            ));
            projection
                .apply(&transaction, &stored(event, &mut sequence, Utc::now()))
                .unwrap();
        }
        transaction.commit().unwrap();
    }
    println!(
        "filled: {} job seekers, {} enterprises × {} months, {sequence} events through the projection in {:.1} s",
        options.jobseekers,
        options.enterprises,
        options.months,
        started.elapsed().as_secs_f64()
    );
    employers
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index.min(sorted.len() - 1)]
}

fn province() -> Actor {
    Actor {
        subject: "bench".to_owned(),
        role: Role::Province,
        office: DivisionCode::parse("410000").unwrap(),
        employer_id: None,
        correlation_id: uuid::Uuid::now_v7(),
    }
}

#[tokio::main]
async fn main() {
    let options = options();
    let this_month = Period::of(labex_domain::china_date(Utc::now()));
    let first = this_month.plus(-options.months);
    let data = temporary_folder("labex-monitoring-bench-");
    let folder = data.path().join("monitoring");
    std::fs::create_dir_all(&folder).unwrap();
    let employers = fill(&folder.join("readmodel.sqlite"), &options, first);

    let store = Store::start().await;
    let repository = Repository::new(store.client().clone());
    let app = Monitoring::open(repository.clone(), &folder).expect("the service opens");
    let actor = province();
    let report_month = this_month.plus(-1);
    let first_county = county(0).as_str().to_owned();
    for region in [first_county.as_str(), "410100", "410000"] {
        let mut times = Vec::new();
        for _ in 0..10 {
            let started = Instant::now();
            let figures = app
                .monthly_figures(&actor, DivisionCode::parse(region).unwrap(), report_month)
                .await
                .unwrap();
            times.push(started.elapsed());
            assert!(figures.figures["jobseeker_registrations"] > 0);
        }
        times.sort();
        println!(
            "monthly report {region} {report_month}: p50 {:.1} ms, max {:.1} ms (target ≤ 500 ms)",
            percentile(&times, 0.5).as_secs_f64() * 1000.0,
            times.last().unwrap().as_secs_f64() * 1000.0
        );
    }

    // Warning latency: the assessor first goes over every marked region of
    // the filled read model once; wait for it to settle.
    let assessor = Assessor::start(repository.clone(), app.read_model(), app.rule_book());
    tokio::time::sleep(Duration::from_secs(5)).await;
    let mut latencies = Vec::new();
    for round in 0..options.rounds {
        let employer = employers[round * 37 % employers.len()];
        let register = EmployerCommand::Register(RegisterEmployer {
            employer_id: employer,
            name: OrganisationName::parse("河南制造有限公司").unwrap(),
            credit_code: CreditCode::parse(&credit_code(round as u64 + 500_000)).unwrap(),
            region: county(round as u64 * 37),
            industry: Label::parse("制造业").unwrap(),
        });
        let context = EventContext::for_request(uuid::Uuid::now_v7(), "bench", None);
        let _ = repository
            .execute_with::<Employer>(employer, register, &context, ExecuteOptions::default())
            .await;
        let region = county(round as u64 * 37);
        let before = app
            .warning_changes(&actor, Some(region.clone()), 0, 1000)
            .await
            .unwrap()
            .len();
        let started = Instant::now();
        let state = if round % 2 == 0 {
            OperatingState::Stopped
        } else {
            OperatingState::Closed
        };
        let filed = app
            .file_report(
                &actor,
                ReportFiling {
                    employer_id: employer,
                    period: this_month,
                    figures: ReportFigures {
                        headcount: 0,
                        hires: 0,
                        separations: Separations::default(),
                        state,
                    },
                },
                false,
            )
            .await;
        if filed.is_err() {
            continue;
        }
        loop {
            let after = app
                .warning_changes(&actor, Some(region.clone()), 0, 1000)
                .await
                .unwrap()
                .len();
            if after > before {
                latencies.push(started.elapsed());
                break;
            }
            if started.elapsed() > Duration::from_secs(30) {
                println!("round {round}: no warning within 30 s");
                break;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }
    latencies.sort();
    if !latencies.is_empty() {
        println!(
            "warning latency (report filed → WarningLevelChanged in the feed), {} rounds: p50 {:.0} ms, p99 {:.0} ms (target p99 ≤ 2 s)",
            latencies.len(),
            percentile(&latencies, 0.5).as_secs_f64() * 1000.0,
            percentile(&latencies, 0.99).as_secs_f64() * 1000.0
        );
    }
    assessor.stop().await;
    app.runner().stop().await;
}
