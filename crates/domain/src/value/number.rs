//! Small bounded numbers: headcounts, years of experience, graduation years.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::refusal::Coded;

/// A number outside the range its field allows.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{value} is outside {min}..={max}")]
pub struct OutOfRange {
    /// The number given.
    pub value: i64,
    /// The smallest allowed.
    pub min: i64,
    /// The largest allowed.
    pub max: i64,
}

impl Coded for OutOfRange {
    fn code(&self) -> &'static str {
        "number.out_of_range"
    }
}

macro_rules! bounded_number {
    ($(#[$attribute:meta])* $name:ident($repr:ty), $min:expr, $max:expr) => {
        $(#[$attribute])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(try_from = "i64", into = "i64")]
        pub struct $name($repr);

        impl $name {
            /// The smallest allowed value.
            pub const MIN: $repr = $min;
            /// The largest allowed value.
            pub const MAX: $repr = $max;

            /// Checks that `value` is within [`Self::MIN`]..=[`Self::MAX`].
            pub fn parse(value: i64) -> Result<Self, OutOfRange> {
                let out_of_range = OutOfRange {
                    value,
                    min: i64::from(Self::MIN),
                    max: i64::from(Self::MAX),
                };
                let narrowed = <$repr>::try_from(value).map_err(|_| out_of_range.clone())?;
                if !(Self::MIN..=Self::MAX).contains(&narrowed) {
                    return Err(out_of_range);
                }
                Ok(Self(narrowed))
            }

            /// The number.
            pub fn get(self) -> $repr {
                self.0
            }
        }

        impl TryFrom<i64> for $name {
            type Error = OutOfRange;

            fn try_from(value: i64) -> Result<Self, Self::Error> {
                Self::parse(value)
            }
        }

        impl From<$name> for i64 {
            fn from(value: $name) -> Self {
                i64::from(value.0)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(formatter, "{}", self.0)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(formatter, "{}({})", stringify!($name), self.0)
            }
        }
    };
}

bounded_number!(
    /// How many people a vacancy hires, 1 to 10,000.
    Headcount(u32),
    1,
    10_000
);

bounded_number!(
    /// Years of work experience a vacancy asks for, 0 to 50.
    ExperienceYears(u8),
    0,
    50
);

bounded_number!(
    /// The year someone graduated (or will), 1950 to 2100; whether it fits
    /// the person's age is the job-seeker aggregate's rule.
    GraduationYear(u16),
    1950,
    2100
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_within_range_parse_at_both_ends() {
        assert_eq!(Headcount::parse(1).unwrap().get(), 1);
        assert_eq!(Headcount::parse(10_000).unwrap().get(), 10_000);
        assert_eq!(ExperienceYears::parse(0).unwrap().get(), 0);
        assert_eq!(ExperienceYears::parse(50).unwrap().get(), 50);
        assert_eq!(GraduationYear::parse(1950).unwrap().get(), 1950);
        assert_eq!(GraduationYear::parse(2100).unwrap().get(), 2100);
    }

    #[test]
    fn numbers_outside_range_are_refused() {
        assert_eq!(
            Headcount::parse(0),
            Err(OutOfRange {
                value: 0,
                min: 1,
                max: 10_000
            })
        );
        assert!(Headcount::parse(10_001).is_err());
        assert!(Headcount::parse(-1).is_err());
        assert!(Headcount::parse(i64::MAX).is_err());
        assert!(ExperienceYears::parse(51).is_err());
        assert!(ExperienceYears::parse(256).is_err());
        assert!(GraduationYear::parse(1949).is_err());
        assert!(GraduationYear::parse(70_000).is_err());
    }

    #[test]
    fn serde_goes_through_parse() {
        assert_eq!(
            serde_json::from_str::<Headcount>("3").unwrap(),
            Headcount::parse(3).unwrap()
        );
        assert_eq!(
            serde_json::to_string(&Headcount::parse(3).unwrap()).unwrap(),
            "3"
        );
        assert!(serde_json::from_str::<Headcount>("0").is_err());
        assert!(serde_json::from_str::<Headcount>("-5").is_err());
        assert!(serde_json::from_str::<Headcount>("2.5").is_err());
        assert!(serde_json::from_str::<Headcount>("\"3\"").is_err());
    }

    #[test]
    fn errors_have_a_stable_code() {
        assert_eq!(
            ExperienceYears::parse(99).unwrap_err().code(),
            "number.out_of_range"
        );
    }
}
