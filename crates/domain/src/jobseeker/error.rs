//! Why a command on a job seeker was refused.

use crate::refusal::{Coded, ErrorKind, Refusal};
use crate::value::{Education, JobSeekerCategory};

/// A refusal by the job seeker's `decide`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JobSeekerError {
    /// A change to a job seeker who is not registered.
    #[error("no such job seeker")]
    NotFound,
    /// A registration of an id already registered.
    #[error("the job seeker already exists")]
    AlreadyExists,
    /// The person is younger than the minimum working age (16, Labour Law
    /// art. 15) on the day of registration.
    #[error("the job seeker is younger than {minimum_age}")]
    UnderMinimumWorkingAge {
        /// The minimum age.
        minimum_age: u32,
    },
    /// The graduation year cannot be right for someone born in `birth_year`.
    #[error("graduation in {graduation_year} is implausible for someone born in {birth_year}")]
    GraduationYearImplausible {
        /// The graduation year given.
        graduation_year: u16,
        /// The birth year from the resident id number.
        birth_year: i32,
    },
    /// A graduate category without higher education.
    #[error("the category {category} requires at least {minimum} education")]
    CategoryRequiresEducation {
        /// The category given.
        category: JobSeekerCategory,
        /// The education it presupposes.
        minimum: Education,
    },
    /// A list longer than allowed.
    #[error("{field} has more than {max} items")]
    TooManyItems {
        /// The command field.
        field: &'static str,
        /// The most allowed.
        max: usize,
    },
    /// Unemployment registration of someone already registered unemployed.
    #[error("the job seeker is already registered as unemployed")]
    AlreadyRegisteredUnemployed,
    /// Employment registration of someone already employed.
    #[error("the job seeker is already registered as employed")]
    AlreadyEmployed,
    /// Unemployment registered on a date before the current employment
    /// started.
    #[error("unemployment cannot be registered before the current employment started")]
    UnemploymentBeforeEmploymentStart,
    /// A change to a job seeker whose personal data was erased.
    #[error("the job seeker's personal data was erased")]
    Erased,
}

impl Coded for JobSeekerError {
    fn code(&self) -> &'static str {
        match self {
            Self::NotFound => "not_found",
            Self::AlreadyExists => "already_exists",
            Self::UnderMinimumWorkingAge { .. } => "under_minimum_working_age",
            Self::GraduationYearImplausible { .. } => "graduation_year_implausible",
            Self::CategoryRequiresEducation { .. } => "category_requires_education",
            Self::TooManyItems { .. } => "too_many_items",
            Self::AlreadyRegisteredUnemployed => "already_registered_unemployed",
            Self::AlreadyEmployed => "already_employed",
            Self::UnemploymentBeforeEmploymentStart => "unemployment_before_employment_start",
            Self::Erased => "erased",
        }
    }
}

impl Refusal for JobSeekerError {
    fn kind(&self) -> ErrorKind {
        match self {
            Self::NotFound => ErrorKind::NotFound,
            Self::AlreadyExists
            | Self::AlreadyRegisteredUnemployed
            | Self::AlreadyEmployed
            | Self::Erased => ErrorKind::Conflict,
            Self::UnderMinimumWorkingAge { .. }
            | Self::GraduationYearImplausible { .. }
            | Self::CategoryRequiresEducation { .. }
            | Self::TooManyItems { .. }
            | Self::UnemploymentBeforeEmploymentStart => ErrorKind::Unprocessable,
        }
    }

    fn field(&self) -> Option<&'static str> {
        match self {
            Self::UnderMinimumWorkingAge { .. } => Some("id_number"),
            Self::GraduationYearImplausible { .. } => Some("graduation_year"),
            Self::CategoryRequiresEducation { .. } => Some("categories"),
            Self::TooManyItems { field, .. } => Some(field),
            Self::UnemploymentBeforeEmploymentStart => Some("registered_on"),
            Self::NotFound
            | Self::AlreadyExists
            | Self::AlreadyRegisteredUnemployed
            | Self::AlreadyEmployed
            | Self::Erased => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::refusal::assert_codes_unique;

    #[test]
    fn codes_are_unique_snake_case() {
        assert_codes_unique(&[
            &JobSeekerError::NotFound,
            &JobSeekerError::AlreadyExists,
            &JobSeekerError::UnderMinimumWorkingAge { minimum_age: 16 },
            &JobSeekerError::GraduationYearImplausible {
                graduation_year: 1990,
                birth_year: 1990,
            },
            &JobSeekerError::CategoryRequiresEducation {
                category: JobSeekerCategory::Graduate,
                minimum: Education::Associate,
            },
            &JobSeekerError::TooManyItems {
                field: "skills",
                max: 30,
            },
            &JobSeekerError::AlreadyRegisteredUnemployed,
            &JobSeekerError::AlreadyEmployed,
            &JobSeekerError::UnemploymentBeforeEmploymentStart,
            &JobSeekerError::Erased,
        ]);
    }

    #[test]
    fn field_errors_name_the_api_field() {
        let error = JobSeekerError::TooManyItems {
            field: "desired_regions",
            max: 10,
        };
        assert_eq!(error.field(), Some("desired_regions"));
        assert_eq!(error.kind(), ErrorKind::Unprocessable);
        assert_eq!(JobSeekerError::AlreadyEmployed.field(), None);
        assert_eq!(JobSeekerError::AlreadyEmployed.kind(), ErrorKind::Conflict);
    }
}
