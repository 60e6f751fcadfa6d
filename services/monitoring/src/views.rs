//! What the API answers. Workers of a wage-arrears case are named by their
//! job-seeker ids only; no personal data is shown here.

use std::collections::BTreeMap;

use labex_domain::arrears::WageArrearsCase;
use labex_domain::enterprise_report::{EnterpriseReports, FiledReport};
use labex_domain::layoff::LayoffPlan;
use labex_domain::monitoring::{CoverageLine, LabourOffice, MonitoringPoint, Period};
use labex_domain::province_report::MonthlyReport;
use labex_domain::rfc3339_millis;
use labex_domain::value::Divisions;
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

use crate::read_model::{MissingReport, SubmissionRow, WarningRow};

/// A labour-security office.
#[derive(Debug, Serialize, ToSchema)]
pub struct OfficeView {
    pub id: String,
    pub name: String,
    pub region: String,
    pub revision: u64,
}

impl OfficeView {
    pub fn new(office: &LabourOffice, revision: u64) -> Self {
        Self {
            id: office.id.to_string(),
            name: office.name.to_string(),
            region: office.region.to_string(),
            revision,
        }
    }
}

/// A monitoring point.
#[derive(Debug, Serialize, ToSchema)]
pub struct PointView {
    pub id: String,
    /// `community_platform` or `labour_office`.
    pub kind: String,
    pub name: String,
    pub region: String,
    pub labour_office_id: Option<String>,
    /// The employer ids it follows.
    pub employers: Vec<String>,
    pub revision: u64,
}

impl PointView {
    pub fn new(point: &MonitoringPoint, revision: u64) -> Self {
        Self {
            id: point.id.to_string(),
            kind: point.kind.as_str().to_owned(),
            name: point.name.to_string(),
            region: point.region.to_string(),
            labour_office_id: point.labour_office_id.map(|id| id.to_string()),
            employers: point.employers.iter().map(ToString::to_string).collect(),
            revision,
        }
    }
}

/// One line of coverage: a prefecture city (community platforms, 社区平台)
/// or a county (labour-security offices designated as monitoring points,
/// 监测点).
#[derive(Debug, Serialize, ToSchema)]
pub struct CoverageLineView {
    pub region: String,
    /// The division's name (GB/T 2260).
    pub name: Option<String>,
    /// `city` (community platforms) or `county` (labour-security offices).
    pub level: String,
    pub has: u32,
    pub needs: u32,
    pub deficit: u32,
    /// For a county: its registered labour-security offices (劳动保障事务所).
    pub labour_offices: Option<u32>,
    /// For a county with no labour-security office registered: its need
    /// is unknown until they are (`needs` is 0 meanwhile).
    pub no_offices_registered: bool,
}

/// `GET /v1/monitoring/coverage`: every prefecture city and county of the
/// region in the division list, those with nothing included.
#[derive(Debug, Serialize, ToSchema)]
pub struct CoverageView {
    pub region: String,
    pub lines: Vec<CoverageLineView>,
    /// Points still missing in all.
    pub deficit: u32,
    /// Counties with no labour-security office registered.
    pub counties_without_offices: u32,
}

impl CoverageView {
    pub fn new(region: String, lines: &[CoverageLine]) -> Self {
        let without_offices = lines.iter().filter(|line| line.no_offices_registered);
        Self {
            region,
            deficit: lines.iter().map(|line| line.deficit).sum(),
            counties_without_offices: u32::try_from(without_offices.count()).unwrap_or(u32::MAX),
            lines: lines
                .iter()
                .map(|line| CoverageLineView {
                    region: line.region.to_string(),
                    name: Divisions::get()
                        .name(line.region.as_str())
                        .map(str::to_owned),
                    level: line.level.to_owned(),
                    has: line.has,
                    needs: line.needs,
                    deficit: line.deficit,
                    labour_offices: line.labour_offices,
                    no_offices_registered: line.no_offices_registered,
                })
                .collect(),
        }
    }
}

/// One month's report of an enterprise.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReportView {
    pub employer_id: String,
    pub period: String,
    #[schema(value_type = Object)]
    pub figures: Value,
    /// `closure`, `stoppage`, `high_separations`, `unreported_layoff`.
    pub signals: Vec<String>,
    pub submitted_on: String,
    pub late: bool,
    pub corrections: u32,
    /// The revision of the enterprise's report stream.
    pub revision: u64,
}

impl ReportView {
    pub fn new(reports: &EnterpriseReports, period: Period, revision: u64) -> Option<Self> {
        let report: &FiledReport = reports.reports.get(&period)?;
        Some(Self {
            employer_id: reports.employer_id.to_string(),
            period: period.to_string(),
            figures: serde_json::to_value(report.figures).unwrap_or_default(),
            signals: report
                .signals
                .iter()
                .map(|signal| {
                    serde_json::to_value(signal)
                        .ok()
                        .and_then(|v| v.as_str().map(str::to_owned))
                        .unwrap_or_default()
                })
                .collect(),
            submitted_on: report.submitted_on.to_string(),
            late: report.late,
            corrections: report.corrections,
            revision,
        })
    }
}

/// `GET /v1/monitoring/missing`.
#[derive(Debug, Serialize, ToSchema)]
pub struct MissingView {
    pub region: String,
    pub period: String,
    /// When reports of the month are due.
    pub due_on: String,
    /// Whether that day has passed.
    pub overdue: bool,
    /// Enterprises missing in all.
    pub total: u64,
    pub items: Vec<MissingReport>,
}

/// A layoff plan (裁员预报).
#[derive(Debug, Serialize, ToSchema)]
pub struct LayoffPlanView {
    pub id: String,
    pub employer_id: String,
    pub region: String,
    pub workforce: u32,
    pub planned: u32,
    pub reasons: String,
    pub planned_from: String,
    pub measures: String,
    pub reported_on: String,
    /// Planned ≥ the province's people or share of the workforce.
    pub mandatory: bool,
    /// Reported fewer days before it takes effect than the rules ask.
    pub late: bool,
    pub amendments: u32,
    /// `reported` or `concluded`.
    pub status: String,
    pub laid_off: Option<u32>,
    /// People laid off by the plan who were registered as unemployed
    /// (失业登记) from its outcome
    /// (`POST /v1/layoff-plans/{id}/outcome/registrations`): never more
    /// than `laid_off`; fewer while the others have not registered (or
    /// registered elsewhere, or found work at once).
    pub registered_unemployed: u32,
    pub revision: u64,
}

impl LayoffPlanView {
    pub fn new(plan: &LayoffPlan, revision: u64) -> Self {
        Self {
            id: plan.id.to_string(),
            employer_id: plan.employer_id.to_string(),
            region: plan.region.to_string(),
            workforce: plan.details.workforce,
            planned: plan.details.planned,
            reasons: plan.details.reasons.to_string(),
            planned_from: plan.details.planned_from.to_string(),
            measures: plan.details.measures.to_string(),
            reported_on: plan.reported_on.to_string(),
            mandatory: plan.mandatory,
            late: plan.late,
            amendments: plan.amendments,
            status: match plan.status {
                labex_domain::layoff::LayoffPlanStatus::Reported => "reported",
                labex_domain::layoff::LayoffPlanStatus::Concluded => "concluded",
            }
            .to_owned(),
            laid_off: plan.laid_off,
            registered_unemployed: u32::try_from(plan.registered.len()).unwrap_or(u32::MAX),
            revision,
        }
    }
}

/// A region's warning (失业预警).
#[derive(Debug, Serialize, ToSchema)]
pub struct WarningView {
    pub region: String,
    /// `none`, `blue`, `yellow`, `orange` or `red`.
    pub level: String,
    /// The month the level is of: for a standing level, the current month
    /// or the latest closed month, whichever is higher.
    pub period: String,
    /// The rule behind the level.
    #[schema(value_type = Option<Object>)]
    pub rule: Option<Value>,
    /// The month's indicators.
    #[schema(value_type = Object)]
    pub indicators: Value,
    pub since: String,
}

impl WarningView {
    pub fn new(row: &WarningRow) -> Self {
        Self {
            region: row.region.clone(),
            level: row.level.clone(),
            period: row.period.clone(),
            rule: row
                .rule
                .as_deref()
                .and_then(|rule| serde_json::from_str(rule).ok()),
            indicators: serde_json::from_str(&row.indicators).unwrap_or_default(),
            since: row.since.clone(),
        }
    }
}

/// `GET /v1/warnings`.
#[derive(Debug, Serialize, ToSchema)]
pub struct WarningsView {
    pub region: String,
    /// The month asked for; absent for the standing levels.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub period: Option<String>,
    /// The region's own level, standing or of the month asked for
    /// (`none` when it has never had one).
    pub level: String,
    pub items: Vec<WarningView>,
}

/// A wage-arrears worker.
#[derive(Debug, Serialize, ToSchema)]
pub struct WorkerView {
    pub jobseeker_id: String,
    pub owed_fen: u64,
    pub paid_fen: u64,
}

/// A wage-arrears case (欠薪).
#[derive(Debug, Serialize, ToSchema)]
pub struct CaseView {
    pub id: String,
    pub employer_id: String,
    pub region: String,
    /// `open`, `mediating`, `settled` or `transferred`.
    pub status: String,
    pub workers: Vec<WorkerView>,
    pub owed_fen: u64,
    pub paid_fen: u64,
    pub mediations: u32,
    pub opened_on: String,
    pub closed_on: Option<String>,
    pub revision: u64,
}

impl CaseView {
    pub fn new(case: &WageArrearsCase, revision: u64) -> Self {
        Self {
            id: case.id.to_string(),
            employer_id: case.employer_id.to_string(),
            region: case.region.to_string(),
            status: case.status.as_str().to_owned(),
            workers: case
                .workers
                .iter()
                .map(|(worker, claim)| WorkerView {
                    jobseeker_id: worker.to_string(),
                    owed_fen: claim.owed_fen,
                    paid_fen: claim.paid_fen,
                })
                .collect(),
            owed_fen: case.owed_fen(),
            paid_fen: case.paid_fen(),
            mediations: case.mediations,
            opened_on: case.opened_on.to_string(),
            closed_on: case.closed_on.map(|day| day.to_string()),
            revision,
        }
    }
}

/// `GET /v1/employers/{id}/arrears-status`: the mark staff see.
#[derive(Debug, Serialize, ToSchema)]
pub struct ArrearsStatusView {
    pub employer_id: String,
    /// Whether a case is open (the employer is marked).
    pub marked: bool,
    pub open_cases: i64,
    pub owed_fen: i64,
    pub paid_fen: i64,
}

/// `GET /v1/monitoring/returns`.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReturnsView {
    pub region: String,
    pub period: String,
    pub total: i64,
    pub items: Vec<ReturnCount>,
}

/// Returns from one origin with one intention.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReturnCount {
    pub from_region: String,
    pub intention: String,
    pub count: i64,
}

/// `GET /v1/reports/monthly`.
#[derive(Debug, Serialize, ToSchema)]
pub struct MonthlyReportView {
    pub region: String,
    pub period: String,
    /// The region's warning level for the month (`none` … `red`): its
    /// indicators up to the month assessed by the rules in force.
    pub warning_level: String,
    /// Every figure of the month by name, for the region's scope (a
    /// county, a city or the province: every code under its prefix).
    /// Flows count what happened in the month; stocks stand at its end.
    ///
    /// Registrations and referrals: `jobseeker_registrations`,
    /// `new_unemployment_registrations`, `employment_registrations`,
    /// `registered_unemployed` (stock), `referrals`, `hires`, and by the
    /// job seeker's categories when referred or hired `referrals_<category>`
    /// and `hires_<category>` (`graduate`, `migrant_worker`, `laid_off`,
    /// `urban_new_labour`, `hardship`, `zero_employment_household`,
    /// `returning_migrant`, `disabled`, `student_loan_graduate`,
    /// `long_term_unemployed`; a person in two categories counts in both),
    /// counted for the job seeker's office; `migrant_returns`.
    ///
    /// The labour market at the month's end: `open_vacancies` (places not
    /// yet taken in open vacancies, for the region where the work is),
    /// `jobseekers_seeking` (registered job seekers not recorded employed
    /// since, or unemployed again), `vacancies_per_100_jobseekers` (求人倍率
    /// in hundredths: open vacancies × 100 / job seekers seeking, 0 when
    /// none is seeking).
    ///
    /// Enterprises: `reports_received`, `reports_missing`,
    /// `reported_headcount`, `separations`, `enterprise_closures`,
    /// `enterprise_stoppages`, `unreported_layoffs`, `layoff_plans`,
    /// `mandatory_layoff_plans`, `people_concerned`, `layoffs_carried_out`,
    /// `wage_arrears_cases`, `wage_arrears_open` (open now).
    ///
    /// Warnings: `regions_at_warning` (regions within the scope at a level
    /// above `none` for the month), `warning_level_rank` (0 none … 4 red).
    ///
    /// Training, for the office of the course: `training_enrolments`
    /// (seats taken: enrolled with a seat or moved up from the waiting
    /// list), `training_completions`, `training_appraisals_passed`,
    /// `trainees_employed` (employment within the window after completion,
    /// as the course's outcomes count it, in the month the job started).
    ///
    /// Zero-employment households, for the office that keeps the register:
    /// at the month's end `households_declared` (awaiting verification),
    /// `households_registered`, `households_cleared`,
    /// `households_stabilised`, `households_rejected`, `households_exited`;
    /// and `households_cleared_in_month`.
    ///
    /// Public-welfare posts and internships, for the office that funds
    /// them: `welfare_placements_started`, `welfare_placements_ended`
    /// (ended early or at the end of the subsidised period),
    /// `internships_started`, `internships_completed`, `interns_retained`.
    ///
    /// Job fairs, for the fair's region: `fairs_held` (not cancelled,
    /// starting in the month), `fair_hires` (hires on referrals that name
    /// a fair).
    #[schema(value_type = Object)]
    pub figures: BTreeMap<String, i64>,
}

/// A submission to the province.
#[derive(Debug, Serialize, ToSchema)]
pub struct SubmissionView {
    pub region: String,
    pub period: String,
    pub submission: u32,
    #[schema(value_type = Object)]
    pub figures: BTreeMap<String, i64>,
    /// Figures that differ from the submission before: `{before, after}`.
    #[schema(value_type = Object)]
    pub differences: Value,
    pub submitted_at: String,
}

impl SubmissionView {
    pub fn from_report(report: &MonthlyReport) -> Self {
        Self {
            region: report.region.to_string(),
            period: report.period.to_string(),
            submission: report.submissions,
            figures: report.figures.clone(),
            differences: serde_json::to_value(&report.differences).unwrap_or_default(),
            submitted_at: rfc3339_millis(report.submitted_at),
        }
    }

    pub fn from_row(row: &SubmissionRow) -> Self {
        Self {
            region: row.region.clone(),
            period: row.period.clone(),
            submission: row.submission,
            figures: row.figures.clone(),
            differences: serde_json::from_str(&row.differences).unwrap_or_default(),
            submitted_at: row.submitted_at.clone(),
        }
    }
}

/// `GET /v1/reports/monthly/submissions`.
#[derive(Debug, Serialize, ToSchema)]
pub struct SubmissionsView {
    pub region: String,
    pub period: String,
    pub items: Vec<SubmissionView>,
}
