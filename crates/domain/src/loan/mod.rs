//! Guaranteed small loans for business start-ups (小额担保贷款): a person
//! starting a business applies (an amount within the province's cap, a
//! purpose, a guarantor or eligibility for a loan without collateral),
//! the office reviews, the guarantee fund approves its guarantee, the bank
//! disburses; repayments are recorded by instalment with the interest
//! split between the borrower and the treasury's interest subsidy (贴息),
//! until the loan is repaid (early or on time) or defaults and the
//! guarantee fund pays out.
//!
//! Amounts are whole fen ([`Fen`]); rates are basis points; the interest
//! of an instalment is the outstanding principal's for the days since the
//! last one (a 365-day year), rounded half up in integers. What the province sets (the
//! cap, the treasury's share of the interest, the longest term) comes in
//! the commands from the rules ([`LoanRules`]).

use std::collections::BTreeSet;

use chrono::{DateTime, Months, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::aggregate::Aggregate;
use crate::ids::JobSeekerId;
use crate::refusal::{Coded, ErrorKind, Refusal};
use crate::value::{DivisionCode, Fen, JobSeekerCategory, Label, OrganisationName};

crate::ids::aggregate_id!(
    /// Identifies a guaranteed loan; stream `loan-<uuid>`.
    LoanId,
    "loan",
    "loan"
);

/// The loan rules a province sets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LoanRules {
    /// The most one person may borrow, in fen (default 200,000 yuan).
    pub cap_fen: u64,
    /// The treasury's share of the interest (贴息), in percent (default 100).
    pub treasury_interest_share_percent: u32,
    /// The longest term in months (default 36).
    pub max_term_months: u32,
    /// The categories of job seekers who may borrow without collateral
    /// (免担保; default graduates and returning migrant workers).
    pub collateral_free_categories: BTreeSet<JobSeekerCategory>,
}

impl Default for LoanRules {
    fn default() -> Self {
        Self {
            cap_fen: 20_000_000,
            treasury_interest_share_percent: 100,
            max_term_months: 36,
            collateral_free_categories: BTreeSet::from([
                JobSeekerCategory::Graduate,
                JobSeekerCategory::ReturningMigrant,
            ]),
        }
    }
}

/// What secures a loan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Security {
    /// A guarantor (an organisation: an employer, a guarantee company).
    Guarantor {
        /// Its name.
        guarantor: OrganisationName,
    },
    /// No collateral (免担保), for a category of job seekers the rules
    /// exempt, which the borrower is registered in.
    CollateralFree {
        /// The category.
        category: JobSeekerCategory,
    },
}

/// Where a loan stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LoanStatus {
    /// Applied, awaiting review.
    Applied,
    /// Refused at review.
    Rejected,
    /// Approved at review, awaiting the guarantee.
    Approved,
    /// Guaranteed, awaiting disbursement.
    Guaranteed,
    /// Disbursed, being repaid.
    Disbursed,
    /// Repaid in full.
    Repaid,
    /// Defaulted.
    Defaulted,
}

impl LoanStatus {
    /// The snake_case name used in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Applied => "applied",
            Self::Rejected => "rejected",
            Self::Approved => "approved",
            Self::Guaranteed => "guaranteed",
            Self::Disbursed => "disbursed",
            Self::Repaid => "repaid",
            Self::Defaulted => "defaulted",
        }
    }
}

impl std::fmt::Display for LoanStatus {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str(self.as_str())
    }
}

/// A review's decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReviewDecision {
    /// Approved.
    Approved,
    /// Rejected.
    Rejected,
}

/// How a loan ended, once repaid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Repayment {
    /// Before maturity.
    Early,
    /// At or after maturity.
    OnTime,
}

/// One instalment paid.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Instalment {
    /// Its number, from 1.
    pub number: u32,
    /// The day.
    pub paid_on: NaiveDate,
    /// Principal repaid.
    pub principal_fen: Fen,
    /// Interest due for the period.
    pub interest_fen: Fen,
    /// Of it, paid by the borrower.
    pub borrower_interest_fen: Fen,
    /// Of it, paid by the treasury (贴息).
    pub treasury_interest_fen: Fen,
}

/// A loan, as folded from its events.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Loan {
    /// Its id.
    pub id: LoanId,
    /// The borrower.
    pub borrower: JobSeekerId,
    /// The office handling it (the borrower's).
    pub office: DivisionCode,
    /// The amount applied for.
    pub amount_fen: Fen,
    /// The term.
    pub term_months: u32,
    /// What it is for.
    pub purpose: Label,
    /// What secures it.
    pub security: Security,
    /// When it was applied for.
    pub applied_at: DateTime<Utc>,
    /// Where it stands.
    pub status: LoanStatus,
    /// The guarantee fund that guaranteed it.
    pub guarantee_fund: Option<OrganisationName>,
    /// The day of disbursement.
    pub disbursed_on: Option<NaiveDate>,
    /// The annual rate, in basis points.
    pub annual_rate_bp: Option<u32>,
    /// The treasury's share of the interest, in percent, fixed at disbursement.
    pub treasury_share_percent: Option<u32>,
    /// Principal not yet repaid.
    pub outstanding_fen: Fen,
    /// Instalments paid.
    pub instalments: Vec<Instalment>,
    /// How it was repaid, once it was.
    pub repaid: Option<Repayment>,
    /// The guarantee fund's payout, once it defaulted.
    pub guarantee_payout_fen: Option<Fen>,
    /// The day it ended (repaid, defaulted, rejected).
    pub closed_on: Option<NaiveDate>,
    /// The day of its last dated step (the review's, the guarantee's, the
    /// disbursement's): the next is dated no earlier. (The application is
    /// stamped when recorded, which may be after the paper one an office
    /// enters, so a review may be dated before it.)
    #[serde(default)]
    pub last_step_on: Option<NaiveDate>,
}

impl Loan {
    /// The day the loan matures.
    pub fn matures_on(&self) -> Option<NaiveDate> {
        self.disbursed_on
            .and_then(|day| day.checked_add_months(Months::new(self.term_months)))
    }

    /// The day interest runs from: the last instalment's, else the
    /// disbursement's.
    fn interest_from(&self) -> Option<NaiveDate> {
        self.instalments
            .last()
            .map(|instalment| instalment.paid_on)
            .or(self.disbursed_on)
    }
}

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

impl Aggregate for Loan {
    type Id = LoanId;
    type Command = LoanCommand;
    type Event = LoanEvent;
    type Error = LoanError;

    fn decide(state: Option<&Self>, command: LoanCommand) -> Result<Vec<LoanEvent>, LoanError> {
        let loan = match (state, command) {
            (None, LoanCommand::Apply(apply)) => return apply_for_loan(apply),
            (Some(_), LoanCommand::Apply(_)) => return Err(LoanError::AlreadyExists),
            (None, _) => return Err(LoanError::NotFound),
            (Some(loan), command) => (loan, command),
        };
        match loan {
            (
                loan,
                LoanCommand::Review {
                    decision,
                    reviewed_on,
                },
            ) => {
                expect_status(loan, LoanStatus::Applied)?;
                expect_after_last_step(loan, reviewed_on)?;
                Ok(vec![LoanEvent::Reviewed(LoanReviewed {
                    loan_id: loan.id,
                    decision,
                    reviewed_on,
                })])
            }
            (
                loan,
                LoanCommand::ApproveGuarantee {
                    guarantee_fund,
                    approved_on,
                },
            ) => {
                expect_status(loan, LoanStatus::Approved)?;
                expect_after_last_step(loan, approved_on)?;
                Ok(vec![LoanEvent::GuaranteeApproved(LoanGuaranteeApproved {
                    loan_id: loan.id,
                    guarantee_fund,
                    approved_on,
                })])
            }
            (loan, LoanCommand::Disburse(disburse)) => {
                expect_status(loan, LoanStatus::Guaranteed)?;
                expect_after_last_step(loan, disburse.disbursed_on)?;
                if disburse.annual_rate_bp > 10_000 {
                    return Err(LoanError::Rate);
                }
                Ok(vec![LoanEvent::Disbursed(LoanDisbursed {
                    loan_id: loan.id,
                    amount_fen: loan.amount_fen,
                    disbursed_on: disburse.disbursed_on,
                    annual_rate_bp: disburse.annual_rate_bp,
                    treasury_share_percent: disburse.treasury_share_percent.min(100),
                })])
            }
            (
                loan,
                LoanCommand::Repay {
                    principal_fen,
                    paid_on,
                },
            ) => repay(loan, principal_fen, paid_on),
            (
                loan,
                LoanCommand::Default {
                    guarantee_payout_fen,
                    defaulted_on,
                },
            ) => {
                expect_status(loan, LoanStatus::Disbursed)?;
                if loan.interest_from().is_some_and(|from| defaulted_on < from) {
                    return Err(LoanError::DateBefore);
                }
                if guarantee_payout_fen > loan.outstanding_fen {
                    return Err(LoanError::PayoutAboveOutstanding {
                        outstanding: loan.outstanding_fen,
                    });
                }
                Ok(vec![LoanEvent::Defaulted(LoanDefaulted {
                    loan_id: loan.id,
                    outstanding_fen: loan.outstanding_fen,
                    guarantee_payout_fen,
                    defaulted_on,
                })])
            }
            (_, LoanCommand::Apply(_)) => Err(LoanError::AlreadyExists),
        }
    }

    fn evolve(state: Option<Self>, event: &LoanEvent) -> Option<Self> {
        let mut loan = match (state, event) {
            (None, LoanEvent::Applied(applied)) => {
                return Some(Loan {
                    id: applied.loan_id,
                    borrower: applied.borrower,
                    office: applied.office.clone(),
                    amount_fen: applied.amount_fen,
                    term_months: applied.term_months,
                    purpose: applied.purpose.clone(),
                    security: applied.security.clone(),
                    applied_at: applied.applied_at,
                    status: LoanStatus::Applied,
                    guarantee_fund: None,
                    disbursed_on: None,
                    annual_rate_bp: None,
                    treasury_share_percent: None,
                    outstanding_fen: Fen::ZERO,
                    instalments: Vec::new(),
                    repaid: None,
                    guarantee_payout_fen: None,
                    closed_on: None,
                    last_step_on: None,
                });
            }
            (None, _) => return None,
            (Some(loan), _) => loan,
        };
        match event {
            LoanEvent::Applied(_) => {}
            LoanEvent::Reviewed(reviewed) => loan.last_step_on = Some(reviewed.reviewed_on),
            LoanEvent::GuaranteeApproved(approved) => {
                loan.last_step_on = Some(approved.approved_on);
            }
            LoanEvent::Disbursed(disbursed) => loan.last_step_on = Some(disbursed.disbursed_on),
            _ => {}
        }
        match event {
            LoanEvent::Applied(_) => {}
            LoanEvent::Reviewed(reviewed) => match reviewed.decision {
                ReviewDecision::Approved => loan.status = LoanStatus::Approved,
                ReviewDecision::Rejected => {
                    loan.status = LoanStatus::Rejected;
                    loan.closed_on = Some(reviewed.reviewed_on);
                }
            },
            LoanEvent::GuaranteeApproved(approved) => {
                loan.status = LoanStatus::Guaranteed;
                loan.guarantee_fund = Some(approved.guarantee_fund.clone());
            }
            LoanEvent::Disbursed(disbursed) => {
                loan.status = LoanStatus::Disbursed;
                loan.disbursed_on = Some(disbursed.disbursed_on);
                loan.annual_rate_bp = Some(disbursed.annual_rate_bp);
                loan.treasury_share_percent = Some(disbursed.treasury_share_percent);
                loan.outstanding_fen = disbursed.amount_fen;
            }
            LoanEvent::InstalmentPaid(paid) => {
                loan.outstanding_fen = paid.outstanding_fen;
                loan.instalments.push(Instalment {
                    number: paid.number,
                    paid_on: paid.paid_on,
                    principal_fen: paid.principal_fen,
                    interest_fen: paid.interest_fen,
                    borrower_interest_fen: paid.borrower_interest_fen,
                    treasury_interest_fen: paid.treasury_interest_fen,
                });
            }
            LoanEvent::Repaid(repaid) => {
                loan.status = LoanStatus::Repaid;
                loan.repaid = Some(repaid.repayment);
                loan.closed_on = Some(repaid.repaid_on);
            }
            LoanEvent::Defaulted(defaulted) => {
                loan.status = LoanStatus::Defaulted;
                loan.guarantee_payout_fen = Some(defaulted.guarantee_payout_fen);
                loan.closed_on = Some(defaulted.defaulted_on);
            }
        }
        Some(loan)
    }
}

fn expect_status(loan: &Loan, expected: LoanStatus) -> Result<(), LoanError> {
    if loan.status != expected {
        return Err(LoanError::WrongStatus {
            status: loan.status,
        });
    }
    Ok(())
}

fn expect_after_last_step(loan: &Loan, day: NaiveDate) -> Result<(), LoanError> {
    if loan.last_step_on.is_some_and(|last| day < last) {
        return Err(LoanError::DateBefore);
    }
    Ok(())
}

fn apply_for_loan(apply: ApplyForLoan) -> Result<Vec<LoanEvent>, LoanError> {
    if apply.amount_fen == Fen::ZERO {
        return Err(LoanError::ZeroAmount);
    }
    if apply.amount_fen.get() > apply.rules.cap_fen {
        return Err(LoanError::AboveCap {
            cap: Fen::parse(i64::try_from(apply.rules.cap_fen).unwrap_or(i64::MAX))
                .unwrap_or(Fen::ZERO),
        });
    }
    if apply.term_months == 0 || apply.term_months > apply.rules.max_term_months {
        return Err(LoanError::Term {
            max: apply.rules.max_term_months,
        });
    }
    if let Security::CollateralFree { category } = apply.security {
        if !apply.rules.collateral_free_categories.contains(&category) {
            return Err(LoanError::CategoryNotExempt { category });
        }
        if !apply.borrower_categories.contains(&category) {
            return Err(LoanError::NotInCategory { category });
        }
    }
    Ok(vec![LoanEvent::Applied(LoanApplied {
        loan_id: apply.loan_id,
        borrower: apply.borrower,
        office: apply.office,
        amount_fen: apply.amount_fen,
        term_months: apply.term_months,
        purpose: apply.purpose,
        security: apply.security,
        applied_at: apply.applied_at,
    })])
}

/// The interest on `outstanding` at `annual_rate_bp` from `from` to `to`,
/// by days on a 365-day year, rounded half up.
pub fn interest(outstanding: Fen, annual_rate_bp: u32, from: NaiveDate, to: NaiveDate) -> Fen {
    let days = u64::try_from((to - from).num_days()).unwrap_or(0);
    outstanding
        .portion(u64::from(annual_rate_bp) * days, 10_000 * 365)
        .unwrap_or(Fen::ZERO)
}

fn repay(loan: &Loan, principal: Fen, paid_on: NaiveDate) -> Result<Vec<LoanEvent>, LoanError> {
    expect_status(loan, LoanStatus::Disbursed)?;
    let Some(from) = loan.interest_from() else {
        return Err(LoanError::WrongStatus {
            status: loan.status,
        });
    };
    if paid_on < from {
        return Err(LoanError::DateBefore);
    }
    if principal == Fen::ZERO || principal > loan.outstanding_fen {
        return Err(LoanError::Repayment {
            outstanding: loan.outstanding_fen,
        });
    }
    let interest_fen = interest(
        loan.outstanding_fen,
        loan.annual_rate_bp.unwrap_or(0),
        from,
        paid_on,
    );
    let share = u64::from(loan.treasury_share_percent.unwrap_or(0));
    let treasury_interest_fen = interest_fen.portion(share, 100).unwrap_or(Fen::ZERO);
    let borrower_interest_fen = interest_fen
        .checked_sub(treasury_interest_fen)
        .unwrap_or(Fen::ZERO);
    let outstanding_fen = loan
        .outstanding_fen
        .checked_sub(principal)
        .unwrap_or(Fen::ZERO);
    let number = u32::try_from(loan.instalments.len() + 1).unwrap_or(u32::MAX);
    let mut events = vec![LoanEvent::InstalmentPaid(LoanInstalmentPaid {
        loan_id: loan.id,
        number,
        paid_on,
        principal_fen: principal,
        interest_fen,
        borrower_interest_fen,
        treasury_interest_fen,
        outstanding_fen,
    })];
    if outstanding_fen == Fen::ZERO {
        let early = loan.matures_on().is_some_and(|maturity| paid_on < maturity);
        events.push(LoanEvent::Repaid(LoanRepaid {
            loan_id: loan.id,
            repayment: if early {
                Repayment::Early
            } else {
                Repayment::OnTime
            },
            repaid_on: paid_on,
        }));
    }
    Ok(events)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::refusal::assert_codes_unique;

    #[test]
    fn codes_are_unique_snake_case() {
        assert_codes_unique(&[
            &LoanError::NotFound,
            &LoanError::AlreadyExists,
            &LoanError::ZeroAmount,
            &LoanError::AboveCap { cap: Fen::ZERO },
            &LoanError::Term { max: 1 },
            &LoanError::WrongStatus {
                status: LoanStatus::Applied,
            },
            &LoanError::Repayment {
                outstanding: Fen::ZERO,
            },
            &LoanError::DateBefore,
            &LoanError::PayoutAboveOutstanding {
                outstanding: Fen::ZERO,
            },
            &LoanError::Rate,
            &LoanError::CategoryNotExempt {
                category: JobSeekerCategory::Graduate,
            },
            &LoanError::NotInCategory {
                category: JobSeekerCategory::Graduate,
            },
        ]);
    }

    #[test]
    fn a_years_interest_is_the_rate_of_the_principal() {
        let principal = Fen::parse(10_000_000).unwrap();
        let from = NaiveDate::from_ymd_opt(2025, 1, 1).unwrap();
        let to = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
        assert_eq!(interest(principal, 385, from, to).get(), 385_000);
        assert_eq!(interest(principal, 385, from, from).get(), 0);
    }
}
