//! The referral lists: a read model of every referral, written from its
//! state as the domain folds it ([`StateView`]) — so that a new referral
//! event is taught once, in the domain — and queried with keyset paging
//! (newest referral first, ties by id). Each row keeps the state itself,
//! and answers it through the same [`ReferralView`] a referral read by id
//! is answered with, beside the columns lists filter and sort by.
//!
//! What it needs of job seekers is their office: a referral is listed to
//! the office staff whose scope covers the job seeker's office. It takes
//! it from the referral's own events, whose metadata `office` is the
//! office of the record they belong to — for a referral the job seeker's,
//! which the service writes on every referral event and which never
//! changes after registration. No projection of job-seeker registrations
//! is kept for it: that would cost this read model a write for every
//! registration (most never referred), and a second source for a code
//! each referral already carries. An event written without an office
//! leaves it empty; such a referral is listed to the province and to its
//! employer only.

use labex_app::ListKey;
use labex_domain::PersonalField;
use labex_domain::referral::{OpenReferral, Referral};
use labex_domain::{EmployerId, JobSeekerId, ReferralId, VacancyId};
use labex_eventsourcing::{
    Keyring, ProjectionError, StateView, StoredEvent, open_state, seal_state,
};
use rusqlite::{Connection, OptionalExtension, Transaction, params};

use crate::views::{ReferralStatus, ReferralView, timestamp};

/// The projection's name (its checkpoint's key).
pub const PROJECTION: &str = "referral-list";

/// The notes of a referral: the job seeker's personal data, kept sealed
/// under their key in the rows and the kept states, so that erasing the
/// job seeker (an event of their stream, which this view does not follow)
/// makes them unreadable here too.
const NOTES: &[PersonalField] = &[
    PersonalField {
        field: "note",
        subject: "jobseeker_id",
    },
    PersonalField {
        field: "conclusion.note",
        subject: "jobseeker_id",
    },
];

/// What the rows' envelopes are bound to.
const STATE_LABEL: &str = "rows/referral-list";

/// Keeps the `referrals` table.
pub struct ReferralList;

impl StateView for ReferralList {
    type State = Referral;

    fn name(&self) -> &str {
        PROJECTION
    }

    /// 3: the kept states and rows hold the notes sealed (2 held them in
    /// plaintext; 1 was written event by event, beside an unused table of
    /// job seekers' offices).
    fn version(&self) -> u32 {
        3
    }

    fn migrate(&mut self, transaction: &Transaction<'_>, rebuild: bool) -> rusqlite::Result<()> {
        if rebuild {
            transaction.execute_batch(
                "DROP TABLE IF EXISTS referrals;
                DROP TABLE IF EXISTS jobseeker_offices;",
            )?;
        }
        transaction.execute_batch(
            "CREATE TABLE IF NOT EXISTS referrals (
                id TEXT PRIMARY KEY,
                jobseeker_id TEXT NOT NULL,
                vacancy_id TEXT NOT NULL,
                employer_id TEXT NOT NULL,
                office TEXT,
                referred_at TEXT NOT NULL,
                status TEXT NOT NULL,
                revision INTEGER NOT NULL,
                state TEXT NOT NULL
            ) WITHOUT ROWID;
            CREATE INDEX IF NOT EXISTS referrals_by_time ON referrals (referred_at, id);
            CREATE INDEX IF NOT EXISTS referrals_by_jobseeker ON referrals (jobseeker_id, status);
            CREATE INDEX IF NOT EXISTS referrals_by_vacancy ON referrals (vacancy_id, referred_at, id);
            CREATE INDEX IF NOT EXISTS referrals_by_employer ON referrals (employer_id, referred_at, id);",
        )
    }

    fn personal_fields(&self) -> &'static [PersonalField] {
        NOTES
    }

    fn write(
        &mut self,
        transaction: &Transaction<'_>,
        referral: &Referral,
        event: &StoredEvent,
    ) -> Result<(), ProjectionError> {
        let state =
            seal_state(Keyring::process(), STATE_LABEL, NOTES, referral).map_err(|error| {
                ProjectionError::Apply {
                    projection: PROJECTION.to_owned(),
                    event_id: event.id,
                    reason: format!("state not sealed: {error}"),
                }
            })?;
        // The office comes with the referral's first event and stays.
        transaction
            .prepare_cached(
                "INSERT INTO referrals
                    (id, jobseeker_id, vacancy_id, employer_id, office, referred_at, status,
                     revision, state)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
                 ON CONFLICT (id) DO UPDATE SET
                    office = coalesce(referrals.office, excluded.office),
                    status = excluded.status, revision = excluded.revision,
                    state = excluded.state",
            )?
            .execute(params![
                referral.id.to_string(),
                referral.jobseeker_id.to_string(),
                referral.vacancy_id.to_string(),
                referral.employer_id.to_string(),
                event.metadata.office.as_ref().map(|office| office.as_str()),
                timestamp(referral.referred_at),
                ReferralStatus::of(referral).as_str(),
                event.revision as i64,
                state,
            ])?;
        Ok(())
    }
}

/// The office of the job seeker a referral refers, if the lists hold the
/// referral with one.
pub fn office_of(
    connection: &Connection,
    referral_id: ReferralId,
) -> rusqlite::Result<Option<String>> {
    connection
        .query_row(
            "SELECT office FROM referrals WHERE id = ?1",
            [referral_id.to_string()],
            |row| row.get(0),
        )
        .optional()
        .map(Option::flatten)
}

/// The job seeker's referrals still awaiting an outcome.
pub fn open_referrals(
    connection: &Connection,
    jobseeker_id: JobSeekerId,
) -> rusqlite::Result<Vec<OpenReferral>> {
    let mut statement = connection.prepare_cached(
        "SELECT id, vacancy_id FROM referrals WHERE jobseeker_id = ?1 AND status = ?2",
    )?;
    let rows = statement.query_map(
        params![jobseeker_id.to_string(), ReferralStatus::Open.as_str()],
        |row| {
            let referral_id: String = row.get(0)?;
            let vacancy_id: String = row.get(1)?;
            Ok((referral_id, vacancy_id))
        },
    )?;
    let mut open = Vec::new();
    for row in rows {
        let (referral_id, vacancy_id) = row?;
        // The view writes only ids it read from states.
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

/// What a list asks for.
#[derive(Debug, Clone)]
pub struct ListQuery {
    pub visibility: Visibility,
    pub vacancy_id: Option<VacancyId>,
    pub jobseeker_id: Option<JobSeekerId>,
    pub status: Option<ReferralStatus>,
    /// Only referrals after this key (the previous page's last): its
    /// moment is a `referred_at` as stored.
    pub after: Option<ListKey>,
    pub limit: u32,
}

/// One page, newest first, and one more item when more follow; each with
/// its `referred_at` as stored (the paging key's moment).
pub fn list(
    connection: &Connection,
    query: &ListQuery,
) -> rusqlite::Result<Vec<(String, ReferralView)>> {
    let (office_prefix, employer_id) = match &query.visibility {
        Visibility::All => (None, None),
        Visibility::OfficeScope(prefix) => (Some(format!("{prefix}%")), None),
        Visibility::Employer(employer_id) => (None, Some(employer_id.to_string())),
    };
    let (after_time, after_id) = match &query.after {
        Some(key) => (Some(key.at.as_str()), Some(key.id.as_str())),
        None => (None, None),
    };
    let mut statement = connection.prepare_cached(
        "SELECT state, revision, referred_at
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
            query.status.map(ReferralStatus::as_str),
            after_time,
            after_id,
            i64::from(query.limit) + 1,
        ],
        |row| {
            let state: String = row.get(0)?;
            let revision: i64 = row.get(1)?;
            let referral: Referral =
                open_state(Keyring::process(), STATE_LABEL, &state).map_err(|error| {
                    rusqlite::Error::FromSqlConversionFailure(
                        0,
                        rusqlite::types::Type::Text,
                        error.into(),
                    )
                })?;
            let referred_at: String = row.get(2)?;
            Ok((
                referred_at,
                ReferralView::new(&referral, revision.max(0) as u64),
            ))
        },
    )?;
    rows.collect()
}

#[cfg(test)]
mod tests {
    use labex_eventsourcing::{Projection, StateProjection, read_checkpoint};

    use super::*;

    #[test]
    fn lists_written_event_by_event_are_rebuilt_from_the_store() {
        let mut connection = Connection::open_in_memory().unwrap();
        connection
            .execute_batch(
                "CREATE TABLE referrals (
                    id TEXT PRIMARY KEY, jobseeker_id TEXT NOT NULL, vacancy_id TEXT NOT NULL,
                    employer_id TEXT NOT NULL, office TEXT, note TEXT, referred_at TEXT NOT NULL,
                    status TEXT NOT NULL, outcome TEXT, outcome_date TEXT, outcome_note TEXT,
                    revision INTEGER NOT NULL
                ) WITHOUT ROWID;
                CREATE TABLE jobseeker_offices (id TEXT PRIMARY KEY, office TEXT NOT NULL);
                INSERT INTO referrals VALUES ('a', 'j', 'v', 'e', '410105', NULL, 'x', 'open',
                    NULL, NULL, NULL, 0);",
            )
            .unwrap();
        assert_eq!(read_checkpoint(&connection, PROJECTION).unwrap(), None);
        connection
            .execute(
                "INSERT INTO labex_checkpoints VALUES (?1, 42, 42, 'then')",
                [PROJECTION],
            )
            .unwrap();

        let mut projection = StateProjection::new(ReferralList);
        let transaction = connection.transaction().unwrap();
        projection.migrate(&transaction).unwrap();
        transaction.commit().unwrap();
        let rows: i64 = connection
            .query_row("SELECT count(*) FROM referrals", [], |row| row.get(0))
            .unwrap();
        assert_eq!(rows, 0, "the old rows are gone, to be rebuilt");
        let old_table: i64 = connection
            .query_row(
                "SELECT count(*) FROM sqlite_master WHERE name = 'jobseeker_offices'",
                [],
                |row| row.get(0),
            )
            .unwrap();
        assert_eq!(old_table, 0);
        assert_eq!(read_checkpoint(&connection, PROJECTION).unwrap(), None);
    }
}
