//! Every event of the domain, and how it is written to and read from the
//! store: an event type name, a schema version, and JSON data.
//!
//! [`encode`] writes the current shape. [`decode`] reads any shape ever
//! written: it first [upcasts](upcast) the JSON of an old schema version,
//! step by step, to the current one, then deserialises it (through the value
//! objects' `parse`), so the rest of the domain sees only current shapes.
//! Stored events are never rewritten.

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value, json};

use crate::employer::EmployerEvent;
use crate::jobseeker::JobSeekerEvent;
use crate::referral::ReferralEvent;
use crate::vacancy::VacancyEvent;

/// Any event of the domain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// Of a job seeker.
    JobSeeker(JobSeekerEvent),
    /// Of an employer.
    Employer(EmployerEvent),
    /// Of a vacancy.
    Vacancy(VacancyEvent),
    /// Of a referral.
    Referral(ReferralEvent),
}

/// An event type and the schema version it is written with today.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EventType {
    /// The name, a past-tense fact in PascalCase.
    pub name: &'static str,
    /// The current schema version (older ones are upcast when read).
    pub schema_version: u32,
}

/// Every event type, with its current schema version.
pub const EVENT_TYPES: [EventType; 12] = [
    EventType {
        name: "JobSeekerRegistered",
        schema_version: 2,
    },
    EventType {
        name: "JobSeekerProfileUpdated",
        schema_version: 1,
    },
    EventType {
        name: "UnemploymentRegistered",
        schema_version: 1,
    },
    EventType {
        name: "EmploymentRegistered",
        schema_version: 1,
    },
    EventType {
        name: "EmployerRegistered",
        schema_version: 1,
    },
    EventType {
        name: "VacancyPublished",
        schema_version: 1,
    },
    EventType {
        name: "VacancyUpdated",
        schema_version: 1,
    },
    EventType {
        name: "VacancyClosed",
        schema_version: 1,
    },
    EventType {
        name: "VacancyPlacementRecorded",
        schema_version: 1,
    },
    EventType {
        name: "VacancyFilled",
        schema_version: 1,
    },
    EventType {
        name: "ReferralMade",
        schema_version: 1,
    },
    EventType {
        name: "ReferralOutcomeRecorded",
        schema_version: 1,
    },
];

/// An event as the store keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EncodedEvent {
    /// The event type name (`JobSeekerRegistered`).
    pub event_type: &'static str,
    /// The schema version of `data`, for the `schema` metadata field.
    pub schema_version: u32,
    /// The JSON (snake_case fields).
    pub data: Vec<u8>,
}

/// Why stored data could not be read as an event.
#[derive(Debug, thiserror::Error)]
pub enum DecodeError {
    /// An event type this domain does not know.
    #[error("unknown event type {event_type}")]
    UnknownEventType {
        /// The type name read.
        event_type: String,
    },
    /// Schema version 0, or newer than this code knows (written by a newer
    /// release).
    #[error(
        "{event_type} schema {schema_version} is not supported; this build knows up to {current}"
    )]
    UnsupportedSchemaVersion {
        /// The type name.
        event_type: String,
        /// The version read.
        schema_version: u32,
        /// The newest this build knows.
        current: u32,
    },
    /// The data of an old version could not be upcast.
    #[error("cannot upcast {event_type} schema {schema_version}: {reason}")]
    Upcast {
        /// The type name.
        event_type: String,
        /// The version the failing step starts from.
        schema_version: u32,
        /// What was wrong.
        reason: String,
    },
    /// Not JSON, or not the shape (or values) the schema says.
    #[error("malformed {event_type} schema {schema_version}: {source}")]
    Malformed {
        /// The type name.
        event_type: String,
        /// The version read.
        schema_version: u32,
        /// What serde found.
        source: serde_json::Error,
    },
}

impl Event {
    /// The event type name.
    pub fn event_type(&self) -> &'static str {
        match self {
            Event::JobSeeker(JobSeekerEvent::Registered(_)) => "JobSeekerRegistered",
            Event::JobSeeker(JobSeekerEvent::ProfileUpdated(_)) => "JobSeekerProfileUpdated",
            Event::JobSeeker(JobSeekerEvent::UnemploymentRegistered(_)) => "UnemploymentRegistered",
            Event::JobSeeker(JobSeekerEvent::EmploymentRegistered(_)) => "EmploymentRegistered",
            Event::Employer(EmployerEvent::Registered(_)) => "EmployerRegistered",
            Event::Vacancy(VacancyEvent::Published(_)) => "VacancyPublished",
            Event::Vacancy(VacancyEvent::Updated(_)) => "VacancyUpdated",
            Event::Vacancy(VacancyEvent::Closed(_)) => "VacancyClosed",
            Event::Vacancy(VacancyEvent::PlacementRecorded(_)) => "VacancyPlacementRecorded",
            Event::Vacancy(VacancyEvent::Filled(_)) => "VacancyFilled",
            Event::Referral(ReferralEvent::Made(_)) => "ReferralMade",
            Event::Referral(ReferralEvent::OutcomeRecorded(_)) => "ReferralOutcomeRecorded",
        }
    }

    /// The stream the event belongs to (`vacancy-<uuid>`).
    pub fn stream_name(&self) -> String {
        match self {
            Event::JobSeeker(JobSeekerEvent::Registered(event)) => event.jobseeker_id.stream_name(),
            Event::JobSeeker(JobSeekerEvent::ProfileUpdated(event)) => {
                event.jobseeker_id.stream_name()
            }
            Event::JobSeeker(JobSeekerEvent::UnemploymentRegistered(event)) => {
                event.jobseeker_id.stream_name()
            }
            Event::JobSeeker(JobSeekerEvent::EmploymentRegistered(event)) => {
                event.jobseeker_id.stream_name()
            }
            Event::Employer(EmployerEvent::Registered(event)) => event.employer_id.stream_name(),
            Event::Vacancy(VacancyEvent::Published(event)) => event.vacancy_id.stream_name(),
            Event::Vacancy(VacancyEvent::Updated(event)) => event.vacancy_id.stream_name(),
            Event::Vacancy(VacancyEvent::Closed(event)) => event.vacancy_id.stream_name(),
            Event::Vacancy(VacancyEvent::PlacementRecorded(event)) => {
                event.vacancy_id.stream_name()
            }
            Event::Vacancy(VacancyEvent::Filled(event)) => event.vacancy_id.stream_name(),
            Event::Referral(ReferralEvent::Made(event)) => event.referral_id.stream_name(),
            Event::Referral(ReferralEvent::OutcomeRecorded(event)) => {
                event.referral_id.stream_name()
            }
        }
    }
}

/// The current schema version of an event type; `None` for a type this
/// domain does not know.
pub fn current_schema_version(event_type: &str) -> Option<u32> {
    EVENT_TYPES
        .iter()
        .find(|known| known.name == event_type)
        .map(|known| known.schema_version)
}

/// Writes an event in its current shape.
pub fn encode(event: &Event) -> EncodedEvent {
    let data = match event {
        Event::JobSeeker(JobSeekerEvent::Registered(event)) => to_json(event),
        Event::JobSeeker(JobSeekerEvent::ProfileUpdated(event)) => to_json(event),
        Event::JobSeeker(JobSeekerEvent::UnemploymentRegistered(event)) => to_json(event),
        Event::JobSeeker(JobSeekerEvent::EmploymentRegistered(event)) => to_json(event),
        Event::Employer(EmployerEvent::Registered(event)) => to_json(event),
        Event::Vacancy(VacancyEvent::Published(event)) => to_json(event),
        Event::Vacancy(VacancyEvent::Updated(event)) => to_json(event),
        Event::Vacancy(VacancyEvent::Closed(event)) => to_json(event),
        Event::Vacancy(VacancyEvent::PlacementRecorded(event)) => to_json(event),
        Event::Vacancy(VacancyEvent::Filled(event)) => to_json(event),
        Event::Referral(ReferralEvent::Made(event)) => to_json(event),
        Event::Referral(ReferralEvent::OutcomeRecorded(event)) => to_json(event),
    };
    let event_type = event.event_type();
    EncodedEvent {
        event_type,
        schema_version: current_schema_version(event_type).unwrap_or(1),
        data,
    }
}

fn to_json(event: &impl Serialize) -> Vec<u8> {
    serde_json::to_vec(event)
        .expect("events hold only strings, numbers, booleans, lists and string-keyed objects")
}

/// Reads an event of any schema version ever written, upcasting old ones.
pub fn decode(event_type: &str, schema_version: u32, data: &[u8]) -> Result<Event, DecodeError> {
    let malformed = |source| DecodeError::Malformed {
        event_type: event_type.to_owned(),
        schema_version,
        source,
    };
    let stored: Value = serde_json::from_slice(data).map_err(malformed)?;
    let current = upcast(event_type, schema_version, stored)?;
    let event = match event_type {
        "JobSeekerRegistered" => {
            Event::JobSeeker(JobSeekerEvent::Registered(from_value(event_type, current)?))
        }
        "JobSeekerProfileUpdated" => Event::JobSeeker(JobSeekerEvent::ProfileUpdated(from_value(
            event_type, current,
        )?)),
        "UnemploymentRegistered" => Event::JobSeeker(JobSeekerEvent::UnemploymentRegistered(
            from_value(event_type, current)?,
        )),
        "EmploymentRegistered" => Event::JobSeeker(JobSeekerEvent::EmploymentRegistered(
            from_value(event_type, current)?,
        )),
        "EmployerRegistered" => {
            Event::Employer(EmployerEvent::Registered(from_value(event_type, current)?))
        }
        "VacancyPublished" => {
            Event::Vacancy(VacancyEvent::Published(from_value(event_type, current)?))
        }
        "VacancyUpdated" => Event::Vacancy(VacancyEvent::Updated(from_value(event_type, current)?)),
        "VacancyClosed" => Event::Vacancy(VacancyEvent::Closed(from_value(event_type, current)?)),
        "VacancyPlacementRecorded" => Event::Vacancy(VacancyEvent::PlacementRecorded(from_value(
            event_type, current,
        )?)),
        "VacancyFilled" => Event::Vacancy(VacancyEvent::Filled(from_value(event_type, current)?)),
        "ReferralMade" => Event::Referral(ReferralEvent::Made(from_value(event_type, current)?)),
        "ReferralOutcomeRecorded" => Event::Referral(ReferralEvent::OutcomeRecorded(from_value(
            event_type, current,
        )?)),
        unknown => {
            return Err(DecodeError::UnknownEventType {
                event_type: unknown.to_owned(),
            });
        }
    };
    Ok(event)
}

/// Deserialises the data of `event_type` once upcast to its current shape;
/// an error names the current version, since that is the shape that failed.
fn from_value<T: DeserializeOwned>(event_type: &str, value: Value) -> Result<T, DecodeError> {
    serde_json::from_value(value).map_err(|source| DecodeError::Malformed {
        event_type: event_type.to_owned(),
        schema_version: current_schema_version(event_type).unwrap_or(1),
        source,
    })
}

/// One step: the JSON object of `from_version` in, that of
/// `from_version + 1` out.
type UpcastStep = fn(Map<String, Value>) -> Result<Map<String, Value>, String>;

/// Every upcast step: event type, the version it starts from, the step.
const UPCASTERS: [(&str, u32, UpcastStep); 1] =
    [("JobSeekerRegistered", 1, job_seeker_registered_v1_to_v2)];

/// Brings the JSON of `schema_version` to the current version of
/// `event_type`, one step at a time. The current version passes unchanged.
pub fn upcast(event_type: &str, schema_version: u32, data: Value) -> Result<Value, DecodeError> {
    let current =
        current_schema_version(event_type).ok_or_else(|| DecodeError::UnknownEventType {
            event_type: event_type.to_owned(),
        })?;
    if schema_version == 0 || schema_version > current {
        return Err(DecodeError::UnsupportedSchemaVersion {
            event_type: event_type.to_owned(),
            schema_version,
            current,
        });
    }
    let mut data = data;
    for version in schema_version..current {
        let upcast_error = |reason: String| DecodeError::Upcast {
            event_type: event_type.to_owned(),
            schema_version: version,
            reason,
        };
        let step = UPCASTERS
            .iter()
            .find(|(name, from, _)| *name == event_type && *from == version)
            .map(|(_, _, step)| step)
            .ok_or_else(|| upcast_error("no upcaster for this version".to_owned()))?;
        let Value::Object(object) = data else {
            return Err(upcast_error("the data is not a JSON object".to_owned()));
        };
        data = Value::Object(step(object).map_err(upcast_error)?);
    }
    Ok(data)
}

/// `JobSeekerRegistered` 1 → 2.
///
/// Schema 1 kept `name`, `id_number` and a required `phone` string at the
/// top level with the profile fields, and one `category`. Schema 2 groups
/// the personal data under `personal` (so that it can be encrypted and
/// erased as one), makes `phone` optional (an empty string becomes `null`),
/// groups the profile under `profile`, and holds a list of `categories`.
fn job_seeker_registered_v1_to_v2(
    mut v1: Map<String, Value>,
) -> Result<Map<String, Value>, String> {
    let mut take = |field: &str| v1.remove(field).unwrap_or(Value::Null);
    let phone = match take("phone") {
        Value::String(phone) if phone.trim().is_empty() => Value::Null,
        phone => phone,
    };
    let categories = match take("category") {
        Value::Null => json!([]),
        Value::String(category) => json!([category]),
        other => return Err(format!("category is not a string but {other}")),
    };
    let list_or_empty = |value: Value| match value {
        Value::Null => json!([]),
        list => list,
    };
    let personal = json!({
        "name": take("name"),
        "id_number": take("id_number"),
        "phone": phone,
    });
    let profile = json!({
        "education": take("education"),
        "major": take("major"),
        "graduation_year": take("graduation_year"),
        "categories": categories,
        "skills": list_or_empty(take("skills")),
        "desired_occupations": list_or_empty(take("desired_occupations")),
        "desired_regions": list_or_empty(take("desired_regions")),
        "summary": take("summary"),
    });
    let jobseeker_id = take("jobseeker_id");
    let office = take("office");
    let mut v2 = Map::new();
    v2.insert("jobseeker_id".to_owned(), jobseeker_id);
    v2.insert("personal".to_owned(), personal);
    v2.insert("profile".to_owned(), profile);
    v2.insert("office".to_owned(), office);
    // Fields schema 1 never had stay, so that deserialising refuses them;
    // one that collides with a field of schema 2 means the data is not
    // schema 1 at all.
    for (field, value) in v1 {
        if v2.contains_key(&field) {
            return Err(format!("{field} is not a field of schema 1"));
        }
        v2.insert(field, value);
    }
    Ok(v2)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_type_below_its_current_version_has_an_upcaster() {
        for event_type in EVENT_TYPES {
            for version in 1..event_type.schema_version {
                assert!(
                    UPCASTERS
                        .iter()
                        .any(|(name, from, _)| *name == event_type.name && *from == version),
                    "{} {version}",
                    event_type.name
                );
            }
        }
    }

    #[test]
    fn the_current_version_passes_unchanged() {
        let data = json!({"vacancy_id": "x"});
        assert_eq!(upcast("VacancyFilled", 1, data.clone()).unwrap(), data);
    }

    #[test]
    fn unknown_types_and_versions_are_refused() {
        assert!(matches!(
            decode("JobSeekerDeleted", 1, b"{}"),
            Err(DecodeError::UnknownEventType { .. })
        ));
        assert!(matches!(
            decode("VacancyFilled", 2, b"{}"),
            Err(DecodeError::UnsupportedSchemaVersion { current: 1, .. })
        ));
        assert!(matches!(
            decode("VacancyFilled", 0, b"{}"),
            Err(DecodeError::UnsupportedSchemaVersion { .. })
        ));
    }

    #[test]
    fn data_that_is_not_json_is_malformed() {
        assert!(matches!(
            decode("VacancyFilled", 1, b"not json"),
            Err(DecodeError::Malformed { .. })
        ));
    }

    #[test]
    fn an_old_version_that_is_not_an_object_cannot_be_upcast() {
        assert!(matches!(
            decode("JobSeekerRegistered", 1, b"[]"),
            Err(DecodeError::Upcast {
                schema_version: 1,
                ..
            })
        ));
    }

    #[test]
    fn a_v1_category_that_is_not_a_string_cannot_be_upcast() {
        assert!(matches!(
            decode("JobSeekerRegistered", 1, br#"{"category": 3}"#),
            Err(DecodeError::Upcast { .. })
        ));
    }
}
