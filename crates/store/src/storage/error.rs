use super::model::{CurrentRevision, ExpectedRevision};

/// Why the storage engine refused or failed an operation.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The stream was not where the writer expected it to be.
    #[error("wrong expected version: expected {expected:?}, current {current:?}")]
    WrongExpectedVersion {
        current: CurrentRevision,
        expected: ExpectedRevision,
    },
    /// The stream was tombstoned and can never be read or written again.
    #[error("stream {0} is deleted")]
    StreamDeleted(String),
    /// The request itself is malformed.
    #[error("bad request: {0}")]
    BadRequest(String),
    /// The storage engine failed; the operation was not done.
    #[error("storage failure: {0}")]
    Storage(#[from] rusqlite::Error),
    /// The group commit this operation was part of failed; nothing of it was written.
    #[error("commit failed: {0}")]
    CommitFailed(String),
    /// The store is shutting down or its writer is gone.
    #[error("the store is not running")]
    Closed,
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;
