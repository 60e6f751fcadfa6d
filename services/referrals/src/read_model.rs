//! The referral lists: a read model of every referral (who, to which
//! vacancy of which employer, in which office, open or how it ended), kept
//! by a projection of the referral events and queried with keyset paging
//! (newest referral first).
//!
//! A referral's office is the office of the job seeker referred: the
//! office its `ReferralMade` event was written for (the service writes it
//! with the job seeker's office). Job-seeker registrations are not
//! followed: every registration would otherwise cost this read model a
//! write, for an office the referral's own metadata already carries.

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use labex_domain::Event;
use labex_domain::referral::{OpenReferral, ReferralEvent};
use labex_domain::{EmployerId, JobSeekerId, ReferralId, VacancyId};
use labex_eventsourcing::{EventFilter, Projection, ProjectionError, StoredEvent};
use rusqlite::{Connection, OptionalExtension, Transaction, params};

use crate::views::{OutcomeView, ReferralView};

/// The projection's name (its checkpoint's key).
pub const PROJECTION: &str = "referral-list";

/// The event types it follows.
pub const EVENT_TYPES: [&str; 2] = ["ReferralMade", "ReferralOutcomeRecorded"];

/// The `status` of a referral awaiting its outcome.
pub const OPEN: &str = "open";
/// The `status` of a referral that ended.
pub const CONCLUDED: &str = "concluded";

/// Keeps the `referrals` and `jobseeker_offices` tables.
pub struct ReferralList;

impl Projection for ReferralList {
    fn name(&self) -> &str {
        PROJECTION
    }

    fn filter(&self) -> EventFilter {
        EventFilter::event_types(EVENT_TYPES)
    }

    fn migrate(&mut self, transaction: &Transaction<'_>) -> rusqlite::Result<()> {
        migrate(transaction)
    }

    fn apply(
        &mut self,
        transaction: &Transaction<'_>,
        stored: &StoredEvent,
    ) -> Result<(), ProjectionError> {
        match &stored.event {
            Event::Referral(ReferralEvent::Made(made)) => {
                let jobseeker_id = made.jobseeker_id.to_string();
                let office = match &stored.metadata.office {
                    Some(office) => Some(office.as_str().to_owned()),
                    None => jobseeker_office_in(transaction, &jobseeker_id)?,
                };
                transaction
                    .prepare_cached(
                        "INSERT OR REPLACE INTO referrals
                        (id, jobseeker_id, vacancy_id, employer_id, office, note, referred_at,
                         status, outcome, outcome_date, outcome_note, revision)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, NULL, NULL, NULL, ?9)",
                    )?
                    .execute(params![
                        made.referral_id.to_string(),
                        jobseeker_id,
                        made.vacancy_id.to_string(),
                        made.employer_id.to_string(),
                        office,
                        made.note.as_ref().map(|note| note.as_str()),
                        timestamp(made.referred_at),
                        OPEN,
                        stored.revision as i64,
                    ])?;
            }
            Event::Referral(ReferralEvent::OutcomeRecorded(recorded)) => {
                transaction
                    .prepare_cached(
                        "UPDATE referrals
                     SET status = ?2, outcome = ?3, outcome_date = ?4, outcome_note = ?5,
                         revision = ?6
                     WHERE id = ?1",
                    )?
                    .execute(params![
                        recorded.referral_id.to_string(),
                        CONCLUDED,
                        recorded.outcome.as_str(),
                        recorded.date.format("%Y-%m-%d").to_string(),
                        recorded.note.as_ref().map(|note| note.as_str()),
                        stored.revision as i64,
                    ])?;
            }
            _ => {}
        }
        Ok(())
    }
}

/// A moment as the API writes it and the read model sorts it: RFC 3339 in
/// UTC with microseconds, so that the text orders as the time does.
pub fn timestamp(moment: DateTime<Utc>) -> String {
    moment.to_rfc3339_opts(SecondsFormat::Micros, true)
}

/// Creates the tables if missing.
pub fn migrate(connection: &Connection) -> rusqlite::Result<()> {
    connection.execute_batch(
        "CREATE TABLE IF NOT EXISTS referrals (
            id TEXT PRIMARY KEY,
            jobseeker_id TEXT NOT NULL,
            vacancy_id TEXT NOT NULL,
            employer_id TEXT NOT NULL,
            office TEXT,
            note TEXT,
            referred_at TEXT NOT NULL,
            status TEXT NOT NULL,
            outcome TEXT,
            outcome_date TEXT,
            outcome_note TEXT,
            revision INTEGER NOT NULL
        ) WITHOUT ROWID;
        CREATE INDEX IF NOT EXISTS referrals_by_time ON referrals (referred_at, id);
        CREATE INDEX IF NOT EXISTS referrals_by_jobseeker ON referrals (jobseeker_id, status);
        CREATE INDEX IF NOT EXISTS referrals_by_vacancy ON referrals (vacancy_id, referred_at, id);
        CREATE INDEX IF NOT EXISTS referrals_by_employer ON referrals (employer_id, referred_at, id);
        CREATE TABLE IF NOT EXISTS jobseeker_offices (
            id TEXT PRIMARY KEY,
            office TEXT NOT NULL
        ) WITHOUT ROWID;",
    )
}

fn jobseeker_office_in(
    connection: &Connection,
    jobseeker_id: &str,
) -> rusqlite::Result<Option<String>> {
    connection
        .query_row(
            "SELECT office FROM jobseeker_offices WHERE id = ?1",
            [jobseeker_id],
            |row| row.get(0),
        )
        .optional()
}

/// The office a job seeker was registered by, if the read model has seen
/// the registration.
pub fn jobseeker_office(
    connection: &Connection,
    jobseeker_id: JobSeekerId,
) -> rusqlite::Result<Option<String>> {
    jobseeker_office_in(connection, &jobseeker_id.to_string())
}

/// The job seeker's referrals still awaiting an outcome.
pub fn open_referrals(
    connection: &Connection,
    jobseeker_id: JobSeekerId,
) -> rusqlite::Result<Vec<OpenReferral>> {
    let mut statement = connection.prepare_cached(
        "SELECT id, vacancy_id FROM referrals WHERE jobseeker_id = ?1 AND status = ?2",
    )?;
    let rows = statement.query_map(params![jobseeker_id.to_string(), OPEN], |row| {
        let referral_id: String = row.get(0)?;
        let vacancy_id: String = row.get(1)?;
        Ok((referral_id, vacancy_id))
    })?;
    let mut open = Vec::new();
    for row in rows {
        let (referral_id, vacancy_id) = row?;
        // The projection writes only ids it read from events.
        if let (Ok(referral_id), Ok(vacancy_id)) = (
            ReferralId::parse(&referral_id),
            VacancyId::parse(&vacancy_id),
        ) {
            open.push(OpenReferral {
                referral_id,
                vacancy_id,
            });
        }
    }
    Ok(open)
}

/// Whose referrals a list may show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Visibility {
    /// Every referral (the province).
    All,
    /// Those of job seekers registered within an office's scope: the
    /// office codes starting with this prefix.
    OfficeScope(String),
    /// Those to one employer.
    Employer(EmployerId),
}

/// The last item of a page, where the next one starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct After {
    /// Its `referred_at`, as stored.
    pub referred_at: String,
    /// Its id.
    pub id: String,
}

impl After {
    /// The cursor's text: `<referred_at>|<id>`.
    pub fn position(&self) -> String {
        format!("{}|{}", self.referred_at, self.id)
    }

    /// Reads a cursor's text written by [`position`](Self::position).
    pub fn parse(position: &str) -> Option<Self> {
        let (referred_at, id) = position.split_once('|')?;
        DateTime::parse_from_rfc3339(referred_at).ok()?;
        ReferralId::parse(id).ok()?;
        Some(Self {
            referred_at: referred_at.to_owned(),
            id: id.to_owned(),
        })
    }
}

/// What a list asks for.
#[derive(Debug, Clone)]
pub struct ListQuery {
    pub visibility: Visibility,
    pub vacancy_id: Option<VacancyId>,
    pub jobseeker_id: Option<JobSeekerId>,
    /// [`OPEN`] or [`CONCLUDED`].
    pub status: Option<&'static str>,
    /// Only referrals before this one (the previous page's last).
    pub after: Option<After>,
    pub limit: u32,
}

/// One page, newest first, and where the next starts if more follow.
pub fn list(
    connection: &Connection,
    query: &ListQuery,
) -> rusqlite::Result<(Vec<ReferralView>, Option<After>)> {
    let (office_prefix, employer_id) = match &query.visibility {
        Visibility::All => (None, None),
        Visibility::OfficeScope(prefix) => (Some(format!("{prefix}%")), None),
        Visibility::Employer(employer_id) => (None, Some(employer_id.to_string())),
    };
    let (after_time, after_id) = query
        .after
        .as_ref()
        .map(|after| (after.referred_at.clone(), after.id.clone()))
        .unzip();
    let mut statement = connection.prepare_cached(
        "SELECT id, jobseeker_id, vacancy_id, employer_id, note, referred_at, status,
                outcome, outcome_date, outcome_note, revision
         FROM referrals
         WHERE (?1 IS NULL OR office LIKE ?1)
           AND (?2 IS NULL OR employer_id = ?2)
           AND (?3 IS NULL OR vacancy_id = ?3)
           AND (?4 IS NULL OR jobseeker_id = ?4)
           AND (?5 IS NULL OR status = ?5)
           AND (?6 IS NULL OR referred_at < ?6 OR (referred_at = ?6 AND id < ?7))
         ORDER BY referred_at DESC, id DESC
         LIMIT ?8",
    )?;
    let rows = statement.query_map(
        params![
            office_prefix,
            employer_id,
            query.vacancy_id.map(|id| id.to_string()),
            query.jobseeker_id.map(|id| id.to_string()),
            query.status,
            after_time,
            after_id,
            i64::from(query.limit) + 1,
        ],
        view_of_row,
    )?;
    let mut items = rows.collect::<rusqlite::Result<Vec<_>>>()?;
    let more = items.len() > query.limit as usize;
    items.truncate(query.limit as usize);
    let next = more
        .then(|| {
            items.last().map(|last| After {
                referred_at: last.referred_at.clone(),
                id: last.id.clone(),
            })
        })
        .flatten();
    Ok((items, next))
}

fn view_of_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<ReferralView> {
    let outcome: Option<String> = row.get(7)?;
    let outcome_date: Option<String> = row.get(8)?;
    let outcome = match (outcome, outcome_date) {
        (Some(outcome), Some(date)) => Some(OutcomeView {
            outcome,
            date: NaiveDate::parse_from_str(&date, "%Y-%m-%d").map_err(|error| {
                rusqlite::Error::FromSqlConversionFailure(
                    8,
                    rusqlite::types::Type::Text,
                    Box::new(error),
                )
            })?,
            note: row.get(9)?,
        }),
        _ => None,
    };
    let revision: i64 = row.get(10)?;
    Ok(ReferralView {
        id: row.get(0)?,
        jobseeker_id: row.get(1)?,
        vacancy_id: row.get(2)?,
        employer_id: row.get(3)?,
        note: row.get(4)?,
        referred_at: row.get(5)?,
        status: row.get(6)?,
        outcome,
        revision: revision.max(0) as u64,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_reject_what_was_not_issued() {
        let after = After {
            referred_at: "2026-11-28T06:00:00.123456Z".to_owned(),
            id: "0190f5a8-3c1e-7d2a-9b4f-0123456789ab".to_owned(),
        };
        assert_eq!(After::parse(&after.position()), Some(after));
        assert_eq!(
            After::parse("yesterday|0190f5a8-3c1e-7d2a-9b4f-0123456789ab"),
            None
        );
        assert_eq!(After::parse("2026-11-28T06:00:00Z|42"), None);
        assert_eq!(After::parse("no separator"), None);
    }

    #[test]
    fn timestamps_sort_as_text_in_time_order() {
        let earlier: DateTime<Utc> = "2026-11-28T06:00:00.9Z".parse().unwrap();
        let later: DateTime<Utc> = "2026-11-28T06:00:01Z".parse().unwrap();
        assert_eq!(timestamp(later), "2026-11-28T06:00:01.000000Z");
        assert!(timestamp(earlier) < timestamp(later));
    }
}
