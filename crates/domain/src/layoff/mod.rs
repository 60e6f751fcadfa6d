//! Layoff pre-reports (裁员预报制度): an enterprise that plans to lay off
//! 100 or more people, or 10 % or more of its workforce, must report its
//! plan to the local labour department in time. A plan keeps one identity
//! through its amendments; its outcome says how many were laid off, and
//! the people laid off who were registered as unemployed (失业登记) from
//! it are recorded on it, never more than were laid off (decision 096).
//!
//! Whether a plan is `mandatory` and whether it came `late` (fewer than
//! 30 days before it takes effect) are decided with [`LayoffRules`], the
//! province's numbers, carried in the command.

use std::collections::BTreeSet;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::aggregate::Aggregate;
use crate::ids::{EmployerId, JobSeekerId, aggregate_id};
use crate::refusal::{Coded, ErrorKind, Refusal};
use crate::value::{Description, DivisionCode};

mod rules;

pub use rules::LayoffRules;

aggregate_id!(
    /// Identifies a layoff plan; stream `layoffplan-<uuid>`.
    LayoffPlanId,
    "layoffplan",
    "layoff plan"
);

/// What a plan says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanDetails {
    /// People employed before the layoff.
    pub workforce: u32,
    /// People to be laid off.
    pub planned: u32,
    /// Why (economic difficulty, restructuring …).
    pub reasons: Description,
    /// The day it takes effect.
    pub planned_from: NaiveDate,
    /// What is done for the people concerned (severance, transfers,
    /// re-employment help).
    pub measures: Description,
}

/// Changes to a plan; `None` leaves a field as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanChanges {
    /// New workforce.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workforce: Option<u32>,
    /// New number planned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub planned: Option<u32>,
    /// New reasons.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reasons: Option<Description>,
    /// New day it takes effect.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub planned_from: Option<NaiveDate>,
    /// New measures.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub measures: Option<Description>,
}

impl PlanChanges {
    fn apply(&self, details: &mut PlanDetails) {
        if let Some(workforce) = self.workforce {
            details.workforce = workforce;
        }
        if let Some(planned) = self.planned {
            details.planned = planned;
        }
        if let Some(reasons) = &self.reasons {
            details.reasons = reasons.clone();
        }
        if let Some(planned_from) = self.planned_from {
            details.planned_from = planned_from;
        }
        if let Some(measures) = &self.measures {
            details.measures = measures.clone();
        }
    }

    fn is_empty(&self) -> bool {
        self == &Self::default()
    }
}

/// Where a plan stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LayoffPlanStatus {
    /// Reported (and perhaps amended).
    Reported,
    /// Its outcome is recorded.
    Concluded,
}

/// A layoff plan, as folded from its events.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LayoffPlan {
    /// Its id.
    pub id: LayoffPlanId,
    /// The enterprise.
    pub employer_id: EmployerId,
    /// The enterprise's region.
    pub region: DivisionCode,
    /// What it says now.
    pub details: PlanDetails,
    /// The day it was reported.
    pub reported_on: NaiveDate,
    /// Whether the pre-report is mandatory (as it stands).
    pub mandatory: bool,
    /// Whether it came fewer days before taking effect than the rules ask.
    pub late: bool,
    /// Amendments so far.
    pub amendments: u32,
    /// Reported or concluded.
    pub status: LayoffPlanStatus,
    /// How many were laid off, once concluded.
    pub laid_off: Option<u32>,
    /// When the outcome was recorded.
    pub concluded_on: Option<NaiveDate>,
    /// The job seekers laid off by it and registered as unemployed from
    /// its outcome; at most `laid_off` of them.
    #[serde(default)]
    pub registered: BTreeSet<JobSeekerId>,
}

/// Report a plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportLayoffPlan {
    /// The new plan's id.
    pub plan_id: LayoffPlanId,
    /// The enterprise.
    pub employer_id: EmployerId,
    /// The enterprise's region.
    pub region: DivisionCode,
    /// What it says.
    pub details: PlanDetails,
    /// Today, in China.
    pub reported_on: NaiveDate,
    /// The province's numbers.
    pub rules: LayoffRules,
}

/// Amend a plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AmendLayoffPlan {
    /// What changes.
    pub changes: PlanChanges,
    /// Today, in China.
    pub amended_on: NaiveDate,
    /// The province's numbers.
    pub rules: LayoffRules,
}

/// Record how many were laid off.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordLayoffOutcome {
    /// People laid off.
    pub laid_off: u32,
    /// Today, in China.
    pub recorded_on: NaiveDate,
}

/// Record that people laid off by a concluded plan stand registered as
/// unemployed (失业登记). Idempotent: job seekers recorded already are not
/// recorded again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordLayoffRegistrations {
    /// The job seekers.
    pub jobseekers: BTreeSet<JobSeekerId>,
    /// Today, in China.
    pub recorded_on: NaiveDate,
}

/// What may be asked of a layoff plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LayoffPlanCommand {
    /// Report.
    Report(ReportLayoffPlan),
    /// Amend.
    Amend(AmendLayoffPlan),
    /// Record the outcome.
    RecordOutcome(RecordLayoffOutcome),
    /// Record the unemployment registrations of people laid off.
    RecordRegistrations(RecordLayoffRegistrations),
}

/// `LayoffPlanReported` (schema 1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LayoffPlanReported {
    /// The plan.
    pub plan_id: LayoffPlanId,
    /// The enterprise.
    pub employer_id: EmployerId,
    /// The enterprise's region.
    pub region: DivisionCode,
    /// What it says.
    pub details: PlanDetails,
    /// The day it was reported.
    pub reported_on: NaiveDate,
    /// Whether the pre-report is mandatory.
    pub mandatory: bool,
    /// Whether it came late.
    pub late: bool,
}

/// `LayoffPlanAmended` (schema 1): only what changed, and the plan's
/// standing after it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LayoffPlanAmended {
    /// The plan.
    pub plan_id: LayoffPlanId,
    /// What changed.
    pub changes: PlanChanges,
    /// The day of the amendment.
    pub amended_on: NaiveDate,
    /// Whether the pre-report is mandatory now.
    pub mandatory: bool,
    /// Whether it is late now (a day of effect moved nearer).
    pub late: bool,
}

/// `LayoffOutcomeRecorded` (schema 1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LayoffOutcomeRecorded {
    /// The plan.
    pub plan_id: LayoffPlanId,
    /// The enterprise.
    pub employer_id: EmployerId,
    /// People laid off.
    pub laid_off: u32,
    /// The day it was recorded.
    pub recorded_on: NaiveDate,
}

/// `LayoffRegistrationsRecorded` (schema 1): people laid off by the plan
/// were registered as unemployed from its outcome. Only ids: their
/// personal data is in their own streams.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LayoffRegistrationsRecorded {
    /// The plan.
    pub plan_id: LayoffPlanId,
    /// The job seekers newly recorded.
    pub jobseekers: BTreeSet<JobSeekerId>,
    /// The day.
    pub recorded_on: NaiveDate,
}

crate::domain_events! {
    /// What happens to a layoff plan.
    pub enum LayoffPlanEvent in plan_id {
        /// `LayoffPlanReported`.
        Reported(LayoffPlanReported) = ("LayoffPlanReported", 1),
        /// `LayoffPlanAmended`.
        Amended(LayoffPlanAmended) = ("LayoffPlanAmended", 1),
        /// `LayoffOutcomeRecorded`.
        OutcomeRecorded(LayoffOutcomeRecorded) = ("LayoffOutcomeRecorded", 1),
        /// `LayoffRegistrationsRecorded`.
        RegistrationsRecorded(LayoffRegistrationsRecorded) = ("LayoffRegistrationsRecorded", 1),
    }
}

/// Why a command on a layoff plan was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LayoffError {
    /// A report under an id already used.
    #[error("the layoff plan already exists")]
    AlreadyExists,
    /// A change to a plan never reported.
    #[error("no such layoff plan")]
    NotFound,
    /// No workforce, or nobody planned.
    #[error("{field} must be at least 1")]
    NotPositive {
        /// The field.
        field: &'static str,
    },
    /// More planned than employed.
    #[error("more people are planned than the workforce")]
    PlannedAboveWorkforce,
    /// More laid off than employed.
    #[error("more people were laid off than the workforce")]
    LaidOffAboveWorkforce,
    /// A change or outcome after the outcome.
    #[error("the plan's outcome is recorded; report a new plan")]
    Concluded,
    /// An amendment that changes nothing.
    #[error("the amendment changes nothing")]
    NothingChanged,
    /// Registrations before the outcome.
    #[error("the plan's outcome is not recorded yet; record how many were laid off first")]
    NotConcluded,
    /// More registered than laid off.
    #[error("{registered} people would be registered from a plan that laid off {laid_off}")]
    RegistrationsAboveLaidOff {
        /// People laid off.
        laid_off: u32,
        /// People that would be registered in all.
        registered: usize,
    },
}

impl Coded for LayoffError {
    fn code(&self) -> &'static str {
        match self {
            Self::AlreadyExists => "already_exists",
            Self::NotFound => "not_found",
            Self::NotPositive { .. } => "not_positive",
            Self::PlannedAboveWorkforce => "planned_above_workforce",
            Self::LaidOffAboveWorkforce => "laid_off_above_workforce",
            Self::Concluded => "concluded",
            Self::NothingChanged => "nothing_changed",
            Self::NotConcluded => "not_concluded",
            Self::RegistrationsAboveLaidOff { .. } => "registrations_above_laid_off",
        }
    }
}

impl Refusal for LayoffError {
    fn kind(&self) -> ErrorKind {
        match self {
            Self::AlreadyExists | Self::Concluded | Self::NotConcluded => ErrorKind::Conflict,
            Self::NotFound => ErrorKind::NotFound,
            Self::NotPositive { .. }
            | Self::PlannedAboveWorkforce
            | Self::LaidOffAboveWorkforce
            | Self::NothingChanged
            | Self::RegistrationsAboveLaidOff { .. } => ErrorKind::Unprocessable,
        }
    }

    fn field(&self) -> Option<&'static str> {
        match self {
            Self::NotPositive { field } => Some(field),
            Self::PlannedAboveWorkforce => Some("planned"),
            Self::LaidOffAboveWorkforce => Some("laid_off"),
            Self::RegistrationsAboveLaidOff { .. } => Some("people"),
            Self::AlreadyExists
            | Self::NotFound
            | Self::Concluded
            | Self::NothingChanged
            | Self::NotConcluded => None,
        }
    }
}

impl Aggregate for LayoffPlan {
    type Id = LayoffPlanId;
    type Command = LayoffPlanCommand;
    type Event = LayoffPlanEvent;
    type Error = LayoffError;

    fn decide(
        state: Option<&Self>,
        command: LayoffPlanCommand,
    ) -> Result<Vec<LayoffPlanEvent>, LayoffError> {
        match (state, command) {
            (Some(_), LayoffPlanCommand::Report(_)) => Err(LayoffError::AlreadyExists),
            (None, LayoffPlanCommand::Report(report)) => report_plan(report),
            (None, _) => Err(LayoffError::NotFound),
            (Some(plan), LayoffPlanCommand::RecordRegistrations(registrations)) => {
                record_registrations(plan, registrations)
            }
            (Some(plan), _) if plan.status == LayoffPlanStatus::Concluded => {
                Err(LayoffError::Concluded)
            }
            (Some(plan), LayoffPlanCommand::Amend(amend)) => amend_plan(plan, amend),
            (Some(plan), LayoffPlanCommand::RecordOutcome(outcome)) => {
                if outcome.laid_off > plan.details.workforce {
                    return Err(LayoffError::LaidOffAboveWorkforce);
                }
                Ok(vec![LayoffPlanEvent::OutcomeRecorded(
                    LayoffOutcomeRecorded {
                        plan_id: plan.id,
                        employer_id: plan.employer_id,
                        laid_off: outcome.laid_off,
                        recorded_on: outcome.recorded_on,
                    },
                )])
            }
        }
    }

    fn evolve(state: Option<Self>, event: &LayoffPlanEvent) -> Option<Self> {
        match (state, event) {
            (None, LayoffPlanEvent::Reported(reported)) => Some(LayoffPlan {
                id: reported.plan_id,
                employer_id: reported.employer_id,
                region: reported.region.clone(),
                details: reported.details.clone(),
                reported_on: reported.reported_on,
                mandatory: reported.mandatory,
                late: reported.late,
                amendments: 0,
                status: LayoffPlanStatus::Reported,
                laid_off: None,
                concluded_on: None,
                registered: BTreeSet::new(),
            }),
            (Some(mut plan), LayoffPlanEvent::Amended(amended)) => {
                amended.changes.apply(&mut plan.details);
                plan.mandatory = amended.mandatory;
                plan.late = amended.late;
                plan.amendments += 1;
                Some(plan)
            }
            (Some(mut plan), LayoffPlanEvent::OutcomeRecorded(outcome)) => {
                plan.status = LayoffPlanStatus::Concluded;
                plan.laid_off = Some(outcome.laid_off);
                plan.concluded_on = Some(outcome.recorded_on);
                Some(plan)
            }
            (Some(mut plan), LayoffPlanEvent::RegistrationsRecorded(recorded)) => {
                plan.registered.extend(recorded.jobseekers.iter().copied());
                Some(plan)
            }
            (state, _) => state,
        }
    }
}

/// Registrations count against the people laid off: a plan never shows
/// more people registered from it than it laid off.
fn record_registrations(
    plan: &LayoffPlan,
    registrations: RecordLayoffRegistrations,
) -> Result<Vec<LayoffPlanEvent>, LayoffError> {
    let Some(laid_off) = plan.laid_off else {
        return Err(LayoffError::NotConcluded);
    };
    let jobseekers: BTreeSet<JobSeekerId> = registrations
        .jobseekers
        .difference(&plan.registered)
        .copied()
        .collect();
    if jobseekers.is_empty() {
        return Ok(vec![]);
    }
    let registered = plan.registered.len() + jobseekers.len();
    if registered > laid_off as usize {
        return Err(LayoffError::RegistrationsAboveLaidOff {
            laid_off,
            registered,
        });
    }
    Ok(vec![LayoffPlanEvent::RegistrationsRecorded(
        LayoffRegistrationsRecorded {
            plan_id: plan.id,
            jobseekers,
            recorded_on: registrations.recorded_on,
        },
    )])
}

fn check_details(details: &PlanDetails) -> Result<(), LayoffError> {
    if details.workforce == 0 {
        return Err(LayoffError::NotPositive { field: "workforce" });
    }
    if details.planned == 0 {
        return Err(LayoffError::NotPositive { field: "planned" });
    }
    if details.planned > details.workforce {
        return Err(LayoffError::PlannedAboveWorkforce);
    }
    Ok(())
}

fn report_plan(report: ReportLayoffPlan) -> Result<Vec<LayoffPlanEvent>, LayoffError> {
    check_details(&report.details)?;
    let mandatory = report.rules.is_mandatory(&report.details);
    let late = report
        .rules
        .is_late(report.reported_on, report.details.planned_from);
    Ok(vec![LayoffPlanEvent::Reported(LayoffPlanReported {
        plan_id: report.plan_id,
        employer_id: report.employer_id,
        region: report.region,
        details: report.details,
        reported_on: report.reported_on,
        mandatory,
        late,
    })])
}

fn amend_plan(
    plan: &LayoffPlan,
    amend: AmendLayoffPlan,
) -> Result<Vec<LayoffPlanEvent>, LayoffError> {
    let current = &plan.details;
    let requested = amend.changes;
    let changes = PlanChanges {
        workforce: requested
            .workforce
            .filter(|value| *value != current.workforce),
        planned: requested.planned.filter(|value| *value != current.planned),
        reasons: requested.reasons.filter(|value| value != &current.reasons),
        planned_from: requested
            .planned_from
            .filter(|value| *value != current.planned_from),
        measures: requested
            .measures
            .filter(|value| value != &current.measures),
    };
    if changes.is_empty() {
        return Err(LayoffError::NothingChanged);
    }
    let mut resulting = current.clone();
    changes.apply(&mut resulting);
    check_details(&resulting)?;
    // A day of effect moved is judged from the day it was moved; else the
    // plan keeps the standing it arrived with.
    let late = match changes.planned_from {
        Some(planned_from) => amend.rules.is_late(amend.amended_on, planned_from),
        None => plan.late,
    };
    Ok(vec![LayoffPlanEvent::Amended(LayoffPlanAmended {
        plan_id: plan.id,
        mandatory: amend.rules.is_mandatory(&resulting),
        late,
        changes,
        amended_on: amend.amended_on,
    })])
}
