//! Referrals (职业介绍): a counsellor sends a job seeker to a vacancy; the
//! referral ends once, with an outcome.

use std::fmt;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::aggregate::Aggregate;
use crate::calendar::china_date;
use crate::ids::{EmployerId, FairId, JobSeekerId, ReferralId, VacancyId};
use crate::personal::Personal;
use crate::vacancy::VacancyStatus;
use crate::value::Note;

mod commands;
mod error;
mod events;
pub mod placement;

pub use commands::{MakeReferral, OpenReferral, RecordReferralOutcome, ReferralCommand};
pub use error::ReferralError;
pub use events::{ReferralEvent, ReferralMade, ReferralOutcomeRecorded};

/// How a referral ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReferralOutcome {
    /// The employer hired the job seeker.
    Hired,
    /// The employer turned the job seeker down.
    Rejected,
    /// The job seeker did not turn up.
    NoShow,
    /// The job seeker or the counsellor withdrew the referral.
    Withdrawn,
}

impl ReferralOutcome {
    /// Every outcome.
    pub const ALL: [Self; 4] = [Self::Hired, Self::Rejected, Self::NoShow, Self::Withdrawn];

    /// The snake_case name used in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Hired => "hired",
            Self::Rejected => "rejected",
            Self::NoShow => "no_show",
            Self::Withdrawn => "withdrawn",
        }
    }
}

impl fmt::Display for ReferralOutcome {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(self.as_str())
    }
}

/// The outcome a referral ended with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConcludedReferral {
    /// How it ended.
    pub outcome: ReferralOutcome,
    /// The day.
    pub date: NaiveDate,
    /// A note (erased with the job seeker's personal data).
    pub note: Option<Personal<Note>>,
}

/// A referral, as folded from its events.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Referral {
    /// Its id.
    pub id: ReferralId,
    /// Who was referred.
    pub jobseeker_id: JobSeekerId,
    /// To which vacancy.
    pub vacancy_id: VacancyId,
    /// Whose vacancy it is.
    pub employer_id: EmployerId,
    /// The counsellor's note (erased with the job seeker's personal
    /// data).
    pub note: Option<Personal<Note>>,
    /// When.
    pub referred_at: DateTime<Utc>,
    /// How it ended, once it has.
    pub conclusion: Option<ConcludedReferral>,
    /// The job fair it came from, if any.
    #[serde(default)]
    pub fair_id: Option<FairId>,
}

impl Referral {
    /// Whether it still awaits an outcome.
    pub fn is_open(&self) -> bool {
        self.conclusion.is_none()
    }
}

impl Aggregate for Referral {
    type Id = ReferralId;
    type Command = ReferralCommand;
    type Event = ReferralEvent;
    type Error = ReferralError;

    fn decide(
        state: Option<&Self>,
        command: ReferralCommand,
    ) -> Result<Vec<ReferralEvent>, ReferralError> {
        match (state, command) {
            (None, ReferralCommand::Make(make)) => make_referral(make),
            (Some(_), ReferralCommand::Make(_)) => Err(ReferralError::AlreadyExists),
            (None, ReferralCommand::RecordOutcome(_)) => Err(ReferralError::NotFound),
            (Some(referral), ReferralCommand::RecordOutcome(outcome)) => {
                record_outcome(referral, outcome)
            }
        }
    }

    fn evolve(state: Option<Self>, event: &ReferralEvent) -> Option<Self> {
        match (state, event) {
            (None, ReferralEvent::Made(made)) => Some(Referral {
                id: made.referral_id,
                jobseeker_id: made.jobseeker_id,
                vacancy_id: made.vacancy_id,
                employer_id: made.employer_id,
                note: made.note.clone(),
                referred_at: made.referred_at,
                conclusion: None,
                fair_id: made.fair_id,
            }),
            (Some(mut referral), ReferralEvent::OutcomeRecorded(recorded)) => {
                referral.conclusion = Some(ConcludedReferral {
                    outcome: recorded.outcome,
                    date: recorded.date,
                    note: recorded.note.clone(),
                });
                Some(referral)
            }
            (state, _) => state,
        }
    }
}

fn make_referral(make: MakeReferral) -> Result<Vec<ReferralEvent>, ReferralError> {
    let vacancy = &make.vacancy;
    if vacancy.status != VacancyStatus::Open {
        return Err(ReferralError::VacancyNotOpen {
            status: vacancy.status,
        });
    }
    if let Some(closes_at) = vacancy.closes_at
        && closes_at <= make.referred_at
    {
        return Err(ReferralError::VacancyPastClosingTime { closes_at });
    }
    if let Some(existing) = make
        .open_referrals
        .iter()
        .find(|open| open.vacancy_id == make.vacancy_id)
    {
        return Err(ReferralError::DuplicateOpenReferral {
            existing: existing.referral_id,
        });
    }
    let hard_to_employ = make
        .jobseeker
        .categories
        .iter()
        .any(|category| category.is_hard_to_employ());
    if vacancy.public_welfare && !hard_to_employ {
        return Err(ReferralError::NotEligibleForPublicWelfarePost);
    }
    Ok(vec![ReferralEvent::Made(ReferralMade {
        referral_id: make.referral_id,
        jobseeker_id: make.jobseeker_id,
        vacancy_id: make.vacancy_id,
        employer_id: vacancy.employer_id,
        note: make.note.map(Personal::Known),
        referred_at: make.referred_at,
        fair_id: make.fair_id,
    })])
}

fn record_outcome(
    referral: &Referral,
    outcome: RecordReferralOutcome,
) -> Result<Vec<ReferralEvent>, ReferralError> {
    if let Some(conclusion) = &referral.conclusion {
        return Err(ReferralError::AlreadyConcluded {
            outcome: conclusion.outcome,
        });
    }
    if outcome.date < china_date(referral.referred_at) {
        return Err(ReferralError::OutcomeBeforeReferral);
    }
    Ok(vec![ReferralEvent::OutcomeRecorded(
        ReferralOutcomeRecorded {
            referral_id: referral.id,
            jobseeker_id: referral.jobseeker_id,
            vacancy_id: referral.vacancy_id,
            employer_id: referral.employer_id,
            outcome: outcome.outcome,
            date: outcome.date,
            note: outcome.note.map(Personal::Known),
        },
    )])
}
