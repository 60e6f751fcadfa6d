//! The offices' lists of employers: a read model of every registered
//! employer, written from each employer's state as the domain folds it
//! ([`StateView`]), and queried by office scope, newest registration first
//! (ties by id) with keyset paging.

use labex_app::ListKey;
use labex_domain::employer::Employer;
use labex_domain::rfc3339_millis;
use labex_domain::value::DivisionCode;
use labex_eventsourcing::{ProjectionError, StateView, StoredEvent};
use rusqlite::{Connection, Transaction, params};

use crate::views::EmployerSummary;

/// The projection's name (its checkpoint's key).
pub const PROJECTION: &str = "employer-list";

/// Keeps the `employers` table.
pub struct EmployerList;

impl StateView for EmployerList {
    type State = Employer;

    fn name(&self) -> &str {
        PROJECTION
    }

    fn version(&self) -> u32 {
        1
    }

    fn migrate(&mut self, transaction: &Transaction<'_>, rebuild: bool) -> rusqlite::Result<()> {
        if rebuild {
            transaction.execute_batch("DROP TABLE IF EXISTS employers;")?;
        }
        transaction.execute_batch(
            "CREATE TABLE IF NOT EXISTS employers (
                id TEXT PRIMARY KEY,
                name TEXT NOT NULL,
                credit_code TEXT NOT NULL,
                region TEXT NOT NULL,
                industry TEXT NOT NULL,
                registered_at TEXT NOT NULL
            ) WITHOUT ROWID;
            CREATE INDEX IF NOT EXISTS employers_newest ON employers (registered_at, id);",
        )
    }

    fn write(
        &mut self,
        transaction: &Transaction<'_>,
        employer: &Employer,
        event: &StoredEvent,
    ) -> Result<(), ProjectionError> {
        // The first event of an employer is its registration: its moment
        // is when it registered, and stays.
        let registered_at = rfc3339_millis(event.metadata.at_or(event.created));
        transaction
            .prepare_cached(
                "INSERT INTO employers (id, name, credit_code, region, industry, registered_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                 ON CONFLICT (id) DO UPDATE SET
                    name = excluded.name, credit_code = excluded.credit_code,
                    region = excluded.region, industry = excluded.industry",
            )?
            .execute(params![
                employer.id.to_string(),
                employer.name.as_str(),
                employer.credit_code.as_str(),
                employer.region.as_str(),
                employer.industry.as_str(),
                registered_at,
            ])?;
        Ok(())
    }
}

/// What a list asks for.
#[derive(Debug, Clone)]
pub struct ListQuery {
    /// Employers registered within this office's scope.
    pub office: DivisionCode,
    /// Only those after this key (the previous page's last).
    pub after: Option<ListKey>,
    /// How many at most.
    pub limit: u32,
}

/// The paging key of a listed employer.
pub fn key_of(item: &EmployerSummary) -> ListKey {
    ListKey::new(item.registered_at.clone(), item.id.clone())
}

/// One page, newest first, and one more item when more follow.
pub fn list(connection: &Connection, query: &ListQuery) -> rusqlite::Result<Vec<EmployerSummary>> {
    let prefix = format!("{}%", query.office.scope_prefix());
    let (after_at, after_id) = match &query.after {
        Some(key) => (Some(key.at.as_str()), Some(key.id.as_str())),
        None => (None, None),
    };
    let mut statement = connection.prepare_cached(
        "SELECT id, name, credit_code, region, industry, registered_at
         FROM employers
         WHERE region LIKE ?1
           AND (?2 IS NULL OR registered_at < ?2 OR (registered_at = ?2 AND id < ?3))
         ORDER BY registered_at DESC, id DESC
         LIMIT ?4",
    )?;
    let rows = statement.query_map(
        params![prefix, after_at, after_id, i64::from(query.limit) + 1],
        |row| {
            Ok(EmployerSummary {
                id: row.get(0)?,
                name: row.get(1)?,
                credit_code: row.get(2)?,
                region: row.get(3)?,
                industry: row.get(4)?,
                registered_at: row.get(5)?,
            })
        },
    )?;
    rows.collect()
}
