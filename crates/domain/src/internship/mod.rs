//! Internships (就业见习): an agreement between a graduate without a post,
//! or a registered-unemployed young person (the office's rule: 16 to 24),
//! and a host employer (见习单位) for a number of months (3 to 12, the
//! office's rule) with a monthly subsidy (in fen) and a tutor (带教老师).
//! The internship is started, its attendance recorded month by month (the
//! subsidy owed for a month follows the days attended), and it ends early
//! with a reason or is completed once its months are over ([`last_day`]);
//! attendance is of the internship's months only ([`attendance_months`]),
//! and the subsidy owed never exceeds the months × the monthly subsidy
//! ([`subsidy_for_month`]). The host keeping the intern (留用) is
//! never a button: a hire or an employment registration of the intern at
//! the host, seen by the assistance service's process manager.

use chrono::{Datelike as _, Days, Months, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::aggregate::Aggregate;
use crate::household::Cause;
use crate::ids::{EmployerId, JobSeekerId};
use crate::personal::Personal;
use crate::refusal::{Coded, ErrorKind, Refusal};
use crate::value::{DivisionCode, Note, PersonName};

crate::ids::aggregate_id!(
    /// Identifies an internship; stream `internship-<uuid>`.
    InternshipId,
    "internship",
    "internship"
);

/// The office's rules for internships.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct InternshipRules {
    /// The fewest months an internship lasts (default 3).
    pub min_months: u32,
    /// The most (default 12).
    pub max_months: u32,
    /// The youngest registered-unemployed young person (default 16).
    pub youth_min_age: u32,
    /// The oldest (default 24).
    pub youth_max_age: u32,
}

impl Default for InternshipRules {
    fn default() -> Self {
        Self {
            min_months: 3,
            max_months: 12,
            youth_min_age: 16,
            youth_max_age: 24,
        }
    }
}

/// What the agreement must know of the intern.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InternFacts {
    /// A college graduate (the graduate categories).
    pub graduate: bool,
    /// Registered unemployed now.
    pub registered_unemployed: bool,
    /// Age in whole years today.
    pub age: u32,
}

/// Where an internship stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InternshipStatus {
    /// Agreed, not started.
    Agreed,
    /// Under way.
    Started,
    /// Ended before its months were over.
    EndedEarly,
    /// Completed.
    Completed,
}

impl InternshipStatus {
    /// Every status.
    pub const ALL: [Self; 4] = [
        Self::Agreed,
        Self::Started,
        Self::EndedEarly,
        Self::Completed,
    ];

    /// The status of its snake_case name.
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|status| status.as_str() == text)
    }

    /// Whether it is over: completed or ended early.
    pub fn is_finished(self) -> bool {
        matches!(self, Self::Completed | Self::EndedEarly)
    }

    /// The snake_case name used in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Agreed => "agreed",
            Self::Started => "started",
            Self::EndedEarly => "ended_early",
            Self::Completed => "completed",
        }
    }
}

/// `InternshipAgreed` (schema 1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InternshipAgreed {
    /// The internship.
    pub internship_id: InternshipId,
    /// The intern.
    pub jobseeker_id: JobSeekerId,
    /// The host employer.
    pub employer_id: EmployerId,
    /// The office that funds it.
    pub office: DivisionCode,
    /// How many months.
    pub months: u32,
    /// The monthly subsidy, in fen.
    pub monthly_subsidy_fen: u64,
    /// The tutor's name: sealed with the internship's key.
    pub tutor: Personal<PersonName>,
}

/// `InternshipStarted` (schema 1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InternshipStarted {
    /// The internship.
    pub internship_id: InternshipId,
    /// The first day.
    pub started_on: NaiveDate,
}

/// `InternshipAttendanceRecorded` (schema 1): a month's attendance and the
/// subsidy it makes owed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InternshipAttendanceRecorded {
    /// The internship.
    pub internship_id: InternshipId,
    /// The month (its first day).
    pub month: NaiveDate,
    /// Days attended.
    pub days_attended: u32,
    /// Working days of the month at the host.
    pub working_days: u32,
    /// The subsidy owed for the month, in fen.
    pub subsidy_owed_fen: u64,
}

/// `InternshipEndedEarly` (schema 1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InternshipEndedEarly {
    /// The internship.
    pub internship_id: InternshipId,
    /// The intern (whose reason it is).
    pub jobseeker_id: JobSeekerId,
    /// The day.
    pub ended_on: NaiveDate,
    /// Why: sealed with the intern's key.
    pub reason: Personal<Note>,
}

/// `InternshipCompleted` (schema 1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InternshipCompleted {
    /// The internship.
    pub internship_id: InternshipId,
    /// The day.
    pub completed_on: NaiveDate,
}

/// `InternRetained` (schema 1): the host employs the intern (留用), as
/// another context's event says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InternRetained {
    /// The internship.
    pub internship_id: InternshipId,
    /// First day of the job.
    pub retained_on: NaiveDate,
    /// The hire or employment registration.
    pub cause: Cause,
}

crate::domain_events! {
    /// What happens to an internship.
    pub enum InternshipEvent in internship_id {
        /// `InternshipAgreed`.
        Agreed(InternshipAgreed) = ("InternshipAgreed", 1)
            personal ["tutor" of "internship_id"],
        /// `InternshipStarted`.
        Started(InternshipStarted) = ("InternshipStarted", 1),
        /// `InternshipAttendanceRecorded`.
        AttendanceRecorded(InternshipAttendanceRecorded) = ("InternshipAttendanceRecorded", 1),
        /// `InternshipEndedEarly`.
        EndedEarly(InternshipEndedEarly) = ("InternshipEndedEarly", 1)
            personal ["reason" of "jobseeker_id"],
        /// `InternshipCompleted`.
        Completed(InternshipCompleted) = ("InternshipCompleted", 1),
        /// `InternRetained`.
        Retained(InternRetained) = ("InternRetained", 1),
    }
}

/// Agree an internship.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgreeInternship {
    /// The new internship's id.
    pub internship_id: InternshipId,
    /// The intern.
    pub jobseeker_id: JobSeekerId,
    /// What the agreement must know of them.
    pub intern: InternFacts,
    /// The host employer.
    pub employer_id: EmployerId,
    /// The office that funds it.
    pub office: DivisionCode,
    /// How many months.
    pub months: u32,
    /// The monthly subsidy, in fen.
    pub monthly_subsidy_fen: u64,
    /// The tutor.
    pub tutor: PersonName,
    /// The office's rules.
    pub rules: InternshipRules,
}

/// What may be asked of an internship.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InternshipCommand {
    /// Agree it.
    Agree(AgreeInternship),
    /// Start it on a day.
    Start {
        /// The first day.
        on: NaiveDate,
    },
    /// Record a month's attendance.
    RecordAttendance {
        /// The month (any day of it).
        month: NaiveDate,
        /// Days attended.
        days_attended: u32,
        /// Working days of the month.
        working_days: u32,
    },
    /// End it early.
    EndEarly {
        /// The day.
        on: NaiveDate,
        /// Why.
        reason: Note,
    },
    /// Complete it.
    Complete {
        /// The day.
        on: NaiveDate,
    },
    /// The intern is employed, as another context's event says; retention
    /// when by the host. Repeats change nothing.
    RecordEmployment {
        /// The employer.
        employer_id: EmployerId,
        /// First day of the job.
        started_on: NaiveDate,
        /// The event.
        cause: Cause,
    },
}

/// A refusal by the internship's `decide`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InternshipError {
    /// A command on an internship never agreed.
    #[error("no such internship")]
    NotFound,
    /// An agreement under an id already used.
    #[error("the internship already exists")]
    AlreadyExists,
    /// Neither a graduate nor a registered-unemployed young person.
    #[error("an intern is a graduate, or registered unemployed and aged {min_age} to {max_age}")]
    NotEligible {
        /// The office's youngest.
        min_age: u32,
        /// The office's oldest.
        max_age: u32,
    },
    /// Months outside the office's range.
    #[error("an internship lasts {min} to {max} months")]
    MonthsOutOfRange {
        /// The fewest.
        min: u32,
        /// The most.
        max: u32,
    },
    /// A command the internship's status does not take.
    #[error("the internship is {status}")]
    WrongStatus {
        /// Its status.
        status: &'static str,
    },
    /// Attendance of more days than the month's working days, or of none.
    #[error("days attended must be at most the month's working days, which are at least one")]
    AttendanceInvalid,
    /// A month recorded already.
    #[error("attendance of this month is recorded already")]
    MonthRecorded,
    /// A day before the internship started.
    #[error("the day is before the internship started")]
    BeforeStart,
    /// A completion before the agreed months are over: that is an early
    /// end, with a reason.
    #[error("the internship's months are over on {last_day}; before that it can only end early")]
    CompletedTooEarly {
        /// The last day of the agreed months.
        last_day: NaiveDate,
    },
    /// Attendance of a month outside the internship.
    #[error("attendance is of a month from {first} to {last}")]
    MonthOutsideInternship {
        /// The first month (its first day).
        first: NaiveDate,
        /// The last month (its first day).
        last: NaiveDate,
    },
    /// An agreement without a monthly subsidy.
    #[error("the monthly subsidy must be more than zero")]
    SubsidyNotPositive,
}

impl Coded for InternshipError {
    fn code(&self) -> &'static str {
        match self {
            Self::NotFound => "not_found",
            Self::AlreadyExists => "already_exists",
            Self::NotEligible { .. } => "intern_not_eligible",
            Self::MonthsOutOfRange { .. } => "months_out_of_range",
            Self::WrongStatus { .. } => "internship_wrong_status",
            Self::AttendanceInvalid => "attendance_invalid",
            Self::MonthRecorded => "month_recorded",
            Self::BeforeStart => "before_start",
            Self::CompletedTooEarly { .. } => "internship_completed_too_early",
            Self::MonthOutsideInternship { .. } => "month_outside_internship",
            Self::SubsidyNotPositive => "subsidy_not_positive",
        }
    }
}

impl Refusal for InternshipError {
    fn kind(&self) -> ErrorKind {
        match self {
            Self::NotFound => ErrorKind::NotFound,
            Self::AlreadyExists | Self::WrongStatus { .. } | Self::MonthRecorded => {
                ErrorKind::Conflict
            }
            Self::NotEligible { .. }
            | Self::MonthsOutOfRange { .. }
            | Self::AttendanceInvalid
            | Self::BeforeStart
            | Self::CompletedTooEarly { .. }
            | Self::MonthOutsideInternship { .. }
            | Self::SubsidyNotPositive => ErrorKind::Unprocessable,
        }
    }

    fn field(&self) -> Option<&'static str> {
        match self {
            Self::NotEligible { .. } => Some("jobseeker_id"),
            Self::MonthsOutOfRange { .. } => Some("months"),
            Self::AttendanceInvalid => Some("days_attended"),
            Self::MonthRecorded => Some("month"),
            Self::BeforeStart | Self::CompletedTooEarly { .. } => Some("on"),
            Self::MonthOutsideInternship { .. } => Some("month"),
            Self::SubsidyNotPositive => Some("monthly_subsidy_fen"),
            Self::NotFound | Self::AlreadyExists | Self::WrongStatus { .. } => None,
        }
    }
}

/// A month's attendance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MonthAttendance {
    /// The month (its first day).
    pub month: NaiveDate,
    /// Days attended.
    pub days_attended: u32,
    /// Working days.
    pub working_days: u32,
    /// Subsidy owed, in fen.
    pub subsidy_owed_fen: u64,
}

/// An internship, as folded from its events.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Internship {
    /// Its id.
    pub id: InternshipId,
    /// The intern.
    pub jobseeker_id: JobSeekerId,
    /// The host.
    pub employer_id: EmployerId,
    /// The office that funds it.
    pub office: DivisionCode,
    /// How many months.
    pub months: u32,
    /// The monthly subsidy, in fen.
    pub monthly_subsidy_fen: u64,
    /// The tutor.
    pub tutor: Personal<PersonName>,
    /// Where it stands.
    pub status: InternshipStatus,
    /// The first day, once started.
    pub started_on: Option<NaiveDate>,
    /// The last day, once ended or completed.
    pub ended_on: Option<NaiveDate>,
    /// Why it ended early.
    pub end_reason: Option<Personal<Note>>,
    /// Attendance, month by month.
    pub attendance: Vec<MonthAttendance>,
    /// The day the host employed the intern, if it did.
    pub retained_on: Option<NaiveDate>,
    /// What said so.
    pub retention_cause: Option<Cause>,
}

/// The last day of an internship of `months` started on `started_on`: the
/// day before the same day `months` calendar months later (started on
/// 1 July for 6 months, its last day is 31 December). Completion is due
/// from that day on; before it, an internship can only end early.
pub fn last_day(started_on: NaiveDate, months: u32) -> NaiveDate {
    started_on
        .checked_add_months(Months::new(months))
        .and_then(|after| after.checked_sub_days(Days::new(1)))
        .unwrap_or(NaiveDate::MAX)
}

/// The first day of the month of `day`.
pub fn month_of(day: NaiveDate) -> NaiveDate {
    day.with_day(1).unwrap_or(day)
}

/// The months whose attendance an internship of `months` started on
/// `started_on` records: from the start's month, `months` of them; the
/// first and last as their first days. An internship that ended early
/// records none after the month it ended in.
pub fn attendance_months(
    started_on: NaiveDate,
    months: u32,
    ended_on: Option<NaiveDate>,
) -> (NaiveDate, NaiveDate) {
    let first = month_of(started_on);
    let agreed_last = first
        .checked_add_months(Months::new(months.saturating_sub(1)))
        .unwrap_or(NaiveDate::MAX);
    let last = ended_on.map_or(agreed_last, |ended_on| agreed_last.min(month_of(ended_on)));
    (first, last)
}

/// The subsidy a month's attendance makes owed, in fen: the monthly
/// subsidy in proportion to the days attended, and never more than what
/// is left of the whole subsidy (`months` × the monthly subsidy) after
/// `owed_so_far`.
pub fn subsidy_for_month(
    monthly_subsidy_fen: u64,
    days_attended: u32,
    working_days: u32,
    months: u32,
    owed_so_far: u64,
) -> u64 {
    if working_days == 0 {
        return 0;
    }
    let proportional = u128::from(monthly_subsidy_fen)
        * u128::from(days_attended.min(working_days))
        / u128::from(working_days);
    let whole = u128::from(monthly_subsidy_fen) * u128::from(months);
    let left = whole.saturating_sub(u128::from(owed_so_far));
    u64::try_from(proportional.min(left)).unwrap_or(u64::MAX)
}

/// A host's (见习单位) figures over its internships: how many interns,
/// how many completed, ended early, were retained, and the rates.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct HostRates {
    /// Internships agreed with the host.
    pub interns: u64,
    /// Completed.
    pub completed: u64,
    /// Ended early.
    pub ended_early: u64,
    /// Retained: the host employed the intern.
    pub retained: u64,
    /// Completed among the finished (completed or ended early); `None`
    /// before any finished.
    pub completion_rate: Option<f64>,
    /// Retained among the interns who finished or were retained (a host
    /// may employ an intern before the internship is over); so never
    /// more than 1. `None` before any finished or was retained.
    pub retention_rate: Option<f64>,
}

impl HostRates {
    /// The figures of a host's internships, each as its status and
    /// whether the host retained the intern.
    pub fn of(internships: impl IntoIterator<Item = (InternshipStatus, bool)>) -> Self {
        let mut rates = Self::default();
        let mut finished = 0_u64;
        let mut finished_or_retained = 0_u64;
        for (status, retained) in internships {
            rates.interns += 1;
            match status {
                InternshipStatus::Completed => rates.completed += 1,
                InternshipStatus::EndedEarly => rates.ended_early += 1,
                InternshipStatus::Agreed | InternshipStatus::Started => {}
            }
            if status.is_finished() {
                finished += 1;
            }
            if retained {
                rates.retained += 1;
            }
            if status.is_finished() || retained {
                finished_or_retained += 1;
            }
        }
        let rate = |part: u64, whole: u64| (whole > 0).then(|| part as f64 / whole as f64);
        rates.completion_rate = rate(rates.completed, finished);
        rates.retention_rate = rate(rates.retained, finished_or_retained);
        rates
    }
}

impl Internship {
    /// The last day of its agreed months, once started.
    pub fn last_day(&self) -> Option<NaiveDate> {
        self.started_on
            .map(|started_on| last_day(started_on, self.months))
    }

    /// The subsidy owed so far, in fen.
    pub fn subsidy_owed_fen(&self) -> u64 {
        self.attendance
            .iter()
            .map(|month| month.subsidy_owed_fen)
            .sum()
    }
}

impl Aggregate for Internship {
    type Id = InternshipId;
    type Command = InternshipCommand;
    type Event = InternshipEvent;
    type Error = InternshipError;

    fn decide(
        state: Option<&Self>,
        command: InternshipCommand,
    ) -> Result<Vec<InternshipEvent>, InternshipError> {
        match (state, command) {
            (None, InternshipCommand::Agree(agree)) => agree_internship(agree),
            (Some(_), InternshipCommand::Agree(_)) => Err(InternshipError::AlreadyExists),
            (None, _) => Err(InternshipError::NotFound),
            (Some(internship), command) => decide_on(internship, command),
        }
    }

    fn evolve(state: Option<Self>, event: &InternshipEvent) -> Option<Self> {
        match (state, event) {
            (None, InternshipEvent::Agreed(agreed)) => Some(Internship {
                id: agreed.internship_id,
                jobseeker_id: agreed.jobseeker_id,
                employer_id: agreed.employer_id,
                office: agreed.office.clone(),
                months: agreed.months,
                monthly_subsidy_fen: agreed.monthly_subsidy_fen,
                tutor: agreed.tutor.clone(),
                status: InternshipStatus::Agreed,
                started_on: None,
                ended_on: None,
                end_reason: None,
                attendance: Vec::new(),
                retained_on: None,
                retention_cause: None,
            }),
            (Some(mut internship), event) => {
                match event {
                    InternshipEvent::Agreed(_) => {}
                    InternshipEvent::Started(started) => {
                        internship.status = InternshipStatus::Started;
                        internship.started_on = Some(started.started_on);
                    }
                    InternshipEvent::AttendanceRecorded(recorded) => {
                        internship.attendance.push(MonthAttendance {
                            month: recorded.month,
                            days_attended: recorded.days_attended,
                            working_days: recorded.working_days,
                            subsidy_owed_fen: recorded.subsidy_owed_fen,
                        });
                    }
                    InternshipEvent::EndedEarly(ended) => {
                        internship.status = InternshipStatus::EndedEarly;
                        internship.ended_on = Some(ended.ended_on);
                        internship.end_reason = Some(ended.reason.clone());
                    }
                    InternshipEvent::Completed(completed) => {
                        internship.status = InternshipStatus::Completed;
                        internship.ended_on = Some(completed.completed_on);
                    }
                    InternshipEvent::Retained(retained) => {
                        internship.retained_on = Some(retained.retained_on);
                        internship.retention_cause = Some(retained.cause.clone());
                    }
                }
                Some(internship)
            }
            (None, _) => None,
        }
    }
}

fn agree_internship(agree: AgreeInternship) -> Result<Vec<InternshipEvent>, InternshipError> {
    let rules = &agree.rules;
    let young = (rules.youth_min_age..=rules.youth_max_age).contains(&agree.intern.age);
    let eligible = agree.intern.graduate || (agree.intern.registered_unemployed && young);
    if !eligible {
        return Err(InternshipError::NotEligible {
            min_age: rules.youth_min_age,
            max_age: rules.youth_max_age,
        });
    }
    if !(rules.min_months..=rules.max_months).contains(&agree.months) {
        return Err(InternshipError::MonthsOutOfRange {
            min: rules.min_months,
            max: rules.max_months,
        });
    }
    if agree.monthly_subsidy_fen == 0 {
        return Err(InternshipError::SubsidyNotPositive);
    }
    Ok(vec![InternshipEvent::Agreed(InternshipAgreed {
        internship_id: agree.internship_id,
        jobseeker_id: agree.jobseeker_id,
        employer_id: agree.employer_id,
        office: agree.office,
        months: agree.months,
        monthly_subsidy_fen: agree.monthly_subsidy_fen,
        tutor: Personal::Known(agree.tutor),
    })])
}

fn decide_on(
    internship: &Internship,
    command: InternshipCommand,
) -> Result<Vec<InternshipEvent>, InternshipError> {
    let id = internship.id;
    let wrong = || InternshipError::WrongStatus {
        status: internship.status.as_str(),
    };
    let started = |on: NaiveDate| match internship.started_on {
        Some(started_on) if on < started_on => Err(InternshipError::BeforeStart),
        Some(_) if internship.status == InternshipStatus::Started => Ok(()),
        _ => Err(wrong()),
    };
    match command {
        InternshipCommand::Agree(_) => Err(InternshipError::AlreadyExists),
        InternshipCommand::Start { on } => {
            if internship.status != InternshipStatus::Agreed {
                return Err(wrong());
            }
            Ok(vec![InternshipEvent::Started(InternshipStarted {
                internship_id: id,
                started_on: on,
            })])
        }
        InternshipCommand::RecordAttendance {
            month,
            days_attended,
            working_days,
        } => {
            let month = month_of(month);
            let Some(started_on) = internship.started_on else {
                return Err(wrong());
            };
            let (first, last) = attendance_months(
                started_on,
                internship.months,
                (internship.status == InternshipStatus::EndedEarly)
                    .then_some(internship.ended_on)
                    .flatten(),
            );
            if month < first || month > last {
                return Err(InternshipError::MonthOutsideInternship { first, last });
            }
            if working_days == 0 || days_attended > working_days {
                return Err(InternshipError::AttendanceInvalid);
            }
            if internship
                .attendance
                .iter()
                .any(|known| known.month == month)
            {
                return Err(InternshipError::MonthRecorded);
            }
            let owed = subsidy_for_month(
                internship.monthly_subsidy_fen,
                days_attended,
                working_days,
                internship.months,
                internship.subsidy_owed_fen(),
            );
            Ok(vec![InternshipEvent::AttendanceRecorded(
                InternshipAttendanceRecorded {
                    internship_id: id,
                    month,
                    days_attended,
                    working_days,
                    subsidy_owed_fen: owed,
                },
            )])
        }
        InternshipCommand::EndEarly { on, reason } => {
            started(on)?;
            Ok(vec![InternshipEvent::EndedEarly(InternshipEndedEarly {
                internship_id: id,
                jobseeker_id: internship.jobseeker_id,
                ended_on: on,
                reason: Personal::Known(reason),
            })])
        }
        InternshipCommand::Complete { on } => {
            started(on)?;
            let last_day = last_day(internship.started_on.unwrap_or(on), internship.months);
            if on < last_day {
                return Err(InternshipError::CompletedTooEarly { last_day });
            }
            Ok(vec![InternshipEvent::Completed(InternshipCompleted {
                internship_id: id,
                completed_on: on,
            })])
        }
        InternshipCommand::RecordEmployment {
            employer_id,
            started_on,
            cause,
        } => {
            let at_host = employer_id == internship.employer_id;
            let begun = internship.status != InternshipStatus::Agreed;
            if !at_host || !begun || internship.retained_on.is_some() {
                return Ok(vec![]);
            }
            Ok(vec![InternshipEvent::Retained(InternRetained {
                internship_id: id,
                retained_on: started_on,
                cause,
            })])
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
            &InternshipError::NotFound,
            &InternshipError::AlreadyExists,
            &InternshipError::NotEligible {
                min_age: 16,
                max_age: 24,
            },
            &InternshipError::MonthsOutOfRange { min: 3, max: 12 },
            &InternshipError::WrongStatus { status: "agreed" },
            &InternshipError::AttendanceInvalid,
            &InternshipError::MonthRecorded,
            &InternshipError::BeforeStart,
            &InternshipError::CompletedTooEarly {
                last_day: NaiveDate::MIN,
            },
            &InternshipError::MonthOutsideInternship {
                first: NaiveDate::MIN,
                last: NaiveDate::MIN,
            },
            &InternshipError::SubsidyNotPositive,
        ]);
    }
}
