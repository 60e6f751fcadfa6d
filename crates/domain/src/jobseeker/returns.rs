//! A migrant worker's return home (返乡): from where, when, and what they
//! mean to do, recorded on the job seeker and counted by monitoring.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::ids::JobSeekerId;
use crate::refusal::Coded;
use crate::value::DivisionCode;

/// What a returning migrant worker means to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReturnIntention {
    /// Work near home.
    LocalWork,
    /// Start a business (返乡创业).
    StartBusiness,
    /// Leave again for work elsewhere.
    LeaveAgain,
    /// Not decided yet.
    Undecided,
}

impl ReturnIntention {
    /// Every intention.
    pub const ALL: [Self; 4] = [
        Self::LocalWork,
        Self::StartBusiness,
        Self::LeaveAgain,
        Self::Undecided,
    ];

    /// The snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::LocalWork => "local_work",
            Self::StartBusiness => "start_business",
            Self::LeaveAgain => "leave_again",
            Self::Undecided => "undecided",
        }
    }

    /// The intention of its snake_case name.
    pub fn parse(text: &str) -> Result<Self, ReturnIntentionError> {
        Self::ALL
            .into_iter()
            .find(|intention| intention.as_str() == text.trim())
            .ok_or(ReturnIntentionError)
    }
}

/// A text that names no return intention.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a return intention: local_work, start_business, leave_again or undecided")]
pub struct ReturnIntentionError;

impl Coded for ReturnIntentionError {
    fn code(&self) -> &'static str {
        "return_intention.unknown"
    }
}

/// Record a return home.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordReturn {
    /// Where they worked.
    pub from_region: DivisionCode,
    /// The day they came back.
    pub returned_on: NaiveDate,
    /// What they mean to do.
    pub intention: ReturnIntention,
}

/// `MigrantReturnRecorded` (schema 1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MigrantReturnRecorded {
    /// The job seeker.
    pub jobseeker_id: JobSeekerId,
    /// Where they worked.
    pub from_region: DivisionCode,
    /// The day they came back.
    pub returned_on: NaiveDate,
    /// What they mean to do.
    pub intention: ReturnIntention,
}
