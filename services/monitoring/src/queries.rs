//! The use cases of monitoring that read: a point, a plan, a case, an
//! enterprise's reports; coverage of monitoring points, enterprises that
//! have not reported, warning levels, returns home, the monthly figures
//! of a region and the submissions to the province. Office staff within
//! their scope (the province everywhere); an enterprise reads its own
//! plans and reports.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};
use labex_app::{Actor, Result, STAFF, Saved};
use labex_domain::arrears::{WageArrearsCase, WageArrearsCaseId};
use labex_domain::enterprise_report::{EnterpriseReports, EnterpriseReportsId};
use labex_domain::layoff::{LayoffPlan, LayoffPlanId};
use labex_domain::monitoring::{
    CoverageLine, MonitoringPoint, MonitoringPointId, Period, coverage,
};
use labex_domain::value::{DivisionCode, DivisionLevel};
use labex_domain::warning::{Indicator, Level, Series, WarningRules, assess};
use labex_domain::{EmployerId, china_date};

use crate::commands::{Monitoring, not_found};
use crate::read_model::{self, MissingReport, PlanRow, SubmissionRow, WarningRow};

/// A region's figures of a month.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MonthlyFigures {
    /// The region.
    pub region: DivisionCode,
    /// The month.
    pub period: Period,
    /// Every figure, by name.
    pub figures: BTreeMap<String, i64>,
    /// The region's warning level now.
    pub warning_level: String,
}

/// What missing reports a region has for a month.
#[derive(Debug, Clone)]
pub struct Missing {
    pub period: Period,
    pub due_on: chrono::NaiveDate,
    pub overdue: bool,
    pub total: u64,
    pub items: Vec<MissingReport>,
}

/// The figures of a monthly report, in the order a CSV lists them.
pub const FIGURES: [&str; 22] = [
    "jobseeker_registrations",
    "new_unemployment_registrations",
    "employment_registrations",
    "registered_unemployed",
    "referrals",
    "hires",
    "migrant_returns",
    "reports_received",
    "reports_missing",
    "reported_headcount",
    "separations",
    "enterprise_closures",
    "enterprise_stoppages",
    "unreported_layoffs",
    "layoff_plans",
    "mandatory_layoff_plans",
    "people_concerned",
    "layoffs_carried_out",
    "wage_arrears_cases",
    "wage_arrears_open",
    "regions_at_warning",
    "warning_level_rank",
];

impl Monitoring {
    /// A monitoring point: office staff whose scope covers it.
    pub async fn get_point(
        &self,
        actor: &Actor,
        id: MonitoringPointId,
        as_of: Option<DateTime<Utc>>,
    ) -> Result<Saved<MonitoringPoint>> {
        actor.require_role(STAFF)?;
        let found: Saved<MonitoringPoint> = Saved::read(&self.repository, id, as_of, || {
            not_found("monitoring point", id)
        })
        .await?;
        actor.may_act_in(&found.state.region)?;
        Ok(found)
    }

    /// A layoff plan: the enterprise or office staff covering it.
    pub async fn get_layoff_plan(
        &self,
        actor: &Actor,
        id: LayoffPlanId,
        as_of: Option<DateTime<Utc>>,
    ) -> Result<Saved<LayoffPlan>> {
        let found: Saved<LayoffPlan> =
            Saved::read(&self.repository, id, as_of, || not_found("layoff plan", id)).await?;
        actor.may_act_for_employer(found.state.employer_id, &found.state.region)?;
        Ok(found)
    }

    /// An enterprise's monthly reports: the enterprise or office staff.
    pub async fn get_reports(
        &self,
        actor: &Actor,
        employer: EmployerId,
    ) -> Result<Saved<EnterpriseReports>> {
        let found: Saved<EnterpriseReports> = Saved::read(
            &self.repository,
            EnterpriseReportsId::of(employer),
            None,
            || not_found("report of the enterprise", employer),
        )
        .await?;
        actor.may_act_for_employer(employer, &found.state.region)?;
        Ok(found)
    }

    /// A wage-arrears case: office staff covering it.
    pub async fn get_case(
        &self,
        actor: &Actor,
        id: WageArrearsCaseId,
    ) -> Result<Saved<WageArrearsCase>> {
        actor.require_role(STAFF)?;
        let found: Saved<WageArrearsCase> = Saved::read(&self.repository, id, None, || {
            not_found("wage-arrears case", id)
        })
        .await?;
        actor.may_act_in(&found.state.region)?;
        Ok(found)
    }

    /// The coverage of monitoring points within `region` (the actor's
    /// office when absent).
    pub async fn coverage(
        &self,
        actor: &Actor,
        region: Option<DivisionCode>,
    ) -> Result<Vec<CoverageLine>> {
        let region = self.scope_of(actor, region)?;
        let rules = self.rules_for(&region).coverage.clone();
        let within = region.clone();
        let (offices, points) = self
            .read_model
            .read(move |connection| read_model::offices_and_points(connection, &within))
            .await?;
        let cities: BTreeSet<DivisionCode> = match region.level() {
            DivisionLevel::City => [region.clone()].into(),
            _ => BTreeSet::new(),
        };
        let lines = coverage(&rules, &offices, &points, &cities);
        Ok(lines
            .into_iter()
            .filter(|line| region.covers(&line.region) || line.region.covers(&region))
            .collect())
    }

    /// Followed enterprises within `region` that have not reported for
    /// `period` (last month when absent), at most `limit`.
    pub async fn missing(
        &self,
        actor: &Actor,
        region: Option<DivisionCode>,
        period: Option<Period>,
        limit: u32,
    ) -> Result<Missing> {
        let region = self.scope_of(actor, region)?;
        let today = china_date(Utc::now());
        let period = period.unwrap_or_else(|| Period::of(today).plus(-1));
        let due_on = period.due_in_next_month(self.rules_for(&region).reports.due_day);
        let (items, total) = self
            .read_model
            .read(move |connection| read_model::missing(connection, &region, period, limit))
            .await?;
        Ok(Missing {
            period,
            due_on,
            overdue: today > due_on,
            total,
            items,
        })
    }

    /// The warning of each region within `region` that has one.
    pub async fn warnings(
        &self,
        actor: &Actor,
        region: Option<DivisionCode>,
    ) -> Result<Vec<WarningRow>> {
        let region = self.scope_of(actor, region)?;
        Ok(self
            .read_model
            .read(move |connection| read_model::warnings(connection, &region))
            .await?)
    }

    /// Changes of warning levels within `region` after `after`.
    pub async fn warning_changes(
        &self,
        actor: &Actor,
        region: Option<DivisionCode>,
        after: i64,
        limit: u32,
    ) -> Result<Vec<(i64, String)>> {
        let region = self.scope_of(actor, region)?;
        Ok(self
            .read_model
            .read(move |connection| read_model::warning_changes(connection, &region, after, limit))
            .await?)
    }

    /// The indicators of a region from `from` to `to`, and what the rules
    /// make of `to`.
    pub async fn indicators(
        &self,
        actor: &Actor,
        region: Option<DivisionCode>,
        from: Period,
        to: Period,
    ) -> Result<(DivisionCode, Series, Level)> {
        let region = self.scope_of(actor, region)?;
        let within = region.clone();
        let series = self
            .read_model
            .read(move |connection| read_model::series(connection, &within, from, to))
            .await?;
        let rules: WarningRules = self.rules_for(&region).warnings.clone();
        let level = assess(&rules, &series, to).level;
        Ok((region, series, level))
    }

    /// Returns home within `region` in `period`: origin, intention, count.
    pub async fn returns(
        &self,
        actor: &Actor,
        region: Option<DivisionCode>,
        period: Period,
    ) -> Result<(DivisionCode, Vec<(String, String, i64)>)> {
        let region = self.scope_of(actor, region)?;
        let within = region.clone();
        let rows = self
            .read_model
            .read(move |connection| read_model::returns(connection, &within, period))
            .await?;
        Ok((region, rows))
    }

    /// An employer's open wage-arrears cases: cases, owed and paid in fen.
    pub async fn arrears_status(
        &self,
        actor: &Actor,
        employer: EmployerId,
    ) -> Result<(i64, i64, i64)> {
        actor.require_role(STAFF)?;
        let found = self
            .employer(employer)
            .await
            .map_err(|_| not_found("employer", employer))?;
        actor.may_act_in(&found.region)?;
        let id = employer.to_string();
        Ok(self
            .read_model
            .read(move |connection| read_model::arrears_of(connection, &id))
            .await?)
    }

    /// A region's figures of a month, from the events recorded so far.
    pub async fn monthly_figures(
        &self,
        actor: &Actor,
        region: DivisionCode,
        period: Period,
    ) -> Result<MonthlyFigures> {
        let region = self.scope_of(actor, Some(region))?;
        let within = region.clone();
        let (series, missing, open_arrears, warnings) = self
            .read_model
            .read(move |connection| {
                Ok((
                    read_model::series(connection, &within, period, period)?,
                    read_model::missing_count(connection, &within, period)?,
                    read_model::open_arrears_in(connection, &within)?,
                    read_model::warnings(connection, &within)?,
                ))
            })
            .await?;
        let month = series.get(&period).cloned().unwrap_or_default();
        let mut figures: BTreeMap<String, i64> =
            FIGURES.iter().map(|name| ((*name).to_owned(), 0)).collect();
        for indicator in Indicator::ALL {
            if let Some(value) = figures.get_mut(indicator.as_str()) {
                *value = month.get(&indicator).copied().unwrap_or(0);
            }
        }
        figures.insert("reports_missing".to_owned(), missing);
        figures.insert("wage_arrears_open".to_owned(), open_arrears);
        let at_warning = warnings.iter().filter(|row| row.level != "none").count();
        figures.insert(
            "regions_at_warning".to_owned(),
            i64::try_from(at_warning).unwrap_or(0),
        );
        let own = warnings
            .iter()
            .find(|row| row.region == region.as_str())
            .map_or_else(|| "none".to_owned(), |row| row.level.clone());
        figures.insert("warning_level_rank".to_owned(), level_rank(&own));
        Ok(MonthlyFigures {
            region,
            period,
            figures,
            warning_level: own,
        })
    }

    /// The latest submissions of the regions within `region` for `period`.
    pub async fn submissions(
        &self,
        actor: &Actor,
        region: Option<DivisionCode>,
        period: Period,
    ) -> Result<Vec<SubmissionRow>> {
        let region = self.scope_of(actor, region)?;
        Ok(self
            .read_model
            .read(move |connection| read_model::submissions(connection, &region, period))
            .await?)
    }

    /// Layoff plans within `region` reported in `period`.
    pub async fn layoff_plans(
        &self,
        actor: &Actor,
        region: Option<DivisionCode>,
        period: Period,
    ) -> Result<Vec<PlanRow>> {
        let region = self.scope_of(actor, region)?;
        Ok(self
            .read_model
            .read(move |connection| read_model::layoff_plans_in(connection, &region, period))
            .await?)
    }

    /// The region asked for (the actor's office when absent), once the
    /// actor is office staff whose scope covers it.
    pub(crate) fn scope_of(
        &self,
        actor: &Actor,
        region: Option<DivisionCode>,
    ) -> Result<DivisionCode> {
        actor.require_role(STAFF)?;
        let region = region.unwrap_or_else(|| actor.office.clone());
        actor.may_act_in(&region)?;
        Ok(region)
    }
}

/// `none` 0, `blue` 1 … `red` 4.
pub fn level_rank(level: &str) -> i64 {
    match level {
        "blue" => 1,
        "yellow" => 2,
        "orange" => 3,
        "red" => 4,
        _ => 0,
    }
}
