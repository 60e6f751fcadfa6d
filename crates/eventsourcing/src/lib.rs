//! Labex's client side of event sourcing, over the official `kurrentdb`
//! client, so that it runs unchanged against the embedded store or a
//! KurrentDB cluster.
//!
//! It owns four things. The [`Repository`] loads an aggregate by reading
//! its stream (`<aggregate>-<uuid>`), decoding every event with the
//! domain's upcasting `decode` and folding it; `execute` decides a command
//! and appends the events with the expected revision (none for a new
//! aggregate, the loaded one, or the caller's `If-Match`), reloading and
//! deciding again after a lost race where that is allowed, and turning an
//! [`IdempotencyKey`] into deterministic event ids so that a retried
//! command appends nothing twice. Every event carries JSON [`Metadata`]:
//! correlation, causation, actor, office and schema version. A
//! [`Projection`] keeps a read model in SQLite; its [`ProjectionRunner`]
//! follows a server-side filtered `$all` subscription and applies each
//! batch of events in one transaction with the checkpoint, so a restart
//! neither skips nor repeats an event. A [`ProcessManager`] reacts to
//! events of other aggregates with commands, through its own subscription
//! and checkpoint ([`start_process`]), idempotently under redelivery.
//!
//! Threading: everything is async on the caller's tokio runtime, and the
//! repository is a cheap clone shared by request handlers. A runner is two
//! tasks — one owning the subscription, one applying batches — and its
//! SQLite work runs on the blocking pool (`spawn_blocking`), never on the
//! async threads; the connection it was given belongs to it alone while it
//! runs (read models are read through other connections, in WAL mode).

mod checkpoint;
mod claim;
mod error;
mod idempotency;
mod keys;
mod metadata;
mod process;
mod projection;
mod read_model;
pub mod reads;
mod repository;
mod runner;
mod sealing;
mod state_view;
mod stored;
mod warm;

pub use checkpoint::{read_checkpoint, reset_checkpoint};
pub use claim::{KEY_CLAIMED, KEY_CLAIMED_SCHEMA, TURN_TAKEN, TURN_TAKEN_SCHEMA, Turn};
pub use error::{ProjectionError, ReadError, RepositoryError};
pub use idempotency::{
    EventIds, IDEMPOTENCY_CATEGORY, IDEMPOTENCY_KEY_USED, IDEMPOTENCY_KEY_USED_SCHEMA,
    IdempotencyKey, IdempotencyKeyError, MAX_IDEMPOTENCY_KEY_LENGTH, request_digest,
};
pub use keys::{
    CACHE_TTL, DataKey, KEY_TABLE_FILE, KeyError, Keyring, MASTER_KEY_FILE, MasterKey,
    create_private_folder,
};
/// The client this crate speaks to the store through, at the one version
/// the repository's [`client`](Repository::client) is of: for what works
/// beneath the repository, such as tests writing an event of an old schema
/// version as an older build did.
pub use kurrentdb;
pub use kurrentdb::Position;
pub use metadata::{EventContext, Metadata};
pub use process::{
    ProcessManager, pass_over_refusal, reaction_context, reaction_key, start_process,
};
pub use projection::Projection;
pub use read_model::{ReadModel, ReadModelError};
pub use repository::{
    DEFAULT_CONFLICT_RETRIES, ExecuteOptions, Executed, ExpectedRevision, Loaded, Repository,
    event_data,
};
pub use runner::{
    Consumer, EventFilter, LAG_COUNT_LIMIT, Lag, Progress, ProjectionRunner, RunState,
    RunnerOptions,
};
pub use sealing::{
    PersonalSpot, SEALED, holds_sealed, open as open_sealed, open_state, personal_spots, seal,
    seal_state, sealed_key_ids,
};
pub use state_view::{StateProjection, StateView};
pub use stored::StoredEvent;
pub use warm::DEFAULT_WARM_STREAMS;
