//! Monthly salary ranges of vacancies.

use serde::{Deserialize, Serialize};

use crate::refusal::Coded;

/// The highest monthly salary a vacancy may state, in yuan. Anything above
/// is a typing error (an extra zero, fen taken for yuan).
pub const SALARY_CAP_YUAN: u32 = 1_000_000;

/// A monthly salary range in yuan, `0 < min_yuan <= max_yuan <=`
/// [`SALARY_CAP_YUAN`]. A fixed salary has `min_yuan == max_yuan`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "SalaryRangeFields", into = "SalaryRangeFields")]
pub struct SalaryRange {
    min_yuan: u32,
    max_yuan: u32,
}

/// The JSON shape: `{"min_yuan": 4000, "max_yuan": 6000}`.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct SalaryRangeFields {
    min_yuan: u32,
    max_yuan: u32,
}

/// Why two amounts are not a salary range.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SalaryRangeError {
    /// An amount of zero.
    #[error("a monthly salary is more than 0 yuan")]
    Zero,
    /// An amount above the cap.
    #[error("a monthly salary above {SALARY_CAP_YUAN} yuan is not plausible")]
    AboveCap,
    /// The minimum is above the maximum.
    #[error("the minimum salary {min_yuan} is above the maximum {max_yuan}")]
    MinAboveMax {
        /// The minimum given.
        min_yuan: u32,
        /// The maximum given.
        max_yuan: u32,
    },
}

impl Coded for SalaryRangeError {
    fn code(&self) -> &'static str {
        match self {
            Self::Zero => "salary.zero",
            Self::AboveCap => "salary.above_cap",
            Self::MinAboveMax { .. } => "salary.min_above_max",
        }
    }
}

impl SalaryRange {
    /// Checks a monthly range in yuan.
    pub fn parse(min_yuan: u32, max_yuan: u32) -> Result<Self, SalaryRangeError> {
        if min_yuan == 0 || max_yuan == 0 {
            return Err(SalaryRangeError::Zero);
        }
        if min_yuan > SALARY_CAP_YUAN || max_yuan > SALARY_CAP_YUAN {
            return Err(SalaryRangeError::AboveCap);
        }
        if min_yuan > max_yuan {
            return Err(SalaryRangeError::MinAboveMax { min_yuan, max_yuan });
        }
        Ok(Self { min_yuan, max_yuan })
    }

    /// The lower end, yuan per month.
    pub fn min_yuan(&self) -> u32 {
        self.min_yuan
    }

    /// The upper end, yuan per month.
    pub fn max_yuan(&self) -> u32 {
        self.max_yuan
    }

    /// Whether the ranges share at least one amount (a seeker's wish and a
    /// vacancy's offer).
    pub fn overlaps(&self, other: &SalaryRange) -> bool {
        self.min_yuan <= other.max_yuan && other.min_yuan <= self.max_yuan
    }
}

impl TryFrom<SalaryRangeFields> for SalaryRange {
    type Error = SalaryRangeError;

    fn try_from(fields: SalaryRangeFields) -> Result<Self, Self::Error> {
        Self::parse(fields.min_yuan, fields.max_yuan)
    }
}

impl From<SalaryRange> for SalaryRangeFields {
    fn from(range: SalaryRange) -> Self {
        Self {
            min_yuan: range.min_yuan,
            max_yuan: range.max_yuan,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_ordinary_range_parses() {
        let range = SalaryRange::parse(4000, 6000).unwrap();
        assert_eq!((range.min_yuan(), range.max_yuan()), (4000, 6000));
    }

    #[test]
    fn a_fixed_salary_is_a_range_of_one_amount() {
        assert!(SalaryRange::parse(5000, 5000).is_ok());
    }

    #[test]
    fn the_cap_itself_is_accepted_and_one_more_is_not() {
        assert!(SalaryRange::parse(1, SALARY_CAP_YUAN).is_ok());
        assert_eq!(
            SalaryRange::parse(1, SALARY_CAP_YUAN + 1),
            Err(SalaryRangeError::AboveCap)
        );
        assert_eq!(
            SalaryRange::parse(u32::MAX, u32::MAX),
            Err(SalaryRangeError::AboveCap)
        );
    }

    #[test]
    fn zero_is_refused() {
        assert_eq!(SalaryRange::parse(0, 5000), Err(SalaryRangeError::Zero));
        assert_eq!(SalaryRange::parse(0, 0), Err(SalaryRangeError::Zero));
    }

    #[test]
    fn a_minimum_above_the_maximum_is_refused() {
        assert_eq!(
            SalaryRange::parse(6000, 4000),
            Err(SalaryRangeError::MinAboveMax {
                min_yuan: 6000,
                max_yuan: 4000
            })
        );
    }

    #[test]
    fn overlapping_ranges_share_an_amount() {
        let offer = SalaryRange::parse(4000, 6000).unwrap();
        assert!(offer.overlaps(&SalaryRange::parse(6000, 8000).unwrap()));
        assert!(offer.overlaps(&SalaryRange::parse(4500, 5000).unwrap()));
        assert!(!offer.overlaps(&SalaryRange::parse(6001, 8000).unwrap()));
    }

    #[test]
    fn serde_goes_through_parse() {
        let range: SalaryRange =
            serde_json::from_str(r#"{"min_yuan":4000,"max_yuan":6000}"#).unwrap();
        assert_eq!(range, SalaryRange::parse(4000, 6000).unwrap());
        assert_eq!(
            serde_json::to_string(&range).unwrap(),
            r#"{"min_yuan":4000,"max_yuan":6000}"#
        );
        assert!(
            serde_json::from_str::<SalaryRange>(r#"{"min_yuan":6000,"max_yuan":4000}"#).is_err()
        );
        assert!(serde_json::from_str::<SalaryRange>(r#"{"min_yuan":-1,"max_yuan":4000}"#).is_err());
        assert!(serde_json::from_str::<SalaryRange>(r#"{"min_yuan":1}"#).is_err());
    }

    #[test]
    fn errors_have_stable_codes() {
        assert_eq!(
            SalaryRange::parse(2, 1).unwrap_err().code(),
            "salary.min_above_max"
        );
    }
}
