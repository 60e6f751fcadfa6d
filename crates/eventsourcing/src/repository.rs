//! Aggregates loaded from and written to their streams: read, fold,
//! decide, append with the expected revision.

use chrono::{DateTime, Utc};
use std::sync::Arc;

use kurrentdb::{
    AppendToStreamOptions, Client, CurrentRevision, EventData, Position, ReadStreamOptions,
    StreamPosition, StreamState,
};
use labex_domain::{Aggregate, AggregateId, DomainEvent, Refused};
use serde_json::value::RawValue;
use uuid::Uuid;

use crate::error::RepositoryError;
use crate::idempotency::{EventIds, IdempotencyKey};
use crate::keys::{KeyError, Keyring};
use crate::metadata::{EventContext, Metadata};
use crate::reads;
use crate::sealing::{holds_sealed, personal_spots, seal, sealed_key_ids};
use crate::stored::StoredEvent;
use crate::warm::{DEFAULT_WARM_STREAMS, Slot, Warm, WarmStreams};

/// How often a command is decided again after losing a race with another
/// writer, by default.
pub const DEFAULT_CONFLICT_RETRIES: usize = 3;

/// An aggregate as loaded: its state and the revision it was folded to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Loaded<A> {
    /// The state; `None` when the stream has no events (by the moment
    /// asked, for [`Repository::load_as_of`]).
    pub state: Option<A>,
    /// The revision of the last event folded (what an `ETag` carries);
    /// `None` when there is none.
    pub revision: Option<u64>,
}

/// What the stream must stand at for a command's append.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ExpectedRevision {
    /// Wherever it stood when loaded; a lost race reloads and decides again
    /// (up to the repository's retry bound) unless retries are turned off.
    #[default]
    Latest,
    /// The stream must not exist yet; never retried.
    NoStream,
    /// Exactly this revision (an `If-Match`); never retried, a mismatch is
    /// a [`Conflict`](RepositoryError::Conflict) at once.
    Exact(u64),
}

/// How to execute one command.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExecuteOptions {
    expected: ExpectedRevision,
    idempotency_key: Option<IdempotencyKey>,
    key_remembered: bool,
    no_retry: bool,
}

impl ExecuteOptions {
    /// Append only if the stream is at `revision` (an `If-Match`).
    pub fn if_match(mut self, revision: u64) -> Self {
        self.expected = ExpectedRevision::Exact(revision);
        self
    }

    /// Append with this expected revision.
    pub fn expected(mut self, expected: ExpectedRevision) -> Self {
        self.expected = expected;
        self
    }

    /// Make a retry of the command safe: its events get ids derived from
    /// the key, the actor and the stream, and a retry answers as the first
    /// attempt did. A key bound to its request
    /// ([`IdempotencyKey::bound_to`]) is first remembered with the request
    /// ([`Repository::remember_request`]): the same key with another
    /// request is refused before anything is written.
    pub fn idempotency_key(mut self, key: IdempotencyKey) -> Self {
        self.idempotency_key = Some(key);
        self
    }

    /// Like [`idempotency_key`](Self::idempotency_key), for a key the
    /// caller has remembered already (before claiming or taking a turn).
    pub fn remembered_idempotency_key(mut self, key: IdempotencyKey) -> Self {
        self.idempotency_key = Some(key);
        self.key_remembered = true;
        self
    }

    /// Do not decide again after losing a race: answer the conflict.
    pub fn without_retry(mut self) -> Self {
        self.no_retry = true;
        self
    }
}

/// What a command did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Executed<A: Aggregate> {
    /// The events appended (or, for a retried idempotent command, those
    /// its first attempt appended). Empty when the command changed nothing.
    pub events: Vec<A::Event>,
    /// The state after them.
    pub state: Option<A>,
    /// The stream's revision after them (the new `ETag`).
    pub revision: Option<u64>,
    /// The `$all` position of the last of them, to wait for projections.
    pub position: Option<Position>,
    /// Whether this was a retry answered from the first attempt's events.
    pub replayed: bool,
}

/// One event of an aggregate's stream, decoded.
struct HistoryEntry<E> {
    id: Uuid,
    revision: u64,
    position: Position,
    /// When the change was asked for, else when the store recorded it.
    at: DateTime<Utc>,
    event: E,
}

/// Loads aggregates and executes commands on them through the official
/// client. Cheap to clone; share one per process.
#[derive(Clone)]
pub struct Repository {
    client: Client,
    conflict_retries: usize,
    warm: Arc<WarmStreams>,
}

impl Repository {
    /// A repository over `client`.
    pub fn new(client: Client) -> Self {
        Self {
            client,
            conflict_retries: DEFAULT_CONFLICT_RETRIES,
            warm: Arc::new(WarmStreams::new(DEFAULT_WARM_STREAMS)),
        }
    }

    /// Keep at most `streams` streams of [`KEEP_WARM`](Aggregate::KEEP_WARM)
    /// aggregates warm (decision record 100).
    pub fn with_warm_streams(mut self, streams: usize) -> Self {
        self.warm = Arc::new(WarmStreams::new(streams));
        self
    }

    /// Decide again at most `retries` times after losing a race.
    pub fn with_conflict_retries(mut self, retries: usize) -> Self {
        self.conflict_retries = retries;
        self
    }

    /// The client, for reads the repository does not offer.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// The aggregate's current state and revision.
    pub async fn load<A: Aggregate>(&self, id: A::Id) -> Result<Loaded<A>, RepositoryError> {
        let stream = id.stream_name();
        if A::KEEP_WARM {
            let warm = self.warmed::<A>(&self.warm.slot(&stream), &stream).await?;
            return Ok(Loaded {
                state: warm.state,
                revision: warm.revision,
            });
        }
        let history = self.history::<A>(&stream).await?;
        Ok(fold(&history))
    }

    /// The state of a warm stream as it stands: what the slot kept, and
    /// the events after it read and folded (all of them the first time),
    /// kept in turn.
    async fn warmed<A: Aggregate>(
        &self,
        slot: &Slot,
        stream: &str,
    ) -> Result<Warm<A>, RepositoryError> {
        let kept = slot.kept::<A>();
        let from = kept
            .as_ref()
            .and_then(|kept| kept.revision)
            .map(|revision| revision + 1);
        let newer = match self.history_from::<A>(stream, from).await {
            Ok(newer) => newer,
            Err(error) => {
                slot.forget();
                return Err(error);
            }
        };
        let mut warm = kept.map_or(
            Warm {
                state: None,
                revision: None,
                position: None,
            },
            |kept| Warm::clone(&kept),
        );
        if let Some(last) = newer.last() {
            warm.revision = Some(last.revision);
            warm.position = Some(last.position);
            warm.state = newer
                .iter()
                .fold(warm.state, |state, entry| A::evolve(state, &entry.event));
            slot.keep(warm.clone());
        }
        Ok(warm)
    }

    /// The aggregate as it stood at `moment`: only events the store recorded
    /// up to then are folded.
    pub async fn load_as_of<A: Aggregate>(
        &self,
        id: A::Id,
        moment: DateTime<Utc>,
    ) -> Result<Loaded<A>, RepositoryError> {
        let history = self.history::<A>(&id.stream_name()).await?;
        // An event is known from the moment its change was asked for (or,
        // for older events, recorded); never before the events ahead of it.
        let mut known_from = DateTime::<Utc>::MIN_UTC;
        let known_then = history
            .iter()
            .take_while(|entry| {
                known_from = known_from.max(entry.at);
                known_from <= moment
            })
            .count();
        Ok(fold(&history[..known_then]))
    }

    /// The aggregate as it stood at `moment` (as
    /// [`load_as_of`](Self::load_as_of)) and as it stands now, from one
    /// read: what a reader of the past needs when something done since
    /// (an erasure) governs what the past may show.
    pub async fn load_then_and_now<A: Aggregate>(
        &self,
        id: A::Id,
        moment: DateTime<Utc>,
    ) -> Result<(Loaded<A>, Loaded<A>), RepositoryError> {
        let history = self.history::<A>(&id.stream_name()).await?;
        let mut known_from = DateTime::<Utc>::MIN_UTC;
        let known_then = history
            .iter()
            .take_while(|entry| {
                known_from = known_from.max(entry.at);
                known_from <= moment
            })
            .count();
        Ok((fold(&history[..known_then]), fold(&history)))
    }

    /// Like [`load`](Self::load), but an aggregate with no events is
    /// [`NotFound`](RepositoryError::NotFound).
    pub async fn get<A: Aggregate>(&self, id: A::Id) -> Result<(A, u64), RepositoryError> {
        match self.load::<A>(id).await? {
            Loaded {
                state: Some(state),
                revision: Some(revision),
            } => Ok((state, revision)),
            _ => Err(RepositoryError::NotFound {
                stream: id.stream_name(),
            }),
        }
    }

    /// Loads the aggregate, decides `command`, and appends the events with
    /// the expected revision; see [`execute_with`](Self::execute_with).
    pub async fn execute<A: Aggregate>(
        &self,
        id: A::Id,
        command: A::Command,
        context: &EventContext,
    ) -> Result<Executed<A>, RepositoryError>
    where
        A::Command: Clone,
    {
        self.execute_with(id, command, context, ExecuteOptions::default())
            .await
    }

    /// Loads the aggregate, decides `command` on it and appends the events
    /// it produces, each with the metadata of `context`, expecting the
    /// stream to stand where it was loaded (or where `options` say).
    ///
    /// A command with an idempotency key whose events are already in the
    /// stream is answered from them, appending nothing. Losing a race to
    /// another writer reloads and decides again, at most the repository's
    /// retry bound, unless the caller named the expected revision or turned
    /// retries off; then it is a [`Conflict`](RepositoryError::Conflict).
    pub async fn execute_with<A: Aggregate>(
        &self,
        id: A::Id,
        command: A::Command,
        context: &EventContext,
        options: ExecuteOptions,
    ) -> Result<Executed<A>, RepositoryError>
    where
        A::Command: Clone,
    {
        let stream = id.stream_name();
        if let Some(key) = &options.idempotency_key
            && !options.key_remembered
        {
            self.remember_request(key, context).await?;
        }
        let event_ids = options
            .idempotency_key
            .as_ref()
            .map(|key| key.event_ids(&context.actor, &stream));
        let retries = match options.expected {
            ExpectedRevision::Latest if !options.no_retry => self.conflict_retries,
            _ => 0,
        };
        // A new aggregate is appended without reading first; with an
        // idempotency key it is read first, so that a retry is answered
        // from the first attempt's events rather than from this request.
        if options.expected == ExpectedRevision::NoStream
            && event_ids.is_none()
            && let Some(executed) = self
                .create::<A>(&stream, command.clone(), context, event_ids)
                .await?
        {
            return Ok(executed);
        }
        if A::KEEP_WARM && event_ids.is_none() {
            return self
                .execute_warm::<A>(&stream, command, context, options.expected, retries)
                .await;
        }
        let mut attempt = 0;
        loop {
            let history = self.history::<A>(&stream).await?;
            if let Some(event_ids) = &event_ids
                && let Some(replay) = replay(&history, event_ids)
            {
                tracing::debug!(%stream, revision = ?replay.revision, "idempotent command answered from its first attempt");
                return Ok(replay);
            }
            let loaded = fold::<A>(&history);
            let standing = Warm {
                state: loaded.state,
                revision: loaded.revision,
                position: history.last().map(|entry| entry.position),
            };
            let expected = standing.revision;
            match self
                .attempt(
                    &stream,
                    standing,
                    command.clone(),
                    context,
                    event_ids,
                    options.expected,
                )
                .await?
            {
                Attempt::Done(executed) => return Ok(executed),
                Attempt::Lost { actual } if attempt >= retries => {
                    return Err(RepositoryError::Conflict {
                        stream,
                        expected,
                        actual,
                    });
                }
                Attempt::Lost { actual } => {
                    attempt += 1;
                    tracing::debug!(%stream, attempt, ?expected, ?actual, "lost a race to another writer, deciding again");
                }
            }
        }
    }

    /// [`execute_with`](Self::execute_with) on a warm stream (decision
    /// record 100): in this process's turn for the stream, from the state
    /// kept and what came after it.
    async fn execute_warm<A: Aggregate>(
        &self,
        stream: &str,
        command: A::Command,
        context: &EventContext,
        expected: ExpectedRevision,
        retries: usize,
    ) -> Result<Executed<A>, RepositoryError>
    where
        A::Command: Clone,
    {
        let slot = self.warm.slot(stream);
        let _turn = slot.turn.lock().await;
        let mut attempt = 0;
        loop {
            let standing = self.warmed::<A>(&slot, stream).await?;
            let before = standing.revision;
            let outcome = self
                .attempt(stream, standing, command.clone(), context, None, expected)
                .await;
            match outcome {
                Ok(Attempt::Done(executed)) => {
                    // What this append wrote is known: the next command
                    // reads from after it. (Its events' own positions are
                    // not told; the last one's is the position answered.)
                    // Had another writer slipped events in between (the
                    // revisions do not add up), the slot reads afresh.
                    let continuous = before.map_or(0, |revision| revision + 1)
                        + executed.events.len() as u64
                        == executed.revision.map_or(0, |revision| revision + 1);
                    if executed.events.is_empty() {
                        // Nothing written: what the slot keeps still holds.
                    } else if continuous {
                        slot.keep(Warm {
                            state: executed.state.clone(),
                            revision: executed.revision,
                            position: executed.position,
                        });
                    } else {
                        slot.forget();
                    }
                    return Ok(executed);
                }
                Ok(Attempt::Lost { actual }) if attempt >= retries => {
                    return Err(RepositoryError::Conflict {
                        stream: stream.to_owned(),
                        expected: before,
                        actual,
                    });
                }
                Ok(Attempt::Lost { actual }) => {
                    attempt += 1;
                    tracing::debug!(%stream, attempt, expected = ?before, ?actual, "another process wrote to a warm stream, reading on and deciding again");
                }
                Err(error) => {
                    if matches!(error, RepositoryError::Store(_)) {
                        slot.forget();
                    }
                    return Err(error);
                }
            }
        }
    }

    /// One attempt of a command on the stream as it stands: the expected
    /// revision checked, the command decided, its events appended expecting
    /// the stream still to stand there. Shared by the cold and the warm
    /// path, which differ only in how they read the stream and what they
    /// keep after.
    async fn attempt<A: Aggregate>(
        &self,
        stream: &str,
        standing: Warm<A>,
        command: A::Command,
        context: &EventContext,
        event_ids: Option<EventIds>,
        expected: ExpectedRevision,
    ) -> Result<Attempt<A>, RepositoryError> {
        let conflict = |expected: Option<u64>| RepositoryError::Conflict {
            stream: stream.to_owned(),
            expected,
            actual: standing.revision,
        };
        match expected {
            ExpectedRevision::Exact(expected) if standing.revision != Some(expected) => {
                return Err(conflict(Some(expected)));
            }
            ExpectedRevision::NoStream if standing.revision.is_some() => {
                return Err(conflict(None));
            }
            _ => {}
        }
        let events = A::decide(standing.state.as_ref(), command)
            .map_err(|refusal| RepositoryError::Domain(Refused::new(refusal)))?;
        if events.is_empty() {
            return Ok(Attempt::Done(Executed {
                events,
                state: standing.state,
                revision: standing.revision,
                position: standing.position,
                replayed: false,
            }));
        }
        let data = events_data::<A>(&events, event_ids, context).await?;
        let stream_state = match standing.revision {
            None => StreamState::NoStream,
            Some(revision) => StreamState::StreamRevision(revision),
        };
        let append_options = AppendToStreamOptions::default().stream_state(stream_state);
        match self
            .client
            .append_to_stream(stream, &append_options, data)
            .await
        {
            Ok(written) => {
                let state = events
                    .iter()
                    .fold(standing.state, |state, event| A::evolve(state, event));
                Ok(Attempt::Done(Executed {
                    events,
                    state,
                    revision: Some(written.next_expected_version),
                    position: Some(written.position),
                    replayed: false,
                }))
            }
            Err(kurrentdb::Error::WrongExpectedVersion { current, .. }) => Ok(Attempt::Lost {
                actual: match current {
                    CurrentRevision::Current(revision) => Some(revision),
                    CurrentRevision::NoStream => None,
                },
            }),
            Err(error) => Err(RepositoryError::Store(error)),
        }
    }

    /// A new aggregate's first append, without reading first: decided on
    /// no state and appended expecting no stream. `None` when the stream
    /// exists (the caller then reads it and answers the conflict).
    async fn create<A: Aggregate>(
        &self,
        stream: &str,
        command: A::Command,
        context: &EventContext,
        event_ids: Option<EventIds>,
    ) -> Result<Option<Executed<A>>, RepositoryError> {
        let events = A::decide(None, command)
            .map_err(|refusal| RepositoryError::Domain(Refused::new(refusal)))?;
        if events.is_empty() {
            return Ok(None);
        }
        let data = events_data::<A>(&events, event_ids, context).await?;
        let append_options = AppendToStreamOptions::default().stream_state(StreamState::NoStream);
        match self
            .client
            .append_to_stream(stream, &append_options, data)
            .await
        {
            Ok(written) => {
                let state = A::fold(events.iter());
                Ok(Some(Executed {
                    events,
                    state,
                    revision: Some(written.next_expected_version),
                    position: Some(written.position),
                    replayed: false,
                }))
            }
            Err(kurrentdb::Error::WrongExpectedVersion { .. }) => Ok(None),
            Err(error) => Err(RepositoryError::Store(error)),
        }
    }

    /// The ids of the keys that seal personal data in `stream` (the keys to
    /// destroy to erase what it holds of persons).
    pub async fn sealing_keys(&self, stream: &str) -> Result<Vec<String>, RepositoryError> {
        let mut read = match self
            .client
            .read_stream(stream, &ReadStreamOptions::default())
            .await
        {
            Ok(read) => read,
            Err(kurrentdb::Error::ResourceNotFound | kurrentdb::Error::ResourceDeleted) => {
                return Ok(Vec::new());
            }
            Err(error) => return Err(error.into()),
        };
        let mut ids = Vec::new();
        loop {
            let resolved = match read.next().await {
                Ok(Some(resolved)) => resolved,
                Ok(None) => break,
                Err(kurrentdb::Error::ResourceNotFound | kurrentdb::Error::ResourceDeleted) => {
                    reads::finish(&mut read).await;
                    break;
                }
                Err(error) => return Err(error.into()),
            };
            let recorded = resolved.get_original_event();
            if !holds_sealed(&recorded.data) {
                continue;
            }
            if let Ok(data) = serde_json::from_slice::<serde_json::Value>(&recorded.data) {
                sealed_key_ids(&data, &mut ids);
            }
        }
        Ok(ids)
    }

    /// Every event of `stream`, decoded; none for a stream that does not
    /// exist or was deleted.
    async fn history<A: Aggregate>(
        &self,
        stream: &str,
    ) -> Result<Vec<HistoryEntry<A::Event>>, RepositoryError> {
        self.history_from::<A>(stream, None).await
    }

    /// The events of `stream` from revision `from` on (all with `None`).
    async fn history_from<A: Aggregate>(
        &self,
        stream: &str,
        from: Option<u64>,
    ) -> Result<Vec<HistoryEntry<A::Event>>, RepositoryError> {
        let start = from.map_or(StreamPosition::Start, StreamPosition::Position);
        let mut read = match self
            .client
            .read_stream(stream, &ReadStreamOptions::default().position(start))
            .await
        {
            Ok(read) => read,
            Err(kurrentdb::Error::ResourceNotFound | kurrentdb::Error::ResourceDeleted) => {
                return Ok(Vec::new());
            }
            Err(error) => return Err(error.into()),
        };
        let mut history = Vec::new();
        loop {
            let resolved = match read.next().await {
                Ok(Some(resolved)) => resolved,
                Ok(None) => break,
                Err(kurrentdb::Error::ResourceNotFound | kurrentdb::Error::ResourceDeleted) => {
                    reads::finish(&mut read).await;
                    return Ok(Vec::new());
                }
                Err(error) => return Err(error.into()),
            };
            let stored = match StoredEvent::<A::Event>::from_recorded(resolved.get_original_event())
            {
                Ok(stored) => stored,
                Err(error) => {
                    reads::finish(&mut read).await;
                    return Err(error.into());
                }
            };
            history.push(HistoryEntry {
                id: stored.id,
                revision: stored.revision,
                position: stored.position,
                at: stored.metadata.at_or(stored.created),
                event: stored.event,
            });
        }
        Ok(history)
    }
}

/// The events of one command as the store takes them: ids from the
/// idempotency key when there is one, else new UUIDv7s.
async fn events_data<A: Aggregate>(
    events: &[A::Event],
    event_ids: Option<EventIds>,
    context: &EventContext,
) -> Result<Vec<EventData>, KeyError> {
    ensure_keys(events).await?;
    events
        .iter()
        .enumerate()
        .map(|(index, event)| {
            let id = event_ids.map_or_else(Uuid::now_v7, |ids| ids.id(index));
            try_event_data(event, id, context)
        })
        .collect()
}

/// The state and revision after `history`.
/// What one attempt of a command came to.
enum Attempt<A: Aggregate> {
    /// Decided and written, or decided to change nothing.
    Done(Executed<A>),
    /// Another writer moved the stream first; it now stands at `actual`.
    Lost { actual: Option<u64> },
}

fn fold<A: Aggregate>(history: &[HistoryEntry<A::Event>]) -> Loaded<A> {
    Loaded {
        state: A::fold(history.iter().map(|entry| &entry.event)),
        revision: history.last().map(|entry| entry.revision),
    }
}

/// The answer of an idempotent command's first attempt, if its events are
/// in `history`: they start with the id of index 0 and run on with
/// consecutive ids.
fn replay<A: Aggregate>(
    history: &[HistoryEntry<A::Event>],
    event_ids: &EventIds,
) -> Option<Executed<A>> {
    let first_id = event_ids.id(0);
    let start = history.iter().position(|entry| entry.id == first_id)?;
    let count = history[start..]
        .iter()
        .enumerate()
        .take_while(|(index, entry)| entry.id == event_ids.id(*index))
        .count();
    let end = start + count;
    let then = fold::<A>(&history[..end]);
    Some(Executed {
        events: history[start..end]
            .iter()
            .map(|entry| entry.event.clone())
            .collect(),
        state: then.state,
        revision: then.revision,
        position: history.get(end - 1).map(|entry| entry.position),
        replayed: true,
    })
}

/// A domain event as the store takes it: the domain's JSON data
/// (`application/json`) under its type name, its personal fields sealed
/// with their persons' keys (made when missing: the repository makes them
/// first, so this waits only for callers outside it), the metadata of
/// `context` with its schema version, and the given id.
///
/// Panics when the keys cannot be had; [`Repository::execute`] answers that
/// as an error instead.
pub fn event_data<E: DomainEvent>(event: &E, id: Uuid, context: &EventContext) -> EventData {
    try_event_data(event, id, context).expect("the keyring makes the keys of the event's persons")
}

/// [`event_data`], answering a failure of the keyring.
pub(crate) fn try_event_data<E: DomainEvent>(
    event: &E,
    id: Uuid,
    context: &EventContext,
) -> Result<EventData, KeyError> {
    let encoded = event.encode();
    let metadata = Metadata::new(context, encoded.schema_version);
    let fields = E::personal_fields(encoded.event_type);
    let json = if fields.is_empty() {
        String::from_utf8(encoded.data).expect("the domain encodes events as JSON")
    } else {
        let mut data: serde_json::Value =
            serde_json::from_slice(&encoded.data).expect("the domain encodes events as JSON");
        let spots = personal_spots(fields, &data);
        seal(Keyring::process(), encoded.event_type, &spots, &mut data)?;
        serde_json::to_string(&data).expect("JSON serialises")
    };
    // The bytes pass through unchanged: a raw JSON value serialises as
    // itself.
    let data = RawValue::from_string(json).expect("the domain encodes events as JSON");
    Ok(EventData::json(encoded.event_type, &data)
        .expect("raw JSON serialises as itself")
        .id(id)
        .metadata(metadata.to_json().into()))
}

/// Makes sure the persons whose data `events` hold have keys, durably,
/// before anything sealed with them is appended.
pub(crate) async fn ensure_keys<E: DomainEvent>(events: &[E]) -> Result<(), KeyError> {
    let mut subjects = Vec::new();
    for event in events {
        let event_type = event.event_type();
        let fields = E::personal_fields(event_type);
        if fields.is_empty() {
            continue;
        }
        let data: serde_json::Value =
            serde_json::from_slice(&event.data()).expect("the domain encodes events as JSON");
        for spot in personal_spots(fields, &data) {
            if !subjects.contains(&spot.subject) {
                subjects.push(spot.subject);
            }
        }
    }
    Keyring::process().ensure(&subjects).await
}
