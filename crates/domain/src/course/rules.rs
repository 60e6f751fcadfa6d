//! The numbers of training an office or the province sets: data with the
//! notice's values as defaults, loaded by the service from its rules file
//! and passed to `decide` in commands.

use serde::{Deserialize, Serialize};

/// Training rules.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TrainingRules {
    /// Employment within this many months of completing a course counts
    /// for the course and its provider (default 6).
    pub employment_window_months: u32,
    /// Below this many leavers (trainees who completed or dropped out) a
    /// course's or provider's rates are not shown, so that no person is
    /// singled out (default 20).
    pub min_leavers_for_rates: u32,
    /// The longest waiting list a course keeps (default 100).
    pub waiting_list_max: u32,
}

impl Default for TrainingRules {
    fn default() -> Self {
        Self {
            employment_window_months: 6,
            min_leavers_for_rates: 20,
            waiting_list_max: 100,
        }
    }
}
