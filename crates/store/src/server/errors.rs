//! The one place where the store's errors become gRPC statuses, with the
//! `exception` metadata that the official clients map to their errors.

use tonic::metadata::MetadataValue;
use tonic::{Code, Status};

use crate::storage::{CurrentRevision, ExpectedRevision, StoreError};

/// Values of the `exception` metadata key, as EventStoreDB sends them.
pub(crate) mod exception {
    pub const STREAM_DELETED: &str = "stream-deleted";
    pub const WRONG_EXPECTED_VERSION: &str = "wrong-expected-version";
    pub const MAXIMUM_APPEND_SIZE_EXCEEDED: &str = "maximum-append-size-exceeded";
    pub const PERSISTENT_SUBSCRIPTION_DOES_NOT_EXIST: &str =
        "persistent-subscription-does-not-exist";
    pub const PERSISTENT_SUBSCRIPTION_EXISTS: &str = "persistent-subscription-exists";
    pub const MAXIMUM_SUBSCRIBERS_REACHED: &str = "maximum-subscribers-reached";
    pub const PERSISTENT_SUBSCRIPTION_DROPPED: &str = "persistent-subscription-dropped";
}

/// A status with `exception` and further metadata pairs.
pub(crate) fn with_exception(
    code: Code,
    message: impl Into<String>,
    exception: &'static str,
    pairs: &[(&'static str, String)],
) -> Status {
    let mut status = Status::new(code, message);
    let metadata = status.metadata_mut();
    metadata.insert("exception", MetadataValue::from_static(exception));
    for (key, value) in pairs {
        // A value that is not printable ASCII (a stream name, say) is left out.
        if let Ok(value) = value.parse() {
            metadata.insert(*key, value);
        }
    }
    status
}

pub(crate) fn describe_expected(expected: ExpectedRevision) -> String {
    match expected {
        ExpectedRevision::Any => "-2".into(),
        ExpectedRevision::NoStream => "-1".into(),
        ExpectedRevision::StreamExists => "-4".into(),
        ExpectedRevision::Exact(revision) => revision.to_string(),
    }
}

pub(crate) fn describe_current(current: CurrentRevision) -> String {
    match current {
        CurrentRevision::NoStream => "-1".into(),
        CurrentRevision::Current(revision) => revision.to_string(),
    }
}

pub(crate) fn stream_deleted(stream: &str) -> Status {
    with_exception(
        Code::FailedPrecondition,
        format!("Event stream '{stream}' is deleted."),
        exception::STREAM_DELETED,
        &[("stream-name", stream.to_owned())],
    )
}

pub(crate) fn maximum_append_size_exceeded(limit: usize) -> Status {
    with_exception(
        Code::InvalidArgument,
        format!("Maximum Append Size of {limit} Exceeded."),
        exception::MAXIMUM_APPEND_SIZE_EXCEEDED,
        &[("maximum-append-size", limit.to_string())],
    )
}

/// What a client asked of a stream, as the messages of wrong expected
/// versions name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Operation {
    Append,
    Delete,
}

impl Operation {
    fn name(self) -> &'static str {
        match self {
            Operation::Append => "Append",
            Operation::Delete => "Delete",
        }
    }
}

/// A storage error of an append (or of a read) as the status an official
/// client understands.
pub(crate) fn status(error: StoreError, stream: &str) -> Status {
    status_of(Operation::Append, error, stream)
}

/// A storage error as the status an official client understands. A wrong
/// expected version is `FailedPrecondition` with KurrentDB's message, which
/// the Python client reads (`Actual version: -1` is its "not found"); a
/// tombstoned or soft-deleted stream is `FailedPrecondition` with
/// `exception: stream-deleted` (the Rust client's `ResourceDeleted`) and a
/// message ending in "is deleted." (the Python client's
/// `StreamIsDeletedError`).
pub(crate) fn status_of(operation: Operation, error: StoreError, stream: &str) -> Status {
    match error {
        StoreError::WrongExpectedVersion { current, expected } => with_exception(
            Code::FailedPrecondition,
            format!(
                "{} failed due to WrongExpectedVersion. Stream: {stream}, Expected version: {}, Actual version: {}",
                operation.name(),
                describe_expected(expected),
                describe_current(current)
            ),
            exception::WRONG_EXPECTED_VERSION,
            &[
                ("stream-name", stream.to_owned()),
                ("expected-version", describe_expected(expected)),
                ("actual-version", describe_current(current)),
            ],
        ),
        StoreError::StreamDeleted(stream) => stream_deleted(&stream),
        StoreError::BadRequest(message) => Status::invalid_argument(message),
        StoreError::Storage(error) => {
            tracing::error!(%error, "storage failure");
            Status::unavailable("The event store could not complete the operation; retry it.")
        }
        StoreError::CommitFailed(message) => {
            tracing::error!(error = %message, "commit failed");
            Status::unavailable(
                "The event store could not make the write durable; nothing was written. Retry it.",
            )
        }
        StoreError::Closed => Status::unavailable("The event store is shutting down."),
    }
}
