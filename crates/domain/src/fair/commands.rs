//! What may be asked of a fair. What a decision needs of other aggregates
//! (a vacancy's employer and status) and of the clock comes in the command.

use chrono::{DateTime, Duration, Utc};

use super::FairDetails;
use crate::ids::{EmployerId, FairId, JobSeekerId, VacancyId};
use crate::value::{DivisionCode, Note};

/// Announce a fair.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScheduleFair {
    /// The new fair's id.
    pub fair_id: FairId,
    /// The office that runs it.
    pub office: DivisionCode,
    /// What, where, when, for whom.
    pub details: FairDetails,
    /// Now.
    pub now: DateTime<Utc>,
}

/// Replace a fair's details before it starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AmendFair {
    /// Every detail, as it is to stand.
    pub details: FairDetails,
    /// Now.
    pub now: DateTime<Utc>,
}

/// Call a fair off before it ends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CancelFair {
    /// Why.
    pub reason: Option<Note>,
    /// Now.
    pub now: DateTime<Utc>,
}

/// A vacancy as it stands (read from its stream by the use case), for an
/// exhibitor to bring it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VacancyForFair {
    /// The vacancy.
    pub vacancy_id: VacancyId,
    /// Whose it is.
    pub employer_id: EmployerId,
    /// Whether it is open now.
    pub open: bool,
}

/// An employer takes a stand with vacancies, or brings more.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exhibit {
    /// The exhibitor.
    pub employer_id: EmployerId,
    /// Its vacancies as they stand.
    pub vacancies: Vec<VacancyForFair>,
    /// Now.
    pub now: DateTime<Utc>,
}

/// An exhibitor withdraws before the start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeaveFair {
    /// The exhibitor.
    pub employer_id: EmployerId,
    /// Now.
    pub now: DateTime<Utc>,
}

/// A job seeker registers to visit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegisterVisitor {
    /// Who.
    pub jobseeker_id: JobSeekerId,
    /// Now.
    pub now: DateTime<Utc>,
}

/// A job seeker withdraws a registration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CancelRegistration {
    /// Whose.
    pub jobseeker_id: JobSeekerId,
    /// Now.
    pub now: DateTime<Utc>,
}

/// A registered job seeker comes through the door of an on-site fair.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckIn {
    /// Who.
    pub jobseeker_id: JobSeekerId,
    /// How long before the start the door opens (the office's rule).
    pub opens_before_start: Duration,
    /// Now.
    pub now: DateTime<Utc>,
}

/// A visitor comes to an exhibitor's stand.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VisitStand {
    /// Who.
    pub jobseeker_id: JobSeekerId,
    /// Whose stand.
    pub employer_id: EmployerId,
    /// Now.
    pub now: DateTime<Utc>,
}

/// What may be asked of a fair.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FairCommand {
    /// Announce.
    Schedule(ScheduleFair),
    /// Amend.
    Amend(AmendFair),
    /// Cancel.
    Cancel(CancelFair),
    /// Join or bring more vacancies.
    Exhibit(Exhibit),
    /// Leave.
    Leave(LeaveFair),
    /// Register a visitor.
    Register(RegisterVisitor),
    /// Withdraw a registration.
    CancelRegistration(CancelRegistration),
    /// Check a visitor in.
    CheckIn(CheckIn),
    /// Record a visit to a stand.
    VisitStand(VisitStand),
}
