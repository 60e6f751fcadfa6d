//! What every Labex process does for personal data before it touches a
//! file: files it creates are its owner's alone ([`restrict_file_modes`]:
//! folders 0700, files 0600, whoever creates them — SQLite, Tantivy, the
//! store), and the process's keyring of per-person data keys is opened
//! ([`open_keyring`]: the key table in `LABEX_KEYS`, by default
//! `<data>/keys`, its keys wrapped by `LABEX_MASTER_KEY` or the master key
//! generated into the keys folder at first start).

use std::path::{Path, PathBuf};

use labex_eventsourcing::{Keyring, MASTER_KEY_FILE, MasterKey, create_private_folder};

use crate::bootstrap::{StartError, Starting};

/// The folder of the key table under the data folder, unless
/// `LABEX_KEYS` names another.
pub const KEYS_FOLDER: &str = "keys";

/// Makes every file and folder this process creates from now on readable
/// and writable by its owner only (umask 077), and the data folder itself
/// 0700 (created so if missing).
pub fn restrict_file_modes(data: &Path) -> Result<(), StartError> {
    #[cfg(unix)]
    {
        use rustix::fs::Mode;
        rustix::process::umask(Mode::from_raw_mode(0o077));
        create_private_folder(data).starting("cannot create the data folder")?;
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(data, std::fs::Permissions::from_mode(0o700))
            .starting("cannot make the data folder private")?;
    }
    #[cfg(not(unix))]
    create_private_folder(data).starting("cannot create the data folder")?;
    Ok(())
}

/// The keys folder: `LABEX_KEYS` when set (every process of a deployment
/// that reads personal data must share it), else `<data>/keys`.
pub fn keys_folder(data: &Path) -> PathBuf {
    std::env::var_os("LABEX_KEYS")
        .filter(|value| !value.is_empty())
        .map_or_else(|| data.join(KEYS_FOLDER), PathBuf::from)
}

/// Opens the key table of `data`'s deployment and makes it the process's
/// keyring.
pub fn open_keyring(data: &Path) -> Result<&'static Keyring, StartError> {
    let folder = keys_folder(data);
    create_private_folder(&folder).starting("cannot create the keys folder")?;
    let configured = std::env::var("LABEX_MASTER_KEY")
        .ok()
        .filter(|value| !value.trim().is_empty());
    let master = MasterKey::load_or_generate(configured.as_deref(), &folder.join(MASTER_KEY_FILE))
        .starting("cannot read or make the master key (LABEX_MASTER_KEY)")?;
    let keyring = Keyring::open(&folder, master).starting("cannot open the key table")?;
    Keyring::install(keyring).map_err(|_| {
        StartError::new(
            "cannot install the keyring",
            "this process has a keyring already",
        )
    })
}
