//! What a referral's stream records.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::ReferralOutcome;
use crate::ids::{EmployerId, FairId, JobSeekerId, ReferralId, VacancyId};
use crate::personal::Personal;
use crate::value::Note;

/// `ReferralMade` (schema 2; schema 1 had no `fair_id`).
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
    /// The job fair (招聘会) the referral came from, if any.
    pub fair_id: Option<FairId>,
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
        Made(ReferralMade) = ("ReferralMade", 2)
            personal ["note" of "jobseeker_id"],
        /// `ReferralOutcomeRecorded`.
        OutcomeRecorded(ReferralOutcomeRecorded) = ("ReferralOutcomeRecorded", 1)
            personal ["note" of "jobseeker_id"],
    }
    upcasters = &[crate::event::Upcaster {
        event_type: "ReferralMade",
        from_version: 1,
        step: referral_made_v1_to_v2,
    }];
}

/// `ReferralMade` 1 → 2: schema 2 may name the fair the referral came
/// from; a referral of schema 1 came from none.
fn referral_made_v1_to_v2(mut v1: Map<String, Value>) -> Result<Map<String, Value>, String> {
    if v1.contains_key("fair_id") {
        return Err("fair_id is not a field of schema 1".to_owned());
    }
    v1.insert("fair_id".to_owned(), Value::Null);
    Ok(v1)
}
