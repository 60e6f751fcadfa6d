//! The fairs' read model (`<data>/fairs/readmodel.sqlite`), written event
//! by event from one subscription to the fair, employer and referral
//! streams:
//!
//! - `fairs`: one row per fair with the columns the calendar filters and
//!   sorts by (region, audience, kind, times) and its details as JSON;
//! - `employer_names`: the registered names of employers, so that a fair's
//!   page names its exhibitors (organisations' names, not personal data);
//! - `fair_referrals`: every referral that names a fair, with its outcome
//!   once recorded: the results' referrals and hires.
//!
//! Rows are written from events, not from the folded fair: a fair with
//! thousands of exhibitors and visitors would otherwise be written whole
//! for each of them (decision record 075). The fair's own page and its
//! exhibitors and visitors are read from its stream.

use chrono::{DateTime, NaiveDate, Utc};
use labex_app::ListKey;
use labex_domain::employer::EmployerEvent;
use labex_domain::fair::{FairDetails, FairEvent, FairStatus};
use labex_domain::referral::{ReferralEvent, ReferralOutcome};
use labex_domain::value::{DivisionCode, JobSeekerCategory};
use labex_domain::{EmployerId, Event, FairId, rfc3339_millis};
use labex_eventsourcing::{EventFilter, Projection, ProjectionError, StoredEvent};
use rusqlite::{Connection, OptionalExtension, Transaction, params};

use crate::views::FairSummary;

/// The projection's name (its checkpoint's key).
pub const PROJECTION: &str = "fairs";

/// Keeps the fairs' read model.
pub struct FairsProjection;

impl Projection for FairsProjection {
    fn name(&self) -> &str {
        PROJECTION
    }

    fn filter(&self) -> EventFilter {
        EventFilter::stream_prefixes(["fair-", "employer-", "referral-"])
    }

    fn migrate(&mut self, transaction: &Transaction<'_>) -> rusqlite::Result<()> {
        transaction.execute_batch(
            "CREATE TABLE IF NOT EXISTS fairs (
                id TEXT PRIMARY KEY,
                office TEXT NOT NULL,
                region TEXT NOT NULL,
                kind TEXT NOT NULL,
                audience TEXT NOT NULL,
                starts_at TEXT NOT NULL,
                ends_at TEXT NOT NULL,
                cancelled INTEGER NOT NULL DEFAULT 0,
                details TEXT NOT NULL,
                revision INTEGER NOT NULL
            ) WITHOUT ROWID;
            CREATE INDEX IF NOT EXISTS fairs_by_start ON fairs (starts_at, id);
            CREATE TABLE IF NOT EXISTS employer_names (
                employer_id TEXT PRIMARY KEY,
                name TEXT NOT NULL
            ) WITHOUT ROWID;
            CREATE TABLE IF NOT EXISTS fair_referrals (
                referral_id TEXT PRIMARY KEY,
                fair_id TEXT NOT NULL,
                employer_id TEXT NOT NULL,
                vacancy_id TEXT NOT NULL,
                referred_at TEXT NOT NULL,
                outcome TEXT,
                outcome_date TEXT
            ) WITHOUT ROWID;
            CREATE INDEX IF NOT EXISTS fair_referrals_by_fair ON fair_referrals (fair_id, employer_id);",
        )
    }

    fn apply(
        &mut self,
        transaction: &Transaction<'_>,
        event: &StoredEvent,
    ) -> Result<(), ProjectionError> {
        match &event.event {
            Event::Fair(fair_event) => apply_fair(transaction, fair_event, event),
            Event::Employer(EmployerEvent::Registered(registered)) => {
                transaction.execute(
                    "INSERT OR REPLACE INTO employer_names (employer_id, name) VALUES (?1, ?2)",
                    params![registered.employer_id.to_string(), registered.name.as_str()],
                )?;
                Ok(())
            }
            Event::Referral(ReferralEvent::Made(made)) => {
                let Some(fair_id) = made.fair_id else {
                    return Ok(());
                };
                transaction.execute(
                    "INSERT OR IGNORE INTO fair_referrals
                        (referral_id, fair_id, employer_id, vacancy_id, referred_at)
                     VALUES (?1, ?2, ?3, ?4, ?5)",
                    params![
                        made.referral_id.to_string(),
                        fair_id.to_string(),
                        made.employer_id.to_string(),
                        made.vacancy_id.to_string(),
                        rfc3339_millis(made.referred_at),
                    ],
                )?;
                Ok(())
            }
            Event::Referral(ReferralEvent::OutcomeRecorded(recorded)) => {
                transaction.execute(
                    "UPDATE fair_referrals SET outcome = ?2, outcome_date = ?3 WHERE referral_id = ?1",
                    params![
                        recorded.referral_id.to_string(),
                        recorded.outcome.as_str(),
                        recorded.date.to_string(),
                    ],
                )?;
                Ok(())
            }
            _ => Ok(()),
        }
    }
}

fn apply_fair(
    transaction: &Transaction<'_>,
    fair_event: &FairEvent,
    event: &StoredEvent,
) -> Result<(), ProjectionError> {
    match fair_event {
        FairEvent::Scheduled(scheduled) => {
            let details = details_json(&scheduled.details, event)?;
            transaction.execute(
                "INSERT OR REPLACE INTO fairs
                    (id, office, region, kind, audience, starts_at, ends_at, cancelled, details, revision)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 0, ?8, ?9)",
                params![
                    scheduled.fair_id.to_string(),
                    scheduled.office.as_str(),
                    scheduled.details.region.as_str(),
                    scheduled.details.kind.as_str(),
                    audience_column(&scheduled.details),
                    rfc3339_millis(scheduled.details.starts_at),
                    rfc3339_millis(scheduled.details.ends_at),
                    details,
                    event.revision,
                ],
            )?;
        }
        FairEvent::Amended(amended) => {
            let details = details_json(&amended.details, event)?;
            transaction.execute(
                "UPDATE fairs SET region = ?2, kind = ?3, audience = ?4, starts_at = ?5,
                    ends_at = ?6, details = ?7, revision = ?8 WHERE id = ?1",
                params![
                    amended.fair_id.to_string(),
                    amended.details.region.as_str(),
                    amended.details.kind.as_str(),
                    audience_column(&amended.details),
                    rfc3339_millis(amended.details.starts_at),
                    rfc3339_millis(amended.details.ends_at),
                    details,
                    event.revision,
                ],
            )?;
        }
        FairEvent::Cancelled(cancelled) => {
            transaction.execute(
                "UPDATE fairs SET cancelled = 1, revision = ?2 WHERE id = ?1",
                params![cancelled.fair_id.to_string(), event.revision],
            )?;
        }
        _ => {
            transaction.execute(
                "UPDATE fairs SET revision = ?2 WHERE id = ?1",
                params![
                    event.stream.strip_prefix("fair-").unwrap_or_default(),
                    event.revision
                ],
            )?;
        }
    }
    Ok(())
}

fn details_json(details: &FairDetails, event: &StoredEvent) -> Result<String, ProjectionError> {
    serde_json::to_string(details).map_err(|error| ProjectionError::Apply {
        projection: PROJECTION.to_owned(),
        event_id: event.id,
        reason: error.to_string(),
    })
}

/// `,graduate,laid_off,` (each category between commas, so that a
/// `LIKE '%,graduate,%'` finds it), or empty for a fair for everyone.
fn audience_column(details: &FairDetails) -> String {
    if details.audience.is_empty() {
        return String::new();
    }
    let names: Vec<&str> = details.audience.iter().map(|c| c.as_str()).collect();
    format!(",{},", names.join(","))
}

/// The calendar's filters.
#[derive(Debug, Clone)]
pub struct CalendarQuery {
    /// Fairs in this division's scope.
    pub region: Option<DivisionCode>,
    /// Fairs still open at or after this moment.
    pub from: DateTime<Utc>,
    /// Fairs starting before this moment.
    pub to: Option<DateTime<Utc>>,
    /// Fairs for this group (and fairs for everyone).
    pub audience: Option<JobSeekerCategory>,
    /// Fairs of this kind (`onsite`, `online`).
    pub kind: Option<String>,
    /// Page size.
    pub limit: u32,
    /// After this (`starts_at`, id), in the calendar's order.
    pub after: Option<ListKey>,
    /// Now, for each fair's status.
    pub now: DateTime<Utc>,
}

/// The fairs of the calendar in order of their start (ties by id), one
/// more than the page to tell whether another follows.
pub fn calendar(
    connection: &Connection,
    query: &CalendarQuery,
) -> rusqlite::Result<Vec<FairSummary>> {
    let region = query
        .region
        .as_ref()
        .map(|code| format!("{}%", code.scope_prefix()));
    let audience = query
        .audience
        .map(|category| format!("%,{},%", category.as_str()));
    let (after_start, after_id) = query.after.as_ref().map_or((None, None), |key| {
        (Some(key.at.clone()), Some(key.id.clone()))
    });
    let mut statement = connection.prepare_cached(
        "SELECT id, office, cancelled, details, revision FROM fairs
         WHERE ends_at > ?1
           AND (?2 IS NULL OR starts_at < ?2)
           AND (?3 IS NULL OR region LIKE ?3)
           AND (?4 IS NULL OR audience = '' OR audience LIKE ?4)
           AND (?5 IS NULL OR kind = ?5)
           AND (?6 IS NULL OR (starts_at, id) > (?6, ?7))
         ORDER BY starts_at, id
         LIMIT ?8",
    )?;
    let rows = statement.query_map(
        params![
            rfc3339_millis(query.from),
            query.to.map(rfc3339_millis),
            region,
            audience,
            query.kind,
            after_start,
            after_id,
            i64::from(query.limit) + 1,
        ],
        |row| {
            let id: String = row.get(0)?;
            let office: String = row.get(1)?;
            let cancelled: bool = row.get(2)?;
            let details: String = row.get(3)?;
            let revision: u64 = row.get(4)?;
            Ok((id, office, cancelled, details, revision))
        },
    )?;
    let mut fairs = Vec::new();
    for row in rows {
        let (id, office, cancelled, details, revision) = row?;
        let details: FairDetails = serde_json::from_str(&details).map_err(|error| {
            rusqlite::Error::FromSqlConversionFailure(3, rusqlite::types::Type::Text, error.into())
        })?;
        let status = if cancelled {
            FairStatus::Cancelled
        } else if query.now < details.starts_at {
            FairStatus::Scheduled
        } else if query.now < details.ends_at {
            FairStatus::UnderWay
        } else {
            FairStatus::Ended
        };
        fairs.push(FairSummary::new(&id, &office, &details, status, revision));
    }
    Ok(fairs)
}

/// The registered names of `employers` that the read model knows.
pub fn employer_names(
    connection: &Connection,
    employers: &[EmployerId],
) -> rusqlite::Result<Vec<(EmployerId, String)>> {
    let mut statement =
        connection.prepare_cached("SELECT name FROM employer_names WHERE employer_id = ?1")?;
    let mut names = Vec::new();
    for employer in employers {
        let name: Option<String> = statement
            .query_row([employer.to_string()], |row| row.get(0))
            .optional()?;
        if let Some(name) = name {
            names.push((*employer, name));
        }
    }
    Ok(names)
}

/// A referral from a fair, as the results count it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FairReferral {
    /// To whose vacancy.
    pub employer_id: String,
    /// How it ended, once it has.
    pub outcome: Option<ReferralOutcome>,
    /// The outcome's day.
    pub outcome_date: Option<NaiveDate>,
}

/// Every referral that names `fair`.
pub fn fair_referrals(
    connection: &Connection,
    fair: FairId,
) -> rusqlite::Result<Vec<FairReferral>> {
    let mut statement = connection.prepare_cached(
        "SELECT employer_id, outcome, outcome_date FROM fair_referrals WHERE fair_id = ?1",
    )?;
    let rows = statement.query_map([fair.to_string()], |row| {
        let employer_id: String = row.get(0)?;
        let outcome: Option<String> = row.get(1)?;
        let outcome_date: Option<String> = row.get(2)?;
        Ok(FairReferral {
            employer_id,
            outcome: outcome.as_deref().and_then(outcome_of),
            outcome_date: outcome_date.and_then(|date| date.parse().ok()),
        })
    })?;
    rows.collect()
}

fn outcome_of(text: &str) -> Option<ReferralOutcome> {
    [
        ReferralOutcome::Hired,
        ReferralOutcome::Rejected,
        ReferralOutcome::NoShow,
        ReferralOutcome::Withdrawn,
    ]
    .into_iter()
    .find(|outcome| outcome.as_str() == text)
}
