//! Unique keys across aggregates: a unified social credit code names one
//! employer, a resident ID number one job seeker. The first aggregate to
//! claim a key owns it for good; the claim is a stream of its own
//! (`<category>-<key>`), written once, expecting no stream, so that two
//! concurrent registrations of the same key cannot both win.

use kurrentdb::{AppendToStreamOptions, EventData, ReadStreamOptions, StreamPosition, StreamState};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::{ReadError, RepositoryError};
use crate::metadata::{EventContext, Metadata};
use crate::repository::Repository;

/// The event type of a claim.
pub const KEY_CLAIMED: &str = "KeyClaimed";

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
            .metadata(Metadata::new(context, 1).to_json().into());
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

    /// The owner recorded in an existing claim stream.
    async fn owner(&self, claim_stream: &str) -> Result<Uuid, RepositoryError> {
        let options = ReadStreamOptions::default()
            .position(StreamPosition::Start)
            .max_count(1);
        let mut read = self.client().read_stream(claim_stream, &options).await?;
        let resolved = read
            .next()
            .await?
            .ok_or_else(|| RepositoryError::NotFound {
                stream: claim_stream.to_owned(),
            })?;
        let recorded = resolved.get_original_event();
        serde_json::from_slice::<KeyClaimed>(&recorded.data)
            .map(|claim| claim.owner)
            .map_err(|error| {
                RepositoryError::Read(ReadError::Claim {
                    event_id: recorded.id,
                    stream: claim_stream.to_owned(),
                    source: error,
                })
            })
    }
}
