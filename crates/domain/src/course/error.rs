//! Why a command on a course or an enrolment was refused.

use chrono::NaiveDate;

use super::EnrolmentStatus;
use super::values::EnrolmentId;
use crate::refusal::{Coded, ErrorKind, Refusal};

/// A refusal by the course's `decide`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CourseError {
    /// A command on a course never opened.
    #[error("no such course")]
    NotFound,
    /// Opening a course under an id already used.
    #[error("the course already exists")]
    AlreadyExists,
    /// A course that ends before it starts.
    #[error("the course ends before it starts")]
    EndsBeforeStart,
    /// An order-based course without its employer, or another kind with one.
    #[error("an order-based course names its employer and committed hires, and only it does")]
    OrderCommitment,
    /// An enrolment after the course ended.
    #[error("the course ended on {ends_on}")]
    CourseEnded {
        /// Its last day.
        ends_on: NaiveDate,
    },
    /// A job seeker in none of the categories a targeted course is for.
    #[error("the course is only for job seekers of the categories it targets")]
    NotEligible,
    /// A second enrolment of one job seeker in a course while the first stands.
    #[error("the job seeker is already enrolled as {existing}")]
    AlreadyEnrolled {
        /// The standing enrolment.
        existing: EnrolmentId,
    },
    /// Every seat taken and the waiting list at its longest.
    #[error("every seat is taken and the waiting list is full")]
    WaitingListFull,
    /// An enrolment the course does not have.
    #[error("no such enrolment in the course")]
    EnrolmentNotFound,
    /// A command the enrolment's status does not allow.
    #[error("the enrolment is {status}")]
    WrongStatus {
        /// Its status.
        status: EnrolmentStatus,
    },
    /// A completion or drop-out dated before the course started.
    #[error("the date is before the course started")]
    BeforeStart,
    /// An appraisal dated before the completion.
    #[error("the appraisal is dated before the trainee completed")]
    AppraisalBeforeCompletion,
    /// An employment outside the window after completion.
    #[error("the employment did not start within the window after completion")]
    OutsideEmploymentWindow,
}

impl Coded for CourseError {
    fn code(&self) -> &'static str {
        match self {
            Self::NotFound => "course_not_found",
            Self::AlreadyExists => "course_already_exists",
            Self::EndsBeforeStart => "course_ends_before_start",
            Self::OrderCommitment => "order_commitment",
            Self::CourseEnded { .. } => "course_ended",
            Self::NotEligible => "not_eligible_for_course",
            Self::AlreadyEnrolled { .. } => "already_enrolled",
            Self::WaitingListFull => "waiting_list_full",
            Self::EnrolmentNotFound => "enrolment_not_found",
            Self::WrongStatus { .. } => "enrolment_status",
            Self::BeforeStart => "before_course_start",
            Self::AppraisalBeforeCompletion => "appraisal_before_completion",
            Self::OutsideEmploymentWindow => "outside_employment_window",
        }
    }
}

impl Refusal for CourseError {
    fn kind(&self) -> ErrorKind {
        match self {
            Self::NotFound | Self::EnrolmentNotFound => ErrorKind::NotFound,
            Self::EndsBeforeStart
            | Self::OrderCommitment
            | Self::BeforeStart
            | Self::AppraisalBeforeCompletion => ErrorKind::Unprocessable,
            Self::AlreadyExists
            | Self::CourseEnded { .. }
            | Self::NotEligible
            | Self::AlreadyEnrolled { .. }
            | Self::WaitingListFull
            | Self::WrongStatus { .. }
            | Self::OutsideEmploymentWindow => ErrorKind::Conflict,
        }
    }

    fn field(&self) -> Option<&'static str> {
        match self {
            Self::EndsBeforeStart => Some("ends_on"),
            Self::OrderCommitment => Some("order"),
            Self::BeforeStart => Some("date"),
            Self::AppraisalBeforeCompletion => Some("appraised_on"),
            _ => None,
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
            &CourseError::NotFound,
            &CourseError::AlreadyExists,
            &CourseError::EndsBeforeStart,
            &CourseError::OrderCommitment,
            &CourseError::CourseEnded {
                ends_on: NaiveDate::MIN,
            },
            &CourseError::NotEligible,
            &CourseError::AlreadyEnrolled {
                existing: EnrolmentId::generate(),
            },
            &CourseError::WaitingListFull,
            &CourseError::EnrolmentNotFound,
            &CourseError::WrongStatus {
                status: EnrolmentStatus::Cancelled,
            },
            &CourseError::BeforeStart,
            &CourseError::AppraisalBeforeCompletion,
            &CourseError::OutsideEmploymentWindow,
        ]);
    }
}
