//! `Idempotency-Key`s turned into deterministic event ids, so that a
//! retried command appends nothing twice.
//!
//! A key from a client is bound to its request ([`IdempotencyKey::bound_to`]
//! a keyed digest of method, path and body): the repository remembers it,
//! with the digest, in a stream of its own (`idempotency-<uuid>`, written
//! once, expecting no stream) before anything else is written, claimed or
//! taken; the same key with another request is then refused
//! ([`RepositoryError::IdempotencyKeyReused`]) and changes nothing.
//!
//! The ids of the events one command appends to one stream are UUIDv5s: a
//! seed derived from a Labex namespace, the actor, the stream and the key,
//! then one id per event index under that seed. The same key from the same
//! actor on the same stream always gives the same ids; two users' keys, or
//! one key on two streams, never collide. The repository recognises a
//! retry by finding the first of these ids in the stream (and the store
//! itself drops a duplicate append racing it).

use kurrentdb::{AppendToStreamOptions, EventData, ReadStreamOptions, StreamPosition, StreamState};
use ring::hmac;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::{ReadError, RepositoryError};
use crate::keys::Keyring;
use crate::metadata::{EventContext, Metadata};
use crate::repository::Repository;

/// The event type that remembers a key with its request.
pub const IDEMPOTENCY_KEY_USED: &str = "IdempotencyKeyUsed";

/// The schema version of its data; its shape is kept in
/// `tests/golden/IdempotencyKeyUsed.v1.json`.
pub const IDEMPOTENCY_KEY_USED_SCHEMA: u32 = 1;

/// The category of the streams that remember keys.
pub const IDEMPOTENCY_CATEGORY: &str = "idempotency";

#[derive(Serialize, Deserialize)]
struct IdempotencyKeyUsed {
    /// The keyed digest of the request (hex).
    request: String,
}

/// The keyed digest (HMAC-SHA-256 under a key derived from the master
/// key, hex) of a request's method, path and body: a request's
/// fingerprint that gives away nothing of a body holding personal data.
pub fn request_digest(method: &str, path: &str, body: &[u8]) -> String {
    let key = Keyring::process().derived_hmac_key("labex idempotency request digest");
    let mut context = hmac::Context::with_key(&key);
    for part in [method.as_bytes(), path.as_bytes(), body] {
        context.update(&(part.len() as u64).to_be_bytes());
        context.update(part);
    }
    context
        .sign()
        .as_ref()
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// The longest key accepted.
pub const MAX_IDEMPOTENCY_KEY_LENGTH: usize = 255;

/// The namespace of every id derived here (a UUIDv5 of the project's name
/// under the URL namespace, fixed forever).
fn labex_namespace() -> Uuid {
    Uuid::new_v5(&Uuid::NAMESPACE_URL, b"urn:labex:idempotency")
}

/// Why a text is not an idempotency key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdempotencyKeyError {
    /// Empty, or only white space.
    #[error("the idempotency key is empty")]
    Empty,
    /// Longer than [`MAX_IDEMPOTENCY_KEY_LENGTH`].
    #[error("the idempotency key is longer than {MAX_IDEMPOTENCY_KEY_LENGTH} characters")]
    TooLong,
    /// Holds a character that is not visible ASCII.
    #[error("the idempotency key holds characters other than visible ascii")]
    NotVisibleAscii,
}

/// A client's `Idempotency-Key`: 1 to 255 visible ASCII characters, bound
/// to the request it came with, or (for keys a process makes itself) to
/// none.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct IdempotencyKey(String, Option<String>);

impl IdempotencyKey {
    /// Parses a header value (surrounding white space is dropped).
    pub fn parse(input: &str) -> Result<Self, IdempotencyKeyError> {
        let key = input.trim();
        if key.is_empty() {
            return Err(IdempotencyKeyError::Empty);
        }
        if key.len() > MAX_IDEMPOTENCY_KEY_LENGTH {
            return Err(IdempotencyKeyError::TooLong);
        }
        if !key.bytes().all(|byte| byte.is_ascii_graphic()) {
            return Err(IdempotencyKeyError::NotVisibleAscii);
        }
        Ok(Self(key.to_owned(), None))
    }

    /// The key bound to the request whose [`request_digest`] is `digest`.
    pub fn bound_to(self, digest: String) -> Self {
        Self(self.0, Some(digest))
    }

    /// The digest of the request the key is bound to.
    pub fn request(&self) -> Option<&str> {
        self.1.as_deref()
    }

    /// The stream that remembers this key from `actor`.
    pub fn record_stream(&self, actor: &str) -> String {
        let id = EventIds::derive(&["request", actor, &self.0]).seed;
        format!("{IDEMPOTENCY_CATEGORY}-{id}")
    }

    /// The key as given.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The event ids of this key from `actor` on `stream`.
    pub fn event_ids(&self, actor: &str, stream: &str) -> EventIds {
        EventIds::derive(&["events", actor, stream, &self.0])
    }

    /// A deterministic id for the aggregate a creating command makes
    /// (`POST /v1/jobseekers`), so that its retry addresses the same stream:
    /// the key from `actor` for aggregates of `category`. It is a UUIDv5,
    /// not time-ordered as generated ids are.
    pub fn aggregate_uuid(&self, actor: &str, category: &str) -> Uuid {
        EventIds::derive(&["aggregate", actor, category, &self.0]).seed
    }
}

impl std::fmt::Display for IdempotencyKey {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str(&self.0)
    }
}

/// The deterministic ids of the events one command appends to one stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EventIds {
    seed: Uuid,
}

impl EventIds {
    /// Ids derived from `parts`, each length-prefixed so that no two lists
    /// of parts give the same name.
    pub fn derive(parts: &[&str]) -> Self {
        let mut name = Vec::new();
        for part in parts {
            name.extend_from_slice(&(part.len() as u64).to_be_bytes());
            name.extend_from_slice(part.as_bytes());
        }
        Self {
            seed: Uuid::new_v5(&labex_namespace(), &name),
        }
    }

    /// The id of the event at `index` (0 for the first) of the command.
    pub fn id(&self, index: usize) -> Uuid {
        Uuid::new_v5(&self.seed, &(index as u64).to_be_bytes())
    }
}

impl Repository {
    /// Remembers a key bound to its request, or recognises it: `Ok` for
    /// the first use and for the same request again (a retry, which then
    /// answers as the first attempt did), and
    /// [`IdempotencyKeyReused`](RepositoryError::IdempotencyKeyReused) for
    /// another request, before anything is written. A key bound to no
    /// request passes.
    pub async fn remember_request(
        &self,
        key: &IdempotencyKey,
        context: &EventContext,
    ) -> Result<(), RepositoryError> {
        let Some(digest) = key.request() else {
            return Ok(());
        };
        let stream = key.record_stream(&context.actor);
        let event = EventData::json(
            IDEMPOTENCY_KEY_USED,
            &IdempotencyKeyUsed {
                request: digest.to_owned(),
            },
        )
        .expect("a key's record serialises")
        .id(Uuid::new_v5(
            &Uuid::NAMESPACE_OID,
            format!("{stream}/{digest}").as_bytes(),
        ))
        .metadata(
            Metadata::new(context, IDEMPOTENCY_KEY_USED_SCHEMA)
                .to_json()
                .into(),
        );
        let options = AppendToStreamOptions::default().stream_state(StreamState::NoStream);
        match self
            .client()
            .append_to_stream(stream.as_str(), &options, event)
            .await
        {
            Ok(_) => Ok(()),
            Err(kurrentdb::Error::WrongExpectedVersion { .. }) => {
                let first = self.first_request(&stream).await?;
                if first.as_deref() == Some(digest) {
                    Ok(())
                } else {
                    Err(RepositoryError::IdempotencyKeyReused {
                        key: key.as_str().to_owned(),
                    })
                }
            }
            Err(error) => Err(RepositoryError::Store(error)),
        }
    }

    /// The digest of the request a key was first used for.
    async fn first_request(&self, stream: &str) -> Result<Option<String>, RepositoryError> {
        let options = ReadStreamOptions::default()
            .position(StreamPosition::Start)
            .max_count(1);
        let read = match self.client().read_stream(stream, &options).await {
            Ok(read) => read,
            Err(kurrentdb::Error::ResourceNotFound) => return Ok(None),
            Err(error) => return Err(error.into()),
        };
        let Some(resolved) = crate::reads::first_event(read).await? else {
            return Ok(None);
        };
        let recorded = resolved.get_original_event();
        let used: IdempotencyKeyUsed =
            serde_json::from_slice(&recorded.data).map_err(|source| ReadError::Claim {
                event_id: recorded.id,
                stream: stream.to_owned(),
                source,
            })?;
        Ok(Some(used.request))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(text: &str) -> IdempotencyKey {
        IdempotencyKey::parse(text).unwrap()
    }

    #[test]
    fn the_same_key_actor_and_stream_give_the_same_ids() {
        let first = key("req-1").event_ids("alice", "jobseeker-1");
        let again = key(" req-1 ").event_ids("alice", "jobseeker-1");
        assert_eq!(first.id(0), again.id(0));
        assert_eq!(first.id(1), again.id(1));
        assert_ne!(first.id(0), first.id(1));
        assert_eq!(first.id(0).get_version_num(), 5);
    }

    #[test]
    fn keys_of_different_actors_or_streams_do_not_collide() {
        let alice = key("req-1").event_ids("alice", "jobseeker-1");
        let bob = key("req-1").event_ids("bob", "jobseeker-1");
        let other_stream = key("req-1").event_ids("alice", "jobseeker-2");
        assert_ne!(alice.id(0), bob.id(0));
        assert_ne!(alice.id(0), other_stream.id(0));
        // Length prefixes keep shifted boundaries apart.
        assert_ne!(
            EventIds::derive(&["ab", "c"]).id(0),
            EventIds::derive(&["a", "bc"]).id(0)
        );
    }

    #[test]
    fn aggregate_ids_are_stable_per_key_actor_and_category() {
        let first = key("k").aggregate_uuid("alice", "jobseeker");
        assert_eq!(first, key("k").aggregate_uuid("alice", "jobseeker"));
        assert_ne!(first, key("k").aggregate_uuid("alice", "vacancy"));
        assert_ne!(first, key("k").aggregate_uuid("bob", "jobseeker"));
    }

    #[test]
    fn empty_long_and_invisible_keys_are_refused() {
        assert_eq!(IdempotencyKey::parse("  "), Err(IdempotencyKeyError::Empty));
        assert_eq!(
            IdempotencyKey::parse(&"x".repeat(256)),
            Err(IdempotencyKeyError::TooLong)
        );
        assert_eq!(
            IdempotencyKey::parse("a b"),
            Err(IdempotencyKeyError::NotVisibleAscii)
        );
        assert_eq!(
            IdempotencyKey::parse("键"),
            Err(IdempotencyKeyError::NotVisibleAscii)
        );
        assert!(IdempotencyKey::parse(&"x".repeat(255)).is_ok());
    }
}
