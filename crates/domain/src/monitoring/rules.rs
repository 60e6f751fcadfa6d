//! The numbers of the monitoring-point rule, as data: the notice's values
//! are the defaults, a province or an office may set others.

use serde::{Deserialize, Serialize};

/// How many monitoring points an area needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CoverageRules {
    /// Community platforms each prefecture city designates (5).
    pub community_platforms_per_city: u32,
    /// The share of a county's labour-security offices that are points:
    /// numerator (1) …
    pub labour_office_share_numerator: u32,
    /// … and denominator (3); rounded up.
    pub labour_office_share_denominator: u32,
}

impl Default for CoverageRules {
    fn default() -> Self {
        Self {
            community_platforms_per_city: 5,
            labour_office_share_numerator: 1,
            labour_office_share_denominator: 3,
        }
    }
}

impl CoverageRules {
    /// Points a county with `offices` labour-security offices needs: the
    /// share, rounded up.
    pub fn labour_office_points_needed(&self, offices: u32) -> u32 {
        let denominator = self.labour_office_share_denominator.max(1);
        (offices * self.labour_office_share_numerator).div_ceil(denominator)
    }
}
