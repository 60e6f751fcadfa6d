//! The rules an office or the province sets for zero-employment households
//! (零就业家庭): how long verification (审核) may take, how long a household
//! is followed after a member finds work before it counts as stabilised
//! (稳定), how soon a verified household gets its assistance plan (帮扶计划),
//! and how many suitable referrals a member may refuse before the household
//! may leave the register. Data with the notice's defaults, passed to
//! `decide` in the commands; a deployment changes them in
//! `<data>/assistance/rules.json`.

use std::collections::BTreeSet;

use chrono::{Datelike, Months, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};

/// The household rules of one office.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct HouseholdRules {
    /// Working days an office has to verify a declaration (default 7).
    pub verification_working_days: u32,
    /// Weekdays that are public holidays (法定节假日), not working days.
    pub holidays: BTreeSet<NaiveDate>,
    /// Weekend days that are working days (调休上班).
    pub extra_working_days: BTreeSet<NaiveDate>,
    /// Months a member must stay employed after the household is cleared
    /// before it counts as stabilised (default 6).
    pub follow_up_months: u32,
    /// Days after verification within which the household must have an
    /// assistance plan (default 30).
    pub plan_within_days: u32,
    /// Suitable referrals a member must have refused before the household
    /// may leave the register for that reason (default 3).
    pub refused_referrals_for_exit: u32,
}

impl Default for HouseholdRules {
    fn default() -> Self {
        Self {
            verification_working_days: 7,
            holidays: BTreeSet::new(),
            extra_working_days: BTreeSet::new(),
            follow_up_months: 6,
            plan_within_days: 30,
            refused_referrals_for_exit: 3,
        }
    }
}

impl HouseholdRules {
    /// Whether `day` is a working day: Monday to Friday unless a holiday,
    /// and the weekend days named as working days.
    pub fn is_working_day(&self, day: NaiveDate) -> bool {
        if self.extra_working_days.contains(&day) {
            return true;
        }
        let weekend = matches!(day.weekday(), Weekday::Sat | Weekday::Sun);
        !weekend && !self.holidays.contains(&day)
    }

    /// The last day verification of a declaration made on `declared_on`
    /// is on time: the `verification_working_days`-th working day after it.
    pub fn verification_due(&self, declared_on: NaiveDate) -> NaiveDate {
        let mut day = declared_on;
        let mut counted = 0;
        while counted < self.verification_working_days {
            day = day.succ_opt().unwrap_or(day);
            if self.is_working_day(day) {
                counted += 1;
            }
        }
        day
    }

    /// The day a household cleared on `cleared_on` counts as stabilised if
    /// a member is still employed.
    pub fn stabilises_on(&self, cleared_on: NaiveDate) -> NaiveDate {
        cleared_on
            .checked_add_months(Months::new(self.follow_up_months))
            .unwrap_or(NaiveDate::MAX)
    }

    /// The last day for the plan of a household verified on `verified_on`.
    pub fn plan_due(&self, verified_on: NaiveDate) -> NaiveDate {
        verified_on
            .checked_add_days(chrono::Days::new(u64::from(self.plan_within_days)))
            .unwrap_or(NaiveDate::MAX)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    #[test]
    fn seven_working_days_skip_weekends_and_holidays() {
        let rules = HouseholdRules::default();
        // Monday 2026-11-30 + 7 working days = Wednesday 2026-12-09.
        assert_eq!(
            rules.verification_due(date("2026-11-30")),
            date("2026-12-09")
        );
        // Declared on a Saturday: counting starts on Monday.
        assert_eq!(
            rules.verification_due(date("2026-12-05")),
            date("2026-12-15")
        );
        let with_holiday = HouseholdRules {
            holidays: BTreeSet::from([date("2026-12-01")]),
            extra_working_days: BTreeSet::from([date("2026-12-05")]),
            ..HouseholdRules::default()
        };
        // One weekday off, one Saturday on: the same day.
        assert_eq!(
            with_holiday.verification_due(date("2026-11-30")),
            date("2026-12-09")
        );
    }

    #[test]
    fn the_follow_up_period_is_calendar_months() {
        let rules = HouseholdRules::default();
        assert_eq!(rules.stabilises_on(date("2026-08-31")), date("2027-02-28"));
        assert_eq!(rules.plan_due(date("2026-12-01")), date("2026-12-31"));
    }
}
