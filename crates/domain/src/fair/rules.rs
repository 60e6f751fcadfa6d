//! What an office or the province sets for its fairs, with the defaults
//! the offices work by.

use serde::{Deserialize, Serialize};

/// A fair's rules (`<data>/fairs/rules.json`, per office).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FairRules {
    /// Minutes before the start that the door of an on-site fair opens
    /// for check-in.
    pub check_in_opens_minutes_before: u32,
    /// The periods after a fair's last day within which a hire from the
    /// fair counts in its results, in days (30 and 90).
    pub hire_windows_days: Vec<u32>,
}

impl Default for FairRules {
    fn default() -> Self {
        Self {
            check_in_opens_minutes_before: 60,
            hire_windows_days: vec![30, 90],
        }
    }
}

impl FairRules {
    /// How long before the start check-in opens.
    pub fn check_in_opens_before(&self) -> chrono::Duration {
        chrono::Duration::minutes(i64::from(self.check_in_opens_minutes_before))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rules_file_need_name_only_what_it_changes() {
        let rules: FairRules =
            serde_json::from_str(r#"{"check_in_opens_minutes_before": 30}"#).unwrap();
        assert_eq!(rules.check_in_opens_minutes_before, 30);
        assert_eq!(rules.hire_windows_days, [30, 90]);
    }
}
