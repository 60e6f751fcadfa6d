//! Job-seeker categories (人员类别) of the provincial notice.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::refusal::Coded;

/// A group a job seeker belongs to; one person may be in several.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JobSeekerCategory {
    /// College graduate (高校毕业生).
    Graduate,
    /// Migrant worker from the countryside (农民工).
    MigrantWorker,
    /// Laid-off or newly unemployed (下岗失业人员).
    LaidOff,
    /// Urban new labour force, first entering work (城镇新增劳动力).
    UrbanNewLabour,
    /// Person in hardship (困难群众).
    Hardship,
    /// Member of a zero-employment household (零就业家庭).
    ZeroEmploymentHousehold,
    /// Migrant worker returned home (返乡农民工).
    ReturningMigrant,
    /// Person with a disability (残疾人).
    Disabled,
    /// Graduate holding a student loan (享受助学贷款的高校毕业生).
    StudentLoanGraduate,
    /// Unemployed for more than a year (长期失业人员).
    LongTermUnemployed,
}

/// A text that names no job-seeker category.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown job-seeker category")]
pub struct JobSeekerCategoryError;

impl Coded for JobSeekerCategoryError {
    fn code(&self) -> &'static str {
        "category.unknown"
    }
}

impl JobSeekerCategory {
    /// Every category.
    pub const ALL: [JobSeekerCategory; 10] = [
        Self::Graduate,
        Self::MigrantWorker,
        Self::LaidOff,
        Self::UrbanNewLabour,
        Self::Hardship,
        Self::ZeroEmploymentHousehold,
        Self::ReturningMigrant,
        Self::Disabled,
        Self::StudentLoanGraduate,
        Self::LongTermUnemployed,
    ];

    /// Parses the snake_case name (`zero_employment_household`).
    pub fn parse(input: &str) -> Result<Self, JobSeekerCategoryError> {
        let name = input.trim();
        Self::ALL
            .into_iter()
            .find(|category| category.as_str() == name)
            .ok_or(JobSeekerCategoryError)
    }

    /// The snake_case name used in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Graduate => "graduate",
            Self::MigrantWorker => "migrant_worker",
            Self::LaidOff => "laid_off",
            Self::UrbanNewLabour => "urban_new_labour",
            Self::Hardship => "hardship",
            Self::ZeroEmploymentHousehold => "zero_employment_household",
            Self::ReturningMigrant => "returning_migrant",
            Self::Disabled => "disabled",
            Self::StudentLoanGraduate => "student_loan_graduate",
            Self::LongTermUnemployed => "long_term_unemployed",
        }
    }

    /// The name office staff use.
    pub fn label_zh(self) -> &'static str {
        match self {
            Self::Graduate => "高校毕业生",
            Self::MigrantWorker => "农民工",
            Self::LaidOff => "下岗失业人员",
            Self::UrbanNewLabour => "城镇新增劳动力",
            Self::Hardship => "困难群众",
            Self::ZeroEmploymentHousehold => "零就业家庭成员",
            Self::ReturningMigrant => "返乡农民工",
            Self::Disabled => "残疾人",
            Self::StudentLoanGraduate => "享受助学贷款的高校毕业生",
            Self::LongTermUnemployed => "长期失业人员",
        }
    }

    /// Whether the notice names this group for priority service: the
    /// priority groups of section 2 (urban new labour, graduates, laid-off,
    /// hardship), the zero-employment households and hard-to-employ of
    /// section 3, and the graduates section 4 puts first (student loans,
    /// unemployed for over a year). Migrant workers, at home or returned,
    /// get free services (sections 5 and 6) but not priority.
    pub fn is_priority(self) -> bool {
        !matches!(self, Self::MigrantWorker | Self::ReturningMigrant)
    }

    /// Whether the group is hard to employ (就业困难人员), for whom
    /// public-welfare posts (公益性岗位) are developed (section 3).
    pub fn is_hard_to_employ(self) -> bool {
        matches!(
            self,
            Self::Hardship
                | Self::ZeroEmploymentHousehold
                | Self::Disabled
                | Self::LongTermUnemployed
        )
    }

    /// Whether the category presupposes higher education (associate or
    /// above): the graduate groups.
    pub fn requires_higher_education(self) -> bool {
        matches!(self, Self::Graduate | Self::StudentLoanGraduate)
    }
}

impl std::str::FromStr for JobSeekerCategory {
    type Err = JobSeekerCategoryError;

    fn from_str(input: &str) -> Result<Self, Self::Err> {
        Self::parse(input)
    }
}

impl fmt::Display for JobSeekerCategory {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_category_parses_from_its_name_and_back() {
        for category in JobSeekerCategory::ALL {
            assert_eq!(JobSeekerCategory::parse(category.as_str()), Ok(category));
            let json = serde_json::to_string(&category).unwrap();
            assert_eq!(json, format!("\"{}\"", category.as_str()));
            assert_eq!(
                serde_json::from_str::<JobSeekerCategory>(&json).unwrap(),
                category
            );
        }
    }

    #[test]
    fn the_notices_priority_groups_are_priority() {
        for category in [
            JobSeekerCategory::UrbanNewLabour,
            JobSeekerCategory::Graduate,
            JobSeekerCategory::LaidOff,
            JobSeekerCategory::Hardship,
            JobSeekerCategory::ZeroEmploymentHousehold,
            JobSeekerCategory::StudentLoanGraduate,
            JobSeekerCategory::LongTermUnemployed,
            JobSeekerCategory::Disabled,
        ] {
            assert!(category.is_priority(), "{category}");
        }
        assert!(!JobSeekerCategory::MigrantWorker.is_priority());
        assert!(!JobSeekerCategory::ReturningMigrant.is_priority());
    }

    #[test]
    fn hard_to_employ_groups_are_a_subset_of_priority_groups() {
        for category in JobSeekerCategory::ALL {
            if category.is_hard_to_employ() {
                assert!(category.is_priority(), "{category}");
            }
        }
        assert!(JobSeekerCategory::ZeroEmploymentHousehold.is_hard_to_employ());
        assert!(!JobSeekerCategory::Graduate.is_hard_to_employ());
    }

    #[test]
    fn only_graduate_groups_require_higher_education() {
        let requiring: Vec<_> = JobSeekerCategory::ALL
            .into_iter()
            .filter(|category| category.requires_higher_education())
            .collect();
        assert_eq!(
            requiring,
            vec![
                JobSeekerCategory::Graduate,
                JobSeekerCategory::StudentLoanGraduate
            ]
        );
    }

    #[test]
    fn unknown_names_are_refused() {
        assert_eq!(
            JobSeekerCategory::parse("unemployed"),
            Err(JobSeekerCategoryError)
        );
        assert_eq!(
            JobSeekerCategory::parse("Graduate"),
            Err(JobSeekerCategoryError)
        );
        assert!(serde_json::from_str::<JobSeekerCategory>("\"veteran\"").is_err());
        assert_eq!(JobSeekerCategoryError.code(), "category.unknown");
    }

    #[test]
    fn labels_are_the_office_terms() {
        assert_eq!(
            JobSeekerCategory::ZeroEmploymentHousehold.label_zh(),
            "零就业家庭成员"
        );
    }
}
