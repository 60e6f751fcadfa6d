//! What use cases answer: an aggregate with the revision it stands at
//! ([`Saved`]), and a page of a list ([`Listed`]) read by a
//! [`ListPage`], newest first by a [`ListKey`].

use std::fmt;

use chrono::{DateTime, Utc};
use labex_domain::Aggregate;
use labex_eventsourcing::{Executed, Loaded, Position, Repository};

use crate::error::Error;

/// An aggregate as it stands after a use case (or as read): its state,
/// its revision (the `ETag`), and the `$all` position of its last write
/// when the use case wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Saved<A> {
    /// The state.
    pub state: A,
    /// The stream revision of its last event.
    pub revision: u64,
    /// Where its last event stands in `$all`, when this use case wrote it
    /// (or answered a retry from it).
    pub position: Option<Position>,
}

impl<A: Aggregate> Saved<A> {
    /// What a command executed on an aggregate left: a command always
    /// leaves an aggregate (creating ones create it, the others refuse
    /// an aggregate that does not exist).
    pub fn executed(executed: Executed<A>) -> Result<Self, Error> {
        match (executed.state, executed.revision) {
            (Some(state), Some(revision)) => Ok(Self {
                state,
                revision,
                position: executed.position,
            }),
            _ => Err(Error::internal(format!(
                "a command left no {}",
                <A::Id as labex_domain::AggregateId>::NAME
            ))),
        }
    }

    /// An aggregate as loaded, or `missing` when it has no events (by the
    /// moment asked).
    pub fn loaded(loaded: Loaded<A>, missing: impl FnOnce() -> Error) -> Result<Self, Error> {
        match (loaded.state, loaded.revision) {
            (Some(state), Some(revision)) => Ok(Self {
                state,
                revision,
                position: None,
            }),
            _ => Err(missing()),
        }
    }

    /// The aggregate `id` as it stands, or as it stood at `as_of` (a
    /// `GET` with `?as_of=`), or `missing` when it had no events (by then).
    pub async fn read(
        repository: &Repository,
        id: A::Id,
        as_of: Option<DateTime<Utc>>,
        missing: impl FnOnce() -> Error,
    ) -> Result<Self, Error> {
        let loaded = match as_of {
            None => repository.load::<A>(id).await?,
            Some(moment) => repository.load_as_of::<A>(id, moment).await?,
        };
        Self::loaded(loaded, missing)
    }
}

/// Which page of a list: at most `limit` items after the key `after` (the
/// last key of the previous page; `None` for the first).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListPage {
    /// How many items at most.
    pub limit: u32,
    /// The key of the last item of the previous page.
    pub after: Option<String>,
}

impl ListPage {
    /// The key to continue after, for a list ordered newest first by
    /// [`ListKey`]; a key this service did not issue is
    /// [`Error::BadCursor`].
    pub fn after_key(&self) -> Result<Option<ListKey>, Error> {
        self.after
            .as_deref()
            .map(|text| ListKey::parse(text).ok_or(Error::BadCursor))
            .transpose()
    }
}

/// Where a list ordered newest first continues: after the record of the
/// moment `at` (RFC 3339 as [`labex_domain::rfc3339_millis`] writes it,
/// so that keys sort as their moments do) with the id `id` (a UUID).
/// Records are ordered by the moment their first event recorded, ties by
/// id: ids derived from an `Idempotency-Key` are hashes, not time-ordered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListKey {
    /// The record's moment.
    pub at: String,
    /// The record's id.
    pub id: String,
}

impl ListKey {
    /// The key of the record of moment `at` and id `id`.
    pub fn new(at: impl Into<String>, id: impl Into<String>) -> Self {
        Self {
            at: at.into(),
            id: id.into(),
        }
    }

    /// A key written by [`Display`](fmt::Display), or `None`.
    pub fn parse(text: &str) -> Option<Self> {
        let (at, id) = text.split_once(' ')?;
        chrono::DateTime::parse_from_rfc3339(at).ok()?;
        uuid::Uuid::try_parse(id).ok()?;
        Some(Self::new(at, id))
    }
}

impl fmt::Display for ListKey {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "{} {}", self.at, self.id)
    }
}

/// A page of a list and the key to continue after, when more follow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listed<T> {
    /// The items.
    pub items: Vec<T>,
    /// The key of the last item, when more follow.
    pub next: Option<String>,
}

impl<T> Listed<T> {
    /// A page from up to `limit + 1` items read (the one past the page
    /// tells that more follow), with `key` giving an item's paging key.
    pub fn from_overfetch(mut items: Vec<T>, limit: u32, key: impl Fn(&T) -> String) -> Self {
        let more = items.len() > limit as usize;
        items.truncate(limit as usize);
        let next = more.then(|| items.last().map(&key)).flatten();
        Self { items, next }
    }

    /// The same page with each item changed by `change`.
    pub fn map<U>(self, change: impl FnMut(T) -> U) -> Listed<U> {
        Listed {
            items: self.items.into_iter().map(change).collect(),
            next: self.next,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_keys_round_trip_and_refuse_what_was_not_issued() {
        let key = ListKey::new(
            "2026-12-07T03:00:00.123Z",
            "0190f5a8-3c1e-7d2a-9b4f-0123456789ab",
        );
        assert_eq!(ListKey::parse(&key.to_string()), Some(key.clone()));
        assert_eq!(ListKey::parse("0190f5a8-3c1e-7d2a-9b4f-0123456789ab"), None);
        assert_eq!(
            ListKey::parse("yesterday 0190f5a8-3c1e-7d2a-9b4f-0123456789ab"),
            None
        );
        assert_eq!(ListKey::parse("2026-12-07T03:00:00.123Z acme"), None);
        let page = |after: Option<String>| ListPage { limit: 2, after };
        assert_eq!(page(Some(key.to_string())).after_key().unwrap(), Some(key));
        assert_eq!(page(None).after_key().unwrap(), None);
        assert!(matches!(
            page(Some("garbage".to_owned())).after_key(),
            Err(Error::BadCursor)
        ));
    }
}
