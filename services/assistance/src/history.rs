//! `as_of` for the lists: a read model's table `<t>` keeps beside it
//! `<t>_history`, every version of each row with the moment of the event
//! that wrote it (`history_at`, RFC 3339 as `rfc3339_millis` writes it).
//! A list at a past moment runs the same query over [`source`]: for each
//! id, its last version written at or before the moment. Rows are never
//! deleted, so a record absent then is simply not there.
//!
//! Personal data is never more in the history than in the current row
//! (decision 092): each write sets a personal column of every version to
//! the current row's, so that an erasure there erases every version too.

use rusqlite::Transaction;

/// Creates `<table>_history` with `table`'s columns, `history_at` and an
/// index by id and moment. `table` must exist.
pub fn create(transaction: &Transaction<'_>, table: &str) -> rusqlite::Result<()> {
    transaction.execute_batch(&format!(
        "CREATE TABLE IF NOT EXISTS {table}_history AS
             SELECT *, '' AS history_at FROM {table} WHERE 0;
         CREATE INDEX IF NOT EXISTS {table}_history_by_id ON {table}_history (id, history_at);"
    ))
}

/// Drops `<table>_history` (for a rebuild).
pub fn drop(transaction: &Transaction<'_>, table: &str) -> rusqlite::Result<()> {
    transaction.execute_batch(&format!("DROP TABLE IF EXISTS {table}_history;"))
}

/// Keeps the current version of row `id` of `table`, written at `at`, and
/// sets the `personal` columns of all its versions to the current row's.
pub fn record(
    transaction: &Transaction<'_>,
    table: &str,
    id: &str,
    at: &str,
    personal: &[&str],
) -> rusqlite::Result<()> {
    transaction
        .prepare_cached(&format!(
            "INSERT INTO {table}_history SELECT *, ?2 FROM {table} WHERE id = ?1"
        ))?
        .execute([id, at])?;
    for column in personal {
        transaction
            .prepare_cached(&format!(
                "UPDATE {table}_history
                 SET {column} = (SELECT {column} FROM {table} WHERE id = ?1)
                 WHERE id = ?1"
            ))?
            .execute([id])?;
    }
    Ok(())
}

/// What a query selects from, named `table`: the table itself now, or at
/// `as_of` (as `rfc3339_millis` writes it) each row's last version then.
pub fn source(table: &str, as_of: Option<&str>) -> String {
    let Some(moment) = as_of else {
        return table.to_owned();
    };
    // Never anything else in the statement: a moment that is not one
    // selects nothing.
    let moment = if is_moment(moment) { moment } else { "" };
    format!(
        "(SELECT version.* FROM {table}_history AS version
          WHERE version.rowid = (SELECT max(rowid) FROM {table}_history
                                 WHERE id = version.id AND history_at <= '{moment}')) AS {table}"
    )
}

/// Whether `text` is only what a moment written by `rfc3339_millis` has
/// (so that it may stand in a statement as a literal).
fn is_moment(text: &str) -> bool {
    !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '-' | ':' | 'T' | '.' | 'Z' | '+'))
}
