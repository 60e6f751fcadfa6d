//! Unemployment early warning (失业预警): indicators per region (county,
//! city, province) and month, taken from the events of every context, and
//! a level — `none`, `blue`, `yellow`, `orange`, `red` — raised by rules
//! kept as data ([`WarningRules`]: an indicator, a comparison and a
//! level), among them one of the Sahm kind (the 3-month average of new
//! unemployment registrations against its 12-month low).
//!
//! [`assess`] is the pure evaluation; a region's warning is an aggregate
//! (`warning-<uuid>`, the UUID made from the division code) whose every
//! change of level is a `WarningLevelChanged` event carrying the
//! indicators and the rule that moved it.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::aggregate::Aggregate;
use crate::ids::aggregate_id;
use crate::monitoring::Period;
use crate::refusal::{Coded, ErrorKind, Refusal};
use crate::value::DivisionCode;

mod rules;

pub use rules::{Comparison, DEFAULT_RULES_JSON, WarningRule, WarningRules};

aggregate_id!(
    /// Identifies a region's warning; stream `warning-<uuid>`.
    WarningId,
    "warning",
    "region's warning"
);

impl WarningId {
    /// The warning of a region: a UUID whose last digits are the division
    /// code, so that each region has exactly one.
    pub fn of(region: &DivisionCode) -> Self {
        let code: u128 = region.as_str().parse().unwrap_or(0);
        Self::from_uuid(uuid::Uuid::from_u128(
            0x1abe_0000_0000_8000_8000_0000_0000_0000 | code,
        ))
    }
}

/// What is counted per region and month.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Indicator {
    /// Job seekers registered (求职登记) in the month.
    JobseekerRegistrations,
    /// Unemployment registrations (失业登记) in the month.
    NewUnemploymentRegistrations,
    /// Employment registrations (就业登记) in the month.
    EmploymentRegistrations,
    /// People registered unemployed at the end of the month.
    RegisteredUnemployed,
    /// Referrals made (职业介绍).
    Referrals,
    /// Referrals that ended in a hire.
    Hires,
    /// Layoff plans reported.
    LayoffPlans,
    /// Mandatory layoff plans reported.
    MandatoryLayoffPlans,
    /// People concerned by mandatory plans.
    PeopleConcerned,
    /// People laid off, by the plans' outcomes.
    LayoffsCarriedOut,
    /// Monthly reports received from followed enterprises.
    ReportsReceived,
    /// Closures reported.
    EnterpriseClosures,
    /// Stoppages reported.
    EnterpriseStoppages,
    /// Closures and stoppages reported.
    EnterpriseClosuresAndStoppages,
    /// Separations reported by followed enterprises.
    Separations,
    /// Headcount reported by followed enterprises.
    ReportedHeadcount,
    /// Layoffs in reports with no plan before.
    UnreportedLayoffs,
    /// Returning migrant workers (返乡) registered.
    MigrantReturns,
    /// Wage-arrears cases opened (欠薪).
    WageArrearsCases,
    /// Places not yet taken in the open vacancies (空缺岗位) of the region
    /// at the end of the month.
    OpenVacancies,
    /// Registered job seekers still seeking work at the end of the month:
    /// registered, and not recorded employed since (or unemployed again).
    JobseekersSeeking,
    /// Open vacancies per job seeker (求人倍率) at the end of the month, in
    /// hundredths: `open_vacancies × 100 / jobseekers_seeking`, rounded
    /// down; absent in a month with no job seeker seeking work.
    #[serde(rename = "vacancies_per_100_jobseekers")]
    VacanciesPer100Jobseekers,
}

impl Indicator {
    /// Every indicator.
    pub const ALL: [Self; 22] = [
        Self::JobseekerRegistrations,
        Self::NewUnemploymentRegistrations,
        Self::EmploymentRegistrations,
        Self::RegisteredUnemployed,
        Self::Referrals,
        Self::Hires,
        Self::LayoffPlans,
        Self::MandatoryLayoffPlans,
        Self::PeopleConcerned,
        Self::LayoffsCarriedOut,
        Self::ReportsReceived,
        Self::EnterpriseClosures,
        Self::EnterpriseStoppages,
        Self::EnterpriseClosuresAndStoppages,
        Self::Separations,
        Self::ReportedHeadcount,
        Self::UnreportedLayoffs,
        Self::MigrantReturns,
        Self::WageArrearsCases,
        Self::OpenVacancies,
        Self::JobseekersSeeking,
        Self::VacanciesPer100Jobseekers,
    ];

    /// The snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::JobseekerRegistrations => "jobseeker_registrations",
            Self::NewUnemploymentRegistrations => "new_unemployment_registrations",
            Self::EmploymentRegistrations => "employment_registrations",
            Self::RegisteredUnemployed => "registered_unemployed",
            Self::Referrals => "referrals",
            Self::Hires => "hires",
            Self::LayoffPlans => "layoff_plans",
            Self::MandatoryLayoffPlans => "mandatory_layoff_plans",
            Self::PeopleConcerned => "people_concerned",
            Self::LayoffsCarriedOut => "layoffs_carried_out",
            Self::ReportsReceived => "reports_received",
            Self::EnterpriseClosures => "enterprise_closures",
            Self::EnterpriseStoppages => "enterprise_stoppages",
            Self::EnterpriseClosuresAndStoppages => "enterprise_closures_and_stoppages",
            Self::Separations => "separations",
            Self::ReportedHeadcount => "reported_headcount",
            Self::UnreportedLayoffs => "unreported_layoffs",
            Self::MigrantReturns => "migrant_returns",
            Self::WageArrearsCases => "wage_arrears_cases",
            Self::OpenVacancies => "open_vacancies",
            Self::JobseekersSeeking => "jobseekers_seeking",
            Self::VacanciesPer100Jobseekers => "vacancies_per_100_jobseekers",
        }
    }

    /// The indicator of its snake_case name.
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|indicator| indicator.as_str() == text)
    }
}

/// A warning level, from none to red.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// Nothing to warn of.
    #[default]
    None,
    /// Blue (蓝色).
    Blue,
    /// Yellow (黄色).
    Yellow,
    /// Orange (橙色).
    Orange,
    /// Red (红色).
    Red,
}

impl Level {
    /// The snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::None => "none",
            Self::Blue => "blue",
            Self::Yellow => "yellow",
            Self::Orange => "orange",
            Self::Red => "red",
        }
    }
}

/// A region's indicators, month by month.
pub type Series = BTreeMap<Period, BTreeMap<Indicator, i64>>;

/// The outcome of the rules on a month.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Assessment {
    /// The highest level raised.
    pub level: Level,
    /// The (first) rule that raised it; none at `none`.
    pub rule: Option<WarningRule>,
    /// The month's indicators.
    pub indicators: BTreeMap<Indicator, i64>,
}

fn value(series: &Series, period: Period, indicator: Indicator) -> i64 {
    series
        .get(&period)
        .and_then(|values| values.get(&indicator))
        .copied()
        .unwrap_or(0)
}

fn sum_over(series: &Series, end: Period, months: u32, indicator: Indicator) -> i64 {
    (0..months)
        .map(|back| {
            value(
                series,
                end.plus(-i32::try_from(back).unwrap_or(0)),
                indicator,
            )
        })
        .sum()
}

/// Whether `value` stands at least `percent` % above `base` (reaching
/// `min_value` from zero).
fn risen(value: i64, base: i64, percent: i64, min_value: i64) -> bool {
    if value < min_value.max(1) {
        return false;
    }
    base <= 0 || (value - base) * 100 >= percent * base
}

/// Whether `rule` holds for `period`.
pub fn holds(rule: &WarningRule, series: &Series, period: Period) -> bool {
    let now = value(series, period, rule.indicator);
    match &rule.comparison {
        Comparison::Threshold { at_least } => now >= *at_least,
        Comparison::Change {
            months,
            percent_at_least,
            min_value,
        } => {
            let before = value(
                series,
                period.plus(-i32::try_from(*months).unwrap_or(0)),
                rule.indicator,
            );
            risen(now, before, *percent_at_least, *min_value)
        }
        Comparison::Share {
            of,
            percent_at_least,
        } => {
            let whole = value(series, period, *of);
            whole > 0 && now * 100 >= percent_at_least * whole
        }
        Comparison::Below {
            below,
            given,
            given_at_least,
        } => {
            let present = series
                .get(&period)
                .is_some_and(|values| values.contains_key(&rule.indicator));
            present && now < *below && value(series, period, *given) >= (*given_at_least).max(1)
        }
        Comparison::Sahm {
            average_months,
            low_months,
            percent_above_low_at_least,
            min_value,
        } => {
            let months = (*average_months).max(1);
            let average_sum = sum_over(series, period, months, rule.indicator);
            let low_sum = (1..=*low_months)
                .map(|back| {
                    sum_over(
                        series,
                        period.plus(-i32::try_from(back).unwrap_or(0)),
                        months,
                        rule.indicator,
                    )
                })
                .min()
                .unwrap_or(0);
            // Sums over the same number of months compare as averages.
            risen(
                average_sum,
                low_sum,
                *percent_above_low_at_least,
                min_value * i64::from(months),
            )
        }
    }
}

/// The level the rules raise for `period` of a region's series.
pub fn assess(rules: &WarningRules, series: &Series, period: Period) -> Assessment {
    let mut level = Level::None;
    let mut moved_by = None;
    for rule in &rules.rules {
        if rule.level > level && holds(rule, series, period) {
            level = rule.level;
            moved_by = Some(rule.clone());
        }
    }
    Assessment {
        level,
        rule: moved_by,
        indicators: series.get(&period).cloned().unwrap_or_default(),
    }
}

/// A month's level of a region, as last assessed into a change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MonthWarning {
    /// The month's level.
    pub level: Level,
    /// The rule behind it.
    pub rule: Option<WarningRule>,
    /// The month's indicators when it changed.
    pub indicators: BTreeMap<Indicator, i64>,
    /// When it changed.
    pub since: DateTime<Utc>,
}

/// A region's warning, as folded from its events: the level of each
/// month assessed, and the region's standing level.
///
/// The standing level is what an office is shown as the region's level
/// now: the higher of the current month's level and the level of the
/// latest closed month (the month before), so that a warning raised on a
/// whole month stands until the next month is closed, and is not dropped
/// by the first quiet days of a new one (decision 098).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegionWarning {
    /// Its id.
    pub id: WarningId,
    /// The region.
    pub region: DivisionCode,
    /// The standing level.
    pub level: Level,
    /// The month whose level stands (the current month at `none`).
    pub period: Period,
    /// The rule behind the standing level.
    pub rule: Option<WarningRule>,
    /// The indicators behind it.
    pub indicators: BTreeMap<Indicator, i64>,
    /// When the standing level changed.
    pub since: DateTime<Utc>,
    /// Every month's level that ever changed from `none`.
    pub months: BTreeMap<Period, MonthWarning>,
}

impl RegionWarning {
    /// A month's level (`none` when it never changed).
    pub fn level_of(&self, period: Period) -> Level {
        self.months
            .get(&period)
            .map_or(Level::None, |month| month.level)
    }

    /// The standing level when it is `current`, and the month it is of.
    pub fn standing_in(&self, current: Period) -> (Level, Period) {
        standing(&self.months, current)
    }
}

/// The higher of the level of `current` and of the month before it, with
/// the month it is of (`current` on a tie and at `none`).
fn standing(months: &BTreeMap<Period, MonthWarning>, current: Period) -> (Level, Period) {
    let level = |period: Period| months.get(&period).map_or(Level::None, |month| month.level);
    let closed = current.plus(-1);
    if level(closed) > level(current) {
        (level(closed), closed)
    } else {
        (level(current), current)
    }
}

/// Take a new assessment of a region's month.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssessRegion {
    /// The region.
    pub region: DivisionCode,
    /// The month assessed (any month: a late event re-assesses its own).
    pub period: Period,
    /// What the rules say of it.
    pub assessment: Assessment,
    /// The month it is now, in China: what the standing level is of.
    pub current: Period,
    /// Now.
    pub at: DateTime<Utc>,
}

/// What may be asked of a region's warning.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WarningCommand {
    /// Assess.
    Assess(AssessRegion),
}

/// `WarningLevelChanged` (schema 2): the level of a region's month
/// changed, or the region's standing level did, or both.
///
/// Schema 1 kept one level per region, that of the newest month assessed:
/// its `from` and `to` were the region's level, which was also its
/// standing one. It is upcast with `standing_from` = `from`, `standing` =
/// `to` and `standing_period` = `period`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WarningLevelChanged {
    /// The region's warning.
    pub warning_id: WarningId,
    /// The region.
    pub region: DivisionCode,
    /// The month assessed.
    pub period: Period,
    /// The month's level before (the same as `to` when only the standing
    /// level moved, as when a month closes).
    pub from: Level,
    /// The month's level now.
    pub to: Level,
    /// The rule that raised the month's level (none at `none`).
    pub rule: Option<WarningRule>,
    /// The month's indicators.
    pub indicators: BTreeMap<Indicator, i64>,
    /// The region's standing level before.
    pub standing_from: Level,
    /// The region's standing level now.
    pub standing: Level,
    /// The month whose level stands now.
    pub standing_period: Period,
    /// When.
    pub changed_at: DateTime<Utc>,
}

crate::domain_events! {
    /// What happens to a region's warning.
    pub enum WarningEvent in warning_id {
        /// `WarningLevelChanged`.
        LevelChanged(WarningLevelChanged) = ("WarningLevelChanged", 2),
    }
    upcasters = &[crate::event::Upcaster {
        event_type: "WarningLevelChanged",
        from_version: 1,
        step: warning_level_changed_v1_to_v2,
    }];
}

/// `WarningLevelChanged` 1 → 2: schema 1's level was the region's
/// standing level, of the month assessed.
fn warning_level_changed_v1_to_v2(
    mut v1: serde_json::Map<String, serde_json::Value>,
) -> Result<serde_json::Map<String, serde_json::Value>, String> {
    let from = v1.get("from").cloned().ok_or("no from")?;
    let to = v1.get("to").cloned().ok_or("no to")?;
    let period = v1.get("period").cloned().ok_or("no period")?;
    v1.insert("standing_from".to_owned(), from);
    v1.insert("standing".to_owned(), to);
    v1.insert("standing_period".to_owned(), period);
    Ok(v1)
}

/// Why an assessment was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WarningError {
    /// An assessment of another region on this one's warning.
    #[error("the assessment is of another region")]
    OtherRegion,
}

impl Coded for WarningError {
    fn code(&self) -> &'static str {
        match self {
            Self::OtherRegion => "other_region",
        }
    }
}

impl Refusal for WarningError {
    fn kind(&self) -> ErrorKind {
        ErrorKind::Conflict
    }

    fn field(&self) -> Option<&'static str> {
        None
    }
}

impl Aggregate for RegionWarning {
    type Id = WarningId;
    type Command = WarningCommand;
    type Event = WarningEvent;
    type Error = WarningError;

    fn decide(
        state: Option<&Self>,
        command: WarningCommand,
    ) -> Result<Vec<WarningEvent>, WarningError> {
        let WarningCommand::Assess(assess) = command;
        if let Some(warning) = state
            && warning.region != assess.region
        {
            return Err(WarningError::OtherRegion);
        }
        let mut months = state
            .map(|warning| warning.months.clone())
            .unwrap_or_default();
        let from = months
            .get(&assess.period)
            .map_or(Level::None, |month| month.level);
        let to = assess.assessment.level;
        months.insert(
            assess.period,
            MonthWarning {
                level: to,
                rule: assess.assessment.rule.clone(),
                indicators: BTreeMap::new(),
                since: assess.at,
            },
        );
        let standing_from = state.map_or(Level::None, |warning| warning.level);
        let (standing_now, standing_period) = standing(&months, assess.current);
        if from == to && standing_from == standing_now {
            return Ok(vec![]);
        }
        Ok(vec![WarningEvent::LevelChanged(WarningLevelChanged {
            warning_id: WarningId::of(&assess.region),
            region: assess.region,
            period: assess.period,
            from,
            to,
            rule: assess.assessment.rule,
            indicators: assess.assessment.indicators,
            standing_from,
            standing: standing_now,
            standing_period,
            changed_at: assess.at,
        })])
    }

    fn evolve(state: Option<Self>, event: &WarningEvent) -> Option<Self> {
        let WarningEvent::LevelChanged(changed) = event;
        let mut warning = state.unwrap_or_else(|| RegionWarning {
            id: changed.warning_id,
            region: changed.region.clone(),
            level: Level::None,
            period: changed.period,
            rule: None,
            indicators: BTreeMap::new(),
            since: changed.changed_at,
            months: BTreeMap::new(),
        });
        if changed.from != changed.to || !warning.months.contains_key(&changed.period) {
            warning.months.insert(
                changed.period,
                MonthWarning {
                    level: changed.to,
                    rule: changed.rule.clone(),
                    indicators: changed.indicators.clone(),
                    since: changed.changed_at,
                },
            );
        }
        if warning.level != changed.standing {
            warning.since = changed.changed_at;
        }
        warning.level = changed.standing;
        warning.period = changed.standing_period;
        let behind = warning.months.get(&changed.standing_period);
        warning.rule = behind.and_then(|month| month.rule.clone());
        warning.indicators = behind
            .map(|month| month.indicators.clone())
            .unwrap_or_default();
        Some(warning)
    }
}
