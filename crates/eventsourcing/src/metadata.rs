//! What every event carries besides its data: who caused it, in answer to
//! what, for which office, and the schema version of its data.

use chrono::{DateTime, SubsecRound, Utc};
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
    /// When the change was asked for: the moment the request came in, or
    /// the reaction began. Times in the events of the change (a vacancy's
    /// `published_at`, say) are this moment, and `as_of` replays by it.
    /// Whole milliseconds, as the API shows times, so that a time read
    /// from a response replays to the state it showed.
    pub at: DateTime<Utc>,
}

/// Now, in whole milliseconds (see [`EventContext::at`]).
pub(crate) fn now_millis() -> DateTime<Utc> {
    Utc::now().trunc_subsecs(3)
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
            at: now_millis(),
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
            at: now_millis(),
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
    /// See [`EventContext::at`]; absent from events written before it was
    /// kept.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at: Option<DateTime<Utc>>,
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
            at: Some(context.at),
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

    /// When the change was asked for; for an event written before that
    /// was kept, `recorded`, when the store took it.
    pub fn at_or(&self, recorded: DateTime<Utc>) -> DateTime<Utc> {
        self.at.unwrap_or(recorded)
    }

    /// The context the event was written in (its moment as
    /// [`at_or`](Self::at_or) gives it).
    pub fn context(&self, recorded: DateTime<Utc>) -> EventContext {
        EventContext {
            correlation_id: self.correlation_id,
            causation_id: self.causation_id,
            actor: self.actor.clone(),
            office: self.office.clone(),
            at: self.at_or(recorded),
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
                "at": context.at,
            })
        );
    }

    #[test]
    fn metadata_written_before_the_moment_was_kept_takes_the_recorded_time() {
        let json = br#"{"correlation_id":"0190f5a8-0000-7000-8000-0000000000aa",
            "causation_id":"0190f5a8-0000-7000-8000-0000000000aa",
            "actor":"counsellor-7","office":"410105","schema":1}"#;
        let metadata = Metadata::from_json(json).unwrap();
        assert_eq!(metadata.at, None);
        let recorded: DateTime<Utc> = "2026-03-01T08:00:00.123Z".parse().unwrap();
        assert_eq!(metadata.context(recorded).at, recorded);
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
