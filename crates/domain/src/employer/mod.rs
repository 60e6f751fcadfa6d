//! Employers (用人单位), keyed by their unified social credit code.

use serde::{Deserialize, Serialize};

use crate::aggregate::Aggregate;
use crate::ids::EmployerId;
use crate::refusal::{Coded, ErrorKind, Refusal};
use crate::value::{CreditCode, DivisionCode, Label, OrganisationName};

/// A registered employer, as folded from its events.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
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

crate::domain_events! {
    /// What happens to an employer.
    pub enum EmployerEvent in employer_id {
        /// `EmployerRegistered`.
        Registered(EmployerRegistered) = ("EmployerRegistered", 1),
    }
}

/// Why a command on an employer was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EmployerError {
    /// A registration under an id already registered.
    #[error("the employer already exists")]
    AlreadyExists,
}

impl Coded for EmployerError {
    fn code(&self) -> &'static str {
        match self {
            Self::AlreadyExists => "already_exists",
        }
    }
}

impl Refusal for EmployerError {
    fn kind(&self) -> ErrorKind {
        match self {
            Self::AlreadyExists => ErrorKind::Conflict,
        }
    }

    fn field(&self) -> Option<&'static str> {
        None
    }
}

impl Aggregate for Employer {
    type Id = EmployerId;
    type Command = EmployerCommand;
    type Event = EmployerEvent;
    type Error = EmployerError;

    fn decide(
        state: Option<&Self>,
        command: EmployerCommand,
    ) -> Result<Vec<EmployerEvent>, EmployerError> {
        match (state, command) {
            (Some(_), EmployerCommand::Register(_)) => Err(EmployerError::AlreadyExists),
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
