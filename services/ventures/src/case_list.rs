//! The one-stop cases' read model, written from each case's state as the
//! domain folds it ([`StateView`]): a row per case — the person's
//! job-seeker id, the office, the stage reached, the business's start and
//! the end of its follow-up — that staff list by office, person or stage
//! (those in follow-up on a day: what counsellors visit) and a person
//! lists for themself.

use labex_app::ListKey;
use labex_domain::rfc3339_millis;
use labex_domain::venture_case::VentureCase;
use labex_eventsourcing::{ProjectionError, StateView, StoredEvent};
use rusqlite::{Connection, Transaction, params};

/// The projection's name (its checkpoint's key).
pub const PROJECTION: &str = "venture-case-list";

/// The read model's database file in the service's folder.
pub const CASES_FILE: &str = "cases.sqlite";

/// Keeps the `cases` table.
pub struct CaseList;

impl StateView for CaseList {
    type State = VentureCase;

    fn name(&self) -> &str {
        PROJECTION
    }

    fn version(&self) -> u32 {
        1
    }

    fn migrate(&mut self, transaction: &Transaction<'_>, rebuild: bool) -> rusqlite::Result<()> {
        if rebuild {
            transaction.execute_batch("DROP TABLE IF EXISTS cases;")?;
        }
        transaction.execute_batch(
            "CREATE TABLE IF NOT EXISTS cases (
                seq INTEGER PRIMARY KEY,
                id TEXT NOT NULL UNIQUE,
                jobseeker_id TEXT NOT NULL,
                office TEXT NOT NULL,
                stage TEXT NOT NULL,
                opened_at TEXT NOT NULL,
                started_on TEXT,
                follow_up_until TEXT,
                follow_ups INTEGER NOT NULL
            );
            CREATE INDEX IF NOT EXISTS cases_person ON cases (jobseeker_id, opened_at, id);
            CREATE INDEX IF NOT EXISTS cases_opened ON cases (opened_at, id);",
        )
    }

    fn write(
        &mut self,
        transaction: &Transaction<'_>,
        case: &VentureCase,
        _event: &StoredEvent,
    ) -> Result<(), ProjectionError> {
        let business = case.business.as_ref();
        transaction
            .prepare_cached(
                "INSERT INTO cases (id, jobseeker_id, office, stage, opened_at, started_on,
                    follow_up_until, follow_ups)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
                 ON CONFLICT (id) DO UPDATE SET stage = excluded.stage,
                    started_on = excluded.started_on, follow_up_until = excluded.follow_up_until,
                    follow_ups = excluded.follow_ups",
            )?
            .execute(params![
                case.id.to_string(),
                case.jobseeker_id.to_string(),
                case.office.as_str(),
                case.stage().as_str(),
                rfc3339_millis(case.opened_at),
                business.map(|business| business.started_on.to_string()),
                business.map(|business| business.follow_up_until.to_string()),
                case.follow_ups.len(),
            ])?;
        Ok(())
    }
}

/// Which cases to list.
#[derive(Debug, Clone, Default)]
pub struct CaseQuery {
    /// A person's (a job-seeker id).
    pub jobseeker_id: Option<String>,
    /// Of offices within this scope (a division code's significant digits).
    pub office_prefix: Option<String>,
    /// At this stage.
    pub stage: Option<String>,
    /// With a business started and still in follow-up on this day
    /// (`YYYY-MM-DD`).
    pub following_on: Option<String>,
}

/// One case of the list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListedCase {
    pub id: String,
    pub jobseeker_id: String,
    pub office: String,
    pub stage: String,
    pub opened_at: String,
    pub started_on: Option<String>,
    pub follow_up_until: Option<String>,
    pub follow_ups: u32,
}

/// Where a page continues after `case`.
pub fn key_of(case: &ListedCase) -> ListKey {
    ListKey::new(case.opened_at.clone(), case.id.clone())
}

/// The cases of `query` after `after`, newest opened first (ties by id),
/// `limit` and one more when more follow.
pub fn list(
    connection: &Connection,
    query: &CaseQuery,
    after: Option<&ListKey>,
    limit: u32,
) -> rusqlite::Result<Vec<ListedCase>> {
    let prefix = query
        .office_prefix
        .as_ref()
        .map(|prefix| format!("{prefix}%"));
    let mut statement = connection.prepare_cached(
        "SELECT id, jobseeker_id, office, stage, opened_at, started_on, follow_up_until, follow_ups
         FROM cases
         WHERE (?1 IS NULL OR jobseeker_id = ?1)
           AND (?2 IS NULL OR office LIKE ?2)
           AND (?3 IS NULL OR stage = ?3)
           AND (?4 IS NULL OR (started_on <= ?4 AND follow_up_until >= ?4))
           AND (?5 IS NULL OR opened_at < ?5 OR (opened_at = ?5 AND id < ?6))
         ORDER BY opened_at DESC, id DESC
         LIMIT ?7",
    )?;
    let rows = statement.query_map(
        params![
            query.jobseeker_id,
            prefix,
            query.stage,
            query.following_on,
            after.map(|key| key.at.as_str()),
            after.map(|key| key.id.as_str()),
            i64::from(limit) + 1
        ],
        |row| {
            Ok(ListedCase {
                id: row.get(0)?,
                jobseeker_id: row.get(1)?,
                office: row.get(2)?,
                stage: row.get(3)?,
                opened_at: row.get(4)?,
                started_on: row.get(5)?,
                follow_up_until: row.get(6)?,
                follow_ups: row.get(7)?,
            })
        },
    )?;
    rows.collect()
}
