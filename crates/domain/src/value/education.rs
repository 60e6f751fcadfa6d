//! Education levels (学历).

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::refusal::Coded;

/// The highest education completed, in increasing order, so that "the
/// vacancy asks at least X" is `seeker.education >= vacancy.education`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Education {
    /// No schooling completed (无); as a vacancy's minimum: no requirement.
    None,
    /// Primary school (小学).
    Primary,
    /// Junior secondary school (初中).
    JuniorSecondary,
    /// Senior secondary school, including vocational (高中/中专).
    SeniorSecondary,
    /// Associate degree, junior college (大专).
    Associate,
    /// Bachelor's degree (本科).
    Bachelor,
    /// Master's degree (硕士).
    Master,
    /// Doctorate (博士).
    Doctorate,
}

/// A text that names no education level.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown education level; expected one of none, primary, junior_secondary, senior_secondary, associate, bachelor, master, doctorate"
)]
pub struct EducationError;

impl Coded for EducationError {
    fn code(&self) -> &'static str {
        "education.unknown"
    }
}

impl Education {
    /// Every level, lowest first.
    pub const ALL: [Education; 8] = [
        Self::None,
        Self::Primary,
        Self::JuniorSecondary,
        Self::SeniorSecondary,
        Self::Associate,
        Self::Bachelor,
        Self::Master,
        Self::Doctorate,
    ];

    /// Parses the snake_case name (`junior_secondary`).
    pub fn parse(input: &str) -> Result<Self, EducationError> {
        let name = input.trim();
        Self::ALL
            .into_iter()
            .find(|level| level.as_str() == name)
            .ok_or(EducationError)
    }

    /// The snake_case name used in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::None => "none",
            Self::Primary => "primary",
            Self::JuniorSecondary => "junior_secondary",
            Self::SeniorSecondary => "senior_secondary",
            Self::Associate => "associate",
            Self::Bachelor => "bachelor",
            Self::Master => "master",
            Self::Doctorate => "doctorate",
        }
    }

    /// The name office staff use.
    pub fn label_zh(self) -> &'static str {
        match self {
            Self::None => "无",
            Self::Primary => "小学",
            Self::JuniorSecondary => "初中",
            Self::SeniorSecondary => "高中/中专",
            Self::Associate => "大专",
            Self::Bachelor => "本科",
            Self::Master => "硕士",
            Self::Doctorate => "博士",
        }
    }

    /// Whether this is a higher-education level (高等教育: associate and
    /// above), what "college graduate" (高校毕业生) presupposes.
    pub fn is_higher(self) -> bool {
        self >= Self::Associate
    }

    /// Whether someone with this education meets a vacancy's `minimum`.
    pub fn meets(self, minimum: Education) -> bool {
        self >= minimum
    }
}

impl std::str::FromStr for Education {
    type Err = EducationError;

    fn from_str(input: &str) -> Result<Self, Self::Err> {
        Self::parse(input)
    }
}

impl fmt::Display for Education {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_level_parses_from_its_name_and_back() {
        for level in Education::ALL {
            assert_eq!(Education::parse(level.as_str()), Ok(level));
            let json = serde_json::to_string(&level).unwrap();
            assert_eq!(json, format!("\"{}\"", level.as_str()));
            assert_eq!(serde_json::from_str::<Education>(&json).unwrap(), level);
        }
    }

    #[test]
    fn levels_are_ordered_from_none_to_doctorate() {
        assert!(Education::None < Education::Primary);
        assert!(Education::JuniorSecondary < Education::SeniorSecondary);
        assert!(Education::Associate < Education::Bachelor);
        assert!(Education::Master < Education::Doctorate);
        let mut shuffled = vec![Education::Master, Education::None, Education::Associate];
        shuffled.sort();
        assert_eq!(
            shuffled,
            vec![Education::None, Education::Associate, Education::Master]
        );
    }

    #[test]
    fn a_bachelor_meets_an_associate_minimum_but_not_a_master_one() {
        assert!(Education::Bachelor.meets(Education::Associate));
        assert!(Education::Bachelor.meets(Education::Bachelor));
        assert!(!Education::Bachelor.meets(Education::Master));
        assert!(Education::None.meets(Education::None));
    }

    #[test]
    fn higher_education_starts_at_associate() {
        assert!(!Education::SeniorSecondary.is_higher());
        assert!(Education::Associate.is_higher());
        assert!(Education::Doctorate.is_higher());
    }

    #[test]
    fn unknown_names_are_refused() {
        assert_eq!(Education::parse("Bachelor"), Err(EducationError));
        assert_eq!(Education::parse("phd"), Err(EducationError));
        assert_eq!(Education::parse(""), Err(EducationError));
        assert!(serde_json::from_str::<Education>("\"college\"").is_err());
        assert_eq!(EducationError.code(), "education.unknown");
    }

    #[test]
    fn surrounding_whitespace_is_ignored() {
        assert_eq!(Education::parse(" master "), Ok(Education::Master));
    }

    #[test]
    fn labels_are_the_office_terms() {
        assert_eq!(Education::Associate.label_zh(), "大专");
        assert_eq!(Education::SeniorSecondary.label_zh(), "高中/中专");
    }
}
