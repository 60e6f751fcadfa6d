//! The SQLite schema and how connections are opened.

use std::path::Path;

use rusqlite::{Connection, OpenFlags};

/// Version of the schema below, kept in `PRAGMA user_version`.
const SCHEMA_VERSION: i64 = 1;

const SCHEMA: &str = r#"
CREATE TABLE IF NOT EXISTS streams (
    id              INTEGER PRIMARY KEY,
    name            TEXT NOT NULL UNIQUE,
    -- revision of the last event; NULL while the stream has none
    last_revision   INTEGER,
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

pub(crate) const DATABASE_FILE: &str = "events.sqlite3";

/// WAL pages (4 KiB) after which the writer checkpoints by itself.
const WRITER_CHECKPOINT_PAGES: i64 = 65_536;

fn configure(connection: &Connection) -> rusqlite::Result<()> {
    connection.busy_timeout(std::time::Duration::from_secs(30))?;
    connection.pragma_update(None, "synchronous", "FULL")?;
    connection.pragma_update(None, "cache_size", -16_000)?;
    connection.pragma_update(None, "temp_store", "MEMORY")?;
    Ok(())
}

/// Opens the writer's connection, creating the database and schema if needed.
pub(crate) fn open_writer(directory: &Path) -> rusqlite::Result<Connection> {
    let connection = Connection::open(directory.join(DATABASE_FILE))?;
    connection.pragma_update(None, "journal_mode", "WAL")?;
    configure(&connection)?;
    // The checkpointer thread copies the WAL into the database in the
    // background; the writer checkpoints itself only if the WAL grows far
    // beyond that (a long reader holding the checkpoint back, say).
    connection.pragma_update(None, "wal_autocheckpoint", WRITER_CHECKPOINT_PAGES)?;
    let version: i64 = connection.pragma_query_value(None, "user_version", |row| row.get(0))?;
    if version > SCHEMA_VERSION {
        return Err(rusqlite::Error::InvalidParameterName(format!(
            "the database was written by a newer labex-store (schema {version}, this one knows {SCHEMA_VERSION})"
        )));
    }
    connection.execute_batch(SCHEMA)?;
    connection.pragma_update(None, "user_version", SCHEMA_VERSION)?;
    Ok(connection)
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
    let connection = Connection::open_with_flags(
        directory.join(DATABASE_FILE),
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    configure(&connection)?;
    connection.pragma_update(None, "wal_autocheckpoint", 0)?;
    Ok(connection)
}
