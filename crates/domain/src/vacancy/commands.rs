//! What may be asked of a vacancy.

use chrono::{DateTime, NaiveDate, Utc};

use super::{CloseReason, VacancyChanges, VacancyDetails};
use crate::ids::{EmployerId, JobSeekerId, ReferralId, VacancyId};
use crate::value::Note;

/// Publish a vacancy. That the employer exists is for the caller to
/// establish.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublishVacancy {
    /// The new vacancy's id.
    pub vacancy_id: VacancyId,
    /// The hiring employer.
    pub employer_id: EmployerId,
    /// What it offers and asks.
    pub details: VacancyDetails,
    /// Now.
    pub published_at: DateTime<Utc>,
}

/// Edit an open vacancy (a PATCH).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpdateVacancy {
    /// What changes.
    pub changes: VacancyChanges,
    /// Now, for the closing-time rule.
    pub updated_at: DateTime<Utc>,
}

/// Withdraw or close a vacancy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CloseVacancy {
    /// Why.
    pub reason: CloseReason,
    /// A note.
    pub note: Option<Note>,
}

/// Count a hire through a referral: the placement process manager's
/// command. Idempotent: a referral already counted produces no events.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordVacancyPlacement {
    /// The referral that was hired.
    pub referral_id: ReferralId,
    /// Who was hired.
    pub jobseeker_id: JobSeekerId,
    /// The outcome's date.
    pub hired_on: NaiveDate,
}

/// What may be asked of a vacancy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VacancyCommand {
    /// Publish.
    Publish(PublishVacancy),
    /// Edit.
    Update(UpdateVacancy),
    /// Withdraw or close.
    Close(CloseVacancy),
    /// Count a hire.
    RecordPlacement(RecordVacancyPlacement),
}
