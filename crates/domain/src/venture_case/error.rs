//! Why a command on a case is refused.

use chrono::NaiveDate;

use super::CaseStage;
use crate::refusal::{Coded, ErrorKind, Refusal};

/// Why a command on a case was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VentureCaseError {
    /// A command on a case never opened.
    #[error("no such case")]
    NotFound,
    /// Opening a case under an id already used.
    #[error("the case already exists")]
    AlreadyExists,
    /// A stage not after the case's current one, or one that takes its own
    /// command (started, follow-up).
    #[error("the case is at {current:?}; it moves forward only")]
    StageOrder {
        /// Where it is.
        current: CaseStage,
    },
    /// A day before the stage before.
    #[error("the day is before the case's previous step")]
    DateBefore,
    /// A follow-up of a case whose business has not started.
    #[error("the business has not started")]
    NotStarted,
    /// A business registered already, under another credit code.
    #[error("the business is registered already")]
    AlreadyRegistered,
    /// A follow-up after the follow-up period.
    #[error("the follow-up period ended on {until}")]
    FollowUpEnded {
        /// Its last day.
        until: NaiveDate,
    },
}

impl Coded for VentureCaseError {
    fn code(&self) -> &'static str {
        match self {
            Self::NotFound => "case_not_found",
            Self::AlreadyExists => "case_already_exists",
            Self::StageOrder { .. } => "case_stage_order",
            Self::DateBefore => "case_date_before",
            Self::NotStarted => "business_not_started",
            Self::FollowUpEnded { .. } => "follow_up_ended",
            Self::AlreadyRegistered => "business_registered",
        }
    }
}

impl Refusal for VentureCaseError {
    fn kind(&self) -> ErrorKind {
        match self {
            Self::NotFound => ErrorKind::NotFound,
            Self::DateBefore => ErrorKind::Unprocessable,
            _ => ErrorKind::Conflict,
        }
    }

    fn field(&self) -> Option<&'static str> {
        match self {
            Self::DateBefore => Some("on"),
            Self::StageOrder { .. } => Some("stage"),
            _ => None,
        }
    }
}
