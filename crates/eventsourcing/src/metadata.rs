//! What every event carries besides its data: who caused it, in answer to
//! what, for which office, and the schema version of its data.

use labex_domain::value::DivisionCode;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Who asks for a change and why: the caller's part of every event's
/// metadata. One context serves every event a command produces.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventContext {
    /// The conversation the change belongs to: the request id of the HTTP
    /// request that started it, carried on through every reaction to it.
    pub correlation_id: Uuid,
    /// What directly caused the change: the request id for a request, the
    /// triggering event's id for a reaction.
    pub causation_id: Uuid,
    /// Who did it: the token's subject, or the name of a process.
    pub actor: String,
    /// The office on whose behalf (its administrative division code).
    pub office: Option<DivisionCode>,
}

impl EventContext {
    /// The context of a request: `request_id` is both its correlation and
    /// its causation.
    pub fn for_request(
        request_id: Uuid,
        actor: impl Into<String>,
        office: Option<DivisionCode>,
    ) -> Self {
        Self {
            correlation_id: request_id,
            causation_id: request_id,
            actor: actor.into(),
            office,
        }
    }

    /// The context of a reaction to a stored event by `actor` (a process
    /// manager): the same conversation, caused by that event, for the same
    /// office.
    pub fn caused_by(event_id: Uuid, metadata: &Metadata, actor: impl Into<String>) -> Self {
        Self {
            correlation_id: metadata.correlation_id,
            causation_id: event_id,
            actor: actor.into(),
            office: metadata.office.clone(),
        }
    }
}

/// The custom metadata of every Labex event, stored as a JSON object.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Metadata {
    /// See [`EventContext::correlation_id`].
    pub correlation_id: Uuid,
    /// See [`EventContext::causation_id`].
    pub causation_id: Uuid,
    /// See [`EventContext::actor`].
    pub actor: String,
    /// See [`EventContext::office`].
    pub office: Option<DivisionCode>,
    /// The schema version of the event's data (older ones are upcast when
    /// read).
    pub schema: u32,
}

impl Metadata {
    /// The metadata of an event written in `context` with data of schema
    /// version `schema`.
    pub fn new(context: &EventContext, schema: u32) -> Self {
        Self {
            correlation_id: context.correlation_id,
            causation_id: context.causation_id,
            actor: context.actor.clone(),
            office: context.office.clone(),
            schema,
        }
    }

    /// Reads the stored JSON.
    pub fn from_json(bytes: &[u8]) -> Result<Self, serde_json::Error> {
        serde_json::from_slice(bytes)
    }

    /// The stored JSON.
    pub fn to_json(&self) -> Vec<u8> {
        serde_json::to_vec(self).expect("metadata holds only uuids, strings and numbers")
    }

    /// The context the event was written in.
    pub fn context(&self) -> EventContext {
        EventContext {
            correlation_id: self.correlation_id,
            causation_id: self.causation_id,
            actor: self.actor.clone(),
            office: self.office.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metadata_is_a_snake_case_json_object_with_every_field() {
        let request_id = Uuid::parse_str("0190f5a8-0000-7000-8000-0000000000aa").unwrap();
        let office = DivisionCode::parse("410105").unwrap();
        let context = EventContext::for_request(request_id, "counsellor-7", Some(office));
        let json: serde_json::Value =
            serde_json::from_slice(&Metadata::new(&context, 2).to_json()).unwrap();
        assert_eq!(
            json,
            serde_json::json!({
                "correlation_id": "0190f5a8-0000-7000-8000-0000000000aa",
                "causation_id": "0190f5a8-0000-7000-8000-0000000000aa",
                "actor": "counsellor-7",
                "office": "410105",
                "schema": 2,
            })
        );
    }

    #[test]
    fn a_reaction_keeps_the_correlation_and_is_caused_by_the_event() {
        let request_id = Uuid::now_v7();
        let event_id = Uuid::now_v7();
        let metadata = Metadata::new(&EventContext::for_request(request_id, "u", None), 1);
        let reaction = EventContext::caused_by(event_id, &metadata, "process:placement");
        assert_eq!(reaction.correlation_id, request_id);
        assert_eq!(reaction.causation_id, event_id);
        assert_eq!(reaction.actor, "process:placement");
    }
}
