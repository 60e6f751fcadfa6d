//! The values the storage engine takes and gives: proposed and recorded
//! events, expected and current revisions, stream metadata.

use bytes::Bytes;
use uuid::Uuid;

/// The name of the global stream, which holds every event in commit order.
pub const ALL_STREAM: &str = "$all";
/// Streams whose name starts with this hold the metadata of another stream.
pub const METADATA_STREAM_PREFIX: &str = "$$";
/// Event type of an event in a metadata stream.
pub const METADATA_EVENT_TYPE: &str = "$metadata";
/// The `$tb` (truncate before) of a soft-deleted stream, as KurrentDB writes
/// it: the largest 64-bit signed integer. Metadata that carries it deletes
/// the stream; the next append to the stream writes the metadata again with
/// `$tb` at the first new revision.
pub const DELETED_STREAM_TRUNCATE_BEFORE: u64 = i64::MAX as u64;
/// The system stream a new store begins `$all` with, as a KurrentDB
/// database begins with its own system events.
pub const STORE_STREAM: &str = "$store";
/// Type of the event that records the store's creation in [`STORE_STREAM`].
pub const STORE_CREATED_EVENT_TYPE: &str = "$store-created";

/// An event as a client proposes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProposedEvent {
    pub id: Uuid,
    pub event_type: String,
    pub content_type: String,
    pub custom_metadata: Bytes,
    pub data: Bytes,
}

impl ProposedEvent {
    /// Bytes this event takes towards the maximum append size.
    pub fn size(&self) -> usize {
        self.event_type.len()
            + self.content_type.len()
            + self.custom_metadata.len()
            + self.data.len()
    }
}

/// An event as it is stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedEvent {
    /// Position in `$all`; it only grows. Commit and prepare positions are both this.
    pub position: u64,
    pub stream: String,
    pub revision: u64,
    pub id: Uuid,
    pub event_type: String,
    pub content_type: String,
    pub custom_metadata: Bytes,
    pub data: Bytes,
    /// When it was written, in .NET ticks (100 ns) since the Unix epoch.
    pub created: i64,
}

/// What the writer expects the stream's last revision to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExpectedRevision {
    Any,
    NoStream,
    StreamExists,
    Exact(u64),
}

/// What the stream's last revision is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CurrentRevision {
    NoStream,
    Current(u64),
}

/// What a successful append reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AppendOutcome {
    /// The stream's last revision after the append.
    pub current_revision: CurrentRevision,
    /// `$all` position of the last event written (or found again, for an
    /// idempotent retry); none when the append had no events.
    pub position: Option<u64>,
}

/// Stream metadata honoured by reads, from the stream's `$$` stream.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StreamMetadata {
    pub max_count: Option<u64>,
    /// Seconds.
    pub max_age: Option<u64>,
    pub truncate_before: Option<u64>,
}

/// Where a stream stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamInfo {
    pub name: String,
    pub last_revision: Option<u64>,
    pub soft_deleted: bool,
    pub tombstoned: bool,
    pub metadata: StreamMetadata,
}

impl StreamInfo {
    /// The lowest revision a read may show, before `$maxAge` is applied.
    pub fn first_visible_revision(&self) -> u64 {
        let mut first = self.metadata.truncate_before.unwrap_or(0);
        if let (Some(max_count), Some(last)) = (self.metadata.max_count, self.last_revision) {
            first = first.max((last + 1).saturating_sub(max_count));
        }
        if is_metadata_stream(&self.name)
            && let Some(last) = self.last_revision
        {
            first = first.max(last);
        }
        first
    }

    /// Whether reads answer "stream not found".
    pub fn is_readable(&self) -> bool {
        self.last_revision.is_some() && !self.soft_deleted
    }
}

/// Whether the stream holds another stream's metadata.
pub fn is_metadata_stream(name: &str) -> bool {
    name.starts_with(METADATA_STREAM_PREFIX)
}

/// The stream a metadata stream describes.
pub fn described_stream(metadata_stream: &str) -> &str {
    &metadata_stream[METADATA_STREAM_PREFIX.len()..]
}

/// Now, in .NET ticks since the Unix epoch.
pub fn now_ticks() -> i64 {
    let since_epoch = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    (since_epoch.as_nanos() / 100) as i64
}

/// Ticks in one second.
pub const TICKS_PER_SECOND: i64 = 10_000_000;
