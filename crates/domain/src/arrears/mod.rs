//! Wage arrears (欠薪, 拖欠工资): a case against an employer for the
//! workers it owes, each a registered job seeker with the amount owed in
//! fen; mediation, the payments each worker actually received, and the
//! end of the case — settled when every worker is paid in full, or
//! transferred to labour inspection (劳动保障监察). While a case is open
//! the employer is marked for staff.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::aggregate::Aggregate;
use crate::ids::{EmployerId, JobSeekerId, aggregate_id};
use crate::refusal::{Coded, ErrorKind, Refusal};
use crate::value::DivisionCode;

aggregate_id!(
    /// Identifies a wage-arrears case; stream `wagearrears-<uuid>`.
    WageArrearsCaseId,
    "wagearrears",
    "wage-arrears case"
);

/// Where a case stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CaseStatus {
    /// Opened.
    Open,
    /// In mediation (调解).
    Mediating,
    /// Every worker paid in full.
    Settled,
    /// Handed to labour inspection (劳动保障监察).
    Transferred,
}

impl CaseStatus {
    /// Whether the case is still open (the employer is marked).
    pub fn is_open(self) -> bool {
        matches!(self, Self::Open | Self::Mediating)
    }

    /// The snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Mediating => "mediating",
            Self::Settled => "settled",
            Self::Transferred => "transferred",
        }
    }
}

/// What a worker is owed and has been paid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkerClaim {
    /// Owed, in fen.
    pub owed_fen: u64,
    /// Paid so far, in fen.
    pub paid_fen: u64,
}

/// A wage-arrears case, as folded from its events.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WageArrearsCase {
    /// Its id.
    pub id: WageArrearsCaseId,
    /// The employer.
    pub employer_id: EmployerId,
    /// The employer's region.
    pub region: DivisionCode,
    /// Each worker's claim.
    pub workers: BTreeMap<JobSeekerId, WorkerClaim>,
    /// The day it was opened.
    pub opened_on: NaiveDate,
    /// Where it stands.
    pub status: CaseStatus,
    /// Mediation sessions held.
    pub mediations: u32,
    /// The day it ended.
    pub closed_on: Option<NaiveDate>,
}

impl WageArrearsCase {
    /// Owed in all, in fen.
    pub fn owed_fen(&self) -> u64 {
        self.workers.values().map(|claim| claim.owed_fen).sum()
    }

    /// Paid in all, in fen.
    pub fn paid_fen(&self) -> u64 {
        self.workers.values().map(|claim| claim.paid_fen).sum()
    }
}

/// Open a case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenCase {
    /// The new case's id.
    pub case_id: WageArrearsCaseId,
    /// The employer.
    pub employer_id: EmployerId,
    /// Its region.
    pub region: DivisionCode,
    /// Each worker and what they are owed, in fen.
    pub workers: BTreeMap<JobSeekerId, u64>,
    /// Today, in China.
    pub opened_on: NaiveDate,
}

/// What may be asked of a case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WageArrearsCommand {
    /// Open.
    Open(OpenCase),
    /// A mediation session was held.
    Mediate {
        /// Its day.
        held_on: NaiveDate,
    },
    /// A worker was paid.
    Pay {
        /// The worker.
        jobseeker_id: JobSeekerId,
        /// Paid, in fen.
        amount_fen: u64,
        /// The day.
        paid_on: NaiveDate,
    },
    /// Every worker is paid: close as settled.
    Settle {
        /// The day.
        on: NaiveDate,
    },
    /// Hand to labour inspection.
    Transfer {
        /// The day.
        on: NaiveDate,
    },
}

/// `WageArrearsCaseOpened` (schema 1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WageArrearsCaseOpened {
    /// The case.
    pub case_id: WageArrearsCaseId,
    /// The employer.
    pub employer_id: EmployerId,
    /// Its region.
    pub region: DivisionCode,
    /// Each worker and what they are owed, in fen.
    pub workers: BTreeMap<JobSeekerId, u64>,
    /// The day.
    pub opened_on: NaiveDate,
}

/// `WageArrearsMediationHeld` (schema 1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WageArrearsMediationHeld {
    /// The case.
    pub case_id: WageArrearsCaseId,
    /// The day.
    pub held_on: NaiveDate,
}

/// `WageArrearsPaymentRecorded` (schema 1): an amount a worker actually
/// received.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WageArrearsPaymentRecorded {
    /// The case.
    pub case_id: WageArrearsCaseId,
    /// The worker.
    pub jobseeker_id: JobSeekerId,
    /// Paid, in fen.
    pub amount_fen: u64,
    /// The day.
    pub paid_on: NaiveDate,
}

/// `WageArrearsCaseClosed` (schema 1): settled or transferred.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WageArrearsCaseClosed {
    /// The case.
    pub case_id: WageArrearsCaseId,
    /// The employer.
    pub employer_id: EmployerId,
    /// `settled` or `transferred`.
    pub status: CaseStatus,
    /// The day.
    pub closed_on: NaiveDate,
}

crate::domain_events! {
    /// What happens to a wage-arrears case.
    pub enum WageArrearsEvent in case_id {
        /// `WageArrearsCaseOpened`.
        Opened(WageArrearsCaseOpened) = ("WageArrearsCaseOpened", 1),
        /// `WageArrearsMediationHeld`.
        MediationHeld(WageArrearsMediationHeld) = ("WageArrearsMediationHeld", 1),
        /// `WageArrearsPaymentRecorded`.
        PaymentRecorded(WageArrearsPaymentRecorded) = ("WageArrearsPaymentRecorded", 1),
        /// `WageArrearsCaseClosed`.
        Closed(WageArrearsCaseClosed) = ("WageArrearsCaseClosed", 1),
    }
}

/// Why a command on a case was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WageArrearsError {
    /// An id already used.
    #[error("the case already exists")]
    AlreadyExists,
    /// No such case.
    #[error("no such wage-arrears case")]
    NotFound,
    /// A case with no worker, or a worker owed nothing.
    #[error("a case names at least one worker, each owed more than 0 fen")]
    NothingOwed,
    /// A payment to a worker the case does not name.
    #[error("the worker is not named in the case")]
    UnknownWorker,
    /// A payment of nothing, or more than is still owed.
    #[error("a payment is more than 0 fen and at most what is still owed ({outstanding_fen} fen)")]
    PaymentOutOfRange {
        /// Still owed to the worker.
        outstanding_fen: u64,
    },
    /// Settling while money is still owed.
    #[error("{outstanding_fen} fen are still owed; record the payments or transfer the case")]
    NotFullyPaid {
        /// Still owed in all.
        outstanding_fen: u64,
    },
    /// A change to a case that has ended.
    #[error("the case is closed")]
    Closed,
}

impl Coded for WageArrearsError {
    fn code(&self) -> &'static str {
        match self {
            Self::AlreadyExists => "already_exists",
            Self::NotFound => "not_found",
            Self::NothingOwed => "nothing_owed",
            Self::UnknownWorker => "unknown_worker",
            Self::PaymentOutOfRange { .. } => "payment_out_of_range",
            Self::NotFullyPaid { .. } => "not_fully_paid",
            Self::Closed => "closed",
        }
    }
}

impl Refusal for WageArrearsError {
    fn kind(&self) -> ErrorKind {
        match self {
            Self::AlreadyExists | Self::Closed | Self::NotFullyPaid { .. } => ErrorKind::Conflict,
            Self::NotFound => ErrorKind::NotFound,
            Self::NothingOwed | Self::UnknownWorker | Self::PaymentOutOfRange { .. } => {
                ErrorKind::Unprocessable
            }
        }
    }

    fn field(&self) -> Option<&'static str> {
        match self {
            Self::NothingOwed => Some("workers"),
            Self::UnknownWorker => Some("jobseeker_id"),
            Self::PaymentOutOfRange { .. } => Some("amount_fen"),
            _ => None,
        }
    }
}

impl Aggregate for WageArrearsCase {
    type Id = WageArrearsCaseId;
    type Command = WageArrearsCommand;
    type Event = WageArrearsEvent;
    type Error = WageArrearsError;

    fn decide(
        state: Option<&Self>,
        command: WageArrearsCommand,
    ) -> Result<Vec<WageArrearsEvent>, WageArrearsError> {
        let case = match (state, command) {
            (Some(_), WageArrearsCommand::Open(_)) => return Err(WageArrearsError::AlreadyExists),
            (None, WageArrearsCommand::Open(open)) => {
                if open.workers.is_empty() || open.workers.values().any(|owed| *owed == 0) {
                    return Err(WageArrearsError::NothingOwed);
                }
                return Ok(vec![WageArrearsEvent::Opened(WageArrearsCaseOpened {
                    case_id: open.case_id,
                    employer_id: open.employer_id,
                    region: open.region,
                    workers: open.workers,
                    opened_on: open.opened_on,
                })]);
            }
            (None, _) => return Err(WageArrearsError::NotFound),
            (Some(case), _) if !case.status.is_open() => return Err(WageArrearsError::Closed),
            (Some(case), command) => (case, command),
        };
        let (case, command) = case;
        let event = match command {
            WageArrearsCommand::Open(_) => return Err(WageArrearsError::AlreadyExists),
            WageArrearsCommand::Mediate { held_on } => {
                WageArrearsEvent::MediationHeld(WageArrearsMediationHeld {
                    case_id: case.id,
                    held_on,
                })
            }
            WageArrearsCommand::Pay {
                jobseeker_id,
                amount_fen,
                paid_on,
            } => {
                let Some(claim) = case.workers.get(&jobseeker_id) else {
                    return Err(WageArrearsError::UnknownWorker);
                };
                let outstanding_fen = claim.owed_fen - claim.paid_fen;
                if amount_fen == 0 || amount_fen > outstanding_fen {
                    return Err(WageArrearsError::PaymentOutOfRange { outstanding_fen });
                }
                WageArrearsEvent::PaymentRecorded(WageArrearsPaymentRecorded {
                    case_id: case.id,
                    jobseeker_id,
                    amount_fen,
                    paid_on,
                })
            }
            WageArrearsCommand::Settle { on } => {
                let outstanding_fen = case.owed_fen() - case.paid_fen();
                if outstanding_fen > 0 {
                    return Err(WageArrearsError::NotFullyPaid { outstanding_fen });
                }
                closed(case, CaseStatus::Settled, on)
            }
            WageArrearsCommand::Transfer { on } => closed(case, CaseStatus::Transferred, on),
        };
        Ok(vec![event])
    }

    fn evolve(state: Option<Self>, event: &WageArrearsEvent) -> Option<Self> {
        match (state, event) {
            (None, WageArrearsEvent::Opened(opened)) => Some(WageArrearsCase {
                id: opened.case_id,
                employer_id: opened.employer_id,
                region: opened.region.clone(),
                workers: opened
                    .workers
                    .iter()
                    .map(|(worker, owed)| {
                        (
                            *worker,
                            WorkerClaim {
                                owed_fen: *owed,
                                paid_fen: 0,
                            },
                        )
                    })
                    .collect(),
                opened_on: opened.opened_on,
                status: CaseStatus::Open,
                mediations: 0,
                closed_on: None,
            }),
            (Some(mut case), WageArrearsEvent::MediationHeld(_)) => {
                case.status = CaseStatus::Mediating;
                case.mediations += 1;
                Some(case)
            }
            (Some(mut case), WageArrearsEvent::PaymentRecorded(paid)) => {
                if let Some(claim) = case.workers.get_mut(&paid.jobseeker_id) {
                    claim.paid_fen += paid.amount_fen;
                }
                Some(case)
            }
            (Some(mut case), WageArrearsEvent::Closed(closed)) => {
                case.status = closed.status;
                case.closed_on = Some(closed.closed_on);
                Some(case)
            }
            (state, _) => state,
        }
    }
}

fn closed(case: &WageArrearsCase, status: CaseStatus, on: NaiveDate) -> WageArrearsEvent {
    WageArrearsEvent::Closed(WageArrearsCaseClosed {
        case_id: case.id,
        employer_id: case.employer_id,
        status,
        closed_on: on,
    })
}
