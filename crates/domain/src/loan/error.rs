//! Why a command on a loan is refused.

use super::LoanStatus;
use crate::refusal::{Coded, ErrorKind, Refusal};
use crate::value::{Fen, JobSeekerCategory};

/// Why a command on a loan was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LoanError {
    /// A command on a loan never applied for.
    #[error("no such loan")]
    NotFound,
    /// An application under an id already used.
    #[error("the loan already exists")]
    AlreadyExists,
    /// An amount of nothing.
    #[error("the amount must be more than nothing")]
    ZeroAmount,
    /// An amount above the province's cap.
    #[error("the amount is above the cap of {cap}")]
    AboveCap {
        /// The cap.
        cap: Fen,
    },
    /// A term of no months or longer than the rules allow.
    #[error("the term must be 1 to {max} months")]
    Term {
        /// The longest.
        max: u32,
    },
    /// A command the loan's status does not allow.
    #[error("the loan is {status}")]
    WrongStatus {
        /// Its status.
        status: LoanStatus,
    },
    /// A repayment of more principal than is outstanding, or of nothing.
    #[error("the repayment must be more than nothing and at most the {outstanding} outstanding")]
    Repayment {
        /// What is outstanding.
        outstanding: Fen,
    },
    /// A day before the previous step's.
    #[error("the day is before the loan's previous step")]
    DateBefore,
    /// A payout above what is outstanding.
    #[error("the payout is above the {outstanding} outstanding")]
    PayoutAboveOutstanding {
        /// What is outstanding.
        outstanding: Fen,
    },
    /// A rate that makes no sense (above 100 %).
    #[error("the annual rate must be at most 10000 basis points")]
    Rate,
    /// No collateral asked for a category the rules do not exempt.
    #[error("the rules do not exempt {category} from collateral")]
    CategoryNotExempt {
        /// The category.
        category: JobSeekerCategory,
    },
    /// No collateral asked for a category the borrower is not registered in.
    #[error("the borrower is not registered as {category}")]
    NotInCategory {
        /// The category.
        category: JobSeekerCategory,
    },
}

impl Coded for LoanError {
    fn code(&self) -> &'static str {
        match self {
            Self::NotFound => "loan_not_found",
            Self::AlreadyExists => "loan_already_exists",
            Self::ZeroAmount => "loan_amount_zero",
            Self::AboveCap { .. } => "loan_above_cap",
            Self::Term { .. } => "loan_term",
            Self::WrongStatus { .. } => "loan_status",
            Self::Repayment { .. } => "repayment_amount",
            Self::DateBefore => "loan_date_before",
            Self::PayoutAboveOutstanding { .. } => "payout_above_outstanding",
            Self::Rate => "loan_rate",
            Self::CategoryNotExempt { .. } => "collateral_free_category",
            Self::NotInCategory { .. } => "borrower_category",
        }
    }
}

impl Refusal for LoanError {
    fn kind(&self) -> ErrorKind {
        match self {
            Self::NotFound => ErrorKind::NotFound,
            Self::AlreadyExists | Self::WrongStatus { .. } => ErrorKind::Conflict,
            _ => ErrorKind::Unprocessable,
        }
    }

    fn field(&self) -> Option<&'static str> {
        match self {
            Self::ZeroAmount | Self::AboveCap { .. } => Some("amount_fen"),
            Self::Term { .. } => Some("term_months"),
            Self::Repayment { .. } => Some("principal_fen"),
            Self::PayoutAboveOutstanding { .. } => Some("guarantee_payout_fen"),
            Self::Rate => Some("annual_rate_bp"),
            Self::CategoryNotExempt { .. } | Self::NotInCategory { .. } => {
                Some("collateral_free_category")
            }
            Self::DateBefore => Some("date"),
            Self::NotFound | Self::AlreadyExists | Self::WrongStatus { .. } => None,
        }
    }
}
