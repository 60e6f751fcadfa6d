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
//! last one (a 365-day year), rounded half up in integers. What the
//! province sets (the cap, the treasury's share of the interest, the
//! longest term, the categories exempt from collateral) comes in the
//! commands from the rules ([`LoanRules`]).
//!
//! `commands.rs` holds what may be asked, `events.rs` what happens,
//! `error.rs` the refusals, `rules.rs` the province's numbers.

use chrono::{DateTime, Months, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::aggregate::Aggregate;
use crate::ids::JobSeekerId;
use crate::value::{DivisionCode, Fen, JobSeekerCategory, Label, OrganisationName};

mod commands;
mod error;
mod events;
mod rules;

pub use commands::*;
pub use error::*;
pub use events::*;
pub use rules::*;

crate::ids::aggregate_id!(
    /// Identifies a guaranteed loan; stream `loan-<uuid>`.
    LoanId,
    "loan",
    "loan"
);

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
