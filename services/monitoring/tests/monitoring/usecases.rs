//! The use cases of monitoring, called as the handlers call them but
//! without HTTP, against the real store with the projection and the
//! warning assessor running.

use std::collections::BTreeSet;
use std::time::Duration;

use labex_app::{Actor, Error, Role};
use labex_domain::employer::{Employer, EmployerCommand, RegisterEmployer};
use labex_domain::enterprise_report::{OperatingState, ReportFigures, Separations};
use labex_domain::layoff::PlanDetails;
use labex_domain::monitoring::{Period, PointKind};
use labex_domain::value::{CreditCode, Description, DivisionCode, Label, OrganisationName};
use labex_domain::{EmployerId, china_date};
use labex_eventsourcing::{EventContext, ExecuteOptions, ExpectedRevision, Repository};
use labex_monitoring::{
    Assessor, Monitoring, OfficeRegistration, PlanFiling, PointDesignation, ReportFiling,
};
use labex_testkit::{Store, credit_code, event_count, temporary_folder};

struct App {
    app: Monitoring,
    assessor: Assessor,
    repository: Repository,
    store: Store,
    _data: tempfile::TempDir,
}

impl App {
    async fn start() -> Self {
        let store = Store::start().await;
        let data = temporary_folder("labex-monitoring-usecases-");
        let repository = Repository::new(store.client().clone());
        let app = Monitoring::open(repository.clone(), data.path()).expect("the read model opens");
        let assessor = Assessor::start(repository.clone(), app.read_model(), app.rule_book());
        Self {
            app,
            assessor,
            repository,
            store,
            _data: data,
        }
    }

    /// Given employer `n` registered in `region`.
    async fn employer(&self, n: u64, region: &str) -> EmployerId {
        let id = EmployerId::generate();
        let command = EmployerCommand::Register(RegisterEmployer {
            employer_id: id,
            name: OrganisationName::parse("郑州精密机械有限公司").unwrap(),
            credit_code: CreditCode::parse(&credit_code(n)).unwrap(),
            region: code(region),
            industry: Label::parse("制造业").unwrap(),
        });
        let context = EventContext::for_request(uuid::Uuid::now_v7(), "test", Some(code(region)));
        self.repository
            .execute_with::<Employer>(
                id,
                command,
                &context,
                ExecuteOptions::default().expected(ExpectedRevision::NoStream),
            )
            .await
            .expect("the employer registers");
        id
    }
}

fn code(text: &str) -> DivisionCode {
    DivisionCode::parse(text).unwrap()
}

fn counsellor(office: &str) -> Actor {
    Actor {
        subject: "counsellor".to_owned(),
        role: Role::Counsellor,
        office: code(office),
        employer_id: None,
        correlation_id: uuid::Uuid::now_v7(),
    }
}

fn last_month() -> Period {
    Period::of(china_date(chrono::Utc::now())).plus(-1)
}

fn figures(headcount: u32, quits: u32, layoffs: u32, state: OperatingState) -> ReportFigures {
    ReportFigures {
        headcount,
        hires: 0,
        separations: Separations {
            quits,
            layoffs,
            contract_ends: 0,
            other: 0,
        },
        state,
    }
}

fn platform(region: &str, employers: BTreeSet<EmployerId>) -> PointDesignation {
    PointDesignation {
        kind: PointKind::CommunityPlatform,
        name: OrganisationName::parse("街道劳动保障平台").unwrap(),
        region: code(region),
        labour_office_id: None,
        employers,
    }
}

#[tokio::test]
async fn coverage_shows_what_each_city_and_county_has_needs_and_lacks() {
    let app = App::start().await;
    let actor = counsellor("410100");
    for n in 0..4 {
        app.app
            .register_office(
                &actor,
                OfficeRegistration {
                    name: OrganisationName::parse(&format!("第{n}劳动保障事务所")).unwrap(),
                    region: code("410105"),
                },
                None,
            )
            .await
            .unwrap();
    }
    for region in ["410105", "410102"] {
        app.app
            .designate_point(&actor, platform(region, BTreeSet::new()), None)
            .await
            .unwrap();
    }
    let lines = app
        .app
        .coverage(&actor, Some(code("410100")))
        .await
        .unwrap();
    let city = lines
        .iter()
        .find(|line| line.region == code("410100"))
        .unwrap();
    assert_eq!((city.has, city.needs, city.deficit), (2, 5, 3));
    let county = lines
        .iter()
        .find(|line| line.region == code("410105"))
        .unwrap();
    assert_eq!(
        (
            county.has,
            county.needs,
            county.deficit,
            county.labour_offices
        ),
        (0, 2, 2, Some(4))
    );
    // Every county of the city in the division list has its line, those
    // with nothing included: 惠济区 has no office and no point.
    let huiji = lines
        .iter()
        .find(|line| line.region == code("410108"))
        .expect("a county with nothing is listed");
    assert_eq!(
        (huiji.has, huiji.needs, huiji.labour_offices),
        (0, 0, Some(0))
    );
    assert!(
        huiji.no_offices_registered,
        "its need waits for its offices"
    );
    assert!(!county.no_offices_registered);
    let counties = lines.iter().filter(|line| line.level == "county").count();
    assert_eq!(
        counties,
        labex_domain::value::Divisions::get()
            .within(&code("410100"))
            .iter()
            .filter(|division| division.level == labex_domain::value::DivisionLevel::County)
            .count(),
        "one line per county of the city"
    );
    assert!(lines.iter().all(|line| code("410100").covers(&line.region)));

    // The province sees all seventeen prefecture cities, a city with no
    // point at all lacking all five platforms.
    let province = Actor {
        role: Role::Province,
        ..counsellor("410000")
    };
    let lines = app
        .app
        .coverage(&province, Some(code("410000")))
        .await
        .unwrap();
    let cities: Vec<_> = lines.iter().filter(|line| line.level == "city").collect();
    assert_eq!(cities.len(), 17, "Henan's prefecture cities");
    let luoyang = cities
        .iter()
        .find(|line| line.region == code("410300"))
        .unwrap();
    assert_eq!((luoyang.has, luoyang.needs, luoyang.deficit), (0, 5, 5));
    assert!(lines.iter().all(|line| line.region != code("419000")));
    // A county asked for alone shows its own line.
    let alone = app
        .app
        .coverage(&actor, Some(code("410105")))
        .await
        .unwrap();
    assert_eq!(alone.len(), 1);
    assert_eq!(alone[0].region, code("410105"));
    app.assessor.stop().await;
}

#[tokio::test]
async fn followed_enterprises_are_missing_until_they_report_and_a_correction_keeps_the_first_report()
 {
    let app = App::start().await;
    let actor = counsellor("410105");
    let employer = app.employer(1, "410105").await;
    app.app
        .designate_point(&actor, platform("410105", [employer].into()), None)
        .await
        .unwrap();
    let period = last_month();
    let missing = app
        .app
        .missing(&actor, None, Some(period), 100)
        .await
        .unwrap();
    assert_eq!(missing.total, 1);
    assert_eq!(missing.items[0].employer_id, employer.to_string());

    let filing = ReportFiling {
        employer_id: employer,
        period,
        figures: figures(500, 2, 0, OperatingState::Operating),
    };
    app.app
        .file_report(&actor, filing.clone(), false)
        .await
        .unwrap();
    let again = app
        .app
        .file_report(&actor, filing, false)
        .await
        .unwrap_err();
    assert!(matches!(again, Error::Refused(_)), "{again:?}");
    let corrected = ReportFiling {
        employer_id: employer,
        period,
        figures: figures(490, 12, 0, OperatingState::Operating),
    };
    let saved = app.app.file_report(&actor, corrected, true).await.unwrap();
    assert_eq!(saved.state.reports[&period].corrections, 1);
    assert_eq!(saved.revision, 1, "the correction is a second event");

    let missing = app
        .app
        .missing(&actor, None, Some(period), 100)
        .await
        .unwrap();
    assert_eq!(missing.total, 0);
    let month = app
        .app
        .monthly_figures(&actor, code("410105"), period)
        .await
        .unwrap();
    assert_eq!(month.figures["reported_headcount"], 490);
    assert_eq!(month.figures["separations"], 12);
    assert_eq!(month.figures["reports_received"], 1);
    app.assessor.stop().await;
}

#[tokio::test]
async fn a_layoff_without_a_plan_is_flagged_and_a_stoppage_raises_a_warning() {
    let app = App::start().await;
    let actor = counsellor("410105");
    let employer = app.employer(2, "410105").await;
    let period = last_month();
    let saved = app
        .app
        .file_report(
            &actor,
            ReportFiling {
                employer_id: employer,
                period,
                figures: figures(300, 0, 150, OperatingState::Stopped),
            },
            false,
        )
        .await
        .unwrap();
    let signals = &saved.state.reports[&period].signals;
    assert!(signals.contains(&labex_domain::enterprise_report::Signal::UnreportedLayoff));

    let mut level = String::new();
    for _ in 0..100 {
        let warnings = app
            .app
            .warnings(&actor, Some(code("410105")), None)
            .await
            .unwrap();
        if let Some(row) = warnings.iter().find(|row| row.region == "410105") {
            level.clone_from(&row.level);
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(level, "blue");
    assert_eq!(
        event_count(app.store.client(), Some("warning-")).await,
        3,
        "county, city and province"
    );
    let month = app
        .app
        .monthly_figures(&actor, code("410105"), period)
        .await
        .unwrap();
    assert_eq!(month.warning_level, "blue");
    assert_eq!(month.figures["warning_level_rank"], 1);
    assert_eq!(month.figures["regions_at_warning"], 1);
    let month_before = app
        .app
        .monthly_figures(&actor, code("410105"), period.plus(-1))
        .await
        .unwrap();
    assert_eq!(
        month_before.warning_level, "none",
        "the month before the stoppage has its own level, not today's"
    );
    assert_eq!(month_before.figures["regions_at_warning"], 0);
    let city = app
        .app
        .monthly_figures(&counsellor("410100"), code("410100"), period)
        .await
        .unwrap();
    assert_eq!(
        city.figures["regions_at_warning"], 2,
        "the county and the city within the city's scope are blue"
    );
    app.assessor.stop().await;
}

/// Waits until `region`'s warnings of `period` (standing when `None`)
/// satisfy `done`.
async fn eventually_warned(
    app: &App,
    actor: &Actor,
    period: Option<Period>,
    done: impl Fn(&[labex_monitoring::read_model::WarningRow]) -> bool,
) -> Vec<labex_monitoring::read_model::WarningRow> {
    for _ in 0..100 {
        let rows = app
            .app
            .warnings(actor, Some(actor.office.clone()), period)
            .await
            .unwrap();
        if done(&rows) {
            return rows;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the warnings never came to what was expected");
}

#[tokio::test]
async fn a_late_report_for_an_older_month_raises_that_months_level_and_not_the_standing_one() {
    let app = App::start().await;
    let actor = counsellor("410105");
    let employer = app.employer(3, "410105").await;
    let older = last_month().plus(-2);
    app.app
        .file_report(
            &actor,
            ReportFiling {
                employer_id: employer,
                period: older,
                figures: figures(200, 0, 0, OperatingState::Closed),
            },
            false,
        )
        .await
        .unwrap();
    let month = eventually_warned(&app, &actor, Some(older), |rows| {
        rows.iter().any(|row| row.region == "410105")
    })
    .await;
    let county = month.iter().find(|row| row.region == "410105").unwrap();
    assert_eq!(
        (county.level.as_str(), county.period.clone()),
        ("blue", older.to_string())
    );
    assert!(
        county
            .rule
            .as_deref()
            .unwrap()
            .contains("closures_and_stoppages_seen")
    );
    let standing = app
        .app
        .warnings(&actor, Some(code("410105")), None)
        .await
        .unwrap();
    let county = standing.iter().find(|row| row.region == "410105").unwrap();
    assert_eq!(
        county.level, "none",
        "a month two months closed does not stand"
    );
    // A stoppage in the closed month before this one: that month's blue
    // stands, and the older month keeps its own level.
    app.app
        .file_report(
            &actor,
            ReportFiling {
                employer_id: employer,
                period: last_month(),
                figures: figures(200, 0, 0, OperatingState::Stopped),
            },
            false,
        )
        .await
        .unwrap();
    let standing = eventually_warned(&app, &actor, None, |rows| {
        rows.iter()
            .any(|row| row.region == "410105" && row.level == "blue")
    })
    .await;
    let county = standing.iter().find(|row| row.region == "410105").unwrap();
    assert_eq!(county.period, last_month().to_string());
    assert_eq!(
        event_count(app.store.client(), Some("warning-")).await,
        6,
        "two months' levels for the county, the city and the province"
    );
    app.assessor.stop().await;
}

#[tokio::test]
async fn a_plan_of_a_hundred_is_mandatory_and_a_stranger_may_not_report_one() {
    let app = App::start().await;
    let employer = app.employer(3, "410105").await;
    let filing = PlanFiling {
        employer_id: employer,
        details: PlanDetails {
            workforce: 5000,
            planned: 100,
            reasons: Description::parse("产能调整").unwrap(),
            planned_from: china_date(chrono::Utc::now()) + chrono::Duration::days(10),
            measures: Description::parse("转岗培训").unwrap(),
        },
    };
    let saved = app
        .app
        .report_layoff_plan(&counsellor("410105"), filing.clone(), None)
        .await
        .unwrap();
    assert!(saved.state.mandatory);
    assert!(saved.state.late, "ten days ahead is fewer than thirty");
    let refused = app
        .app
        .report_layoff_plan(&counsellor("420100"), filing, None)
        .await
        .unwrap_err();
    assert!(matches!(refused, Error::Forbidden { .. }), "{refused:?}");
    assert_eq!(
        event_count(app.store.client(), Some("layoffplan-")).await,
        1
    );
    app.assessor.stop().await;
}
