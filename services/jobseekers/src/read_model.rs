//! The office lists: a read model of every job seeker's office, status,
//! education, categories and birth date (kept only to answer the age;
//! never answered itself), kept by a projection of the job-seeker events
//! and queried with keyset paging (newest registration first).

use chrono::NaiveDate;
use labex_domain::Event;
use labex_domain::jobseeker::{JobSeekerEvent, JobSeekerStatus};
use labex_domain::value::{DivisionCode, JobSeekerCategory};
use labex_eventsourcing::{
    EventFilter, Projection, ProjectionError, StoredEvent, reset_checkpoint,
};
use rusqlite::{Connection, Transaction, params};

use crate::views::JobSeekerSummary;

/// The projection's name (its checkpoint's key).
pub const PROJECTION: &str = "jobseeker-list";

/// Keeps the `jobseekers` and `jobseeker_categories` tables.
pub struct JobSeekerList;

impl Projection for JobSeekerList {
    fn name(&self) -> &str {
        PROJECTION
    }

    fn filter(&self) -> EventFilter {
        EventFilter::stream_prefixes(["jobseeker-"])
    }

    fn migrate(&mut self, transaction: &Transaction<'_>) -> rusqlite::Result<()> {
        migrate(transaction)
    }

    fn apply(
        &mut self,
        transaction: &Transaction<'_>,
        stored: &StoredEvent,
    ) -> Result<(), ProjectionError> {
        let Event::JobSeeker(event) = &stored.event else {
            return Ok(());
        };
        match event {
            JobSeekerEvent::Registered(registered) => {
                let id = registered.jobseeker_id.to_string();
                transaction
                    .prepare_cached(
                        "INSERT OR REPLACE INTO jobseekers
                        (id, name, id_number, birth_date, office, status, education,
                         registered_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                    )?
                    .execute(params![
                        id,
                        registered.personal.name.as_str(),
                        registered.personal.id_number.masked(),
                        registered.personal.id_number.birth_date().to_string(),
                        registered.office.as_str(),
                        JobSeekerStatus::Seeking.as_str(),
                        registered.profile.education.as_str(),
                        stored
                            .created
                            .to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
                    ])?;
                replace_categories(
                    transaction,
                    &id,
                    registered.profile.categories.iter().copied(),
                )?;
            }
            JobSeekerEvent::ProfileUpdated(updated) => {
                let id = updated.jobseeker_id.to_string();
                if let Some(name) = &updated.personal.name {
                    transaction
                        .prepare_cached("UPDATE jobseekers SET name = ?2 WHERE id = ?1")?
                        .execute(params![id, name.as_str()])?;
                }
                if let Some(education) = updated.profile.education {
                    transaction
                        .prepare_cached("UPDATE jobseekers SET education = ?2 WHERE id = ?1")?
                        .execute(params![id, education.as_str()])?;
                }
                if let Some(categories) = &updated.profile.categories {
                    replace_categories(transaction, &id, categories.iter().copied())?;
                }
            }
            JobSeekerEvent::UnemploymentRegistered(registered) => {
                set_status(
                    transaction,
                    &registered.jobseeker_id.to_string(),
                    JobSeekerStatus::RegisteredUnemployed,
                )?;
            }
            JobSeekerEvent::EmploymentRegistered(registered) => {
                set_status(
                    transaction,
                    &registered.jobseeker_id.to_string(),
                    JobSeekerStatus::Employed,
                )?;
            }
        }
        Ok(())
    }
}

/// Creates the tables if missing. Tables of an older shape (without the
/// birth date the age is answered from) are dropped and the projection's
/// checkpoint forgotten, so that it rebuilds them from the store.
pub fn migrate(connection: &Connection) -> rusqlite::Result<()> {
    let columns = connection
        .prepare("SELECT name FROM pragma_table_info('jobseekers')")?
        .query_map([], |row| row.get::<_, String>(0))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    if !columns.is_empty() && !columns.iter().any(|column| column == "birth_date") {
        connection.execute_batch(
            "DROP TABLE IF EXISTS jobseekers;
            DROP TABLE IF EXISTS jobseeker_categories;",
        )?;
        reset_checkpoint(connection, PROJECTION)?;
    }
    connection.execute_batch(
        "CREATE TABLE IF NOT EXISTS jobseekers (
            id TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            id_number TEXT NOT NULL,
            birth_date TEXT NOT NULL,
            office TEXT NOT NULL,
            status TEXT NOT NULL,
            education TEXT NOT NULL,
            registered_at TEXT NOT NULL
        ) WITHOUT ROWID;
        CREATE INDEX IF NOT EXISTS jobseekers_by_office ON jobseekers (office, id);
        CREATE TABLE IF NOT EXISTS jobseeker_categories (
            category TEXT NOT NULL,
            id TEXT NOT NULL,
            PRIMARY KEY (category, id)
        ) WITHOUT ROWID;
        CREATE INDEX IF NOT EXISTS jobseeker_categories_by_id ON jobseeker_categories (id);",
    )
}

fn replace_categories(
    transaction: &Transaction<'_>,
    id: &str,
    categories: impl Iterator<Item = JobSeekerCategory>,
) -> rusqlite::Result<()> {
    transaction
        .prepare_cached("DELETE FROM jobseeker_categories WHERE id = ?1")?
        .execute([id])?;
    for category in categories {
        transaction
            .prepare_cached("INSERT INTO jobseeker_categories (category, id) VALUES (?1, ?2)")?
            .execute(params![category.as_str(), id])?;
    }
    Ok(())
}

fn set_status(
    transaction: &Transaction<'_>,
    id: &str,
    status: JobSeekerStatus,
) -> rusqlite::Result<()> {
    transaction
        .prepare_cached("UPDATE jobseekers SET status = ?2 WHERE id = ?1")?
        .execute(params![id, status.as_str()])?;
    Ok(())
}

/// What a list asks for.
#[derive(Debug, Clone)]
pub struct ListQuery {
    /// Job seekers registered within this office's scope.
    pub office: DivisionCode,
    pub category: Option<JobSeekerCategory>,
    pub status: Option<JobSeekerStatus>,
    /// Only ids before this one (the previous page's last).
    pub before: Option<String>,
    pub limit: u32,
    /// The day (in China) ages are taken on.
    pub today: NaiveDate,
}

/// One page, newest first, and whether more follow.
pub fn list(
    connection: &Connection,
    query: &ListQuery,
) -> rusqlite::Result<(Vec<JobSeekerSummary>, bool)> {
    let prefix = format!("{}%", query.office.scope_prefix());
    let mut statement = connection.prepare_cached(
        "SELECT j.id, j.name, j.id_number, j.office, j.status, j.education, j.registered_at,
                (SELECT group_concat(c.category, ',') FROM jobseeker_categories c WHERE c.id = j.id),
                j.birth_date
         FROM jobseekers j
         WHERE j.office LIKE ?1
           AND (?2 IS NULL OR j.status = ?2)
           AND (?3 IS NULL OR EXISTS
                (SELECT 1 FROM jobseeker_categories c WHERE c.category = ?3 AND c.id = j.id))
           AND (?4 IS NULL OR j.id < ?4)
         ORDER BY j.id DESC
         LIMIT ?5",
    )?;
    let rows = statement.query_map(
        params![
            prefix,
            query.status.map(JobSeekerStatus::as_str),
            query.category.map(JobSeekerCategory::as_str),
            query.before,
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
            let birth_date: String = row.get(8)?;
            let birth_date =
                NaiveDate::parse_from_str(&birth_date, "%Y-%m-%d").map_err(|error| {
                    rusqlite::Error::FromSqlConversionFailure(
                        8,
                        rusqlite::types::Type::Text,
                        Box::new(error),
                    )
                })?;
            Ok(JobSeekerSummary {
                id: row.get(0)?,
                name: row.get(1)?,
                id_number: row.get(2)?,
                // Whole years, counted as the domain counts them
                // (`ResidentId::age_on`): a year once the birthday is reached.
                age: query.today.years_since(birth_date).unwrap_or(0),
                office: row.get(3)?,
                status: row.get(4)?,
                education: row.get(5)?,
                categories,
                registered_at: row.get(6)?,
            })
        },
    )?;
    let mut items = rows.collect::<rusqlite::Result<Vec<_>>>()?;
    let more = items.len() > query.limit as usize;
    items.truncate(query.limit as usize);
    Ok((items, more))
}

#[cfg(test)]
mod tests {
    use labex_eventsourcing::read_checkpoint;

    use super::*;

    #[test]
    fn tables_without_the_birth_date_are_rebuilt_from_the_store() {
        let connection = Connection::open_in_memory().unwrap();
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

        migrate(&connection).unwrap();
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

        // Tables of the current shape are kept as they are.
        connection
            .execute(
                "INSERT INTO jobseekers VALUES
                    ('b', '李娜', '410105********123X', '1970-01-01', '410105', 'seeking',
                     'bachelor', 'x')",
                [],
            )
            .unwrap();
        migrate(&connection).unwrap();
        let rows: i64 = connection
            .query_row("SELECT count(*) FROM jobseekers", [], |row| row.get(0))
            .unwrap();
        assert_eq!(rows, 1);
    }
}
