//! What every aggregate is: a pure `decide` and a pure `evolve`.

use std::fmt;

use crate::event::DomainEvent;
use crate::refusal::Refusal;

/// The id of an aggregate: a UUID whose stream is `<category>-<uuid>`.
pub trait AggregateId:
    Copy + fmt::Debug + fmt::Display + PartialEq + Eq + std::hash::Hash + Send + Sync + 'static
{
    /// The stream category: streams are named `<category>-<uuid>`.
    const STREAM_CATEGORY: &'static str;
    /// What the aggregate is called in messages (`job seeker`).
    const NAME: &'static str;

    /// The stream that holds this aggregate's events.
    fn stream_name(&self) -> String;

    /// The UUID.
    fn as_uuid(&self) -> uuid::Uuid;

    /// The id of a UUID.
    fn from_uuid(uuid: uuid::Uuid) -> Self;

    /// Parses the hyphenated form, as in URLs.
    fn parse(input: &str) -> Result<Self, crate::IdError>;
}

/// An aggregate: the state of one stream, folded from its events, and the
/// rules that decide which new events a command produces.
///
/// The state of an aggregate that has no events yet is `None`. Both
/// functions are pure: what a decision needs beyond the aggregate's own
/// state (the status of another aggregate, the time) comes in the command.
pub trait Aggregate: Sized + Clone + Send + Sync + 'static {
    /// Its id.
    type Id: AggregateId;
    /// What may be asked of it.
    type Command;
    /// What it records.
    type Event: DomainEvent;
    /// Why it refuses a command.
    type Error: Refusal + Clone + PartialEq;

    /// Whether a process may keep the state it last folded between
    /// commands and queue its own writers to one stream (decision record
    /// 100): for aggregates whose streams grow long and are written by
    /// many at once (a fair). Only for states that hold no personal data,
    /// which a kept state would hold past an erasure.
    const KEEP_WARM: bool = false;

    /// The events a command produces on this state, or why it is refused.
    /// An empty list means the command changes nothing (a repeat of one
    /// already applied).
    fn decide(
        state: Option<&Self>,
        command: Self::Command,
    ) -> Result<Vec<Self::Event>, Self::Error>;

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
