//! What happens to a case: one struct per event, and the family.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::{CaseStage, VentureCaseId};
use crate::ids::JobSeekerId;
use crate::value::{CreditCode, DivisionCode, OrganisationName};

/// `VentureCaseOpened` (schema 1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VentureCaseOpened {
    /// The case.
    pub case_id: VentureCaseId,
    /// The person.
    pub jobseeker_id: JobSeekerId,
    /// The office.
    pub office: DivisionCode,
    /// The counsellor.
    pub counsellor: String,
    /// When.
    pub opened_at: DateTime<Utc>,
    /// The day of the consultation.
    pub on: NaiveDate,
}

/// `VentureCaseStageReached` (schema 1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VentureCaseStageReached {
    /// The case.
    pub case_id: VentureCaseId,
    /// The stage.
    pub stage: CaseStage,
    /// The day.
    pub on: NaiveDate,
    /// The counsellor.
    pub counsellor: String,
}

/// `VentureBusinessStarted` (schema 1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VentureBusinessStarted {
    /// The case.
    pub case_id: VentureCaseId,
    /// Its name.
    pub name: OrganisationName,
    /// Its credit code, when registered.
    pub credit_code: Option<CreditCode>,
    /// The day.
    pub started_on: NaiveDate,
    /// The last day of follow-up.
    pub follow_up_until: NaiveDate,
    /// The counsellor.
    pub counsellor: String,
}

/// `VentureFollowUpRecorded` (schema 1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VentureFollowUpRecorded {
    /// The case.
    pub case_id: VentureCaseId,
    /// The day.
    pub on: NaiveDate,
    /// Whether the business still operates.
    pub operating: bool,
    /// How many it employs.
    pub employees: u32,
    /// The counsellor.
    pub counsellor: String,
}

/// `VentureBusinessRegistered` (schema 1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VentureBusinessRegistered {
    /// The case.
    pub case_id: VentureCaseId,
    /// The business's unified social credit code.
    pub credit_code: CreditCode,
    /// The day.
    pub registered_on: NaiveDate,
    /// The counsellor.
    pub counsellor: String,
}

crate::domain_events! {
    /// What happens to a one-stop service case.
    pub enum VentureCaseEvent in case_id {
        /// `VentureCaseOpened`.
        Opened(VentureCaseOpened) = ("VentureCaseOpened", 1),
        /// `VentureCaseStageReached`.
        StageReached(VentureCaseStageReached) = ("VentureCaseStageReached", 1),
        /// `VentureBusinessStarted`.
        BusinessStarted(VentureBusinessStarted) = ("VentureBusinessStarted", 1),
        /// `VentureFollowUpRecorded`.
        FollowUpRecorded(VentureFollowUpRecorded) = ("VentureFollowUpRecorded", 1),
        /// `VentureBusinessRegistered`.
        BusinessRegistered(VentureBusinessRegistered) = ("VentureBusinessRegistered", 1),
    }
}
