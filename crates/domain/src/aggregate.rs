//! What every aggregate is: a pure `decide` and a pure `evolve`.

use crate::error::{AggregateKind, DomainError};
use crate::event::Event;

/// An aggregate: the state of one stream, folded from its events, and the
/// rules that decide which new events a command produces.
///
/// The state of an aggregate that has no events yet is `None`. Both
/// functions are pure: what a decision needs beyond the aggregate's own
/// state (the status of another aggregate, the time) comes in the command.
pub trait Aggregate: Sized + Clone {
    /// Which aggregate this is (for errors).
    const KIND: AggregateKind;
    /// Stream category: the aggregate's events live in `<category>-<uuid>`.
    const STREAM_CATEGORY: &'static str;
    /// What may be asked of it.
    type Command;
    /// What it records.
    type Event: Clone + Into<Event> + TryFrom<Event, Error = Event>;

    /// The events a command produces on this state, or why it is refused.
    /// An empty list means the command changes nothing (a repeat of one
    /// already applied).
    fn decide(
        state: Option<&Self>,
        command: Self::Command,
    ) -> Result<Vec<Self::Event>, DomainError>;

    /// The state after one more event. Total: an event that does not fit
    /// the state (which `decide` never produces) leaves it unchanged.
    fn evolve(state: Option<Self>, event: &Self::Event) -> Option<Self>;

    /// The state after all of `events`, from nothing.
    fn fold<'a>(events: impl IntoIterator<Item = &'a Self::Event>) -> Option<Self>
    where
        Self::Event: 'a,
    {
        events.into_iter().fold(None, Self::evolve)
    }
}
