//! Online copies of the store: SQLite's backup API copies every page of
//! the database within one read transaction, so the copy is the store as
//! of one commit (every event acknowledged before the copy began is in it),
//! while the writer goes on committing beside it (WAL readers do not block
//! the writer). Works from another process on the same data folder.

use std::path::Path;

use rusqlite::{Connection, OpenFlags};

use crate::auth::USERS_FILE;
use crate::storage::{Result, StoreError};

/// The store's database file in its folder.
pub use crate::storage::DATABASE_FILE;

/// What a backup of the store holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StoreBackup {
    /// Position of the last event in the copy (0 for an empty store).
    pub last_position: u64,
}

fn io_error(path: &Path, error: std::io::Error) -> StoreError {
    StoreError::BadRequest(format!("{}: {error}", path.display()))
}

/// Creates `folder` (and its parents) readable by the owner only.
fn private_folder(folder: &Path) -> Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder
        .create(folder)
        .map_err(|error| io_error(folder, error))
}

/// Copies the SQLite database `source` (which others may be writing) into
/// the new file `destination`, consistently, in one step.
pub fn copy_database(source: &Path, destination: &Path) -> Result<()> {
    if destination.exists() {
        return Err(StoreError::BadRequest(format!(
            "{} exists already: a backup goes into a new folder",
            destination.display()
        )));
    }
    if let Some(folder) = destination.parent() {
        private_folder(folder)?;
    }
    let from = Connection::open_with_flags(
        source,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    from.busy_timeout(std::time::Duration::from_secs(30))?;
    // Made 0600 before SQLite writes to it.
    let mut file = std::fs::OpenOptions::new();
    file.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut file, 0o600);
    file.open(destination)
        .map_err(|error| io_error(destination, error))?;
    let mut to = Connection::open(destination)?;
    {
        let backup = rusqlite::backup::Backup::new(&from, &mut to)?;
        // All pages in one step: one read transaction, so one snapshot.
        // A step that finds the source locked is tried again.
        let mut tries = 0;
        loop {
            match backup.step(-1)? {
                rusqlite::backup::StepResult::Done => break,
                rusqlite::backup::StepResult::More => {}
                _ => {
                    tries += 1;
                    if tries > 3_000 {
                        return Err(StoreError::CommitFailed(format!(
                            "{} stayed locked for the backup",
                            source.display()
                        )));
                    }
                    std::thread::sleep(std::time::Duration::from_millis(10));
                }
            }
        }
    }
    // The copy is a database of its own: its pages in its main file, synced.
    to.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
    drop(to);
    std::fs::File::open(destination)
        .and_then(|file| file.sync_all())
        .map_err(|error| io_error(destination, error))?;
    Ok(())
}

/// Backs up the store of `store_folder` (its database and users) into the
/// new folder `destination`, while it serves.
pub fn backup_store(store_folder: &Path, destination: &Path) -> Result<StoreBackup> {
    private_folder(destination)?;
    let database = destination.join(DATABASE_FILE);
    copy_database(&store_folder.join(DATABASE_FILE), &database)?;
    let users = store_folder.join(USERS_FILE);
    if users.exists() {
        copy_private_file(&users, &destination.join(USERS_FILE))?;
    }
    let copy = Connection::open_with_flags(&database, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    let last: Option<u64> =
        copy.query_row("SELECT MAX(position) FROM events", [], |row| row.get(0))?;
    Ok(StoreBackup {
        last_position: last.unwrap_or(0),
    })
}

/// Copies a small file (a key, a secret) into a new 0600 file, synced.
pub fn copy_private_file(source: &Path, destination: &Path) -> Result<()> {
    use std::io::Write;
    let content = std::fs::read(source).map_err(|error| io_error(source, error))?;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options
        .open(destination)
        .map_err(|error| io_error(destination, error))?;
    file.write_all(&content)
        .and_then(|()| file.sync_all())
        .map_err(|error| io_error(destination, error))
}
