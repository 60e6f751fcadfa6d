//! The mark office staff see on an employer with an open wage-arrears case
//! (欠薪): on its vacancies and on the referrals to them, so that a
//! counsellor knows before referring anyone (decision 097).
//!
//! Each service that answers about vacancies or referrals keeps its own
//! small read model of the cases, [`ArrearsMarks`]: a fold of the
//! wage-arrears cases as the domain folds them (a new step of a case is
//! taught once, in the domain), one row per case with whether it is open
//! and since when. [`marks_of`] reads the marks of some employers;
//! [`sees_arrears_marks`] says who is shown them: office staff and the
//! province, never the public, job seekers or employers.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use labex_domain::EmployerId;
use labex_domain::arrears::WageArrearsCase;
use labex_eventsourcing::{ProjectionError, StateView, StoredEvent};
use rusqlite::{Connection, Transaction, params};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::actor::{Actor, OFFICE_STAFF};

/// The projection's name (its checkpoint's key).
pub const PROJECTION: &str = "employer-arrears-marks";

/// The mark of an employer with open wage-arrears cases.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ArrearsMark {
    /// Its open cases (opened or in mediation, 未结欠薪案件).
    pub open_cases: u32,
    /// The day the oldest of them was opened.
    #[schema(value_type = String, format = Date)]
    pub since: NaiveDate,
}

/// Whether `actor` is shown arrears marks: office staff and the province.
pub fn sees_arrears_marks(actor: &Actor) -> bool {
    OFFICE_STAFF.contains(&actor.role)
}

/// Keeps the `arrears_cases` table: one row per wage-arrears case.
pub struct ArrearsMarks;

impl StateView for ArrearsMarks {
    type State = WageArrearsCase;

    fn name(&self) -> &str {
        PROJECTION
    }

    fn version(&self) -> u32 {
        1
    }

    fn migrate(&mut self, transaction: &Transaction<'_>, rebuild: bool) -> rusqlite::Result<()> {
        if rebuild {
            transaction.execute_batch("DROP TABLE IF EXISTS arrears_cases;")?;
        }
        transaction.execute_batch(
            "CREATE TABLE IF NOT EXISTS arrears_cases (
                case_id TEXT PRIMARY KEY,
                employer_id TEXT NOT NULL,
                open INTEGER NOT NULL,
                opened_on TEXT NOT NULL
            ) WITHOUT ROWID;
            CREATE INDEX IF NOT EXISTS arrears_cases_by_employer
                ON arrears_cases (employer_id, open);",
        )
    }

    fn write(
        &mut self,
        transaction: &Transaction<'_>,
        case: &WageArrearsCase,
        _event: &StoredEvent,
    ) -> Result<(), ProjectionError> {
        transaction
            .prepare_cached(
                "INSERT OR REPLACE INTO arrears_cases (case_id, employer_id, open, opened_on)
                 VALUES (?1, ?2, ?3, ?4)",
            )?
            .execute(params![
                case.id.to_string(),
                case.employer_id.to_string(),
                case.status.is_open(),
                case.opened_on.to_string(),
            ])?;
        Ok(())
    }
}

/// The marks of those of `employers` that have open cases.
pub fn marks_of(
    connection: &Connection,
    employers: &[EmployerId],
) -> rusqlite::Result<BTreeMap<EmployerId, ArrearsMark>> {
    let mut statement = connection.prepare_cached(
        "SELECT COUNT(*), MIN(opened_on) FROM arrears_cases WHERE employer_id = ?1 AND open = 1",
    )?;
    let mut marks = BTreeMap::new();
    for employer in employers {
        if marks.contains_key(employer) {
            continue;
        }
        let (open_cases, since): (u32, Option<String>) =
            statement.query_row([employer.to_string()], |row| Ok((row.get(0)?, row.get(1)?)))?;
        let Some(since) = since else {
            continue;
        };
        let since = since.parse::<NaiveDate>().map_err(|error| {
            rusqlite::Error::FromSqlConversionFailure(1, rusqlite::types::Type::Text, error.into())
        })?;
        marks.insert(*employer, ArrearsMark { open_cases, since });
    }
    Ok(marks)
}
