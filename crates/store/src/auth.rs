//! Users of the store and the check of their credentials on every call.
//!
//! Users live in the data folder's `users` file, one a line:
//! `NAME:$argon2id$…` (the password's salted Argon2id hash in PHC form),
//! readable by the owner only. `labex-store user add|remove` changes it;
//! a running store reads it again when it changes.
//!
//! Every call carries basic credentials (`authorization: Basic …`), as
//! KurrentDB's clients send them. As KurrentDB answers: no credentials is
//! `PERMISSION_DENIED` ("Access denied"), credentials that do not match a
//! user are `UNAUTHENTICATED`; the official Rust client maps both to
//! `Error::AccessDenied`, the Python client raises `AccessDeniedError` and
//! `UnauthenticatedError`. `ServerFeatures` and `Gossip` answer anyone, as
//! KurrentDB's do, since clients ask them before they authenticate anything.
//!
//! Argon2 is slow by design (tens of milliseconds), so a credential that
//! was verified once is remembered (by its SHA-256, never in clear) until
//! the users file changes; at most [`VERIFYING_AT_ONCE`] verifications run
//! at once, off the async threads.

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::SystemTime;

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use base64::Engine;
use parking_lot::Mutex;
use tokio::sync::Semaphore;

/// The users file, in the store's data folder.
pub const USERS_FILE: &str = "users";
/// Argon2 verifications running at once; the rest wait.
pub const VERIFYING_AT_ONCE: usize = 2;
/// Verified credentials remembered before the memory is emptied.
const REMEMBERED: usize = 10_000;
/// Shortest and longest password accepted by `user add`.
const PASSWORD_LENGTH: std::ops::RangeInclusive<usize> = 8..=1024;

/// Why a user could not be added or removed.
#[derive(Debug, thiserror::Error)]
pub enum UserError {
    #[error("a user name is 1 to 64 letters, digits, '.', '_', '-' or '@' (got {0:?})")]
    BadName(String),
    #[error("a password is 8 to 1,024 bytes, not blank and on one line")]
    BadPassword,
    #[error("no user {0} in {1}")]
    NoSuchUser(String, PathBuf),
    #[error("the users file {0} has a line that is not NAME:HASH (line {1})")]
    Corrupt(PathBuf, usize),
    #[error("cannot hash the password: {0}")]
    Hash(String),
    #[error("{0}: {1}")]
    Io(PathBuf, std::io::Error),
}

fn valid_name(name: &str) -> bool {
    (1..=64).contains(&name.len())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '@'))
}

/// The users file of a data folder.
#[derive(Debug, Clone)]
pub struct UserFile {
    path: PathBuf,
}

impl UserFile {
    /// The users file of the store whose database is in `directory`.
    pub fn in_folder(directory: &Path) -> UserFile {
        UserFile {
            path: directory.join(USERS_FILE),
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Whether the file exists and names at least one user.
    pub fn has_users(&self) -> Result<bool, UserError> {
        Ok(!self.load()?.is_empty())
    }

    /// The users and their password hashes; none if the file is missing.
    pub fn load(&self) -> Result<HashMap<String, String>, UserError> {
        let text = match std::fs::read_to_string(&self.path) {
            Ok(text) => text,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => String::new(),
            Err(error) => return Err(UserError::Io(self.path.clone(), error)),
        };
        let mut users = HashMap::new();
        for (index, line) in text.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            let Some((name, hash)) = line.split_once(':') else {
                return Err(UserError::Corrupt(self.path.clone(), index + 1));
            };
            if !valid_name(name) || PasswordHash::new(hash).is_err() {
                return Err(UserError::Corrupt(self.path.clone(), index + 1));
            }
            users.insert(name.to_owned(), hash.to_owned());
        }
        Ok(users)
    }

    /// Adds a user, or sets the password of one that exists.
    pub fn add(&self, name: &str, password: &str) -> Result<(), UserError> {
        if !valid_name(name) {
            return Err(UserError::BadName(name.to_owned()));
        }
        if !PASSWORD_LENGTH.contains(&password.len())
            || password.trim().is_empty()
            || password.contains(['\n', '\r'])
        {
            return Err(UserError::BadPassword);
        }
        let salt = SaltString::generate(&mut OsRng);
        let hash = argon2::Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map_err(|error| UserError::Hash(error.to_string()))?
            .to_string();
        let mut users = self.load()?;
        users.insert(name.to_owned(), hash);
        self.save(&users)
    }

    /// Removes a user.
    pub fn remove(&self, name: &str) -> Result<(), UserError> {
        let mut users = self.load()?;
        if users.remove(name).is_none() {
            return Err(UserError::NoSuchUser(name.to_owned(), self.path.clone()));
        }
        self.save(&users)
    }

    /// Writes the whole file anew (0600), then renames it into place.
    fn save(&self, users: &HashMap<String, String>) -> Result<(), UserError> {
        let io = |error| UserError::Io(self.path.clone(), error);
        if let Some(folder) = self.path.parent() {
            let mut builder = std::fs::DirBuilder::new();
            builder.recursive(true);
            #[cfg(unix)]
            std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
            builder.create(folder).map_err(io)?;
        }
        let mut names: Vec<_> = users.keys().collect();
        names.sort();
        let mut text = String::new();
        for name in names {
            text.push_str(name);
            text.push(':');
            text.push_str(&users[name]);
            text.push('\n');
        }
        let partial = self.path.with_extension("partial");
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create(true).truncate(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut file = options.open(&partial).map_err(io)?;
        file.write_all(text.as_bytes()).map_err(io)?;
        file.sync_all().map_err(io)?;
        std::fs::rename(&partial, &self.path).map_err(io)?;
        Ok(())
    }
}

/// What identifies one version of the users file.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Version(Option<(SystemTime, u64)>);

fn version_of(path: &Path) -> Version {
    Version(std::fs::metadata(path).ok().map(|metadata| {
        (
            metadata.modified().unwrap_or(SystemTime::UNIX_EPOCH),
            metadata.len(),
        )
    }))
}

struct Known {
    version: Version,
    users: Arc<HashMap<String, String>>,
    /// SHA-256 of verified `authorization` values, with their user.
    verified: HashMap<[u8; 32], String>,
}

/// Checks the credentials of calls against the users file.
#[derive(Clone)]
pub struct Authenticator {
    file: UserFile,
    known: Arc<Mutex<Known>>,
    verifying: Arc<Semaphore>,
    /// Argon2 verifications run so far.
    verifications: Arc<std::sync::atomic::AtomicU64>,
}

/// A call's credentials were refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// No credentials: `PERMISSION_DENIED`, KurrentDB's "Access denied".
    Missing,
    /// Credentials that match no user: `UNAUTHENTICATED`.
    Wrong,
}

impl Refusal {
    pub fn status(&self) -> tonic::Status {
        match self {
            Refusal::Missing => tonic::Status::permission_denied(
                "Access denied: this store requires a user's credentials on every call",
            ),
            Refusal::Wrong => tonic::Status::unauthenticated("Bad credentials"),
        }
    }
}

/// A hash verified when the user is unknown, so that an unknown user takes
/// as long to refuse as a wrong password.
fn decoy_hash() -> &'static str {
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DECOY.get_or_init(|| {
        let salt = SaltString::generate(&mut OsRng);
        argon2::Argon2::default()
            .hash_password(b"labex-store decoy password", &salt)
            .map(|hash| hash.to_string())
            .unwrap_or_default()
    })
}

impl Authenticator {
    /// An authenticator over the users file (which must name a user).
    pub fn new(file: UserFile) -> Result<Authenticator, UserError> {
        let version = version_of(file.path());
        let users = file.load()?;
        Ok(Authenticator {
            file,
            known: Arc::new(Mutex::new(Known {
                version,
                users: Arc::new(users),
                verified: HashMap::new(),
            })),
            verifying: Arc::new(Semaphore::new(VERIFYING_AT_ONCE)),
            verifications: Arc::default(),
        })
    }

    /// The users, read again if the file changed (which forgets every
    /// verified credential).
    fn users(&self) -> Arc<HashMap<String, String>> {
        let version = version_of(self.file.path());
        let mut known = self.known.lock();
        if known.version != version {
            match self.file.load() {
                Ok(users) => {
                    known.users = Arc::new(users);
                    known.verified.clear();
                    known.version = version;
                }
                // Keep the users as they were while the file cannot be read.
                Err(error) => tracing::warn!(%error, "cannot read the users file again"),
            }
        }
        known.users.clone()
    }

    /// How many Argon2 verifications have run (each credential is
    /// verified once, then remembered).
    pub fn verifications(&self) -> u64 {
        self.verifications
            .load(std::sync::atomic::Ordering::Relaxed)
    }

    /// The user whose credentials the `authorization` value carries.
    pub async fn check(&self, authorization: Option<&[u8]>) -> Result<String, Refusal> {
        let Some(header) = authorization else {
            return Err(Refusal::Missing);
        };
        let users = self.users();
        let digest: [u8; 32] = ring::digest::digest(&ring::digest::SHA256, header)
            .as_ref()
            .try_into()
            .map_err(|_| Refusal::Wrong)?;
        if let Some(user) = self.known.lock().verified.get(&digest) {
            return Ok(user.clone());
        }
        let (name, password) = parse_basic(header).ok_or(Refusal::Wrong)?;
        let hash = users
            .get(&name)
            .cloned()
            .unwrap_or_else(|| decoy_hash().to_owned());
        let known_user = users.contains_key(&name);
        let permit = self
            .verifying
            .clone()
            .acquire_owned()
            .await
            .map_err(|_| Refusal::Wrong)?;
        // Calls that arrived together with the same credentials (a client's
        // first burst) waited here for one another: the first verified
        // them, the others find them remembered.
        if let Some(user) = self.known.lock().verified.get(&digest) {
            return Ok(user.clone());
        }
        self.verifications
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        // Remembered before the permit is given back, so that a call
        // waiting for it finds the credentials verified.
        let known = self.known.clone();
        let remembered = name.clone();
        let accepted = tokio::task::spawn_blocking(move || {
            let _permit = permit;
            let matches = PasswordHash::new(&hash).is_ok_and(|hash| {
                argon2::Argon2::default()
                    .verify_password(password.as_bytes(), &hash)
                    .is_ok()
            });
            if !(matches && known_user) {
                return false;
            }
            let mut known = known.lock();
            if known.verified.len() >= REMEMBERED {
                known.verified.clear();
            }
            known.verified.insert(digest, remembered);
            true
        })
        .await
        .unwrap_or(false);
        if !accepted {
            return Err(Refusal::Wrong);
        }
        Ok(name)
    }
}

/// The user name and password of `Basic base64(name:password)`.
pub fn parse_basic(header: &[u8]) -> Option<(String, String)> {
    let header = std::str::from_utf8(header).ok()?;
    let (scheme, encoded) = header.trim().split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()?;
    let decoded = String::from_utf8(decoded).ok()?;
    let (name, password) = decoded.split_once(':')?;
    Some((name.to_owned(), password.to_owned()))
}

/// Paths of the services that answer without credentials, as KurrentDB's.
pub(crate) fn is_open_path(path: &str) -> bool {
    path.starts_with("/event_store.client.server_features.ServerFeatures/")
        || path.starts_with("/event_store.client.gossip.Gossip/")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn basic(name: &str, password: &str) -> Vec<u8> {
        format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(format!("{name}:{password}"))
        )
        .into_bytes()
    }

    #[tokio::test]
    async fn a_user_is_known_by_the_password_and_forgotten_when_removed() {
        let folder = tempfile::tempdir().unwrap();
        let file = UserFile::in_folder(folder.path());
        file.add("labex", "a long enough secret").unwrap();
        let text = std::fs::read_to_string(file.path()).unwrap();
        assert!(text.starts_with("labex:$argon2id$"), "{text}");
        assert!(!text.contains("a long enough secret"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(file.path()).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }

        let auth = Authenticator::new(file.clone()).unwrap();
        assert_eq!(
            auth.check(Some(&basic("labex", "a long enough secret")))
                .await
                .unwrap(),
            "labex"
        );
        assert_eq!(
            auth.check(Some(&basic("labex", "a wrong secret"))).await,
            Err(Refusal::Wrong)
        );
        assert_eq!(
            auth.check(Some(&basic("nobody", "a long enough secret")))
                .await,
            Err(Refusal::Wrong)
        );
        assert_eq!(auth.check(None).await, Err(Refusal::Missing));
        assert_eq!(auth.check(Some(b"Bearer abc")).await, Err(Refusal::Wrong));

        // The same credentials, remembered, are refused once the user is gone.
        file.add("other", "another long secret").unwrap();
        file.remove("labex").unwrap();
        assert_eq!(
            auth.check(Some(&basic("labex", "a long enough secret")))
                .await,
            Err(Refusal::Wrong)
        );
        assert!(matches!(
            file.remove("labex"),
            Err(UserError::NoSuchUser(..))
        ));
    }

    #[tokio::test]
    async fn credentials_arriving_together_are_verified_once() {
        let folder = tempfile::tempdir().unwrap();
        let file = UserFile::in_folder(folder.path());
        file.add("labex", "a long enough secret").unwrap();
        let auth = Arc::new(Authenticator::new(file).unwrap());
        // A client's first burst: many calls with the same credentials
        // before any of them was verified.
        let calls: Vec<_> = (0..32)
            .map(|_| {
                let auth = auth.clone();
                tokio::spawn(async move {
                    auth.check(Some(&basic("labex", "a long enough secret")))
                        .await
                })
            })
            .collect();
        for call in calls {
            assert_eq!(call.await.unwrap().unwrap(), "labex");
        }
        assert!(
            auth.verifications() <= VERIFYING_AT_ONCE as u64,
            "{} verifications",
            auth.verifications()
        );
        // A wrong password is verified (and refused) each time.
        for _ in 0..2 {
            assert_eq!(
                auth.check(Some(&basic("labex", "a wrong secret"))).await,
                Err(Refusal::Wrong)
            );
        }
        assert!(auth.verifications() <= VERIFYING_AT_ONCE as u64 + 2);
    }

    #[test]
    fn names_and_passwords_are_checked_before_anything_is_written() {
        let folder = tempfile::tempdir().unwrap();
        let file = UserFile::in_folder(folder.path());
        assert!(matches!(
            file.add("a:b", "long enough"),
            Err(UserError::BadName(_))
        ));
        assert!(matches!(
            file.add("", "long enough"),
            Err(UserError::BadName(_))
        ));
        assert!(matches!(
            file.add("user", "short"),
            Err(UserError::BadPassword)
        ));
        assert!(matches!(
            file.add("user", "two\nlines here"),
            Err(UserError::BadPassword)
        ));
        assert!(!file.path().exists());
    }
}
