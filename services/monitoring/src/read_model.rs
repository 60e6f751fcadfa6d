//! The monitoring read model: one SQLite database fed by one projection of
//! the events of every context monitoring counts — job seekers, employers,
//! referrals, labour-security offices and points, enterprises' reports,
//! layoff plans, wage-arrears cases, warnings and submissions.
//!
//! Besides the rows of offices, points, followed enterprises, reports,
//! plans, cases and warnings, it keeps `facts`: per county (or the office
//! a record belongs to) and month, the count of each indicator, which a
//! city or the province sums over its codes. Every change to `facts`
//! marks its region and month in `dirty` with a rising sequence number,
//! which the warning assessor follows.
//!
//! Stocks at a month's end (registered unemployed, job seekers seeking
//! work, places open in vacancies) are kept as flows — each change in the
//! month it happened — and summed up to a month when read.

use std::collections::BTreeMap;

use labex_domain::arrears::WageArrearsEvent;
use labex_domain::course::{CourseEvent, Placement};
use labex_domain::employer::EmployerEvent;
use labex_domain::enterprise_report::{EnterpriseReportEvent, ReportFigures, Signal};
use labex_domain::fair::FairEvent;
use labex_domain::household::{Household, HouseholdEvent, HouseholdStatus};
use labex_domain::internship::InternshipEvent;
use labex_domain::jobseeker::JobSeekerEvent;
use labex_domain::layoff::LayoffPlanEvent;
use labex_domain::monitoring::{
    LabourOffice, LabourOfficeEvent, LabourOfficeId, MonitoringPoint, MonitoringPointEvent,
    MonitoringPointId, Period, PointKind,
};
use labex_domain::province_report::MonthlyReportEvent;
use labex_domain::referral::{ReferralEvent, ReferralOutcome};
use labex_domain::vacancy::VacancyEvent;
use labex_domain::value::DivisionCode;
use labex_domain::warning::{Indicator, Series, WarningEvent, WarningLevelChanged};
use labex_domain::welfare::WelfareEvent;
use labex_domain::{Aggregate, Event, Personal};
use labex_domain::{china_date, rfc3339_millis};
use labex_eventsourcing::reset_checkpoint;
use labex_eventsourcing::{EventFilter, Projection, ProjectionError, StoredEvent};
use rusqlite::{Connection, OptionalExtension, Transaction, params};

/// The projection's name (its checkpoint's key).
pub const PROJECTION: &str = "monitoring";

/// The change in registered unemployed, kept as a flow; the stock of a
/// month is the sum up to it.
pub const UNEMPLOYED_DELTA: &str = "registered_unemployed_delta";

/// The change in job seekers seeking work, kept as a flow.
pub const SEEKING_DELTA: &str = "jobseekers_seeking_delta";

/// The change in places open in vacancies, kept as a flow.
pub const OPEN_VACANCIES_DELTA: &str = "open_vacancies_delta";

/// The version of the tables: a new one drops them and the checkpoint,
/// so that the read model is rebuilt from the store. 2: training,
/// households, welfare placements, internships, fairs and referrals by
/// category. 3: a warning level per region and month besides the
/// standing one; vacancies and job seekers seeking work, for open
/// vacancies per job seeker.
pub const VERSION: u32 = 3;

/// Keeps the monitoring tables.
pub struct MonitoringProjection;

/// Drops every table of the read model (but its version and checkpoint).
fn drop_tables(transaction: &Transaction<'_>) -> rusqlite::Result<()> {
    let tables: Vec<String> = transaction
        .prepare(
            "SELECT name FROM sqlite_master WHERE type = 'table'
             AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'labex_%'
             AND name <> 'monitoring_version'",
        )?
        .query_map([], |row| row.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    for table in tables {
        transaction.execute_batch(&format!("DROP TABLE IF EXISTS \"{table}\""))?;
    }
    Ok(())
}

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS employers (
    id TEXT PRIMARY KEY, name TEXT NOT NULL, region TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS jobseekers (
    id TEXT PRIMARY KEY, office TEXT NOT NULL, unemployed INTEGER NOT NULL,
    categories TEXT NOT NULL DEFAULT '', seeking INTEGER NOT NULL DEFAULT 1
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS vacancies (
    id TEXT PRIMARY KEY, region TEXT NOT NULL, open_places INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS courses (
    id TEXT PRIMARY KEY, office TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS households (
    id TEXT PRIMARY KEY, office TEXT NOT NULL, status TEXT NOT NULL, state TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS household_moves (
    seq INTEGER PRIMARY KEY, household_id TEXT NOT NULL, office TEXT NOT NULL,
    day TEXT NOT NULL, status TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS household_moves_office ON household_moves (office, day);
CREATE INDEX IF NOT EXISTS household_moves_household ON household_moves (household_id, day);
CREATE TABLE IF NOT EXISTS welfare (
    id TEXT PRIMARY KEY, office TEXT NOT NULL, started_on TEXT NOT NULL, ends_on TEXT NOT NULL,
    ended_on TEXT
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS internships (
    id TEXT PRIMARY KEY, office TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS fairs (
    id TEXT PRIMARY KEY, region TEXT NOT NULL, starts_on TEXT NOT NULL, cancelled INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS fair_referrals (
    referral_id TEXT PRIMARY KEY, fair_id TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS offices (
    id TEXT PRIMARY KEY, name TEXT NOT NULL, region TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS points (
    id TEXT PRIMARY KEY, kind TEXT NOT NULL, name TEXT NOT NULL, region TEXT NOT NULL,
    labour_office_id TEXT, designated_at TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS followed (
    point_id TEXT NOT NULL, employer_id TEXT NOT NULL, region TEXT NOT NULL,
    PRIMARY KEY (point_id, employer_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS followed_region ON followed (region);
CREATE TABLE IF NOT EXISTS reports (
    employer_id TEXT NOT NULL, period TEXT NOT NULL, region TEXT NOT NULL,
    figures TEXT NOT NULL, signals TEXT NOT NULL, submitted_on TEXT NOT NULL,
    late INTEGER NOT NULL, corrections INTEGER NOT NULL,
    PRIMARY KEY (employer_id, period)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS layoff_plans (
    id TEXT PRIMARY KEY, employer_id TEXT NOT NULL, region TEXT NOT NULL,
    reported_on TEXT NOT NULL, planned_from TEXT NOT NULL, workforce INTEGER NOT NULL,
    planned INTEGER NOT NULL, mandatory INTEGER NOT NULL, late INTEGER NOT NULL,
    status TEXT NOT NULL, laid_off INTEGER
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS layoff_plans_employer ON layoff_plans (employer_id, reported_on);
CREATE TABLE IF NOT EXISTS arrears (
    id TEXT PRIMARY KEY, employer_id TEXT NOT NULL, region TEXT NOT NULL,
    status TEXT NOT NULL, owed_fen INTEGER NOT NULL, paid_fen INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS arrears_employer ON arrears (employer_id);
CREATE TABLE IF NOT EXISTS facts (
    region TEXT NOT NULL, period TEXT NOT NULL, indicator TEXT NOT NULL, value INTEGER NOT NULL,
    PRIMARY KEY (region, period, indicator)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS returns (
    region TEXT NOT NULL, period TEXT NOT NULL, from_region TEXT NOT NULL, intention TEXT NOT NULL,
    count INTEGER NOT NULL,
    PRIMARY KEY (region, period, from_region, intention)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS dirty (
    region TEXT NOT NULL, period TEXT NOT NULL, seq INTEGER NOT NULL,
    PRIMARY KEY (region, period)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS dirty_seq ON dirty (seq);
CREATE TABLE IF NOT EXISTS warnings (
    region TEXT PRIMARY KEY, level TEXT NOT NULL, period TEXT NOT NULL, rule TEXT,
    indicators TEXT NOT NULL, since TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS warning_months (
    region TEXT NOT NULL, period TEXT NOT NULL, level TEXT NOT NULL, rule TEXT,
    indicators TEXT NOT NULL, since TEXT NOT NULL,
    PRIMARY KEY (region, period)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS warning_months_period ON warning_months (period, region);
CREATE TABLE IF NOT EXISTS warning_changes (
    seq INTEGER PRIMARY KEY, region TEXT NOT NULL, item TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS submissions (
    region TEXT NOT NULL, period TEXT NOT NULL, submission INTEGER NOT NULL,
    figures TEXT NOT NULL, differences TEXT NOT NULL, submitted_at TEXT NOT NULL,
    PRIMARY KEY (region, period)
) WITHOUT ROWID;
";

impl Projection for MonitoringProjection {
    fn name(&self) -> &str {
        PROJECTION
    }

    fn filter(&self) -> EventFilter {
        EventFilter::event_types(monitored_event_types())
    }

    fn migrate(&mut self, transaction: &Transaction<'_>) -> rusqlite::Result<()> {
        transaction.execute_batch(
            "CREATE TABLE IF NOT EXISTS monitoring_version (version INTEGER NOT NULL)",
        )?;
        let kept: Option<u32> = transaction
            .query_row("SELECT version FROM monitoring_version", [], |row| {
                row.get(0)
            })
            .optional()?;
        if kept != Some(VERSION) {
            drop_tables(transaction)?;
            reset_checkpoint(transaction, PROJECTION)?;
            transaction.execute("DELETE FROM monitoring_version", [])?;
            transaction.execute(
                "INSERT INTO monitoring_version (version) VALUES (?1)",
                params![VERSION],
            )?;
        }
        transaction.execute_batch(SCHEMA)
    }

    fn apply(
        &mut self,
        transaction: &Transaction<'_>,
        event: &StoredEvent,
    ) -> Result<(), ProjectionError> {
        let recorded_on = china_date(event.metadata.at_or(event.created));
        let office = event
            .metadata
            .office
            .as_ref()
            .map(|office| office.as_str().to_owned());
        match &event.event {
            Event::JobSeeker(jobseeker) => apply_jobseeker(transaction, jobseeker, recorded_on)?,
            Event::Employer(EmployerEvent::Registered(registered)) => {
                transaction.execute(
                    "INSERT OR REPLACE INTO employers (id, name, region) VALUES (?1, ?2, ?3)",
                    params![
                        registered.employer_id.to_string(),
                        registered.name.as_str(),
                        registered.region.as_str()
                    ],
                )?;
            }
            Event::Referral(referral) => apply_referral(transaction, referral, office)?,
            Event::LabourOffice(LabourOfficeEvent::Registered(registered)) => {
                transaction.execute(
                    "INSERT OR REPLACE INTO offices (id, name, region) VALUES (?1, ?2, ?3)",
                    params![
                        registered.labour_office_id.to_string(),
                        registered.name.as_str(),
                        registered.region.as_str()
                    ],
                )?;
            }
            Event::MonitoringPoint(point) => {
                apply_point(
                    transaction,
                    point,
                    &rfc3339_millis(event.metadata.at_or(event.created)),
                )?;
            }
            Event::EnterpriseReport(report) => apply_report(transaction, report)?,
            Event::LayoffPlan(plan) => apply_layoff(transaction, plan)?,
            Event::WageArrears(case) => apply_arrears(transaction, case)?,
            Event::Course(course) => apply_course(transaction, course)?,
            Event::Household(household) => apply_household(transaction, event, household)?,
            Event::Welfare(placement) => apply_welfare(transaction, placement)?,
            Event::Internship(internship) => apply_internship(transaction, internship)?,
            Event::Fair(fair) => apply_fair(transaction, fair)?,
            Event::Warning(WarningEvent::LevelChanged(changed)) => {
                apply_warning(transaction, changed)?;
            }
            Event::Vacancy(vacancy) => {
                apply_vacancy(transaction, &event.stream, vacancy, recorded_on)?;
            }
            Event::MonthlyReport(MonthlyReportEvent::Submitted(submitted)) => {
                transaction.execute(
                    "INSERT OR REPLACE INTO submissions
                     (region, period, submission, figures, differences, submitted_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                    params![
                        submitted.region.as_str(),
                        submitted.period.to_string(),
                        submitted.submission,
                        serde_json::to_string(&submitted.figures).unwrap_or_default(),
                        serde_json::to_string(&submitted.differences).unwrap_or_default(),
                        rfc3339_millis(submitted.submitted_at),
                    ],
                )?;
            }
            _ => {}
        }
        Ok(())
    }
}

/// Every event type the projection follows: each family's types but the
/// bearer tokens'.
pub fn monitored_event_types() -> Vec<&'static str> {
    use labex_domain::DomainEvent;
    labex_domain::registry::event_types()
        .iter()
        .map(|known| known.name)
        .filter(|name| !labex_domain::tokens::TokenEvent::knows(name))
        .collect()
}

/// A change of a region's warning: the month's level when it moved (in
/// `warning_months`), the standing level with the rule and indicators of
/// the month it is of (in `warnings`), and the change for the feed.
fn apply_warning(
    transaction: &Transaction<'_>,
    changed: &WarningLevelChanged,
) -> rusqlite::Result<()> {
    let region = changed.region.as_str();
    let at = rfc3339_millis(changed.changed_at);
    if changed.from != changed.to {
        let rule = changed
            .rule
            .as_ref()
            .map(|rule| serde_json::to_string(rule).unwrap_or_default());
        transaction.execute(
            "INSERT OR REPLACE INTO warning_months (region, period, level, rule, indicators, since)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                region,
                changed.period.to_string(),
                changed.to.as_str(),
                rule,
                serde_json::to_string(&changed.indicators).unwrap_or_default(),
                at,
            ],
        )?;
    }
    let behind: Option<(Option<String>, String)> = transaction
        .query_row(
            "SELECT rule, indicators FROM warning_months WHERE region = ?1 AND period = ?2",
            params![region, changed.standing_period.to_string()],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .optional()?;
    let (rule, indicators) = behind.unwrap_or((None, "{}".to_owned()));
    let since: Option<String> = transaction
        .query_row(
            "SELECT since FROM warnings WHERE region = ?1",
            params![region],
            |row| row.get(0),
        )
        .optional()?;
    let since = match since {
        Some(since) if changed.standing_from == changed.standing => since,
        _ => at,
    };
    transaction.execute(
        "INSERT OR REPLACE INTO warnings (region, level, period, rule, indicators, since)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![
            region,
            changed.standing.as_str(),
            changed.standing_period.to_string(),
            rule,
            indicators,
            since,
        ],
    )?;
    transaction.execute(
        "INSERT INTO warning_changes (region, item) VALUES (?1, ?2)",
        params![region, serde_json::to_string(changed).unwrap_or_default()],
    )?;
    Ok(())
}

/// Vacancies (用工信息): the places still open in each, counted for the
/// region where the work is, as a flow in the month each change happened.
fn apply_vacancy(
    transaction: &Transaction<'_>,
    id: &str,
    event: &VacancyEvent,
    recorded_on: chrono::NaiveDate,
) -> rusqlite::Result<()> {
    let kept: Option<(String, i64)> = transaction
        .prepare_cached("SELECT region, open_places FROM vacancies WHERE id = ?1")?
        .query_row(params![id], |row| Ok((row.get(0)?, row.get(1)?)))
        .optional()?;
    let (day, region, places) = match (event, &kept) {
        (VacancyEvent::Published(published), None) => (
            china_date(published.published_at),
            published.details.region.as_str().to_owned(),
            i64::from(published.details.headcount.get()),
        ),
        (VacancyEvent::Updated(updated), Some((region, places))) => (
            recorded_on,
            updated
                .changes
                .region
                .as_ref()
                .map_or_else(|| region.clone(), |region| region.as_str().to_owned()),
            updated.open_headcount.map_or(*places, i64::from),
        ),
        (VacancyEvent::PlacementRecorded(placement), Some((region, _))) => (
            placement.hired_on,
            region.clone(),
            i64::from(placement.open_headcount),
        ),
        (VacancyEvent::Closed(_) | VacancyEvent::Filled(_), Some((region, _))) => {
            (recorded_on, region.clone(), 0)
        }
        _ => return Ok(()),
    };
    let period = Period::of(day);
    if let Some((before_region, before)) = &kept {
        add(
            transaction,
            before_region,
            period,
            OPEN_VACANCIES_DELTA,
            -before,
        )?;
    }
    add(transaction, &region, period, OPEN_VACANCIES_DELTA, places)?;
    transaction
        .prepare_cached(
            "INSERT OR REPLACE INTO vacancies (id, region, open_places) VALUES (?1, ?2, ?3)",
        )?
        .execute(params![id, region, places])?;
    Ok(())
}

/// Adds `value` to a region's indicator of a month, and marks the region
/// and month for assessment.
fn add(
    transaction: &Transaction<'_>,
    region: &str,
    period: Period,
    indicator: &str,
    value: i64,
) -> rusqlite::Result<()> {
    if value == 0 {
        return Ok(());
    }
    let period = period.to_string();
    transaction
        .prepare_cached(
            "INSERT INTO facts (region, period, indicator, value) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (region, period, indicator) DO UPDATE SET value = value + excluded.value",
        )?
        .execute(params![region, period, indicator, value])?;
    transaction
        .prepare_cached(
            "INSERT INTO dirty (region, period, seq)
             VALUES (?1, ?2, (SELECT COALESCE(MAX(seq), 0) + 1 FROM dirty))
             ON CONFLICT (region, period) DO UPDATE SET seq = excluded.seq",
        )?
        .execute(params![region, period])?;
    Ok(())
}

/// Adds `value` to a figure of a region's month that no warning rule
/// reads (so nothing is marked for assessment).
fn tally(
    transaction: &Transaction<'_>,
    region: &str,
    period: Period,
    figure: &str,
    value: i64,
) -> rusqlite::Result<()> {
    transaction
        .prepare_cached(
            "INSERT INTO facts (region, period, indicator, value) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (region, period, indicator) DO UPDATE SET value = value + excluded.value",
        )?
        .execute(params![region, period.to_string(), figure, value])?;
    Ok(())
}

fn count(
    transaction: &Transaction<'_>,
    region: &str,
    period: Period,
    indicator: Indicator,
    value: i64,
) -> rusqlite::Result<()> {
    add(transaction, region, period, indicator.as_str(), value)
}

fn jobseeker_office(
    transaction: &Transaction<'_>,
    id: &str,
) -> rusqlite::Result<Option<(String, bool)>> {
    transaction
        .prepare_cached("SELECT office, unemployed FROM jobseekers WHERE id = ?1")?
        .query_row(params![id], |row| Ok((row.get(0)?, row.get(1)?)))
        .optional()
}

fn set_unemployed(
    transaction: &Transaction<'_>,
    id: &str,
    unemployed: bool,
) -> rusqlite::Result<()> {
    transaction
        .prepare_cached("UPDATE jobseekers SET unemployed = ?2 WHERE id = ?1")?
        .execute(params![id, unemployed])?;
    Ok(())
}

/// Marks a job seeker seeking work or not, counting the change in the
/// month it happened.
fn set_seeking(
    transaction: &Transaction<'_>,
    id: &str,
    office: &str,
    period: Period,
    seeking: bool,
) -> rusqlite::Result<()> {
    let changed = transaction
        .prepare_cached("UPDATE jobseekers SET seeking = ?2 WHERE id = ?1 AND seeking <> ?2")?
        .execute(params![id, seeking])?;
    if changed > 0 {
        let change = if seeking { 1 } else { -1 };
        add(transaction, office, period, SEEKING_DELTA, change)?;
    }
    Ok(())
}

fn apply_jobseeker(
    transaction: &Transaction<'_>,
    event: &JobSeekerEvent,
    recorded_on: chrono::NaiveDate,
) -> rusqlite::Result<()> {
    match event {
        JobSeekerEvent::Registered(registered) => {
            let id = registered.jobseeker_id.to_string();
            let office = registered.office.as_str();
            transaction
                .prepare_cached(
                    "INSERT OR IGNORE INTO jobseekers (id, office, unemployed, categories)
                     VALUES (?1, ?2, 0, ?3)",
                )?
                .execute(params![
                    id,
                    office,
                    category_list(&registered.profile.categories)
                ])?;
            count(
                transaction,
                office,
                Period::of(recorded_on),
                Indicator::JobseekerRegistrations,
                1,
            )?;
            add(
                transaction,
                office,
                Period::of(recorded_on),
                SEEKING_DELTA,
                1,
            )?;
        }
        JobSeekerEvent::UnemploymentRegistered(registered) => {
            let id = registered.jobseeker_id.to_string();
            if let Some((office, unemployed)) = jobseeker_office(transaction, &id)? {
                let period = Period::of(registered.registered_on);
                count(
                    transaction,
                    &office,
                    period,
                    Indicator::NewUnemploymentRegistrations,
                    1,
                )?;
                if !unemployed {
                    add(transaction, &office, period, UNEMPLOYED_DELTA, 1)?;
                    set_unemployed(transaction, &id, true)?;
                }
                set_seeking(transaction, &id, &office, period, true)?;
            }
        }
        JobSeekerEvent::EmploymentRegistered(registered) => {
            let id = registered.jobseeker_id.to_string();
            if let Some((office, unemployed)) = jobseeker_office(transaction, &id)? {
                let period = Period::of(registered.started_on);
                count(
                    transaction,
                    &office,
                    period,
                    Indicator::EmploymentRegistrations,
                    1,
                )?;
                if unemployed {
                    add(transaction, &office, period, UNEMPLOYED_DELTA, -1)?;
                    set_unemployed(transaction, &id, false)?;
                }
                set_seeking(transaction, &id, &office, period, false)?;
            }
        }
        JobSeekerEvent::ProfileUpdated(updated) => {
            if let Some(categories) = &updated.profile.categories {
                transaction
                    .prepare_cached("UPDATE jobseekers SET categories = ?2 WHERE id = ?1")?
                    .execute(params![
                        updated.jobseeker_id.to_string(),
                        category_list(categories)
                    ])?;
            }
        }
        JobSeekerEvent::Erased(erased) => {
            // Counted figures stay; what categories the person was in does
            // not.
            transaction
                .prepare_cached("UPDATE jobseekers SET categories = '' WHERE id = ?1")?
                .execute(params![erased.jobseeker_id.to_string()])?;
        }
        JobSeekerEvent::ReturnRecorded(returned) => {
            let id = returned.jobseeker_id.to_string();
            if let Some((office, _)) = jobseeker_office(transaction, &id)? {
                let period = Period::of(returned.returned_on);
                count(transaction, &office, period, Indicator::MigrantReturns, 1)?;
                transaction
                    .prepare_cached(
                        "INSERT INTO returns (region, period, from_region, intention, count)
                         VALUES (?1, ?2, ?3, ?4, 1)
                         ON CONFLICT (region, period, from_region, intention)
                         DO UPDATE SET count = count + 1",
                    )?
                    .execute(params![
                        office,
                        period.to_string(),
                        returned.from_region.as_str(),
                        returned.intention.as_str()
                    ])?;
            }
        }
    }
    let _ = recorded_on;
    Ok(())
}

fn apply_referral(
    transaction: &Transaction<'_>,
    event: &ReferralEvent,
    office: Option<String>,
) -> rusqlite::Result<()> {
    let (jobseeker, date, indicator, by_category) = match event {
        ReferralEvent::Made(made) => {
            if let Some(fair) = made.fair_id {
                transaction
                    .prepare_cached(
                        "INSERT OR IGNORE INTO fair_referrals (referral_id, fair_id) VALUES (?1, ?2)",
                    )?
                    .execute(params![made.referral_id.to_string(), fair.to_string()])?;
            }
            (
                made.jobseeker_id,
                china_date(made.referred_at),
                Indicator::Referrals,
                "referrals",
            )
        }
        ReferralEvent::OutcomeRecorded(outcome) if outcome.outcome == ReferralOutcome::Hired => {
            let fair_region: Option<String> = transaction
                .prepare_cached(
                    "SELECT f.region FROM fair_referrals r JOIN fairs f ON f.id = r.fair_id
                     WHERE r.referral_id = ?1",
                )?
                .query_row(params![outcome.referral_id.to_string()], |row| row.get(0))
                .optional()?;
            if let Some(region) = fair_region {
                tally(
                    transaction,
                    &region,
                    Period::of(outcome.date),
                    "fair_hires",
                    1,
                )?;
            }
            (
                outcome.jobseeker_id,
                outcome.date,
                Indicator::Hires,
                "hires",
            )
        }
        ReferralEvent::OutcomeRecorded(_) => return Ok(()),
    };
    let id = jobseeker.to_string();
    let region = match jobseeker_office(transaction, &id)? {
        Some((office, _)) => Some(office),
        None => office,
    };
    let Some(region) = region else {
        return Ok(());
    };
    let period = Period::of(date);
    count(transaction, &region, period, indicator, 1)?;
    let categories: Option<String> = transaction
        .prepare_cached("SELECT categories FROM jobseekers WHERE id = ?1")?
        .query_row(params![id], |row| row.get(0))
        .optional()?;
    for category in categories.iter().flat_map(|list| list.split(',')) {
        if !category.is_empty() {
            tally(
                transaction,
                &region,
                period,
                &format!("{by_category}_{category}"),
                1,
            )?;
        }
    }
    Ok(())
}

/// A job seeker's categories as kept: their codes, comma-separated.
fn category_list(
    categories: &std::collections::BTreeSet<labex_domain::value::JobSeekerCategory>,
) -> String {
    categories
        .iter()
        .map(|category| category.as_str())
        .collect::<Vec<_>>()
        .join(",")
}

/// The office a course, an internship or a placement belongs to, as kept.
fn office_of(
    transaction: &Transaction<'_>,
    table: &str,
    id: &str,
) -> rusqlite::Result<Option<String>> {
    transaction
        .prepare_cached(&format!("SELECT office FROM {table} WHERE id = ?1"))?
        .query_row(params![id], |row| row.get(0))
        .optional()
}

/// Training (培训), counted for the office of the course: seats taken
/// (an enrolment with a seat, or a promotion from the waiting list),
/// completions, appraisals passed and trainees employed as the training
/// context counts them (`TraineeEmploymentRecorded`: the first employment
/// within the window after completion).
fn apply_course(transaction: &Transaction<'_>, event: &CourseEvent) -> rusqlite::Result<()> {
    if let CourseEvent::Opened(opened) = event {
        transaction
            .prepare_cached("INSERT OR REPLACE INTO courses (id, office) VALUES (?1, ?2)")?
            .execute(params![
                opened.course_id.to_string(),
                opened.office.as_str()
            ])?;
        return Ok(());
    }
    let (course, day, figure) = match event {
        CourseEvent::Enrolled(enrolled) if enrolled.placement == Placement::Seat => (
            enrolled.course_id,
            china_date(enrolled.enrolled_at),
            "training_enrolments",
        ),
        CourseEvent::Promoted(promoted) => (
            promoted.course_id,
            china_date(promoted.promoted_at),
            "training_enrolments",
        ),
        CourseEvent::Completed(completed) => (
            completed.course_id,
            completed.completed_on,
            "training_completions",
        ),
        CourseEvent::Appraised(appraised) if appraised.passed => (
            appraised.course_id,
            appraised.appraised_on,
            "training_appraisals_passed",
        ),
        CourseEvent::EmploymentRecorded(recorded) => {
            (recorded.course_id, recorded.started_on, "trainees_employed")
        }
        _ => return Ok(()),
    };
    if let Some(office) = office_of(transaction, "courses", &course.to_string())? {
        tally(transaction, &office, Period::of(day), figure, 1)?;
    }
    Ok(())
}

/// A household's state without what is personal: its address, members,
/// notes and counsellor. What is left is enough to fold its status.
fn impersonal(mut household: Household) -> Household {
    household.address = Personal::Erased;
    household.members.clear();
    if let Some(decision) = household.decision.as_mut() {
        decision.note = None;
    }
    if let Some(exit) = household.exit.as_mut() {
        exit.note = None;
    }
    if let Some(plan) = household.plan.as_mut() {
        plan.counsellor.clear();
    }
    household
}

/// The day a household came to its present status.
fn status_day(household: &Household) -> chrono::NaiveDate {
    let moved = household
        .last_move
        .as_ref()
        .filter(|moved| moved.status == household.status)
        .map(|moved| moved.on);
    match household.status {
        HouseholdStatus::Declared => household.declared_on,
        HouseholdStatus::Registered | HouseholdStatus::Rejected => moved
            .or(household.decision.as_ref().map(|decision| decision.on))
            .unwrap_or(household.declared_on),
        HouseholdStatus::Cleared | HouseholdStatus::Stabilised => {
            moved.unwrap_or(household.declared_on)
        }
        HouseholdStatus::Exited => household
            .exit
            .as_ref()
            .map_or(household.declared_on, |exit| exit.on),
    }
}

/// Zero-employment households (零就业家庭): the domain's own fold of each
/// household, kept without what is personal, and every change of status
/// with its day, from which the register by status at a month's end and
/// the households cleared in a month are read.
fn apply_household(
    transaction: &Transaction<'_>,
    stored: &StoredEvent,
    event: &HouseholdEvent,
) -> Result<(), ProjectionError> {
    let id = stored.stream.clone();
    let kept: Option<String> = transaction
        .prepare_cached("SELECT state FROM households WHERE id = ?1")?
        .query_row(params![id], |row| row.get(0))
        .optional()?;
    let failed = |reason: String| ProjectionError::Apply {
        projection: PROJECTION.to_owned(),
        event_id: stored.id,
        reason,
    };
    let before: Option<Household> = kept
        .map(|state| serde_json::from_str(&state))
        .transpose()
        .map_err(|error| failed(format!("kept household state: {error}")))?;
    let status_before = before.as_ref().map(|household| household.status);
    let Some(after) = Household::evolve(before, event).map(impersonal) else {
        return Ok(());
    };
    let state = serde_json::to_string(&after)
        .map_err(|error| failed(format!("household state: {error}")))?;
    transaction
        .prepare_cached(
            "INSERT OR REPLACE INTO households (id, office, status, state) VALUES (?1, ?2, ?3, ?4)",
        )?
        .execute(params![
            id,
            after.office.as_str(),
            after.status.as_str(),
            state
        ])?;
    if status_before != Some(after.status) {
        transaction
            .prepare_cached(
                "INSERT INTO household_moves (household_id, office, day, status)
                 VALUES (?1, ?2, ?3, ?4)",
            )?
            .execute(params![
                id,
                after.office.as_str(),
                status_day(&after).to_string(),
                after.status.as_str()
            ])?;
    }
    Ok(())
}

/// Public-welfare placements (公益性岗位): started, and the day each ends
/// (early, or at the end of its subsidised period).
fn apply_welfare(transaction: &Transaction<'_>, event: &WelfareEvent) -> rusqlite::Result<()> {
    match event {
        WelfareEvent::Started(started) => {
            let inserted = transaction
                .prepare_cached(
                    "INSERT OR IGNORE INTO welfare (id, office, started_on, ends_on)
                     VALUES (?1, ?2, ?3, ?4)",
                )?
                .execute(params![
                    started.placement_id.to_string(),
                    started.office.as_str(),
                    started.started_on.to_string(),
                    started.ends_on.to_string()
                ])?;
            if inserted > 0 {
                tally(
                    transaction,
                    started.office.as_str(),
                    Period::of(started.started_on),
                    "welfare_placements_started",
                    1,
                )?;
            }
        }
        WelfareEvent::Ended(ended) => {
            transaction
                .prepare_cached("UPDATE welfare SET ended_on = ?2 WHERE id = ?1")?
                .execute(params![
                    ended.placement_id.to_string(),
                    ended.ended_on.to_string()
                ])?;
        }
    }
    Ok(())
}

/// Internships (就业见习): started, completed, interns retained by the host
/// (留用), for the office that funds each.
fn apply_internship(
    transaction: &Transaction<'_>,
    event: &InternshipEvent,
) -> rusqlite::Result<()> {
    let (id, day, figure) = match event {
        InternshipEvent::Agreed(agreed) => {
            transaction
                .prepare_cached("INSERT OR REPLACE INTO internships (id, office) VALUES (?1, ?2)")?
                .execute(params![
                    agreed.internship_id.to_string(),
                    agreed.office.as_str()
                ])?;
            return Ok(());
        }
        InternshipEvent::Started(started) => (
            started.internship_id,
            started.started_on,
            "internships_started",
        ),
        InternshipEvent::Completed(completed) => (
            completed.internship_id,
            completed.completed_on,
            "internships_completed",
        ),
        InternshipEvent::Retained(retained) => (
            retained.internship_id,
            retained.retained_on,
            "interns_retained",
        ),
        _ => return Ok(()),
    };
    if let Some(office) = office_of(transaction, "internships", &id.to_string())? {
        tally(transaction, &office, Period::of(day), figure, 1)?;
    }
    Ok(())
}

/// Job fairs (招聘会): where and on which day each is held, and whether it
/// was cancelled.
fn apply_fair(transaction: &Transaction<'_>, event: &FairEvent) -> rusqlite::Result<()> {
    match event {
        FairEvent::Scheduled(scheduled) => {
            transaction
                .prepare_cached(
                    "INSERT OR REPLACE INTO fairs (id, region, starts_on, cancelled)
                     VALUES (?1, ?2, ?3, 0)",
                )?
                .execute(params![
                    scheduled.fair_id.to_string(),
                    scheduled.details.region.as_str(),
                    china_date(scheduled.details.starts_at).to_string()
                ])?;
        }
        FairEvent::Amended(amended) => {
            transaction
                .prepare_cached("UPDATE fairs SET region = ?2, starts_on = ?3 WHERE id = ?1")?
                .execute(params![
                    amended.fair_id.to_string(),
                    amended.details.region.as_str(),
                    china_date(amended.details.starts_at).to_string()
                ])?;
        }
        FairEvent::Cancelled(cancelled) => {
            transaction
                .prepare_cached("UPDATE fairs SET cancelled = 1 WHERE id = ?1")?
                .execute(params![cancelled.fair_id.to_string()])?;
        }
        _ => {}
    }
    Ok(())
}

fn apply_point(
    transaction: &Transaction<'_>,
    event: &MonitoringPointEvent,
    at: &str,
) -> rusqlite::Result<()> {
    match event {
        MonitoringPointEvent::Designated(designated) => {
            let id = designated.point_id.to_string();
            transaction.execute(
                "INSERT OR REPLACE INTO points (id, kind, name, region, labour_office_id, designated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![
                    id,
                    designated.kind.as_str(),
                    designated.name.as_str(),
                    designated.region.as_str(),
                    designated.labour_office_id.map(|office| office.to_string()),
                    at
                ],
            )?;
            for employer in &designated.employers {
                follow(
                    transaction,
                    &id,
                    &employer.to_string(),
                    designated.region.as_str(),
                )?;
            }
        }
        MonitoringPointEvent::EnterprisesChanged(changed) => {
            let id = changed.point_id.to_string();
            let region: Option<String> = transaction
                .query_row(
                    "SELECT region FROM points WHERE id = ?1",
                    params![id],
                    |row| row.get(0),
                )
                .optional()?;
            let Some(region) = region else {
                return Ok(());
            };
            for employer in &changed.followed {
                follow(transaction, &id, &employer.to_string(), &region)?;
            }
            for employer in &changed.unfollowed {
                transaction.execute(
                    "DELETE FROM followed WHERE point_id = ?1 AND employer_id = ?2",
                    params![id, employer.to_string()],
                )?;
            }
        }
    }
    Ok(())
}

fn follow(
    transaction: &Transaction<'_>,
    point: &str,
    employer: &str,
    region: &str,
) -> rusqlite::Result<()> {
    transaction
        .prepare_cached(
            "INSERT OR IGNORE INTO followed (point_id, employer_id, region) VALUES (?1, ?2, ?3)",
        )?
        .execute(params![point, employer, region])?;
    Ok(())
}

/// Adds (`sign` 1) or takes back (-1) a report's figures in the facts.
fn count_report(
    transaction: &Transaction<'_>,
    region: &str,
    period: Period,
    figures: &ReportFigures,
    signals: &[Signal],
    sign: i64,
) -> rusqlite::Result<()> {
    let separations = &figures.separations;
    let has = |signal| i64::from(signals.contains(&signal));
    for (indicator, value) in [
        (Indicator::ReportsReceived, 1),
        (Indicator::ReportedHeadcount, i64::from(figures.headcount)),
        (Indicator::Separations, i64::from(separations.total())),
        (Indicator::EnterpriseClosures, has(Signal::Closure)),
        (Indicator::EnterpriseStoppages, has(Signal::Stoppage)),
        (
            Indicator::EnterpriseClosuresAndStoppages,
            has(Signal::Closure) + has(Signal::Stoppage),
        ),
        (
            Indicator::UnreportedLayoffs,
            has(Signal::UnreportedLayoff) * i64::from(separations.layoffs),
        ),
    ] {
        count(transaction, region, period, indicator, sign * value)?;
    }
    Ok(())
}

fn apply_report(
    transaction: &Transaction<'_>,
    event: &EnterpriseReportEvent,
) -> rusqlite::Result<()> {
    match event {
        EnterpriseReportEvent::Submitted(submitted) => {
            let region = submitted.region.as_str();
            transaction.execute(
                "INSERT OR REPLACE INTO reports
                 (employer_id, period, region, figures, signals, submitted_on, late, corrections)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 0)",
                params![
                    submitted.employer_id.to_string(),
                    submitted.period.to_string(),
                    region,
                    serde_json::to_string(&submitted.figures).unwrap_or_default(),
                    serde_json::to_string(&submitted.signals).unwrap_or_default(),
                    submitted.submitted_on.to_string(),
                    submitted.late,
                ],
            )?;
            count_report(
                transaction,
                region,
                submitted.period,
                &submitted.figures,
                &submitted.signals,
                1,
            )?;
        }
        EnterpriseReportEvent::Corrected(corrected) => {
            let employer = corrected.employer_id.to_string();
            let period = corrected.period.to_string();
            let before: Option<(String, String, String)> = transaction
                .query_row(
                    "SELECT region, figures, signals FROM reports WHERE employer_id = ?1 AND period = ?2",
                    params![employer, period],
                    |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
                )
                .optional()?;
            let Some((region, figures, signals)) = before else {
                return Ok(());
            };
            if let (Ok(figures), Ok(signals)) = (
                serde_json::from_str::<ReportFigures>(&figures),
                serde_json::from_str::<Vec<Signal>>(&signals),
            ) {
                count_report(
                    transaction,
                    &region,
                    corrected.period,
                    &figures,
                    &signals,
                    -1,
                )?;
            }
            count_report(
                transaction,
                &region,
                corrected.period,
                &corrected.figures,
                &corrected.signals,
                1,
            )?;
            transaction.execute(
                "UPDATE reports SET figures = ?3, signals = ?4, corrections = corrections + 1
                 WHERE employer_id = ?1 AND period = ?2",
                params![
                    employer,
                    period,
                    serde_json::to_string(&corrected.figures).unwrap_or_default(),
                    serde_json::to_string(&corrected.signals).unwrap_or_default(),
                ],
            )?;
        }
    }
    Ok(())
}

fn apply_layoff(transaction: &Transaction<'_>, event: &LayoffPlanEvent) -> rusqlite::Result<()> {
    match event {
        LayoffPlanEvent::Reported(reported) => {
            let region = reported.region.as_str();
            transaction.execute(
                "INSERT OR REPLACE INTO layoff_plans (id, employer_id, region, reported_on, planned_from,
                 workforce, planned, mandatory, late, status, laid_off)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 'reported', NULL)",
                params![
                    reported.plan_id.to_string(),
                    reported.employer_id.to_string(),
                    region,
                    reported.reported_on.to_string(),
                    reported.details.planned_from.to_string(),
                    reported.details.workforce,
                    reported.details.planned,
                    reported.mandatory,
                    reported.late,
                ],
            )?;
            let period = Period::of(reported.reported_on);
            count(transaction, region, period, Indicator::LayoffPlans, 1)?;
            if reported.mandatory {
                count(
                    transaction,
                    region,
                    period,
                    Indicator::MandatoryLayoffPlans,
                    1,
                )?;
                count(
                    transaction,
                    region,
                    period,
                    Indicator::PeopleConcerned,
                    i64::from(reported.details.planned),
                )?;
            }
        }
        LayoffPlanEvent::Amended(amended) => {
            let id = amended.plan_id.to_string();
            let before: Option<(String, String, i64, bool)> = transaction
                .query_row(
                    "SELECT region, reported_on, planned, mandatory FROM layoff_plans WHERE id = ?1",
                    params![id],
                    |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?)),
                )
                .optional()?;
            let Some((region, reported_on, planned_before, mandatory_before)) = before else {
                return Ok(());
            };
            let planned_after = amended.changes.planned.map_or(planned_before, i64::from);
            if let Ok(reported_on) = reported_on.parse::<chrono::NaiveDate>() {
                let period = Period::of(reported_on);
                let before = if mandatory_before { planned_before } else { 0 };
                let after = if amended.mandatory { planned_after } else { 0 };
                count(
                    transaction,
                    &region,
                    period,
                    Indicator::MandatoryLayoffPlans,
                    i64::from(amended.mandatory) - i64::from(mandatory_before),
                )?;
                count(
                    transaction,
                    &region,
                    period,
                    Indicator::PeopleConcerned,
                    after - before,
                )?;
            }
            transaction.execute(
                "UPDATE layoff_plans SET planned = ?2, mandatory = ?3, late = ?4,
                 workforce = COALESCE(?5, workforce), planned_from = COALESCE(?6, planned_from)
                 WHERE id = ?1",
                params![
                    id,
                    planned_after,
                    amended.mandatory,
                    amended.late,
                    amended.changes.workforce,
                    amended.changes.planned_from.map(|date| date.to_string()),
                ],
            )?;
        }
        LayoffPlanEvent::OutcomeRecorded(outcome) => {
            let id = outcome.plan_id.to_string();
            let region: Option<String> = transaction
                .query_row(
                    "SELECT region FROM layoff_plans WHERE id = ?1",
                    params![id],
                    |row| row.get(0),
                )
                .optional()?;
            transaction.execute(
                "UPDATE layoff_plans SET status = 'concluded', laid_off = ?2 WHERE id = ?1",
                params![id, outcome.laid_off],
            )?;
            if let Some(region) = region {
                count(
                    transaction,
                    &region,
                    Period::of(outcome.recorded_on),
                    Indicator::LayoffsCarriedOut,
                    i64::from(outcome.laid_off),
                )?;
            }
        }
        // The registrations themselves are counted from the job seekers'
        // own `UnemploymentRegistered`; the plan answers how many it has.
        LayoffPlanEvent::RegistrationsRecorded(_) => {}
    }
    Ok(())
}

fn apply_arrears(transaction: &Transaction<'_>, event: &WageArrearsEvent) -> rusqlite::Result<()> {
    match event {
        WageArrearsEvent::Opened(opened) => {
            let owed: u64 = opened.workers.values().sum();
            transaction.execute(
                "INSERT OR REPLACE INTO arrears (id, employer_id, region, status, owed_fen, paid_fen)
                 VALUES (?1, ?2, ?3, 'open', ?4, 0)",
                params![
                    opened.case_id.to_string(),
                    opened.employer_id.to_string(),
                    opened.region.as_str(),
                    i64::try_from(owed).unwrap_or(i64::MAX)
                ],
            )?;
            count(
                transaction,
                opened.region.as_str(),
                Period::of(opened.opened_on),
                Indicator::WageArrearsCases,
                1,
            )?;
        }
        WageArrearsEvent::MediationHeld(held) => {
            transaction.execute(
                "UPDATE arrears SET status = 'mediating' WHERE id = ?1",
                params![held.case_id.to_string()],
            )?;
        }
        WageArrearsEvent::PaymentRecorded(paid) => {
            transaction.execute(
                "UPDATE arrears SET paid_fen = paid_fen + ?2 WHERE id = ?1",
                params![
                    paid.case_id.to_string(),
                    i64::try_from(paid.amount_fen).unwrap_or(i64::MAX)
                ],
            )?;
        }
        WageArrearsEvent::Closed(closed) => {
            transaction.execute(
                "UPDATE arrears SET status = ?2 WHERE id = ?1",
                params![closed.case_id.to_string(), closed.status.as_str()],
            )?;
        }
    }
    Ok(())
}

// ---- reading -------------------------------------------------------------

/// The codes a region's scope covers, as a half-open range of text:
/// `[prefix, prefix + ":")` (`:` sorts just after `9`).
fn scope(region: &DivisionCode) -> (String, String) {
    let prefix = region.scope_prefix().to_owned();
    let end = format!("{prefix}:");
    (prefix, end)
}

/// A region's indicators for each month from `from` to `to`.
pub fn series(
    connection: &Connection,
    region: &DivisionCode,
    from: Period,
    to: Period,
) -> rusqlite::Result<Series> {
    let (low, high) = scope(region);
    let mut series = Series::new();
    let mut statement = connection.prepare_cached(
        "SELECT period, indicator, SUM(value) FROM facts
         WHERE region >= ?1 AND region < ?2 AND period >= ?3 AND period <= ?4
         GROUP BY period, indicator",
    )?;
    let rows = statement.query_map(
        params![low, high, from.to_string(), to.to_string()],
        |row| {
            Ok((
                row.get::<_, String>(0)?,
                row.get::<_, String>(1)?,
                row.get::<_, i64>(2)?,
            ))
        },
    )?;
    for row in rows {
        let (period, indicator, value) = row?;
        let (Ok(period), Some(indicator)) = (Period::parse(&period), Indicator::parse(&indicator))
        else {
            continue;
        };
        series.entry(period).or_default().insert(indicator, value);
    }
    // The stocks at each month's end: every change up to the month.
    let unemployed = stock(
        connection,
        (low.as_str(), high.as_str()),
        UNEMPLOYED_DELTA,
        from,
        to,
    )?;
    let seeking = stock(
        connection,
        (low.as_str(), high.as_str()),
        SEEKING_DELTA,
        from,
        to,
    )?;
    let open = stock(
        connection,
        (low.as_str(), high.as_str()),
        OPEN_VACANCIES_DELTA,
        from,
        to,
    )?;
    let mut month = from;
    while month <= to {
        let at = |stocks: &BTreeMap<Period, i64>| stocks.get(&month).copied().unwrap_or(0);
        let values = [
            (Indicator::RegisteredUnemployed, at(&unemployed)),
            (Indicator::JobseekersSeeking, at(&seeking)),
            (Indicator::OpenVacancies, at(&open).max(0)),
        ];
        for (indicator, value) in values {
            if value != 0 {
                series.entry(month).or_default().insert(indicator, value);
            }
        }
        if at(&seeking) > 0 {
            series.entry(month).or_default().insert(
                Indicator::VacanciesPer100Jobseekers,
                at(&open).max(0) * 100 / at(&seeking),
            );
        }
        month = month.plus(1);
    }
    Ok(series)
}

/// A stock kept as the flow `delta` at the end of each month from `from`
/// to `to`: the sum of every change up to the month.
fn stock(
    connection: &Connection,
    (low, high): (&str, &str),
    delta: &str,
    from: Period,
    to: Period,
) -> rusqlite::Result<BTreeMap<Period, i64>> {
    let mut statement = connection.prepare_cached(
        "SELECT period, SUM(value) FROM facts
         WHERE region >= ?1 AND region < ?2 AND indicator = ?3 AND period <= ?4
         GROUP BY period ORDER BY period",
    )?;
    let changes: Vec<(String, i64)> = statement
        .query_map(params![low, high, delta, to.to_string()], |row| {
            Ok((row.get(0)?, row.get(1)?))
        })?
        .collect::<rusqlite::Result<_>>()?;
    let mut stocks = BTreeMap::new();
    let mut month = from;
    let mut stock = 0;
    let mut pending = changes.iter().peekable();
    while month <= to {
        while let Some((period, change)) = pending.peek() {
            match Period::parse(period) {
                Ok(period) if period <= month => {
                    stock += change;
                    pending.next();
                }
                Ok(_) => break,
                Err(_) => {
                    pending.next();
                }
            }
        }
        stocks.insert(month, stock);
        month = month.plus(1);
    }
    Ok(stocks)
}

/// Regions and months changed since `after`, with the newest sequence.
pub fn dirty_since(
    connection: &Connection,
    after: i64,
) -> rusqlite::Result<Vec<(String, String, i64)>> {
    let mut statement = connection.prepare_cached(
        "SELECT region, period, seq FROM dirty WHERE seq > ?1 ORDER BY seq LIMIT 10000",
    )?;
    let rows = statement.query_map(params![after], |row| {
        Ok((row.get(0)?, row.get(1)?, row.get(2)?))
    })?;
    rows.collect()
}

/// The labour-security offices and points within a region.
pub fn offices_and_points(
    connection: &Connection,
    region: &DivisionCode,
) -> rusqlite::Result<(Vec<LabourOffice>, Vec<MonitoringPoint>)> {
    let (low, high) = scope(region);
    let mut statement = connection.prepare_cached(
        "SELECT id, name, region FROM offices WHERE region >= ?1 AND region < ?2",
    )?;
    let offices = statement
        .query_map(params![low, high], |row| {
            Ok((
                row.get::<_, String>(0)?,
                row.get::<_, String>(1)?,
                row.get::<_, String>(2)?,
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?
        .into_iter()
        .filter_map(|(id, name, region)| {
            Some(LabourOffice {
                id: LabourOfficeId::parse(&id).ok()?,
                name: labex_domain::value::OrganisationName::parse(&name).ok()?,
                region: DivisionCode::parse(&region).ok()?,
            })
        })
        .collect();
    let mut statement = connection.prepare_cached(
        "SELECT id, kind, name, region, labour_office_id FROM points WHERE region >= ?1 AND region < ?2",
    )?;
    let points = statement
        .query_map(params![low, high], |row| {
            Ok((
                row.get::<_, String>(0)?,
                row.get::<_, String>(1)?,
                row.get::<_, String>(2)?,
                row.get::<_, String>(3)?,
                row.get::<_, Option<String>>(4)?,
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?
        .into_iter()
        .filter_map(|(id, kind, name, region, office)| {
            Some(MonitoringPoint {
                id: MonitoringPointId::parse(&id).ok()?,
                kind: PointKind::parse(&kind).ok()?,
                name: labex_domain::value::OrganisationName::parse(&name).ok()?,
                region: DivisionCode::parse(&region).ok()?,
                labour_office_id: office.and_then(|office| LabourOfficeId::parse(&office).ok()),
                employers: Default::default(),
            })
        })
        .collect();
    Ok((offices, points))
}

/// A followed enterprise that has not reported for a month.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct MissingReport {
    /// The employer.
    pub employer_id: String,
    /// Its registered name.
    pub name: Option<String>,
    /// Its region.
    pub region: Option<String>,
    /// The points that follow it.
    pub points: Vec<String>,
}

/// Followed enterprises of points within `region` with no report for
/// `period`, by employer id; at most `limit`, and how many in all.
pub fn missing(
    connection: &Connection,
    region: &DivisionCode,
    period: Period,
    limit: u32,
) -> rusqlite::Result<(Vec<MissingReport>, u64)> {
    let (low, high) = scope(region);
    let period = period.to_string();
    let total: i64 = connection.query_row(
        "SELECT COUNT(DISTINCT f.employer_id) FROM followed f
         WHERE f.region >= ?1 AND f.region < ?2
           AND NOT EXISTS (SELECT 1 FROM reports r WHERE r.employer_id = f.employer_id AND r.period = ?3)",
        params![low, high, period],
        |row| row.get(0),
    )?;
    let mut statement = connection.prepare_cached(
        "SELECT f.employer_id, e.name, e.region, group_concat(f.point_id) FROM followed f
         LEFT JOIN employers e ON e.id = f.employer_id
         WHERE f.region >= ?1 AND f.region < ?2
           AND NOT EXISTS (SELECT 1 FROM reports r WHERE r.employer_id = f.employer_id AND r.period = ?3)
         GROUP BY f.employer_id ORDER BY f.employer_id LIMIT ?4",
    )?;
    let items = statement
        .query_map(params![low, high, period, limit], |row| {
            let points: String = row.get(3)?;
            let mut points: Vec<String> = points.split(',').map(str::to_owned).collect();
            points.sort();
            Ok(MissingReport {
                employer_id: row.get(0)?,
                name: row.get(1)?,
                region: row.get(2)?,
                points,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok((items, u64::try_from(total).unwrap_or(0)))
}

/// The day the employer's latest layoff plan on or before `until` was
/// reported.
pub fn latest_plan(
    connection: &Connection,
    employer: &str,
    until: chrono::NaiveDate,
) -> rusqlite::Result<Option<chrono::NaiveDate>> {
    let day: Option<String> = connection.query_row(
        "SELECT MAX(reported_on) FROM layoff_plans WHERE employer_id = ?1 AND reported_on <= ?2",
        params![employer, until.to_string()],
        |row| row.get(0),
    )?;
    Ok(day.and_then(|day| day.parse().ok()))
}

/// A region's warning as kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WarningRow {
    pub region: String,
    pub level: String,
    pub period: String,
    pub rule: Option<String>,
    pub indicators: String,
    pub since: String,
}

/// The warnings of the regions within `region`, by code.
pub fn warnings(
    connection: &Connection,
    region: &DivisionCode,
) -> rusqlite::Result<Vec<WarningRow>> {
    let (low, high) = scope(region);
    let mut statement = connection.prepare_cached(
        "SELECT region, level, period, rule, indicators, since FROM warnings
         WHERE region >= ?1 AND region < ?2 ORDER BY region",
    )?;
    let rows = statement.query_map(params![low, high], |row| {
        Ok(WarningRow {
            region: row.get(0)?,
            level: row.get(1)?,
            period: row.get(2)?,
            rule: row.get(3)?,
            indicators: row.get(4)?,
            since: row.get(5)?,
        })
    })?;
    rows.collect()
}

/// The levels of a month of the regions within `region` whose level for
/// that month ever changed, by code.
pub fn warnings_of_month(
    connection: &Connection,
    region: &DivisionCode,
    period: Period,
) -> rusqlite::Result<Vec<WarningRow>> {
    let (low, high) = scope(region);
    let mut statement = connection.prepare_cached(
        "SELECT region, level, period, rule, indicators, since FROM warning_months
         WHERE period = ?3 AND region >= ?1 AND region < ?2 ORDER BY region",
    )?;
    let rows = statement.query_map(params![low, high, period.to_string()], |row| {
        Ok(WarningRow {
            region: row.get(0)?,
            level: row.get(1)?,
            period: row.get(2)?,
            rule: row.get(3)?,
            indicators: row.get(4)?,
            since: row.get(5)?,
        })
    })?;
    rows.collect()
}

/// Every region that has a warning (at any level, `none` included).
pub fn warned_regions(connection: &Connection) -> rusqlite::Result<Vec<String>> {
    let mut statement = connection.prepare_cached("SELECT region FROM warnings ORDER BY region")?;
    let rows = statement.query_map([], |row| row.get(0))?;
    rows.collect()
}

/// Changes of level within `region` after sequence `after`, oldest first,
/// at most `limit`: each its sequence and its event's JSON.
pub fn warning_changes(
    connection: &Connection,
    region: &DivisionCode,
    after: i64,
    limit: u32,
) -> rusqlite::Result<Vec<(i64, String)>> {
    let (low, high) = scope(region);
    let mut statement = connection.prepare_cached(
        "SELECT seq, item FROM warning_changes
         WHERE seq > ?1 AND region >= ?2 AND region < ?3 ORDER BY seq LIMIT ?4",
    )?;
    let rows = statement.query_map(params![after, low, high, limit], |row| {
        Ok((row.get(0)?, row.get(1)?))
    })?;
    rows.collect()
}

/// Followed enterprises within `region` that have not reported `period`.
pub fn missing_count(
    connection: &Connection,
    region: &DivisionCode,
    period: Period,
) -> rusqlite::Result<i64> {
    let (low, high) = scope(region);
    connection.query_row(
        "SELECT COUNT(DISTINCT f.employer_id) FROM followed f
         WHERE f.region >= ?1 AND f.region < ?2
           AND NOT EXISTS (SELECT 1 FROM reports r WHERE r.employer_id = f.employer_id AND r.period = ?3)",
        params![low, high, period.to_string()],
        |row| row.get(0),
    )
}

/// Open wage-arrears cases within `region`.
pub fn open_arrears_in(connection: &Connection, region: &DivisionCode) -> rusqlite::Result<i64> {
    let (low, high) = scope(region);
    connection.query_row(
        "SELECT COUNT(*) FROM arrears WHERE region >= ?1 AND region < ?2 AND status IN ('open', 'mediating')",
        params![low, high],
        |row| row.get(0),
    )
}

/// An employer's open wage-arrears cases: how many, owed and paid in fen.
pub fn arrears_of(connection: &Connection, employer: &str) -> rusqlite::Result<(i64, i64, i64)> {
    connection.query_row(
        "SELECT COUNT(*), COALESCE(SUM(owed_fen), 0), COALESCE(SUM(paid_fen), 0) FROM arrears
         WHERE employer_id = ?1 AND status IN ('open', 'mediating')",
        params![employer],
        |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
    )
}

/// Returns home within `region` in `period`, by origin and intention.
pub fn returns(
    connection: &Connection,
    region: &DivisionCode,
    period: Period,
) -> rusqlite::Result<Vec<(String, String, i64)>> {
    let (low, high) = scope(region);
    let mut statement = connection.prepare_cached(
        "SELECT from_region, intention, SUM(count) FROM returns
         WHERE region >= ?1 AND region < ?2 AND period = ?3
         GROUP BY from_region, intention ORDER BY from_region, intention",
    )?;
    let rows = statement.query_map(params![low, high, period.to_string()], |row| {
        Ok((row.get(0)?, row.get(1)?, row.get(2)?))
    })?;
    rows.collect()
}

/// A submission as kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubmissionRow {
    pub region: String,
    pub period: String,
    pub submission: u32,
    pub figures: BTreeMap<String, i64>,
    pub differences: String,
    pub submitted_at: String,
}

/// The latest submission of each region within `region` for `period`.
pub fn submissions(
    connection: &Connection,
    region: &DivisionCode,
    period: Period,
) -> rusqlite::Result<Vec<SubmissionRow>> {
    let (low, high) = scope(region);
    let mut statement = connection.prepare_cached(
        "SELECT region, period, submission, figures, differences, submitted_at FROM submissions
         WHERE region >= ?1 AND region < ?2 AND period = ?3 ORDER BY region",
    )?;
    let rows = statement.query_map(params![low, high, period.to_string()], |row| {
        let figures: String = row.get(3)?;
        Ok(SubmissionRow {
            region: row.get(0)?,
            period: row.get(1)?,
            submission: row.get(2)?,
            figures: serde_json::from_str(&figures).unwrap_or_default(),
            differences: row.get(4)?,
            submitted_at: row.get(5)?,
        })
    })?;
    rows.collect()
}

/// A layoff plan as listed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanRow {
    pub id: String,
    pub employer_id: String,
    pub planned: i64,
    pub mandatory: bool,
    pub late: bool,
    pub status: String,
    pub laid_off: Option<i64>,
}

/// Layoff plans within `region` reported in `period`, newest first.
pub fn layoff_plans_in(
    connection: &Connection,
    region: &DivisionCode,
    period: Period,
) -> rusqlite::Result<Vec<PlanRow>> {
    let (low, high) = scope(region);
    let mut statement = connection.prepare_cached(
        "SELECT id, employer_id, planned, mandatory, late, status, laid_off FROM layoff_plans
         WHERE region >= ?1 AND region < ?2 AND reported_on >= ?3 AND reported_on <= ?4
         ORDER BY reported_on DESC, id LIMIT 200",
    )?;
    let rows = statement.query_map(
        params![
            low,
            high,
            period.first_day().to_string(),
            period.last_day().to_string()
        ],
        |row| {
            Ok(PlanRow {
                id: row.get(0)?,
                employer_id: row.get(1)?,
                planned: row.get(2)?,
                mandatory: row.get(3)?,
                late: row.get(4)?,
                status: row.get(5)?,
                laid_off: row.get(6)?,
            })
        },
    )?;
    rows.collect()
}

/// The figures of a region's month besides the warning indicators: the
/// month's tallies (training, welfare placements started, internships,
/// referrals and hires by category, hires from fairs), the households by
/// status at the month's end (`households_<status>`) and cleared in it,
/// welfare placements ended in it and fairs held in it.
pub fn report_figures(
    connection: &Connection,
    region: &DivisionCode,
    period: Period,
) -> rusqlite::Result<BTreeMap<String, i64>> {
    let (low, high) = scope(region);
    let first = period.first_day().to_string();
    let last = period.last_day().to_string();
    let mut figures = BTreeMap::new();
    let mut statement = connection.prepare_cached(
        "SELECT indicator, SUM(value) FROM facts
         WHERE region >= ?1 AND region < ?2 AND period = ?3 GROUP BY indicator",
    )?;
    let rows = statement.query_map(params![low, high, period.to_string()], |row| {
        Ok((row.get::<_, String>(0)?, row.get::<_, i64>(1)?))
    })?;
    for row in rows {
        let (figure, value) = row?;
        figures.insert(figure, value);
    }
    let mut statement = connection.prepare_cached(
        "SELECT m.status, COUNT(*) FROM household_moves m
         WHERE m.office >= ?1 AND m.office < ?2 AND m.day <= ?3
           AND m.seq = (SELECT MAX(l.seq) FROM household_moves l
                        WHERE l.household_id = m.household_id AND l.day <= ?3)
         GROUP BY m.status",
    )?;
    let rows = statement.query_map(params![low, high, last], |row| {
        Ok((row.get::<_, String>(0)?, row.get::<_, i64>(1)?))
    })?;
    for row in rows {
        let (status, households) = row?;
        figures.insert(format!("households_{status}"), households);
    }
    let cleared: i64 = connection.query_row(
        "SELECT COUNT(*) FROM household_moves
         WHERE office >= ?1 AND office < ?2 AND status = 'cleared' AND day >= ?3 AND day <= ?4",
        params![low, high, first, last],
        |row| row.get(0),
    )?;
    figures.insert("households_cleared_in_month".to_owned(), cleared);
    let ended: i64 = connection.query_row(
        "SELECT COUNT(*) FROM welfare
         WHERE office >= ?1 AND office < ?2
           AND COALESCE(ended_on, ends_on) >= ?3 AND COALESCE(ended_on, ends_on) <= ?4",
        params![low, high, first, last],
        |row| row.get(0),
    )?;
    figures.insert("welfare_placements_ended".to_owned(), ended);
    let fairs: i64 = connection.query_row(
        "SELECT COUNT(*) FROM fairs
         WHERE region >= ?1 AND region < ?2 AND cancelled = 0 AND starts_on >= ?3 AND starts_on <= ?4",
        params![low, high, first, last],
        |row| row.get(0),
    )?;
    figures.insert("fairs_held".to_owned(), fairs);
    Ok(figures)
}
