//! Unique keys across aggregates: a unified social credit code names one
//! employer, a resident ID number one job seeker. The first aggregate to
//! claim a key owns it for good; the claim is a stream of its own
//! (`<category>-<key>`), written once, expecting no stream, so that two
//! concurrent registrations of the same key cannot both win.
//!
//! A claim of a person's key ([`Repository::claim_personal`]) does not
//! outlive the person's erasure: its owner is sealed with a key named after
//! the claim stream, which erasure destroys
//! ([`Repository::release_personal_claim`]). The claim then names nobody
//! (nothing links the number to the erased record any more) and reads as
//! released: the next registration of the number takes it over.

use kurrentdb::{
    AppendToStreamOptions, EventData, ReadStreamOptions, RecordedEvent, StreamPosition, StreamState,
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::{ReadError, RepositoryError};
use crate::keys::Keyring;
use crate::metadata::{EventContext, Metadata};
use crate::repository::Repository;
use crate::sealing::{PersonalSpot, holds_sealed, open, seal};

/// The event type of a claim.
pub const KEY_CLAIMED: &str = "KeyClaimed";

/// The schema version a claim's data is written with (its `schema`
/// metadata); its shape is kept in `tests/golden/KeyClaimed.v1.json`.
pub const KEY_CLAIMED_SCHEMA: u32 = 1;

#[derive(Serialize, Deserialize)]
struct KeyClaimed {
    owner: Uuid,
}

impl Repository {
    /// Claims the key of stream `claim_stream` (`employercode-<code>`) for
    /// the aggregate `owner`, and answers who owns it: `owner` when this
    /// claim won or repeats an earlier claim of the same owner, else the
    /// first claimant. A claim never expires; a claimant whose own append
    /// then failed still owns the key, and registering again under the
    /// owner's id completes it.
    pub async fn claim(
        &self,
        claim_stream: &str,
        owner: Uuid,
        context: &EventContext,
    ) -> Result<Uuid, RepositoryError> {
        let id = Uuid::new_v5(&owner, claim_stream.as_bytes());
        let event = EventData::json(KEY_CLAIMED, &KeyClaimed { owner })
            .expect("a claim serialises")
            .id(id)
            .metadata(Metadata::new(context, KEY_CLAIMED_SCHEMA).to_json().into());
        let options = AppendToStreamOptions::default().stream_state(StreamState::NoStream);
        match self
            .client()
            .append_to_stream(claim_stream, &options, event)
            .await
        {
            Ok(_) => Ok(owner),
            Err(kurrentdb::Error::WrongExpectedVersion { .. }) => self.owner(claim_stream).await,
            Err(error) => Err(RepositoryError::Store(error)),
        }
    }

    /// Claims the key of `claim_stream` for `owner`, like
    /// [`claim`](Self::claim), with the owner sealed under a key of the
    /// claim's own (made here, or beforehand with
    /// [`Keyring::ensure`]): the owner when this claim won, repeats one of
    /// the same owner, or took over a released claim; else the owner of
    /// the claim in force.
    pub async fn claim_personal(
        &self,
        claim_stream: &str,
        owner: Uuid,
        context: &EventContext,
    ) -> Result<Uuid, RepositoryError> {
        Keyring::process()
            .ensure(&[claim_stream.to_owned()])
            .await?;
        let mut expected = StreamState::NoStream;
        for _ in 0..=crate::repository::DEFAULT_CONFLICT_RETRIES {
            let seed = match expected {
                StreamState::StreamRevision(revision) => format!("{claim_stream}@{revision}"),
                _ => claim_stream.to_owned(),
            };
            let mut data = serde_json::json!({ "owner": owner });
            let spots = [PersonalSpot {
                pointer: "/owner".to_owned(),
                subject: claim_stream.to_owned(),
            }];
            seal(Keyring::process(), KEY_CLAIMED, &spots, &mut data)?;
            let event = EventData::json(KEY_CLAIMED, &data)
                .expect("a claim serialises")
                .id(Uuid::new_v5(&owner, seed.as_bytes()))
                .metadata(Metadata::new(context, KEY_CLAIMED_SCHEMA).to_json().into());
            let options = AppendToStreamOptions::default().stream_state(expected);
            match self
                .client()
                .append_to_stream(claim_stream, &options, event)
                .await
            {
                Ok(_) => return Ok(owner),
                Err(kurrentdb::Error::WrongExpectedVersion { .. }) => {}
                Err(error) => return Err(RepositoryError::Store(error)),
            }
            let options = ReadStreamOptions::default()
                .position(StreamPosition::End)
                .backwards()
                .max_count(1);
            let Some(latest) = self.one_event(claim_stream, &options).await? else {
                expected = StreamState::NoStream;
                continue;
            };
            match personal_owner(claim_stream, &latest)? {
                Some(current) => return Ok(current),
                None => expected = StreamState::StreamRevision(latest.revision),
            }
        }
        Err(RepositoryError::Conflict {
            stream: claim_stream.to_owned(),
            expected: None,
            actual: None,
        })
    }

    /// Who a claim made with [`claim_personal`](Self::claim_personal)
    /// names now, without claiming anything: `None` when the key was
    /// never claimed or its claim was released by an erasure. What a use
    /// case that must check many keys before writing any reads.
    pub async fn personal_claim_owner(
        &self,
        claim_stream: &str,
    ) -> Result<Option<Uuid>, RepositoryError> {
        let options = ReadStreamOptions::default()
            .position(StreamPosition::End)
            .backwards()
            .max_count(1);
        match self.one_event(claim_stream, &options).await? {
            Some(latest) => personal_owner(claim_stream, &latest),
            None => Ok(None),
        }
    }

    /// Releases a claim made with [`claim_personal`](Self::claim_personal)
    /// for good: its key is destroyed, so that it names nobody.
    pub async fn release_personal_claim(&self, claim_stream: &str) -> Result<(), RepositoryError> {
        Keyring::process()
            .destroy(&[claim_stream.to_owned()])
            .await
            .map_err(RepositoryError::from)
    }

    /// The owner recorded in an existing claim stream.
    async fn owner(&self, claim_stream: &str) -> Result<Uuid, RepositoryError> {
        let options = ReadStreamOptions::default()
            .position(StreamPosition::Start)
            .max_count(1);
        let recorded = self
            .one_event(claim_stream, &options)
            .await?
            .ok_or_else(|| RepositoryError::NotFound {
                stream: claim_stream.to_owned(),
            })?;
        decode::<KeyClaimed>(claim_stream, &recorded).map(|claim| claim.owner)
    }

    /// The one event `options` read from `stream`, if the stream has it.
    async fn one_event(
        &self,
        stream: &str,
        options: &ReadStreamOptions,
    ) -> Result<Option<RecordedEvent>, RepositoryError> {
        let read = match self.client().read_stream(stream, options).await {
            Ok(read) => read,
            Err(kurrentdb::Error::ResourceNotFound) => return Ok(None),
            Err(error) => return Err(error.into()),
        };
        // The original event: the link, if the stream holds a link.
        Ok(crate::reads::first_event(read)
            .await?
            .and_then(|resolved| resolved.link.or(resolved.event)))
    }
}

/// The owner a personal claim names; `None` once released (its key
/// destroyed). A claim written before claims were sealed names its owner
/// in the clear.
fn personal_owner(
    claim_stream: &str,
    recorded: &RecordedEvent,
) -> Result<Option<Uuid>, RepositoryError> {
    #[derive(Deserialize)]
    struct PersonalClaim {
        owner: labex_domain::Personal<Uuid>,
    }
    if !holds_sealed(&recorded.data) {
        return decode::<KeyClaimed>(claim_stream, recorded).map(|claim| Some(claim.owner));
    }
    let failed = |source| {
        RepositoryError::Read(ReadError::Claim {
            event_id: recorded.id,
            stream: claim_stream.to_owned(),
            source,
        })
    };
    let mut data: serde_json::Value = serde_json::from_slice(&recorded.data).map_err(failed)?;
    open(Keyring::process(), KEY_CLAIMED, &mut data)?;
    let claim: PersonalClaim = serde_json::from_value(data).map_err(failed)?;
    Ok(claim.owner.into_known())
}

/// The data of a claim or turn event.
fn decode<T: serde::de::DeserializeOwned>(
    stream: &str,
    recorded: &RecordedEvent,
) -> Result<T, RepositoryError> {
    serde_json::from_slice(&recorded.data).map_err(|error| {
        RepositoryError::Read(ReadError::Claim {
            event_id: recorded.id,
            stream: stream.to_owned(),
            source: error,
        })
    })
}

/// The event type of a turn.
pub const TURN_TAKEN: &str = "TurnTaken";

/// The schema version a turn's data is written with (its `schema`
/// metadata); its shape is kept in `tests/golden/TurnTaken.v1.json`.
pub const TURN_TAKEN_SCHEMA: u32 = 1;

#[derive(Serialize, Deserialize)]
struct TurnTaken {
    /// The aggregate whose turn it is; the nil UUID hands the turn back.
    holder: Uuid,
}

/// The latest turn taken in a turn stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Turn {
    /// Whose turn it is; `None` once handed back.
    pub holder: Option<Uuid>,
    /// When it was taken (see [`EventContext::at`]).
    pub at: chrono::DateTime<chrono::Utc>,
    /// The revision of the turn in its stream.
    pub revision: u64,
}

impl Repository {
    /// The latest turn of `turn_stream`, if one was ever taken.
    ///
    /// Turns serialise something that no single aggregate decides, across
    /// processes: whoever wants to act reads the latest turn, judges it,
    /// and takes the next with [`Repository::take_turn`], which fails if
    /// anyone took one in between.
    pub async fn latest_turn(&self, turn_stream: &str) -> Result<Option<Turn>, RepositoryError> {
        let options = ReadStreamOptions::default()
            .position(StreamPosition::End)
            .backwards()
            .max_count(1);
        let Some(recorded) = self.one_event(turn_stream, &options).await? else {
            return Ok(None);
        };
        let turn = decode::<TurnTaken>(turn_stream, &recorded)?;
        let at = Metadata::from_json(&recorded.custom_metadata)
            .map_or(recorded.created, |metadata| {
                metadata.at_or(recorded.created)
            });
        Ok(Some(Turn {
            holder: Some(turn.holder).filter(|holder| !holder.is_nil()),
            at,
            revision: recorded.revision,
        }))
    }

    /// Takes the turn of `turn_stream` for `holder` (the nil UUID hands it
    /// back), if the latest turn is still `after`: the turn taken (a retry
    /// of the same taking is taken once), or `None` when another turn came
    /// in between.
    pub async fn take_turn(
        &self,
        turn_stream: &str,
        holder: Uuid,
        after: Option<&Turn>,
        context: &EventContext,
    ) -> Result<Option<Turn>, RepositoryError> {
        let expected = after.map_or(StreamState::NoStream, |turn| {
            StreamState::StreamRevision(turn.revision)
        });
        let seed = format!(
            "{turn_stream}@{}",
            after.map_or(-1, |turn| turn.revision as i64)
        );
        let event = EventData::json(TURN_TAKEN, &TurnTaken { holder })
            .expect("a turn serialises")
            .id(Uuid::new_v5(&holder, seed.as_bytes()))
            .metadata(Metadata::new(context, TURN_TAKEN_SCHEMA).to_json().into());
        let options = AppendToStreamOptions::default().stream_state(expected);
        match self
            .client()
            .append_to_stream(turn_stream, &options, event)
            .await
        {
            Ok(_) => Ok(Some(Turn {
                holder: Some(holder).filter(|holder| !holder.is_nil()),
                at: context.at,
                revision: after.map_or(0, |turn| turn.revision + 1),
            })),
            Err(kurrentdb::Error::WrongExpectedVersion { .. }) => Ok(None),
            Err(error) => Err(RepositoryError::Store(error)),
        }
    }

    /// Hands back the turn taken as `taken`, so that the next taker need
    /// not judge it: the turn handed back, or `None` when another turn came
    /// in since.
    pub async fn hand_back_turn(
        &self,
        turn_stream: &str,
        taken: &Turn,
        context: &EventContext,
    ) -> Result<Option<Turn>, RepositoryError> {
        self.take_turn(turn_stream, Uuid::nil(), Some(taken), context)
            .await
    }
}
