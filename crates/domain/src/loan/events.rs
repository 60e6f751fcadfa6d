//! What happens to a loan: one struct per event, and the family.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::{LoanId, Repayment, ReviewDecision, Security};
use crate::ids::JobSeekerId;
use crate::value::{DivisionCode, Fen, Label, OrganisationName};

/// `LoanApplied` (schema 1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoanApplied {
    /// The loan.
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
    /// When.
    pub applied_at: DateTime<Utc>,
}

/// `LoanReviewed` (schema 1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoanReviewed {
    /// The loan.
    pub loan_id: LoanId,
    /// The decision.
    pub decision: ReviewDecision,
    /// The day.
    pub reviewed_on: NaiveDate,
}

/// `LoanGuaranteeApproved` (schema 1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoanGuaranteeApproved {
    /// The loan.
    pub loan_id: LoanId,
    /// The guarantee fund.
    pub guarantee_fund: OrganisationName,
    /// The day.
    pub approved_on: NaiveDate,
}

/// `LoanDisbursed` (schema 1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoanDisbursed {
    /// The loan.
    pub loan_id: LoanId,
    /// The amount.
    pub amount_fen: Fen,
    /// The day.
    pub disbursed_on: NaiveDate,
    /// The annual rate, in basis points.
    pub annual_rate_bp: u32,
    /// The treasury's share of the interest, in percent.
    pub treasury_share_percent: u32,
}

/// `LoanInstalmentPaid` (schema 1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoanInstalmentPaid {
    /// The loan.
    pub loan_id: LoanId,
    /// The instalment.
    pub number: u32,
    /// The day.
    pub paid_on: NaiveDate,
    /// Principal repaid.
    pub principal_fen: Fen,
    /// Interest for the period.
    pub interest_fen: Fen,
    /// Of it, the borrower's.
    pub borrower_interest_fen: Fen,
    /// Of it, the treasury's (贴息).
    pub treasury_interest_fen: Fen,
    /// Principal outstanding after it.
    pub outstanding_fen: Fen,
}

/// `LoanRepaid` (schema 1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoanRepaid {
    /// The loan.
    pub loan_id: LoanId,
    /// Early or on time.
    pub repayment: Repayment,
    /// The day.
    pub repaid_on: NaiveDate,
}

/// `LoanDefaulted` (schema 1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoanDefaulted {
    /// The loan.
    pub loan_id: LoanId,
    /// Principal outstanding.
    pub outstanding_fen: Fen,
    /// What the guarantee fund paid out.
    pub guarantee_payout_fen: Fen,
    /// The day.
    pub defaulted_on: NaiveDate,
}

crate::domain_events! {
    /// What happens to a guaranteed loan.
    pub enum LoanEvent in loan_id {
        /// `LoanApplied`.
        Applied(LoanApplied) = ("LoanApplied", 1),
        /// `LoanReviewed`.
        Reviewed(LoanReviewed) = ("LoanReviewed", 1),
        /// `LoanGuaranteeApproved`.
        GuaranteeApproved(LoanGuaranteeApproved) = ("LoanGuaranteeApproved", 1),
        /// `LoanDisbursed`.
        Disbursed(LoanDisbursed) = ("LoanDisbursed", 1),
        /// `LoanInstalmentPaid`.
        InstalmentPaid(LoanInstalmentPaid) = ("LoanInstalmentPaid", 1),
        /// `LoanRepaid`.
        Repaid(LoanRepaid) = ("LoanRepaid", 1),
        /// `LoanDefaulted`.
        Defaulted(LoanDefaulted) = ("LoanDefaulted", 1),
    }
}
