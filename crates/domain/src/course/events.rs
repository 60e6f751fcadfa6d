//! What a course's stream records: the course, and each enrolment in it.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::values::{CertificateLevel, EnrolmentId};
use super::{CourseDetails, CourseId, EmploymentSource, Placement};
use crate::ids::{EmployerId, JobSeekerId};
use crate::provider::ProviderId;
use crate::value::DivisionCode;

/// `CourseOpened` (schema 1): a provider's course was opened for enrolment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CourseOpened {
    /// The course.
    pub course_id: CourseId,
    /// Its provider.
    pub provider_id: ProviderId,
    /// Its office (the provider's).
    pub office: DivisionCode,
    /// What it is.
    pub details: CourseDetails,
    /// When.
    pub opened_at: DateTime<Utc>,
}

/// `TraineeEnrolled` (schema 1): a job seeker enrolled, on a seat or on the
/// waiting list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TraineeEnrolled {
    /// The course.
    pub course_id: CourseId,
    /// The enrolment.
    pub enrolment_id: EnrolmentId,
    /// Who.
    pub jobseeker_id: JobSeekerId,
    /// A seat, or the waiting list.
    pub placement: Placement,
    /// When.
    pub enrolled_at: DateTime<Utc>,
}

/// `EnrolmentCancelled` (schema 1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnrolmentCancelled {
    /// The course.
    pub course_id: CourseId,
    /// The enrolment.
    pub enrolment_id: EnrolmentId,
    /// When.
    pub cancelled_at: DateTime<Utc>,
}

/// `TraineePromoted` (schema 1): the first on the waiting list took a
/// freed seat.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TraineePromoted {
    /// The course.
    pub course_id: CourseId,
    /// The enrolment promoted.
    pub enrolment_id: EnrolmentId,
    /// When.
    pub promoted_at: DateTime<Utc>,
}

/// `TrainingCompleted` (schema 1): a trainee completed the course (结业).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrainingCompleted {
    /// The course.
    pub course_id: CourseId,
    /// The enrolment.
    pub enrolment_id: EnrolmentId,
    /// Who (so that the outcomes process need not load the course).
    pub jobseeker_id: JobSeekerId,
    /// The day.
    pub completed_on: NaiveDate,
}

/// `TrainingDroppedOut` (schema 1): a trainee left before the end.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrainingDroppedOut {
    /// The course.
    pub course_id: CourseId,
    /// The enrolment.
    pub enrolment_id: EnrolmentId,
    /// The day they left.
    pub left_on: NaiveDate,
}

/// `SkillAppraised` (schema 1): the result of a trainee's skill appraisal
/// (职业技能鉴定).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SkillAppraised {
    /// The course.
    pub course_id: CourseId,
    /// The enrolment.
    pub enrolment_id: EnrolmentId,
    /// The certificate level.
    pub level: CertificateLevel,
    /// Passed or not.
    pub passed: bool,
    /// The day.
    pub appraised_on: NaiveDate,
}

/// `TraineeEmploymentRecorded` (schema 1): a trainee was employed within
/// the window after completing, so the employment counts for the course.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TraineeEmploymentRecorded {
    /// The course.
    pub course_id: CourseId,
    /// The enrolment.
    pub enrolment_id: EnrolmentId,
    /// Who.
    pub jobseeker_id: JobSeekerId,
    /// The first day of work.
    pub started_on: NaiveDate,
    /// The employer, when known.
    pub employer_id: Option<EmployerId>,
    /// Which fact told of it.
    pub source: EmploymentSource,
}

crate::domain_events! {
    /// What happens to a course and its enrolments.
    pub enum CourseEvent in course_id {
        /// `CourseOpened`.
        Opened(CourseOpened) = ("CourseOpened", 1),
        /// `TraineeEnrolled`.
        Enrolled(TraineeEnrolled) = ("TraineeEnrolled", 1),
        /// `EnrolmentCancelled`.
        Cancelled(EnrolmentCancelled) = ("EnrolmentCancelled", 1),
        /// `TraineePromoted`.
        Promoted(TraineePromoted) = ("TraineePromoted", 1),
        /// `TrainingCompleted`.
        Completed(TrainingCompleted) = ("TrainingCompleted", 1),
        /// `TrainingDroppedOut`.
        DroppedOut(TrainingDroppedOut) = ("TrainingDroppedOut", 1),
        /// `SkillAppraised`.
        Appraised(SkillAppraised) = ("SkillAppraised", 1),
        /// `TraineeEmploymentRecorded`.
        EmploymentRecorded(TraineeEmploymentRecorded) = ("TraineeEmploymentRecorded", 1),
    }
}

impl CourseEvent {
    /// The enrolment the event is about, for all but the opening.
    pub fn enrolment_id(&self) -> Option<EnrolmentId> {
        match self {
            Self::Opened(_) => None,
            Self::Enrolled(event) => Some(event.enrolment_id),
            Self::Cancelled(event) => Some(event.enrolment_id),
            Self::Promoted(event) => Some(event.enrolment_id),
            Self::Completed(event) => Some(event.enrolment_id),
            Self::DroppedOut(event) => Some(event.enrolment_id),
            Self::Appraised(event) => Some(event.enrolment_id),
            Self::EmploymentRecorded(event) => Some(event.enrolment_id),
        }
    }
}
