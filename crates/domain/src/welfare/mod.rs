//! Public-welfare placements (公益性岗位安置): a hard-to-employ person hired
//! into a public-welfare post is placed with a subsidy for a period (the
//! office's rule, 36 months by default) at a monthly amount (the post's
//! minimum salary, or the office's rule), in fen. The placement starts from
//! the hire, never from a form: the assistance service's process manager
//! turns a hire into a vacancy marked `public_welfare` into
//! [`StartWelfarePlacement`]. Exits (moved to a regular job, ended) are
//! recorded by the office; past its last day a placement is `period_over`
//! without any event, as a vacancy past its closing time is closed.

use chrono::{Months, NaiveDate};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::aggregate::Aggregate;
use crate::ids::{EmployerId, JobSeekerId, ReferralId, VacancyId};
use crate::personal::Personal;
use crate::refusal::{Coded, ErrorKind, Refusal};
use crate::value::{DivisionCode, Note};

crate::ids::aggregate_id!(
    /// Identifies a public-welfare placement; stream
    /// `welfareplacement-<uuid>`, the same for every delivery of its hire.
    WelfarePlacementId,
    "welfareplacement",
    "public-welfare placement"
);

impl WelfarePlacementId {
    /// The placement of the hire `referral`: the same id however often
    /// the hire is seen.
    pub fn of_hire(referral: ReferralId) -> Self {
        Self::from_uuid(Uuid::new_v5(&referral.as_uuid(), b"welfareplacement"))
    }
}

/// The office's rules for public-welfare placements.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WelfareRules {
    /// Months a placement is subsidised (default 36).
    pub subsidy_months: u32,
    /// The monthly subsidy in fen; when absent, the post's minimum salary.
    pub monthly_subsidy_fen: Option<u64>,
    /// Placements ending within this many days are listed for the next
    /// step (default 60).
    pub ending_within_days: u32,
}

impl WelfareRules {
    /// The days a placement's period may end on, seen on `today`, for it
    /// to be listed as ending soon: from today to `ending_within_days`
    /// after it, both included.
    pub fn ending_window(&self, today: NaiveDate) -> (NaiveDate, NaiveDate) {
        let last = today
            .checked_add_days(chrono::Days::new(u64::from(self.ending_within_days)))
            .unwrap_or(NaiveDate::MAX);
        (today, last)
    }
}

impl Default for WelfareRules {
    fn default() -> Self {
        Self {
            subsidy_months: 36,
            monthly_subsidy_fen: None,
            ending_within_days: 60,
        }
    }
}

/// How a placement ended before its period was over.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WelfareExitReason {
    /// The person moved to a regular job (转为市场就业).
    MovedToRegularJob,
    /// The placement ended otherwise (resigned, dismissed, no longer
    /// eligible), said in the note.
    Ended,
}

impl WelfareExitReason {
    /// Every reason.
    pub const ALL: [Self; 2] = [Self::MovedToRegularJob, Self::Ended];

    /// The snake_case name used in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::MovedToRegularJob => "moved_to_regular_job",
            Self::Ended => "ended",
        }
    }

    /// The reason of its snake_case name.
    pub fn parse(text: &str) -> Result<Self, crate::household::UnknownName> {
        match text.trim() {
            "moved_to_regular_job" => Ok(Self::MovedToRegularJob),
            "ended" => Ok(Self::Ended),
            _ => Err(crate::household::UnknownName {
                code: "welfare_exit_reason.unknown",
                expected: &["moved_to_regular_job", "ended"],
            }),
        }
    }
}

/// Where a placement stands at a moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WelfareStatus {
    /// Subsidised now.
    Active,
    /// Its period is over.
    PeriodOver,
    /// The person moved to a regular job.
    MovedToRegularJob,
    /// Ended otherwise.
    Ended,
}

impl WelfareStatus {
    /// The status on `day` of a placement whose period ends on `ends_on`
    /// and that ended early for `exit`, if it did: ended early as
    /// recorded, else active until its last day and `period_over` after.
    pub fn of(exit: Option<WelfareExitReason>, ends_on: NaiveDate, day: NaiveDate) -> Self {
        match exit {
            Some(WelfareExitReason::MovedToRegularJob) => Self::MovedToRegularJob,
            Some(WelfareExitReason::Ended) => Self::Ended,
            None if day > ends_on => Self::PeriodOver,
            None => Self::Active,
        }
    }

    /// The snake_case name used in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::PeriodOver => "period_over",
            Self::MovedToRegularJob => "moved_to_regular_job",
            Self::Ended => "ended",
        }
    }
}

/// `WelfarePlacementStarted` (schema 1): a hire into a public-welfare post.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WelfarePlacementStarted {
    /// The placement.
    pub placement_id: WelfarePlacementId,
    /// Who was placed.
    pub jobseeker_id: JobSeekerId,
    /// The post.
    pub vacancy_id: VacancyId,
    /// Its employer.
    pub employer_id: EmployerId,
    /// The hire.
    pub referral_id: ReferralId,
    /// The office that funds it (where the post is).
    pub office: DivisionCode,
    /// First day of work.
    pub started_on: NaiveDate,
    /// Months subsidised.
    pub subsidy_months: u32,
    /// The monthly subsidy, in fen.
    pub monthly_subsidy_fen: u64,
    /// The last day of the subsidised period.
    pub ends_on: NaiveDate,
}

/// `WelfarePlacementEnded` (schema 1): the placement ended before its
/// period was over.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WelfarePlacementEnded {
    /// The placement.
    pub placement_id: WelfarePlacementId,
    /// Who was placed (whose note it is).
    pub jobseeker_id: JobSeekerId,
    /// Why.
    pub reason: WelfareExitReason,
    /// The day.
    pub ended_on: NaiveDate,
    /// The office's note: sealed with the person's key.
    pub note: Option<Personal<Note>>,
}

crate::domain_events! {
    /// What happens to a public-welfare placement.
    pub enum WelfareEvent in placement_id {
        /// `WelfarePlacementStarted`.
        Started(WelfarePlacementStarted) = ("WelfarePlacementStarted", 1),
        /// `WelfarePlacementEnded`.
        Ended(WelfarePlacementEnded) = ("WelfarePlacementEnded", 1)
            personal ["note" of "jobseeker_id"],
    }
}

/// Start the placement of a hire into a public-welfare post. Repeating it
/// changes nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StartWelfarePlacement {
    /// The placement (of the hire).
    pub placement_id: WelfarePlacementId,
    /// Who was hired.
    pub jobseeker_id: JobSeekerId,
    /// The post.
    pub vacancy_id: VacancyId,
    /// Its employer.
    pub employer_id: EmployerId,
    /// The hire.
    pub referral_id: ReferralId,
    /// The office that funds it.
    pub office: DivisionCode,
    /// First day of work.
    pub started_on: NaiveDate,
    /// The post's minimum monthly salary, in yuan.
    pub post_minimum_salary_yuan: u32,
    /// The office's rules.
    pub rules: WelfareRules,
}

/// Record that a placement ended before its period was over.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EndWelfarePlacement {
    /// Why.
    pub reason: WelfareExitReason,
    /// The day.
    pub ended_on: NaiveDate,
    /// The office's note.
    pub note: Option<Note>,
}

/// What may be asked of a placement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WelfareCommand {
    /// Start it.
    Start(StartWelfarePlacement),
    /// End it.
    End(EndWelfarePlacement),
}

/// A refusal by the placement's `decide`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WelfareError {
    /// A command on a placement that never started.
    #[error("no such public-welfare placement")]
    NotFound,
    /// An exit of a placement that ended already.
    #[error("the placement ended already")]
    AlreadyEnded,
    /// An exit dated before the placement started, or after its period.
    #[error("the exit is dated outside the placement, {started_on} to {ends_on}")]
    OutsidePeriod {
        /// First day.
        started_on: NaiveDate,
        /// Last day.
        ends_on: NaiveDate,
    },
}

impl Coded for WelfareError {
    fn code(&self) -> &'static str {
        match self {
            Self::NotFound => "not_found",
            Self::AlreadyEnded => "placement_already_ended",
            Self::OutsidePeriod { .. } => "exit_outside_placement",
        }
    }
}

impl Refusal for WelfareError {
    fn kind(&self) -> ErrorKind {
        match self {
            Self::NotFound => ErrorKind::NotFound,
            Self::AlreadyEnded => ErrorKind::Conflict,
            Self::OutsidePeriod { .. } => ErrorKind::Unprocessable,
        }
    }

    fn field(&self) -> Option<&'static str> {
        match self {
            Self::OutsidePeriod { .. } => Some("on"),
            Self::NotFound | Self::AlreadyEnded => None,
        }
    }
}

/// How a placement ended early.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WelfareExit {
    /// Why.
    pub reason: WelfareExitReason,
    /// The day.
    pub on: NaiveDate,
    /// The office's note.
    pub note: Option<Personal<Note>>,
}

/// A public-welfare placement, as folded from its events.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WelfarePlacement {
    /// Its id.
    pub id: WelfarePlacementId,
    /// Who was placed.
    pub jobseeker_id: JobSeekerId,
    /// The post.
    pub vacancy_id: VacancyId,
    /// Its employer.
    pub employer_id: EmployerId,
    /// The hire.
    pub referral_id: ReferralId,
    /// The office that funds it.
    pub office: DivisionCode,
    /// First day of work.
    pub started_on: NaiveDate,
    /// Months subsidised.
    pub subsidy_months: u32,
    /// The monthly subsidy, in fen.
    pub monthly_subsidy_fen: u64,
    /// The last day of the subsidised period.
    pub ends_on: NaiveDate,
    /// How it ended early, if it did.
    pub exit: Option<WelfareExit>,
}

impl WelfarePlacement {
    /// Whether it is ending soon on `today` by the office's `rules`: not
    /// ended early, and its period ends within the rules' window (so that
    /// the office plans the person's next step).
    pub fn ending_soon(&self, today: NaiveDate, rules: &WelfareRules) -> bool {
        let (first, last) = rules.ending_window(today);
        self.exit.is_none() && (first..=last).contains(&self.ends_on)
    }

    /// Its status on `day`: ended early as recorded, else active until its
    /// last day and `period_over` after it.
    pub fn status_on(&self, day: NaiveDate) -> WelfareStatus {
        WelfareStatus::of(
            self.exit.as_ref().map(|exit| exit.reason),
            self.ends_on,
            day,
        )
    }
}

impl Aggregate for WelfarePlacement {
    type Id = WelfarePlacementId;
    type Command = WelfareCommand;
    type Event = WelfareEvent;
    type Error = WelfareError;

    fn decide(
        state: Option<&Self>,
        command: WelfareCommand,
    ) -> Result<Vec<WelfareEvent>, WelfareError> {
        match (state, command) {
            (None, WelfareCommand::Start(start)) => Ok(vec![start_placement(start)]),
            (Some(_), WelfareCommand::Start(_)) => Ok(vec![]),
            (None, WelfareCommand::End(_)) => Err(WelfareError::NotFound),
            (Some(placement), WelfareCommand::End(end)) => end_placement(placement, end),
        }
    }

    fn evolve(state: Option<Self>, event: &WelfareEvent) -> Option<Self> {
        match (state, event) {
            (None, WelfareEvent::Started(started)) => Some(WelfarePlacement {
                id: started.placement_id,
                jobseeker_id: started.jobseeker_id,
                vacancy_id: started.vacancy_id,
                employer_id: started.employer_id,
                referral_id: started.referral_id,
                office: started.office.clone(),
                started_on: started.started_on,
                subsidy_months: started.subsidy_months,
                monthly_subsidy_fen: started.monthly_subsidy_fen,
                ends_on: started.ends_on,
                exit: None,
            }),
            (Some(mut placement), WelfareEvent::Ended(ended)) => {
                placement.exit = Some(WelfareExit {
                    reason: ended.reason,
                    on: ended.ended_on,
                    note: ended.note.clone(),
                });
                Some(placement)
            }
            (state, _) => state,
        }
    }
}

fn start_placement(start: StartWelfarePlacement) -> WelfareEvent {
    let months = start.rules.subsidy_months;
    let ends_on = start
        .started_on
        .checked_add_months(Months::new(months))
        .and_then(|day| day.pred_opt())
        .unwrap_or(NaiveDate::MAX);
    let monthly_subsidy_fen = start
        .rules
        .monthly_subsidy_fen
        .unwrap_or(u64::from(start.post_minimum_salary_yuan) * 100);
    WelfareEvent::Started(WelfarePlacementStarted {
        placement_id: start.placement_id,
        jobseeker_id: start.jobseeker_id,
        vacancy_id: start.vacancy_id,
        employer_id: start.employer_id,
        referral_id: start.referral_id,
        office: start.office,
        started_on: start.started_on,
        subsidy_months: months,
        monthly_subsidy_fen,
        ends_on,
    })
}

fn end_placement(
    placement: &WelfarePlacement,
    end: EndWelfarePlacement,
) -> Result<Vec<WelfareEvent>, WelfareError> {
    if placement.exit.is_some() {
        return Err(WelfareError::AlreadyEnded);
    }
    if end.ended_on < placement.started_on || end.ended_on > placement.ends_on {
        return Err(WelfareError::OutsidePeriod {
            started_on: placement.started_on,
            ends_on: placement.ends_on,
        });
    }
    Ok(vec![WelfareEvent::Ended(WelfarePlacementEnded {
        placement_id: placement.id,
        jobseeker_id: placement.jobseeker_id,
        reason: end.reason,
        ended_on: end.ended_on,
        note: end.note.map(Personal::Known),
    })])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::refusal::assert_codes_unique;

    #[test]
    fn codes_are_unique_snake_case() {
        assert_codes_unique(&[
            &WelfareError::NotFound,
            &WelfareError::AlreadyEnded,
            &WelfareError::OutsidePeriod {
                started_on: NaiveDate::MIN,
                ends_on: NaiveDate::MIN,
            },
        ]);
    }
}
