//! `labex backup DIR --keys-dir KEYS` and `labex restore DIR --keys-dir
//! KEYS` (decisions 083, 084): the event store copied online with SQLite's
//! backup API and the secrets beside it, the key table and its master key
//! into a folder apart; read models and the search index are left out,
//! since labex rebuilds them from the store when they are missing.
use std::path::{Path, PathBuf};

use labex_eventstore::backup::{backup_store, copy_database, copy_private_file};
use labex_web::{StartError, Starting};

/// The store's folder within a data folder (and a backup).
const STORE_FOLDER: &str = "eventstore";
/// What a backup says of itself.
const MANIFEST_FILE: &str = "BACKUP";

/// What a backup or restore copied.
pub struct Copied {
    /// Position of the last event of the store copied; none when the store
    /// is a `labex-store` of its own (backed up by `labex-store backup`).
    pub last_position: Option<u64>,
    /// Files copied besides the store's database.
    pub files: usize,
}

fn is_sqlite_companion(name: &str) -> bool {
    name.ends_with("-wal") || name.ends_with("-shm") || name.ends_with("-journal")
}

fn is_database(name: &str) -> bool {
    name.ends_with(".sqlite3") || name.ends_with(".sqlite")
}

fn files_of(folder: &Path) -> Result<Vec<(String, PathBuf)>, StartError> {
    let mut files = Vec::new();
    let entries = match std::fs::read_dir(folder) {
        Ok(entries) => entries,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(files),
        Err(error) => return Err(error).starting(&format!("cannot read {}", folder.display())),
    };
    for entry in entries {
        let entry = entry.starting(&format!("cannot read {}", folder.display()))?;
        let kind = entry
            .file_type()
            .starting(&format!("cannot read {}", folder.display()))?;
        if kind.is_file() {
            let name = entry.file_name().to_string_lossy().into_owned();
            files.push((name, entry.path()));
        }
    }
    files.sort();
    Ok(files)
}

/// Copies the keys folder: its databases consistently, its other files
/// (the master key) as they are.
fn copy_keys(from: &Path, to: &Path) -> Result<usize, StartError> {
    let mut copied = 0;
    for (name, path) in files_of(from)? {
        if is_sqlite_companion(&name) {
            continue;
        }
        let target = to.join(&name);
        if is_database(&name) {
            copy_database(&path, &target).starting(&format!("cannot copy {}", path.display()))?;
        } else {
            std::fs::create_dir_all(to).starting(&format!("cannot create {}", to.display()))?;
            copy_private_file(&path, &target)
                .starting(&format!("cannot copy {}", path.display()))?;
        }
        copied += 1;
    }
    Ok(copied)
}

/// Copies the secrets of a data folder: its own files (token secret,
/// rules, administrator token) and each service folder's `registry-key`.
fn copy_secrets(from: &Path, to: &Path) -> Result<usize, StartError> {
    let mut copied = 0;
    for (name, path) in files_of(from)? {
        if is_sqlite_companion(&name) || is_database(&name) || name == MANIFEST_FILE {
            continue;
        }
        copy_private_file(&path, &to.join(&name))
            .starting(&format!("cannot copy {}", path.display()))?;
        copied += 1;
    }
    let folders = std::fs::read_dir(from).starting(&format!("cannot read {}", from.display()))?;
    for folder in folders {
        let folder = folder.starting(&format!("cannot read {}", from.display()))?;
        let key = folder.path().join(labex_jobseekers::REGISTRY_KEY_FILE);
        if key.is_file() {
            let target = to.join(folder.file_name());
            std::fs::create_dir_all(&target)
                .starting(&format!("cannot create {}", target.display()))?;
            copy_private_file(&key, &target.join(labex_jobseekers::REGISTRY_KEY_FILE))
                .starting(&format!("cannot copy {}", key.display()))?;
            copied += 1;
        }
    }
    Ok(copied)
}

fn is_empty_folder(folder: &Path) -> Result<bool, StartError> {
    match std::fs::read_dir(folder) {
        Ok(mut entries) => Ok(entries.next().is_none()),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(true),
        Err(error) => Err(error).starting(&format!("cannot read {}", folder.display())),
    }
}

fn refuse_unless_empty(folder: &Path, what: &str) -> Result<(), StartError> {
    if is_empty_folder(folder)? {
        return Ok(());
    }
    Err(StartError::new(
        format!("{what} must be a new or empty folder"),
        format!("{} holds files", folder.display()),
    ))
}

/// Whether `inner` is `outer` or lies within it (as far as their paths
/// tell).
fn is_within(inner: &Path, outer: &Path) -> bool {
    let absolute = |path: &Path| std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    absolute(inner).starts_with(absolute(outer))
}

/// `labex backup DIR --keys-dir KEYS`: the store of `data` (served or not)
/// and its secrets copied into the new folder `destination`, and the key
/// table with its master key (in `keys`) into the new folder
/// `keys_destination`, apart (decision 050: no one backup holds both the
/// sealed personal data and its keys); with `external_store` (labex talks to
/// a `labex-store` of its own) all but the store.
pub fn backup(
    data: &Path,
    keys: &Path,
    destination: &Path,
    keys_destination: &Path,
    external_store: bool,
) -> Result<Copied, StartError> {
    if is_within(keys_destination, destination) || is_within(destination, keys_destination) {
        return Err(StartError::new(
            "the keys must be backed up apart from the store",
            "give --keys-dir a folder outside the backup folder (decision 050)",
        ));
    }
    refuse_unless_empty(destination, "the backup folder")?;
    refuse_unless_empty(keys_destination, "the keys' backup folder")?;
    for folder in [destination, keys_destination] {
        let mut builder = std::fs::DirBuilder::new();
        builder.recursive(true);
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
        builder
            .create(folder)
            .starting(&format!("cannot create {}", folder.display()))?;
    }
    let store = data.join(STORE_FOLDER);
    let embedded = store
        .join(labex_eventstore::backup::DATABASE_FILE)
        .is_file();
    if !embedded && !external_store {
        return Err(StartError::new(
            "nothing to back up",
            format!("{} holds no event store", data.display()),
        ));
    }
    let last_position = if embedded && !external_store {
        let copy = backup_store(&store, &destination.join(STORE_FOLDER))
            .starting("cannot copy the event store")?;
        Some(copy.last_position)
    } else {
        None
    };
    let mut files = copy_keys(keys, keys_destination)?;
    files += copy_secrets(data, destination)?;
    let store_line = match last_position {
        Some(position) => format!("last position {position}"),
        None => "store external (back it up with labex-store backup)".to_owned(),
    };
    let manifest = format!(
        "labex backup\nversion {}\n{store_line}\nfiles besides the store {files}\n",
        env!("CARGO_PKG_VERSION"),
    );
    std::fs::write(destination.join(MANIFEST_FILE), manifest)
        .starting("cannot write the backup's manifest")?;
    Ok(Copied {
        last_position,
        files,
    })
}

/// `labex restore DIR`: a backup copied into the empty data folder `data`
/// (and the keys' backup `keys_backup` into the empty keys folder `keys`).
pub fn restore(
    backup: &Path,
    keys_backup: &Path,
    data: &Path,
    keys: &Path,
) -> Result<Copied, StartError> {
    if !backup.join(MANIFEST_FILE).is_file() {
        return Err(StartError::new(
            "not a labex backup",
            format!("{} has no {MANIFEST_FILE} file", backup.display()),
        ));
    }
    refuse_unless_empty(data, "the data folder to restore into")?;
    refuse_unless_empty(keys, "the keys folder to restore into")?;
    // A backup of a labex whose store is its own has no store in it.
    let last_position = if backup.join(STORE_FOLDER).is_dir() {
        let copy = backup_store(&backup.join(STORE_FOLDER), &data.join(STORE_FOLDER))
            .starting("cannot restore the event store")?;
        Some(copy.last_position)
    } else {
        None
    };
    let mut files = copy_keys(keys_backup, keys)?;
    files += copy_secrets(backup, data)?;
    Ok(Copied {
        last_position,
        files,
    })
}
