//! What a referral's stream records.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::ReferralOutcome;
use crate::ids::{EmployerId, JobSeekerId, ReferralId, VacancyId};
use crate::personal::Personal;
use crate::value::Note;

/// `ReferralMade` (schema 1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReferralMade {
    /// The referral.
    pub referral_id: ReferralId,
    /// Who was referred.
    pub jobseeker_id: JobSeekerId,
    /// To which vacancy.
    pub vacancy_id: VacancyId,
    /// Whose vacancy it is (so that employers see the referrals to them).
    pub employer_id: EmployerId,
    /// The counsellor's note about the job seeker: sealed with the job
    /// seeker's key.
    pub note: Option<Personal<Note>>,
    /// When.
    pub referred_at: DateTime<Utc>,
}

/// `ReferralOutcomeRecorded` (schema 1). Carries the job seeker, vacancy
/// and employer so that reactions (the placement process manager,
/// projections) need not load the referral.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReferralOutcomeRecorded {
    /// The referral.
    pub referral_id: ReferralId,
    /// Who was referred.
    pub jobseeker_id: JobSeekerId,
    /// To which vacancy.
    pub vacancy_id: VacancyId,
    /// Whose vacancy it is.
    pub employer_id: EmployerId,
    /// How it ended.
    pub outcome: ReferralOutcome,
    /// The day.
    pub date: NaiveDate,
    /// A note about how it went (about the job seeker): sealed with the
    /// job seeker's key.
    pub note: Option<Personal<Note>>,
}

crate::domain_events! {
    /// What happens to a referral.
    pub enum ReferralEvent in referral_id {
        /// `ReferralMade`.
        Made(ReferralMade) = ("ReferralMade", 1)
            personal ["note" of "jobseeker_id"],
        /// `ReferralOutcomeRecorded`.
        OutcomeRecorded(ReferralOutcomeRecorded) = ("ReferralOutcomeRecorded", 1)
            personal ["note" of "jobseeker_id"],
    }
}
