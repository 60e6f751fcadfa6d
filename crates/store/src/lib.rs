//! Labex's embedded event store: a durable single-node server that speaks
//! the EventStoreDB/KurrentDB gRPC protocol, so that the official clients
//! (and every Labex service, through the `kurrentdb` crate) use it as they
//! would a KurrentDB cluster.
//!
//! Flow: gRPC calls ([`server`]) turn into commands for the storage engine
//! ([`storage`]). One writer thread takes every waiting command into one
//! SQLite transaction (group commit, WAL with fsync) and answers none before
//! the commit is durable; then it broadcasts the batch to live
//! subscriptions. Reads run on a pool of read-only connections off the async
//! threads. Positions in `$all` are assigned by the writer and only grow.

pub mod auth;
pub mod backup;
pub mod filter;
mod proto;
pub mod server;
pub mod storage;

pub use server::{
    DEFAULT_LISTEN, DEFAULT_MAX_APPEND_SIZE, DEFAULT_MAX_PENDING_APPENDS,
    DEFAULT_MAX_PENDING_BATCHES, RunningServer, ServerConfig, StartError, TlsFiles,
};
pub use storage::Storage;
