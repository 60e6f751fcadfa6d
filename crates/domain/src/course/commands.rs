//! What may be asked of a course and of the enrolments in it.

use std::collections::BTreeSet;

use chrono::{DateTime, NaiveDate, Utc};

use super::values::{CertificateLevel, EnrolmentId};
use super::{CourseDetails, EmploymentSource};
use crate::ids::{EmployerId, JobSeekerId};
use crate::provider::ProviderId;
use crate::value::{DivisionCode, JobSeekerCategory};

/// Open a course of a registered provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenCourse {
    /// The new course's id.
    pub course_id: super::CourseId,
    /// The provider giving it.
    pub provider_id: ProviderId,
    /// The provider's office: the course's office.
    pub office: DivisionCode,
    /// What the course is.
    pub details: CourseDetails,
    /// Now.
    pub opened_at: DateTime<Utc>,
}

/// Enrol a job seeker: a seat when one is free, else a place on the
/// waiting list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Enrol {
    /// The new enrolment's id.
    pub enrolment_id: EnrolmentId,
    /// Who.
    pub jobseeker_id: JobSeekerId,
    /// The job seeker's categories as they stand (for a targeted course).
    pub categories: BTreeSet<JobSeekerCategory>,
    /// Now.
    pub enrolled_at: DateTime<Utc>,
    /// The rules' longest waiting list.
    pub waiting_list_max: u32,
}

/// Cancel an enrolment (seated or waiting); a freed seat goes to the first
/// on the waiting list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CancelEnrolment {
    /// Which.
    pub enrolment_id: EnrolmentId,
    /// Now.
    pub cancelled_at: DateTime<Utc>,
}

/// Record that a seated trainee completed the course (结业).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompleteTraining {
    /// Which.
    pub enrolment_id: EnrolmentId,
    /// The day.
    pub completed_on: NaiveDate,
}

/// Record that a seated trainee dropped out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DropOut {
    /// Which.
    pub enrolment_id: EnrolmentId,
    /// The day they left.
    pub left_on: NaiveDate,
}

/// Record a skill appraisal (职业技能鉴定) of a trainee who completed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppraiseSkill {
    /// Which.
    pub enrolment_id: EnrolmentId,
    /// The certificate level appraised for.
    pub level: CertificateLevel,
    /// Whether it was passed.
    pub passed: bool,
    /// The day.
    pub appraised_on: NaiveDate,
}

/// Count a trainee's employment for the course (the outcomes process:
/// an employment registration or a hire of the job seeker). The first
/// employment within the window after completion counts; a later one
/// changes nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordTraineeEmployment {
    /// Which enrolment.
    pub enrolment_id: EnrolmentId,
    /// The first day of work.
    pub started_on: NaiveDate,
    /// The employer, when known.
    pub employer_id: Option<EmployerId>,
    /// Which fact told of it.
    pub source: EmploymentSource,
    /// The rules' window after completion, in months.
    pub window_months: u32,
}

/// What may be asked of a course.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CourseCommand {
    /// Open it.
    Open(OpenCourse),
    /// Enrol a job seeker.
    Enrol(Enrol),
    /// Cancel an enrolment.
    Cancel(CancelEnrolment),
    /// A trainee completed.
    Complete(CompleteTraining),
    /// A trainee dropped out.
    DropOut(DropOut),
    /// A trainee's skill appraisal.
    Appraise(AppraiseSkill),
    /// A trainee's employment.
    RecordEmployment(RecordTraineeEmployment),
}
