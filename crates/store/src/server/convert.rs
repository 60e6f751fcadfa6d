//! Between wire messages and the storage engine's values.

use std::collections::HashMap;

use bytes::Bytes;
use tonic::Status;
use uuid::Uuid;

use crate::proto::shared::{self, StreamIdentifier};
use crate::proto::streams::read_resp;
use crate::storage::{ProposedEvent, RecordedEvent};

/// How event ids are written in read responses, as the client asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum UuidFormat {
    #[default]
    Structured,
    String,
}

pub(crate) fn uuid_to_proto(id: Uuid, format: UuidFormat) -> shared::Uuid {
    let value = match format {
        UuidFormat::Structured => {
            let bits = id.as_u128();
            shared::uuid::Value::Structured(shared::uuid::Structured {
                most_significant_bits: (bits >> 64) as u64 as i64,
                least_significant_bits: bits as u64 as i64,
            })
        }
        UuidFormat::String => shared::uuid::Value::String(id.to_string()),
    };
    shared::Uuid { value: Some(value) }
}

pub(crate) fn uuid_from_proto(id: Option<shared::Uuid>) -> Result<Uuid, Status> {
    let value = id
        .and_then(|id| id.value)
        .ok_or_else(|| Status::invalid_argument("every event needs an id"))?;
    match value {
        shared::uuid::Value::Structured(structured) => {
            let high = structured.most_significant_bits as u64 as u128;
            let low = structured.least_significant_bits as u64 as u128;
            Ok(Uuid::from_u128((high << 64) | low))
        }
        shared::uuid::Value::String(text) => Uuid::parse_str(&text).map_err(|error| {
            Status::invalid_argument(format!("event id {text:?} is not a UUID: {error}"))
        }),
    }
}

/// The stream name of a request: UTF-8, not empty.
pub(crate) fn stream_name(identifier: Option<StreamIdentifier>) -> Result<String, Status> {
    let identifier =
        identifier.ok_or_else(|| Status::invalid_argument("the request names no stream"))?;
    let name = String::from_utf8(identifier.stream_name.to_vec())
        .map_err(|_| Status::invalid_argument("the stream name is not valid UTF-8"))?;
    if name.is_empty() {
        return Err(Status::invalid_argument("the stream name is empty"));
    }
    Ok(name)
}

pub(crate) fn stream_identifier(name: &str) -> StreamIdentifier {
    StreamIdentifier {
        stream_name: Bytes::copy_from_slice(name.as_bytes()),
    }
}

/// A proposed event from its wire parts; `type` and `content-type` are required.
pub(crate) fn proposed_event(
    id: Option<shared::Uuid>,
    mut metadata: HashMap<String, String>,
    custom_metadata: Bytes,
    data: Bytes,
) -> Result<ProposedEvent, Status> {
    let id = uuid_from_proto(id)?;
    let event_type = metadata
        .remove("type")
        .filter(|event_type| !event_type.is_empty())
        .ok_or_else(|| Status::invalid_argument(format!("event {id} has no type")))?;
    let content_type = metadata
        .remove("content-type")
        .filter(|content_type| !content_type.is_empty())
        .ok_or_else(|| Status::invalid_argument(format!("event {id} has no content-type")))?;
    Ok(ProposedEvent {
        id,
        event_type,
        content_type,
        custom_metadata,
        data,
    })
}

pub(crate) fn recorded_event(
    event: &RecordedEvent,
    format: UuidFormat,
) -> read_resp::read_event::RecordedEvent {
    read_resp::read_event::RecordedEvent {
        id: Some(uuid_to_proto(event.id, format)),
        stream_identifier: Some(stream_identifier(&event.stream)),
        stream_revision: event.revision,
        prepare_position: event.position,
        commit_position: event.position,
        metadata: system_metadata(event),
        custom_metadata: event.custom_metadata.clone(),
        data: event.data.clone(),
    }
}

/// The system metadata a read event carries: its type, content type and
/// creation time in ticks.
pub(crate) fn system_metadata(event: &RecordedEvent) -> HashMap<String, String> {
    HashMap::from([
        ("type".to_owned(), event.event_type.clone()),
        ("content-type".to_owned(), event.content_type.clone()),
        ("created".to_owned(), event.created.to_string()),
    ])
}

pub(crate) fn read_event(
    event: &RecordedEvent,
    format: UuidFormat,
) -> crate::proto::streams::ReadResp {
    crate::proto::streams::ReadResp {
        content: Some(read_resp::Content::Event(read_resp::ReadEvent {
            event: Some(recorded_event(event, format)),
            link: None,
            position: Some(read_resp::read_event::Position::CommitPosition(
                event.position,
            )),
        })),
    }
}

pub(crate) fn timestamp_now() -> prost_types::Timestamp {
    prost_types::Timestamp::from(std::time::SystemTime::now())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn structured_uuids_round_trip() {
        let id = Uuid::new_v4();
        assert_eq!(
            uuid_from_proto(Some(uuid_to_proto(id, UuidFormat::Structured))).unwrap(),
            id
        );
        assert_eq!(
            uuid_from_proto(Some(uuid_to_proto(id, UuidFormat::String))).unwrap(),
            id
        );
    }

    #[test]
    fn events_without_type_or_content_type_are_refused() {
        let id = Some(uuid_to_proto(Uuid::new_v4(), UuidFormat::Structured));
        let only_type = HashMap::from([("type".to_owned(), "A".to_owned())]);
        assert!(proposed_event(id.clone(), only_type, Bytes::new(), Bytes::new()).is_err());
        let only_content =
            HashMap::from([("content-type".to_owned(), "application/json".to_owned())]);
        assert!(proposed_event(id, only_content, Bytes::new(), Bytes::new()).is_err());
    }
}
