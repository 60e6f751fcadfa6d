//! What happens to a project: one struct per event, and the family.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{ProjectDetails, VentureProjectId};
use crate::value::DivisionCode;

/// `VentureProjectListed` (schema 1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VentureProjectListed {
    /// The project.
    pub project_id: VentureProjectId,
    /// The listing office.
    pub office: DivisionCode,
    /// What it is.
    pub details: ProjectDetails,
    /// When.
    pub listed_at: DateTime<Utc>,
}

/// `VentureProjectWithdrawn` (schema 1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VentureProjectWithdrawn {
    /// The project.
    pub project_id: VentureProjectId,
    /// When.
    pub withdrawn_at: DateTime<Utc>,
}

crate::domain_events! {
    /// What happens to a project of the library.
    pub enum VentureProjectEvent in project_id {
        /// `VentureProjectListed`.
        Listed(VentureProjectListed) = ("VentureProjectListed", 1),
        /// `VentureProjectWithdrawn`.
        Withdrawn(VentureProjectWithdrawn) = ("VentureProjectWithdrawn", 1),
    }
}
