//! The values of training: the kinds of course, certificate levels of
//! skill appraisal, hours and seats, and the id of an enrolment.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::refusal::Coded;

/// A name that is none of an enumeration's.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{what} must be one of {allowed}")]
pub struct UnknownName {
    /// What was named (`course kind`).
    pub what: &'static str,
    /// The names allowed, comma separated.
    pub allowed: &'static str,
    /// The stable code.
    pub code: &'static str,
}

impl Coded for UnknownName {
    fn code(&self) -> &'static str {
        self.code
    }
}

macro_rules! named_enum {
    ($(#[$meta:meta])* $name:ident, $what:literal, $code:literal, { $($(#[$vmeta:meta])* $variant:ident = $text:literal / $zh:literal,)* }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        pub enum $name {
            $($(#[$vmeta])* #[serde(rename = $text)] $variant,)*
        }

        impl $name {
            /// Every value.
            pub const ALL: &'static [$name] = &[$($name::$variant,)*];

            /// The value of its snake_case name.
            pub fn parse(text: &str) -> Result<Self, UnknownName> {
                let text = text.trim();
                Self::ALL.iter().copied().find(|value| value.as_str() == text).ok_or(UnknownName {
                    what: $what,
                    allowed: concat!($($text, " "),*),
                    code: $code,
                })
            }

            /// The snake_case name used in JSON.
            pub fn as_str(self) -> &'static str {
                match self { $(Self::$variant => $text,)* }
            }

            /// What the offices call it.
            pub fn label_zh(self) -> &'static str {
                match self { $(Self::$variant => $zh,)* }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
                formatter.write_str(self.as_str())
            }
        }
    };
}

named_enum!(
    /// What a course is for (the notice's kinds of vocational training).
    CourseKind, "kind", "course_kind.unknown", {
        /// Employment training for people seeking work (就业培训).
        Employment = "employment" / "就业培训",
        /// Re-employment training for laid-off and unemployed people (再就业培训).
        ReEmployment = "re_employment" / "再就业培训",
        /// Training of people at work (岗位培训).
        OnTheJob = "on_the_job" / "岗位培训",
        /// Order-based training for an employer's committed hires (订单式培训).
        OrderBased = "order_based" / "订单式培训",
        /// Entrepreneurship training (创业培训).
        Entrepreneurship = "entrepreneurship" / "创业培训",
    }
);

named_enum!(
    /// The level of a vocational skill certificate (职业资格等级), from the
    /// fifth (the lowest) to the first.
    CertificateLevel, "level", "certificate_level.unknown", {
        /// 五级 / 初级工.
        Level5 = "level_5" / "五级/初级工",
        /// 四级 / 中级工.
        Level4 = "level_4" / "四级/中级工",
        /// 三级 / 高级工.
        Level3 = "level_3" / "三级/高级工",
        /// 二级 / 技师.
        Level2 = "level_2" / "二级/技师",
        /// 一级 / 高级技师.
        Level1 = "level_1" / "一级/高级技师",
    }
);

/// A whole number outside its field's range.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{value} is outside {min}..={max}")]
pub struct CountOutOfRange {
    /// The number given.
    pub value: i64,
    /// The smallest allowed.
    pub min: u32,
    /// The largest allowed.
    pub max: u32,
}

impl Coded for CountOutOfRange {
    fn code(&self) -> &'static str {
        "number.out_of_range"
    }
}

macro_rules! count {
    ($(#[$meta:meta])* $name:ident, $min:expr, $max:expr) => {
        $(#[$meta])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(try_from = "i64", into = "i64")]
        pub struct $name(u32);

        impl $name {
            /// The smallest allowed.
            pub const MIN: u32 = $min;
            /// The largest allowed.
            pub const MAX: u32 = $max;

            /// Checks the range.
            pub fn parse(value: i64) -> Result<Self, CountOutOfRange> {
                u32::try_from(value)
                    .ok()
                    .filter(|value| (Self::MIN..=Self::MAX).contains(value))
                    .map(Self)
                    .ok_or(CountOutOfRange { value, min: Self::MIN, max: Self::MAX })
            }

            /// The number.
            pub fn get(self) -> u32 {
                self.0
            }
        }

        impl TryFrom<i64> for $name {
            type Error = CountOutOfRange;

            fn try_from(value: i64) -> Result<Self, Self::Error> {
                Self::parse(value)
            }
        }

        impl From<$name> for i64 {
            fn from(value: $name) -> Self {
                i64::from(value.0)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(formatter, "{}({})", stringify!($name), self.0)
            }
        }
    };
}

count!(
    /// The hours of teaching a course has (课时), 1 to 3,000.
    CourseHours, 1, 3_000
);
count!(
    /// The seats of a course, 1 to 1,000.
    Seats, 1, 1_000
);
count!(
    /// The hires an employer commits to for an order-based course, 1 to 1,000.
    CommittedHires, 1, 1_000
);

/// Identifies an enrolment in a course; its events are in the course's
/// stream, so it names no stream of its own.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct EnrolmentId(uuid::Uuid);

impl EnrolmentId {
    /// A new time-ordered id (UUIDv7).
    pub fn generate() -> Self {
        Self(uuid::Uuid::now_v7())
    }

    /// Wraps a UUID.
    pub fn from_uuid(uuid: uuid::Uuid) -> Self {
        Self(uuid)
    }

    /// Parses the hyphenated form, as in URLs.
    pub fn parse(input: &str) -> Result<Self, crate::IdError> {
        uuid::Uuid::try_parse(input.trim())
            .map(Self)
            .map_err(|_| crate::IdError::NotUuid)
    }

    /// The UUID.
    pub fn as_uuid(&self) -> uuid::Uuid {
        self.0
    }
}

impl fmt::Display for EnrolmentId {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, formatter)
    }
}

impl fmt::Debug for EnrolmentId {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "EnrolmentId({})", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_and_levels_parse_their_names_only() {
        assert_eq!(CourseKind::parse("order_based"), Ok(CourseKind::OrderBased));
        assert_eq!(CourseKind::OrderBased.label_zh(), "订单式培训");
        assert_eq!(
            CourseKind::parse("evening").unwrap_err().code(),
            "course_kind.unknown"
        );
        assert_eq!(
            CertificateLevel::parse("level_1"),
            Ok(CertificateLevel::Level1)
        );
        assert_eq!(CertificateLevel::Level5.label_zh(), "五级/初级工");
        assert!(CertificateLevel::Level5 < CertificateLevel::Level1);
    }

    #[test]
    fn counts_keep_to_their_ranges() {
        assert_eq!(Seats::parse(30).unwrap().get(), 30);
        assert!(Seats::parse(0).is_err());
        assert!(Seats::parse(1_001).is_err());
        assert!(CourseHours::parse(-5).is_err());
    }
}
