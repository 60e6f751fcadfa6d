//! Data keys: one AES-256-GCM key per person (and per claim that names
//! one), kept in a key table of their own, each wrapped by the deployment's
//! master key, and destroyed for good when the person is erased.
//!
//! The key table is a SQLite database (`keys.sqlite3` in the keys folder,
//! `<data>/keys` unless `LABEX_KEYS` names one that every process of a
//! deployment shares) kept apart from the event store, so that the store,
//! its copies and its backups hold personal data only as ciphertext, and
//! destroying a key needs nothing of the store (decision 050). It runs with
//! `secure_delete` (a destroyed key's bytes are overwritten) in WAL mode,
//! and the WAL is truncated after each destruction. New keys are written
//! by one writer thread that commits whatever is waiting in one fsynced
//! transaction (a group commit), so that a key is durable before any event
//! sealed with it is appended.
//!
//! A process has one [`Keyring`]: [`Keyring::install`] sets it at start
//! (binaries do, for their data folder); everything that reads or writes
//! events in the process uses [`Keyring::process`]. Without an installed
//! one, the process gets a keyring in memory (tests, tools that write no
//! lasting data). Keys read are cached for [`CACHE_TTL`] so that reading a
//! person's events costs no table read most of the time.

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock, mpsc};
use std::time::{Duration, Instant};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use ring::aead::{AES_256_GCM, Aad, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};
use ring::hkdf;
use ring::hmac;
use ring::rand::{SecureRandom, SystemRandom};
use rusqlite::{Connection, OpenFlags, OptionalExtension, params};

/// The length of every key: 256 bits.
pub const KEY_LENGTH: usize = 32;

/// The key table's file in the keys folder.
pub const KEY_TABLE_FILE: &str = "keys.sqlite3";

/// The master key's file in the keys folder, when `LABEX_MASTER_KEY` is
/// not set: generated at first start, readable by its owner only.
pub const MASTER_KEY_FILE: &str = "master-key";

/// How long a key read stays cached. A process that did not destroy a key
/// forgets it at the latest this long after another process did.
pub const CACHE_TTL: Duration = Duration::from_secs(600);

/// The most keys cached at once; a full cache starts again empty.
const CACHE_CAPACITY: usize = 200_000;

/// Keys cached between two sweeps of those past [`CACHE_TTL`].
const PURGE_EVERY: usize = 1_024;

/// The most requests the writer commits in one transaction.
const WRITER_BATCH: usize = 512;

/// Why keys could not be had.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    /// The master key is not 32 bytes of standard base64.
    #[error("the master key is not 32 bytes in base64: {0}")]
    MasterKey(String),
    /// A wrapped key does not open with this master key: the master key is
    /// not the one the keys were made with, or the table is damaged.
    #[error("key {0} does not open with this master key")]
    Unwrap(String),
    /// The key table's database failed.
    #[error("key table: {0}")]
    Table(#[from] rusqlite::Error),
    /// A file could not be read or written.
    #[error("key files: {0}")]
    Io(#[from] std::io::Error),
    /// The key table's writer is gone.
    #[error("the key table's writer stopped")]
    WriterStopped,
}

/// The master key: it wraps every data key at rest.
pub struct MasterKey {
    key: LessSafeKey,
    /// Derives keys for other purposes (request digests).
    derive: hkdf::Prk,
}

impl MasterKey {
    /// The master key of 32 bytes.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, KeyError> {
        if bytes.len() != KEY_LENGTH {
            return Err(KeyError::MasterKey(format!(
                "{} bytes instead of {KEY_LENGTH}",
                bytes.len()
            )));
        }
        let key = UnboundKey::new(&AES_256_GCM, bytes)
            .map_err(|_| KeyError::MasterKey("not an AES-256 key".to_owned()))?;
        Ok(Self {
            key: LessSafeKey::new(key),
            derive: hkdf::Salt::new(hkdf::HKDF_SHA256, b"labex master key").extract(bytes),
        })
    }

    /// A new random master key (for a keyring in memory).
    pub fn generate() -> Self {
        Self::from_bytes(&random_bytes::<KEY_LENGTH>()).expect("32 random bytes are a key")
    }

    /// `configured` (base64 of 32 bytes, from `LABEX_MASTER_KEY`) when
    /// given; else the key in `file`, generated there at first start with
    /// mode 0600.
    pub fn load_or_generate(configured: Option<&str>, file: &Path) -> Result<Self, KeyError> {
        if let Some(text) = configured {
            return Self::from_base64(text);
        }
        match std::fs::read_to_string(file) {
            Ok(text) => return Self::from_base64(&text),
            Err(error) if error.kind() != std::io::ErrorKind::NotFound => return Err(error.into()),
            Err(_) => {}
        }
        let bytes = random_bytes::<KEY_LENGTH>();
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut created = options.open(file)?;
        created.write_all(STANDARD.encode(bytes).as_bytes())?;
        created.sync_all()?;
        Self::from_bytes(&bytes)
    }

    fn from_base64(text: &str) -> Result<Self, KeyError> {
        let bytes = STANDARD
            .decode(text.trim())
            .map_err(|error| KeyError::MasterKey(error.to_string()))?;
        Self::from_bytes(&bytes)
    }

    /// A key for `purpose`, derived from the master key (the same in every
    /// process that shares the master key).
    pub fn derived_hmac_key(&self, purpose: &str) -> hmac::Key {
        let info = [purpose.as_bytes()];
        let okm = self
            .derive
            .expand(&info, hmac::HMAC_SHA256)
            .expect("one HMAC key's length is within HKDF's bound");
        hmac::Key::from(okm)
    }

    fn wrap(&self, id: &str, raw: &[u8; KEY_LENGTH]) -> Vec<u8> {
        seal_with(&self.key, id.as_bytes(), raw)
    }

    fn unwrap(&self, id: &str, wrapped: &[u8]) -> Result<[u8; KEY_LENGTH], KeyError> {
        let raw = open_with(&self.key, id.as_bytes(), wrapped)
            .ok_or_else(|| KeyError::Unwrap(id.to_owned()))?;
        raw.try_into().map_err(|_| KeyError::Unwrap(id.to_owned()))
    }
}

/// One person's data key.
pub struct DataKey {
    key: LessSafeKey,
}

impl DataKey {
    fn from_raw(raw: &[u8; KEY_LENGTH]) -> Self {
        let key = UnboundKey::new(&AES_256_GCM, raw).expect("32 bytes are an AES-256 key");
        Self {
            key: LessSafeKey::new(key),
        }
    }

    /// `plaintext` encrypted and authenticated with `aad`: a random nonce
    /// followed by the ciphertext and its tag.
    pub fn seal(&self, aad: &[u8], plaintext: &[u8]) -> Vec<u8> {
        seal_with(&self.key, aad, plaintext)
    }

    /// What [`seal`](Self::seal) made of the same `aad`, or `None` when it
    /// does not open (another key, or altered).
    pub fn open(&self, aad: &[u8], sealed: &[u8]) -> Option<Vec<u8>> {
        open_with(&self.key, aad, sealed)
    }
}

fn seal_with(key: &LessSafeKey, aad: &[u8], plaintext: &[u8]) -> Vec<u8> {
    let nonce_bytes = random_bytes::<NONCE_LEN>();
    let mut sealed = Vec::with_capacity(NONCE_LEN + plaintext.len() + AES_256_GCM.tag_len());
    sealed.extend_from_slice(&nonce_bytes);
    let mut in_out = plaintext.to_vec();
    key.seal_in_place_append_tag(
        Nonce::assume_unique_for_key(nonce_bytes),
        Aad::from(aad),
        &mut in_out,
    )
    .expect("AES-GCM seals any message shorter than 64 GiB");
    sealed.extend_from_slice(&in_out);
    sealed
}

fn open_with(key: &LessSafeKey, aad: &[u8], sealed: &[u8]) -> Option<Vec<u8>> {
    if sealed.len() < NONCE_LEN + AES_256_GCM.tag_len() {
        return None;
    }
    let (nonce, ciphertext) = sealed.split_at(NONCE_LEN);
    let nonce = Nonce::try_assume_unique_for_key(nonce).ok()?;
    let mut in_out = ciphertext.to_vec();
    let plaintext = key.open_in_place(nonce, Aad::from(aad), &mut in_out).ok()?;
    Some(plaintext.to_vec())
}

fn random_bytes<const N: usize>() -> [u8; N] {
    let mut bytes = [0u8; N];
    SystemRandom::new()
        .fill(&mut bytes)
        .expect("the operating system's random source works");
    bytes
}

/// The data keys of a process: where they are kept, the master key that
/// wraps them, and a cache of those read.
pub struct Keyring {
    master: MasterKey,
    backend: Backend,
    cache: Mutex<HashMap<String, (Arc<DataKey>, Instant)>>,
}

enum Backend {
    /// Keys in memory only: lost at exit.
    Memory(Mutex<HashMap<String, Vec<u8>>>),
    /// The key table.
    Table(KeyTable),
}

static PROCESS_KEYRING: OnceLock<Keyring> = OnceLock::new();

impl Keyring {
    /// A keyring in memory, with a master key of its own: its keys are
    /// lost when it is dropped.
    pub fn in_memory() -> Self {
        Self {
            master: MasterKey::generate(),
            backend: Backend::Memory(Mutex::new(HashMap::new())),
            cache: Mutex::new(HashMap::new()),
        }
    }

    /// The key table in `folder` (created 0700 with its files 0600 if
    /// missing), its keys wrapped by `master`.
    pub fn open(folder: &Path, master: MasterKey) -> Result<Self, KeyError> {
        Ok(Self {
            master,
            backend: Backend::Table(KeyTable::open(folder)?),
            cache: Mutex::new(HashMap::new()),
        })
    }

    /// Makes `keyring` the process's; refused (handing it back) when one
    /// was installed or used already.
    pub fn install(keyring: Keyring) -> Result<&'static Keyring, Keyring> {
        let mut offered = Some(keyring);
        let installed = PROCESS_KEYRING.get_or_init(|| offered.take().expect("offered once"));
        match offered {
            None => Ok(installed),
            Some(refused) => Err(refused),
        }
    }

    /// The process's keyring: the installed one, else one in memory.
    pub fn process() -> &'static Keyring {
        PROCESS_KEYRING.get_or_init(Keyring::in_memory)
    }

    /// A key derived from the master key for `purpose` (request digests).
    pub fn derived_hmac_key(&self, purpose: &str) -> hmac::Key {
        self.master.derived_hmac_key(purpose)
    }

    /// The key `id`, if it exists (it was never made, or was destroyed).
    pub fn key(&self, id: &str) -> Result<Option<Arc<DataKey>>, KeyError> {
        if let Some(key) = self.cached(id) {
            return Ok(Some(key));
        }
        let wrapped = match &self.backend {
            Backend::Memory(keys) => keys.lock().expect("key map").get(id).cloned(),
            Backend::Table(table) => table.read(id)?,
        };
        let Some(wrapped) = wrapped else {
            return Ok(None);
        };
        let key = Arc::new(DataKey::from_raw(&self.master.unwrap(id, &wrapped)?));
        self.remember(id, key.clone());
        Ok(Some(key))
    }

    /// Makes sure each of `ids` has a key, making the missing ones: once
    /// this returns, every one of them is durable.
    pub async fn ensure(&self, ids: &[String]) -> Result<(), KeyError> {
        let missing = self.missing(ids)?;
        if missing.is_empty() {
            return Ok(());
        }
        match &self.backend {
            Backend::Memory(_) => self.create_in_memory(&missing),
            Backend::Table(table) => {
                let proposed = self.propose(&missing);
                let stored = table.create(proposed).await?;
                self.remember_all(stored)
            }
        }
    }

    /// Like [`ensure`](Self::ensure) for one key, waiting on this thread:
    /// for code that writes events outside the repository (tests, tools),
    /// which has not ensured its keys beforehand.
    pub fn ensure_blocking(&self, id: &str) -> Result<Arc<DataKey>, KeyError> {
        if let Some(key) = self.key(id)? {
            return Ok(key);
        }
        let missing = [id.to_owned()];
        match &self.backend {
            Backend::Memory(_) => self.create_in_memory(&missing)?,
            Backend::Table(table) => {
                let stored = table.create_blocking(self.propose(&missing))?;
                self.remember_all(stored)?;
            }
        }
        self.key(id)?.ok_or_else(|| KeyError::Unwrap(id.to_owned()))
    }

    /// Destroys the keys `ids` for good: everything sealed with them can no
    /// longer be read by anyone.
    pub async fn destroy(&self, ids: &[String]) -> Result<(), KeyError> {
        {
            let mut cache = self.cache.lock().expect("key cache");
            for id in ids {
                cache.remove(id);
            }
        }
        match &self.backend {
            Backend::Memory(keys) => {
                let mut keys = keys.lock().expect("key map");
                for id in ids {
                    keys.remove(id);
                }
                Ok(())
            }
            Backend::Table(table) => table.destroy(ids.to_vec()).await,
        }
    }

    fn missing(&self, ids: &[String]) -> Result<Vec<String>, KeyError> {
        let mut missing = Vec::new();
        for id in ids {
            if self.key(id)?.is_none() && !missing.contains(id) {
                missing.push(id.clone());
            }
        }
        Ok(missing)
    }

    fn propose(&self, ids: &[String]) -> Vec<(String, Vec<u8>)> {
        ids.iter()
            .map(|id| {
                (
                    id.clone(),
                    self.master.wrap(id, &random_bytes::<KEY_LENGTH>()),
                )
            })
            .collect()
    }

    fn create_in_memory(&self, ids: &[String]) -> Result<(), KeyError> {
        let Backend::Memory(keys) = &self.backend else {
            unreachable!("called for the memory backend only");
        };
        let proposed = self.propose(ids);
        let mut keys = keys.lock().expect("key map");
        for (id, wrapped) in proposed {
            keys.entry(id).or_insert(wrapped);
        }
        Ok(())
    }

    fn remember_all(&self, stored: Vec<(String, Vec<u8>)>) -> Result<(), KeyError> {
        for (id, wrapped) in stored {
            let key = Arc::new(DataKey::from_raw(&self.master.unwrap(&id, &wrapped)?));
            self.remember(&id, key);
        }
        Ok(())
    }

    fn cached(&self, id: &str) -> Option<Arc<DataKey>> {
        let mut cache = self.cache.lock().expect("key cache");
        match cache.get(id) {
            Some((key, at)) if at.elapsed() < CACHE_TTL => Some(key.clone()),
            Some(_) => {
                cache.remove(id);
                None
            }
            None => None,
        }
    }

    fn remember(&self, id: &str, key: Arc<DataKey>) {
        let mut cache = self.cache.lock().expect("key cache");
        // Keys of people nobody reads again would otherwise stay until the
        // cache is full: every so often those past their time go.
        if cache.len() % PURGE_EVERY == PURGE_EVERY - 1 {
            cache.retain(|_, (_, at)| at.elapsed() < CACHE_TTL);
        }
        if cache.len() >= CACHE_CAPACITY {
            cache.clear();
        }
        cache.insert(id.to_owned(), (key, Instant::now()));
    }
}

/// The key table: a writer thread for new and destroyed keys, and read
/// connections for lookups.
struct KeyTable {
    path: PathBuf,
    writer: Mutex<mpsc::Sender<Job>>,
    readers: Mutex<Vec<Connection>>,
}

/// What the writer thread is asked.
enum Job {
    /// Insert these keys unless their ids exist; answer each id's stored
    /// key (the one inserted, or the one there before).
    Create(Vec<(String, Vec<u8>)>, Reply<Vec<(String, Vec<u8>)>>),
    /// Delete these keys and truncate the WAL.
    Destroy(Vec<String>, Reply<()>),
}

enum Reply<T> {
    Async(tokio::sync::oneshot::Sender<Result<T, KeyError>>),
    Blocking(mpsc::Sender<Result<T, KeyError>>),
}

impl<T> Reply<T> {
    fn send(self, outcome: Result<T, KeyError>) {
        match self {
            Self::Async(sender) => {
                let _ = sender.send(outcome);
            }
            Self::Blocking(sender) => {
                let _ = sender.send(outcome);
            }
        }
    }
}

impl KeyTable {
    fn open(folder: &Path) -> Result<Self, KeyError> {
        create_private_folder(folder)?;
        let path = folder.join(KEY_TABLE_FILE);
        create_private_file(&path)?;
        let connection = Connection::open(&path)?;
        connection.pragma_update(None, "journal_mode", "WAL")?;
        // A key must be on disk before any event sealed with it is.
        connection.pragma_update(None, "synchronous", "FULL")?;
        connection.pragma_update(None, "secure_delete", "ON")?;
        connection.busy_timeout(Duration::from_secs(10))?;
        connection.execute_batch(
            "CREATE TABLE IF NOT EXISTS data_keys (
                id TEXT PRIMARY KEY,
                wrapped BLOB NOT NULL,
                created_at INTEGER NOT NULL
            ) WITHOUT ROWID;",
        )?;
        let (sender, receiver) = mpsc::channel();
        std::thread::Builder::new()
            .name("labex-keys".to_owned())
            .spawn(move || run_writer(connection, receiver))?;
        Ok(Self {
            path,
            writer: Mutex::new(sender),
            readers: Mutex::new(Vec::new()),
        })
    }

    fn read(&self, id: &str) -> Result<Option<Vec<u8>>, KeyError> {
        let connection = match self.readers.lock().expect("key readers").pop() {
            Some(connection) => connection,
            None => {
                let connection = Connection::open_with_flags(
                    &self.path,
                    OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
                )?;
                connection.busy_timeout(Duration::from_secs(10))?;
                connection
            }
        };
        let wrapped = connection
            .prepare_cached("SELECT wrapped FROM data_keys WHERE id = ?1")?
            .query_row([id], |row| row.get(0))
            .optional();
        let mut readers = self.readers.lock().expect("key readers");
        if readers.len() < 16 {
            readers.push(connection);
        }
        Ok(wrapped?)
    }

    fn send(&self, job: Job) -> Result<(), KeyError> {
        self.writer
            .lock()
            .expect("key writer")
            .send(job)
            .map_err(|_| KeyError::WriterStopped)
    }

    async fn create(
        &self,
        proposed: Vec<(String, Vec<u8>)>,
    ) -> Result<Vec<(String, Vec<u8>)>, KeyError> {
        let (sender, receiver) = tokio::sync::oneshot::channel();
        self.send(Job::Create(proposed, Reply::Async(sender)))?;
        receiver.await.map_err(|_| KeyError::WriterStopped)?
    }

    fn create_blocking(
        &self,
        proposed: Vec<(String, Vec<u8>)>,
    ) -> Result<Vec<(String, Vec<u8>)>, KeyError> {
        let (sender, receiver) = mpsc::channel();
        self.send(Job::Create(proposed, Reply::Blocking(sender)))?;
        receiver.recv().map_err(|_| KeyError::WriterStopped)?
    }

    async fn destroy(&self, ids: Vec<String>) -> Result<(), KeyError> {
        let (sender, receiver) = tokio::sync::oneshot::channel();
        self.send(Job::Destroy(ids, Reply::Async(sender)))?;
        receiver.await.map_err(|_| KeyError::WriterStopped)?
    }
}

/// The writer thread: whatever keys wait are inserted in one transaction,
/// committed (fsynced) once, then every waiting request is answered.
fn run_writer(mut connection: Connection, jobs: mpsc::Receiver<Job>) {
    while let Ok(first) = jobs.recv() {
        let mut creates = Vec::new();
        let mut destroys = Vec::new();
        let mut next = Some(first);
        while let Some(job) = next.take() {
            match job {
                Job::Create(proposed, reply) => creates.push((proposed, reply)),
                Job::Destroy(ids, reply) => destroys.push((ids, reply)),
            }
            if creates.len() + destroys.len() < WRITER_BATCH {
                next = jobs.try_recv().ok();
            }
        }
        if !creates.is_empty() {
            let proposed: Vec<_> = creates.iter().map(|(proposed, _)| proposed).collect();
            match insert_keys(&mut connection, &proposed) {
                Ok(mut stored) => {
                    for (_, reply) in creates.into_iter().rev() {
                        reply.send(Ok(stored.pop().unwrap_or_default()));
                    }
                }
                Err(error) => {
                    tracing::error!(%error, "cannot write new data keys");
                    for (_, reply) in creates {
                        reply.send(Err(KeyError::WriterStopped));
                    }
                }
            }
        }
        for (ids, reply) in destroys {
            reply.send(delete_keys(&mut connection, &ids));
        }
    }
}

/// Keys as the table keeps them: a key id and its wrapped bytes.
type WrappedKeys = Vec<(String, Vec<u8>)>;

/// Inserts each batch's keys unless present, and reads back what is
/// stored for each id, per batch.
fn insert_keys(
    connection: &mut Connection,
    batches: &[&WrappedKeys],
) -> rusqlite::Result<Vec<WrappedKeys>> {
    let transaction = connection.transaction()?;
    let created_at = chrono::Utc::now().timestamp();
    let mut stored = Vec::with_capacity(batches.len());
    for batch in batches {
        let mut answer = Vec::with_capacity(batch.len());
        for (id, wrapped) in batch.iter() {
            transaction
                .prepare_cached(
                    "INSERT OR IGNORE INTO data_keys (id, wrapped, created_at) VALUES (?1, ?2, ?3)",
                )?
                .execute(params![id, wrapped, created_at])?;
            let kept: Vec<u8> = transaction
                .prepare_cached("SELECT wrapped FROM data_keys WHERE id = ?1")?
                .query_row([id], |row| row.get(0))?;
            answer.push((id.clone(), kept));
        }
        stored.push(answer);
    }
    transaction.commit()?;
    Ok(stored)
}

/// Deletes keys (their bytes overwritten: `secure_delete`) and truncates
/// the WAL, whose older frames still held them.
fn delete_keys(connection: &mut Connection, ids: &[String]) -> Result<(), KeyError> {
    let transaction = connection.transaction()?;
    for id in ids {
        transaction
            .prepare_cached("DELETE FROM data_keys WHERE id = ?1")?
            .execute([id])?;
    }
    transaction.commit()?;
    truncate_wal(connection)?;
    Ok(())
}

/// Copies the WAL into the database and truncates it to nothing, retrying
/// while readers hold it.
pub(crate) fn truncate_wal(connection: &Connection) -> rusqlite::Result<()> {
    for attempt in 0..50 {
        let busy: i64 =
            connection.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |row| row.get(0))?;
        if busy == 0 {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(10 * (attempt + 1)));
    }
    tracing::warn!("the WAL could not be truncated: readers held it");
    Ok(())
}

/// Creates `folder` (and its parents) readable by its owner only.
pub fn create_private_folder(folder: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(folder)
}

/// Creates `file` empty, readable by its owner only, unless it exists.
fn create_private_file(file: &Path) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(false);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(file).map(drop)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_message_opens_with_its_key_and_aad_only() {
        let key = DataKey::from_raw(&random_bytes());
        let other = DataKey::from_raw(&random_bytes());
        let sealed = key.seal(b"aad", "李娜".as_bytes());
        assert_eq!(key.open(b"aad", &sealed).unwrap(), "李娜".as_bytes());
        assert!(key.open(b"other aad", &sealed).is_none());
        assert!(other.open(b"aad", &sealed).is_none());
        assert!(!sealed.windows(6).any(|window| window == "李娜".as_bytes()));
    }

    #[test]
    fn a_master_key_is_generated_once_owner_only_and_read_back() {
        let folder = tempfile::tempdir().unwrap();
        let file = folder.path().join(MASTER_KEY_FILE);
        let first = MasterKey::load_or_generate(None, &file).unwrap();
        let wrapped = first.wrap("k", &[7; KEY_LENGTH]);
        let again = MasterKey::load_or_generate(None, &file).unwrap();
        assert_eq!(again.unwrap("k", &wrapped).unwrap(), [7; KEY_LENGTH]);
        assert!(again.unwrap("other id", &wrapped).is_err());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600);
        }
        assert!(MasterKey::load_or_generate(Some("c2hvcnQ="), &file).is_err());
    }
}
