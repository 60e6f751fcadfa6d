//! The office lists: a read model of every job seeker's office, status,
//! education, categories and birth date (kept only to answer the age;
//! never answered itself), written from each job seeker's state as the
//! domain folds it ([`StateView`]), and queried with keyset paging (newest
//! registration first, ties by id).

use std::fmt;

use chrono::NaiveDate;
use labex_domain::jobseeker::{JobSeeker, JobSeekerStatus};
use labex_domain::value::{DivisionCode, JobSeekerCategory};
use labex_domain::{JobSeekerId, rfc3339_millis};
use labex_eventsourcing::{ProjectionError, StateView, StoredEvent};
use rusqlite::{Connection, Transaction, params};

use crate::views::JobSeekerSummary;

/// The projection's name (its checkpoint's key).
pub const PROJECTION: &str = "jobseeker-list";

/// Keeps the `jobseekers` and `jobseeker_categories` tables.
pub struct JobSeekerList;

impl StateView for JobSeekerList {
    type State = JobSeeker;

    fn name(&self) -> &str {
        PROJECTION
    }

    /// 3: personal columns empty (NULL) once erased, and an `erased` flag
    /// (2 had neither; 1 ordered by id and lacked the birth date).
    fn version(&self) -> u32 {
        3
    }

    fn migrate(&mut self, transaction: &Transaction<'_>, rebuild: bool) -> rusqlite::Result<()> {
        if rebuild {
            transaction.execute_batch(
                "DROP TABLE IF EXISTS jobseekers;
                DROP TABLE IF EXISTS jobseeker_categories;",
            )?;
        }
        transaction.execute_batch(
            "CREATE TABLE IF NOT EXISTS jobseekers (
                id TEXT PRIMARY KEY,
                name TEXT,
                id_number TEXT,
                birth_date TEXT,
                erased INTEGER NOT NULL DEFAULT 0,
                office TEXT NOT NULL,
                status TEXT NOT NULL,
                education TEXT NOT NULL,
                registered_at TEXT NOT NULL
            ) WITHOUT ROWID;
            CREATE INDEX IF NOT EXISTS jobseekers_newest ON jobseekers (registered_at, id);
            CREATE TABLE IF NOT EXISTS jobseeker_categories (
                category TEXT NOT NULL,
                id TEXT NOT NULL,
                PRIMARY KEY (category, id)
            ) WITHOUT ROWID;
            CREATE INDEX IF NOT EXISTS jobseeker_categories_by_id ON jobseeker_categories (id);",
        )
    }

    fn write(
        &mut self,
        transaction: &Transaction<'_>,
        jobseeker: &JobSeeker,
        event: &StoredEvent,
    ) -> Result<(), ProjectionError> {
        let id = jobseeker.id.to_string();
        let personal = jobseeker.personal.known();
        // The first event of a job seeker is their registration: its
        // moment is when they registered, and stays.
        let registered_at = rfc3339_millis(event.metadata.at_or(event.created));
        transaction
            .prepare_cached(
                "INSERT INTO jobseekers
                    (id, name, id_number, birth_date, erased, office, status, education,
                     registered_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
                 ON CONFLICT (id) DO UPDATE SET
                    name = excluded.name, id_number = excluded.id_number,
                    birth_date = excluded.birth_date, erased = excluded.erased,
                    office = excluded.office, status = excluded.status,
                    education = excluded.education",
            )?
            .execute(params![
                id,
                personal.map(|personal| personal.name.as_str()),
                personal.map(|personal| personal.id_number.masked()),
                personal.map(|personal| personal.id_number.birth_date().to_string()),
                jobseeker.erasure.is_some(),
                jobseeker.office.as_str(),
                jobseeker.status.as_str(),
                jobseeker.profile.education.as_str(),
                registered_at,
            ])?;
        transaction
            .prepare_cached("DELETE FROM jobseeker_categories WHERE id = ?1")?
            .execute([&id])?;
        for category in &jobseeker.profile.categories {
            transaction
                .prepare_cached("INSERT INTO jobseeker_categories (category, id) VALUES (?1, ?2)")?
                .execute(params![category.as_str(), id])?;
        }
        Ok(())
    }
}

/// Where a list page continues: after the job seeker registered at `at`
/// with the id `id` (newest first).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListKey {
    at: String,
    id: String,
}

impl ListKey {
    /// The key of a listed job seeker.
    pub fn of(item: &JobSeekerSummary) -> Self {
        Self {
            at: item.registered_at.clone(),
            id: item.id.clone(),
        }
    }

    /// A key written by [`Display`](fmt::Display), or `None`.
    pub fn parse(text: &str) -> Option<Self> {
        let (at, id) = text.split_once(' ')?;
        chrono::DateTime::parse_from_rfc3339(at).ok()?;
        JobSeekerId::parse(id).ok()?;
        Some(Self {
            at: at.to_owned(),
            id: id.to_owned(),
        })
    }
}

impl fmt::Display for ListKey {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "{} {}", self.at, self.id)
    }
}

/// What a list asks for.
#[derive(Debug, Clone)]
pub struct ListQuery {
    /// Job seekers registered within this office's scope.
    pub office: DivisionCode,
    pub category: Option<JobSeekerCategory>,
    pub status: Option<JobSeekerStatus>,
    /// Only those after this key (the previous page's last).
    pub after: Option<ListKey>,
    pub limit: u32,
    /// The day (in China) ages are taken on.
    pub today: NaiveDate,
}

/// One page, newest first, and one more item when more follow.
pub fn list(connection: &Connection, query: &ListQuery) -> rusqlite::Result<Vec<JobSeekerSummary>> {
    let prefix = format!("{}%", query.office.scope_prefix());
    let (after_at, after_id) = match &query.after {
        Some(key) => (Some(key.at.as_str()), Some(key.id.as_str())),
        None => (None, None),
    };
    let mut statement = connection.prepare_cached(
        "SELECT j.id, j.name, j.id_number, j.office, j.status, j.education, j.registered_at,
                (SELECT group_concat(c.category, ',') FROM jobseeker_categories c WHERE c.id = j.id),
                j.birth_date, j.erased
         FROM jobseekers j
         WHERE j.office LIKE ?1
           AND (?2 IS NULL OR j.status = ?2)
           AND (?3 IS NULL OR EXISTS
                (SELECT 1 FROM jobseeker_categories c WHERE c.category = ?3 AND c.id = j.id))
           AND (?4 IS NULL OR j.registered_at < ?4 OR (j.registered_at = ?4 AND j.id < ?5))
         ORDER BY j.registered_at DESC, j.id DESC
         LIMIT ?6",
    )?;
    let rows = statement.query_map(
        params![
            prefix,
            query.status.map(JobSeekerStatus::as_str),
            query.category.map(JobSeekerCategory::as_str),
            after_at,
            after_id,
            i64::from(query.limit) + 1,
        ],
        |row| {
            let categories: Option<String> = row.get(7)?;
            let mut categories: Vec<String> = categories
                .unwrap_or_default()
                .split(',')
                .filter(|category| !category.is_empty())
                .map(str::to_owned)
                .collect();
            categories.sort();
            let birth_date: Option<String> = row.get(8)?;
            let birth_date = birth_date
                .map(|text| {
                    NaiveDate::parse_from_str(&text, "%Y-%m-%d").map_err(|error| {
                        rusqlite::Error::FromSqlConversionFailure(
                            8,
                            rusqlite::types::Type::Text,
                            Box::new(error),
                        )
                    })
                })
                .transpose()?;
            Ok(JobSeekerSummary {
                id: row.get(0)?,
                name: row.get(1)?,
                id_number: row.get(2)?,
                // Whole years, counted as the domain counts them
                // (`ResidentId::age_on`): a year once the birthday is reached.
                age: birth_date.map(|birth_date| query.today.years_since(birth_date).unwrap_or(0)),
                erased: row.get(9)?,
                office: row.get(3)?,
                status: row.get(4)?,
                education: row.get(5)?,
                categories,
                registered_at: row.get(6)?,
            })
        },
    )?;
    rows.collect()
}

#[cfg(test)]
mod tests {
    use labex_eventsourcing::{Projection, StateProjection, read_checkpoint};

    use super::*;

    #[test]
    fn tables_of_an_earlier_version_are_rebuilt_from_the_store() {
        let mut connection = Connection::open_in_memory().unwrap();
        connection
            .execute_batch(
                "CREATE TABLE jobseekers (
                    id TEXT PRIMARY KEY, name TEXT NOT NULL, id_number TEXT NOT NULL,
                    office TEXT NOT NULL, status TEXT NOT NULL, education TEXT NOT NULL,
                    registered_at TEXT NOT NULL
                ) WITHOUT ROWID;
                CREATE TABLE jobseeker_categories (
                    category TEXT NOT NULL, id TEXT NOT NULL, PRIMARY KEY (category, id)
                ) WITHOUT ROWID;
                INSERT INTO jobseekers VALUES
                    ('a', '李娜', '410105********123X', '410105', 'seeking', 'bachelor', 'x');
                INSERT INTO jobseeker_categories VALUES ('graduate', 'a');",
            )
            .unwrap();
        assert_eq!(read_checkpoint(&connection, PROJECTION).unwrap(), None);
        connection
            .execute(
                "INSERT INTO labex_checkpoints VALUES (?1, 42, 42, 'then'), ('other', 7, 7, 'then')",
                [PROJECTION],
            )
            .unwrap();

        let mut projection = StateProjection::new(JobSeekerList);
        let transaction = connection.transaction().unwrap();
        projection.migrate(&transaction).unwrap();
        transaction.commit().unwrap();
        let rows: i64 = connection
            .query_row("SELECT count(*) FROM jobseekers", [], |row| row.get(0))
            .unwrap();
        assert_eq!(rows, 0, "the old rows are gone, to be rebuilt");
        let has_birth_date: bool = connection
            .query_row(
                "SELECT count(*) FROM pragma_table_info('jobseekers') WHERE name = 'birth_date'",
                [],
                |row| row.get(0),
            )
            .unwrap();
        assert!(has_birth_date);
        assert_eq!(read_checkpoint(&connection, PROJECTION).unwrap(), None);
        assert!(read_checkpoint(&connection, "other").unwrap().is_some());

        // Tables of the current version are kept as they are.
        connection
            .execute(
                "INSERT INTO jobseekers
                    (id, name, id_number, birth_date, office, status, education, registered_at)
                 VALUES ('b', '李娜', '410105********123X', '1970-01-01', '410105', 'seeking',
                     'bachelor', 'x')",
                [],
            )
            .unwrap();
        let transaction = connection.transaction().unwrap();
        projection.migrate(&transaction).unwrap();
        transaction.commit().unwrap();
        let rows: i64 = connection
            .query_row("SELECT count(*) FROM jobseekers", [], |row| row.get(0))
            .unwrap();
        assert_eq!(rows, 1);
    }

    #[test]
    fn list_keys_round_trip_and_refuse_what_was_not_issued() {
        let key = ListKey {
            at: "2026-12-07T03:00:00.123Z".to_owned(),
            id: "0190f5a8-3c1e-7d2a-9b4f-0123456789ab".to_owned(),
        };
        assert_eq!(ListKey::parse(&key.to_string()), Some(key));
        assert_eq!(ListKey::parse("0190f5a8-3c1e-7d2a-9b4f-0123456789ab"), None);
        assert_eq!(
            ListKey::parse("yesterday 0190f5a8-3c1e-7d2a-9b4f-0123456789ab"),
            None
        );
    }
}
