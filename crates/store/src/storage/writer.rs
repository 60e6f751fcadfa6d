//! The single writer: takes every change from a queue, applies as many as are
//! waiting in one SQLite transaction (group commit), makes it durable, and
//! only then answers each request and tells live subscribers.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::Ordering;

use bytes::Bytes;
use rusqlite::{Connection, OptionalExtension, Transaction, TransactionBehavior, params};
use tokio::sync::{mpsc, oneshot};
use uuid::Uuid;

use super::Shared;
use super::error::{Result, StoreError};
use super::model::{
    AppendOutcome, CurrentRevision, DELETED_STREAM_TRUNCATE_BEFORE, ExpectedRevision,
    METADATA_EVENT_TYPE, METADATA_STREAM_PREFIX, ProposedEvent, RecordedEvent,
    STORE_CREATED_EVENT_TYPE, STORE_STREAM, StreamInfo, StreamMetadata, described_stream,
    is_metadata_stream, now_ticks,
};

/// Most commands taken into one transaction.
const MAX_BATCH_COMMANDS: usize = 2_048;
/// Streams remembered by the writer between batches before it forgets them all.
const MAX_CACHED_STREAMS: usize = 200_000;

pub(crate) enum Command {
    Append {
        stream: String,
        expected: ExpectedRevision,
        events: Vec<ProposedEvent>,
        reply: oneshot::Sender<Result<AppendOutcome>>,
    },
    Delete {
        stream: String,
        expected: ExpectedRevision,
        reply: oneshot::Sender<Result<Option<u64>>>,
    },
    Tombstone {
        stream: String,
        expected: ExpectedRevision,
        reply: oneshot::Sender<Result<Option<u64>>>,
    },
    PutState {
        namespace: String,
        key: String,
        value: Option<Vec<u8>>,
        reply: oneshot::Sender<Result<()>>,
    },
}

/// A reply waiting for its batch to commit.
enum Pending {
    Append(
        oneshot::Sender<Result<AppendOutcome>>,
        Result<AppendOutcome>,
    ),
    Position(oneshot::Sender<Result<Option<u64>>>, Result<Option<u64>>),
    Unit(oneshot::Sender<Result<()>>, Result<()>),
}

impl Pending {
    fn fail_if_ok(self, message: &str) -> Self {
        let failed = || StoreError::CommitFailed(message.to_owned());
        match self {
            Pending::Append(reply, Ok(_)) => Pending::Append(reply, Err(failed())),
            Pending::Position(reply, Ok(_)) => Pending::Position(reply, Err(failed())),
            Pending::Unit(reply, Ok(_)) => Pending::Unit(reply, Err(failed())),
            other => other,
        }
    }

    fn send(self) {
        // A requester that went away no longer needs its answer.
        match self {
            Pending::Append(reply, result) => drop(reply.send(result)),
            Pending::Position(reply, result) => drop(reply.send(result)),
            Pending::Unit(reply, result) => drop(reply.send(result)),
        }
    }
}

#[derive(Debug, Clone)]
struct StreamRow {
    id: i64,
    info: StreamInfo,
}

pub(crate) struct Writer {
    connection: Connection,
    cache: HashMap<String, StreamRow>,
    next_position: u64,
    shared: Arc<Shared>,
}

/// What one batch changes before it commits.
struct BatchState<'t, 'c> {
    transaction: Transaction<'t>,
    cache: &'c HashMap<String, StreamRow>,
    dirty: HashMap<String, StreamRow>,
    next_position: u64,
    created: i64,
    written: Vec<RecordedEvent>,
}

impl Writer {
    pub(crate) fn new(connection: Connection, shared: Arc<Shared>) -> rusqlite::Result<Self> {
        let last_position: Option<u64> =
            connection.query_row("SELECT MAX(position) FROM events", [], |row| row.get(0))?;
        let next_position = last_position.map_or(1, |last| last + 1);
        shared.head.store(next_position - 1, Ordering::Release);
        Ok(Writer {
            connection,
            cache: HashMap::new(),
            next_position,
            shared,
        })
    }

    /// Begins the `$all` of a new store with the system event that records
    /// its creation, as a new KurrentDB database begins with system events
    /// of its own (clients that exclude system events never see it).
    pub(crate) fn record_creation_if_new(&mut self) -> Result<()> {
        if self.next_position != 1 {
            return Ok(());
        }
        let data = serde_json::json!({
            "store": "labex-store",
            "version": env!("CARGO_PKG_VERSION"),
        });
        let (reply, mut answer) = oneshot::channel();
        let mut batch = vec![Command::Append {
            stream: STORE_STREAM.to_owned(),
            expected: ExpectedRevision::NoStream,
            events: vec![ProposedEvent {
                id: Uuid::new_v4(),
                event_type: STORE_CREATED_EVENT_TYPE.to_owned(),
                content_type: "application/json".to_owned(),
                custom_metadata: Bytes::new(),
                data: Bytes::from(data.to_string()),
            }],
            reply,
        }];
        self.commit_batch(&mut batch);
        match answer.try_recv() {
            Ok(outcome) => outcome.map(|_| ()),
            Err(_) => Err(StoreError::CommitFailed(
                "the store's creation was not recorded".to_owned(),
            )),
        }
    }

    /// Runs until every sender of the queue is gone.
    pub(crate) fn run(mut self, mut queue: mpsc::Receiver<Command>) {
        let mut batch = Vec::with_capacity(64);
        while let Some(first) = queue.blocking_recv() {
            batch.push(first);
            while batch.len() < MAX_BATCH_COMMANDS {
                match queue.try_recv() {
                    Ok(command) => batch.push(command),
                    Err(_) => break,
                }
            }
            self.commit_batch(&mut batch);
        }
        tracing::debug!("event store writer stopped");
    }

    fn commit_batch(&mut self, batch: &mut Vec<Command>) {
        let began = std::time::Instant::now();
        let commands = batch.len();
        let mut pending = Vec::with_capacity(batch.len());
        let transaction = match self
            .connection
            .transaction_with_behavior(TransactionBehavior::Immediate)
        {
            Ok(transaction) => transaction,
            Err(error) => {
                tracing::error!(%error, "cannot begin a transaction");
                let message = error.to_string();
                for command in batch.drain(..) {
                    pending_for(command, Err(StoreError::CommitFailed(message.clone()))).send();
                }
                return;
            }
        };
        let cache = std::mem::take(&mut self.cache);
        let mut state = BatchState {
            transaction,
            cache: &cache,
            dirty: HashMap::new(),
            next_position: self.next_position,
            created: now_ticks(),
            written: Vec::new(),
        };

        let mut storage_failure = None;
        for command in batch.drain(..) {
            if storage_failure.is_some() {
                pending.push(pending_for(command, Err(StoreError::Closed)));
                continue;
            }
            let reply = match command {
                Command::Append {
                    stream,
                    expected,
                    events,
                    reply,
                } => Pending::Append(reply, state.append(&stream, expected, events)),
                Command::Delete {
                    stream,
                    expected,
                    reply,
                } => Pending::Position(reply, state.soft_delete(&stream, expected)),
                Command::Tombstone {
                    stream,
                    expected,
                    reply,
                } => Pending::Position(reply, state.tombstone(&stream, expected)),
                Command::PutState {
                    namespace,
                    key,
                    value,
                    reply,
                } => Pending::Unit(reply, state.put_state(&namespace, &key, value)),
            };
            let failed = matches!(
                &reply,
                Pending::Append(_, Err(StoreError::Storage(_)))
                    | Pending::Position(_, Err(StoreError::Storage(_)))
                    | Pending::Unit(_, Err(StoreError::Storage(_)))
            );
            if failed {
                storage_failure = Some("a write in the batch failed".to_owned());
            }
            pending.push(reply);
        }

        let BatchState {
            transaction,
            dirty,
            next_position,
            written,
            ..
        } = state;
        let applied = began.elapsed();
        let outcome = match storage_failure {
            Some(message) => {
                drop(transaction.rollback());
                Err(message)
            }
            None => transaction.commit().map_err(|error| error.to_string()),
        };
        let committed = began.elapsed();
        tracing::trace!(
            commands,
            events = written.len(),
            apply_us = applied.as_micros() as u64,
            commit_us = (committed - applied).as_micros() as u64,
            "group commit"
        );
        self.cache = cache;

        match outcome {
            Ok(()) => {
                if self.cache.len() + dirty.len() > MAX_CACHED_STREAMS {
                    self.cache.clear();
                }
                self.cache.extend(dirty);
                self.next_position = next_position;
                if !written.is_empty() {
                    let last = written.last().map_or(0, |event| event.position);
                    self.shared.head.store(last, Ordering::Release);
                    // Nobody listening is not an error.
                    drop(self.shared.live.send(Arc::from(written)));
                }
                for reply in pending {
                    reply.send();
                }
            }
            Err(message) => {
                tracing::error!(error = %message, "group commit failed; nothing of the batch was written");
                for reply in pending {
                    reply.fail_if_ok(&message).send();
                }
            }
        }
    }
}

fn pending_for(command: Command, error: Result<()>) -> Pending {
    let error = error.err().unwrap_or(StoreError::Closed);
    match command {
        Command::Append { reply, .. } => Pending::Append(reply, Err(error)),
        Command::Delete { reply, .. } | Command::Tombstone { reply, .. } => {
            Pending::Position(reply, Err(error))
        }
        Command::PutState { reply, .. } => Pending::Unit(reply, Err(error)),
    }
}

fn current_of(info: &StreamInfo) -> CurrentRevision {
    match info.last_revision {
        Some(revision) => CurrentRevision::Current(revision),
        None => CurrentRevision::NoStream,
    }
}

/// Whether the stream is where the writer expects it.
fn expectation_holds(expected: ExpectedRevision, info: &StreamInfo) -> bool {
    match expected {
        ExpectedRevision::Any => true,
        ExpectedRevision::NoStream => info.last_revision.is_none() || info.soft_deleted,
        ExpectedRevision::StreamExists => info.last_revision.is_some() && !info.soft_deleted,
        ExpectedRevision::Exact(revision) => info.last_revision == Some(revision),
    }
}

fn validate_stream_name(stream: &str) -> Result<()> {
    if stream.is_empty() {
        return Err(StoreError::BadRequest("the stream name is empty".into()));
    }
    if stream == super::model::ALL_STREAM {
        return Err(StoreError::BadRequest(
            "$all is written by the store itself and cannot be appended to".into(),
        ));
    }
    if stream == METADATA_STREAM_PREFIX {
        return Err(StoreError::BadRequest(
            "a metadata stream must name the stream it describes".into(),
        ));
    }
    Ok(())
}

/// Reads the metadata that reads honour from a `$metadata` event's JSON.
fn parse_metadata(data: &[u8]) -> Result<StreamMetadata> {
    let value: serde_json::Value = serde_json::from_slice(data).map_err(|error| {
        StoreError::BadRequest(format!("stream metadata is not valid JSON: {error}"))
    })?;
    let object = value
        .as_object()
        .ok_or_else(|| StoreError::BadRequest("stream metadata must be a JSON object".into()))?;
    let field = |name: &str| -> Result<Option<u64>> {
        match object.get(name) {
            None | Some(serde_json::Value::Null) => Ok(None),
            Some(value) => value.as_u64().map(Some).ok_or_else(|| {
                StoreError::BadRequest(format!(
                    "stream metadata field {name} must be a non-negative integer"
                ))
            }),
        }
    };
    let metadata = StreamMetadata {
        max_count: field("$maxCount")?,
        max_age: field("$maxAge")?,
        truncate_before: field("$tb")?,
    };
    if metadata.max_count == Some(0) || metadata.max_age == Some(0) {
        return Err(StoreError::BadRequest(
            "$maxCount and $maxAge must be at least 1".into(),
        ));
    }
    Ok(metadata)
}

impl BatchState<'_, '_> {
    fn lookup(&mut self, name: &str) -> Result<Option<StreamRow>> {
        if let Some(row) = self.dirty.get(name) {
            return Ok(Some(row.clone()));
        }
        if let Some(row) = self.cache.get(name) {
            return Ok(Some(row.clone()));
        }
        let row = self
            .transaction
            .prepare_cached(super::schema::SELECT_STREAM)?
            .query_row([name], |row| {
                super::schema::stream_of_row(name, row).map(|(id, info)| StreamRow { id, info })
            })
            .optional()?;
        Ok(row)
    }

    fn lookup_or_create(&mut self, name: &str) -> Result<StreamRow> {
        if let Some(row) = self.lookup(name)? {
            return Ok(row);
        }
        self.transaction
            .prepare_cached("INSERT INTO streams (name) VALUES (?1)")?
            .execute([name])?;
        let row = StreamRow {
            id: self.transaction.last_insert_rowid(),
            info: StreamInfo {
                name: name.to_owned(),
                last_revision: None,
                soft_deleted: false,
                tombstoned: false,
                metadata: StreamMetadata::default(),
            },
        };
        self.dirty.insert(name.to_owned(), row.clone());
        Ok(row)
    }

    /// Keeps the row for the rest of the batch, and in the cache after it.
    /// Enough after an append: the last revision is the events' own.
    fn remember(&mut self, row: StreamRow) {
        self.dirty.insert(row.info.name.clone(), row);
    }

    /// Writes the row's flags and metadata, and remembers it.
    fn save(&mut self, row: StreamRow) -> Result<()> {
        let info = &row.info;
        self.transaction
            .prepare_cached(
                "UPDATE streams SET soft_deleted = ?1, tombstoned = ?2,
                 max_count = ?3, max_age = ?4, truncate_before = ?5 WHERE id = ?6",
            )?
            .execute(params![
                info.soft_deleted,
                info.tombstoned,
                info.metadata.max_count,
                info.metadata.max_age,
                info.metadata.truncate_before,
                row.id
            ])?;
        self.remember(row);
        Ok(())
    }

    /// The id and position of the event at a revision, if there is one.
    fn event_at(&self, stream_id: i64, revision: u64) -> Result<Option<(Uuid, u64)>> {
        let found = self
            .transaction
            .prepare_cached(
                "SELECT event_id, position FROM events WHERE stream = ?1 AND revision = ?2",
            )?
            .query_row(params![stream_id, revision], |row| {
                let id: [u8; 16] = row.get(0)?;
                Ok((Uuid::from_bytes(id), row.get::<_, u64>(1)?))
            })
            .optional()?;
        Ok(found)
    }

    /// If the events were already written right after `after` (a retry of
    /// an append that succeeded), where the last of them stands.
    fn already_written(
        &self,
        row: &StreamRow,
        after: Option<u64>,
        events: &[ProposedEvent],
    ) -> Result<Option<AppendOutcome>> {
        let Some(last) = row.info.last_revision else {
            return Ok(None);
        };
        let first = after.map_or(0, |revision| revision + 1);
        let end = first + events.len() as u64 - 1;
        if events.is_empty() || end > last {
            return Ok(None);
        }
        let mut position = 0;
        for (offset, event) in events.iter().enumerate() {
            match self.event_at(row.id, first + offset as u64)? {
                Some((id, at)) if id == event.id => position = at,
                _ => return Ok(None),
            }
        }
        Ok(Some(AppendOutcome {
            current_revision: CurrentRevision::Current(end),
            position: Some(position),
        }))
    }

    fn append(
        &mut self,
        stream: &str,
        expected: ExpectedRevision,
        mut events: Vec<ProposedEvent>,
    ) -> Result<AppendOutcome> {
        validate_stream_name(stream)?;
        let new_metadata = match (is_metadata_stream(stream), events.last_mut()) {
            (true, Some(last)) => Some(self.metadata_to_write(described_stream(stream), last)?),
            _ => None,
        };
        let Some(mut row) = self.lookup(stream)? else {
            return self.append_new(stream, expected, events, new_metadata);
        };
        if row.info.tombstoned {
            return Err(StoreError::StreamDeleted(stream.to_owned()));
        }
        if row.info.soft_deleted && expected == ExpectedRevision::StreamExists {
            // As KurrentDB answers: the stream exists, deleted.
            return Err(StoreError::StreamDeleted(stream.to_owned()));
        }
        if !expectation_holds(expected, &row.info) {
            let retried_after = match expected {
                ExpectedRevision::Exact(revision) => Some(Some(revision)),
                ExpectedRevision::NoStream => Some(None),
                ExpectedRevision::Any | ExpectedRevision::StreamExists => None,
            };
            if let Some(after) = retried_after
                && let Some(outcome) = self.already_written(&row, after, &events)?
            {
                return Ok(outcome);
            }
            return Err(StoreError::WrongExpectedVersion {
                current: current_of(&row.info),
                expected,
            });
        }
        if events.is_empty() {
            return Ok(AppendOutcome {
                current_revision: current_of(&row.info),
                position: None,
            });
        }
        if matches!(
            expected,
            ExpectedRevision::Any | ExpectedRevision::StreamExists
        ) && let Some(last) = row.info.last_revision
            && let Some(after) = (last + 1).checked_sub(events.len() as u64)
            && let Some(outcome) = self.already_written(&row, after.checked_sub(1), &events)?
        {
            return Ok(outcome);
        }
        if row.info.soft_deleted {
            // Appending brings a soft-deleted stream back, as KurrentDB
            // does: its metadata is written again (first in $all), keeping
            // every field but `$tb`, which now hides only the events from
            // before the delete.
            let first_new = row.info.last_revision.map_or(0, |last| last + 1);
            self.write_truncate_before(stream, first_new)?;
            row = self
                .lookup(stream)?
                .ok_or_else(|| StoreError::CommitFailed(format!("stream {stream} vanished")))?;
        }
        let position = self.insert_events(&mut row, events)?;
        let current_revision = current_of(&row.info);
        self.remember(row);
        if let Some(metadata) = new_metadata {
            self.apply_metadata(described_stream(stream), metadata)?;
        }
        Ok(AppendOutcome {
            current_revision,
            position: Some(position),
        })
    }

    fn append_new(
        &mut self,
        stream: &str,
        expected: ExpectedRevision,
        events: Vec<ProposedEvent>,
        new_metadata: Option<StreamMetadata>,
    ) -> Result<AppendOutcome> {
        if matches!(
            expected,
            ExpectedRevision::StreamExists | ExpectedRevision::Exact(_)
        ) {
            return Err(StoreError::WrongExpectedVersion {
                current: CurrentRevision::NoStream,
                expected,
            });
        }
        if events.is_empty() {
            return Ok(AppendOutcome {
                current_revision: CurrentRevision::NoStream,
                position: None,
            });
        }
        let mut row = self.lookup_or_create(stream)?;
        let position = self.insert_events(&mut row, events)?;
        let current_revision = current_of(&row.info);
        self.remember(row);
        if let Some(metadata) = new_metadata {
            self.apply_metadata(described_stream(stream), metadata)?;
        }
        Ok(AppendOutcome {
            current_revision,
            position: Some(position),
        })
    }

    /// Writes the events after the stream's last revision; returns the
    /// position of the last one.
    fn insert_events(&mut self, row: &mut StreamRow, events: Vec<ProposedEvent>) -> Result<u64> {
        let first_revision = row.info.last_revision.map_or(0, |last| last + 1);
        let mut statement = self.transaction.prepare_cached(
            "INSERT INTO events (position, stream, revision, event_id, event_type, content_type,
                                 custom_metadata, data, created)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        )?;
        let mut position = self.next_position;
        for (revision, event) in (first_revision..).zip(events) {
            position = self.next_position;
            statement.execute(params![
                position,
                row.id,
                revision,
                event.id.as_bytes(),
                event.event_type,
                event.content_type,
                &event.custom_metadata[..],
                &event.data[..],
                self.created,
            ])?;
            self.written.push(RecordedEvent {
                position,
                stream: row.info.name.clone(),
                revision,
                id: event.id,
                event_type: event.event_type,
                content_type: event.content_type,
                custom_metadata: event.custom_metadata,
                data: event.data,
                created: self.created,
            });
            row.info.last_revision = Some(revision);
            self.next_position += 1;
        }
        Ok(position)
    }

    /// Takes a stream's new metadata; `$tb` at
    /// [`DELETED_STREAM_TRUNCATE_BEFORE`] soft-deletes it, any other value
    /// brings a soft-deleted stream back.
    fn apply_metadata(&mut self, stream: &str, metadata: StreamMetadata) -> Result<()> {
        let mut row = self.lookup_or_create(stream)?;
        row.info.soft_deleted = metadata.truncate_before == Some(DELETED_STREAM_TRUNCATE_BEFORE);
        row.info.metadata = metadata;
        self.save(row)
    }

    /// The metadata a `$metadata` event about to be written to `stream`'s
    /// metadata stream sets. Metadata that brings a soft-deleted stream back
    /// keeps the events from before the delete hidden: as KurrentDB does, its
    /// `$tb` is raised to the stream's next revision, in the event itself.
    fn metadata_to_write(
        &mut self,
        stream: &str,
        event: &mut ProposedEvent,
    ) -> Result<StreamMetadata> {
        let metadata = parse_metadata(&event.data)?;
        if metadata.truncate_before == Some(DELETED_STREAM_TRUNCATE_BEFORE) {
            return Ok(metadata);
        }
        let Some(row) = self.lookup(stream)? else {
            return Ok(metadata);
        };
        if !row.info.soft_deleted {
            return Ok(metadata);
        }
        let first_new = row.info.last_revision.map_or(0, |last| last + 1);
        if metadata
            .truncate_before
            .is_some_and(|before| before >= first_new)
        {
            return Ok(metadata);
        }
        let mut object = serde_json::from_slice::<serde_json::Value>(&event.data)
            .ok()
            .and_then(|value| value.as_object().cloned())
            .unwrap_or_default();
        object.insert("$tb".into(), serde_json::Value::from(first_new));
        let data = serde_json::to_vec(&object)
            .map_err(|error| StoreError::BadRequest(error.to_string()))?;
        event.data = Bytes::from(data);
        parse_metadata(&event.data)
    }

    /// Writes the stream's current metadata again with `$tb` set to
    /// `truncate_before`; returns the position of the `$metadata` event.
    fn write_truncate_before(&mut self, stream: &str, truncate_before: u64) -> Result<Option<u64>> {
        let mut metadata = self.current_metadata_json(stream)?;
        metadata.insert("$tb".into(), serde_json::Value::from(truncate_before));
        let data = serde_json::to_vec(&metadata)
            .map_err(|error| StoreError::BadRequest(error.to_string()))?;
        let outcome = self.append(
            &format!("{METADATA_STREAM_PREFIX}{stream}"),
            ExpectedRevision::Any,
            vec![ProposedEvent {
                id: Uuid::new_v4(),
                event_type: METADATA_EVENT_TYPE.into(),
                content_type: "application/json".into(),
                custom_metadata: Bytes::new(),
                data: Bytes::from(data),
            }],
        )?;
        Ok(outcome.position)
    }

    /// The JSON object of the stream's current metadata, or an empty one.
    fn current_metadata_json(
        &mut self,
        stream: &str,
    ) -> Result<serde_json::Map<String, serde_json::Value>> {
        let metadata_stream = format!("{METADATA_STREAM_PREFIX}{stream}");
        let Some(row) = self.lookup(&metadata_stream)? else {
            return Ok(serde_json::Map::new());
        };
        let Some(last) = row.info.last_revision else {
            return Ok(serde_json::Map::new());
        };
        let data: Option<Vec<u8>> = self
            .transaction
            .prepare_cached("SELECT data FROM events WHERE stream = ?1 AND revision = ?2")?
            .query_row(params![row.id, last], |row| row.get(0))
            .optional()?;
        Ok(data
            .and_then(|data| serde_json::from_slice::<serde_json::Value>(&data).ok())
            .and_then(|value| value.as_object().cloned())
            .unwrap_or_default())
    }

    /// Soft-deletes a stream as KurrentDB does: its metadata is written
    /// again with `$tb` at [`DELETED_STREAM_TRUNCATE_BEFORE`].
    fn soft_delete(&mut self, stream: &str, expected: ExpectedRevision) -> Result<Option<u64>> {
        validate_stream_name(stream)?;
        let info = self.lookup(stream)?.map(|row| row.info);
        if info.as_ref().is_some_and(|info| info.tombstoned) {
            return Err(StoreError::StreamDeleted(stream.to_owned()));
        }
        let Some((info, last)) = info.and_then(|info| info.last_revision.map(|last| (info, last)))
        else {
            // A stream never written cannot be deleted, whatever was
            // expected, not even with `any`: KurrentDB answers a wrong
            // expected version with the actual version -1, which the
            // clients read as "not found".
            return Err(StoreError::WrongExpectedVersion {
                current: CurrentRevision::NoStream,
                expected,
            });
        };
        if info.soft_deleted {
            // Deleting a deleted stream again succeeds and writes nothing,
            // except when a live stream is expected.
            return match expected {
                ExpectedRevision::Any | ExpectedRevision::NoStream => Ok(None),
                ExpectedRevision::Exact(revision) if revision == last => Ok(None),
                ExpectedRevision::StreamExists => Err(StoreError::StreamDeleted(stream.to_owned())),
                ExpectedRevision::Exact(_) => Err(StoreError::WrongExpectedVersion {
                    current: CurrentRevision::Current(last),
                    expected,
                }),
            };
        }
        if !expectation_holds(expected, &info) {
            return Err(StoreError::WrongExpectedVersion {
                current: current_of(&info),
                expected,
            });
        }
        self.write_truncate_before(stream, DELETED_STREAM_TRUNCATE_BEFORE)
    }

    fn tombstone(&mut self, stream: &str, expected: ExpectedRevision) -> Result<Option<u64>> {
        validate_stream_name(stream)?;
        let existing = self.lookup(stream)?;
        if let Some(row) = &existing {
            if row.info.tombstoned {
                return Err(StoreError::StreamDeleted(stream.to_owned()));
            }
            if !expectation_holds(expected, &row.info) {
                return Err(StoreError::WrongExpectedVersion {
                    current: current_of(&row.info),
                    expected,
                });
            }
        } else if matches!(
            expected,
            ExpectedRevision::StreamExists | ExpectedRevision::Exact(_)
        ) {
            return Err(StoreError::WrongExpectedVersion {
                current: CurrentRevision::NoStream,
                expected,
            });
        }
        let mut row = self.lookup_or_create(stream)?;
        row.info.tombstoned = true;
        self.save(row)?;
        Ok(None)
    }

    fn put_state(&mut self, namespace: &str, key: &str, value: Option<Vec<u8>>) -> Result<()> {
        match value {
            Some(value) => {
                self.transaction
                    .prepare_cached(
                        "INSERT INTO kv (namespace, key, value) VALUES (?1, ?2, ?3)
                         ON CONFLICT (namespace, key) DO UPDATE SET value = excluded.value",
                    )?
                    .execute(params![namespace, key, value])?;
            }
            None => {
                self.transaction
                    .prepare_cached("DELETE FROM kv WHERE namespace = ?1 AND key = ?2")?
                    .execute(params![namespace, key])?;
            }
        }
        Ok(())
    }
}
