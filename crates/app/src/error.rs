//! The typed outcome of a use case that did not succeed. Each variant is
//! one kind of answer; the HTTP edge maps each to its status and problem
//! type in one place (`labex_web::ApiError`'s `From<Error>`).
//!
//! Details are sentences for the person who sent the request: what is
//! wrong and what to do. Causes of faults (`Unavailable`, `Internal`) are
//! for the log only.

use labex_domain::{Refusal, Refused};
use labex_eventsourcing::{ProjectionError, ReadModelError, RepositoryError};

use crate::input::FieldError;

/// Why a use case did not do what it was asked.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The actor may not do this (their role or office scope); `errors`
    /// names the fields at fault where some are.
    #[error("forbidden: {detail}")]
    Forbidden {
        /// What the actor may not do, and what to do instead.
        detail: String,
        /// The fields the actor may not set, if that is the reason.
        errors: Vec<FieldError>,
    },
    /// What the request names does not exist (or not then, for `as_of`).
    #[error("not found: {detail}")]
    NotFound {
        /// What is missing.
        detail: String,
    },
    /// The domain refused the command (its own code and kind).
    #[error(transparent)]
    Refused(Refused),
    /// Fields of the request are invalid.
    #[error("{} invalid fields", .0.len())]
    Invalid(Vec<FieldError>),
    /// Query parameters of the request are invalid (a search's, a page's):
    /// a bad request rather than an unprocessable one.
    #[error("{} invalid query parameters", .0.len())]
    InvalidQuery(Vec<FieldError>),
    /// The current state forbids the request, beyond what one aggregate
    /// decides (a unique key owned by another record, a lost race).
    #[error("conflict: {detail}")]
    Conflict {
        /// What conflicts, and what to do.
        detail: String,
    },
    /// A paging cursor this service did not issue.
    #[error("a paging cursor this service did not issue")]
    BadCursor,
    /// The record changed since the revision the request was based on
    /// (`If-Match`).
    #[error("the record changed since the revision given")]
    Stale,
    /// A read model the request needs has not caught up with the store yet.
    #[error("not ready: {detail}")]
    NotReady {
        /// What is behind.
        detail: String,
    },
    /// The event store cannot be reached.
    #[error("event store unavailable: {cause}")]
    Unavailable {
        /// What failed (for the log).
        cause: String,
    },
    /// An `Idempotency-Key` the actor used before for another request:
    /// nothing was written or claimed.
    #[error("the idempotency key {key} was used for another request")]
    IdempotencyKeyReused {
        /// The key.
        key: String,
    },
    /// The caller (or everyone) holds as much of a bounded resource as is
    /// served (live feeds, say); retrying later may succeed.
    #[error("too many: {detail}")]
    TooMany {
        /// What is exhausted, and what to do.
        detail: String,
    },
    /// A fault of the service.
    #[error("internal: {cause}")]
    Internal {
        /// What failed (for the log).
        cause: String,
    },
}

impl Error {
    /// The actor may not do this.
    pub fn forbidden(detail: impl Into<String>) -> Self {
        Self::Forbidden {
            detail: detail.into(),
            errors: Vec::new(),
        }
    }

    /// What the request names does not exist.
    pub fn not_found(detail: impl Into<String>) -> Self {
        Self::NotFound {
            detail: detail.into(),
        }
    }

    /// A conflict with the current state.
    pub fn conflict(detail: impl Into<String>) -> Self {
        Self::Conflict {
            detail: detail.into(),
        }
    }

    /// A fault of the service; `cause` goes to the log, not the client.
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        Self::Internal {
            cause: cause.to_string(),
        }
    }

    /// The fields at fault: every invalid field, or the fields the actor
    /// may not set; none for other errors.
    pub fn field_errors(&self) -> &[FieldError] {
        match self {
            Self::Invalid(errors) | Self::InvalidQuery(errors) | Self::Forbidden { errors, .. } => {
                errors
            }
            _ => &[],
        }
    }

    /// The domain refused the command.
    pub fn refused(refusal: impl Refusal) -> Self {
        Self::Refused(Refused::new(refusal))
    }

    /// A repository error, knowing whether the command named the revision
    /// it expected (an `If-Match`): a conflict is then [`Stale`](Self::Stale),
    /// else a lost race, answered as a conflict to retry.
    pub fn from_repository(error: RepositoryError, expected_revision_given: bool) -> Self {
        match error {
            RepositoryError::Domain(refused) => Self::Refused(refused),
            RepositoryError::Conflict { .. } if expected_revision_given => Self::Stale,
            RepositoryError::Conflict { .. } => Self::conflict(
                "The record was changed by another request at the same time; retry the request.",
            ),
            RepositoryError::NotFound { .. } => {
                Self::not_found("No such record exists; check the id in the path.")
            }
            RepositoryError::Store(store) => Self::Unavailable {
                cause: store.to_string(),
            },
            RepositoryError::Read(read) => Self::internal(read),
            RepositoryError::Keys(keys) => Self::internal(keys),
            RepositoryError::IdempotencyKeyReused { key } => Self::IdempotencyKeyReused { key },
        }
    }
}

impl From<RepositoryError> for Error {
    /// Without an expected revision: a conflict is a lost race.
    fn from(error: RepositoryError) -> Self {
        Self::from_repository(error, false)
    }
}

impl From<ReadModelError> for Error {
    fn from(error: ReadModelError) -> Self {
        Self::internal(error)
    }
}

impl From<ProjectionError> for Error {
    /// A projection the request waits for: the store unreachable, or the
    /// projection behind.
    fn from(error: ProjectionError) -> Self {
        match error {
            ProjectionError::Store(store) => Self::Unavailable {
                cause: store.to_string(),
            },
            error => {
                tracing::warn!(%error, "a read model is behind the store");
                Self::NotReady {
                    detail:
                        "The lists are catching up with the event store; retry in a few seconds."
                            .to_owned(),
                }
            }
        }
    }
}
