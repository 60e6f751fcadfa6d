//! Enterprises' monthly reports to their monitoring points (监测点): the
//! headcount, hires, separations by reason, and whether the enterprise is
//! operating, stopped or closed (关闭停产). Each enterprise's reports are
//! one stream; a report is corrected by a new event, never overwritten.
//!
//! A report raises signals for early warning: a closure or a stoppage,
//! separations above a share of the headcount, and layoffs at or above the
//! pre-report threshold with no layoff plan (裁员预报) in the days before —
//! an unreported layoff. The numbers are [`ReportRules`] and
//! [`LayoffRules`], carried in the command.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::aggregate::Aggregate;
use crate::ids::{EmployerId, aggregate_id};
use crate::layoff::LayoffRules;
use crate::monitoring::Period;
use crate::refusal::{Coded, ErrorKind, Refusal};
use crate::value::DivisionCode;

mod rules;

pub use rules::ReportRules;

aggregate_id!(
    /// Identifies an enterprise's reports: the employer's own UUID, in
    /// the stream `enterprisereports-<uuid>`.
    EnterpriseReportsId,
    "enterprisereports",
    "enterprise's reports"
);

impl EnterpriseReportsId {
    /// The reports of an employer.
    pub fn of(employer: EmployerId) -> Self {
        Self::from_uuid(employer.as_uuid())
    }
}

/// Separations in the month, by reason.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Separations {
    /// The worker left.
    pub quits: u32,
    /// Laid off (裁员).
    pub layoffs: u32,
    /// Contracts that ended.
    pub contract_ends: u32,
    /// Any other reason.
    pub other: u32,
}

impl Separations {
    /// All of them.
    pub fn total(&self) -> u32 {
        self.quits + self.layoffs + self.contract_ends + self.other
    }
}

/// Whether the enterprise works.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OperatingState {
    /// Operating.
    Operating,
    /// Production stopped (停产).
    Stopped,
    /// Closed (关闭).
    Closed,
}

impl OperatingState {
    /// Every state.
    pub const ALL: [Self; 3] = [Self::Operating, Self::Stopped, Self::Closed];

    /// The snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Operating => "operating",
            Self::Stopped => "stopped",
            Self::Closed => "closed",
        }
    }

    /// The state of its snake_case name.
    pub fn parse(text: &str) -> Result<Self, OperatingStateError> {
        Self::ALL
            .into_iter()
            .find(|state| state.as_str() == text.trim())
            .ok_or(OperatingStateError)
    }
}

/// A text that names no operating state.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not an operating state: operating, stopped or closed")]
pub struct OperatingStateError;

impl Coded for OperatingStateError {
    fn code(&self) -> &'static str {
        "operating_state.unknown"
    }
}

/// A month's figures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportFigures {
    /// People employed at the end of the month.
    pub headcount: u32,
    /// People hired in the month.
    pub hires: u32,
    /// People who left, by reason.
    pub separations: Separations,
    /// Operating, stopped or closed.
    pub state: OperatingState,
}

/// What a report signals for early warning.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Signal {
    /// The enterprise closed.
    Closure,
    /// Production stopped.
    Stoppage,
    /// Separations at or above the rules' share of the workforce.
    HighSeparations,
    /// Layoffs at or above the pre-report threshold with no plan before.
    UnreportedLayoff,
}

/// A report as it stands after its corrections.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FiledReport {
    /// The figures.
    pub figures: ReportFigures,
    /// Its signals.
    pub signals: Vec<Signal>,
    /// The day it was first submitted.
    pub submitted_on: NaiveDate,
    /// Whether that was after the day it was due.
    pub late: bool,
    /// Corrections so far.
    pub corrections: u32,
}

/// An enterprise's monthly reports, as folded from its events.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnterpriseReports {
    /// The stream's id (the employer's UUID).
    pub id: EnterpriseReportsId,
    /// The employer.
    pub employer_id: EmployerId,
    /// Its region.
    pub region: DivisionCode,
    /// Each month's report.
    pub reports: BTreeMap<Period, FiledReport>,
}

/// Submit (or correct) a month's report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileReport {
    /// The employer.
    pub employer_id: EmployerId,
    /// Its region.
    pub region: DivisionCode,
    /// The month.
    pub period: Period,
    /// The figures.
    pub figures: ReportFigures,
    /// Today, in China.
    pub today: NaiveDate,
    /// The day the enterprise's latest layoff plan was reported, if any
    /// (looked up by the caller).
    pub latest_plan_reported_on: Option<NaiveDate>,
    /// When reports are due and what a signal is.
    pub rules: ReportRules,
    /// The pre-report threshold.
    pub layoff_rules: LayoffRules,
}

/// What may be asked of an enterprise's reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EnterpriseReportCommand {
    /// A month's first report.
    Submit(FileReport),
    /// A correction of a month already reported.
    Correct(FileReport),
}

/// `EnterpriseReportSubmitted` (schema 1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnterpriseReportSubmitted {
    /// The stream.
    pub reports_id: EnterpriseReportsId,
    /// The employer.
    pub employer_id: EmployerId,
    /// Its region.
    pub region: DivisionCode,
    /// The month.
    pub period: Period,
    /// The figures.
    pub figures: ReportFigures,
    /// Its signals.
    pub signals: Vec<Signal>,
    /// The day it was submitted.
    pub submitted_on: NaiveDate,
    /// Whether after the day it was due.
    pub late: bool,
}

/// `EnterpriseReportCorrected` (schema 1): the figures of a month as
/// corrected; the report before stays in the stream.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnterpriseReportCorrected {
    /// The stream.
    pub reports_id: EnterpriseReportsId,
    /// The employer.
    pub employer_id: EmployerId,
    /// The month.
    pub period: Period,
    /// The corrected figures.
    pub figures: ReportFigures,
    /// Their signals.
    pub signals: Vec<Signal>,
    /// The day of the correction.
    pub corrected_on: NaiveDate,
}

crate::domain_events! {
    /// What happens to an enterprise's monthly reports.
    pub enum EnterpriseReportEvent in reports_id {
        /// `EnterpriseReportSubmitted`.
        Submitted(EnterpriseReportSubmitted) = ("EnterpriseReportSubmitted", 1),
        /// `EnterpriseReportCorrected`.
        Corrected(EnterpriseReportCorrected) = ("EnterpriseReportCorrected", 1),
    }
}

/// Why a report was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EnterpriseReportError {
    /// A month reported already: correct it instead.
    #[error("the month is already reported; send a correction")]
    AlreadyReported,
    /// A correction of a month never reported.
    #[error("the month is not reported yet; submit it first")]
    NotReported,
    /// A month that has not begun.
    #[error("a report cannot be for a month that has not begun")]
    PeriodInFuture,
    /// A correction that changes nothing.
    #[error("the correction changes nothing")]
    NothingChanged,
}

impl Coded for EnterpriseReportError {
    fn code(&self) -> &'static str {
        match self {
            Self::AlreadyReported => "already_reported",
            Self::NotReported => "not_reported",
            Self::PeriodInFuture => "period_in_future",
            Self::NothingChanged => "nothing_changed",
        }
    }
}

impl Refusal for EnterpriseReportError {
    fn kind(&self) -> ErrorKind {
        match self {
            Self::AlreadyReported => ErrorKind::Conflict,
            Self::NotReported => ErrorKind::NotFound,
            Self::PeriodInFuture | Self::NothingChanged => ErrorKind::Unprocessable,
        }
    }

    fn field(&self) -> Option<&'static str> {
        match self {
            Self::PeriodInFuture | Self::AlreadyReported | Self::NotReported => Some("period"),
            Self::NothingChanged => None,
        }
    }
}

impl Aggregate for EnterpriseReports {
    type Id = EnterpriseReportsId;
    type Command = EnterpriseReportCommand;
    type Event = EnterpriseReportEvent;
    type Error = EnterpriseReportError;

    fn decide(
        state: Option<&Self>,
        command: EnterpriseReportCommand,
    ) -> Result<Vec<EnterpriseReportEvent>, EnterpriseReportError> {
        let reported = |period: &Period| state.and_then(|reports| reports.reports.get(period));
        match command {
            EnterpriseReportCommand::Submit(file) => {
                if reported(&file.period).is_some() {
                    return Err(EnterpriseReportError::AlreadyReported);
                }
                check_period(&file)?;
                let signals = signals_of(&file);
                Ok(vec![EnterpriseReportEvent::Submitted(
                    EnterpriseReportSubmitted {
                        reports_id: EnterpriseReportsId::of(file.employer_id),
                        employer_id: file.employer_id,
                        region: file.region,
                        period: file.period,
                        figures: file.figures,
                        late: file.today > file.period.due_in_next_month(file.rules.due_day),
                        submitted_on: file.today,
                        signals,
                    },
                )])
            }
            EnterpriseReportCommand::Correct(file) => {
                let Some(current) = reported(&file.period) else {
                    return Err(EnterpriseReportError::NotReported);
                };
                if current.figures == file.figures {
                    return Err(EnterpriseReportError::NothingChanged);
                }
                let signals = signals_of(&file);
                Ok(vec![EnterpriseReportEvent::Corrected(
                    EnterpriseReportCorrected {
                        reports_id: EnterpriseReportsId::of(file.employer_id),
                        employer_id: file.employer_id,
                        period: file.period,
                        figures: file.figures,
                        signals,
                        corrected_on: file.today,
                    },
                )])
            }
        }
    }

    fn evolve(state: Option<Self>, event: &EnterpriseReportEvent) -> Option<Self> {
        match (state, event) {
            (state, EnterpriseReportEvent::Submitted(submitted)) => {
                let mut reports = state.unwrap_or_else(|| EnterpriseReports {
                    id: submitted.reports_id,
                    employer_id: submitted.employer_id,
                    region: submitted.region.clone(),
                    reports: BTreeMap::new(),
                });
                reports.region = submitted.region.clone();
                reports.reports.insert(
                    submitted.period,
                    FiledReport {
                        figures: submitted.figures,
                        signals: submitted.signals.clone(),
                        submitted_on: submitted.submitted_on,
                        late: submitted.late,
                        corrections: 0,
                    },
                );
                Some(reports)
            }
            (Some(mut reports), EnterpriseReportEvent::Corrected(corrected)) => {
                if let Some(report) = reports.reports.get_mut(&corrected.period) {
                    report.figures = corrected.figures;
                    report.signals = corrected.signals.clone();
                    report.corrections += 1;
                }
                Some(reports)
            }
            (None, EnterpriseReportEvent::Corrected(_)) => None,
        }
    }
}

fn check_period(file: &FileReport) -> Result<(), EnterpriseReportError> {
    if file.period > Period::of(file.today) {
        return Err(EnterpriseReportError::PeriodInFuture);
    }
    Ok(())
}

/// The signals of a report's figures.
pub fn signals_of(file: &FileReport) -> Vec<Signal> {
    let figures = &file.figures;
    let mut signals = Vec::new();
    match figures.state {
        OperatingState::Closed => signals.push(Signal::Closure),
        OperatingState::Stopped => signals.push(Signal::Stoppage),
        OperatingState::Operating => {}
    }
    // The workforce the month began with, as near as the figures tell.
    let workforce = (figures.headcount + figures.separations.total()).saturating_sub(figures.hires);
    let separations = u64::from(figures.separations.total());
    if separations > 0
        && separations * 100
            >= u64::from(workforce) * u64::from(file.rules.separation_signal_percent)
    {
        signals.push(Signal::HighSeparations);
    }
    let layoffs = figures.separations.layoffs;
    let planned_in_window = file.latest_plan_reported_on.is_some_and(|reported_on| {
        let window_start =
            file.period.first_day() - chrono::Duration::days(file.layoff_rules.plan_window_days);
        reported_on >= window_start && reported_on <= file.period.last_day()
    });
    if file.layoff_rules.is_mandatory_for(layoffs, workforce) && !planned_in_window {
        signals.push(Signal::UnreportedLayoff);
    }
    signals
}
