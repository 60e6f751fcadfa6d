//! `Idempotency-Key`s turned into deterministic event ids, so that a
//! retried command appends nothing twice.
//!
//! The ids of the events one command appends to one stream are UUIDv5s: a
//! seed derived from a Labex namespace, the actor, the stream and the key,
//! then one id per event index under that seed. The same key from the same
//! actor on the same stream always gives the same ids; two users' keys, or
//! one key on two streams, never collide. The repository recognises a
//! retry by finding the first of these ids in the stream (and the store
//! itself drops a duplicate append racing it).

use uuid::Uuid;

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

/// A client's `Idempotency-Key`: 1 to 255 visible ASCII characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct IdempotencyKey(String);

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
        Ok(Self(key.to_owned()))
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
