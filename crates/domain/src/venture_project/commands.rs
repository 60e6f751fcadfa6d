//! What may be asked of a project.

use chrono::{DateTime, Utc};

use super::{ProjectDetails, VentureProjectId};
use crate::value::DivisionCode;

/// What may be asked of a project.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VentureProjectCommand {
    /// List it in the library.
    List {
        /// The new project's id.
        project_id: VentureProjectId,
        /// The listing office.
        office: DivisionCode,
        /// What it is.
        details: ProjectDetails,
        /// Now.
        listed_at: DateTime<Utc>,
    },
    /// Withdraw it.
    Withdraw {
        /// Now.
        withdrawn_at: DateTime<Utc>,
    },
}
