//! Given / when / then for aggregates.
//!
//! ```ignore
//! given::<Vacancy>([published()])
//!     .when(close(CloseReason::Withdrawn))
//!     .then([closed(CloseReason::Withdrawn)]);
//! ```
//!
//! Every event a `then` expects is also written with `encode` and read back
//! with `decode`, so each test checks the stored shape as well.

use std::fmt::Debug;

use labex_domain::{Aggregate, DomainEvent};

/// The history of an aggregate before the command.
pub struct Given<A: Aggregate> {
    history: Vec<A::Event>,
}

/// Starts a scenario from past events (none: the aggregate does not exist).
pub fn given<A: Aggregate>(history: impl IntoIterator<Item = A::Event>) -> Given<A> {
    Given {
        history: history.into_iter().collect(),
    }
}

impl<A: Aggregate> Given<A> {
    /// Decides the command on the state folded from the history.
    pub fn when(self, command: A::Command) -> When<A> {
        let state = A::fold(&self.history);
        let decision = A::decide(state.as_ref(), command);
        When { state, decision }
    }
}

/// The decision, to be checked.
pub struct When<A: Aggregate> {
    state: Option<A>,
    decision: Result<Vec<A::Event>, A::Error>,
}

impl<A> When<A>
where
    A: Aggregate + Debug,
    A::Event: PartialEq + Debug,
{
    /// Expects exactly these events; returns the state after them.
    #[track_caller]
    pub fn then(self, expected: impl IntoIterator<Item = A::Event>) -> A {
        let expected: Vec<A::Event> = expected.into_iter().collect();
        let events = match self.decision {
            Ok(events) => events,
            Err(error) => panic!("expected events {expected:#?}, got the error {error:?}"),
        };
        assert_eq!(events, expected, "the events decided");
        for event in &events {
            assert_round_trips::<A>(event);
        }
        events
            .iter()
            .fold(self.state, A::evolve)
            .expect("the aggregate exists after its events")
    }

    /// Expects the command to be accepted with no events (a repeat).
    #[track_caller]
    pub fn then_nothing(self) {
        match self.decision {
            Ok(events) => assert!(events.is_empty(), "expected no events, got {events:#?}"),
            Err(error) => panic!("expected no events, got the error {error:?}"),
        }
    }

    /// Expects this refusal.
    #[track_caller]
    pub fn then_error(self, expected: A::Error) {
        match self.decision {
            Ok(events) => panic!("expected the error {expected:?}, got events {events:#?}"),
            Err(error) => assert_eq!(error, expected, "the refusal"),
        }
    }
}

/// An event survives `encode` then `decode` unchanged.
#[track_caller]
fn assert_round_trips<A>(event: &A::Event)
where
    A: Aggregate,
    A::Event: PartialEq + Debug,
{
    let encoded = event.encode();
    let decoded = A::Event::decode(encoded.event_type, encoded.schema_version, &encoded.data)
        .unwrap_or_else(|error| panic!("{} does not decode: {error}", encoded.event_type));
    assert_eq!(&decoded, event, "the event after encode and decode");
}
