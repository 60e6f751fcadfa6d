//! What the province (or an office) sets for guaranteed loans.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::value::JobSeekerCategory;

/// The loan rules a province sets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LoanRules {
    /// The most one person may borrow, in fen (default 200,000 yuan).
    pub cap_fen: u64,
    /// The treasury's share of the interest (贴息), in percent (default 100).
    pub treasury_interest_share_percent: u32,
    /// The longest term in months (default 36).
    pub max_term_months: u32,
    /// The categories of job seekers who may borrow without collateral
    /// (免担保; default graduates and returning migrant workers).
    pub collateral_free_categories: BTreeSet<JobSeekerCategory>,
}

impl Default for LoanRules {
    fn default() -> Self {
        Self {
            cap_fen: 20_000_000,
            treasury_interest_share_percent: 100,
            max_term_months: 36,
            collateral_free_categories: BTreeSet::from([
                JobSeekerCategory::Graduate,
                JobSeekerCategory::ReturningMigrant,
            ]),
        }
    }
}
