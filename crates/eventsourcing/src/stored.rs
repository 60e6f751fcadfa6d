//! Events as read back from the store: the decoded domain event with where
//! and when it was recorded and its metadata.

use chrono::{DateTime, Utc};
use kurrentdb::{Position, RecordedEvent};
use labex_domain::{DecodeError, DomainEvent, Event};
use uuid::Uuid;

use crate::error::ReadError;
use crate::keys::{KeyError, Keyring};
use crate::metadata::Metadata;
use crate::sealing::{holds_sealed, open};

/// One recorded Labex event, decoded (and upcast to its current shape):
/// any event of the domain, or one of a single context's family `E`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredEvent<E = Event> {
    /// Its id (deterministic for idempotent commands).
    pub id: Uuid,
    /// Its stream (`vacancy-<uuid>`).
    pub stream: String,
    /// Its revision in the stream, from 0.
    pub revision: u64,
    /// Its position in `$all`.
    pub position: Position,
    /// When the store recorded it, to the store's precision (100 ns ticks).
    pub created: DateTime<Utc>,
    /// Correlation, causation, actor, office and schema version.
    pub metadata: Metadata,
    /// The event, in its current shape.
    pub event: E,
}

impl<E: DomainEvent> StoredEvent<E> {
    /// Reads a recorded event: its metadata, then its data with the schema
    /// version the metadata names.
    pub fn from_recorded(recorded: &RecordedEvent) -> Result<Self, ReadError> {
        let stream = recorded.stream_id().to_owned();
        let metadata = Metadata::from_json(&recorded.custom_metadata).map_err(|source| {
            ReadError::Metadata {
                event_id: recorded.id,
                stream: stream.clone(),
                source,
            }
        })?;
        let event = decode::<E>(recorded, metadata.schema).map_err(|source| {
            match source {
                // A type of the domain, but not of this family.
                Opening::Decode(DecodeError::UnknownEventType { event_type })
                    if Event::knows(&event_type) =>
                {
                    ReadError::ForeignEvent {
                        event_id: recorded.id,
                        stream: stream.clone(),
                        event_type,
                    }
                }
                Opening::Decode(source) => ReadError::Decode {
                    event_id: recorded.id,
                    stream: stream.clone(),
                    source,
                },
                Opening::Keys(source) => ReadError::Keys {
                    event_id: recorded.id,
                    stream: stream.clone(),
                    source,
                },
            }
        })?;
        Ok(Self {
            id: recorded.id,
            stream,
            revision: recorded.revision,
            position: recorded.position,
            created: created(recorded),
            metadata,
            event,
        })
    }

    /// The event type name.
    pub fn event_type(&self) -> &'static str {
        self.event.event_type()
    }
}

/// Why a recorded event's data could not be read.
enum Opening {
    Decode(DecodeError),
    Keys(KeyError),
}

/// The event in `recorded`: its sealed personal fields opened with the
/// process's keyring (erased where their key is gone), then decoded.
fn decode<E: DomainEvent>(recorded: &RecordedEvent, schema: u32) -> Result<E, Opening> {
    if !holds_sealed(&recorded.data) {
        return E::decode(&recorded.event_type, schema, &recorded.data).map_err(Opening::Decode);
    }
    let mut data: serde_json::Value = serde_json::from_slice(&recorded.data).map_err(|source| {
        Opening::Decode(DecodeError::Malformed {
            event_type: recorded.event_type.clone(),
            schema_version: schema,
            source,
        })
    })?;
    open(Keyring::process(), &recorded.event_type, &mut data).map_err(Opening::Keys)?;
    E::decode_value(&recorded.event_type, schema, data).map_err(Opening::Decode)
}

/// When the store recorded `recorded`. The client's own `created` keeps
/// whole seconds only (it drops the sub-second ticks), too coarse for
/// `as_of`; the raw ticks since the Unix epoch stay in the system metadata.
fn created(recorded: &RecordedEvent) -> DateTime<Utc> {
    const TICKS_PER_SECOND: i64 = 10_000_000;
    recorded
        .metadata
        .get("created")
        .and_then(|ticks| ticks.parse::<i64>().ok())
        .and_then(|ticks| {
            let seconds = ticks.div_euclid(TICKS_PER_SECOND);
            let nanos = ticks.rem_euclid(TICKS_PER_SECOND) * 100;
            DateTime::from_timestamp(seconds, u32::try_from(nanos).ok()?)
        })
        .unwrap_or(recorded.created)
}
