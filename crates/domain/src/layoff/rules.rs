//! The province's numbers of the pre-report rule (裁员预报), as data: the
//! notice's values are the defaults.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::PlanDetails;

/// When a layoff must be pre-reported, and in time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LayoffRules {
    /// A plan of this many people or more is mandatory (100).
    pub mandatory_people: u32,
    /// … or of this share of the workforce, in percent (10).
    pub mandatory_percent: u32,
    /// A plan is in time this many days before it takes effect (30).
    pub notice_days: i64,
    /// A monthly report's layoffs count as reported when a plan of the
    /// enterprise was reported within this many days before (60).
    pub plan_window_days: i64,
}

impl Default for LayoffRules {
    fn default() -> Self {
        Self {
            mandatory_people: 100,
            mandatory_percent: 10,
            notice_days: 30,
            plan_window_days: 60,
        }
    }
}

impl LayoffRules {
    /// Whether laying off `people` of `workforce` must be pre-reported.
    pub fn is_mandatory_for(&self, people: u32, workforce: u32) -> bool {
        people > 0
            && (people >= self.mandatory_people
                || u64::from(people) * 100
                    >= u64::from(workforce) * u64::from(self.mandatory_percent))
    }

    /// Whether the plan must be pre-reported.
    pub fn is_mandatory(&self, details: &PlanDetails) -> bool {
        self.is_mandatory_for(details.planned, details.workforce)
    }

    /// Whether a plan reported on `reported_on` for `planned_from` came
    /// fewer than the notice days before.
    pub fn is_late(&self, reported_on: NaiveDate, planned_from: NaiveDate) -> bool {
        (planned_from - reported_on).num_days() < self.notice_days
    }
}
