//! Why a persistent-subscription call failed, and the one mapping of those
//! failures to the gRPC statuses (with `exception` metadata) that the
//! official clients turn into their errors.

use tonic::{Code, Status};

use super::definition::GroupId;
use crate::server::errors::{self, exception};
use crate::storage::StoreError;

/// A failure of the persistent-subscription service.
#[derive(Debug, thiserror::Error)]
pub(crate) enum PersistentError {
    /// No group of that name on that source.
    #[error("subscription group {0} does not exist")]
    DoesNotExist(GroupId),
    /// Creating a group that is already there.
    #[error("subscription group {0} exists")]
    Exists(GroupId),
    /// The group has as many consumers as its settings allow.
    #[error("subscription group {0} has its maximum of consumers")]
    MaximumSubscribersReached(GroupId),
    /// The group was deleted, updated or restarted under a consumer.
    #[error("subscription group {0} was dropped")]
    Dropped(GroupId),
    /// The store is stopping.
    #[error("the store is shutting down")]
    ShuttingDown,
    /// The request is malformed; the text says how, to the user.
    #[error("invalid request: {0}")]
    InvalidRequest(String),
    /// Settings that KurrentDB takes but cannot build a group from (a read
    /// batch not smaller than the history buffer, an unknown consumer
    /// strategy): it answers `Internal`, which the clients raise as their
    /// internal or server error, so this store does too.
    #[error("settings refused: {0}")]
    SettingsRefused(String),
    /// The storage engine refused or failed.
    #[error("storage: {source}")]
    Storage {
        source: StoreError,
        /// The stream the operation concerned, for the status metadata.
        stream: String,
    },
}

impl PersistentError {
    pub(crate) fn storage(source: StoreError, id: &GroupId) -> Self {
        PersistentError::Storage {
            source,
            stream: id.source.name().to_owned(),
        }
    }
}

fn naming(id: &GroupId) -> [(&'static str, String); 2] {
    [
        ("stream-name", id.source.name().to_owned()),
        ("group-name", id.group.clone()),
    ]
}

impl From<PersistentError> for Status {
    fn from(error: PersistentError) -> Status {
        match error {
            PersistentError::DoesNotExist(id) => errors::with_exception(
                Code::NotFound,
                format!(
                    "Subscription group '{}' on stream '{}' does not exist.",
                    id.group,
                    id.source.name()
                ),
                exception::PERSISTENT_SUBSCRIPTION_DOES_NOT_EXIST,
                &naming(&id),
            ),
            PersistentError::Exists(id) => errors::with_exception(
                Code::AlreadyExists,
                format!(
                    "Subscription group '{}' on stream '{}' exists.",
                    id.group,
                    id.source.name()
                ),
                exception::PERSISTENT_SUBSCRIPTION_EXISTS,
                &naming(&id),
            ),
            PersistentError::MaximumSubscribersReached(id) => errors::with_exception(
                Code::FailedPrecondition,
                format!(
                    "Maximum subscriptions reached for subscription group '{}' on stream '{}'.",
                    id.group,
                    id.source.name()
                ),
                exception::MAXIMUM_SUBSCRIBERS_REACHED,
                &naming(&id),
            ),
            PersistentError::Dropped(id) => errors::with_exception(
                Code::Cancelled,
                format!(
                    "Subscription group '{}' on stream '{}' was dropped; subscribe again.",
                    id.group,
                    id.source.name()
                ),
                exception::PERSISTENT_SUBSCRIPTION_DROPPED,
                &naming(&id),
            ),
            PersistentError::ShuttingDown => Status::unavailable(
                "The event store is shutting down; subscribe again once it is back.",
            ),
            PersistentError::InvalidRequest(message) => Status::invalid_argument(message),
            PersistentError::SettingsRefused(message) => Status::internal(message),
            PersistentError::Storage { source, stream } => errors::status(source, &stream),
        }
    }
}
