//! Monitoring points and offices, enterprises' reports, layoff plans,
//! early warning, wage arrears, reports to the province and returns home:
//! given / when / then.

use std::collections::{BTreeMap, BTreeSet};

use labex_domain::arrears::{
    CaseStatus, OpenCase, WageArrearsCase, WageArrearsCaseClosed, WageArrearsCaseId,
    WageArrearsCaseOpened, WageArrearsCommand, WageArrearsError, WageArrearsEvent,
    WageArrearsPaymentRecorded,
};
use labex_domain::enterprise_report::{
    EnterpriseReportCommand, EnterpriseReportCorrected, EnterpriseReportError,
    EnterpriseReportEvent, EnterpriseReports, EnterpriseReportsId, FileReport, OperatingState,
    ReportFigures, ReportRules, Separations, Signal,
};
use labex_domain::jobseeker::{
    HomeReturn, JobSeeker, JobSeekerCommand, JobSeekerEvent, MigrantReturnRecorded, RecordReturn,
    ReturnIntention,
};
use labex_domain::layoff::{
    AmendLayoffPlan, LayoffError, LayoffPlan, LayoffPlanAmended, LayoffPlanCommand,
    LayoffPlanEvent, LayoffPlanId, LayoffPlanReported, LayoffRules, PlanChanges, PlanDetails,
    RecordLayoffOutcome, ReportLayoffPlan,
};
use labex_domain::monitoring::{
    CoverageRules, DesignatePoint, LabourOffice, LabourOfficeId, MonitoringError, MonitoringPoint,
    MonitoringPointCommand, MonitoringPointDesignated, MonitoringPointEvent, MonitoringPointId,
    Period, PointKind, coverage,
};
use labex_domain::province_report::{
    Difference, MonthlyReport, MonthlyReportEvent, MonthlyReportId, MonthlyReportSubmitted,
    SubmitMonthlyReport,
};
use labex_domain::value::{Description, OrganisationName};
use labex_domain::warning::{
    AssessRegion, Assessment, Indicator, Level, RegionWarning, Series, WarningCommand,
    WarningEvent, WarningId, WarningLevelChanged, WarningRules, assess,
};

use crate::fixtures::*;
use crate::support::given;

fn name(text: &str) -> OrganisationName {
    OrganisationName::parse(text).unwrap()
}

fn period(text: &str) -> Period {
    Period::parse(text).unwrap()
}

fn office(id: u128, county: &str) -> LabourOffice {
    LabourOffice {
        id: LabourOfficeId::from_uuid(uuid::Uuid::from_u128(id)),
        name: name("劳动保障事务所"),
        region: division(county),
    }
}

fn point(id: u128, kind: PointKind, region: &str) -> MonitoringPoint {
    MonitoringPoint {
        id: MonitoringPointId::from_uuid(uuid::Uuid::from_u128(id)),
        kind,
        name: name("监测点"),
        region: division(region),
        labour_office_id: None,
        employers: BTreeSet::new(),
    }
}

#[test]
fn a_city_needs_five_community_platforms_and_a_county_a_third_of_its_offices_rounded_up() {
    let offices: Vec<_> = (1..=4).map(|n| office(n, "410105")).collect();
    let points = vec![
        point(10, PointKind::CommunityPlatform, "410105"),
        point(11, PointKind::CommunityPlatform, "410102"),
        point(12, PointKind::LabourOffice, "410105"),
    ];
    let lines = coverage(
        &CoverageRules::default(),
        &offices,
        &points,
        &BTreeSet::new(),
    );
    let city = lines
        .iter()
        .find(|line| line.region == division("410100"))
        .unwrap();
    assert_eq!((city.has, city.needs, city.deficit), (2, 5, 3));
    let county = lines
        .iter()
        .find(|line| line.region == division("410105"))
        .unwrap();
    assert_eq!((county.has, county.needs, county.deficit), (1, 2, 1));
    assert_eq!(county.labour_offices, Some(4));
}

#[test]
fn a_city_or_county_named_with_nothing_shows_its_whole_need() {
    let offices: Vec<_> = (1..=3).map(|n| office(n, "410105")).collect();
    let areas: BTreeSet<_> = ["410300", "410305", "410105"]
        .into_iter()
        .map(division)
        .collect();
    let lines = coverage(&CoverageRules::default(), &offices, &[], &areas);
    let line = |code: &str| {
        lines
            .iter()
            .find(|line| line.region == division(code))
            .unwrap()
            .clone()
    };
    let luoyang = line("410300");
    assert_eq!((luoyang.has, luoyang.needs, luoyang.deficit), (0, 5, 5));
    let xigong = line("410305");
    assert_eq!((xigong.needs, xigong.labour_offices), (0, Some(0)));
    assert!(
        xigong.no_offices_registered,
        "its need waits for its offices"
    );
    let jinshui = line("410105");
    assert_eq!((jinshui.has, jinshui.needs, jinshui.deficit), (0, 1, 1));
    assert!(!jinshui.no_offices_registered);
    assert_eq!(
        lines.iter().filter(|line| line.level == "city").count(),
        2,
        "Luoyang named, Zhengzhou by its offices' county"
    );
}

#[test]
fn a_labour_office_point_lies_in_its_offices_county() {
    let office = office(1, "410105");
    let state = given::<MonitoringPoint>([])
        .when(MonitoringPointCommand::Designate(DesignatePoint {
            point_id: MonitoringPointId::from_uuid(uuid::Uuid::from_u128(9)),
            kind: PointKind::LabourOffice,
            name: name("文化路事务所"),
            region: division("410100"),
            labour_office: Some(office.clone()),
            employers: [employer_id()].into(),
        }))
        .then([MonitoringPointEvent::Designated(
            MonitoringPointDesignated {
                point_id: MonitoringPointId::from_uuid(uuid::Uuid::from_u128(9)),
                kind: PointKind::LabourOffice,
                name: name("文化路事务所"),
                region: division("410105"),
                labour_office_id: Some(office.id),
                employers: [employer_id()].into(),
            },
        )]);
    assert!(state.employers.contains(&employer_id()));
}

#[test]
fn a_community_platform_naming_an_office_is_refused() {
    given::<MonitoringPoint>([])
        .when(MonitoringPointCommand::Designate(DesignatePoint {
            point_id: MonitoringPointId::from_uuid(uuid::Uuid::from_u128(9)),
            kind: PointKind::CommunityPlatform,
            name: name("社区平台"),
            region: division("410105"),
            labour_office: Some(office(1, "410105")),
            employers: BTreeSet::new(),
        }))
        .then_error(MonitoringError::LabourOfficeMismatch);
}

fn figures(headcount: u32, layoffs: u32, state: OperatingState) -> ReportFigures {
    ReportFigures {
        headcount,
        hires: 0,
        separations: Separations {
            quits: 0,
            layoffs,
            contract_ends: 0,
            other: 0,
        },
        state,
    }
}

fn file(
    month: &str,
    figures: ReportFigures,
    today: chrono::NaiveDate,
    plan: Option<chrono::NaiveDate>,
) -> FileReport {
    FileReport {
        employer_id: employer_id(),
        region: division("410105"),
        period: period(month),
        figures,
        today,
        latest_plan_reported_on: plan,
        rules: ReportRules::default(),
        layoff_rules: LayoffRules::default(),
    }
}

fn submitted(command: EnterpriseReportCommand) -> EnterpriseReportEvent {
    let events = labex_domain::Aggregate::decide(None::<&EnterpriseReports>, command).unwrap();
    events.into_iter().next().unwrap()
}

#[test]
fn a_stoppage_with_a_large_unplanned_layoff_reported_after_the_tenth_raises_its_signals_and_is_late()
 {
    let event = submitted(EnterpriseReportCommand::Submit(file(
        "2026-11",
        figures(380, 120, OperatingState::Stopped),
        date(2026, 12, 11),
        None,
    )));
    let EnterpriseReportEvent::Submitted(submitted) = event else {
        panic!("a submission")
    };
    assert_eq!(
        submitted.signals,
        vec![
            Signal::Stoppage,
            Signal::HighSeparations,
            Signal::UnreportedLayoff
        ]
    );
    assert!(submitted.late);
}

#[test]
fn a_layoff_with_a_plan_reported_within_sixty_days_before_is_not_unreported() {
    let event = submitted(EnterpriseReportCommand::Submit(file(
        "2026-11",
        figures(380, 120, OperatingState::Operating),
        date(2026, 12, 5),
        Some(date(2026, 10, 1)),
    )));
    let EnterpriseReportEvent::Submitted(submitted) = event else {
        panic!("a submission")
    };
    assert_eq!(submitted.signals, vec![Signal::HighSeparations]);
    assert!(!submitted.late);
}

#[test]
fn a_month_is_reported_once_and_corrected_by_a_new_event() {
    let first = submitted(EnterpriseReportCommand::Submit(file(
        "2026-11",
        figures(500, 0, OperatingState::Stopped),
        date(2026, 12, 5),
        None,
    )));
    given::<EnterpriseReports>([first.clone()])
        .when(EnterpriseReportCommand::Submit(file(
            "2026-11",
            figures(500, 0, OperatingState::Operating),
            date(2026, 12, 6),
            None,
        )))
        .then_error(EnterpriseReportError::AlreadyReported);
    let state = given::<EnterpriseReports>([first])
        .when(EnterpriseReportCommand::Correct(file(
            "2026-11",
            figures(500, 0, OperatingState::Operating),
            date(2026, 12, 6),
            None,
        )))
        .then([EnterpriseReportEvent::Corrected(
            EnterpriseReportCorrected {
                reports_id: EnterpriseReportsId::of(employer_id()),
                employer_id: employer_id(),
                period: period("2026-11"),
                figures: figures(500, 0, OperatingState::Operating),
                signals: vec![],
                corrected_on: date(2026, 12, 6),
            },
        )]);
    let report = &state.reports[&period("2026-11")];
    assert_eq!(report.corrections, 1);
    assert_eq!(report.figures.state, OperatingState::Operating);
}

#[test]
fn a_report_for_a_month_not_begun_is_refused() {
    given::<EnterpriseReports>([])
        .when(EnterpriseReportCommand::Submit(file(
            "2027-01",
            figures(10, 0, OperatingState::Operating),
            date(2026, 12, 6),
            None,
        )))
        .then_error(EnterpriseReportError::PeriodInFuture);
}

fn plan_id() -> LayoffPlanId {
    LayoffPlanId::from_uuid(uuid::Uuid::from_u128(77))
}

fn details(workforce: u32, planned: u32, planned_from: chrono::NaiveDate) -> PlanDetails {
    PlanDetails {
        workforce,
        planned,
        reasons: Description::parse("订单减少").unwrap(),
        planned_from,
        measures: Description::parse("支付经济补偿").unwrap(),
    }
}

fn reported(workforce: u32, planned: u32, mandatory: bool, late: bool) -> LayoffPlanEvent {
    LayoffPlanEvent::Reported(LayoffPlanReported {
        plan_id: plan_id(),
        employer_id: employer_id(),
        region: division("410105"),
        details: details(workforce, planned, date(2027, 1, 15)),
        reported_on: date(2026, 12, 7),
        mandatory,
        late,
    })
}

#[test]
fn a_plan_of_ten_percent_of_the_workforce_is_mandatory_and_thirty_nine_days_ahead_is_in_time() {
    given::<LayoffPlan>([])
        .when(LayoffPlanCommand::Report(ReportLayoffPlan {
            plan_id: plan_id(),
            employer_id: employer_id(),
            region: division("410105"),
            details: details(500, 50, date(2027, 1, 15)),
            reported_on: date(2026, 12, 7),
            rules: LayoffRules::default(),
        }))
        .then([reported(500, 50, true, false)]);
}

#[test]
fn a_small_plan_is_not_mandatory_and_one_reported_a_week_ahead_is_late() {
    let rules = LayoffRules::default();
    assert!(!rules.is_mandatory(&details(1000, 99, date(2027, 1, 15))));
    assert!(rules.is_mandatory(&details(5000, 100, date(2027, 1, 15))));
    assert!(rules.is_late(date(2026, 12, 7), date(2026, 12, 14)));
    assert!(!rules.is_late(date(2026, 12, 7), date(2027, 1, 6)));
}

#[test]
fn an_amendment_keeps_the_plan_and_moving_the_day_nearer_makes_it_late() {
    let state = given::<LayoffPlan>([reported(500, 50, true, false)])
        .when(LayoffPlanCommand::Amend(AmendLayoffPlan {
            changes: PlanChanges {
                planned: Some(20),
                planned_from: Some(date(2026, 12, 20)),
                ..PlanChanges::default()
            },
            amended_on: date(2026, 12, 8),
            rules: LayoffRules::default(),
        }))
        .then([LayoffPlanEvent::Amended(LayoffPlanAmended {
            plan_id: plan_id(),
            changes: PlanChanges {
                planned: Some(20),
                planned_from: Some(date(2026, 12, 20)),
                ..PlanChanges::default()
            },
            amended_on: date(2026, 12, 8),
            mandatory: false,
            late: true,
        })]);
    assert_eq!(state.id, plan_id());
    assert_eq!(state.amendments, 1);
}

#[test]
fn after_the_outcome_a_plan_takes_no_more_changes() {
    let outcome = LayoffPlanCommand::RecordOutcome(RecordLayoffOutcome {
        laid_off: 45,
        recorded_on: date(2027, 1, 20),
    });
    let state = given::<LayoffPlan>([reported(500, 50, true, false)])
        .when(outcome.clone())
        .then([LayoffPlanEvent::OutcomeRecorded(
            labex_domain::layoff::LayoffOutcomeRecorded {
                plan_id: plan_id(),
                employer_id: employer_id(),
                laid_off: 45,
                recorded_on: date(2027, 1, 20),
            },
        )]);
    assert_eq!(state.laid_off, Some(45));
    let concluded = labex_domain::Aggregate::decide(Some(&state), outcome);
    assert_eq!(concluded, Err(LayoffError::Concluded));
}

fn laid_off(people: u32) -> LayoffPlanEvent {
    LayoffPlanEvent::OutcomeRecorded(labex_domain::layoff::LayoffOutcomeRecorded {
        plan_id: plan_id(),
        employer_id: employer_id(),
        laid_off: people,
        recorded_on: date(2027, 1, 20),
    })
}

fn jobseekers(numbers: &[u128]) -> std::collections::BTreeSet<labex_domain::JobSeekerId> {
    numbers
        .iter()
        .map(|number| labex_domain::JobSeekerId::from_uuid(uuid::Uuid::from_u128(*number)))
        .collect()
}

fn record_registrations(numbers: &[u128]) -> LayoffPlanCommand {
    LayoffPlanCommand::RecordRegistrations(labex_domain::layoff::RecordLayoffRegistrations {
        jobseekers: jobseekers(numbers),
        recorded_on: date(2027, 1, 21),
    })
}

#[test]
fn registrations_from_a_concluded_plan_are_recorded_once_each() {
    let state = given::<LayoffPlan>([reported(500, 50, true, false), laid_off(2)])
        .when(record_registrations(&[11, 12]))
        .then([LayoffPlanEvent::RegistrationsRecorded(
            labex_domain::layoff::LayoffRegistrationsRecorded {
                plan_id: plan_id(),
                jobseekers: jobseekers(&[11, 12]),
                recorded_on: date(2027, 1, 21),
            },
        )]);
    assert_eq!(state.registered, jobseekers(&[11, 12]));
    let again = labex_domain::Aggregate::decide(Some(&state), record_registrations(&[12, 11]));
    assert_eq!(again, Ok(vec![]));
}

#[test]
fn more_registrations_than_people_laid_off_are_refused() {
    given::<LayoffPlan>([reported(500, 50, true, false), laid_off(1)])
        .when(record_registrations(&[11, 12]))
        .then_error(LayoffError::RegistrationsAboveLaidOff {
            laid_off: 1,
            registered: 2,
        });
}

#[test]
fn registrations_before_the_outcome_are_refused() {
    given::<LayoffPlan>([reported(500, 50, true, false)])
        .when(record_registrations(&[11]))
        .then_error(LayoffError::NotConcluded);
}

fn series(values: &[(&str, Indicator, i64)]) -> Series {
    let mut series = Series::new();
    for (month, indicator, value) in values {
        series
            .entry(period(month))
            .or_default()
            .insert(*indicator, *value);
    }
    series
}

#[test]
fn the_default_rules_raise_blue_for_a_stoppage_and_nothing_for_a_quiet_month() {
    let rules = WarningRules::default();
    let quiet = series(&[("2026-11", Indicator::ReportsReceived, 3)]);
    assert_eq!(assess(&rules, &quiet, period("2026-11")).level, Level::None);
    let stopped = series(&[("2026-11", Indicator::EnterpriseClosuresAndStoppages, 1)]);
    let assessment = assess(&rules, &stopped, period("2026-11"));
    assert_eq!(assessment.level, Level::Blue);
    assert_eq!(assessment.rule.unwrap().id, "closures_and_stoppages_seen");
}

#[test]
fn the_sahm_rule_fires_when_the_three_month_average_stands_half_above_its_twelve_month_low() {
    let rules = WarningRules::default();
    let mut values = Vec::new();
    let months: Vec<String> = (0..15)
        .map(|back| period("2026-11").plus(-back).to_string())
        .collect();
    for (index, month) in months.iter().enumerate() {
        // Steady at 40 a month, then 70 in each of the last three months.
        let value = if index < 3 { 70 } else { 40 };
        values.push((
            month.as_str(),
            Indicator::NewUnemploymentRegistrations,
            value,
        ));
    }
    let rising = series(&values);
    let assessment = assess(&rules, &rising, period("2026-11"));
    assert_eq!(assessment.level, Level::Orange);
    assert_eq!(assessment.rule.unwrap().id, "sahm_new_unemployment");
    let steady: Vec<_> = months
        .iter()
        .map(|month| (month.as_str(), Indicator::NewUnemploymentRegistrations, 40))
        .collect();
    assert_eq!(
        assess(&rules, &series(&steady), period("2026-11")).level,
        Level::None
    );
}

fn assess_command(level: Level, month: &str, current: &str) -> WarningCommand {
    WarningCommand::Assess(AssessRegion {
        region: division("410105"),
        period: period(month),
        assessment: Assessment {
            level,
            rule: None,
            indicators: BTreeMap::new(),
        },
        current: period(current),
        at: at("2026-12-07T06:30:00Z"),
    })
}

/// A change of `month`'s level `from` → `to`, and of the standing level
/// `standing_from` → `standing` (of `standing_period`).
fn changed(
    month: &str,
    (from, to): (Level, Level),
    (standing_from, standing, standing_period): (Level, Level, &str),
) -> WarningEvent {
    WarningEvent::LevelChanged(WarningLevelChanged {
        warning_id: WarningId::of(&division("410105")),
        region: division("410105"),
        period: period(month),
        from,
        to,
        rule: None,
        indicators: BTreeMap::new(),
        standing_from,
        standing,
        standing_period: period(standing_period),
        changed_at: at("2026-12-07T06:30:00Z"),
    })
}

#[test]
fn every_change_of_level_is_an_event_and_the_same_level_is_none() {
    let blue = changed(
        "2026-11",
        (Level::None, Level::Blue),
        (Level::None, Level::Blue, "2026-11"),
    );
    given::<RegionWarning>([])
        .when(assess_command(Level::Blue, "2026-11", "2026-11"))
        .then([blue.clone()]);
    given::<RegionWarning>([blue])
        .when(assess_command(Level::Blue, "2026-11", "2026-11"))
        .then_nothing();
    given::<RegionWarning>([])
        .when(assess_command(Level::None, "2026-11", "2026-11"))
        .then_nothing();
}

#[test]
fn a_late_assessment_of_an_older_month_moves_that_months_level_and_not_the_standing_one() {
    let december_yellow = changed(
        "2026-12",
        (Level::None, Level::Yellow),
        (Level::None, Level::Yellow, "2026-12"),
    );
    let state = given::<RegionWarning>([december_yellow.clone()])
        .when(assess_command(Level::Orange, "2026-09", "2026-12"))
        .then([changed(
            "2026-09",
            (Level::None, Level::Orange),
            (Level::Yellow, Level::Yellow, "2026-12"),
        )]);
    assert_eq!(state.level_of(period("2026-09")), Level::Orange);
    assert_eq!(
        (state.level, state.period),
        (Level::Yellow, period("2026-12"))
    );
    // A late event for the closed month before raises the standing level.
    let state = given::<RegionWarning>([december_yellow])
        .when(assess_command(Level::Red, "2026-11", "2026-12"))
        .then([changed(
            "2026-11",
            (Level::None, Level::Red),
            (Level::Yellow, Level::Red, "2026-11"),
        )]);
    assert_eq!((state.level, state.period), (Level::Red, period("2026-11")));
    assert_eq!(state.level_of(period("2026-12")), Level::Yellow);
}

#[test]
fn a_closed_months_level_stands_through_the_next_month_and_falls_when_that_one_closes() {
    let march_red = changed(
        "2027-03",
        (Level::None, Level::Red),
        (Level::None, Level::Red, "2027-03"),
    );
    // April begins quietly: April stays none, March's red stands.
    given::<RegionWarning>([march_red.clone()])
        .when(assess_command(Level::None, "2027-04", "2027-04"))
        .then_nothing();
    let march = <RegionWarning as labex_domain::Aggregate>::evolve(None, &march_red).unwrap();
    assert_eq!(
        march.standing_in(period("2027-04")),
        (Level::Red, period("2027-03"))
    );
    assert_eq!(
        march.standing_in(period("2027-05")),
        (Level::None, period("2027-05"))
    );
    // April turns blue: its own level changes, March's red still stands.
    let april_blue = changed(
        "2027-04",
        (Level::None, Level::Blue),
        (Level::Red, Level::Red, "2027-03"),
    );
    given::<RegionWarning>([march_red.clone()])
        .when(assess_command(Level::Blue, "2027-04", "2027-04"))
        .then([april_blue.clone()]);
    // May begins: March no longer stands, April (closed, blue) does.
    let state = given::<RegionWarning>([march_red, april_blue])
        .when(assess_command(Level::None, "2027-05", "2027-05"))
        .then([changed(
            "2027-05",
            (Level::None, Level::None),
            (Level::Red, Level::Blue, "2027-04"),
        )]);
    assert_eq!(
        (state.level, state.period),
        (Level::Blue, period("2027-04"))
    );
    assert_eq!(
        state.level_of(period("2027-03")),
        Level::Red,
        "March keeps its own level"
    );
}

#[test]
fn open_vacancies_per_job_seeker_falling_below_the_rules_bound_raises_a_warning() {
    let rules = WarningRules::default();
    let month = |ratio: i64, seeking: i64| {
        series(&[
            ("2026-11", Indicator::VacanciesPer100Jobseekers, ratio),
            ("2026-11", Indicator::JobseekersSeeking, seeking),
        ])
    };
    let assessed = |series: &Series| assess(&rules, series, period("2026-11"));
    assert_eq!(assessed(&month(120, 500)).level, Level::None);
    let low = assessed(&month(70, 500));
    assert_eq!(low.level, Level::Blue);
    assert_eq!(low.rule.unwrap().id, "vacancies_per_jobseeker_below_0_8");
    assert_eq!(assessed(&month(30, 500)).level, Level::Yellow);
    assert_eq!(
        assessed(&month(30, 20)).level,
        Level::None,
        "too few job seekers to judge by"
    );
    let no_ratio = series(&[("2026-11", Indicator::JobseekersSeeking, 500)]);
    assert_eq!(
        assessed(&no_ratio).level,
        Level::None,
        "a month without the ratio raises nothing"
    );
}

fn case_id() -> WageArrearsCaseId {
    WageArrearsCaseId::from_uuid(uuid::Uuid::from_u128(55))
}

fn case_opened() -> WageArrearsEvent {
    WageArrearsEvent::Opened(WageArrearsCaseOpened {
        case_id: case_id(),
        employer_id: employer_id(),
        region: division("410105"),
        workers: [(jobseeker_id(), 450_000)].into(),
        opened_on: date(2026, 12, 7),
    })
}

#[test]
fn a_case_is_opened_for_workers_owed_something() {
    let open = |owed| {
        WageArrearsCommand::Open(OpenCase {
            case_id: case_id(),
            employer_id: employer_id(),
            region: division("410105"),
            workers: [(jobseeker_id(), owed)].into(),
            opened_on: date(2026, 12, 7),
        })
    };
    let state = given::<WageArrearsCase>([])
        .when(open(450_000))
        .then([case_opened()]);
    assert_eq!(state.status, CaseStatus::Open);
    given::<WageArrearsCase>([])
        .when(open(0))
        .then_error(WageArrearsError::NothingOwed);
}

#[test]
fn a_case_settles_only_once_every_worker_is_paid_in_full() {
    let pay = |amount| WageArrearsCommand::Pay {
        jobseeker_id: jobseeker_id(),
        amount_fen: amount,
        paid_on: date(2026, 12, 10),
    };
    let paid = |amount| {
        WageArrearsEvent::PaymentRecorded(WageArrearsPaymentRecorded {
            case_id: case_id(),
            jobseeker_id: jobseeker_id(),
            amount_fen: amount,
            paid_on: date(2026, 12, 10),
        })
    };
    given::<WageArrearsCase>([case_opened()])
        .when(pay(500_000))
        .then_error(WageArrearsError::PaymentOutOfRange {
            outstanding_fen: 450_000,
        });
    given::<WageArrearsCase>([case_opened(), paid(200_000)])
        .when(WageArrearsCommand::Settle {
            on: date(2026, 12, 11),
        })
        .then_error(WageArrearsError::NotFullyPaid {
            outstanding_fen: 250_000,
        });
    let state = given::<WageArrearsCase>([case_opened(), paid(200_000), paid(250_000)])
        .when(WageArrearsCommand::Settle {
            on: date(2026, 12, 11),
        })
        .then([WageArrearsEvent::Closed(WageArrearsCaseClosed {
            case_id: case_id(),
            employer_id: employer_id(),
            status: CaseStatus::Settled,
            closed_on: date(2026, 12, 11),
        })]);
    assert!(!state.status.is_open());
}

#[test]
fn a_second_submission_to_the_province_shows_its_differences() {
    let region = division("410105");
    let first = MonthlyReportEvent::Submitted(MonthlyReportSubmitted {
        report_id: MonthlyReportId::of(&region, period("2026-11")),
        region: region.clone(),
        period: period("2026-11"),
        submission: 1,
        figures: [("hires".to_owned(), 10)].into(),
        differences: BTreeMap::new(),
        submitted_at: at("2026-12-05T01:00:00Z"),
    });
    let state = given::<MonthlyReport>([first])
        .when(SubmitMonthlyReport {
            region: region.clone(),
            period: period("2026-11"),
            figures: [("hires".to_owned(), 12)].into(),
            at: at("2026-12-07T01:00:00Z"),
        })
        .then([MonthlyReportEvent::Submitted(MonthlyReportSubmitted {
            report_id: MonthlyReportId::of(&region, period("2026-11")),
            region: region.clone(),
            period: period("2026-11"),
            submission: 2,
            figures: [("hires".to_owned(), 12)].into(),
            differences: [(
                "hires".to_owned(),
                Difference {
                    before: 10,
                    after: 12,
                },
            )]
            .into(),
            submitted_at: at("2026-12-07T01:00:00Z"),
        })]);
    assert_eq!(state.submissions, 2);
}

#[test]
fn a_returning_migrant_workers_return_is_an_event_of_the_job_seeker() {
    let jobseeker = given::<JobSeeker>([zhang_wei_registered()])
        .when(JobSeekerCommand::RecordReturn(RecordReturn {
            from_region: division("440300"),
            returned_on: date(2026, 12, 1),
            intention: ReturnIntention::StartBusiness,
        }))
        .then([JobSeekerEvent::ReturnRecorded(MigrantReturnRecorded {
            jobseeker_id: jobseeker_id(),
            from_region: division("440300"),
            returned_on: date(2026, 12, 1),
            intention: ReturnIntention::StartBusiness,
        })]);
    assert_eq!(
        jobseeker.returns,
        [HomeReturn {
            from_region: division("440300"),
            returned_on: date(2026, 12, 1),
            intention: ReturnIntention::StartBusiness,
        }],
        "the return stands on the job seeker"
    );
}

#[test]
fn monitoring_refusal_codes_are_unique() {
    let codes = [
        labex_domain::Coded::code(&MonitoringError::AlreadyExists),
        labex_domain::Coded::code(&MonitoringError::NotFound),
        labex_domain::Coded::code(&MonitoringError::LabourOfficeMismatch),
        labex_domain::Coded::code(&MonitoringError::RegionNotCounty),
        labex_domain::Coded::code(&MonitoringError::RegionIsProvince),
        labex_domain::Coded::code(&MonitoringError::FollowConflict),
    ];
    let unique: BTreeSet<_> = codes.iter().collect();
    assert_eq!(unique.len(), codes.len());
}
