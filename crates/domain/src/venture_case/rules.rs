//! What an office or the province sets for one-stop cases.

use serde::{Deserialize, Serialize};

/// The numbers of the one-stop service an office or the province sets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CaseRules {
    /// Months a started business is followed up (default 12).
    pub follow_up_months: u32,
}

impl Default for CaseRules {
    fn default() -> Self {
        Self {
            follow_up_months: 12,
        }
    }
}
