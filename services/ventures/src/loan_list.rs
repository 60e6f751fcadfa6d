//! The loan register's read model, written from each loan's state as the
//! domain folds it ([`StateView`]): a row per loan — borrower, office,
//! status, amounts — that staff list by office and a borrower lists for
//! themself. No name or other personal data: the borrower is their
//! job-seeker id.

use labex_app::ListKey;
use labex_domain::loan::Loan;
use labex_domain::rfc3339_millis;
use labex_eventsourcing::{ProjectionError, StateView, StoredEvent};
use rusqlite::{Connection, Transaction, params};

/// The projection's name (its checkpoint's key).
pub const PROJECTION: &str = "loan-list";

/// The read model's database file in the service's folder.
pub const LOANS_FILE: &str = "loans.sqlite";

/// Keeps the `loans` table.
pub struct LoanList;

impl StateView for LoanList {
    type State = Loan;

    fn name(&self) -> &str {
        PROJECTION
    }

    fn version(&self) -> u32 {
        1
    }

    fn migrate(&mut self, transaction: &Transaction<'_>, rebuild: bool) -> rusqlite::Result<()> {
        if rebuild {
            transaction.execute_batch("DROP TABLE IF EXISTS loans;")?;
        }
        transaction.execute_batch(
            "CREATE TABLE IF NOT EXISTS loans (
                seq INTEGER PRIMARY KEY,
                id TEXT NOT NULL UNIQUE,
                borrower TEXT NOT NULL,
                office TEXT NOT NULL,
                status TEXT NOT NULL,
                amount_fen INTEGER NOT NULL,
                outstanding_fen INTEGER NOT NULL,
                applied_at TEXT NOT NULL,
                closed_on TEXT
            );
            CREATE INDEX IF NOT EXISTS loans_borrower ON loans (borrower, applied_at, id);
            CREATE INDEX IF NOT EXISTS loans_applied ON loans (applied_at, id);",
        )
    }

    fn write(
        &mut self,
        transaction: &Transaction<'_>,
        loan: &Loan,
        _event: &StoredEvent,
    ) -> Result<(), ProjectionError> {
        let amount = i64::try_from(loan.amount_fen.get()).unwrap_or(i64::MAX);
        let outstanding = i64::try_from(loan.outstanding_fen.get()).unwrap_or(i64::MAX);
        transaction
            .prepare_cached(
                "INSERT INTO loans (id, borrower, office, status, amount_fen, outstanding_fen,
                    applied_at, closed_on)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
                 ON CONFLICT (id) DO UPDATE SET status = excluded.status,
                    outstanding_fen = excluded.outstanding_fen, closed_on = excluded.closed_on",
            )?
            .execute(params![
                loan.id.to_string(),
                loan.borrower.to_string(),
                loan.office.as_str(),
                loan.status.as_str(),
                amount,
                outstanding,
                rfc3339_millis(loan.applied_at),
                loan.closed_on.map(|day| day.to_string()),
            ])?;
        Ok(())
    }
}

/// Which loans to list.
#[derive(Debug, Clone, Default)]
pub struct LoanQuery {
    /// A borrower's (a job-seeker id).
    pub borrower: Option<String>,
    /// Of offices within this scope (a division code's significant digits).
    pub office_prefix: Option<String>,
    /// In this status.
    pub status: Option<String>,
}

/// One loan of the register.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListedLoan {
    pub id: String,
    pub borrower: String,
    pub office: String,
    pub status: String,
    pub amount_fen: u64,
    pub outstanding_fen: u64,
    pub applied_at: String,
    pub closed_on: Option<String>,
}

/// Where a page continues after `loan`.
pub fn key_of(loan: &ListedLoan) -> ListKey {
    ListKey::new(loan.applied_at.clone(), loan.id.clone())
}

/// The loans of `query` after `after`, newest application first (ties by
/// id), `limit` and one more when more follow.
pub fn list(
    connection: &Connection,
    query: &LoanQuery,
    after: Option<&ListKey>,
    limit: u32,
) -> rusqlite::Result<Vec<ListedLoan>> {
    let prefix = query
        .office_prefix
        .as_ref()
        .map(|prefix| format!("{prefix}%"));
    let mut statement = connection.prepare_cached(
        "SELECT id, borrower, office, status, amount_fen, outstanding_fen, applied_at, closed_on
         FROM loans
         WHERE (?1 IS NULL OR borrower = ?1)
           AND (?2 IS NULL OR office LIKE ?2)
           AND (?3 IS NULL OR status = ?3)
           AND (?4 IS NULL OR applied_at < ?4 OR (applied_at = ?4 AND id < ?5))
         ORDER BY applied_at DESC, id DESC
         LIMIT ?6",
    )?;
    let rows = statement.query_map(
        params![
            query.borrower,
            prefix,
            query.status,
            after.map(|key| key.at.as_str()),
            after.map(|key| key.id.as_str()),
            i64::from(limit) + 1
        ],
        |row| {
            Ok(ListedLoan {
                id: row.get(0)?,
                borrower: row.get(1)?,
                office: row.get(2)?,
                status: row.get(3)?,
                amount_fen: row.get::<_, i64>(4)?.unsigned_abs(),
                outstanding_fen: row.get::<_, i64>(5)?.unsigned_abs(),
                applied_at: row.get(6)?,
                closed_on: row.get(7)?,
            })
        },
    )?;
    rows.collect()
}
