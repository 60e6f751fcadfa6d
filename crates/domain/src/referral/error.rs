//! Why a command on a referral was refused.

use chrono::{DateTime, Utc};

use super::ReferralOutcome;
use crate::ids::ReferralId;
use crate::refusal::{Coded, ErrorKind, Refusal};
use crate::vacancy::VacancyStatus;

/// A refusal by the referral's `decide`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReferralError {
    /// An outcome for a referral that was never made.
    #[error("no such referral")]
    NotFound,
    /// A referral under an id already used.
    #[error("the referral already exists")]
    AlreadyExists,
    /// A referral to a vacancy that is closed or filled.
    #[error("the vacancy is {status}, not open")]
    VacancyNotOpen {
        /// Its status.
        status: VacancyStatus,
    },
    /// A referral to a vacancy whose closing time has passed.
    #[error("the vacancy closed at {closes_at}")]
    VacancyPastClosingTime {
        /// Its closing time.
        closes_at: DateTime<Utc>,
    },
    /// A second open referral of one person to one vacancy.
    #[error("the job seeker already has an open referral {existing} to this vacancy")]
    DuplicateOpenReferral {
        /// The referral still open.
        existing: ReferralId,
    },
    /// A referral to a public-welfare post (公益性岗位) of someone in no
    /// hard-to-employ group.
    #[error("public-welfare posts are for hard-to-employ job seekers")]
    NotEligibleForPublicWelfarePost,
    /// A second outcome for a referral.
    #[error("the referral already ended with the outcome {outcome}")]
    AlreadyConcluded {
        /// The outcome it ended with.
        outcome: ReferralOutcome,
    },
    /// An outcome dated before the referral was made.
    #[error("the outcome is dated before the referral was made")]
    OutcomeBeforeReferral,
}

impl Coded for ReferralError {
    fn code(&self) -> &'static str {
        match self {
            Self::NotFound => "not_found",
            Self::AlreadyExists => "already_exists",
            Self::VacancyNotOpen { .. } => "vacancy_not_open",
            Self::VacancyPastClosingTime { .. } => "vacancy_past_closing_time",
            Self::DuplicateOpenReferral { .. } => "duplicate_open_referral",
            Self::NotEligibleForPublicWelfarePost => "not_eligible_for_public_welfare_post",
            Self::AlreadyConcluded { .. } => "referral_already_concluded",
            Self::OutcomeBeforeReferral => "outcome_before_referral",
        }
    }
}

impl Refusal for ReferralError {
    fn kind(&self) -> ErrorKind {
        match self {
            Self::NotFound => ErrorKind::NotFound,
            Self::AlreadyExists
            | Self::VacancyNotOpen { .. }
            | Self::VacancyPastClosingTime { .. }
            | Self::DuplicateOpenReferral { .. }
            | Self::NotEligibleForPublicWelfarePost
            | Self::AlreadyConcluded { .. } => ErrorKind::Conflict,
            Self::OutcomeBeforeReferral => ErrorKind::Unprocessable,
        }
    }

    fn field(&self) -> Option<&'static str> {
        match self {
            Self::OutcomeBeforeReferral => Some("date"),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::refusal::assert_codes_unique;

    #[test]
    fn codes_are_unique_snake_case() {
        assert_codes_unique(&[
            &ReferralError::NotFound,
            &ReferralError::AlreadyExists,
            &ReferralError::VacancyNotOpen {
                status: VacancyStatus::Filled,
            },
            &ReferralError::VacancyPastClosingTime {
                closes_at: DateTime::UNIX_EPOCH,
            },
            &ReferralError::DuplicateOpenReferral {
                existing: ReferralId::generate(),
            },
            &ReferralError::NotEligibleForPublicWelfarePost,
            &ReferralError::AlreadyConcluded {
                outcome: ReferralOutcome::Hired,
            },
            &ReferralError::OutcomeBeforeReferral,
        ]);
    }

    #[test]
    fn an_outcome_before_the_referral_names_its_date() {
        let error = ReferralError::OutcomeBeforeReferral;
        assert_eq!(error.kind(), ErrorKind::Unprocessable);
        assert_eq!(error.field(), Some("date"));
    }
}
