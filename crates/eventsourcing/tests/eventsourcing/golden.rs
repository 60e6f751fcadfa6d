//! Golden files of the infrastructure events this crate writes itself,
//! `KeyClaimed` and `TurnTaken`, under `tests/golden/` (`<Type>.v<N>.json`,
//! as the domain keeps its events'): what the repository writes equals
//! them, and what they hold is read back. A change that breaks one needs
//! a new schema version, not an edited golden file: claims and turns are
//! kept for good and read by every later build.

use std::path::PathBuf;

use kurrentdb::{AppendToStreamOptions, EventData, StreamState};
use labex_eventsourcing::{
    KEY_CLAIMED, KEY_CLAIMED_SCHEMA, Metadata, TURN_TAKEN, TURN_TAKEN_SCHEMA,
};
use serde_json::Value;
use serde_json::value::RawValue;
use uuid::Uuid;

use crate::support::*;

/// Every infrastructure event type with the schema version written today.
const WRITTEN: [(&str, u32); 3] = [
    (KEY_CLAIMED, KEY_CLAIMED_SCHEMA),
    (TURN_TAKEN, TURN_TAKEN_SCHEMA),
    (
        labex_eventsourcing::IDEMPOTENCY_KEY_USED,
        labex_eventsourcing::IDEMPOTENCY_KEY_USED_SCHEMA,
    ),
];

fn golden_directory() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden")
}

fn golden_bytes(event_type: &str, version: u32) -> Vec<u8> {
    let path = golden_directory().join(format!("{event_type}.v{version}.json"));
    std::fs::read(&path).unwrap_or_else(|error| panic!("{}: {error}", path.display()))
}

fn golden(event_type: &str, version: u32) -> Value {
    serde_json::from_slice(&golden_bytes(event_type, version)).expect("golden files are JSON")
}

/// The UUID a golden file holds in `field`.
fn golden_uuid(event_type: &str, version: u32, field: &str) -> Uuid {
    golden(event_type, version)[field]
        .as_str()
        .and_then(|text| Uuid::parse_str(text).ok())
        .unwrap_or_else(|| panic!("{event_type}.v{version}.json holds a UUID in {field}"))
}

fn json(bytes: &[u8]) -> Value {
    serde_json::from_slice(bytes).expect("JSON")
}

#[test]
fn every_infrastructure_event_type_and_version_has_a_golden_file_and_no_other_is_kept() {
    let mut expected: Vec<String> = WRITTEN
        .iter()
        .flat_map(|(event_type, current)| {
            (1..=*current).map(move |version| format!("{event_type}.v{version}.json"))
        })
        .collect();
    expected.sort();
    let mut found: Vec<String> = std::fs::read_dir(golden_directory())
        .expect("tests/golden exists")
        .map(|entry| {
            entry
                .expect("a directory entry")
                .file_name()
                .into_string()
                .expect("a UTF-8 file name")
        })
        .collect();
    found.sort();
    assert_eq!(found, expected);
}

#[tokio::test]
async fn a_claim_is_written_as_its_golden_file_and_the_golden_file_is_read_back() {
    let store = TestStore::start().await;
    let repository = store.repository();
    let owner = golden_uuid(KEY_CLAIMED, KEY_CLAIMED_SCHEMA, "owner");

    let stream = "employercode-91350100M000100Y43";
    repository
        .claim(stream, owner, &context("counsellor-1"))
        .await
        .unwrap();
    let recorded = store.recorded(stream).await;
    assert_eq!(recorded.len(), 1);
    assert_eq!(recorded[0].event_type, KEY_CLAIMED);
    assert_eq!(
        json(&recorded[0].data),
        golden(KEY_CLAIMED, KEY_CLAIMED_SCHEMA)
    );
    let metadata = Metadata::from_json(&recorded[0].custom_metadata).unwrap();
    assert_eq!(metadata.schema, KEY_CLAIMED_SCHEMA);

    // The golden file, appended as an older build would have, names the
    // owner to a later claimant.
    let written_before = "jobseekerid-0123456789abcdef0123456789abcdef";
    append_golden(&store, written_before, KEY_CLAIMED, KEY_CLAIMED_SCHEMA).await;
    let later = Uuid::now_v7();
    let answered = repository
        .claim(written_before, later, &context("counsellor-2"))
        .await
        .unwrap();
    assert_eq!(answered, owner);
    assert_eq!(store.recorded(written_before).await.len(), 1);
}

#[tokio::test]
async fn a_turn_is_written_as_its_golden_file_and_the_golden_file_is_read_back() {
    let store = TestStore::start().await;
    let repository = store.repository();
    let holder = golden_uuid(TURN_TAKEN, TURN_TAKEN_SCHEMA, "holder");

    let stream = "referralpair-written";
    let taker = context("counsellor-1");
    let taken = repository
        .take_turn(stream, holder, None, &taker)
        .await
        .unwrap()
        .expect("the first turn");
    let recorded = store.recorded(stream).await;
    assert_eq!(recorded.len(), 1);
    assert_eq!(recorded[0].event_type, TURN_TAKEN);
    assert_eq!(
        json(&recorded[0].data),
        golden(TURN_TAKEN, TURN_TAKEN_SCHEMA)
    );
    let metadata = Metadata::from_json(&recorded[0].custom_metadata).unwrap();
    assert_eq!(metadata.schema, TURN_TAKEN_SCHEMA);

    // Handing the turn back writes the same shape with the nil UUID.
    repository
        .hand_back_turn(stream, &taken, &taker)
        .await
        .unwrap()
        .expect("handed back");
    let mut handed_back = golden(TURN_TAKEN, TURN_TAKEN_SCHEMA);
    handed_back["holder"] = Value::String(Uuid::nil().to_string());
    assert_eq!(json(&store.recorded(stream).await[1].data), handed_back);

    let written_before = "referralpair-golden";
    let context = append_golden(&store, written_before, TURN_TAKEN, TURN_TAKEN_SCHEMA).await;
    let latest = repository
        .latest_turn(written_before)
        .await
        .unwrap()
        .expect("the golden turn");
    assert_eq!(latest.holder, Some(holder));
    assert_eq!(latest.revision, 0);
    assert_eq!(latest.at, context.at);
}

/// Appends a golden file's text as it stands (JSON content type, metadata
/// of its schema version) as the first event of `stream`.
async fn append_golden(
    store: &TestStore,
    stream: &str,
    event_type: &str,
    version: u32,
) -> labex_eventsourcing::EventContext {
    let context = context("an-older-build");
    let text: Box<RawValue> =
        serde_json::from_slice(&golden_bytes(event_type, version)).expect("golden files are JSON");
    let event = EventData::json(event_type, &text)
        .expect("raw JSON serialises")
        .id(Uuid::now_v7())
        .metadata(Metadata::new(&context, version).to_json().into());
    store
        .client
        .append_to_stream(
            stream,
            &AppendToStreamOptions::default().stream_state(StreamState::NoStream),
            event,
        )
        .await
        .expect("the golden event is appended");
    context
}
