//! What may be asked of a loan.

use std::collections::BTreeSet;

use chrono::{DateTime, NaiveDate, Utc};

use super::{LoanId, LoanRules, ReviewDecision, Security};
use crate::ids::JobSeekerId;
use crate::value::{DivisionCode, Fen, JobSeekerCategory, Label, OrganisationName};

/// Apply for a loan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApplyForLoan {
    /// The new loan's id.
    pub loan_id: LoanId,
    /// The borrower.
    pub borrower: JobSeekerId,
    /// The borrower's office.
    pub office: DivisionCode,
    /// The amount.
    pub amount_fen: Fen,
    /// The term.
    pub term_months: u32,
    /// What it is for.
    pub purpose: Label,
    /// What secures it.
    pub security: Security,
    /// The borrower's categories, as registered.
    pub borrower_categories: BTreeSet<JobSeekerCategory>,
    /// Now.
    pub applied_at: DateTime<Utc>,
    /// The rules of the office.
    pub rules: LoanRules,
}

/// Disburse an approved, guaranteed loan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisburseLoan {
    /// The day.
    pub disbursed_on: NaiveDate,
    /// The annual rate, in basis points.
    pub annual_rate_bp: u32,
    /// The rules' treasury share of the interest.
    pub treasury_share_percent: u32,
}

/// What may be asked of a loan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoanCommand {
    /// Apply.
    Apply(ApplyForLoan),
    /// Review.
    Review {
        /// The decision.
        decision: ReviewDecision,
        /// The day.
        reviewed_on: NaiveDate,
    },
    /// The guarantee fund's approval.
    ApproveGuarantee {
        /// The fund.
        guarantee_fund: OrganisationName,
        /// The day.
        approved_on: NaiveDate,
    },
    /// Disburse.
    Disburse(DisburseLoan),
    /// An instalment: principal repaid on a day (interest is computed).
    Repay {
        /// Principal repaid.
        principal_fen: Fen,
        /// The day.
        paid_on: NaiveDate,
    },
    /// Default, with the guarantee fund's payout.
    Default {
        /// The payout.
        guarantee_payout_fen: Fen,
        /// The day.
        defaulted_on: NaiveDate,
    },
}
