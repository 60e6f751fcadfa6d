//! Metadata, data, type and content type of every appended event.

use labex_domain::jobseeker::JobSeeker;
use labex_domain::{JobSeekerId, encode};
use labex_eventsourcing::{Metadata, StoredEvent};

use crate::support::*;

#[tokio::test]
async fn every_event_carries_its_context_and_schema_as_json_metadata() {
    let store = TestStore::start().await;
    let id = JobSeekerId::generate();
    let context = context("counsellor-7");
    let executed = store
        .repository()
        .execute::<JobSeeker>(id, register_jobseeker(id), &context)
        .await
        .unwrap();

    let recorded = store.recorded(&id.stream_name()).await;
    assert_eq!(recorded.len(), 1);
    let event = &recorded[0];
    assert_eq!(event.event_type, "JobSeekerRegistered");
    assert_eq!(event.content_type.as_deref(), Some("application/json"));
    let domain_event = executed.events[0].clone().into();
    // The data is the domain's JSON with the personal group sealed under
    // the person's own key, and everything else as the domain encodes it.
    let mut stored: serde_json::Value = serde_json::from_slice(&event.data).unwrap();
    let mut plain: serde_json::Value = serde_json::from_slice(&encode(&domain_event).data).unwrap();
    assert_eq!(stored["personal"]["$sealed"]["key"], id.to_string());
    stored.as_object_mut().unwrap().remove("personal");
    plain.as_object_mut().unwrap().remove("personal");
    assert_eq!(stored, plain);

    let json: serde_json::Value = serde_json::from_slice(&event.custom_metadata).unwrap();
    assert_eq!(
        json,
        serde_json::json!({
            "correlation_id": context.correlation_id,
            "causation_id": context.causation_id,
            "actor": "counsellor-7",
            "office": "410105",
            "schema": 2,
            "at": context.at,
        })
    );
    let metadata = Metadata::from_json(&event.custom_metadata).unwrap();
    assert_eq!(metadata.context(chrono::Utc::now()), context);
    assert_eq!(metadata.schema, 2);
    // Read back, the personal data is opened with the person's key.
    let loaded = store.repository().load::<JobSeeker>(id).await.unwrap();
    assert_eq!(loaded.state, executed.state);
}

#[tokio::test]
async fn stored_events_read_back_with_their_metadata_position_and_time() {
    let store = TestStore::start().await;
    let id = JobSeekerId::generate();
    let context = context("counsellor-7");
    let executed = store
        .repository()
        .execute::<JobSeeker>(id, register_jobseeker(id), &context)
        .await
        .unwrap();
    let mut read = store
        .client
        .read_stream(id.stream_name(), &Default::default())
        .await
        .unwrap();
    let resolved = read.next().await.unwrap().unwrap();
    let stored: StoredEvent = StoredEvent::from_recorded(resolved.get_original_event()).unwrap();
    assert_eq!(stored.stream, id.stream_name());
    assert_eq!(stored.revision, 0);
    assert_eq!(Some(stored.position), executed.position);
    assert_eq!(stored.metadata.context(stored.created), context);
    assert_eq!(stored.event_type(), "JobSeekerRegistered");
    assert_eq!(stored.event, executed.events[0].clone().into());
    assert!(stored.created <= chrono::Utc::now());
}
