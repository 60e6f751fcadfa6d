//! The public vacancy list: a read model of every vacancy's headline
//! facts, kept by a projection of the vacancy events and queried with
//! keyset paging on the id (newest first: ids are UUIDv7).

use labex_domain::Event;
use labex_domain::vacancy::{VacancyEvent, VacancyStatus};
use labex_domain::{EmployerId, VacancyId};
use labex_eventsourcing::{EventFilter, Projection, ProjectionError, StoredEvent};
use rusqlite::{Connection, Transaction, params};

use crate::views::{VacancySummary, rfc3339};

/// The projection's name (its checkpoint's key).
pub const PROJECTION: &str = "vacancy-list";

/// Keeps the `vacancies` table.
pub struct VacancyList;

impl Projection for VacancyList {
    fn name(&self) -> &str {
        PROJECTION
    }

    fn filter(&self) -> EventFilter {
        EventFilter::stream_prefixes(["vacancy-"])
    }

    fn migrate(&mut self, transaction: &Transaction<'_>) -> rusqlite::Result<()> {
        migrate(transaction)
    }

    fn apply(
        &mut self,
        transaction: &Transaction<'_>,
        stored: &StoredEvent,
    ) -> Result<(), ProjectionError> {
        let Event::Vacancy(event) = &stored.event else {
            return Ok(());
        };
        match event {
            VacancyEvent::Published(published) => {
                let details = &published.details;
                transaction
                    .prepare_cached(
                        "INSERT OR REPLACE INTO vacancies
                        (id, employer_id, title, occupation, region, salary_min_yuan,
                         salary_max_yuan, headcount, open_headcount, public_welfare, status,
                         published_at, closes_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8, ?9, ?10, ?11, ?12)",
                    )?
                    .execute(params![
                        published.vacancy_id.to_string(),
                        published.employer_id.to_string(),
                        details.title.as_str(),
                        details.occupation.as_str(),
                        details.region.as_str(),
                        details.salary.min_yuan(),
                        details.salary.max_yuan(),
                        details.headcount.get(),
                        details.public_welfare,
                        VacancyStatus::Open.as_str(),
                        rfc3339(published.published_at),
                        details.closes_at.map(rfc3339),
                    ])?;
            }
            VacancyEvent::Updated(updated) => {
                let id = updated.vacancy_id.to_string();
                let changes = &updated.changes;
                let set = |column: &str, value: &dyn rusqlite::ToSql| {
                    transaction
                        .prepare_cached(&format!(
                            "UPDATE vacancies SET {column} = ?2 WHERE id = ?1"
                        ))?
                        .execute(params![id, value])
                };
                if let Some(title) = &changes.title {
                    set("title", &title.as_str())?;
                }
                if let Some(occupation) = &changes.occupation {
                    set("occupation", &occupation.as_str())?;
                }
                if let Some(region) = &changes.region {
                    set("region", &region.as_str())?;
                }
                if let Some(salary) = changes.salary {
                    set("salary_min_yuan", &salary.min_yuan())?;
                    set("salary_max_yuan", &salary.max_yuan())?;
                }
                if let Some(headcount) = changes.headcount {
                    set("headcount", &headcount.get())?;
                }
                if let Some(public_welfare) = changes.public_welfare {
                    set("public_welfare", &public_welfare)?;
                }
                if let Some(closes_at) = changes.closes_at {
                    set("closes_at", &closes_at.map(rfc3339))?;
                }
                if let Some(open_headcount) = updated.open_headcount {
                    set("open_headcount", &open_headcount)?;
                }
            }
            VacancyEvent::Closed(closed) => {
                set_status(transaction, closed.vacancy_id, VacancyStatus::Closed)?;
            }
            VacancyEvent::PlacementRecorded(placement) => {
                transaction
                    .prepare_cached("UPDATE vacancies SET open_headcount = ?2 WHERE id = ?1")?
                    .execute(params![
                        placement.vacancy_id.to_string(),
                        placement.open_headcount
                    ])?;
            }
            VacancyEvent::Filled(filled) => {
                set_status(transaction, filled.vacancy_id, VacancyStatus::Filled)?;
                transaction
                    .prepare_cached("UPDATE vacancies SET open_headcount = 0 WHERE id = ?1")?
                    .execute([filled.vacancy_id.to_string()])?;
            }
        }
        Ok(())
    }
}

/// Creates the table if missing.
pub fn migrate(connection: &Connection) -> rusqlite::Result<()> {
    connection.execute_batch(
        "CREATE TABLE IF NOT EXISTS vacancies (
            id TEXT PRIMARY KEY,
            employer_id TEXT NOT NULL,
            title TEXT NOT NULL,
            occupation TEXT NOT NULL,
            region TEXT NOT NULL,
            salary_min_yuan INTEGER NOT NULL,
            salary_max_yuan INTEGER NOT NULL,
            headcount INTEGER NOT NULL,
            open_headcount INTEGER NOT NULL,
            public_welfare INTEGER NOT NULL,
            status TEXT NOT NULL,
            published_at TEXT NOT NULL,
            closes_at TEXT
        ) WITHOUT ROWID;
        CREATE INDEX IF NOT EXISTS vacancies_by_employer ON vacancies (employer_id, id);
        CREATE INDEX IF NOT EXISTS vacancies_by_status ON vacancies (status, id);",
    )
}

fn set_status(
    transaction: &Transaction<'_>,
    id: VacancyId,
    status: VacancyStatus,
) -> rusqlite::Result<()> {
    transaction
        .prepare_cached("UPDATE vacancies SET status = ?2 WHERE id = ?1")?
        .execute(params![id.to_string(), status.as_str()])?;
    Ok(())
}

/// What a list asks for.
#[derive(Debug, Clone)]
pub struct ListQuery {
    pub employer: Option<EmployerId>,
    pub status: Option<VacancyStatus>,
    /// Only ids before this one (the previous page's last).
    pub before: Option<VacancyId>,
    pub limit: u32,
}

/// One page, newest first, and whether more follow.
pub fn list(
    connection: &Connection,
    query: &ListQuery,
) -> rusqlite::Result<(Vec<VacancySummary>, bool)> {
    let mut statement = connection.prepare_cached(
        "SELECT id, employer_id, title, occupation, region, salary_min_yuan, salary_max_yuan,
                headcount, open_headcount, public_welfare, status, published_at, closes_at
         FROM vacancies
         WHERE (?1 IS NULL OR employer_id = ?1)
           AND (?2 IS NULL OR status = ?2)
           AND (?3 IS NULL OR id < ?3)
         ORDER BY id DESC
         LIMIT ?4",
    )?;
    let rows = statement.query_map(
        params![
            query.employer.map(|id| id.to_string()),
            query.status.map(VacancyStatus::as_str),
            query.before.map(|id| id.to_string()),
            i64::from(query.limit) + 1,
        ],
        |row| {
            Ok(VacancySummary {
                id: row.get(0)?,
                employer_id: row.get(1)?,
                title: row.get(2)?,
                occupation: row.get(3)?,
                region: row.get(4)?,
                salary_min_yuan: row.get(5)?,
                salary_max_yuan: row.get(6)?,
                headcount: row.get(7)?,
                open_headcount: row.get(8)?,
                public_welfare: row.get(9)?,
                status: row.get(10)?,
                published_at: row.get(11)?,
                closes_at: row.get(12)?,
            })
        },
    )?;
    let mut items = rows.collect::<rusqlite::Result<Vec<_>>>()?;
    let more = items.len() > query.limit as usize;
    items.truncate(query.limit as usize);
    Ok((items, more))
}
