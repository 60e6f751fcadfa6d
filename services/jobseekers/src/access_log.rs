//! The access log's read model: every `PersonalRecordRead` (written in
//! batches by [`labex_app::AccessLog`]) as one row, in the order of `$all`,
//! for `GET /v1/jobseekers/{id}/access-log`. It holds ids, roles, offices,
//! endpoints and times only: no personal data.

use labex_domain::Event;
use labex_domain::JobSeekerId;
use labex_domain::access::AccessEvent;
use labex_eventsourcing::{EventFilter, Projection, ProjectionError, StoredEvent};
use rusqlite::{Connection, Transaction, params};

use crate::views::AccessEntry;

/// The projection's name (its checkpoint's key).
pub const PROJECTION: &str = "access-log";

/// The database file, in the service's folder.
pub const FILE: &str = "access.sqlite";

/// The endpoint a job seeker's full record is read through.
pub const GET_ENDPOINT: &str = "GET /v1/jobseekers/{id}";

/// A change of the profile, answered with the full record.
pub const PATCH_ENDPOINT: &str = "PATCH /v1/jobseekers/{id}";

/// An unemployment registration, answered with the full record.
pub const UNEMPLOYMENT_ENDPOINT: &str = "POST /v1/jobseekers/{id}/unemployment";

/// An employment registration, answered with the full record.
pub const EMPLOYMENT_ENDPOINT: &str = "POST /v1/jobseekers/{id}/employment";

/// A migrant worker's return home (返乡), answered with the full record.
pub const RETURN_ENDPOINT: &str = "POST /v1/jobseekers/{id}/returns";

/// Keeps the `access_log` table.
pub struct AccessLogList;

impl Projection for AccessLogList {
    fn name(&self) -> &str {
        PROJECTION
    }

    fn filter(&self) -> EventFilter {
        EventFilter::event_types(["PersonalRecordRead"])
    }

    fn migrate(&mut self, transaction: &Transaction<'_>) -> rusqlite::Result<()> {
        transaction.execute_batch(
            "CREATE TABLE IF NOT EXISTS access_log (
                seq INTEGER PRIMARY KEY,
                event_id TEXT NOT NULL UNIQUE,
                jobseeker_id TEXT NOT NULL,
                reader_subject TEXT NOT NULL,
                reader_role TEXT NOT NULL,
                reader_office TEXT NOT NULL,
                endpoint TEXT NOT NULL,
                read_at TEXT NOT NULL
            );
            CREATE INDEX IF NOT EXISTS access_log_by_jobseeker ON access_log (jobseeker_id, seq);",
        )
    }

    fn apply(
        &mut self,
        transaction: &Transaction<'_>,
        event: &StoredEvent,
    ) -> Result<(), ProjectionError> {
        let Event::Access(AccessEvent::PersonalRecordRead(read)) = &event.event else {
            return Ok(());
        };
        // Delivered again (a resubscription's boundary): the event id is
        // already there.
        transaction
            .prepare_cached(
                "INSERT OR IGNORE INTO access_log
                    (event_id, jobseeker_id, reader_subject, reader_role, reader_office,
                     endpoint, read_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )?
            .execute(params![
                event.id.to_string(),
                read.jobseeker_id.to_string(),
                read.reader.subject,
                read.reader.role,
                read.reader.office.as_str(),
                read.endpoint,
                labex_domain::rfc3339_millis(read.read_at),
            ])?;
        Ok(())
    }
}

/// One page of a job seeker's reads, newest first, with one more when more
/// follow; each with its paging key.
pub fn reads_of(
    connection: &Connection,
    jobseeker_id: JobSeekerId,
    before: Option<i64>,
    limit: u32,
) -> rusqlite::Result<Vec<(i64, AccessEntry)>> {
    let mut statement = connection.prepare_cached(
        "SELECT seq, reader_subject, reader_role, reader_office, endpoint, read_at
         FROM access_log
         WHERE jobseeker_id = ?1 AND (?2 IS NULL OR seq < ?2)
         ORDER BY seq DESC
         LIMIT ?3",
    )?;
    let rows = statement.query_map(
        params![jobseeker_id.to_string(), before, i64::from(limit) + 1],
        |row| {
            Ok((
                row.get(0)?,
                AccessEntry {
                    reader: row.get(1)?,
                    role: row.get(2)?,
                    office: row.get(3)?,
                    endpoint: row.get(4)?,
                    read_at: row.get(5)?,
                },
            ))
        },
    )?;
    rows.collect()
}
