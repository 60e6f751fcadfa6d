//! Vacancies (用工信息): an employer's hiring need, published by the
//! employer or by an office on its behalf, filled by hires through referrals.

use std::collections::BTreeSet;
use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::aggregate::Aggregate;
use crate::ids::{EmployerId, ReferralId, VacancyId};
use crate::serde_helpers::double_option;
use crate::value::{
    Description, DivisionCode, Education, ExperienceYears, Headcount, JobSeekerCategory, Label,
    OccupationCode, SalaryRange, Title,
};

mod commands;
mod error;
mod events;

pub use commands::{
    CloseVacancy, PublishVacancy, RecordVacancyPlacement, UpdateVacancy, VacancyCommand,
};
pub use error::VacancyError;
pub use events::{
    VacancyClosed, VacancyEvent, VacancyFilled, VacancyPlacementRecorded, VacancyPublished,
    VacancyUpdated,
};

/// What a vacancy offers and asks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VacancyDetails {
    /// Job title.
    pub title: Title,
    /// What the work is, what it asks.
    pub description: Description,
    /// The occupation.
    pub occupation: Label,
    /// The occupation's code in the national classification (职业分类大典
    /// 2022), if given: any level, an occupation or a group.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub occupation_code: Option<OccupationCode>,
    /// Where the work is.
    pub region: DivisionCode,
    /// Monthly salary range.
    pub salary: SalaryRange,
    /// How many people it hires.
    pub headcount: Headcount,
    /// Minimum education (`none`: no requirement).
    pub education: Education,
    /// Minimum years of experience.
    pub experience_years: ExperienceYears,
    /// Job-seeker groups it invites in particular.
    pub welcomes: BTreeSet<JobSeekerCategory>,
    /// A public-welfare post (公益性岗位), for hard-to-employ people.
    pub public_welfare: bool,
    /// When applications close, if ever.
    pub closes_at: Option<DateTime<Utc>>,
}

/// Changes to a vacancy's details; `None` leaves a field as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VacancyChanges {
    /// New title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<Title>,
    /// New description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<Description>,
    /// New occupation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub occupation: Option<Label>,
    /// New occupation code (`Some(None)`: none any more).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "double_option"
    )]
    pub occupation_code: Option<Option<OccupationCode>>,
    /// New region.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<DivisionCode>,
    /// New salary range.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub salary: Option<SalaryRange>,
    /// New headcount.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub headcount: Option<Headcount>,
    /// New minimum education.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub education: Option<Education>,
    /// New minimum experience.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub experience_years: Option<ExperienceYears>,
    /// New invited groups (the whole set).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub welcomes: Option<BTreeSet<JobSeekerCategory>>,
    /// Whether it is a public-welfare post.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_welfare: Option<bool>,
    /// New closing time (`Some(None)`: open until closed).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "double_option"
    )]
    pub closes_at: Option<Option<DateTime<Utc>>>,
}

impl VacancyChanges {
    pub(crate) fn is_empty(&self) -> bool {
        self == &Self::default()
    }
}

/// Whether a vacancy takes referrals.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VacancyStatus {
    /// Takes referrals.
    Open,
    /// Every place taken.
    Filled,
    /// Withdrawn or closed before it was filled.
    Closed,
}

impl VacancyStatus {
    /// Every status.
    pub const ALL: [Self; 3] = [Self::Open, Self::Filled, Self::Closed];

    /// The status of its snake_case name.
    pub fn parse(text: &str) -> Result<Self, UnknownVacancyStatus> {
        Self::ALL
            .into_iter()
            .find(|status| status.as_str() == text)
            .ok_or(UnknownVacancyStatus)
    }

    /// The status at `moment` of a vacancy whose events left it `self` and
    /// whose applications close at `closes_at`: an open vacancy is closed
    /// once its closing time has come (`closes_at <= moment`, as referrals
    /// judge it); filled and closed stay as they are. The one rule of a
    /// vacancy's status, for what holds only its columns (a read model, an
    /// index); [`Vacancy::status_at`] applies it to a folded vacancy.
    pub fn at(self, closes_at: Option<DateTime<Utc>>, moment: DateTime<Utc>) -> Self {
        match (self, closes_at) {
            (Self::Open, Some(closes_at)) if closes_at <= moment => Self::Closed,
            (status, _) => status,
        }
    }

    /// The snake_case name used in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Filled => "filled",
            Self::Closed => "closed",
        }
    }
}

impl fmt::Display for VacancyStatus {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(self.as_str())
    }
}

/// A status name that is not `open`, `filled` or `closed`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("not a vacancy status: open, filled or closed")]
pub struct UnknownVacancyStatus;

/// Why a vacancy was closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CloseReason {
    /// The employer no longer hires.
    Withdrawn,
    /// Its time ran out.
    Expired,
    /// The places were filled other than through referrals.
    FilledElsewhere,
}

impl CloseReason {
    /// Every reason.
    pub const ALL: [Self; 3] = [Self::Withdrawn, Self::Expired, Self::FilledElsewhere];

    /// The reason of its snake_case name, or `None`.
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|reason| reason.as_str() == text)
    }

    /// The snake_case name used in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Withdrawn => "withdrawn",
            Self::Expired => "expired",
            Self::FilledElsewhere => "filled_elsewhere",
        }
    }
}

/// A published vacancy, as folded from its events.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Vacancy {
    /// Its id.
    pub id: VacancyId,
    /// The hiring employer.
    pub employer_id: EmployerId,
    /// What it offers and asks.
    pub details: VacancyDetails,
    /// When it was published.
    pub published_at: DateTime<Utc>,
    /// Open, filled or closed.
    pub status: VacancyStatus,
    /// Places not yet taken.
    pub open_headcount: u32,
    /// Why it was closed, once closed.
    pub close_reason: Option<CloseReason>,
    /// Referrals whose hire has been counted (so a redelivered placement is
    /// recognised).
    pub placements: BTreeSet<ReferralId>,
}

/// What the referral rules need to know of a vacancy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VacancyForReferral {
    /// Its status.
    pub status: VacancyStatus,
    /// The hiring employer.
    pub employer_id: EmployerId,
    /// Whether it is a public-welfare post.
    pub public_welfare: bool,
    /// When applications close.
    pub closes_at: Option<DateTime<Utc>>,
}

impl Vacancy {
    /// Its status at `moment`: as its events left it, except that an open
    /// vacancy whose closing time has come is closed (see
    /// [`VacancyStatus::at`]). What every answer about a vacancy shows,
    /// whatever reads it: its `GET` (now, or at `as_of`), the lists, the
    /// search index.
    pub fn status_at(&self, moment: DateTime<Utc>) -> VacancyStatus {
        self.status.at(self.details.closes_at, moment)
    }

    /// Why it was closed, as of `moment`: the reason its closing recorded,
    /// or [`CloseReason::Expired`] for an open vacancy whose closing time
    /// has come.
    pub fn close_reason_at(&self, moment: DateTime<Utc>) -> Option<CloseReason> {
        match self.status_at(moment) {
            VacancyStatus::Closed => Some(self.close_reason.unwrap_or(CloseReason::Expired)),
            VacancyStatus::Open | VacancyStatus::Filled => self.close_reason,
        }
    }

    /// The facts about this vacancy that a referral decision takes.
    pub fn for_referral(&self) -> VacancyForReferral {
        VacancyForReferral {
            status: self.status,
            employer_id: self.employer_id,
            public_welfare: self.details.public_welfare,
            closes_at: self.details.closes_at,
        }
    }
}

impl Aggregate for Vacancy {
    type Id = VacancyId;
    type Command = VacancyCommand;
    type Event = VacancyEvent;
    type Error = VacancyError;

    fn decide(
        state: Option<&Self>,
        command: VacancyCommand,
    ) -> Result<Vec<VacancyEvent>, VacancyError> {
        match (state, command) {
            (None, VacancyCommand::Publish(publish)) => publish_vacancy(publish),
            (Some(_), VacancyCommand::Publish(_)) => Err(VacancyError::AlreadyExists),
            (None, _) => Err(VacancyError::NotFound),
            (Some(vacancy), VacancyCommand::Update(update)) => update_vacancy(vacancy, update),
            (Some(vacancy), VacancyCommand::Close(close)) => close_vacancy(vacancy, close),
            (Some(vacancy), VacancyCommand::RecordPlacement(placement)) => {
                Ok(record_placement(vacancy, placement))
            }
        }
    }

    fn evolve(state: Option<Self>, event: &VacancyEvent) -> Option<Self> {
        match (state, event) {
            (None, VacancyEvent::Published(published)) => Some(Vacancy {
                id: published.vacancy_id,
                employer_id: published.employer_id,
                details: published.details.clone(),
                published_at: published.published_at,
                status: VacancyStatus::Open,
                open_headcount: published.details.headcount.get(),
                close_reason: None,
                placements: BTreeSet::new(),
            }),
            (Some(mut vacancy), VacancyEvent::Updated(updated)) => {
                apply_changes(&mut vacancy.details, &updated.changes);
                if let Some(open_headcount) = updated.open_headcount {
                    vacancy.open_headcount = open_headcount;
                }
                Some(vacancy)
            }
            (Some(mut vacancy), VacancyEvent::Closed(closed)) => {
                vacancy.status = VacancyStatus::Closed;
                vacancy.close_reason = Some(closed.reason);
                Some(vacancy)
            }
            (Some(mut vacancy), VacancyEvent::PlacementRecorded(placement)) => {
                vacancy.placements.insert(placement.referral_id);
                vacancy.open_headcount = placement.open_headcount;
                Some(vacancy)
            }
            (Some(mut vacancy), VacancyEvent::Filled(_)) => {
                vacancy.status = VacancyStatus::Filled;
                vacancy.open_headcount = 0;
                Some(vacancy)
            }
            (state, _) => state,
        }
    }
}

fn publish_vacancy(publish: PublishVacancy) -> Result<Vec<VacancyEvent>, VacancyError> {
    if let Some(closes_at) = publish.details.closes_at
        && closes_at <= publish.published_at
    {
        return Err(VacancyError::ClosingTimeNotInFuture { closes_at });
    }
    Ok(vec![VacancyEvent::Published(VacancyPublished {
        vacancy_id: publish.vacancy_id,
        employer_id: publish.employer_id,
        details: publish.details,
        published_at: publish.published_at,
    })])
}

fn update_vacancy(
    vacancy: &Vacancy,
    update: UpdateVacancy,
) -> Result<Vec<VacancyEvent>, VacancyError> {
    if vacancy.status != VacancyStatus::Open {
        return Err(VacancyError::NotOpen {
            status: vacancy.status,
        });
    }
    let current = &vacancy.details;
    let requested = update.changes;
    let changes = VacancyChanges {
        title: requested.title.filter(|title| title != &current.title),
        description: requested
            .description
            .filter(|description| description != &current.description),
        occupation: requested
            .occupation
            .filter(|occupation| occupation != &current.occupation),
        occupation_code: requested
            .occupation_code
            .filter(|code| code != &current.occupation_code),
        region: requested.region.filter(|region| region != &current.region),
        salary: requested.salary.filter(|salary| salary != &current.salary),
        headcount: requested
            .headcount
            .filter(|headcount| headcount != &current.headcount),
        education: requested
            .education
            .filter(|education| education != &current.education),
        experience_years: requested
            .experience_years
            .filter(|years| years != &current.experience_years),
        welcomes: requested
            .welcomes
            .filter(|welcomes| welcomes != &current.welcomes),
        public_welfare: requested
            .public_welfare
            .filter(|public_welfare| public_welfare != &current.public_welfare),
        closes_at: requested
            .closes_at
            .filter(|closes_at| closes_at != &current.closes_at),
    };
    // Past its closing time a vacancy is closed: it takes a new closing
    // time, which reopens it (with other changes alongside), and nothing
    // else.
    if let (VacancyStatus::Closed, Some(closes_at)) = (
        vacancy.status_at(update.updated_at),
        vacancy.details.closes_at,
    ) && changes.closes_at.is_none()
    {
        return Err(VacancyError::PastClosingTime { closes_at });
    }
    if changes.is_empty() {
        return Ok(vec![]);
    }
    if let Some(Some(closes_at)) = changes.closes_at
        && closes_at <= update.updated_at
    {
        return Err(VacancyError::ClosingTimeNotInFuture { closes_at });
    }
    let open_headcount = match changes.headcount {
        Some(headcount) => {
            let placed = vacancy.placements.len();
            let open = usize::try_from(headcount.get())
                .ok()
                .and_then(|headcount| headcount.checked_sub(placed))
                .ok_or(VacancyError::HeadcountBelowPlacements { placed })?;
            Some(u32::try_from(open).unwrap_or(u32::MAX))
        }
        None => None,
    };
    let mut events = vec![VacancyEvent::Updated(VacancyUpdated {
        vacancy_id: vacancy.id,
        changes,
        open_headcount,
    })];
    if open_headcount == Some(0) {
        events.push(VacancyEvent::Filled(VacancyFilled {
            vacancy_id: vacancy.id,
        }));
    }
    Ok(events)
}

fn close_vacancy(
    vacancy: &Vacancy,
    close: CloseVacancy,
) -> Result<Vec<VacancyEvent>, VacancyError> {
    match vacancy.status {
        VacancyStatus::Closed => Ok(vec![]),
        VacancyStatus::Filled => Err(VacancyError::NotOpen {
            status: VacancyStatus::Filled,
        }),
        VacancyStatus::Open => Ok(vec![VacancyEvent::Closed(VacancyClosed {
            vacancy_id: vacancy.id,
            reason: close.reason,
            note: close.note,
        })]),
    }
}

/// A hire is a fact: it is counted whatever the vacancy's status (it may
/// have been closed between the referral and the hire), once per referral.
/// The open headcount does not fall below zero; the vacancy is filled when
/// it reaches zero while open.
fn record_placement(vacancy: &Vacancy, placement: RecordVacancyPlacement) -> Vec<VacancyEvent> {
    if vacancy.placements.contains(&placement.referral_id) {
        return vec![];
    }
    let open_headcount = vacancy.open_headcount.saturating_sub(1);
    let mut events = vec![VacancyEvent::PlacementRecorded(VacancyPlacementRecorded {
        vacancy_id: vacancy.id,
        referral_id: placement.referral_id,
        jobseeker_id: placement.jobseeker_id,
        hired_on: placement.hired_on,
        open_headcount,
    })];
    if open_headcount == 0 && vacancy.status == VacancyStatus::Open {
        events.push(VacancyEvent::Filled(VacancyFilled {
            vacancy_id: vacancy.id,
        }));
    }
    events
}

impl VacancyDetails {
    /// These details with `changes` made, as `evolve` makes them.
    pub fn apply(&mut self, changes: &VacancyChanges) {
        apply_changes(self, changes);
    }
}

fn apply_changes(details: &mut VacancyDetails, changes: &VacancyChanges) {
    if let Some(title) = &changes.title {
        details.title = title.clone();
    }
    if let Some(description) = &changes.description {
        details.description = description.clone();
    }
    if let Some(occupation) = &changes.occupation {
        details.occupation = occupation.clone();
    }
    if let Some(occupation_code) = &changes.occupation_code {
        details.occupation_code = occupation_code.clone();
    }
    if let Some(region) = &changes.region {
        details.region = region.clone();
    }
    if let Some(salary) = changes.salary {
        details.salary = salary;
    }
    if let Some(headcount) = changes.headcount {
        details.headcount = headcount;
    }
    if let Some(education) = changes.education {
        details.education = education;
    }
    if let Some(experience_years) = changes.experience_years {
        details.experience_years = experience_years;
    }
    if let Some(welcomes) = &changes.welcomes {
        details.welcomes = welcomes.clone();
    }
    if let Some(public_welfare) = changes.public_welfare {
        details.public_welfare = public_welfare;
    }
    if let Some(closes_at) = changes.closes_at {
        details.closes_at = closes_at;
    }
}
