//! The entrepreneurship project library (创业项目库): projects an office
//! collects and promotes to people starting a business — what the
//! business is, its industry, the investment it needs (a range in yuan),
//! where, and the organisation to contact.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::aggregate::Aggregate;
use crate::value::{Description, DivisionCode, Label, OrganisationName, Title};

mod commands;
mod error;
mod events;

pub use commands::*;
pub use error::*;
pub use events::*;

crate::ids::aggregate_id!(
    /// Identifies a project of the library; stream `ventureproject-<uuid>`.
    VentureProjectId,
    "ventureproject",
    "entrepreneurship project"
);

/// What a project is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProjectDetails {
    /// Its title.
    pub title: Title,
    /// Its industry.
    pub industry: Label,
    /// The least investment it needs, in yuan.
    pub investment_min_yuan: u32,
    /// The most investment it needs, in yuan.
    pub investment_max_yuan: u32,
    /// Where.
    pub region: DivisionCode,
    /// What it is.
    pub description: Description,
    /// The organisation to contact.
    pub contact_organisation: OrganisationName,
}

/// A project of the library, as folded from its events.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VentureProject {
    /// Its id.
    pub id: VentureProjectId,
    /// The office that listed it.
    pub office: DivisionCode,
    /// What it is.
    pub details: ProjectDetails,
    /// When it was listed.
    pub listed_at: DateTime<Utc>,
    /// Whether it was withdrawn from the library.
    pub withdrawn: bool,
}

impl Aggregate for VentureProject {
    type Id = VentureProjectId;
    type Command = VentureProjectCommand;
    type Event = VentureProjectEvent;
    type Error = VentureProjectError;

    fn decide(
        state: Option<&Self>,
        command: VentureProjectCommand,
    ) -> Result<Vec<VentureProjectEvent>, VentureProjectError> {
        match (state, command) {
            (Some(_), VentureProjectCommand::List { .. }) => {
                Err(VentureProjectError::AlreadyExists)
            }
            (
                None,
                VentureProjectCommand::List {
                    project_id,
                    office,
                    details,
                    listed_at,
                },
            ) => {
                if details.investment_min_yuan > details.investment_max_yuan {
                    return Err(VentureProjectError::InvestmentRange);
                }
                Ok(vec![VentureProjectEvent::Listed(VentureProjectListed {
                    project_id,
                    office,
                    details,
                    listed_at,
                })])
            }
            (None, VentureProjectCommand::Withdraw { .. }) => Err(VentureProjectError::NotFound),
            (Some(project), VentureProjectCommand::Withdraw { withdrawn_at }) => {
                if project.withdrawn {
                    return Ok(Vec::new());
                }
                Ok(vec![VentureProjectEvent::Withdrawn(
                    VentureProjectWithdrawn {
                        project_id: project.id,
                        withdrawn_at,
                    },
                )])
            }
        }
    }

    fn evolve(state: Option<Self>, event: &VentureProjectEvent) -> Option<Self> {
        match (state, event) {
            (None, VentureProjectEvent::Listed(listed)) => Some(VentureProject {
                id: listed.project_id,
                office: listed.office.clone(),
                details: listed.details.clone(),
                listed_at: listed.listed_at,
                withdrawn: false,
            }),
            (Some(mut project), VentureProjectEvent::Withdrawn(_)) => {
                project.withdrawn = true;
                Some(project)
            }
            (state, _) => state,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::refusal::assert_codes_unique;

    #[test]
    fn codes_are_unique_snake_case() {
        assert_codes_unique(&[
            &VentureProjectError::NotFound,
            &VentureProjectError::AlreadyExists,
            &VentureProjectError::InvestmentRange,
        ]);
    }
}
