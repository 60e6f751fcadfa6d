//! When monthly reports are due and what counts as a signal, as data.

use serde::{Deserialize, Serialize};

/// The numbers of enterprises' monthly reports.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ReportRules {
    /// A month's report is due by this day of the next month (10).
    pub due_day: u32,
    /// Separations at or above this share of the workforce, in percent,
    /// are a signal (5).
    pub separation_signal_percent: u32,
}

impl Default for ReportRules {
    fn default() -> Self {
        Self {
            due_day: 10,
            separation_signal_percent: 5,
        }
    }
}
