//! Vocational training (职业培训): courses of registered providers —
//! employment training, re-employment training (再就业培训), on-the-job
//! training, order-based training for an employer's committed hires
//! (订单式培训) and entrepreneurship training (创业培训) — with the
//! enrolments in them: a seat or the waiting list, completion (结业) or
//! drop-out, the skill appraisal (职业技能鉴定) of those who completed, and
//! the employment within the window after completion that counts for the
//! course and its provider.
//!
//! A course and its enrolments are one aggregate (stream `course-<uuid>`),
//! so that its seats and its waiting list are decided in one place: a
//! cancellation frees a seat and promotes the first on the waiting list in
//! the same decision. An enrolment has an id of its own ([`EnrolmentId`])
//! but no stream. What a decision needs of other aggregates (the job
//! seeker's categories) or of the rules (the employment window, the
//! longest waiting list) comes in the command.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use chrono::{DateTime, Months, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::aggregate::Aggregate;
use crate::calendar::china_date;
use crate::ids::{EmployerId, JobSeekerId};
use crate::provider::ProviderId;
use crate::value::{Description, DivisionCode, Fen, JobSeekerCategory, Label, Title};

mod commands;
mod error;
mod events;
mod rules;
mod values;

pub use commands::{
    AppraiseSkill, CancelEnrolment, CompleteTraining, CourseCommand, DropOut, Enrol, OpenCourse,
    RecordTraineeEmployment,
};
pub use error::CourseError;
pub use events::{
    CourseEvent, CourseOpened, EnrolmentCancelled, SkillAppraised, TraineeEmploymentRecorded,
    TraineeEnrolled, TraineePromoted, TrainingCompleted, TrainingDroppedOut,
};
pub use rules::TrainingRules;
pub use values::{
    CertificateLevel, CommittedHires, CountOutOfRange, CourseHours, CourseKind, EnrolmentId, Seats,
    UnknownName,
};

crate::ids::aggregate_id!(
    /// Identifies a course; stream `course-<uuid>`.
    CourseId,
    "course",
    "course"
);

/// The employer an order-based course trains for, and the hires it
/// commits to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrderCommitment {
    /// The employer.
    pub employer_id: EmployerId,
    /// How many trainees it commits to hire.
    pub committed_hires: CommittedHires,
}

/// What a course is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CourseDetails {
    /// Its title.
    pub title: Title,
    /// Its kind.
    pub kind: CourseKind,
    /// The occupation it trains for (a code of the occupational
    /// classification where there is one).
    pub occupation: Option<Label>,
    /// What it teaches.
    pub description: Option<Description>,
    /// Hours of teaching.
    pub hours: CourseHours,
    /// Seats.
    pub seats: Seats,
    /// First day.
    pub starts_on: NaiveDate,
    /// Last day.
    pub ends_on: NaiveDate,
    /// Where it is given.
    pub region: DivisionCode,
    /// The training subsidy per trainee (培训补贴), in fen.
    pub subsidy_per_trainee_fen: Fen,
    /// The categories it is for; empty: any job seeker.
    pub eligible_categories: BTreeSet<JobSeekerCategory>,
    /// For an order-based course: the employer and its committed hires.
    pub order: Option<OrderCommitment>,
}

/// Where an enrolment was placed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Placement {
    /// A seat.
    Seat,
    /// The waiting list.
    WaitingList,
}

/// Where an enrolment stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EnrolmentStatus {
    /// On a seat, training.
    Seated,
    /// On the waiting list.
    Waiting,
    /// Cancelled before the end.
    Cancelled,
    /// Completed the course.
    Completed,
    /// Left before the end.
    DroppedOut,
}

impl EnrolmentStatus {
    /// The snake_case name used in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Seated => "seated",
            Self::Waiting => "waiting",
            Self::Cancelled => "cancelled",
            Self::Completed => "completed",
            Self::DroppedOut => "dropped_out",
        }
    }
}

impl fmt::Display for EnrolmentStatus {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(self.as_str())
    }
}

/// Which fact told of a trainee's employment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EmploymentSource {
    /// An employment registration (就业登记) of the job seeker.
    EmploymentRegistration,
    /// A hire recorded on a referral.
    Hire,
}

impl EmploymentSource {
    /// The snake_case name used in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::EmploymentRegistration => "employment_registration",
            Self::Hire => "hire",
        }
    }
}

/// A skill appraisal's result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Appraisal {
    /// The level.
    pub level: CertificateLevel,
    /// Passed or not.
    pub passed: bool,
    /// The day.
    pub appraised_on: NaiveDate,
}

/// The employment that counts for the course.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TraineeEmployment {
    /// The first day of work.
    pub started_on: NaiveDate,
    /// The employer, when known.
    pub employer_id: Option<EmployerId>,
    /// Which fact told of it.
    pub source: EmploymentSource,
}

/// One enrolment in a course.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Enrolment {
    /// Its id.
    pub id: EnrolmentId,
    /// Who.
    pub jobseeker_id: JobSeekerId,
    /// Where it stands.
    pub status: EnrolmentStatus,
    /// When enrolled.
    pub enrolled_at: DateTime<Utc>,
    /// The day of completion, once completed.
    pub completed_on: Option<NaiveDate>,
    /// The day of dropping out, once dropped out.
    pub left_on: Option<NaiveDate>,
    /// The latest skill appraisal.
    pub appraisal: Option<Appraisal>,
    /// The employment that counts for the course.
    pub employment: Option<TraineeEmployment>,
}

/// A course and its enrolments, as folded from its events.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Course {
    /// Its id.
    pub id: CourseId,
    /// Its provider.
    pub provider_id: ProviderId,
    /// Its office (the provider's).
    pub office: DivisionCode,
    /// What it is.
    pub details: CourseDetails,
    /// When it was opened.
    pub opened_at: DateTime<Utc>,
    /// Every enrolment, by id.
    pub enrolments: BTreeMap<EnrolmentId, Enrolment>,
    /// The waiting list, first in line first.
    pub waiting: Vec<EnrolmentId>,
}

impl Course {
    /// Seats taken: by trainees seated, completed or dropped out (only a
    /// cancellation frees a seat).
    pub fn seats_taken(&self) -> u32 {
        let taken = self
            .enrolments
            .values()
            .filter(|enrolment| {
                matches!(
                    enrolment.status,
                    EnrolmentStatus::Seated
                        | EnrolmentStatus::Completed
                        | EnrolmentStatus::DroppedOut
                )
            })
            .count();
        u32::try_from(taken).unwrap_or(u32::MAX)
    }

    /// The enrolment of a job seeker that is not cancelled, if any.
    pub fn standing_enrolment_of(&self, jobseeker_id: JobSeekerId) -> Option<&Enrolment> {
        self.enrolments.values().find(|enrolment| {
            enrolment.jobseeker_id == jobseeker_id && enrolment.status != EnrolmentStatus::Cancelled
        })
    }

    fn enrolment(&self, id: EnrolmentId) -> Result<&Enrolment, CourseError> {
        self.enrolments
            .get(&id)
            .ok_or(CourseError::EnrolmentNotFound)
    }
}

impl Aggregate for Course {
    type Id = CourseId;
    type Command = CourseCommand;
    type Event = CourseEvent;
    type Error = CourseError;

    fn decide(
        state: Option<&Self>,
        command: CourseCommand,
    ) -> Result<Vec<CourseEvent>, CourseError> {
        match (state, command) {
            (None, CourseCommand::Open(open)) => open_course(open),
            (Some(_), CourseCommand::Open(_)) => Err(CourseError::AlreadyExists),
            (None, _) => Err(CourseError::NotFound),
            (Some(course), CourseCommand::Enrol(enrol)) => enrol_trainee(course, enrol),
            (Some(course), CourseCommand::Cancel(cancel)) => cancel_enrolment(course, cancel),
            (Some(course), CourseCommand::Complete(command)) => complete(course, command),
            (Some(course), CourseCommand::DropOut(command)) => drop_out(course, command),
            (Some(course), CourseCommand::Appraise(command)) => appraise(course, command),
            (Some(course), CourseCommand::RecordEmployment(record)) => {
                record_employment(course, record)
            }
        }
    }

    fn evolve(state: Option<Self>, event: &CourseEvent) -> Option<Self> {
        let mut course = match (state, event) {
            (None, CourseEvent::Opened(opened)) => {
                return Some(Course {
                    id: opened.course_id,
                    provider_id: opened.provider_id,
                    office: opened.office.clone(),
                    details: opened.details.clone(),
                    opened_at: opened.opened_at,
                    enrolments: BTreeMap::new(),
                    waiting: Vec::new(),
                });
            }
            (None, _) => return None,
            (Some(course), _) => course,
        };
        match event {
            CourseEvent::Opened(_) => {}
            CourseEvent::Enrolled(enrolled) => {
                let status = match enrolled.placement {
                    Placement::Seat => EnrolmentStatus::Seated,
                    Placement::WaitingList => {
                        course.waiting.push(enrolled.enrolment_id);
                        EnrolmentStatus::Waiting
                    }
                };
                course.enrolments.insert(
                    enrolled.enrolment_id,
                    Enrolment {
                        id: enrolled.enrolment_id,
                        jobseeker_id: enrolled.jobseeker_id,
                        status,
                        enrolled_at: enrolled.enrolled_at,
                        completed_on: None,
                        left_on: None,
                        appraisal: None,
                        employment: None,
                    },
                );
            }
            CourseEvent::Cancelled(cancelled) => {
                course.waiting.retain(|id| *id != cancelled.enrolment_id);
                set_status(
                    &mut course,
                    cancelled.enrolment_id,
                    EnrolmentStatus::Cancelled,
                );
            }
            CourseEvent::Promoted(promoted) => {
                course.waiting.retain(|id| *id != promoted.enrolment_id);
                set_status(&mut course, promoted.enrolment_id, EnrolmentStatus::Seated);
            }
            CourseEvent::Completed(completed) => {
                if let Some(enrolment) = course.enrolments.get_mut(&completed.enrolment_id) {
                    enrolment.status = EnrolmentStatus::Completed;
                    enrolment.completed_on = Some(completed.completed_on);
                }
            }
            CourseEvent::DroppedOut(dropped) => {
                if let Some(enrolment) = course.enrolments.get_mut(&dropped.enrolment_id) {
                    enrolment.status = EnrolmentStatus::DroppedOut;
                    enrolment.left_on = Some(dropped.left_on);
                }
            }
            CourseEvent::Appraised(appraised) => {
                if let Some(enrolment) = course.enrolments.get_mut(&appraised.enrolment_id) {
                    enrolment.appraisal = Some(Appraisal {
                        level: appraised.level,
                        passed: appraised.passed,
                        appraised_on: appraised.appraised_on,
                    });
                }
            }
            CourseEvent::EmploymentRecorded(recorded) => {
                if let Some(enrolment) = course.enrolments.get_mut(&recorded.enrolment_id) {
                    enrolment.employment = Some(TraineeEmployment {
                        started_on: recorded.started_on,
                        employer_id: recorded.employer_id,
                        source: recorded.source,
                    });
                }
            }
        }
        Some(course)
    }
}

fn set_status(course: &mut Course, id: EnrolmentId, status: EnrolmentStatus) {
    if let Some(enrolment) = course.enrolments.get_mut(&id) {
        enrolment.status = status;
    }
}

fn open_course(open: OpenCourse) -> Result<Vec<CourseEvent>, CourseError> {
    let details = &open.details;
    if details.ends_on < details.starts_on {
        return Err(CourseError::EndsBeforeStart);
    }
    if (details.kind == CourseKind::OrderBased) != details.order.is_some() {
        return Err(CourseError::OrderCommitment);
    }
    Ok(vec![CourseEvent::Opened(CourseOpened {
        course_id: open.course_id,
        provider_id: open.provider_id,
        office: open.office,
        details: open.details,
        opened_at: open.opened_at,
    })])
}

fn enrol_trainee(course: &Course, enrol: Enrol) -> Result<Vec<CourseEvent>, CourseError> {
    if let Some(existing) = course.standing_enrolment_of(enrol.jobseeker_id) {
        return Err(CourseError::AlreadyEnrolled {
            existing: existing.id,
        });
    }
    if course.enrolments.contains_key(&enrol.enrolment_id) {
        return Err(CourseError::AlreadyEnrolled {
            existing: enrol.enrolment_id,
        });
    }
    let ends_on = course.details.ends_on;
    if china_date(enrol.enrolled_at) > ends_on {
        return Err(CourseError::CourseEnded { ends_on });
    }
    let eligible = &course.details.eligible_categories;
    if !eligible.is_empty() && eligible.is_disjoint(&enrol.categories) {
        return Err(CourseError::NotEligible);
    }
    let placement = if course.seats_taken() < course.details.seats.get() {
        Placement::Seat
    } else if course.waiting.len() < enrol.waiting_list_max as usize {
        Placement::WaitingList
    } else {
        return Err(CourseError::WaitingListFull);
    };
    Ok(vec![CourseEvent::Enrolled(TraineeEnrolled {
        course_id: course.id,
        enrolment_id: enrol.enrolment_id,
        jobseeker_id: enrol.jobseeker_id,
        placement,
        enrolled_at: enrol.enrolled_at,
    })])
}

fn cancel_enrolment(
    course: &Course,
    cancel: CancelEnrolment,
) -> Result<Vec<CourseEvent>, CourseError> {
    let enrolment = course.enrolment(cancel.enrolment_id)?;
    let freed_seat = match enrolment.status {
        EnrolmentStatus::Seated => true,
        EnrolmentStatus::Waiting => false,
        status => return Err(CourseError::WrongStatus { status }),
    };
    let mut events = vec![CourseEvent::Cancelled(EnrolmentCancelled {
        course_id: course.id,
        enrolment_id: enrolment.id,
        cancelled_at: cancel.cancelled_at,
    })];
    if freed_seat && let Some(next) = course.waiting.first() {
        events.push(CourseEvent::Promoted(TraineePromoted {
            course_id: course.id,
            enrolment_id: *next,
            promoted_at: cancel.cancelled_at,
        }));
    }
    Ok(events)
}

fn seated(course: &Course, id: EnrolmentId) -> Result<&Enrolment, CourseError> {
    let enrolment = course.enrolment(id)?;
    if enrolment.status != EnrolmentStatus::Seated {
        return Err(CourseError::WrongStatus {
            status: enrolment.status,
        });
    }
    Ok(enrolment)
}

fn complete(course: &Course, complete: CompleteTraining) -> Result<Vec<CourseEvent>, CourseError> {
    let enrolment = seated(course, complete.enrolment_id)?;
    if complete.completed_on < course.details.starts_on {
        return Err(CourseError::BeforeStart);
    }
    Ok(vec![CourseEvent::Completed(TrainingCompleted {
        course_id: course.id,
        enrolment_id: enrolment.id,
        jobseeker_id: enrolment.jobseeker_id,
        completed_on: complete.completed_on,
    })])
}

fn drop_out(course: &Course, drop_out: DropOut) -> Result<Vec<CourseEvent>, CourseError> {
    let enrolment = seated(course, drop_out.enrolment_id)?;
    if drop_out.left_on < course.details.starts_on {
        return Err(CourseError::BeforeStart);
    }
    Ok(vec![CourseEvent::DroppedOut(TrainingDroppedOut {
        course_id: course.id,
        enrolment_id: enrolment.id,
        left_on: drop_out.left_on,
    })])
}

fn appraise(course: &Course, appraise: AppraiseSkill) -> Result<Vec<CourseEvent>, CourseError> {
    let enrolment = course.enrolment(appraise.enrolment_id)?;
    let Some(completed_on) = enrolment.completed_on else {
        return Err(CourseError::WrongStatus {
            status: enrolment.status,
        });
    };
    if appraise.appraised_on < completed_on {
        return Err(CourseError::AppraisalBeforeCompletion);
    }
    Ok(vec![CourseEvent::Appraised(SkillAppraised {
        course_id: course.id,
        enrolment_id: enrolment.id,
        level: appraise.level,
        passed: appraise.passed,
        appraised_on: appraise.appraised_on,
    })])
}

fn record_employment(
    course: &Course,
    record: RecordTraineeEmployment,
) -> Result<Vec<CourseEvent>, CourseError> {
    let enrolment = course.enrolment(record.enrolment_id)?;
    if enrolment.employment.is_some() {
        // The first employment counts; a later one (or the same one told
        // again) changes nothing.
        return Ok(Vec::new());
    }
    let Some(completed_on) = enrolment.completed_on else {
        return Err(CourseError::WrongStatus {
            status: enrolment.status,
        });
    };
    let window_end = completed_on
        .checked_add_months(Months::new(record.window_months))
        .unwrap_or(NaiveDate::MAX);
    if record.started_on < completed_on || record.started_on > window_end {
        return Err(CourseError::OutsideEmploymentWindow);
    }
    Ok(vec![CourseEvent::EmploymentRecorded(
        TraineeEmploymentRecorded {
            course_id: course.id,
            enrolment_id: enrolment.id,
            jobseeker_id: enrolment.jobseeker_id,
            started_on: record.started_on,
            employer_id: record.employer_id,
            source: record.source,
        },
    )])
}
