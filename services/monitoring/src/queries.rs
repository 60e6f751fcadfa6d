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
    CoverageLine, LabourOffice, LabourOfficeId, MonitoringPoint, MonitoringPointId, Period,
    coverage,
};
use labex_domain::value::{DivisionCode, DivisionLevel, Divisions};
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
pub const FIGURES: [&str; 63] = [
    "jobseeker_registrations",
    "new_unemployment_registrations",
    "employment_registrations",
    "registered_unemployed",
    "referrals",
    "hires",
    "migrant_returns",
    "open_vacancies",
    "jobseekers_seeking",
    "vacancies_per_100_jobseekers",
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
    "training_enrolments",
    "training_completions",
    "training_appraisals_passed",
    "trainees_employed",
    "households_declared",
    "households_registered",
    "households_cleared",
    "households_stabilised",
    "households_rejected",
    "households_exited",
    "households_cleared_in_month",
    "welfare_placements_started",
    "welfare_placements_ended",
    "internships_started",
    "internships_completed",
    "interns_retained",
    "referrals_graduate",
    "referrals_migrant_worker",
    "referrals_laid_off",
    "referrals_urban_new_labour",
    "referrals_hardship",
    "referrals_zero_employment_household",
    "referrals_returning_migrant",
    "referrals_disabled",
    "referrals_student_loan_graduate",
    "referrals_long_term_unemployed",
    "hires_graduate",
    "hires_migrant_worker",
    "hires_laid_off",
    "hires_urban_new_labour",
    "hires_hardship",
    "hires_zero_employment_household",
    "hires_returning_migrant",
    "hires_disabled",
    "hires_student_loan_graduate",
    "hires_long_term_unemployed",
    "fairs_held",
    "fair_hires",
];

/// The name offices use for a figure (the CSV's `label`).
pub fn figure_label(figure: &str) -> &'static str {
    match figure {
        "jobseeker_registrations" => "求职登记",
        "new_unemployment_registrations" => "新增失业登记",
        "employment_registrations" => "就业登记",
        "registered_unemployed" => "登记失业人数",
        "referrals" => "职业介绍",
        "hires" => "介绍成功",
        "migrant_returns" => "农民工返乡",
        "open_vacancies" => "空缺岗位数（月末）",
        "jobseekers_seeking" => "求职人数（月末）",
        "vacancies_per_100_jobseekers" => "求人倍率（×100，月末）",
        "reports_received" => "监测报表已报",
        "reports_missing" => "监测报表未报",
        "reported_headcount" => "监测企业用工人数",
        "separations" => "减员人数",
        "enterprise_closures" => "关闭企业",
        "enterprise_stoppages" => "停产企业",
        "unreported_layoffs" => "未预报裁员",
        "layoff_plans" => "裁员预报",
        "mandatory_layoff_plans" => "须报告的裁员预报",
        "people_concerned" => "涉及人数",
        "layoffs_carried_out" => "实际裁员人数",
        "wage_arrears_cases" => "欠薪案件",
        "wage_arrears_open" => "未结欠薪案件",
        "regions_at_warning" => "预警地区数",
        "warning_level_rank" => "预警级别",
        "training_enrolments" => "培训报名入学",
        "training_completions" => "培训结业",
        "training_appraisals_passed" => "技能鉴定合格",
        "trainees_employed" => "培训后就业",
        "households_declared" => "零就业家庭待审核（月末）",
        "households_registered" => "零就业家庭登记在册（月末）",
        "households_cleared" => "零就业家庭已消除（月末）",
        "households_stabilised" => "零就业家庭稳定就业（月末）",
        "households_rejected" => "零就业家庭审核未通过（月末）",
        "households_exited" => "零就业家庭退出（月末）",
        "households_cleared_in_month" => "本月消除零就业家庭",
        "welfare_placements_started" => "公益性岗位安置",
        "welfare_placements_ended" => "公益性岗位退出",
        "internships_started" => "就业见习上岗",
        "internships_completed" => "就业见习期满",
        "interns_retained" => "见习留用",
        "referrals_graduate" => "职业介绍（高校毕业生）",
        "referrals_migrant_worker" => "职业介绍（农民工）",
        "referrals_laid_off" => "职业介绍（下岗失业人员）",
        "referrals_urban_new_labour" => "职业介绍（城镇新增劳动力）",
        "referrals_hardship" => "职业介绍（困难群众）",
        "referrals_zero_employment_household" => "职业介绍（零就业家庭成员）",
        "referrals_returning_migrant" => "职业介绍（返乡农民工）",
        "referrals_disabled" => "职业介绍（残疾人）",
        "referrals_student_loan_graduate" => "职业介绍（享受助学贷款的高校毕业生）",
        "referrals_long_term_unemployed" => "职业介绍（长期失业人员）",
        "hires_graduate" => "介绍成功（高校毕业生）",
        "hires_migrant_worker" => "介绍成功（农民工）",
        "hires_laid_off" => "介绍成功（下岗失业人员）",
        "hires_urban_new_labour" => "介绍成功（城镇新增劳动力）",
        "hires_hardship" => "介绍成功（困难群众）",
        "hires_zero_employment_household" => "介绍成功（零就业家庭成员）",
        "hires_returning_migrant" => "介绍成功（返乡农民工）",
        "hires_disabled" => "介绍成功（残疾人）",
        "hires_student_loan_graduate" => "介绍成功（享受助学贷款的高校毕业生）",
        "hires_long_term_unemployed" => "介绍成功（长期失业人员）",
        "fairs_held" => "举办招聘会",
        "fair_hires" => "招聘会介绍成功",
        _ => "",
    }
}

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

    /// An enterprise's report of one month (as last corrected): the
    /// enterprise or office staff covering it; not found when the month is
    /// not reported.
    pub async fn get_report(
        &self,
        actor: &Actor,
        employer: EmployerId,
        period: Period,
    ) -> Result<Saved<EnterpriseReports>> {
        let found = self.get_reports(actor, employer).await?;
        if !found.state.reports.contains_key(&period) {
            return Err(not_found(
                "monthly report",
                format!("of the enterprise {employer} for {period}"),
            ));
        }
        Ok(found)
    }

    /// A labour-security office (劳动保障事务所): office staff whose scope
    /// covers its county.
    pub async fn get_office(
        &self,
        actor: &Actor,
        id: LabourOfficeId,
        as_of: Option<DateTime<Utc>>,
    ) -> Result<Saved<LabourOffice>> {
        actor.require_role(STAFF)?;
        let found: Saved<LabourOffice> = Saved::read(&self.repository, id, as_of, || {
            not_found("labour-security office", id)
        })
        .await?;
        actor.may_act_in(&found.state.region)?;
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
    /// office when absent): every prefecture city and county of the
    /// division list (GB/T 2260) within it, those with no point at all
    /// included, and any other a point or an office names. A county asked
    /// for alone shows its own line only.
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
        let areas: BTreeSet<DivisionCode> = Divisions::get()
            .within(&region)
            .into_iter()
            .filter(|division| {
                division.level == DivisionLevel::County || division.is_prefecture_city()
            })
            .filter_map(|division| DivisionCode::parse(division.code).ok())
            .collect();
        let lines = coverage(&rules, &offices, &points, &areas);
        Ok(lines
            .into_iter()
            .filter(|line| region.covers(&line.region))
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

    /// The warning of each region within `region` that has one: its
    /// standing level (the higher of the current month's and the latest
    /// closed month's), or with `period` the level of that month of each
    /// region whose level for it ever changed.
    pub async fn warnings(
        &self,
        actor: &Actor,
        region: Option<DivisionCode>,
        period: Option<Period>,
    ) -> Result<Vec<WarningRow>> {
        let region = self.scope_of(actor, region)?;
        Ok(self
            .read_model
            .read(move |connection| match period {
                None => read_model::warnings(connection, &region),
                Some(period) => read_model::warnings_of_month(connection, &region, period),
            })
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
    /// The warning level and the regions at warning are the month's own:
    /// each region assessed for that month by the rules in force, as the
    /// assessor does, not the levels of today.
    pub async fn monthly_figures(
        &self,
        actor: &Actor,
        region: DivisionCode,
        period: Period,
    ) -> Result<MonthlyFigures> {
        let region = self.scope_of(actor, Some(region))?;
        let within = region.clone();
        let (series, missing, open_arrears, warnings, more) = self
            .read_model
            .read(move |connection| {
                Ok((
                    read_model::series(connection, &within, period, period)?,
                    read_model::missing_count(connection, &within, period)?,
                    read_model::open_arrears_in(connection, &within)?,
                    read_model::warnings(connection, &within)?,
                    read_model::report_figures(connection, &within, period)?,
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
        for (name, value) in more {
            if let Some(figure) = figures.get_mut(&name) {
                *figure = value;
            }
        }
        figures.insert("reports_missing".to_owned(), missing);
        figures.insert("wage_arrears_open".to_owned(), open_arrears);
        // Only a region that has ever changed level can be at warning in
        // some month: those are assessed for this one, and the region
        // itself.
        let mut candidates: BTreeSet<DivisionCode> = warnings
            .iter()
            .filter_map(|row| DivisionCode::parse(&row.region).ok())
            .collect();
        candidates.insert(region.clone());
        let mut at_warning = 0_i64;
        let mut own = Level::None;
        for candidate in candidates {
            let level = self.level_in(&candidate, period).await?;
            if level != Level::None {
                at_warning += 1;
            }
            if candidate == region {
                own = level;
            }
        }
        figures.insert("regions_at_warning".to_owned(), at_warning);
        figures.insert("warning_level_rank".to_owned(), level_rank(own.as_str()));
        Ok(MonthlyFigures {
            region,
            period,
            figures,
            warning_level: own.as_str().to_owned(),
        })
    }

    /// A region's warning level for a month: its indicators up to the
    /// month assessed by the rules in force in it.
    async fn level_in(&self, region: &DivisionCode, period: Period) -> Result<Level> {
        let rules: WarningRules = self.rules_for(region).warnings.clone();
        let months = i32::try_from(rules.months_needed()).unwrap_or(15);
        let within = region.clone();
        let series = self
            .read_model
            .read(move |connection| {
                read_model::series(connection, &within, period.plus(1 - months), period)
            })
            .await?;
        Ok(assess(&rules, &series, period).level)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_figure_is_named_once_and_has_a_chinese_label() {
        let names: BTreeSet<&str> = FIGURES.iter().copied().collect();
        assert_eq!(names.len(), FIGURES.len(), "no figure is listed twice");
        for name in FIGURES {
            assert!(!figure_label(name).is_empty(), "{name} has a label");
        }
        let labels: BTreeSet<&str> = FIGURES.iter().map(|name| figure_label(name)).collect();
        assert_eq!(labels.len(), FIGURES.len(), "no two figures share a label");
    }

    #[test]
    fn every_category_has_its_referrals_and_hires() {
        for category in labex_domain::value::JobSeekerCategory::ALL {
            for flow in ["referrals", "hires"] {
                let name = format!("{flow}_{}", category.as_str());
                assert!(FIGURES.contains(&name.as_str()), "{name} is a figure");
            }
        }
    }
}
