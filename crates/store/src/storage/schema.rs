//! The SQLite schema and how connections are opened.

use std::path::Path;

use rusqlite::{Connection, OpenFlags};

use super::model::{StreamInfo, StreamMetadata};

/// Version of the schema below, kept in `PRAGMA user_version`.
const SCHEMA_VERSION: i64 = 2;

const SCHEMA: &str = r#"
CREATE TABLE IF NOT EXISTS streams (
    id              INTEGER PRIMARY KEY,
    name            TEXT NOT NULL UNIQUE,
    -- the last revision is not kept here: it is the greatest revision of
    -- the stream's events (one seek in events_by_stream), so that an
    -- append does not dirty a page of this table too
    soft_deleted    INTEGER NOT NULL DEFAULT 0,
    tombstoned      INTEGER NOT NULL DEFAULT 0,
    -- from the latest event of the stream's $$ metadata stream
    max_count       INTEGER,
    max_age         INTEGER,
    truncate_before INTEGER
);

CREATE TABLE IF NOT EXISTS events (
    -- position in $all, assigned by the single writer, only ever growing
    position        INTEGER PRIMARY KEY,
    stream          INTEGER NOT NULL REFERENCES streams(id),
    revision        INTEGER NOT NULL,
    event_id        BLOB NOT NULL,
    event_type      TEXT NOT NULL,
    content_type    TEXT NOT NULL,
    custom_metadata BLOB NOT NULL,
    data            BLOB NOT NULL,
    -- .NET ticks since the Unix epoch
    created         INTEGER NOT NULL
);

CREATE UNIQUE INDEX IF NOT EXISTS events_by_stream ON events(stream, revision);

-- state that components of the store keep beside the events (persistent
-- subscriptions, for example), written in the same group commits
CREATE TABLE IF NOT EXISTS kv (
    namespace TEXT NOT NULL,
    key       TEXT NOT NULL,
    value     BLOB NOT NULL,
    PRIMARY KEY (namespace, key)
) WITHOUT ROWID;
"#;

/// The database file in the store's folder.
pub const DATABASE_FILE: &str = "events.sqlite3";

/// A stream's id and what [`stream_of_row`] reads, by name (`?1`). Its
/// last revision is the greatest of its events'.
pub(crate) const SELECT_STREAM: &str =
    "SELECT id, (SELECT max(revision) FROM events WHERE stream = streams.id),
        soft_deleted, tombstoned, max_count, max_age, truncate_before
 FROM streams WHERE name = ?1";

/// The id and [`StreamInfo`] of stream `name` from a row of [`SELECT_STREAM`].
pub(crate) fn stream_of_row(
    name: &str,
    row: &rusqlite::Row<'_>,
) -> rusqlite::Result<(i64, StreamInfo)> {
    Ok((
        row.get(0)?,
        StreamInfo {
            name: name.to_owned(),
            last_revision: row.get(1)?,
            soft_deleted: row.get(2)?,
            tombstoned: row.get(3)?,
            metadata: StreamMetadata {
                max_count: row.get(4)?,
                max_age: row.get(5)?,
                truncate_before: row.get(6)?,
            },
        },
    ))
}

/// WAL pages (4 KiB) past which the checkpointer makes the WAL start again
/// from its beginning (decision 021, 080): 16 MiB, filled in about a second
/// at 2,000 appends/s. Past its first fill, commits overwrite blocks the WAL
/// already has instead of growing the file, so that a commit's `fdatasync`
/// needs no journal commit of the file system.
pub(crate) const WAL_RESTART_PAGES: i64 = 4_096;

fn configure(connection: &Connection) -> rusqlite::Result<()> {
    connection.busy_timeout(std::time::Duration::from_secs(30))?;
    connection.pragma_update(None, "synchronous", "FULL")?;
    connection.pragma_update(None, "cache_size", -16_000)?;
    connection.pragma_update(None, "temp_store", "MEMORY")?;
    Ok(())
}

/// Opens the writer's connection, creating the database and schema if needed.
pub(crate) fn open_writer(directory: &Path) -> rusqlite::Result<Connection> {
    let mut connection = Connection::open(directory.join(DATABASE_FILE))?;
    connection.pragma_update(None, "journal_mode", "WAL")?;
    configure(&connection)?;
    // The writer never checkpoints: a checkpoint in a commit holds every
    // append of the batch (and those waiting behind it) for a copy and two
    // syncs. The checkpointer thread copies the WAL and bounds it.
    connection.pragma_update(None, "wal_autocheckpoint", 0)?;
    // The checkpointer holds the write lock for a moment when it bounds the
    // WAL: retry often rather than in SQLite's steps of 1, 2, 5, 10 ms.
    connection.busy_handler(Some(writer_busy))?;
    let version: i64 = connection.pragma_query_value(None, "user_version", |row| row.get(0))?;
    if version > SCHEMA_VERSION {
        return Err(rusqlite::Error::InvalidParameterName(format!(
            "the database was written by a newer labex-store (schema {version}, this one knows {SCHEMA_VERSION})"
        )));
    }
    connection.execute_batch(SCHEMA)?;
    if version == 1 {
        // Version 1 kept each stream's last revision in `streams`.
        connection.execute_batch("ALTER TABLE streams DROP COLUMN last_revision")?;
    }
    connection.pragma_update(None, "user_version", SCHEMA_VERSION)?;
    Ok(connection)
}

/// The writer's wait for a lock the checkpointer holds: 50 µs steps for
/// the first 20 ms, then 1 ms steps, giving up after about 30 s.
fn writer_busy(tries: i32) -> bool {
    let pause = if tries < 400 {
        std::time::Duration::from_micros(50)
    } else {
        std::time::Duration::from_millis(1)
    };
    std::thread::sleep(pause);
    tries < 30_400
}

/// The checkpointer's wait for the write lock or for a reader when it bounds
/// the WAL: a few short tries, since it holds the write lock while waiting
/// for readers; it tries again at its next round.
fn checkpointer_busy(tries: i32) -> bool {
    std::thread::sleep(std::time::Duration::from_micros(100));
    tries < 20
}

/// Opens a read-only connection for the reader pool.
pub(crate) fn open_reader(directory: &Path) -> rusqlite::Result<Connection> {
    let connection = Connection::open_with_flags(
        directory.join(DATABASE_FILE),
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    configure(&connection)?;
    Ok(connection)
}

/// Opens the checkpointer's connection to a database the writer created.
pub(crate) fn open_checkpointer(directory: &Path) -> rusqlite::Result<Connection> {
    let mut connection = Connection::open_with_flags(
        directory.join(DATABASE_FILE),
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    configure(&connection)?;
    connection.pragma_update(None, "wal_autocheckpoint", 0)?;
    connection.busy_handler(Some(checkpointer_busy))?;
    Ok(connection)
}

#[cfg(test)]
mod tests {
    use bytes::Bytes;
    use uuid::Uuid;

    use super::DATABASE_FILE;
    use crate::storage::{CurrentRevision, ExpectedRevision, ProposedEvent, Storage};

    /// A database as version 1 of the schema left it: the stream's last
    /// revision in `streams`, a soft-deleted stream beside a live one.
    fn version_1_database(directory: &std::path::Path) {
        let connection = rusqlite::Connection::open(directory.join(DATABASE_FILE)).unwrap();
        connection
            .execute_batch(
                "PRAGMA journal_mode = WAL;
                 CREATE TABLE streams (
                     id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, last_revision INTEGER,
                     soft_deleted INTEGER NOT NULL DEFAULT 0, tombstoned INTEGER NOT NULL DEFAULT 0,
                     max_count INTEGER, max_age INTEGER, truncate_before INTEGER);
                 CREATE TABLE events (
                     position INTEGER PRIMARY KEY, stream INTEGER NOT NULL REFERENCES streams(id),
                     revision INTEGER NOT NULL, event_id BLOB NOT NULL, event_type TEXT NOT NULL,
                     content_type TEXT NOT NULL, custom_metadata BLOB NOT NULL, data BLOB NOT NULL,
                     created INTEGER NOT NULL);
                 CREATE UNIQUE INDEX events_by_stream ON events(stream, revision);
                 INSERT INTO streams (id, name, last_revision) VALUES (1, 'order-1', 2);
                 INSERT INTO streams (id, name, last_revision, soft_deleted) VALUES (2, 'order-2', 0, 1);
                 PRAGMA user_version = 1;",
            )
            .unwrap();
        let mut insert = connection
            .prepare("INSERT INTO events VALUES (?1, ?2, ?3, ?4, 'Placed', 'application/json', x'', x'7B7D', 0)")
            .unwrap();
        for (position, stream, revision) in [(1, 1, 0), (2, 1, 1), (3, 2, 0), (4, 1, 2)] {
            insert
                .execute(rusqlite::params![
                    position,
                    stream,
                    revision,
                    Uuid::new_v4().as_bytes()
                ])
                .unwrap();
        }
    }

    fn event() -> ProposedEvent {
        ProposedEvent {
            id: Uuid::new_v4(),
            event_type: "Placed".into(),
            content_type: "application/json".into(),
            custom_metadata: Bytes::new(),
            data: Bytes::from_static(b"{}"),
        }
    }

    #[tokio::test]
    async fn a_version_1_store_opens_with_its_streams_where_they_were() {
        let directory = tempfile::tempdir().unwrap();
        version_1_database(directory.path());

        let storage = Storage::open(directory.path()).unwrap();
        let info = storage
            .read_blocking(|reader| reader.stream_info("order-1"))
            .unwrap()
            .expect("the stream is still there");
        assert_eq!(info.last_revision, Some(2));
        let outcome = storage
            .append("order-1".into(), ExpectedRevision::Exact(2), vec![event()])
            .await
            .unwrap();
        assert_eq!(outcome.current_revision, CurrentRevision::Current(3));
        assert_eq!(outcome.position, Some(5));

        // The soft-deleted stream continues after its last revision.
        let deleted = storage
            .read_blocking(|reader| reader.stream_info("order-2"))
            .unwrap()
            .unwrap();
        assert!(deleted.soft_deleted);
        let outcome = storage
            .append("order-2".into(), ExpectedRevision::Any, vec![event()])
            .await
            .unwrap();
        assert_eq!(outcome.current_revision, CurrentRevision::Current(1));
        let revived = storage
            .read_blocking(|reader| reader.stream_info("order-2"))
            .unwrap()
            .unwrap();
        assert!(!revived.soft_deleted);
        assert_eq!(revived.last_revision, Some(1));
    }
}
