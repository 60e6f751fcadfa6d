//! What a vacancy's stream records.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::{CloseReason, VacancyChanges, VacancyDetails};
use crate::ids::{EmployerId, JobSeekerId, ReferralId, VacancyId};
use crate::value::Note;

/// `VacancyPublished` (schema 1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VacancyPublished {
    /// The vacancy.
    pub vacancy_id: VacancyId,
    /// The hiring employer.
    pub employer_id: EmployerId,
    /// What it offers and asks.
    pub details: VacancyDetails,
    /// When.
    pub published_at: DateTime<Utc>,
}

/// `VacancyUpdated` (schema 1): only the fields that changed are present;
/// `open_headcount` is there when the headcount changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VacancyUpdated {
    /// The vacancy.
    pub vacancy_id: VacancyId,
    /// What changed.
    pub changes: VacancyChanges,
    /// Places not yet taken after the change of headcount.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub open_headcount: Option<u32>,
}

/// `VacancyClosed` (schema 1): withdrawn or closed before it was filled.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VacancyClosed {
    /// The vacancy.
    pub vacancy_id: VacancyId,
    /// Why.
    pub reason: CloseReason,
    /// A note.
    pub note: Option<Note>,
}

/// `VacancyPlacementRecorded` (schema 1): a referral to it ended in a hire.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VacancyPlacementRecorded {
    /// The vacancy.
    pub vacancy_id: VacancyId,
    /// The referral hired.
    pub referral_id: ReferralId,
    /// Who was hired.
    pub jobseeker_id: JobSeekerId,
    /// The outcome's date.
    pub hired_on: NaiveDate,
    /// Places not yet taken after this hire.
    pub open_headcount: u32,
}

/// `VacancyFilled` (schema 1): every place is taken.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VacancyFilled {
    /// The vacancy.
    pub vacancy_id: VacancyId,
}

crate::domain_events! {
    /// What happens to a vacancy.
    pub enum VacancyEvent in vacancy_id {
        /// `VacancyPublished`.
        Published(VacancyPublished) = ("VacancyPublished", 1),
        /// `VacancyUpdated`.
        Updated(VacancyUpdated) = ("VacancyUpdated", 1),
        /// `VacancyClosed`.
        Closed(VacancyClosed) = ("VacancyClosed", 1),
        /// `VacancyPlacementRecorded`.
        PlacementRecorded(VacancyPlacementRecorded) = ("VacancyPlacementRecorded", 1),
        /// `VacancyFilled`.
        Filled(VacancyFilled) = ("VacancyFilled", 1),
    }
}
