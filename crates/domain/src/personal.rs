//! Personal data in events and states: which fields of an event are a
//! person's ([`PersonalField`], declared once per event type in
//! [`domain_events!`](crate::domain_events)), and the value such a field
//! holds once read back ([`Personal`]): the data, or the fact that it was
//! erased.
//!
//! The domain never encrypts: it says what is personal and whose it is.
//! What writes events to the store seals each declared field with the key
//! of the person the field belongs to, and what reads them opens it again;
//! a field whose key was destroyed (the person erased) reads as
//! [`Personal::Erased`]. The domain then folds an erased person like any
//! other, without their personal data.

use serde::de::{DeserializeOwned, Error as _};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

/// The JSON a reader puts where a personal field could not be opened
/// because its key is gone: `{"$erased": true}`.
pub const ERASED_MARKER: &str = "$erased";

/// A field of an event that holds a person's data, and whose it is.
///
/// Both are paths into the event's JSON: names separated by dots, `[]`
/// after a name for every element of a list (`members[].details`). The
/// subject names a field holding the id of the person the data belongs to
/// (`jobseeker_id`, `members[].jobseeker_id`); its `[]` stand for the same
/// elements as the field's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PersonalField {
    /// Where the personal data is (`personal`, `note`).
    pub field: &'static str,
    /// Where the id of the person it belongs to is (`jobseeker_id`).
    pub subject: &'static str,
}

/// Personal data as an event or a state holds it: known, or erased (its
/// key was destroyed; nothing of it can be read any more).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Personal<T> {
    /// The data.
    Known(T),
    /// Erased: the person's key was destroyed.
    Erased,
}

impl<T> Personal<T> {
    /// The data, unless erased.
    pub fn known(&self) -> Option<&T> {
        match self {
            Self::Known(data) => Some(data),
            Self::Erased => None,
        }
    }

    /// The data, mutably, unless erased.
    pub fn known_mut(&mut self) -> Option<&mut T> {
        match self {
            Self::Known(data) => Some(data),
            Self::Erased => None,
        }
    }

    /// Whether the data was erased.
    pub fn is_erased(&self) -> bool {
        matches!(self, Self::Erased)
    }

    /// The data, unless erased, by value.
    pub fn into_known(self) -> Option<T> {
        match self {
            Self::Known(data) => Some(data),
            Self::Erased => None,
        }
    }
}

impl<T: Default> Default for Personal<T> {
    fn default() -> Self {
        Self::Known(T::default())
    }
}

impl<T> From<T> for Personal<T> {
    fn from(data: T) -> Self {
        Self::Known(data)
    }
}

impl<T: Serialize> Serialize for Personal<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Known(data) => data.serialize(serializer),
            Self::Erased => erased_marker().serialize(serializer),
        }
    }
}

impl<'de, T: DeserializeOwned> Deserialize<'de> for Personal<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = Value::deserialize(deserializer)?;
        if is_erased_marker(&value) {
            return Ok(Self::Erased);
        }
        T::deserialize(value)
            .map(Self::Known)
            .map_err(D::Error::custom)
    }
}

/// `{"$erased": true}`.
pub fn erased_marker() -> Value {
    let mut marker = serde_json::Map::new();
    marker.insert(ERASED_MARKER.to_owned(), Value::Bool(true));
    Value::Object(marker)
}

/// Whether `value` is the marker of an erased field.
pub fn is_erased_marker(value: &Value) -> bool {
    matches!(value, Value::Object(object) if object.len() == 1 && object.contains_key(ERASED_MARKER))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn known_data_reads_and_writes_as_itself_and_erased_as_the_marker() {
        let known: Personal<String> = serde_json::from_value(json!("李娜")).unwrap();
        assert_eq!(known, Personal::Known("李娜".to_owned()));
        assert_eq!(serde_json::to_value(&known).unwrap(), json!("李娜"));
        let erased: Personal<String> = serde_json::from_value(json!({"$erased": true})).unwrap();
        assert!(erased.is_erased());
        assert_eq!(
            serde_json::to_value(&erased).unwrap(),
            json!({"$erased": true})
        );
        assert!(serde_json::from_value::<Personal<String>>(json!(3)).is_err());
    }
}
