//! Why a command on a vacancy was refused.

use chrono::{DateTime, Utc};

use super::VacancyStatus;
use crate::refusal::{Coded, ErrorKind, Refusal};

/// A refusal by the vacancy's `decide`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VacancyError {
    /// A change to a vacancy that was never published.
    #[error("no such vacancy")]
    NotFound,
    /// A publication under an id already published.
    #[error("the vacancy already exists")]
    AlreadyExists,
    /// A closing time that is not after the time of the command.
    #[error("the closing time {closes_at} is not in the future")]
    ClosingTimeNotInFuture {
        /// The closing time given.
        closes_at: DateTime<Utc>,
    },
    /// A change to a vacancy that is closed or filled.
    #[error("the vacancy is {status}, not open")]
    NotOpen {
        /// Its status.
        status: VacancyStatus,
    },
    /// A change other than a new closing time to a vacancy whose closing
    /// time has passed (so that it is closed).
    #[error("the vacancy closed at {closes_at}; only a new closing time reopens it")]
    PastClosingTime {
        /// Its closing time.
        closes_at: DateTime<Utc>,
    },
    /// A headcount below the number of people already hired.
    #[error("the headcount cannot be below the {placed} people already hired")]
    HeadcountBelowPlacements {
        /// How many have been hired through referrals.
        placed: usize,
    },
}

impl Coded for VacancyError {
    fn code(&self) -> &'static str {
        match self {
            Self::NotFound => "not_found",
            Self::AlreadyExists => "already_exists",
            Self::ClosingTimeNotInFuture { .. } => "closing_time_not_in_future",
            Self::NotOpen { .. } => "vacancy_not_open",
            Self::PastClosingTime { .. } => "vacancy_past_closing_time",
            Self::HeadcountBelowPlacements { .. } => "headcount_below_placements",
        }
    }
}

impl Refusal for VacancyError {
    fn kind(&self) -> ErrorKind {
        match self {
            Self::NotFound => ErrorKind::NotFound,
            Self::AlreadyExists
            | Self::NotOpen { .. }
            | Self::PastClosingTime { .. }
            | Self::HeadcountBelowPlacements { .. } => ErrorKind::Conflict,
            Self::ClosingTimeNotInFuture { .. } => ErrorKind::Unprocessable,
        }
    }

    fn field(&self) -> Option<&'static str> {
        match self {
            Self::ClosingTimeNotInFuture { .. } | Self::PastClosingTime { .. } => Some("closes_at"),
            Self::HeadcountBelowPlacements { .. } => Some("headcount"),
            Self::NotFound | Self::AlreadyExists | Self::NotOpen { .. } => None,
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
            &VacancyError::NotFound,
            &VacancyError::AlreadyExists,
            &VacancyError::ClosingTimeNotInFuture {
                closes_at: DateTime::UNIX_EPOCH,
            },
            &VacancyError::NotOpen {
                status: VacancyStatus::Closed,
            },
            &VacancyError::PastClosingTime {
                closes_at: DateTime::UNIX_EPOCH,
            },
            &VacancyError::HeadcountBelowPlacements { placed: 2 },
        ]);
    }

    #[test]
    fn messages_are_lowercase_log_lines() {
        let message = VacancyError::NotOpen {
            status: VacancyStatus::Closed,
        }
        .to_string();
        assert_eq!(message, "the vacancy is closed, not open");
    }
}
