//! Reports to the province (向省厅报告): a region's figures for a month,
//! submitted as an event. A later submission of the same month records
//! how its figures differ from the one before, so that the province sees
//! what changed and which regions have submitted.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::aggregate::Aggregate;
use crate::ids::aggregate_id;
use crate::monitoring::Period;
use crate::refusal::{Coded, ErrorKind, Refusal};
use crate::value::DivisionCode;

aggregate_id!(
    /// Identifies a region's monthly report; stream `monthlyreport-<uuid>`.
    MonthlyReportId,
    "monthlyreport",
    "monthly report"
);

impl MonthlyReportId {
    /// The report of a region's month: a UUID made of the division code
    /// and the month, so that each has exactly one.
    pub fn of(region: &DivisionCode, period: Period) -> Self {
        let code: u128 = region.as_str().parse().unwrap_or(0);
        let month = u128::try_from(period.index()).unwrap_or(0);
        Self::from_uuid(uuid::Uuid::from_u128(
            0x2abe_0000_0000_8000_8000_0000_0000_0000 | (month << 24) | code,
        ))
    }
}

/// A difference between two submissions of a figure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Difference {
    /// In the submission before.
    pub before: i64,
    /// In this one.
    pub after: i64,
}

/// A region's monthly report, as folded from its submissions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MonthlyReport {
    /// Its id.
    pub id: MonthlyReportId,
    /// The region.
    pub region: DivisionCode,
    /// The month.
    pub period: Period,
    /// The figures last submitted.
    pub figures: BTreeMap<String, i64>,
    /// How many submissions.
    pub submissions: u32,
    /// The differences of the last submission from the one before.
    pub differences: BTreeMap<String, Difference>,
    /// When it was last submitted.
    pub submitted_at: DateTime<Utc>,
}

/// Submit a month's figures.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubmitMonthlyReport {
    /// The region.
    pub region: DivisionCode,
    /// The month.
    pub period: Period,
    /// The figures, by name.
    pub figures: BTreeMap<String, i64>,
    /// Now.
    pub at: DateTime<Utc>,
}

/// `MonthlyReportSubmitted` (schema 1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MonthlyReportSubmitted {
    /// The report.
    pub report_id: MonthlyReportId,
    /// The region.
    pub region: DivisionCode,
    /// The month.
    pub period: Period,
    /// Which submission this is, from 1.
    pub submission: u32,
    /// The figures.
    pub figures: BTreeMap<String, i64>,
    /// How they differ from the submission before (none for the first).
    pub differences: BTreeMap<String, Difference>,
    /// When.
    pub submitted_at: DateTime<Utc>,
}

crate::domain_events! {
    /// What happens to a region's monthly report.
    pub enum MonthlyReportEvent in report_id {
        /// `MonthlyReportSubmitted`.
        Submitted(MonthlyReportSubmitted) = ("MonthlyReportSubmitted", 1),
    }
}

/// Why a submission was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MonthlyReportError {
    /// A submission of another region's or month's figures on this report.
    #[error("the submission is of another region or month")]
    OtherReport,
}

impl Coded for MonthlyReportError {
    fn code(&self) -> &'static str {
        "other_report"
    }
}

impl Refusal for MonthlyReportError {
    fn kind(&self) -> ErrorKind {
        ErrorKind::Conflict
    }

    fn field(&self) -> Option<&'static str> {
        None
    }
}

impl Aggregate for MonthlyReport {
    type Id = MonthlyReportId;
    type Command = SubmitMonthlyReport;
    type Event = MonthlyReportEvent;
    type Error = MonthlyReportError;

    fn decide(
        state: Option<&Self>,
        submit: SubmitMonthlyReport,
    ) -> Result<Vec<MonthlyReportEvent>, MonthlyReportError> {
        let (submission, differences) = match state {
            Some(report) if report.region != submit.region || report.period != submit.period => {
                return Err(MonthlyReportError::OtherReport);
            }
            Some(report) => (
                report.submissions + 1,
                differences(&report.figures, &submit.figures),
            ),
            None => (1, BTreeMap::new()),
        };
        Ok(vec![MonthlyReportEvent::Submitted(
            MonthlyReportSubmitted {
                report_id: MonthlyReportId::of(&submit.region, submit.period),
                region: submit.region,
                period: submit.period,
                submission,
                figures: submit.figures,
                differences,
                submitted_at: submit.at,
            },
        )])
    }

    fn evolve(_state: Option<Self>, event: &MonthlyReportEvent) -> Option<Self> {
        let MonthlyReportEvent::Submitted(submitted) = event;
        Some(MonthlyReport {
            id: submitted.report_id,
            region: submitted.region.clone(),
            period: submitted.period,
            figures: submitted.figures.clone(),
            submissions: submitted.submission,
            differences: submitted.differences.clone(),
            submitted_at: submitted.submitted_at,
        })
    }
}

/// Every figure whose value differs between `before` and `after` (a
/// figure missing on one side counts as 0).
pub fn differences(
    before: &BTreeMap<String, i64>,
    after: &BTreeMap<String, i64>,
) -> BTreeMap<String, Difference> {
    before
        .keys()
        .chain(after.keys())
        .filter_map(|name| {
            let old = before.get(name).copied().unwrap_or(0);
            let new = after.get(name).copied().unwrap_or(0);
            (old != new).then(|| {
                (
                    name.clone(),
                    Difference {
                        before: old,
                        after: new,
                    },
                )
            })
        })
        .collect()
}
