//! Job fairs (招聘会) that human-resources markets hold: targeted on-site
//! fairs (专场招聘会) at a venue and online fairs (网上招聘会) at a link,
//! often in a campaign such as the graduates' service month (服务月) or
//! service week. An organiser announces a fair for an audience of job
//! seekers (graduates, migrant workers, the laid-off …), in a region,
//! with a capacity; employers exhibit with vacancies (their open ones, or
//! new ones an office publishes for them, as offices collect hiring needs,
//! 用工信息) and may leave before the start; job seekers register (a place,
//! or the waiting list, whose first gets the next place freed), check in
//! at the door of an on-site fair and visit stands.
//!
//! Job seekers appear here by id only. What a decision needs of vacancies
//! (whose they are, whether they are open) and of the clock comes in the
//! command; the rules an office sets ([`FairRules`]) too.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::aggregate::Aggregate;
use crate::ids::{EmployerId, FairId, JobSeekerId, VacancyId};
use crate::value::{DivisionCode, JobSeekerCategory, Label, Note, Title};

mod commands;
mod error;
mod events;
mod rules;
mod values;

pub use commands::{
    AmendFair, CancelFair, CancelRegistration, CheckIn, Exhibit, FairCommand, LeaveFair,
    RegisterVisitor, ScheduleFair, VacancyForFair, VisitStand,
};
pub use error::FairError;
pub use events::{
    FairAmended, FairCancelled, FairEvent, FairExhibitorJoined, FairExhibitorLeft,
    FairExhibitorVacanciesAdded, FairPlaceOffered, FairScheduled, FairStandVisited,
    FairVisitorCheckedIn, FairVisitorRegistered, FairVisitorRegistrationCancelled, Place,
};
pub use rules::FairRules;
pub use values::{Capacity, CapacityError, FairKind, FairKindError, WebLink, WebLinkError};

/// What, where, when and for whom a fair is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FairDetails {
    /// Its title (2026届高校毕业生专场招聘会).
    pub title: Title,
    /// On site or online.
    pub kind: FairKind,
    /// The job-seeker groups it is for; none: everyone.
    pub audience: BTreeSet<JobSeekerCategory>,
    /// Where (its division code): the city or county it serves.
    pub region: DivisionCode,
    /// The venue of an on-site fair.
    pub venue: Option<Title>,
    /// The address of an online fair (an on-site one may have one too).
    pub link: Option<WebLink>,
    /// When it opens.
    pub starts_at: DateTime<Utc>,
    /// When it closes.
    pub ends_at: DateTime<Utc>,
    /// How many visitors it takes.
    pub capacity: Capacity,
    /// The campaign it belongs to (高校毕业生就业服务月).
    pub campaign: Option<Label>,
}

/// Where a fair stands at a moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FairStatus {
    /// Announced, not started.
    Scheduled,
    /// Open now.
    UnderWay,
    /// Over.
    Ended,
    /// Called off.
    Cancelled,
}

impl FairStatus {
    /// The snake_case name used in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Scheduled => "scheduled",
            Self::UnderWay => "under_way",
            Self::Ended => "ended",
            Self::Cancelled => "cancelled",
        }
    }
}

/// A registered job seeker.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Visitor {
    /// A place, or waiting.
    pub place: Place,
    /// The order of registration (the waiting list goes by it).
    pub sequence: u64,
    /// When they registered.
    pub registered_at: DateTime<Utc>,
    /// When they came through the door (on site).
    pub checked_in_at: Option<DateTime<Utc>>,
    /// The stands they visited.
    pub stands: BTreeSet<EmployerId>,
}

/// How a fair was called off.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cancellation {
    /// Why.
    pub reason: Option<Note>,
    /// When.
    pub at: DateTime<Utc>,
}

/// A fair, as folded from its events.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fair {
    /// Its id.
    pub id: FairId,
    /// The office that runs it.
    pub office: DivisionCode,
    /// Its details as they stand.
    pub details: FairDetails,
    /// When it was announced.
    pub scheduled_at: DateTime<Utc>,
    /// Its cancellation, if it was called off.
    pub cancellation: Option<Cancellation>,
    /// The exhibitors and the vacancies each brings.
    pub exhibitors: BTreeMap<EmployerId, BTreeSet<VacancyId>>,
    /// The registered job seekers.
    pub visitors: BTreeMap<JobSeekerId, Visitor>,
    /// Registrations ever made (the next one's sequence).
    pub registrations_made: u64,
}

impl Fair {
    /// Where it stands at `moment`.
    pub fn status_at(&self, moment: DateTime<Utc>) -> FairStatus {
        if self.cancellation.is_some() {
            FairStatus::Cancelled
        } else if moment < self.details.starts_at {
            FairStatus::Scheduled
        } else if moment < self.details.ends_at {
            FairStatus::UnderWay
        } else {
            FairStatus::Ended
        }
    }

    /// Every vacancy the exhibitors bring.
    pub fn vacancy_ids(&self) -> BTreeSet<VacancyId> {
        self.exhibitors.values().flatten().copied().collect()
    }

    /// Places given.
    pub fn places_taken(&self) -> u32 {
        let taken = self
            .visitors
            .values()
            .filter(|visitor| visitor.place == Place::Confirmed)
            .count();
        u32::try_from(taken).unwrap_or(u32::MAX)
    }

    /// The waiting list, first first.
    pub fn waiting_list(&self) -> Vec<JobSeekerId> {
        let mut waiting: Vec<(u64, JobSeekerId)> = self
            .visitors
            .iter()
            .filter(|(_, visitor)| visitor.place == Place::Waiting)
            .map(|(id, visitor)| (visitor.sequence, *id))
            .collect();
        waiting.sort_unstable();
        waiting.into_iter().map(|(_, id)| id).collect()
    }

    fn refuse_unless_open(&self, now: DateTime<Utc>) -> Result<(), FairError> {
        if self.cancellation.is_some() {
            return Err(FairError::Cancelled);
        }
        if now >= self.details.ends_at {
            return Err(FairError::Ended {
                ends_at: self.details.ends_at,
            });
        }
        Ok(())
    }

    fn refuse_unless_not_started(&self, now: DateTime<Utc>) -> Result<(), FairError> {
        if self.cancellation.is_some() {
            return Err(FairError::Cancelled);
        }
        if now >= self.details.starts_at {
            return Err(FairError::AlreadyStarted {
                starts_at: self.details.starts_at,
            });
        }
        Ok(())
    }

    /// Places offered to the waiting list when `capacity` places exist.
    fn offers(&self, capacity: Capacity, freed: u32) -> Vec<FairEvent> {
        let taken = self.places_taken().saturating_sub(freed);
        let free = capacity.get().saturating_sub(taken) as usize;
        self.waiting_list()
            .into_iter()
            .take(free)
            .map(|jobseeker_id| {
                FairEvent::PlaceOffered(FairPlaceOffered {
                    fair_id: self.id,
                    jobseeker_id,
                })
            })
            .collect()
    }
}

/// The rules every set of details keeps: an end after the start, a venue
/// on site, a link online.
fn check_details(details: &FairDetails, now: DateTime<Utc>) -> Result<(), FairError> {
    if details.ends_at <= details.starts_at {
        return Err(FairError::EndsBeforeStart);
    }
    if details.starts_at <= now {
        return Err(FairError::StartsInPast);
    }
    match details.kind {
        FairKind::Onsite if details.venue.is_none() => Err(FairError::VenueRequired),
        FairKind::Online if details.link.is_none() => Err(FairError::LinkRequired),
        _ => Ok(()),
    }
}

impl Aggregate for Fair {
    type Id = FairId;
    type Command = FairCommand;
    type Event = FairEvent;
    type Error = FairError;

    /// A fair's stream grows with every exhibitor and visitor, and many
    /// write to it at once; it names job seekers by id only.
    const KEEP_WARM: bool = true;

    fn decide(state: Option<&Self>, command: FairCommand) -> Result<Vec<FairEvent>, FairError> {
        match (state, command) {
            (None, FairCommand::Schedule(schedule)) => schedule_fair(schedule),
            (Some(_), FairCommand::Schedule(_)) => Err(FairError::AlreadyExists),
            (None, _) => Err(FairError::NotFound),
            (Some(fair), FairCommand::Amend(amend)) => amend_fair(fair, amend),
            (Some(fair), FairCommand::Cancel(cancel)) => cancel_fair(fair, cancel),
            (Some(fair), FairCommand::Exhibit(exhibit)) => exhibit_at(fair, exhibit),
            (Some(fair), FairCommand::Leave(leave)) => leave_fair(fair, leave),
            (Some(fair), FairCommand::Register(register)) => register_visitor(fair, register),
            (Some(fair), FairCommand::CancelRegistration(cancel)) => {
                cancel_registration(fair, cancel)
            }
            (Some(fair), FairCommand::CheckIn(check_in)) => check_visitor_in(fair, check_in),
            (Some(fair), FairCommand::VisitStand(visit)) => visit_stand(fair, visit),
        }
    }

    fn evolve(state: Option<Self>, event: &FairEvent) -> Option<Self> {
        let mut fair = match (state, event) {
            (None, FairEvent::Scheduled(scheduled)) => {
                return Some(Fair {
                    id: scheduled.fair_id,
                    office: scheduled.office.clone(),
                    details: scheduled.details.clone(),
                    scheduled_at: scheduled.scheduled_at,
                    cancellation: None,
                    exhibitors: BTreeMap::new(),
                    visitors: BTreeMap::new(),
                    registrations_made: 0,
                });
            }
            (None, _) => return None,
            (Some(fair), _) => fair,
        };
        match event {
            FairEvent::Scheduled(_) => {}
            FairEvent::Amended(amended) => fair.details = amended.details.clone(),
            FairEvent::Cancelled(cancelled) => {
                fair.cancellation = Some(Cancellation {
                    reason: cancelled.reason.clone(),
                    at: cancelled.cancelled_at,
                });
            }
            FairEvent::ExhibitorJoined(FairExhibitorJoined {
                employer_id,
                vacancy_ids,
                ..
            })
            | FairEvent::ExhibitorVacanciesAdded(FairExhibitorVacanciesAdded {
                employer_id,
                vacancy_ids,
                ..
            }) => {
                fair.exhibitors
                    .entry(*employer_id)
                    .or_default()
                    .extend(vacancy_ids.iter().copied());
            }
            FairEvent::ExhibitorLeft(left) => {
                fair.exhibitors.remove(&left.employer_id);
            }
            FairEvent::VisitorRegistered(registered) => {
                fair.visitors.insert(
                    registered.jobseeker_id,
                    Visitor {
                        place: registered.place,
                        sequence: fair.registrations_made,
                        registered_at: registered.registered_at,
                        checked_in_at: None,
                        stands: BTreeSet::new(),
                    },
                );
                fair.registrations_made += 1;
            }
            FairEvent::RegistrationCancelled(cancelled) => {
                fair.visitors.remove(&cancelled.jobseeker_id);
            }
            FairEvent::PlaceOffered(offered) => {
                if let Some(visitor) = fair.visitors.get_mut(&offered.jobseeker_id) {
                    visitor.place = Place::Confirmed;
                }
            }
            FairEvent::VisitorCheckedIn(checked_in) => {
                if let Some(visitor) = fair.visitors.get_mut(&checked_in.jobseeker_id) {
                    visitor.checked_in_at = Some(checked_in.checked_in_at);
                }
            }
            FairEvent::StandVisited(visited) => {
                if let Some(visitor) = fair.visitors.get_mut(&visited.jobseeker_id) {
                    visitor.stands.insert(visited.employer_id);
                }
            }
        }
        Some(fair)
    }
}

fn schedule_fair(schedule: ScheduleFair) -> Result<Vec<FairEvent>, FairError> {
    check_details(&schedule.details, schedule.now)?;
    Ok(vec![FairEvent::Scheduled(FairScheduled {
        fair_id: schedule.fair_id,
        office: schedule.office,
        details: schedule.details,
        scheduled_at: schedule.now,
    })])
}

fn amend_fair(fair: &Fair, amend: AmendFair) -> Result<Vec<FairEvent>, FairError> {
    fair.refuse_unless_not_started(amend.now)?;
    check_details(&amend.details, amend.now)?;
    if amend.details == fair.details {
        return Ok(Vec::new());
    }
    let taken = fair.places_taken();
    if amend.details.capacity.get() < taken {
        return Err(FairError::CapacityBelowPlacesTaken { taken });
    }
    let offers = fair.offers(amend.details.capacity, 0);
    let mut events = vec![FairEvent::Amended(FairAmended {
        fair_id: fair.id,
        details: amend.details,
    })];
    events.extend(offers);
    Ok(events)
}

fn cancel_fair(fair: &Fair, cancel: CancelFair) -> Result<Vec<FairEvent>, FairError> {
    if fair.cancellation.is_some() {
        return Ok(Vec::new());
    }
    fair.refuse_unless_open(cancel.now)?;
    Ok(vec![FairEvent::Cancelled(FairCancelled {
        fair_id: fair.id,
        reason: cancel.reason,
        cancelled_at: cancel.now,
    })])
}

fn exhibit_at(fair: &Fair, exhibit: Exhibit) -> Result<Vec<FairEvent>, FairError> {
    fair.refuse_unless_open(exhibit.now)?;
    if exhibit.vacancies.is_empty() {
        return Err(FairError::NoVacancies);
    }
    for vacancy in &exhibit.vacancies {
        if vacancy.employer_id != exhibit.employer_id {
            return Err(FairError::VacancyOfAnotherEmployer {
                vacancy_id: vacancy.vacancy_id,
            });
        }
        if !vacancy.open {
            return Err(FairError::VacancyNotOpen {
                vacancy_id: vacancy.vacancy_id,
            });
        }
    }
    let brought = fair.exhibitors.get(&exhibit.employer_id);
    let vacancy_ids: BTreeSet<VacancyId> = exhibit
        .vacancies
        .iter()
        .map(|vacancy| vacancy.vacancy_id)
        .filter(|id| brought.is_none_or(|brought| !brought.contains(id)))
        .collect();
    let event = match brought {
        None => FairEvent::ExhibitorJoined(FairExhibitorJoined {
            fair_id: fair.id,
            employer_id: exhibit.employer_id,
            vacancy_ids,
        }),
        Some(_) if vacancy_ids.is_empty() => return Ok(Vec::new()),
        Some(_) => FairEvent::ExhibitorVacanciesAdded(FairExhibitorVacanciesAdded {
            fair_id: fair.id,
            employer_id: exhibit.employer_id,
            vacancy_ids,
        }),
    };
    Ok(vec![event])
}

fn leave_fair(fair: &Fair, leave: LeaveFair) -> Result<Vec<FairEvent>, FairError> {
    fair.refuse_unless_not_started(leave.now)?;
    if !fair.exhibitors.contains_key(&leave.employer_id) {
        return Err(FairError::NotAnExhibitor);
    }
    Ok(vec![FairEvent::ExhibitorLeft(FairExhibitorLeft {
        fair_id: fair.id,
        employer_id: leave.employer_id,
    })])
}

fn register_visitor(fair: &Fair, register: RegisterVisitor) -> Result<Vec<FairEvent>, FairError> {
    fair.refuse_unless_open(register.now)?;
    if fair.visitors.contains_key(&register.jobseeker_id) {
        return Ok(Vec::new());
    }
    let place = if fair.places_taken() < fair.details.capacity.get() {
        Place::Confirmed
    } else {
        Place::Waiting
    };
    Ok(vec![FairEvent::VisitorRegistered(FairVisitorRegistered {
        fair_id: fair.id,
        jobseeker_id: register.jobseeker_id,
        place,
        registered_at: register.now,
    })])
}

fn cancel_registration(
    fair: &Fair,
    cancel: CancelRegistration,
) -> Result<Vec<FairEvent>, FairError> {
    fair.refuse_unless_open(cancel.now)?;
    let visitor = fair
        .visitors
        .get(&cancel.jobseeker_id)
        .ok_or(FairError::NotRegistered)?;
    if visitor.checked_in_at.is_some() {
        return Err(FairError::AlreadyCheckedIn);
    }
    let mut events = vec![FairEvent::RegistrationCancelled(
        FairVisitorRegistrationCancelled {
            fair_id: fair.id,
            jobseeker_id: cancel.jobseeker_id,
        },
    )];
    if visitor.place == Place::Confirmed {
        events.extend(fair.offers(fair.details.capacity, 1));
    }
    Ok(events)
}

fn check_visitor_in(fair: &Fair, check_in: CheckIn) -> Result<Vec<FairEvent>, FairError> {
    if fair.details.kind == FairKind::Online {
        return Err(FairError::OnlineFairHasNoCheckIn);
    }
    fair.refuse_unless_open(check_in.now)?;
    let visitor = fair
        .visitors
        .get(&check_in.jobseeker_id)
        .ok_or(FairError::NotRegistered)?;
    if visitor.place != Place::Confirmed {
        return Err(FairError::NoPlace);
    }
    let opens_at = fair.details.starts_at - check_in.opens_before_start;
    if check_in.now < opens_at {
        return Err(FairError::CheckInClosed {
            opens_at,
            ends_at: fair.details.ends_at,
        });
    }
    if visitor.checked_in_at.is_some() {
        return Ok(Vec::new());
    }
    Ok(vec![FairEvent::VisitorCheckedIn(FairVisitorCheckedIn {
        fair_id: fair.id,
        jobseeker_id: check_in.jobseeker_id,
        checked_in_at: check_in.now,
    })])
}

fn visit_stand(fair: &Fair, visit: VisitStand) -> Result<Vec<FairEvent>, FairError> {
    if fair.status_at(visit.now) != FairStatus::UnderWay {
        return Err(FairError::NotUnderWay);
    }
    if !fair.exhibitors.contains_key(&visit.employer_id) {
        return Err(FairError::NotAnExhibitor);
    }
    let visitor = fair
        .visitors
        .get(&visit.jobseeker_id)
        .ok_or(FairError::NotRegistered)?;
    if visitor.place != Place::Confirmed {
        return Err(FairError::NoPlace);
    }
    if fair.details.kind == FairKind::Onsite && visitor.checked_in_at.is_none() {
        return Err(FairError::NotCheckedIn);
    }
    if visitor.stands.contains(&visit.employer_id) {
        return Ok(Vec::new());
    }
    Ok(vec![FairEvent::StandVisited(FairStandVisited {
        fair_id: fair.id,
        jobseeker_id: visit.jobseeker_id,
        employer_id: visit.employer_id,
        visited_at: visit.now,
    })])
}
