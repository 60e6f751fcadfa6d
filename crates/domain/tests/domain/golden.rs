//! Golden files: one per event type and schema version under
//! `tests/golden/` (`VacancyFilled.v1.json`), and for every old version
//! the current shape it upcasts to (`JobSeekerRegistered.v1.expected.json`).
//! A change to an event's shape that breaks one of these needs a new
//! schema version and an upcaster, not an edited golden file.

use std::collections::BTreeMap;
use std::path::PathBuf;

use labex_domain::jobseeker::{JobSeeker, JobSeekerEvent};
use labex_domain::registry::{current_schema_version, event_types};
use labex_domain::value::JobSeekerCategory;
use labex_domain::{Aggregate, DecodeError, Event, decode, encode};
use serde_json::{Value, json};

use crate::fixtures::*;

/// A golden file's name taken apart.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct GoldenName {
    event_type: String,
    schema_version: u32,
    expected: bool,
}

fn parse_name(file_name: &str) -> GoldenName {
    let stem = file_name
        .strip_suffix(".json")
        .unwrap_or_else(|| panic!("{file_name}: golden files are JSON"));
    let (stem, expected) = match stem.strip_suffix(".expected") {
        Some(stem) => (stem, true),
        None => (stem, false),
    };
    let (event_type, version) = stem
        .rsplit_once(".v")
        .unwrap_or_else(|| panic!("{file_name}: expected <Type>.v<N>[.expected].json"));
    GoldenName {
        event_type: event_type.to_owned(),
        schema_version: version
            .parse()
            .unwrap_or_else(|_| panic!("{file_name}: the version is not a number")),
        expected,
    }
}

fn golden_directory() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden")
}

/// Every golden file, by its name, with its bytes.
fn golden_files() -> BTreeMap<GoldenName, Vec<u8>> {
    std::fs::read_dir(golden_directory())
        .expect("tests/golden exists")
        .map(|entry| {
            let path = entry.expect("a directory entry").path();
            let file_name = path
                .file_name()
                .and_then(|name| name.to_str())
                .expect("a UTF-8 file name")
                .to_owned();
            let bytes = std::fs::read(&path).expect("a readable golden file");
            (parse_name(&file_name), bytes)
        })
        .collect()
}

fn json_of(bytes: &[u8]) -> Value {
    serde_json::from_slice(bytes).expect("golden files are JSON")
}

fn read(name: &str, version: u32) -> Vec<u8> {
    std::fs::read(golden_directory().join(format!("{name}.v{version}.json")))
        .expect("the golden file exists")
}

#[test]
fn every_golden_file_decodes_and_re_encodes_to_the_current_shape() {
    let files = golden_files();
    let mut checked = 0;
    for (name, bytes) in files.iter().filter(|(name, _)| !name.expected) {
        let event = decode(&name.event_type, name.schema_version, bytes)
            .unwrap_or_else(|error| panic!("{name:?} does not decode: {error}"));
        let encoded = encode(&event);
        let current = current_schema_version(&name.event_type).expect("a known type");
        assert_eq!(encoded.event_type, name.event_type);
        assert_eq!(encoded.schema_version, current, "{name:?}");

        let expected = if name.schema_version == current {
            json_of(bytes)
        } else {
            let expected_name = GoldenName {
                expected: true,
                ..name.clone()
            };
            let expected = files
                .get(&expected_name)
                .unwrap_or_else(|| panic!("{name:?} is old: it needs a .expected.json"));
            json_of(expected)
        };
        assert_eq!(json_of(&encoded.data), expected, "{name:?} re-encoded");

        let again = decode(encoded.event_type, encoded.schema_version, &encoded.data)
            .expect("the re-encoded event decodes");
        assert_eq!(again, event, "{name:?} after a second round");
        checked += 1;
    }
    // Every current-shape file was checked (each context adds its own).
    let current = files.keys().filter(|name| !name.expected).count();
    assert!(current >= 14, "golden files are missing");
    assert_eq!(checked, current, "golden files checked");
}

#[test]
fn every_event_type_and_version_has_a_golden_file() {
    let files = golden_files();
    for event_type in event_types() {
        for version in 1..=event_type.schema_version {
            let name = GoldenName {
                event_type: event_type.name.to_owned(),
                schema_version: version,
                expected: false,
            };
            assert!(files.contains_key(&name), "missing {name:?}");
        }
    }
}

#[test]
fn expected_files_exist_only_for_old_versions() {
    for name in golden_files().keys().filter(|name| name.expected) {
        let current = current_schema_version(&name.event_type).expect("a known type");
        assert!(name.schema_version < current, "{name:?} is not old");
    }
}

#[test]
fn a_v1_job_seeker_registration_is_read_in_the_current_shape() {
    let from_v1 = decode("JobSeekerRegistered", 1, &read("JobSeekerRegistered", 1)).unwrap();
    let from_expected = decode(
        "JobSeekerRegistered",
        2,
        &std::fs::read(golden_directory().join("JobSeekerRegistered.v1.expected.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(from_v1, from_expected);

    let Ok(event) = JobSeekerEvent::try_from(from_v1) else {
        panic!("a job seeker event");
    };
    let jobseeker = JobSeeker::fold([&event]).expect("registered");
    assert_eq!(
        jobseeker.personal.known().unwrap().phone,
        Some(phone("13800138000"))
    );
    assert_eq!(
        jobseeker.profile.categories,
        categories(&[JobSeekerCategory::Graduate])
    );
    assert_eq!(
        jobseeker.personal.known().unwrap().id_number.as_str(),
        ZHANG_WEI_ID_NUMBER
    );
}

fn v1_registration(phone: Value, category: Value) -> Vec<u8> {
    let mut v1 = json_of(&read("JobSeekerRegistered", 1));
    v1["phone"] = phone;
    v1["category"] = category;
    serde_json::to_vec(&v1).unwrap()
}

#[test]
fn a_v1_registration_with_an_empty_phone_and_no_category_is_read_with_neither() {
    let event = decode(
        "JobSeekerRegistered",
        1,
        &v1_registration(json!(""), Value::Null),
    )
    .unwrap();
    let Event::JobSeeker(JobSeekerEvent::Registered(registered)) = event else {
        panic!("a registration");
    };
    assert_eq!(registered.personal.known().unwrap().phone, None);
    assert!(registered.profile.categories.is_empty());
}

#[test]
fn a_v1_registration_with_an_invalid_phone_is_malformed() {
    let error = decode(
        "JobSeekerRegistered",
        1,
        &v1_registration(json!("12345"), json!("graduate")),
    )
    .unwrap_err();
    assert!(matches!(error, DecodeError::Malformed { .. }), "{error}");
}

#[test]
fn a_v1_registration_with_a_field_v1_never_had_is_refused() {
    let mut v1 = json_of(&read("JobSeekerRegistered", 1));
    v1["nationality"] = json!("汉");
    let error = decode("JobSeekerRegistered", 1, &serde_json::to_vec(&v1).unwrap()).unwrap_err();
    assert!(matches!(error, DecodeError::Malformed { .. }), "{error}");
}

#[test]
fn a_v2_registration_is_not_read_as_v1() {
    let error = decode("JobSeekerRegistered", 1, &read("JobSeekerRegistered", 2)).unwrap_err();
    assert!(matches!(error, DecodeError::Upcast { .. }), "{error}");
}

#[test]
fn a_stored_event_with_an_invalid_credit_code_is_malformed() {
    let mut stored = json_of(&read("EmployerRegistered", 1));
    stored["credit_code"] = json!("91350100M000100Y44");
    let error = decode(
        "EmployerRegistered",
        1,
        &serde_json::to_vec(&stored).unwrap(),
    )
    .unwrap_err();
    assert!(matches!(error, DecodeError::Malformed { .. }), "{error}");
}
