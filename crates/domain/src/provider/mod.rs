//! Training providers (培训机构): organisations an employment office has
//! registered to give vocational and entrepreneurship training. A course is
//! given by one of them, and its outcomes count for it as well.

use serde::{Deserialize, Serialize};

use crate::aggregate::Aggregate;
use crate::refusal::{Coded, ErrorKind, Refusal};
use crate::value::{CreditCode, DivisionCode, OrganisationName};

crate::ids::aggregate_id!(
    /// Identifies a training provider; stream `provider-<uuid>`.
    ProviderId,
    "provider",
    "training provider"
);

/// A registered training provider, as folded from its events.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Provider {
    /// Its id.
    pub id: ProviderId,
    /// Registered name.
    pub name: OrganisationName,
    /// Unified social credit code.
    pub credit_code: CreditCode,
    /// The office that registered it (and whose scope its courses are in).
    pub office: DivisionCode,
}

/// Register a training provider. That no other provider has the same
/// credit code is the caller's to establish (a claim stream).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegisterProvider {
    /// The new provider's id.
    pub provider_id: ProviderId,
    /// Registered name.
    pub name: OrganisationName,
    /// Unified social credit code.
    pub credit_code: CreditCode,
    /// The registering office.
    pub office: DivisionCode,
}

/// What may be asked of a provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProviderCommand {
    /// Register.
    Register(RegisterProvider),
}

/// `ProviderRegistered` (schema 1): an office registered a training
/// provider.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProviderRegistered {
    /// The provider.
    pub provider_id: ProviderId,
    /// Registered name.
    pub name: OrganisationName,
    /// Unified social credit code.
    pub credit_code: CreditCode,
    /// The registering office.
    pub office: DivisionCode,
}

crate::domain_events! {
    /// What happens to a training provider.
    pub enum ProviderEvent in provider_id {
        /// `ProviderRegistered`.
        Registered(ProviderRegistered) = ("ProviderRegistered", 1),
    }
}

/// Why a command on a provider was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProviderError {
    /// A registration under an id already registered.
    #[error("the training provider already exists")]
    AlreadyExists,
}

impl Coded for ProviderError {
    fn code(&self) -> &'static str {
        match self {
            Self::AlreadyExists => "provider_already_exists",
        }
    }
}

impl Refusal for ProviderError {
    fn kind(&self) -> ErrorKind {
        ErrorKind::Conflict
    }

    fn field(&self) -> Option<&'static str> {
        None
    }
}

impl Aggregate for Provider {
    type Id = ProviderId;
    type Command = ProviderCommand;
    type Event = ProviderEvent;
    type Error = ProviderError;

    fn decide(
        state: Option<&Self>,
        command: ProviderCommand,
    ) -> Result<Vec<ProviderEvent>, ProviderError> {
        match (state, command) {
            (Some(_), ProviderCommand::Register(_)) => Err(ProviderError::AlreadyExists),
            (None, ProviderCommand::Register(register)) => {
                Ok(vec![ProviderEvent::Registered(ProviderRegistered {
                    provider_id: register.provider_id,
                    name: register.name,
                    credit_code: register.credit_code,
                    office: register.office,
                })])
            }
        }
    }

    fn evolve(state: Option<Self>, event: &ProviderEvent) -> Option<Self> {
        match (state, event) {
            (None, ProviderEvent::Registered(registered)) => Some(Provider {
                id: registered.provider_id,
                name: registered.name.clone(),
                credit_code: registered.credit_code.clone(),
                office: registered.office.clone(),
            }),
            (state, ProviderEvent::Registered(_)) => state,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::refusal::assert_codes_unique;

    #[test]
    fn codes_are_unique_snake_case() {
        assert_codes_unique(&[&ProviderError::AlreadyExists]);
    }
}
