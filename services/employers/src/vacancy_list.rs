//! The public vacancy list: a read model of every vacancy's headline
//! facts, written from each vacancy's state as the domain folds it
//! ([`StateView`]), and queried newest publication first (ties by id)
//! with keyset paging.
//!
//! The table keeps the status a vacancy's events left it in and its
//! closing time; what a list answers and filters by is its status at the
//! moment of the query, by the domain's rule ([`VacancyStatus::at`]): past
//! its closing time an open vacancy is closed.

use chrono::{DateTime, SecondsFormat, Utc};
use labex_app::ListKey;
use labex_domain::vacancy::{Vacancy, VacancyStatus};
use labex_domain::{EmployerId, rfc3339_millis};
use labex_eventsourcing::{ProjectionError, StateView, StoredEvent};
use rusqlite::types::Type;
use rusqlite::{Connection, Row, Transaction, params};

use crate::views::VacancySummary;

/// The projection's name (its checkpoint's key).
pub const PROJECTION: &str = "vacancy-list";

/// Keeps the `vacancies` table.
pub struct VacancyList;

impl StateView for VacancyList {
    type State = Vacancy;

    fn name(&self) -> &str {
        PROJECTION
    }

    /// 2: rows written from the folded state, ordered by publication time,
    /// closing times kept to the nanosecond (1 was written event by event
    /// and ordered by id).
    fn version(&self) -> u32 {
        2
    }

    fn migrate(&mut self, transaction: &Transaction<'_>, rebuild: bool) -> rusqlite::Result<()> {
        if rebuild {
            transaction.execute_batch("DROP TABLE IF EXISTS vacancies;")?;
        }
        transaction.execute_batch(
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
            CREATE INDEX IF NOT EXISTS vacancies_newest ON vacancies (published_at, id);
            CREATE INDEX IF NOT EXISTS vacancies_by_employer
                ON vacancies (employer_id, published_at, id);",
        )
    }

    fn write(
        &mut self,
        transaction: &Transaction<'_>,
        vacancy: &Vacancy,
        _event: &StoredEvent,
    ) -> Result<(), ProjectionError> {
        let details = &vacancy.details;
        transaction
            .prepare_cached(
                "INSERT OR REPLACE INTO vacancies
                    (id, employer_id, title, occupation, region, salary_min_yuan,
                     salary_max_yuan, headcount, open_headcount, public_welfare, status,
                     published_at, closes_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
            )?
            .execute(params![
                vacancy.id.to_string(),
                vacancy.employer_id.to_string(),
                details.title.as_str(),
                details.occupation.as_str(),
                details.region.as_str(),
                details.salary.min_yuan(),
                details.salary.max_yuan(),
                details.headcount.get(),
                vacancy.open_headcount,
                details.public_welfare,
                vacancy.status.as_str(),
                rfc3339_millis(vacancy.published_at),
                details.closes_at.map(exact),
            ])?;
        Ok(())
    }
}

/// A moment as the table compares it: RFC 3339 in UTC to the nanosecond,
/// so that comparing two of them as text compares the instants exactly (a
/// closing time may be given finer than the milliseconds answers show).
fn exact(moment: DateTime<Utc>) -> String {
    moment.to_rfc3339_opts(SecondsFormat::Nanos, true)
}

/// What a list asks for.
#[derive(Debug, Clone)]
pub struct ListQuery {
    /// Only this employer's vacancies.
    pub employer: Option<EmployerId>,
    /// Only those of this status at `now`.
    pub status: Option<VacancyStatus>,
    /// Only those after this key (the previous page's last).
    pub after: Option<ListKey>,
    /// How many at most.
    pub limit: u32,
    /// The moment whose statuses the list shows.
    pub now: DateTime<Utc>,
}

/// The paging key of a listed vacancy.
pub fn key_of(item: &VacancySummary) -> ListKey {
    ListKey::new(item.published_at.clone(), item.id.clone())
}

/// One page, newest first, and one more item when more follow.
///
/// The status filter is [`VacancyStatus::at`] written in SQL: a row whose
/// events left it `open` and whose closing time is not after `now` counts
/// as `closed`. The status each item shows is the domain's own function of
/// the same columns, so the two agree (a test checks it).
pub fn list(connection: &Connection, query: &ListQuery) -> rusqlite::Result<Vec<VacancySummary>> {
    let (after_at, after_id) = match &query.after {
        Some(key) => (Some(key.at.as_str()), Some(key.id.as_str())),
        None => (None, None),
    };
    let mut statement = connection.prepare_cached(
        "SELECT id, employer_id, title, occupation, region, salary_min_yuan, salary_max_yuan,
                headcount, open_headcount, public_welfare, status, published_at, closes_at
         FROM vacancies
         WHERE (?1 IS NULL OR employer_id = ?1)
           AND (?2 IS NULL OR
                (CASE WHEN status = 'open' AND closes_at <= ?6 THEN 'closed' ELSE status END) = ?2)
           AND (?3 IS NULL OR published_at < ?3 OR (published_at = ?3 AND id < ?4))
         ORDER BY published_at DESC, id DESC
         LIMIT ?5",
    )?;
    let rows = statement.query_map(
        params![
            query.employer.map(|id| id.to_string()),
            query.status.map(VacancyStatus::as_str),
            after_at,
            after_id,
            i64::from(query.limit) + 1,
            exact(query.now),
        ],
        |row| summary(row, query.now),
    )?;
    rows.collect()
}

/// A row as listed at `now`.
fn summary(row: &Row<'_>, now: DateTime<Utc>) -> rusqlite::Result<VacancySummary> {
    let status: String = row.get(10)?;
    let status = VacancyStatus::parse(&status).map_err(|error| unreadable(10, error))?;
    let closes_at = row
        .get::<_, Option<String>>(12)?
        .map(|text| DateTime::parse_from_rfc3339(&text).map(|moment| moment.to_utc()))
        .transpose()
        .map_err(|error| unreadable(12, error))?;
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
        status: status.at(closes_at, now).as_str().to_owned(),
        published_at: row.get(11)?,
        closes_at: closes_at.map(rfc3339_millis),
        employer_arrears: None,
    })
}

fn unreadable(
    column: usize,
    error: impl std::error::Error + Send + Sync + 'static,
) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(column, Type::Text, Box::new(error))
}

#[cfg(test)]
mod tests {
    use labex_eventsourcing::{Projection, StateProjection, read_checkpoint};

    use super::*;

    fn table() -> Connection {
        let mut connection = Connection::open_in_memory().unwrap();
        let transaction = connection.transaction().unwrap();
        StateProjection::new(VacancyList)
            .migrate(&transaction)
            .unwrap();
        transaction.commit().unwrap();
        connection
    }

    fn insert(connection: &Connection, id: &str, status: &str, closes_at: Option<&str>) {
        connection
            .execute(
                "INSERT INTO vacancies VALUES
                    (?1, '0190f5a8-0000-7000-8000-0000000000e1', '岗位', '软件工程师', '410105',
                     8000, 12000, 2, 2, 0, ?2, '2026-12-07T03:00:00.000Z', ?3)",
                params![id, status, closes_at],
            )
            .unwrap();
    }

    fn query(status: Option<VacancyStatus>, now: &str) -> ListQuery {
        ListQuery {
            employer: None,
            status,
            after: None,
            limit: 10,
            now: now.parse().unwrap(),
        }
    }

    #[test]
    fn the_status_filter_and_the_status_shown_follow_the_domain_at_the_moment_asked() {
        let connection = table();
        let closing = "2026-12-31T16:00:00.000000500Z";
        insert(
            &connection,
            "0190f5a8-0000-7000-8000-000000000001",
            "open",
            Some(closing),
        );
        insert(
            &connection,
            "0190f5a8-0000-7000-8000-000000000002",
            "open",
            None,
        );
        insert(
            &connection,
            "0190f5a8-0000-7000-8000-000000000003",
            "filled",
            Some(closing),
        );
        insert(
            &connection,
            "0190f5a8-0000-7000-8000-000000000004",
            "closed",
            None,
        );
        // Just before the closing time (half a microsecond finer than
        // milliseconds), at it, and after it.
        let moments = [
            ("2026-12-31T16:00:00.000000499Z", [2, 1, 1]),
            ("2026-12-31T16:00:00.000000500Z", [1, 1, 2]),
            ("2027-01-01T00:00:00Z", [1, 1, 2]),
        ];
        for (now, counts) in moments {
            let everything = list(&connection, &query(None, now)).unwrap();
            assert_eq!(everything.len(), 4);
            for (status, count) in VacancyStatus::ALL.into_iter().zip(counts) {
                let listed = list(&connection, &query(Some(status), now)).unwrap();
                assert_eq!(listed.len(), count, "{status} at {now}");
                assert!(
                    listed.iter().all(|item| item.status == status.as_str()),
                    "{status} at {now}: {listed:?}"
                );
            }
        }
        let listed = list(&connection, &query(None, "2026-12-07T00:00:00Z")).unwrap();
        let first = listed.iter().find(|item| item.id.ends_with("001")).unwrap();
        assert_eq!(
            first.closes_at.as_deref(),
            Some("2026-12-31T16:00:00.000Z"),
            "closing times are shown to the millisecond"
        );
    }

    #[test]
    fn a_list_of_the_first_version_is_rebuilt_from_the_store() {
        let mut connection = Connection::open_in_memory().unwrap();
        connection
            .execute_batch(
                "CREATE TABLE vacancies (id TEXT PRIMARY KEY, status TEXT NOT NULL) WITHOUT ROWID;
                 INSERT INTO vacancies VALUES ('a', 'open');",
            )
            .unwrap();
        assert_eq!(read_checkpoint(&connection, PROJECTION).unwrap(), None);
        connection
            .execute(
                "INSERT INTO labex_checkpoints VALUES (?1, 42, 42, 'then')",
                [PROJECTION],
            )
            .unwrap();
        let transaction = connection.transaction().unwrap();
        StateProjection::new(VacancyList)
            .migrate(&transaction)
            .unwrap();
        transaction.commit().unwrap();
        let rows: i64 = connection
            .query_row("SELECT count(*) FROM vacancies", [], |row| row.get(0))
            .unwrap();
        assert_eq!(rows, 0, "the old rows are gone, to be rebuilt");
        assert_eq!(read_checkpoint(&connection, PROJECTION).unwrap(), None);
    }
}
