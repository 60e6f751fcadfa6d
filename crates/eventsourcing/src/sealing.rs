//! Personal fields sealed in an event's JSON, and opened again.
//!
//! Writing, every field an event type declares personal
//! ([`PersonalField`]) is replaced by an envelope sealed (AES-256-GCM) with
//! the key of the person the field belongs to, whose id names the key:
//!
//! ```json
//! {"$sealed": {"key": "0190f5a8-…", "nonce_and_data": "<base64>"}}
//! ```
//!
//! The envelope's associated data binds it to the event type and the key
//! id. Everything else of the event stays readable without any key.
//! Reading, every envelope found anywhere in the JSON is opened with its
//! key; one whose key was destroyed becomes the erased marker
//! (`{"$erased": true}`), which the domain reads as
//! [`Personal::Erased`](labex_domain::Personal). Events written before
//! sealing existed hold plain values where envelopes would be, and read as
//! they are: events of both forms are read.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use labex_domain::{PersonalField, erased_marker, is_erased_marker};
use serde_json::{Map, Value};

use crate::keys::{KeyError, Keyring};

/// The member naming a sealed envelope.
pub const SEALED: &str = "$sealed";

/// The bytes every sealed event holds, to tell quickly whether one holds
/// any.
const SEALED_NEEDLE: &[u8] = b"\"$sealed\"";

/// Where one personal field is in an event, and whose it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonalSpot {
    /// A JSON pointer to the field (`/members/0/details`).
    pub pointer: String,
    /// The id of the person it belongs to: the key's id.
    pub subject: String,
}

/// Every present, non-null personal field of `data`, with its subject.
/// A field whose subject is missing or not a string is left out (the
/// domain's own events always have one).
pub fn personal_spots(fields: &[PersonalField], data: &Value) -> Vec<PersonalSpot> {
    let mut spots = Vec::new();
    for field in fields {
        let field_path = parse_path(field.field);
        let subject_path = parse_path(field.subject);
        let mut found = Vec::new();
        expand(data, &field_path, String::new(), Vec::new(), &mut found);
        for (pointer, indices) in found {
            let subject = data
                .pointer(&pointer_of(&subject_path, &indices))
                .and_then(Value::as_str);
            match subject {
                Some(subject) => spots.push(PersonalSpot {
                    pointer,
                    subject: subject.to_owned(),
                }),
                None => tracing::warn!(
                    field = field.field,
                    "a personal field without its subject is left as it is"
                ),
            }
        }
    }
    spots
}

/// Replaces each of `spots` in `data` by its envelope, sealed with the key
/// of its subject (made, and waited for, when missing).
pub fn seal(
    keyring: &Keyring,
    event_type: &str,
    spots: &[PersonalSpot],
    data: &mut Value,
) -> Result<(), KeyError> {
    for spot in spots {
        let Some(slot) = data.pointer_mut(&spot.pointer) else {
            continue;
        };
        // Erased already: there is nothing to seal, and no key to make
        // for someone whose key was destroyed.
        if slot.is_null() || is_sealed(slot) || is_erased_marker(slot) {
            continue;
        }
        let key = keyring.ensure_blocking(&spot.subject)?;
        let plaintext = serde_json::to_vec(slot).expect("JSON serialises");
        let sealed = key.seal(&aad(event_type, &spot.subject), &plaintext);
        *slot = envelope(&spot.subject, &sealed);
    }
    Ok(())
}

/// A state (or any value) kept by a read model, as JSON with `fields`
/// sealed under their persons' keys: what a read model keeps of personal
/// data that an erasure elsewhere (in another stream) must make
/// unreadable, without the read model following erasures. `label` names
/// the read model (it binds the envelopes to it).
pub fn seal_state<S: serde::Serialize>(
    keyring: &Keyring,
    label: &str,
    fields: &[PersonalField],
    state: &S,
) -> Result<String, KeyError> {
    let mut value = serde_json::to_value(state).expect("states serialise as JSON");
    if !fields.is_empty() {
        let spots = personal_spots(fields, &value);
        seal(keyring, label, &spots, &mut value)?;
    }
    Ok(serde_json::to_string(&value).expect("JSON serialises"))
}

/// A state kept by [`seal_state`], opened (a field whose key is gone
/// reads as erased).
pub fn open_state<S: serde::de::DeserializeOwned>(
    keyring: &Keyring,
    label: &str,
    json: &str,
) -> Result<S, String> {
    let mut value: Value = serde_json::from_str(json).map_err(|error| error.to_string())?;
    if holds_sealed(json.as_bytes()) {
        open(keyring, label, &mut value).map_err(|error| error.to_string())?;
    }
    serde_json::from_value(value).map_err(|error| error.to_string())
}

/// Whether the stored bytes of an event hold any envelope.
pub fn holds_sealed(data: &[u8]) -> bool {
    data.windows(SEALED_NEEDLE.len())
        .any(|window| window == SEALED_NEEDLE)
}

/// Opens every envelope in `data`: its plaintext where its key exists,
/// the erased marker where the key was destroyed (or the envelope does not
/// open with it).
pub fn open(keyring: &Keyring, event_type: &str, data: &mut Value) -> Result<(), KeyError> {
    match data {
        Value::Object(object) => {
            if let Some(sealed) = sealed_parts(object) {
                *data = open_envelope(keyring, event_type, sealed)?;
                return Ok(());
            }
            for value in object.values_mut() {
                open(keyring, event_type, value)?;
            }
            Ok(())
        }
        Value::Array(items) => {
            for item in items {
                open(keyring, event_type, item)?;
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

/// The key ids of every envelope in `data`.
pub fn sealed_key_ids(data: &Value, ids: &mut Vec<String>) {
    match data {
        Value::Object(object) => {
            if let Some((key, _)) = sealed_parts(object) {
                if !ids.iter().any(|known| known == key) {
                    ids.push(key.to_owned());
                }
                return;
            }
            for value in object.values() {
                sealed_key_ids(value, ids);
            }
        }
        Value::Array(items) => {
            for item in items {
                sealed_key_ids(item, ids);
            }
        }
        _ => {}
    }
}

fn open_envelope(
    keyring: &Keyring,
    event_type: &str,
    (key_id, sealed): (&str, &str),
) -> Result<Value, KeyError> {
    let Some(key) = keyring.key(key_id)? else {
        return Ok(erased_marker());
    };
    let opened = STANDARD
        .decode(sealed)
        .ok()
        .and_then(|bytes| key.open(&aad(event_type, key_id), &bytes))
        .and_then(|plaintext| serde_json::from_slice(&plaintext).ok());
    match opened {
        Some(value) => Ok(value),
        None => {
            tracing::warn!(
                key = key_id,
                event_type,
                "a sealed field does not open with its key; read as erased"
            );
            Ok(erased_marker())
        }
    }
}

fn aad(event_type: &str, key_id: &str) -> Vec<u8> {
    format!("labex/sealed/v1/{event_type}/{key_id}").into_bytes()
}

fn envelope(key_id: &str, sealed: &[u8]) -> Value {
    let mut inner = Map::new();
    inner.insert("key".to_owned(), Value::String(key_id.to_owned()));
    inner.insert(
        "nonce_and_data".to_owned(),
        Value::String(STANDARD.encode(sealed)),
    );
    let mut outer = Map::new();
    outer.insert(SEALED.to_owned(), Value::Object(inner));
    Value::Object(outer)
}

fn is_sealed(value: &Value) -> bool {
    matches!(value, Value::Object(object) if sealed_parts(object).is_some())
}

/// The key id and sealed bytes (base64) of an envelope.
fn sealed_parts(object: &Map<String, Value>) -> Option<(&str, &str)> {
    if object.len() != 1 {
        return None;
    }
    let inner = object.get(SEALED)?.as_object()?;
    Some((
        inner.get("key")?.as_str()?,
        inner.get("nonce_and_data")?.as_str()?,
    ))
}

/// One step of a path: a member, and whether every element of its list is
/// meant (`members[]`).
struct Step<'a> {
    name: &'a str,
    each: bool,
}

fn parse_path(path: &str) -> Vec<Step<'_>> {
    path.split('.')
        .map(|part| match part.strip_suffix("[]") {
            Some(name) => Step { name, each: true },
            None => Step {
                name: part,
                each: false,
            },
        })
        .collect()
}

/// Every concrete place `path` names in `value`: its JSON pointer and the
/// list indices taken on the way.
fn expand(
    value: &Value,
    path: &[Step<'_>],
    pointer: String,
    indices: Vec<usize>,
    found: &mut Vec<(String, Vec<usize>)>,
) {
    let Some((step, rest)) = path.split_first() else {
        if !value.is_null() {
            found.push((pointer, indices));
        }
        return;
    };
    let Some(member) = value.get(step.name) else {
        return;
    };
    let pointer = format!("{pointer}/{}", escape_pointer(step.name));
    if !step.each {
        expand(member, rest, pointer, indices, found);
        return;
    }
    let Some(items) = member.as_array() else {
        return;
    };
    for (index, item) in items.iter().enumerate() {
        let mut indices = indices.clone();
        indices.push(index);
        expand(item, rest, format!("{pointer}/{index}"), indices, found);
    }
}

/// The JSON pointer of `path` with its `[]` taken as `indices`, in order.
fn pointer_of(path: &[Step<'_>], indices: &[usize]) -> String {
    let mut pointer = String::new();
    let mut indices = indices.iter();
    for step in path {
        pointer.push('/');
        pointer.push_str(&escape_pointer(step.name));
        if step.each
            && let Some(index) = indices.next()
        {
            pointer.push_str(&format!("/{index}"));
        }
    }
    pointer
}

fn escape_pointer(name: &str) -> String {
    name.replace('~', "~0").replace('/', "~1")
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    const MEMBERS: PersonalField = PersonalField {
        field: "members[].details",
        subject: "members[].jobseeker_id",
    };

    #[test]
    fn the_fields_of_each_element_belong_to_that_elements_subject() {
        let data = json!({
            "household_id": "h",
            "members": [
                {"jobseeker_id": "a", "details": {"name": "张伟"}},
                {"jobseeker_id": "b", "details": null},
                {"jobseeker_id": "c", "details": {"name": "李娜"}},
            ]
        });
        let spots = personal_spots(&[MEMBERS], &data);
        assert_eq!(
            spots,
            [
                PersonalSpot {
                    pointer: "/members/0/details".to_owned(),
                    subject: "a".to_owned()
                },
                PersonalSpot {
                    pointer: "/members/2/details".to_owned(),
                    subject: "c".to_owned()
                },
            ]
        );
    }

    #[test]
    fn sealed_fields_open_again_and_read_erased_once_the_key_is_destroyed() {
        let keyring = Keyring::in_memory();
        let original = json!({
            "jobseeker_id": "0190f5a8-0000-7000-8000-000000000001",
            "personal": {"name": "李娜", "id_number": "11010519491231002X", "phone": null},
            "office": "410105"
        });
        let fields = [PersonalField {
            field: "personal",
            subject: "jobseeker_id",
        }];
        let mut data = original.clone();
        let spots = personal_spots(&fields, &data);
        seal(&keyring, "JobSeekerRegistered", &spots, &mut data).unwrap();
        let stored = serde_json::to_vec(&data).unwrap();
        assert!(holds_sealed(&stored));
        let text = String::from_utf8(stored.clone()).unwrap();
        assert!(!text.contains("李娜") && !text.contains("11010519491231002X"));
        assert_eq!(data["office"], "410105");
        let mut ids = Vec::new();
        sealed_key_ids(&data, &mut ids);
        assert_eq!(ids, ["0190f5a8-0000-7000-8000-000000000001"]);

        let mut opened = data.clone();
        open(&keyring, "JobSeekerRegistered", &mut opened).unwrap();
        assert_eq!(opened, original);
        // Bound to the event type.
        let mut moved = data.clone();
        open(&keyring, "JobSeekerProfileUpdated", &mut moved).unwrap();
        assert_eq!(moved["personal"], erased_marker());

        tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
            .block_on(keyring.destroy(&ids))
            .unwrap();
        let mut erased = data;
        open(&keyring, "JobSeekerRegistered", &mut erased).unwrap();
        assert_eq!(erased["personal"], erased_marker());
        assert_eq!(erased["office"], "410105");
    }

    #[test]
    fn plain_events_written_before_sealing_read_as_they_are() {
        let keyring = Keyring::in_memory();
        let plain = json!({"personal": {"name": "李娜"}});
        let mut data = plain.clone();
        open(&keyring, "JobSeekerRegistered", &mut data).unwrap();
        assert_eq!(data, plain);
        assert!(!holds_sealed(&serde_json::to_vec(&plain).unwrap()));
    }
}
