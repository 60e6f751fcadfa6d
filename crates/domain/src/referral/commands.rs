//! What may be asked of a referral.

use chrono::{DateTime, NaiveDate, Utc};

use super::ReferralOutcome;
use crate::ids::{FairId, JobSeekerId, ReferralId, VacancyId};
use crate::jobseeker::JobSeekerForReferral;
use crate::vacancy::VacancyForReferral;
use crate::value::Note;

/// A referral of the job seeker still awaiting an outcome, as a read model
/// knows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OpenReferral {
    /// The referral.
    pub referral_id: ReferralId,
    /// Its vacancy.
    pub vacancy_id: VacancyId,
}

/// Refer a job seeker to a vacancy. Being pure, the decision takes what it
/// needs of the other aggregates in the command: the vacancy's and the job
/// seeker's current facts, and the job seeker's open referrals.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MakeReferral {
    /// The new referral's id.
    pub referral_id: ReferralId,
    /// Who is referred.
    pub jobseeker_id: JobSeekerId,
    /// To which vacancy.
    pub vacancy_id: VacancyId,
    /// The counsellor's note.
    pub note: Option<Note>,
    /// Now.
    pub referred_at: DateTime<Utc>,
    /// The vacancy as it stands ([`Vacancy::for_referral`](crate::vacancy::Vacancy::for_referral)).
    pub vacancy: VacancyForReferral,
    /// The job seeker as they stand ([`JobSeeker::for_referral`](crate::jobseeker::JobSeeker::for_referral)).
    pub jobseeker: JobSeekerForReferral,
    /// The job seeker's referrals still open, to any vacancy.
    pub open_referrals: Vec<OpenReferral>,
    /// The job fair the referral came from, if any.
    pub fair_id: Option<FairId>,
}

/// Record how a referral ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordReferralOutcome {
    /// How it ended.
    pub outcome: ReferralOutcome,
    /// The day (for a hire, the first day of work).
    pub date: NaiveDate,
    /// A note.
    pub note: Option<Note>,
}

/// What may be asked of a referral.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReferralCommand {
    /// Refer.
    Make(MakeReferral),
    /// Record the outcome.
    RecordOutcome(RecordReferralOutcome),
}
