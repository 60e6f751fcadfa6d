//! `labex migrate`, through the real binary: a data folder whose store
//! holds personal data in plaintext (events as builds before sealing wrote
//! them) is copied into a new one that serves the same records, with
//! every personal field sealed: no file of the new folder holds a name,
//! an ID number, a phone or a note about a person.

use std::process::Command;

use labex_domain::value::DivisionCode;
use labex_eventsourcing::Metadata;
use labex_eventsourcing::kurrentdb::{AppendToStreamOptions, EventData, StreamState};
use labex_testkit::{SECRET, Tokens, binary, temporary_folder};
use serde_json::value::RawValue;
use serde_json::{Value, json};

use crate::privacy::files_holding;
use crate::support::Labex;

const JOBSEEKER: &str = "0190f5a8-0000-7000-8000-0000000000a1";
const REFERRAL: &str = "0190f5a8-0000-7000-8000-0000000000a4";
const NAME: &str = "慕容雪晴";
const ID_NUMBER: &str = "410105199805121235";
const PHONE: &str = "13855556666";
const UNEMPLOYMENT_NOTE: &str = "原单位关闭停产后照顾患病母亲";
const REFERRAL_NOTE: &str = "面试前已告知其听力障碍情况";

/// Appends `data` to `stream` as an older build wrote it: plaintext, at
/// `schema`.
async fn append_old(labex: &Labex, stream: &str, event_type: &str, schema: u32, data: Value) {
    let context =
        labex_web::request_context("older-build", Some(DivisionCode::parse("410105").unwrap()));
    let raw: Box<RawValue> = RawValue::from_string(data.to_string()).expect("JSON");
    let event = EventData::json(event_type, &raw)
        .expect("an event")
        .metadata(Metadata::new(&context, schema).to_json().into());
    labex
        .store()
        .append_to_stream(
            stream,
            &AppendToStreamOptions::default().stream_state(StreamState::Any),
            event,
        )
        .await
        .expect("the old event is written");
}

#[tokio::test]
async fn a_plaintext_store_migrated_serves_the_same_records_with_every_personal_field_sealed() {
    let mut old = Labex::start().await;
    append_old(
        &old,
        &format!("jobseeker-{JOBSEEKER}"),
        "JobSeekerRegistered",
        1,
        json!({
            "jobseeker_id": JOBSEEKER,
            "name": NAME,
            "id_number": ID_NUMBER,
            "phone": PHONE,
            "education": "bachelor",
            "major": "软件工程",
            "graduation_year": 2020,
            "category": "graduate",
            "skills": ["Rust", "SQL"],
            "desired_occupations": ["软件开发"],
            "desired_regions": ["410100"],
            "summary": null,
            "office": "410105"
        }),
    )
    .await;
    append_old(
        &old,
        &format!("jobseeker-{JOBSEEKER}"),
        "UnemploymentRegistered",
        1,
        json!({"jobseeker_id": JOBSEEKER, "registered_on": "2024-03-02", "note": UNEMPLOYMENT_NOTE}),
    )
    .await;
    append_old(
        &old,
        &format!("referral-{REFERRAL}"),
        "ReferralMade",
        1,
        json!({
            "referral_id": REFERRAL,
            "jobseeker_id": JOBSEEKER,
            "vacancy_id": "0190f5a8-0000-7000-8000-0000000000a3",
            "employer_id": "0190f5a8-0000-7000-8000-0000000000a2",
            "note": REFERRAL_NOTE,
            "referred_at": "2024-03-04T02:00:00Z"
        }),
    )
    .await;
    let province = Tokens::province();
    let record = format!("/v1/jobseekers/{JOBSEEKER}");
    let before = old.http.get(&record, Some(&province)).await.expect(200);
    assert_eq!(before.body["name"], NAME);
    old.stop();
    // The old folder holds the plaintext, as such stores do.
    assert!(!files_holding(&old.data.path().join("eventstore"), NAME.as_bytes()).is_empty());

    let new = temporary_folder("labex-migrated-");
    let target = new.path().to_owned();
    let mut command = Command::new(binary("labex"));
    for (name, _) in std::env::vars() {
        if name.starts_with("LABEX_") {
            command.env_remove(name);
        }
    }
    let output = command
        .args(["migrate", "--from"])
        .arg(old.data.path())
        .env("LABEX_DATA", &target)
        .env("LABEX_JWT_SECRET", SECRET)
        .env("LABEX_LOG", "warn")
        .output()
        .expect("labex migrate runs");
    let printed = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{printed}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(printed.contains("destroy"), "{printed}");
    let mut labex = Labex::start_on(new);
    let after = labex.http.get(&record, Some(&province)).await.expect(200);
    assert_eq!(after.body["name"], NAME);
    assert_eq!(after.body["phone"], PHONE);
    assert_eq!(after.body["status"], "registered_unemployed");
    assert!(
        after.body["id_number"]
            .as_str()
            .is_some_and(|masked| masked.starts_with("410105") && masked.ends_with("1235")),
        "{}",
        after.text
    );
    let referral = labex
        .http
        .get(&format!("/v1/referrals/{REFERRAL}"), Some(&province))
        .await
        .expect(200);
    assert_eq!(referral.body["note"], REFERRAL_NOTE);
    labex
        .eventually("/v1/jobseekers?office=410105", &province, |page| {
            page["items"][0]["name"] == NAME
        })
        .await;
    labex.stop();
    for needle in [NAME, ID_NUMBER, PHONE, UNEMPLOYMENT_NOTE, REFERRAL_NOTE] {
        assert_eq!(
            files_holding(&labex.data.path().join("eventstore"), needle.as_bytes()),
            Vec::<String>::new(),
            "{needle} in the migrated store"
        );
    }
}
