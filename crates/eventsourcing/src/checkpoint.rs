//! Checkpoints kept in the read model's own SQLite database, so that a
//! projection's tables and its position in `$all` commit together.

use kurrentdb::Position;
use rusqlite::{Connection, OptionalExtension, params};

/// Creates the checkpoint table if it is not there.
pub(crate) fn create_table(connection: &Connection) -> rusqlite::Result<()> {
    connection.execute_batch(
        "CREATE TABLE IF NOT EXISTS labex_checkpoints (
            name TEXT PRIMARY KEY,
            commit_position INTEGER NOT NULL,
            prepare_position INTEGER NOT NULL,
            updated_at TEXT NOT NULL
        )",
    )
}

/// The position `name` has processed `$all` up to; `None` before its first
/// checkpoint.
pub fn read_checkpoint(connection: &Connection, name: &str) -> rusqlite::Result<Option<Position>> {
    create_table(connection)?;
    connection
        .query_row(
            "SELECT commit_position, prepare_position FROM labex_checkpoints WHERE name = ?1",
            params![name],
            |row| {
                Ok(Position {
                    commit: row.get(0)?,
                    prepare: row.get(1)?,
                })
            },
        )
        .optional()
}

/// Records that `name` has processed `$all` up to `position`; call it in
/// the transaction that wrote what those events changed.
pub(crate) fn write_checkpoint(
    connection: &Connection,
    name: &str,
    position: Position,
) -> rusqlite::Result<()> {
    connection.execute(
        "INSERT INTO labex_checkpoints (name, commit_position, prepare_position, updated_at)
         VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (name) DO UPDATE SET
            commit_position = excluded.commit_position,
            prepare_position = excluded.prepare_position,
            updated_at = excluded.updated_at",
        params![
            name,
            position.commit,
            position.prepare,
            chrono::Utc::now().to_rfc3339()
        ],
    )?;
    Ok(())
}

/// Forgets `name`'s checkpoint, so that its next start reads `$all` from
/// the beginning (a rebuild, or a test of redelivery). Do it while it is
/// stopped.
pub fn reset_checkpoint(connection: &Connection, name: &str) -> rusqlite::Result<()> {
    create_table(connection)?;
    connection.execute(
        "DELETE FROM labex_checkpoints WHERE name = ?1",
        params![name],
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_checkpoint_is_absent_then_written_then_overwritten_then_reset() {
        let connection = Connection::open_in_memory().unwrap();
        assert_eq!(read_checkpoint(&connection, "p").unwrap(), None);
        let first = Position {
            commit: 7,
            prepare: 6,
        };
        write_checkpoint(&connection, "p", first).unwrap();
        assert_eq!(read_checkpoint(&connection, "p").unwrap(), Some(first));
        let later = Position {
            commit: 9,
            prepare: 9,
        };
        write_checkpoint(&connection, "p", later).unwrap();
        assert_eq!(read_checkpoint(&connection, "p").unwrap(), Some(later));
        assert_eq!(read_checkpoint(&connection, "other").unwrap(), None);
        reset_checkpoint(&connection, "p").unwrap();
        assert_eq!(read_checkpoint(&connection, "p").unwrap(), None);
    }
}
