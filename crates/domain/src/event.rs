//! How events are written to and read from the store, for every context
//! alike: an event type name, a schema version, and JSON data.
//!
//! Each context declares its events as one family with
//! [`domain_events!`](crate::domain_events): the enum, its type names and
//! current schema versions, and the stream each event belongs to. The
//! family then implements [`DomainEvent`], whose [`encode`](DomainEvent::encode)
//! writes the current shape and whose [`decode`](DomainEvent::decode) reads
//! any shape ever written: it first [upcasts](DomainEvent::upcast) the JSON
//! of an old schema version, step by step, to the current one, then
//! deserialises it (through the value objects' `parse`), so the rest of the
//! domain sees only current shapes. Stored events are never rewritten.

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::personal::PersonalField;

/// An event type and the schema version it is written with today.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EventType {
    /// The name, a past-tense fact in PascalCase.
    pub name: &'static str,
    /// The current schema version (older ones are upcast when read).
    pub schema_version: u32,
    /// Its fields that hold a person's data, and whose: written to the
    /// store only sealed with that person's key.
    pub personal: &'static [PersonalField],
    /// For an event that erases a person's data: the field holding the
    /// person's id. Whoever keeps personal data drops it on this event.
    pub erases: Option<&'static str>,
}

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
    /// An event type this domain (or this family) does not know.
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

/// One upcasting step: the JSON object of `from_version` in, that of
/// `from_version + 1` out, or why it cannot be.
pub type UpcastStep = fn(Map<String, Value>) -> Result<Map<String, Value>, String>;

/// An upcasting step of one event type.
#[derive(Debug, Clone, Copy)]
pub struct Upcaster {
    /// The event type.
    pub event_type: &'static str,
    /// The version the step starts from.
    pub from_version: u32,
    /// The step.
    pub step: UpcastStep,
}

/// A family of events: every event one context records, as one enum.
/// Declared with [`domain_events!`](crate::domain_events), which writes
/// the required methods; the provided ones encode, decode and upcast.
pub trait DomainEvent: Sized + Clone + std::fmt::Debug + PartialEq + Send + Sync + 'static {
    /// Every event type of the family, with its current schema version.
    fn types() -> &'static [EventType];

    /// The steps that bring old schema versions to the current ones.
    fn upcasters() -> &'static [Upcaster];

    /// This event's type name.
    fn event_type(&self) -> &'static str;

    /// The stream this event belongs to (`vacancy-<uuid>`).
    fn stream_name(&self) -> String;

    /// The JSON of this event, in its current shape.
    fn data(&self) -> Vec<u8>;

    /// The event of `event_type` from JSON of its current shape.
    fn from_current(event_type: &str, data: Value) -> Result<Self, DecodeError>;

    /// Whether the family has an event of this type.
    fn knows(event_type: &str) -> bool {
        Self::current_schema_version(event_type).is_some()
    }

    /// The fields of `event_type` that hold a person's data (none for a
    /// type this family does not have).
    fn personal_fields(event_type: &str) -> &'static [PersonalField] {
        Self::types()
            .iter()
            .find(|known| known.name == event_type)
            .map_or(&[], |known| known.personal)
    }

    /// For an event type that erases a person's data, the field holding
    /// the person's id.
    fn erasure_subject(event_type: &str) -> Option<&'static str> {
        Self::types()
            .iter()
            .find(|known| known.name == event_type)
            .and_then(|known| known.erases)
    }

    /// The current schema version of `event_type`; `None` for a type this
    /// family does not have.
    fn current_schema_version(event_type: &str) -> Option<u32> {
        Self::types()
            .iter()
            .find(|known| known.name == event_type)
            .map(|known| known.schema_version)
    }

    /// Writes this event in its current shape.
    fn encode(&self) -> EncodedEvent {
        let event_type = self.event_type();
        EncodedEvent {
            event_type,
            schema_version: Self::current_schema_version(event_type).unwrap_or(1),
            data: self.data(),
        }
    }

    /// Reads an event of any schema version ever written, upcasting old
    /// ones.
    fn decode(event_type: &str, schema_version: u32, data: &[u8]) -> Result<Self, DecodeError> {
        let stored: Value =
            serde_json::from_slice(data).map_err(|source| DecodeError::Malformed {
                event_type: event_type.to_owned(),
                schema_version,
                source,
            })?;
        Self::decode_value(event_type, schema_version, stored)
    }

    /// Like [`decode`](Self::decode), from JSON already parsed (and its
    /// sealed personal fields opened).
    fn decode_value(
        event_type: &str,
        schema_version: u32,
        stored: Value,
    ) -> Result<Self, DecodeError> {
        let current = Self::upcast(event_type, schema_version, stored)?;
        Self::from_current(event_type, current)
    }

    /// Brings the JSON of `schema_version` to the current version of
    /// `event_type`, one step at a time. The current version passes
    /// unchanged.
    fn upcast(event_type: &str, schema_version: u32, data: Value) -> Result<Value, DecodeError> {
        let current = Self::current_schema_version(event_type).ok_or_else(|| {
            DecodeError::UnknownEventType {
                event_type: event_type.to_owned(),
            }
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
            let step = Self::upcasters()
                .iter()
                .find(|upcaster| {
                    upcaster.event_type == event_type && upcaster.from_version == version
                })
                .map(|upcaster| upcaster.step)
                .ok_or_else(|| upcast_error("no upcaster for this version".to_owned()))?;
            let Value::Object(object) = data else {
                return Err(upcast_error("the data is not a JSON object".to_owned()));
            };
            data = Value::Object(step(object).map_err(upcast_error)?);
        }
        Ok(data)
    }
}

/// The JSON of an event's data.
#[doc(hidden)]
pub fn to_json(event: &impl Serialize) -> Vec<u8> {
    serde_json::to_vec(event)
        .expect("events hold only strings, numbers, booleans, lists and string-keyed objects")
}

/// Deserialises the data of `event_type` once upcast to its current shape;
/// an error names the current version, since that is the shape that failed.
#[doc(hidden)]
pub fn from_value<T: DeserializeOwned>(
    event_type: &str,
    current_version: u32,
    value: Value,
) -> Result<T, DecodeError> {
    serde_json::from_value(value).map_err(|source| DecodeError::Malformed {
        event_type: event_type.to_owned(),
        schema_version: current_version,
        source,
    })
}

/// Declares a context's family of events: the enum (one variant per event
/// type, each holding the event's struct), the type name and current
/// schema version of each, the id field every event of the family carries
/// (which names its stream), and optionally the family's upcasters.
///
/// An event type whose fields hold a person's data says which and whose,
/// in one line: `personal ["note" of "jobseeker_id"]` (paths as
/// [`PersonalField`](crate::PersonalField) reads them, `members[].details`
/// of `members[].jobseeker_id` for each element of a list). An event that
/// erases a person's data says `erases "jobseeker_id"`.
///
/// ```ignore
/// domain_events! {
///     /// What happens to a referral.
///     pub enum ReferralEvent in referral_id {
///         /// `ReferralMade`.
///         Made(ReferralMade) = ("ReferralMade", 1) personal ["note" of "jobseeker_id"],
///         /// `ReferralOutcomeRecorded`.
///         OutcomeRecorded(ReferralOutcomeRecorded) = ("ReferralOutcomeRecorded", 1),
///     }
/// }
/// ```
#[macro_export]
macro_rules! domain_events {
    (
        $(#[$meta:meta])*
        pub enum $family:ident in $id_field:ident {
            $( $(#[$variant_meta:meta])* $variant:ident($event:ty) = ($name:literal, $version:literal)
                $( personal [ $( $field:literal of $subject:literal ),* $(,)? ] )?
                $( erases $erased:literal )?, )*
        }
        $( upcasters = $upcasters:expr; )?
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub enum $family {
            $( $(#[$variant_meta])* $variant($event), )*
        }

        impl $crate::DomainEvent for $family {
            fn types() -> &'static [$crate::event::EventType] {
                &[$( $crate::event::EventType {
                    name: $name,
                    schema_version: $version,
                    personal: &[$($( $crate::PersonalField { field: $field, subject: $subject }, )*)?],
                    erases: $crate::domain_events!(@erases $($erased)?),
                }, )*]
            }

            fn upcasters() -> &'static [$crate::event::Upcaster] {
                $crate::domain_events!(@upcasters $($upcasters)?)
            }

            fn event_type(&self) -> &'static str {
                match self {
                    $( Self::$variant(_) => $name, )*
                }
            }

            fn stream_name(&self) -> String {
                match self {
                    $( Self::$variant(event) => event.$id_field.stream_name(), )*
                }
            }

            fn data(&self) -> Vec<u8> {
                match self {
                    $( Self::$variant(event) => $crate::event::to_json(event), )*
                }
            }

            fn from_current(
                event_type: &str,
                data: ::serde_json::Value,
            ) -> Result<Self, $crate::DecodeError> {
                match event_type {
                    $( $name => Ok(Self::$variant($crate::event::from_value(event_type, $version, data)?)), )*
                    unknown => Err($crate::DecodeError::UnknownEventType {
                        event_type: unknown.to_owned(),
                    }),
                }
            }
        }

        $(
            impl From<$event> for $family {
                fn from(event: $event) -> Self {
                    Self::$variant(event)
                }
            }

            impl $event {
                /// The event type name this event is stored under.
                pub const EVENT_TYPE: &'static str = $name;
            }
        )*
    };
    (@upcasters $upcasters:expr) => { $upcasters };
    (@upcasters) => { &[] };
    (@erases $erased:literal) => { Some($erased) };
    (@erases) => { None };
}
