//! What use cases answer: an aggregate with the revision it stands at
//! ([`Saved`]), and a page of a list ([`Listed`]) read by a
//! [`ListPage`].

use labex_domain::Aggregate;
use labex_eventsourcing::{Executed, Loaded, Position};

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
}
