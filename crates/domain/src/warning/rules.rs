//! The early-warning rules, as data: each names an indicator, a
//! comparison and the level it raises. The defaults are the file
//! `default_rules.json` beside this one; a deployment's rules file
//! replaces the list.

use serde::{Deserialize, Serialize};

use super::{Indicator, Level};

/// How an indicator is compared.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Comparison {
    /// The month's value is at least `at_least`.
    Threshold {
        /// The bound.
        at_least: i64,
    },
    /// The month's value is at least `percent_at_least` % above its value
    /// `months` before (and at least `min_value`; from zero, reaching
    /// `min_value` is enough).
    Change {
        /// How far back.
        months: u32,
        /// The rise, in percent.
        percent_at_least: i64,
        /// The least value that counts.
        #[serde(default)]
        min_value: i64,
    },
    /// The month's value is at least `percent_at_least` % of the month's
    /// value of indicator `of`.
    Share {
        /// The whole.
        of: Indicator,
        /// The share, in percent.
        percent_at_least: i64,
    },
    /// The month's value is below `below` (a fall of a ratio, such as
    /// open vacancies per job seeker), counted only where the month has
    /// the value and indicator `given` stands at least at
    /// `given_at_least` (so that a region with hardly any job seekers
    /// raises nothing).
    Below {
        /// The bound, not reached.
        below: i64,
        /// The indicator that must be large enough.
        given: Indicator,
        /// How large (at least 1).
        #[serde(default)]
        given_at_least: i64,
    },
    /// Of the Sahm kind: the average over the last `average_months`
    /// months stands at least `percent_above_low_at_least` % above the
    /// lowest such average of the `low_months` months before (and is at
    /// least `min_value`; from a low of zero, reaching `min_value` is
    /// enough).
    Sahm {
        /// Months averaged (3).
        average_months: u32,
        /// Months the low is taken over (12).
        low_months: u32,
        /// The rise over the low, in percent.
        percent_above_low_at_least: i64,
        /// The least average that counts.
        #[serde(default)]
        min_value: i64,
    },
}

/// One rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WarningRule {
    /// Its name, as events and answers cite it.
    pub id: String,
    /// The indicator compared.
    pub indicator: Indicator,
    /// How.
    pub comparison: Comparison,
    /// The level it raises.
    pub level: Level,
}

/// Every rule of a province (or an office).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WarningRules {
    /// The rules; the highest level any of them raises is the region's.
    pub rules: Vec<WarningRule>,
}

/// The rules kept in the repository.
pub const DEFAULT_RULES_JSON: &str = include_str!("default_rules.json");

impl Default for WarningRules {
    fn default() -> Self {
        serde_json::from_str(DEFAULT_RULES_JSON)
            .expect("default_rules.json is checked by a unit test")
    }
}

impl WarningRules {
    /// The most months back any rule looks, counting the month itself.
    pub fn months_needed(&self) -> u32 {
        self.rules
            .iter()
            .map(|rule| match rule.comparison {
                Comparison::Threshold { .. }
                | Comparison::Share { .. }
                | Comparison::Below { .. } => 1,
                Comparison::Change { months, .. } => months + 1,
                Comparison::Sahm {
                    average_months,
                    low_months,
                    ..
                } => average_months + low_months,
            })
            .max()
            .unwrap_or(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_rules_file_parses_and_has_a_sahm_rule() {
        let rules: WarningRules = serde_json::from_str(DEFAULT_RULES_JSON).unwrap();
        assert!(
            rules
                .rules
                .iter()
                .any(|rule| matches!(rule.comparison, Comparison::Sahm { .. }))
        );
        assert_eq!(rules.months_needed(), 15);
    }

    #[test]
    fn every_indicator_is_written_in_json_as_it_is_named() {
        for indicator in Indicator::ALL {
            let json = serde_json::to_value(indicator).unwrap();
            assert_eq!(json, indicator.as_str(), "{indicator:?}");
            assert_eq!(Indicator::parse(indicator.as_str()), Some(indicator));
        }
    }
}
