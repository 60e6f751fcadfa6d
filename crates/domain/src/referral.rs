//! Referrals (职业介绍): a counsellor sends a job seeker to a vacancy; the
//! referral ends once, with an outcome.

use std::fmt;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::aggregate::Aggregate;
use crate::calendar::china_date;
use crate::error::{AggregateKind, DomainError};
use crate::event::Event;
use crate::ids::{EmployerId, JobSeekerId, ReferralId, VacancyId};
use crate::jobseeker::JobSeekerForReferral;
use crate::vacancy::{VacancyForReferral, VacancyStatus};
use crate::value::Note;

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
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConcludedReferral {
    /// How it ended.
    pub outcome: ReferralOutcome,
    /// The day.
    pub date: NaiveDate,
    /// A note.
    pub note: Option<Note>,
}

/// A referral, as folded from its events.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Referral {
    /// Its id.
    pub id: ReferralId,
    /// Who was referred.
    pub jobseeker_id: JobSeekerId,
    /// To which vacancy.
    pub vacancy_id: VacancyId,
    /// Whose vacancy it is.
    pub employer_id: EmployerId,
    /// The counsellor's note.
    pub note: Option<Note>,
    /// When.
    pub referred_at: DateTime<Utc>,
    /// How it ended, once it has.
    pub conclusion: Option<ConcludedReferral>,
}

impl Referral {
    /// Whether it still awaits an outcome.
    pub fn is_open(&self) -> bool {
        self.conclusion.is_none()
    }
}

// ---------------------------------------------------------------- commands

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

// ------------------------------------------------------------------ events

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
    /// The counsellor's note.
    pub note: Option<Note>,
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
    /// A note.
    pub note: Option<Note>,
}

/// What happens to a referral.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReferralEvent {
    /// `ReferralMade`.
    Made(ReferralMade),
    /// `ReferralOutcomeRecorded`.
    OutcomeRecorded(ReferralOutcomeRecorded),
}

impl From<ReferralEvent> for Event {
    fn from(event: ReferralEvent) -> Self {
        Event::Referral(event)
    }
}

impl TryFrom<Event> for ReferralEvent {
    type Error = Event;

    fn try_from(event: Event) -> Result<Self, Self::Error> {
        match event {
            Event::Referral(event) => Ok(event),
            other => Err(other),
        }
    }
}

// ---------------------------------------------------------------- decide

impl Aggregate for Referral {
    const KIND: AggregateKind = AggregateKind::Referral;
    const STREAM_CATEGORY: &'static str = ReferralId::STREAM_CATEGORY;
    type Command = ReferralCommand;
    type Event = ReferralEvent;

    fn decide(
        state: Option<&Self>,
        command: ReferralCommand,
    ) -> Result<Vec<ReferralEvent>, DomainError> {
        match (state, command) {
            (None, ReferralCommand::Make(make)) => make_referral(make),
            (Some(_), ReferralCommand::Make(_)) => Err(DomainError::AlreadyExists {
                aggregate: AggregateKind::Referral,
            }),
            (None, ReferralCommand::RecordOutcome(_)) => Err(DomainError::NotFound {
                aggregate: AggregateKind::Referral,
            }),
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

fn make_referral(make: MakeReferral) -> Result<Vec<ReferralEvent>, DomainError> {
    let vacancy = &make.vacancy;
    if vacancy.status != VacancyStatus::Open {
        return Err(DomainError::VacancyNotOpen {
            status: vacancy.status,
        });
    }
    if let Some(closes_at) = vacancy.closes_at
        && closes_at <= make.referred_at
    {
        return Err(DomainError::VacancyPastClosingTime { closes_at });
    }
    if let Some(existing) = make
        .open_referrals
        .iter()
        .find(|open| open.vacancy_id == make.vacancy_id)
    {
        return Err(DomainError::DuplicateOpenReferral {
            existing: existing.referral_id,
        });
    }
    let hard_to_employ = make
        .jobseeker
        .categories
        .iter()
        .any(|category| category.is_hard_to_employ());
    if vacancy.public_welfare && !hard_to_employ {
        return Err(DomainError::NotEligibleForPublicWelfarePost);
    }
    Ok(vec![ReferralEvent::Made(ReferralMade {
        referral_id: make.referral_id,
        jobseeker_id: make.jobseeker_id,
        vacancy_id: make.vacancy_id,
        employer_id: vacancy.employer_id,
        note: make.note,
        referred_at: make.referred_at,
    })])
}

fn record_outcome(
    referral: &Referral,
    outcome: RecordReferralOutcome,
) -> Result<Vec<ReferralEvent>, DomainError> {
    if let Some(conclusion) = &referral.conclusion {
        return Err(DomainError::ReferralAlreadyConcluded {
            outcome: conclusion.outcome,
        });
    }
    if outcome.date < china_date(referral.referred_at) {
        return Err(DomainError::OutcomeBeforeReferral);
    }
    Ok(vec![ReferralEvent::OutcomeRecorded(
        ReferralOutcomeRecorded {
            referral_id: referral.id,
            jobseeker_id: referral.jobseeker_id,
            vacancy_id: referral.vacancy_id,
            employer_id: referral.employer_id,
            outcome: outcome.outcome,
            date: outcome.date,
            note: outcome.note,
        },
    )])
}
