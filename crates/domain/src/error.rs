//! Why a command was refused.

use std::fmt;

use chrono::DateTime;
use chrono::Utc;

use crate::ids::ReferralId;
use crate::referral::ReferralOutcome;
use crate::vacancy::VacancyStatus;
use crate::value::{Education, JobSeekerCategory};

/// The four aggregates, to say which one an error is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AggregateKind {
    /// A job seeker.
    JobSeeker,
    /// An employer.
    Employer,
    /// A vacancy.
    Vacancy,
    /// A referral.
    Referral,
}

impl fmt::Display for AggregateKind {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(match self {
            Self::JobSeeker => "job seeker",
            Self::Employer => "employer",
            Self::Vacancy => "vacancy",
            Self::Referral => "referral",
        })
    }
}

/// The class of a refusal, which the HTTP edge maps to a status in one
/// place: `NotFound` → 404, `Conflict` → 409, `Unprocessable` → 422.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// The command is about an aggregate that does not exist.
    NotFound,
    /// The command is well formed but the current state forbids it; it may
    /// succeed once the state changes.
    Conflict,
    /// The command contradicts itself or a rule of the domain whatever the
    /// state; resending it unchanged will never succeed.
    Unprocessable,
}

/// A refusal by an aggregate's `decide`. Every variant has a stable
/// [`code`](Self::code), a [`kind`](Self::kind) and, where one field of the
/// command is at fault, that [`field`](Self::field).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DomainError {
    /// The aggregate has no events yet.
    #[error("no such {aggregate}")]
    NotFound {
        /// Which kind of aggregate.
        aggregate: AggregateKind,
    },
    /// A creating command (register, publish, refer) on an aggregate that
    /// already exists.
    #[error("the {aggregate} already exists")]
    AlreadyExists {
        /// Which kind of aggregate.
        aggregate: AggregateKind,
    },
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
    /// A vacancy's closing time that is not after the time of the command.
    #[error("the closing time {closes_at} is not in the future")]
    ClosingTimeNotInFuture {
        /// The closing time given.
        closes_at: DateTime<Utc>,
    },
    /// A change to, or a referral to, a vacancy that is closed or filled.
    #[error("the vacancy is {status}, not open")]
    VacancyNotOpen {
        /// Its status.
        status: VacancyStatus,
    },
    /// A referral to a vacancy whose closing time has passed.
    #[error("the vacancy closed at {closes_at}")]
    VacancyPastClosingTime {
        /// Its closing time.
        closes_at: DateTime<Utc>,
    },
    /// A headcount below the number of people already hired.
    #[error("the headcount cannot be below the {placed} people already hired")]
    HeadcountBelowPlacements {
        /// How many have been hired through referrals.
        placed: usize,
    },
    /// A second open referral of one person to one vacancy.
    #[error("the job seeker already has an open referral {existing} to this vacancy")]
    DuplicateOpenReferral {
        /// The referral still open.
        existing: ReferralId,
    },
    /// A referral to a public-welfare post (公益性岗位) of someone in no
    /// hard-to-employ group.
    #[error("public-welfare posts are for hard-to-employ job seekers")]
    NotEligibleForPublicWelfarePost,
    /// A second outcome for a referral.
    #[error("the referral already ended with the outcome {outcome}")]
    ReferralAlreadyConcluded {
        /// The outcome it ended with.
        outcome: ReferralOutcome,
    },
    /// An outcome dated before the referral was made.
    #[error("the outcome is dated before the referral was made")]
    OutcomeBeforeReferral,
}

impl DomainError {
    /// The stable machine code: snake_case, never changed once published.
    pub fn code(&self) -> &'static str {
        match self {
            Self::NotFound { .. } => "not_found",
            Self::AlreadyExists { .. } => "already_exists",
            Self::UnderMinimumWorkingAge { .. } => "under_minimum_working_age",
            Self::GraduationYearImplausible { .. } => "graduation_year_implausible",
            Self::CategoryRequiresEducation { .. } => "category_requires_education",
            Self::TooManyItems { .. } => "too_many_items",
            Self::AlreadyRegisteredUnemployed => "already_registered_unemployed",
            Self::AlreadyEmployed => "already_employed",
            Self::UnemploymentBeforeEmploymentStart => "unemployment_before_employment_start",
            Self::ClosingTimeNotInFuture { .. } => "closing_time_not_in_future",
            Self::VacancyNotOpen { .. } => "vacancy_not_open",
            Self::VacancyPastClosingTime { .. } => "vacancy_past_closing_time",
            Self::HeadcountBelowPlacements { .. } => "headcount_below_placements",
            Self::DuplicateOpenReferral { .. } => "duplicate_open_referral",
            Self::NotEligibleForPublicWelfarePost => "not_eligible_for_public_welfare_post",
            Self::ReferralAlreadyConcluded { .. } => "referral_already_concluded",
            Self::OutcomeBeforeReferral => "outcome_before_referral",
        }
    }

    /// The class of the refusal, for the HTTP status.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Self::NotFound { .. } => ErrorKind::NotFound,
            Self::AlreadyExists { .. }
            | Self::AlreadyRegisteredUnemployed
            | Self::AlreadyEmployed
            | Self::VacancyNotOpen { .. }
            | Self::VacancyPastClosingTime { .. }
            | Self::HeadcountBelowPlacements { .. }
            | Self::DuplicateOpenReferral { .. }
            | Self::NotEligibleForPublicWelfarePost
            | Self::ReferralAlreadyConcluded { .. } => ErrorKind::Conflict,
            Self::UnderMinimumWorkingAge { .. }
            | Self::GraduationYearImplausible { .. }
            | Self::CategoryRequiresEducation { .. }
            | Self::TooManyItems { .. }
            | Self::UnemploymentBeforeEmploymentStart
            | Self::ClosingTimeNotInFuture { .. }
            | Self::OutcomeBeforeReferral => ErrorKind::Unprocessable,
        }
    }

    /// The command field at fault, named as in the API, where there is one.
    pub fn field(&self) -> Option<&'static str> {
        match self {
            Self::UnderMinimumWorkingAge { .. } => Some("id_number"),
            Self::GraduationYearImplausible { .. } => Some("graduation_year"),
            Self::CategoryRequiresEducation { .. } => Some("categories"),
            Self::TooManyItems { field, .. } => Some(field),
            Self::UnemploymentBeforeEmploymentStart => Some("registered_on"),
            Self::ClosingTimeNotInFuture { .. } => Some("closes_at"),
            Self::HeadcountBelowPlacements { .. } => Some("headcount"),
            Self::OutcomeBeforeReferral => Some("date"),
            Self::NotFound { .. }
            | Self::AlreadyExists { .. }
            | Self::AlreadyRegisteredUnemployed
            | Self::AlreadyEmployed
            | Self::VacancyNotOpen { .. }
            | Self::VacancyPastClosingTime { .. }
            | Self::DuplicateOpenReferral { .. }
            | Self::NotEligibleForPublicWelfarePost
            | Self::ReferralAlreadyConcluded { .. } => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_snake_case() {
        let errors = [
            DomainError::NotFound {
                aggregate: AggregateKind::Vacancy,
            },
            DomainError::AlreadyExists {
                aggregate: AggregateKind::Employer,
            },
            DomainError::UnderMinimumWorkingAge { minimum_age: 16 },
            DomainError::GraduationYearImplausible {
                graduation_year: 1990,
                birth_year: 1990,
            },
            DomainError::CategoryRequiresEducation {
                category: JobSeekerCategory::Graduate,
                minimum: Education::Associate,
            },
            DomainError::TooManyItems {
                field: "skills",
                max: 30,
            },
            DomainError::AlreadyRegisteredUnemployed,
            DomainError::AlreadyEmployed,
            DomainError::UnemploymentBeforeEmploymentStart,
            DomainError::ClosingTimeNotInFuture {
                closes_at: DateTime::UNIX_EPOCH,
            },
            DomainError::VacancyNotOpen {
                status: VacancyStatus::Closed,
            },
            DomainError::VacancyPastClosingTime {
                closes_at: DateTime::UNIX_EPOCH,
            },
            DomainError::HeadcountBelowPlacements { placed: 2 },
            DomainError::DuplicateOpenReferral {
                existing: ReferralId::generate(),
            },
            DomainError::NotEligibleForPublicWelfarePost,
            DomainError::ReferralAlreadyConcluded {
                outcome: ReferralOutcome::Hired,
            },
            DomainError::OutcomeBeforeReferral,
        ];
        let mut codes: Vec<_> = errors.iter().map(DomainError::code).collect();
        for code in &codes {
            assert!(
                code.chars().all(|c| c.is_ascii_lowercase() || c == '_'),
                "{code}"
            );
        }
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), errors.len());
    }

    #[test]
    fn refusals_map_to_their_kinds() {
        assert_eq!(
            DomainError::NotFound {
                aggregate: AggregateKind::JobSeeker
            }
            .kind(),
            ErrorKind::NotFound
        );
        assert_eq!(
            DomainError::VacancyNotOpen {
                status: VacancyStatus::Filled
            }
            .kind(),
            ErrorKind::Conflict
        );
        assert_eq!(
            DomainError::OutcomeBeforeReferral.kind(),
            ErrorKind::Unprocessable
        );
    }

    #[test]
    fn field_errors_name_the_api_field() {
        assert_eq!(
            DomainError::TooManyItems {
                field: "desired_regions",
                max: 10
            }
            .field(),
            Some("desired_regions")
        );
        assert_eq!(
            DomainError::ClosingTimeNotInFuture {
                closes_at: DateTime::UNIX_EPOCH
            }
            .field(),
            Some("closes_at")
        );
        assert_eq!(DomainError::AlreadyEmployed.field(), None);
    }

    #[test]
    fn messages_are_lowercase_log_lines() {
        let message = DomainError::VacancyNotOpen {
            status: VacancyStatus::Closed,
        }
        .to_string();
        assert_eq!(message, "the vacancy is closed, not open");
    }
}
