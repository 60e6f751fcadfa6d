//! What can go wrong, one enum per job.

use labex_domain::{DecodeError, Refused};
use uuid::Uuid;

use crate::keys::KeyError;

/// A stored event that cannot be read as a Labex event.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// Its custom metadata is not Labex's metadata object.
    #[error("event {event_id} in {stream} has unreadable metadata: {source}")]
    Metadata {
        /// The event.
        event_id: Uuid,
        /// Its stream.
        stream: String,
        /// What serde found.
        source: serde_json::Error,
    },
    /// Its data cannot be decoded (unknown type or schema, failed upcast,
    /// malformed JSON).
    #[error("event {event_id} in {stream} cannot be decoded: {source}")]
    Decode {
        /// The event.
        event_id: Uuid,
        /// Its stream.
        stream: String,
        /// What the domain found.
        source: DecodeError,
    },
    /// Its sealed personal fields could not be opened: the key table failed
    /// or the master key is not the one that wrapped their keys (a key
    /// that was destroyed is no error: the field reads as erased).
    #[error("event {event_id} in {stream} cannot be opened: {source}")]
    Keys {
        /// The event.
        event_id: Uuid,
        /// Its stream.
        stream: String,
        /// What the keyring found.
        source: KeyError,
    },
    /// An event of another aggregate in an aggregate's stream.
    #[error("event {event_id} in {stream} is a {event_type}, not an event of this aggregate")]
    ForeignEvent {
        /// The event.
        event_id: Uuid,
        /// Its stream.
        stream: String,
        /// Its type.
        event_type: String,
    },
    /// A claim stream whose first event is not a claim.
    #[error("event {event_id} in {stream} is not a readable claim: {source}")]
    Claim {
        /// The event.
        event_id: Uuid,
        /// Its stream.
        stream: String,
        /// What serde found.
        source: serde_json::Error,
    },
}

/// Why loading or executing a command on an aggregate failed.
#[derive(Debug, thiserror::Error)]
pub enum RepositoryError {
    /// The aggregate refused the command (its context's error, erased:
    /// [`Refused::downcast_ref`] gives it back).
    #[error(transparent)]
    Domain(Refused),
    /// The stream was not at the expected revision: the caller's `If-Match`
    /// (`expected` is what it gave) or a new aggregate's stream that exists
    /// already, or concurrent writers that outran every retry. `None` means
    /// no stream.
    #[error("stream {stream} is at revision {actual:?}, not the expected {expected:?}")]
    Conflict {
        /// The stream.
        stream: String,
        /// The revision the append expected.
        expected: Option<u64>,
        /// The revision the stream is at.
        actual: Option<u64>,
    },
    /// The aggregate has no events (or had none by the moment asked).
    #[error("stream {stream} does not exist")]
    NotFound {
        /// The stream.
        stream: String,
    },
    /// An event of the stream could not be read.
    #[error(transparent)]
    Read(#[from] ReadError),
    /// The store failed or could not be reached.
    #[error("event store: {0}")]
    Store(#[from] kurrentdb::Error),
    /// The keys to seal personal data could not be had.
    #[error(transparent)]
    Keys(#[from] KeyError),
    /// An `Idempotency-Key` used before for another request.
    #[error("the idempotency key {key} was used before for another request")]
    IdempotencyKeyReused {
        /// The key.
        key: String,
    },
}

/// Why a projection or a process manager stopped.
#[derive(Debug, thiserror::Error)]
pub enum ProjectionError {
    /// The read model's database failed.
    #[error("read model database: {0}")]
    Database(#[from] rusqlite::Error),
    /// An event could not be read.
    #[error(transparent)]
    Read(#[from] ReadError),
    /// The projection refused an event (a bug, or data it cannot hold).
    #[error("projection {projection} failed on event {event_id}: {reason}")]
    Apply {
        /// The projection.
        projection: String,
        /// The event.
        event_id: Uuid,
        /// Why.
        reason: String,
    },
    /// A command of a process manager failed for a reason other than the
    /// domain's refusal.
    #[error(transparent)]
    Repository(#[from] RepositoryError),
    /// The store failed or could not be reached.
    #[error("event store: {0}")]
    Store(#[from] kurrentdb::Error),
    /// The storage of a consumer other than SQLite (a search index) failed.
    #[error("read model storage: {0}")]
    Storage(String),
    /// The runner's worker task ended abnormally (a panic in a projection).
    #[error("projection worker ended abnormally: {0}")]
    Worker(String),
    /// Waiting for the projection to catch up took longer than allowed.
    #[error("projection {projection} did not catch up within {waited_ms} ms")]
    Timeout {
        /// The projection.
        projection: String,
        /// How long it waited.
        waited_ms: u128,
    },
    /// The runner has stopped (asked to, or after a failure).
    #[error("projection {projection} is not running")]
    Stopped {
        /// The projection.
        projection: String,
    },
}

impl ProjectionError {
    /// Whether trying again later may succeed: the store was unreachable or
    /// a command lost its races. A runner then resubscribes from its stored
    /// checkpoint; any other error stops it.
    pub fn is_transient(&self) -> bool {
        match self {
            Self::Store(_) => true,
            Self::Repository(RepositoryError::Store(_) | RepositoryError::Conflict { .. }) => true,
            Self::Database(rusqlite::Error::SqliteFailure(failure, _)) => matches!(
                failure.code,
                rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked
            ),
            _ => false,
        }
    }
}
