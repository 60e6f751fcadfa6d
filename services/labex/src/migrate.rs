//! `labex migrate --from OLD`: copies a data folder written before personal
//! data was sealed into a new one (`--data`) whose events hold it only
//! sealed, offline (neither folder may be served meanwhile).
//!
//! Both stores are started on free loopback ports; every event of the old
//! `$all` is appended to the new store in the same order, to the same
//! stream at the same revision, under the same id. A domain event with
//! personal fields is read (upcast to its current shape) and written again
//! with those fields sealed with the new folder's keys; a job seeker's
//! ID-number claim gets its owner sealed as new claims have it; every other
//! event is copied byte for byte. The token secret and the registry key
//! (which names ID-number claims) are copied; read models and the search
//! index are not: they rebuild from the new store at its first start. The
//! old folder still holds the plaintext, and must then be destroyed.

use std::net::SocketAddr;
use std::path::Path;

use kurrentdb::{
    AppendToStreamOptions, Client, EventData, ReadAllOptions, RecordedEvent, StreamPosition,
    StreamState,
};
use labex_domain::{DomainEvent, Event};
use labex_eventsourcing::{
    EventContext, KEY_CLAIMED, Keyring, PersonalSpot, StoredEvent, event_data, holds_sealed,
    personal_spots, reads, seal,
};
use labex_eventstore::{RunningServer, ServerConfig};
use labex_web::{StartError, Starting};

/// Files of a data folder that the new one needs as they are: the token
/// secret and the key that names ID-number claims.
const COPIED_FILES: &[&str] = &["jwt-secret", "jobseekers/registry-key"];

/// What the copy did.
#[derive(Debug, Default)]
pub struct Migrated {
    /// Events copied in all.
    pub events: u64,
    /// Of them, written again with personal fields sealed.
    pub sealed: u64,
    /// Events of the store's own streams (`$…`), not copied.
    pub skipped: u64,
}

/// Copies `from` into `to` (a folder with no store yet), sealing personal
/// data with the process's keyring (opened on `to`). `progress` is told
/// the position reached and the last position of the old store.
pub async fn migrate(
    from: &Path,
    to: &Path,
    mut progress: impl FnMut(u64, u64),
) -> Result<Migrated, StartError> {
    let old_store = from.join("eventstore");
    if !old_store.exists() {
        return Err(StartError::new(
            format!("{} holds no event store", from.display()),
            "name the data folder of the labex to migrate with --from",
        ));
    }
    let new_store = to.join("eventstore");
    if new_store.exists() {
        return Err(StartError::new(
            format!("{} holds an event store already", to.display()),
            "migrate into a new, empty data folder",
        ));
    }
    for file in COPIED_FILES {
        copy_private(&from.join(file), &to.join(file))?;
    }
    let loopback = SocketAddr::from(([127, 0, 0, 1], 0));
    let old = RunningServer::start(ServerConfig::new(old_store, loopback))
        .await
        .starting("cannot open the old event store (is a labex serving it?)")?;
    let new = RunningServer::start(ServerConfig::new(new_store, loopback))
        .await
        .starting("cannot create the new event store")?;
    let outcome = copy_all(
        &labex_web::connect_store(&old.connection_string())?,
        &labex_web::connect_store(&new.connection_string())?,
        &mut progress,
    )
    .await;
    new.shutdown().await;
    old.shutdown().await;
    outcome
}

async fn copy_all(
    old: &Client,
    new: &Client,
    progress: &mut impl FnMut(u64, u64),
) -> Result<Migrated, StartError> {
    let last = last_position(old).await?;
    let mut read = old
        .read_all(
            &ReadAllOptions::default()
                .forwards()
                .position(StreamPosition::Start),
        )
        .await
        .starting("cannot read the old store")?;
    let mut migrated = Migrated::default();
    while let Some(resolved) = read.next().await.starting("cannot read the old store")? {
        let recorded = resolved.get_original_event();
        progress(recorded.position.commit, last);
        if recorded.stream_id().starts_with('$') || recorded.event_type.starts_with('$') {
            migrated.skipped += 1;
            continue;
        }
        let (event, sealed) = copy_of(recorded).await?;
        let expected = match recorded.revision {
            0 => StreamState::NoStream,
            revision => StreamState::StreamRevision(revision - 1),
        };
        new.append_to_stream(
            recorded.stream_id(),
            &AppendToStreamOptions::default().stream_state(expected),
            event,
        )
        .await
        .starting(&format!(
            "cannot write event {} of {} to the new store",
            recorded.id,
            recorded.stream_id()
        ))?;
        migrated.events += 1;
        migrated.sealed += u64::from(sealed);
    }
    progress(last, last);
    Ok(migrated)
}

/// The event to write for `recorded`, and whether its personal fields were
/// sealed now.
async fn copy_of(recorded: &RecordedEvent) -> Result<(EventData, bool), StartError> {
    let already_sealed = holds_sealed(&recorded.data);
    if !already_sealed && Event::knows(&recorded.event_type) {
        let stored = StoredEvent::<Event>::from_recorded(recorded)
            .starting(&format!("cannot read event {}", recorded.id))?;
        if !Event::personal_fields(stored.event.event_type()).is_empty() {
            let context: EventContext = stored.metadata.context(stored.created);
            let keys = subjects(&stored.event);
            Keyring::process()
                .ensure(&keys)
                .await
                .starting("cannot make the keys of the new store")?;
            return Ok((event_data(&stored.event, recorded.id, &context), true));
        }
    }
    if !already_sealed
        && recorded.event_type == KEY_CLAIMED
        && recorded
            .stream_id()
            .starts_with(&format!("{}-", labex_jobseekers::CLAIM_CATEGORY))
    {
        return sealed_claim(recorded).await.map(|event| (event, true));
    }
    Ok((verbatim(recorded), false))
}

/// A job seeker's ID-number claim with its owner sealed under the claim's
/// own key, as [`Repository::claim_personal`] writes claims.
///
/// [`Repository::claim_personal`]: labex_eventsourcing::Repository::claim_personal
async fn sealed_claim(recorded: &RecordedEvent) -> Result<EventData, StartError> {
    let stream = recorded.stream_id().to_owned();
    let mut data: serde_json::Value = serde_json::from_slice(&recorded.data)
        .starting(&format!("the claim {} is not JSON", recorded.id))?;
    Keyring::process()
        .ensure(std::slice::from_ref(&stream))
        .await
        .starting("cannot make the keys of the new store")?;
    let spots = [PersonalSpot {
        pointer: "/owner".to_owned(),
        subject: stream,
    }];
    seal(Keyring::process(), KEY_CLAIMED, &spots, &mut data).starting("cannot seal a claim")?;
    Ok(EventData::json(KEY_CLAIMED, &data)
        .starting("a claim serialises")?
        .id(recorded.id)
        .metadata(recorded.custom_metadata.clone()))
}

/// The event as it was.
fn verbatim(recorded: &RecordedEvent) -> EventData {
    let content_type = recorded
        .metadata
        .get("content-type")
        .map_or("application/json", String::as_str);
    let event = if content_type == "application/json" {
        EventData::json(
            &recorded.event_type,
            &serde_json::value::RawValue::from_string(
                String::from_utf8_lossy(&recorded.data).into_owned(),
            )
            .unwrap_or_else(|_| {
                serde_json::value::RawValue::from_string("null".to_owned()).expect("null is JSON")
            }),
        )
        .expect("raw JSON serialises as itself")
    } else {
        EventData::binary(&recorded.event_type, recorded.data.clone())
    };
    event
        .id(recorded.id)
        .metadata(recorded.custom_metadata.clone())
}

/// The ids of the persons whose data `event` holds.
fn subjects(event: &Event) -> Vec<String> {
    let data: serde_json::Value =
        serde_json::from_slice(&event.data()).expect("the domain encodes events as JSON");
    let mut ids: Vec<String> = personal_spots(Event::personal_fields(event.event_type()), &data)
        .into_iter()
        .map(|spot| spot.subject)
        .collect();
    ids.dedup();
    ids
}

async fn last_position(client: &Client) -> Result<u64, StartError> {
    Ok(reads::last_position(client, ReadAllOptions::default())
        .await
        .starting("cannot read the old store")?
        .map_or(0, |position| position.commit))
}

/// Copies `from` to `to` (0600) if it exists.
fn copy_private(from: &Path, to: &Path) -> Result<(), StartError> {
    let contents = match std::fs::read(from) {
        Ok(contents) => contents,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(error) => {
            return Err(StartError::new(
                format!("cannot read {}", from.display()),
                error,
            ));
        }
    };
    labex_web::write_private_file(to, &contents).starting(&format!("cannot write {}", to.display()))
}
