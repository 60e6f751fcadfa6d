//! Employers (用人单位), keyed by their unified social credit code.

use serde::{Deserialize, Serialize};

use crate::aggregate::Aggregate;
use crate::error::{AggregateKind, DomainError};
use crate::event::Event;
use crate::ids::EmployerId;
use crate::value::{CreditCode, DivisionCode, Label, OrganisationName};

/// A registered employer, as folded from its events.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Employer {
    /// Its id.
    pub id: EmployerId,
    /// Registered name.
    pub name: OrganisationName,
    /// Unified social credit code.
    pub credit_code: CreditCode,
    /// Where it is (its division code).
    pub region: DivisionCode,
    /// Its industry.
    pub industry: Label,
}

/// Register an employer.
///
/// That no other employer has the same credit code is for the caller to
/// establish (a read model, or a stream keyed by the code): it is a fact
/// about other aggregates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegisterEmployer {
    /// The new employer's id.
    pub employer_id: EmployerId,
    /// Registered name.
    pub name: OrganisationName,
    /// Unified social credit code.
    pub credit_code: CreditCode,
    /// Where it is.
    pub region: DivisionCode,
    /// Its industry.
    pub industry: Label,
}

/// What may be asked of an employer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EmployerCommand {
    /// Register.
    Register(RegisterEmployer),
}

/// `EmployerRegistered` (schema 1): an employer was registered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EmployerRegistered {
    /// The employer.
    pub employer_id: EmployerId,
    /// Registered name.
    pub name: OrganisationName,
    /// Unified social credit code.
    pub credit_code: CreditCode,
    /// Where it is.
    pub region: DivisionCode,
    /// Its industry.
    pub industry: Label,
}

/// What happens to an employer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EmployerEvent {
    /// `EmployerRegistered`.
    Registered(EmployerRegistered),
}

impl From<EmployerEvent> for Event {
    fn from(event: EmployerEvent) -> Self {
        Event::Employer(event)
    }
}

impl TryFrom<Event> for EmployerEvent {
    type Error = Event;

    fn try_from(event: Event) -> Result<Self, Self::Error> {
        match event {
            Event::Employer(event) => Ok(event),
            other => Err(other),
        }
    }
}

impl Aggregate for Employer {
    const KIND: AggregateKind = AggregateKind::Employer;
    const STREAM_CATEGORY: &'static str = EmployerId::STREAM_CATEGORY;
    type Command = EmployerCommand;
    type Event = EmployerEvent;

    fn decide(
        state: Option<&Self>,
        command: EmployerCommand,
    ) -> Result<Vec<EmployerEvent>, DomainError> {
        match (state, command) {
            (Some(_), EmployerCommand::Register(_)) => Err(DomainError::AlreadyExists {
                aggregate: AggregateKind::Employer,
            }),
            (None, EmployerCommand::Register(register)) => {
                Ok(vec![EmployerEvent::Registered(EmployerRegistered {
                    employer_id: register.employer_id,
                    name: register.name,
                    credit_code: register.credit_code,
                    region: register.region,
                    industry: register.industry,
                })])
            }
        }
    }

    fn evolve(state: Option<Self>, event: &EmployerEvent) -> Option<Self> {
        match (state, event) {
            (None, EmployerEvent::Registered(registered)) => Some(Employer {
                id: registered.employer_id,
                name: registered.name.clone(),
                credit_code: registered.credit_code.clone(),
                region: registered.region.clone(),
                industry: registered.industry.clone(),
            }),
            (state, EmployerEvent::Registered(_)) => state,
        }
    }
}
