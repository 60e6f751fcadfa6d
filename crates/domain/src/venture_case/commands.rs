//! What may be asked of a case.

use chrono::{DateTime, NaiveDate, Utc};

use super::{CaseStage, FollowUp, VentureCaseId};
use crate::ids::JobSeekerId;
use crate::value::{CreditCode, DivisionCode, OrganisationName};

/// What may be asked of a case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VentureCaseCommand {
    /// Open it (its first stage, consultation).
    Open {
        /// The new case's id.
        case_id: VentureCaseId,
        /// The person.
        jobseeker_id: JobSeekerId,
        /// The office serving them.
        office: DivisionCode,
        /// The counsellor.
        counsellor: String,
        /// Now.
        opened_at: DateTime<Utc>,
        /// The day of the consultation.
        on: NaiveDate,
    },
    /// Reach a later stage before the start (training … financing).
    Advance {
        /// The stage.
        stage: CaseStage,
        /// The day.
        on: NaiveDate,
        /// The counsellor.
        counsellor: String,
    },
    /// The business started.
    Start {
        /// Its name.
        name: OrganisationName,
        /// Its credit code, when registered.
        credit_code: Option<CreditCode>,
        /// The day.
        started_on: NaiveDate,
        /// The counsellor.
        counsellor: String,
        /// The rules' months of follow-up.
        follow_up_months: u32,
    },
    /// A follow-up.
    FollowUp {
        /// The follow-up.
        follow_up: FollowUp,
    },
    /// The started business registered (工商登记), with its credit code.
    Register {
        /// Its unified social credit code.
        credit_code: CreditCode,
        /// The day.
        registered_on: NaiveDate,
        /// The counsellor.
        counsellor: String,
    },
}
