//! The storage engine: events in SQLite (WAL mode, fsync on commit), one
//! writer thread doing group commit, a pool of read-only connections, and a
//! broadcast of every committed batch for live subscribers.

mod error;
mod model;
mod schema;
mod writer;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use parking_lot::Mutex;
use rusqlite::{Connection, OptionalExtension, params};
use tokio::sync::{broadcast, mpsc, oneshot, watch};
use uuid::Uuid;

pub use error::{Result, StoreError};
pub use model::{
    ALL_STREAM, AppendOutcome, CurrentRevision, DELETED_STREAM_TRUNCATE_BEFORE, ExpectedRevision,
    METADATA_EVENT_TYPE, METADATA_STREAM_PREFIX, ProposedEvent, RecordedEvent,
    STORE_CREATED_EVENT_TYPE, STORE_STREAM, StreamInfo, StreamMetadata, TICKS_PER_SECOND,
    described_stream, is_metadata_stream, now_ticks,
};

pub use schema::DATABASE_FILE;
use writer::{Command, Writer};

/// Batches of committed events kept for live subscribers by default; one
/// that falls further behind reads from disk instead.
pub const DEFAULT_LIVE_BUFFER_BATCHES: usize = 4_096;
/// Commands waiting for the writer before appenders wait in turn.
const WRITE_QUEUE: usize = 16_384;
/// Reads running at once, each on a read-only connection of its own (the
/// pool holds at most this many); further reads wait for one to finish.
pub const READERS: usize = 32;

/// A batch of events committed together, in `$all` order.
pub type LiveBatch = Arc<[RecordedEvent]>;

pub(crate) struct Shared {
    /// Position of the last committed event (0 while there is none).
    pub(crate) head: AtomicU64,
    pub(crate) live: broadcast::Sender<LiveBatch>,
    /// Becomes true when the store begins to shut down.
    pub(crate) closing: watch::Sender<bool>,
}

struct Inner {
    directory: PathBuf,
    /// Dropped with the store, which stops the checkpointer.
    _checkpointer: std::sync::mpsc::Sender<()>,
    commands: mpsc::Sender<Command>,
    readers: Mutex<Vec<Connection>>,
    /// One permit per reader connection: bounds the reads running at once.
    reading: Arc<tokio::sync::Semaphore>,
    shared: Arc<Shared>,
}

/// Which way a read goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Forwards,
    Backwards,
}

/// A handle on the store's data; cheap to clone.
#[derive(Clone)]
pub struct Storage {
    inner: Arc<Inner>,
}

/// Creates `directory` readable by its owner only (0700), and the database
/// file 0600 before SQLite makes it (its WAL and shared-memory files take
/// the database file's mode).
fn create_private(directory: &Path) -> std::io::Result<()> {
    let mut folder = std::fs::DirBuilder::new();
    folder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut folder, 0o700);
    folder.create(directory)?;
    let mut file = std::fs::OpenOptions::new();
    file.write(true).create(true).truncate(false);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut file, 0o600);
    file.open(directory.join(schema::DATABASE_FILE)).map(drop)
}

impl Storage {
    /// Opens (or creates) the store in `directory` and starts its writer.
    pub fn open(directory: &Path) -> Result<Storage> {
        Self::open_with_live_buffer(directory, DEFAULT_LIVE_BUFFER_BATCHES)
    }

    /// As [`Storage::open`], keeping `live_buffer_batches` committed batches
    /// for live subscribers.
    pub fn open_with_live_buffer(directory: &Path, live_buffer_batches: usize) -> Result<Storage> {
        create_private(directory).map_err(|error| {
            StoreError::BadRequest(format!("cannot create {}: {error}", directory.display()))
        })?;
        let connection = schema::open_writer(directory)?;
        let (live, _) = broadcast::channel(live_buffer_batches.max(1));
        let shared = Arc::new(Shared {
            head: AtomicU64::new(0),
            live,
            closing: watch::Sender::new(false),
        });
        let mut writer = Writer::new(connection, shared.clone())?;
        writer.record_creation_if_new()?;
        let (commands, queue) = mpsc::channel(WRITE_QUEUE);
        std::thread::Builder::new()
            .name("labex-store-writer".into())
            .spawn(move || writer.run(queue))
            .map_err(|error| {
                StoreError::CommitFailed(format!("cannot start the writer: {error}"))
            })?;
        let checkpointer = start_checkpointer(directory)?;
        Ok(Storage {
            inner: Arc::new(Inner {
                directory: directory.to_owned(),
                _checkpointer: checkpointer,
                commands,
                readers: Mutex::new(Vec::new()),
                reading: Arc::new(tokio::sync::Semaphore::new(READERS)),
                shared,
            }),
        })
    }

    /// Position of the last committed event, 0 if there is none.
    pub fn head(&self) -> u64 {
        self.inner.shared.head.load(Ordering::Acquire)
    }

    /// Tells long-lived readers (subscriptions) that the store is shutting down.
    pub fn begin_shutdown(&self) {
        self.inner.shared.closing.send_replace(true);
    }

    /// Completes once the store has begun to shut down.
    pub async fn shutting_down(&self) {
        let mut closing = self.inner.shared.closing.subscribe();
        // An error means the sender is gone, which is shutting down too.
        let _ = closing.wait_for(|closing| *closing).await;
    }

    /// Receives every batch committed from now on.
    pub fn subscribe_live(&self) -> broadcast::Receiver<LiveBatch> {
        self.inner.shared.live.subscribe()
    }

    async fn send<T>(&self, command: Command, answer: oneshot::Receiver<Result<T>>) -> Result<T> {
        self.inner
            .commands
            .send(command)
            .await
            .map_err(|_| StoreError::Closed)?;
        answer.await.map_err(|_| StoreError::Closed)?
    }

    /// Appends events to a stream if it is where `expected` says; durable
    /// when this returns.
    pub async fn append(
        &self,
        stream: String,
        expected: ExpectedRevision,
        events: Vec<ProposedEvent>,
    ) -> Result<AppendOutcome> {
        let (reply, answer) = oneshot::channel();
        let command = Command::Append {
            stream,
            expected,
            events,
            reply,
        };
        self.send(command, answer).await
    }

    /// Soft-deletes a stream: reads answer "not found" until it is written
    /// again, when it continues after its last revision.
    pub async fn delete(&self, stream: String, expected: ExpectedRevision) -> Result<Option<u64>> {
        let (reply, answer) = oneshot::channel();
        let command = Command::Delete {
            stream,
            expected,
            reply,
        };
        self.send(command, answer).await
    }

    /// Deletes a stream for ever: reads and appends fail from now on.
    pub async fn tombstone(
        &self,
        stream: String,
        expected: ExpectedRevision,
    ) -> Result<Option<u64>> {
        let (reply, answer) = oneshot::channel();
        let command = Command::Tombstone {
            stream,
            expected,
            reply,
        };
        self.send(command, answer).await
    }

    /// Keeps a value for a component of the store (None removes it), durably,
    /// in the same group commits as events.
    pub async fn put_state(
        &self,
        namespace: &str,
        key: &str,
        value: Option<Vec<u8>>,
    ) -> Result<()> {
        let (reply, answer) = oneshot::channel();
        let command = Command::PutState {
            namespace: namespace.to_owned(),
            key: key.to_owned(),
            value,
            reply,
        };
        self.send(command, answer).await
    }

    /// Runs a read on a pooled read-only connection, off the async threads.
    pub async fn read<T, F>(&self, read: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&Reader<'_>) -> Result<T> + Send + 'static,
    {
        let storage = self.clone();
        let permit = self.reading_permit().await;
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            storage.read_blocking(read)
        })
        .await
        .map_err(|error| StoreError::CommitFailed(format!("read task failed: {error}")))?
    }

    /// A turn to read: at most [`READERS`] are out at once. Hold it for as
    /// long as [`Storage::read_blocking`] runs.
    pub async fn reading_permit(&self) -> tokio::sync::OwnedSemaphorePermit {
        self.inner
            .reading
            .clone()
            .acquire_owned()
            .await
            .expect("the reading semaphore is never closed")
    }

    /// Runs a read on a pooled read-only connection, on this thread (with
    /// a [`Storage::reading_permit`] held, so that the pool stays bounded).
    pub fn read_blocking<T>(&self, read: impl FnOnce(&Reader<'_>) -> Result<T>) -> Result<T> {
        let connection = self.inner.readers.lock().pop();
        let connection = match connection {
            Some(connection) => connection,
            None => schema::open_reader(&self.inner.directory)?,
        };
        let result = {
            let reader = Reader {
                connection: &connection,
            };
            read(&reader)
        };
        self.inner.readers.lock().push(connection);
        result
    }
}

/// How often the WAL is copied into the database in the background.
const CHECKPOINT_INTERVAL: std::time::Duration = std::time::Duration::from_millis(100);

/// One checkpoint of `mode` (`PASSIVE` or `FULL`): the WAL's frames and
/// those copied into the database, traced with how long it took.
fn checkpoint(connection: &Connection, mode: &str) -> rusqlite::Result<(i64, i64)> {
    let began = std::time::Instant::now();
    let (busy, wal_pages, copied_pages) =
        connection.query_row(&format!("PRAGMA wal_checkpoint({mode})"), [], |row| {
            Ok((
                row.get::<_, i64>(0)?,
                row.get::<_, i64>(1)?,
                row.get::<_, i64>(2)?,
            ))
        })?;
    tracing::trace!(
        mode,
        busy,
        wal_pages,
        copied_pages,
        took_us = began.elapsed().as_micros() as u64,
        "checkpoint"
    );
    Ok((wal_pages, copied_pages))
}

/// Starts the thread that checkpoints the WAL beside the writer, so that the
/// group-commit writer never stops to copy pages into the database
/// (decision 080). Every round it runs a passive checkpoint, which blocks
/// neither the writer nor readers. Under steady appends a commit always
/// lands while a passive checkpoint copies, so the WAL never starts again
/// by itself; once it holds [`schema::WAL_RESTART_PAGES`], the round follows
/// the passive checkpoint with a `FULL` one, which holds the write lock
/// only while it copies the few frames committed since and syncs: after
/// it, the writer's next transaction starts the WAL from its beginning.
fn start_checkpointer(directory: &Path) -> Result<std::sync::mpsc::Sender<()>> {
    let connection = schema::open_checkpointer(directory)?;
    let (stop, stopped) = std::sync::mpsc::channel::<()>();
    std::thread::Builder::new()
        .name("labex-store-checkpointer".into())
        .spawn(move || {
            while let Err(std::sync::mpsc::RecvTimeoutError::Timeout) =
                stopped.recv_timeout(CHECKPOINT_INTERVAL)
            {
                let outcome = checkpoint(&connection, "PASSIVE").and_then(|(wal_pages, _)| {
                    if wal_pages >= schema::WAL_RESTART_PAGES {
                        checkpoint(&connection, "FULL").map(drop)
                    } else {
                        Ok(())
                    }
                });
                match outcome {
                    Ok(()) => {}
                    // The FULL checkpoint found the writer or a reader busy
                    // past its few tries: the next round tries again.
                    Err(rusqlite::Error::SqliteFailure(error, _))
                        if error.code == rusqlite::ErrorCode::DatabaseBusy => {}
                    Err(error) => tracing::warn!(%error, "background checkpoint failed"),
                }
            }
        })
        .map_err(|error| {
            StoreError::CommitFailed(format!("cannot start the checkpointer: {error}"))
        })?;
    Ok(stop)
}

/// Reads on one connection. Each call sees every batch committed before it.
pub struct Reader<'a> {
    connection: &'a Connection,
}

const EVENT_COLUMNS: &str = "e.position, s.name, e.revision, e.event_id, e.event_type, e.content_type, e.custom_metadata, e.data, e.created";

fn event_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<RecordedEvent> {
    let id: [u8; 16] = row.get(3)?;
    Ok(RecordedEvent {
        position: row.get(0)?,
        stream: row.get(1)?,
        revision: row.get(2)?,
        id: Uuid::from_bytes(id),
        event_type: row.get(4)?,
        content_type: row.get(5)?,
        custom_metadata: bytes::Bytes::from(row.get::<_, Vec<u8>>(6)?),
        data: bytes::Bytes::from(row.get::<_, Vec<u8>>(7)?),
        created: row.get(8)?,
    })
}

impl Reader<'_> {
    /// Where a stream stands for reads, if it was ever written, deleted or
    /// given metadata. A metadata stream reads as tombstoned once the
    /// stream it describes is, as in KurrentDB (which still takes writes to
    /// it: the writer does not ask here).
    pub fn stream_info(&self, name: &str) -> Result<Option<StreamInfo>> {
        let mut info = self.stored_stream_info(name)?;
        if is_metadata_stream(name)
            && self
                .stored_stream_info(described_stream(name))?
                .is_some_and(|described| described.tombstoned)
        {
            let info = info.get_or_insert_with(|| StreamInfo {
                name: name.to_owned(),
                last_revision: None,
                soft_deleted: false,
                tombstoned: false,
                metadata: StreamMetadata::default(),
            });
            info.tombstoned = true;
        }
        Ok(info)
    }

    fn stored_stream_info(&self, name: &str) -> Result<Option<StreamInfo>> {
        let info = self
            .connection
            .prepare_cached(schema::SELECT_STREAM)?
            .query_row([name], |row| {
                schema::stream_of_row(name, row).map(|(_, info)| info)
            })
            .optional()?;
        Ok(info)
    }

    /// Up to `limit` events of a stream: forwards from `from` (inclusive)
    /// or backwards from `from` (inclusive). Stream metadata is not applied.
    pub fn stream_events(
        &self,
        name: &str,
        from: u64,
        direction: Direction,
        limit: usize,
    ) -> Result<Vec<RecordedEvent>> {
        let sql = match direction {
            Direction::Forwards => format!(
                "SELECT {EVENT_COLUMNS} FROM streams s JOIN events e ON e.stream = s.id
                 WHERE s.name = ?1 AND e.revision >= ?2 ORDER BY e.revision ASC LIMIT ?3"
            ),
            Direction::Backwards => format!(
                "SELECT {EVENT_COLUMNS} FROM streams s JOIN events e ON e.stream = s.id
                 WHERE s.name = ?1 AND e.revision <= ?2 ORDER BY e.revision DESC LIMIT ?3"
            ),
        };
        let from = i64::try_from(from).unwrap_or(i64::MAX);
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let mut statement = self.connection.prepare_cached(&sql)?;
        let events = statement
            .query_map(params![name, from, limit], event_from_row)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(events)
    }

    /// Up to `limit` events of `$all`: forwards from `from` (inclusive), or
    /// backwards from before `from` (exclusive).
    pub fn all_events(
        &self,
        from: u64,
        direction: Direction,
        limit: usize,
    ) -> Result<Vec<RecordedEvent>> {
        let sql = match direction {
            Direction::Forwards => format!(
                "SELECT {EVENT_COLUMNS} FROM events e JOIN streams s ON s.id = e.stream
                 WHERE e.position >= ?1 ORDER BY e.position ASC LIMIT ?2"
            ),
            Direction::Backwards => format!(
                "SELECT {EVENT_COLUMNS} FROM events e JOIN streams s ON s.id = e.stream
                 WHERE e.position < ?1 ORDER BY e.position DESC LIMIT ?2"
            ),
        };
        let from = i64::try_from(from).unwrap_or(i64::MAX);
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let mut statement = self.connection.prepare_cached(&sql)?;
        let events = statement
            .query_map(params![from, limit], event_from_row)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(events)
    }

    /// Position of the last committed event, 0 if there is none.
    pub fn last_position(&self) -> Result<u64> {
        let last: Option<u64> = self
            .connection
            .prepare_cached("SELECT MAX(position) FROM events")?
            .query_row([], |row| row.get(0))?;
        Ok(last.unwrap_or(0))
    }

    /// A value kept with [`Storage::put_state`].
    pub fn state(&self, namespace: &str, key: &str) -> Result<Option<Vec<u8>>> {
        let value = self
            .connection
            .prepare_cached("SELECT value FROM kv WHERE namespace = ?1 AND key = ?2")?
            .query_row(params![namespace, key], |row| row.get(0))
            .optional()?;
        Ok(value)
    }

    /// Every value kept under a namespace, by key.
    pub fn states(&self, namespace: &str) -> Result<Vec<(String, Vec<u8>)>> {
        let values = self
            .connection
            .prepare_cached("SELECT key, value FROM kv WHERE namespace = ?1 ORDER BY key")?
            .query_map([namespace], |row| Ok((row.get(0)?, row.get(1)?)))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(values)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::AtomicUsize;

    use bytes::Bytes;

    use super::*;

    fn event(size: usize) -> ProposedEvent {
        ProposedEvent {
            id: Uuid::new_v4(),
            event_type: "Filled".into(),
            content_type: "application/octet-stream".into(),
            custom_metadata: Bytes::new(),
            data: Bytes::from(vec![7u8; size]),
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn reads_at_once_are_bounded_by_the_pool() {
        let directory = tempfile::tempdir().unwrap();
        let storage = Storage::open(directory.path()).unwrap();
        let running = Arc::new(AtomicUsize::new(0));
        let most = Arc::new(AtomicUsize::new(0));
        let reads: Vec<_> = (0..READERS * 3)
            .map(|_| {
                let storage = storage.clone();
                let running = running.clone();
                let most = most.clone();
                tokio::spawn(async move {
                    storage
                        .read(move |reader| {
                            let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                            most.fetch_max(now, Ordering::SeqCst);
                            std::thread::sleep(std::time::Duration::from_millis(20));
                            let position = reader.last_position();
                            running.fetch_sub(1, Ordering::SeqCst);
                            position
                        })
                        .await
                })
            })
            .collect();
        for read in reads {
            read.await.unwrap().unwrap();
        }
        let most = most.load(Ordering::SeqCst);
        assert!(most <= READERS, "{most} reads ran at once");
        assert!(most > 1, "the reads ran one at a time");
        assert!(storage.inner.readers.lock().len() <= READERS);
    }

    /// Decision 080: the writer never checkpoints; the checkpointer bounds
    /// the WAL, which starts again from its beginning once it holds
    /// WAL_RESTART_PAGES, so it does not grow with what is appended.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_wal_stays_bounded_under_steady_appends() {
        let directory = tempfile::tempdir().unwrap();
        let storage = Storage::open(directory.path()).unwrap();
        let first = storage.read(|reader| reader.last_position()).await.unwrap();
        const EVENT: usize = 64 * 1024;
        const APPENDS: usize = 1_280; // 80 MiB
        // Steady appends, a commit every millisecond or two: one always
        // lands while a passive checkpoint copies, so passive checkpoints
        // alone never let the WAL start again. (Much faster appends let
        // the WAL pass its bound by what one 100 ms round appends.)
        for n in 0..APPENDS {
            storage
                .append(
                    format!("filled-{}", n % 8),
                    ExpectedRevision::Any,
                    vec![event(EVENT)],
                )
                .await
                .unwrap();
            tokio::time::sleep(std::time::Duration::from_millis(1)).await;
        }
        let wal = std::fs::metadata(directory.path().join(format!("{DATABASE_FILE}-wal")))
            .unwrap()
            .len();
        let bound = (schema::WAL_RESTART_PAGES as u64) * 4096 * 5 / 2;
        assert!(
            wal < bound,
            "the WAL grew to {wal} bytes after {} MiB appended",
            (EVENT * APPENDS) >> 20
        );
        assert_eq!(
            storage.read(|reader| reader.last_position()).await.unwrap(),
            first + APPENDS as u64
        );
    }
}
