//! What a fair's stream (`fair-<uuid>`) records. Job seekers are named by
//! their id only: their personal data stays sealed in their own stream.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::FairDetails;
use crate::ids::{EmployerId, FairId, JobSeekerId, VacancyId};
use crate::value::{DivisionCode, Note};

/// `FairScheduled` (schema 1): an organiser announced a fair.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FairScheduled {
    /// The fair.
    pub fair_id: FairId,
    /// The office that runs it (its figures count the fair).
    pub office: DivisionCode,
    /// What, where, when, for whom.
    pub details: FairDetails,
    /// When it was announced.
    pub scheduled_at: DateTime<Utc>,
}

/// `FairAmended` (schema 1): the fair's details as they now stand.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FairAmended {
    /// The fair.
    pub fair_id: FairId,
    /// Every detail, after the amendment.
    pub details: FairDetails,
}

/// `FairCancelled` (schema 1): the fair will not take place.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FairCancelled {
    /// The fair.
    pub fair_id: FairId,
    /// Why, for the visitors and exhibitors told of it.
    pub reason: Option<Note>,
    /// When.
    pub cancelled_at: DateTime<Utc>,
}

/// `FairExhibitorJoined` (schema 1): an employer takes a stand with
/// vacancies (its open ones, or new ones published for it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FairExhibitorJoined {
    /// The fair.
    pub fair_id: FairId,
    /// The exhibitor.
    pub employer_id: EmployerId,
    /// The vacancies it brings.
    pub vacancy_ids: BTreeSet<VacancyId>,
}

/// `FairExhibitorVacanciesAdded` (schema 1): an exhibitor brings more
/// vacancies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FairExhibitorVacanciesAdded {
    /// The fair.
    pub fair_id: FairId,
    /// The exhibitor.
    pub employer_id: EmployerId,
    /// The vacancies added (none it already brought).
    pub vacancy_ids: BTreeSet<VacancyId>,
}

/// `FairExhibitorLeft` (schema 1): an exhibitor withdrew before the start.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FairExhibitorLeft {
    /// The fair.
    pub fair_id: FairId,
    /// The employer that left.
    pub employer_id: EmployerId,
}

/// Where a registration stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Place {
    /// A place at the fair.
    Confirmed,
    /// On the waiting list, for the next place freed.
    Waiting,
}

impl Place {
    /// The snake_case name used in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Confirmed => "confirmed",
            Self::Waiting => "waiting",
        }
    }
}

/// `FairVisitorRegistered` (schema 1): a job seeker registered, with a
/// place or on the waiting list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FairVisitorRegistered {
    /// The fair.
    pub fair_id: FairId,
    /// Who.
    pub jobseeker_id: JobSeekerId,
    /// With a place, or waiting.
    pub place: Place,
    /// When.
    pub registered_at: DateTime<Utc>,
}

/// `FairVisitorRegistrationCancelled` (schema 1): a registration was
/// withdrawn; a confirmed place it held is free.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FairVisitorRegistrationCancelled {
    /// The fair.
    pub fair_id: FairId,
    /// Whose.
    pub jobseeker_id: JobSeekerId,
}

/// `FairPlaceOffered` (schema 1): the next on the waiting list got a
/// place (freed by a cancellation, or added to the capacity).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FairPlaceOffered {
    /// The fair.
    pub fair_id: FairId,
    /// Who now has a place.
    pub jobseeker_id: JobSeekerId,
}

/// `FairVisitorCheckedIn` (schema 1): a registered job seeker came through
/// the door of an on-site fair.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FairVisitorCheckedIn {
    /// The fair.
    pub fair_id: FairId,
    /// Who.
    pub jobseeker_id: JobSeekerId,
    /// When.
    pub checked_in_at: DateTime<Utc>,
}

/// `FairStandVisited` (schema 1): a visitor came to an exhibitor's stand
/// (scanned there on site, or opened it online).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FairStandVisited {
    /// The fair.
    pub fair_id: FairId,
    /// Who.
    pub jobseeker_id: JobSeekerId,
    /// Whose stand.
    pub employer_id: EmployerId,
    /// When.
    pub visited_at: DateTime<Utc>,
}

crate::domain_events! {
    /// What happens to a job fair.
    pub enum FairEvent in fair_id {
        /// `FairScheduled`.
        Scheduled(FairScheduled) = ("FairScheduled", 1),
        /// `FairAmended`.
        Amended(FairAmended) = ("FairAmended", 1),
        /// `FairCancelled`.
        Cancelled(FairCancelled) = ("FairCancelled", 1),
        /// `FairExhibitorJoined`.
        ExhibitorJoined(FairExhibitorJoined) = ("FairExhibitorJoined", 1),
        /// `FairExhibitorVacanciesAdded`.
        ExhibitorVacanciesAdded(FairExhibitorVacanciesAdded) = ("FairExhibitorVacanciesAdded", 1),
        /// `FairExhibitorLeft`.
        ExhibitorLeft(FairExhibitorLeft) = ("FairExhibitorLeft", 1),
        /// `FairVisitorRegistered`.
        VisitorRegistered(FairVisitorRegistered) = ("FairVisitorRegistered", 1),
        /// `FairVisitorRegistrationCancelled`.
        RegistrationCancelled(FairVisitorRegistrationCancelled) = ("FairVisitorRegistrationCancelled", 1),
        /// `FairPlaceOffered`.
        PlaceOffered(FairPlaceOffered) = ("FairPlaceOffered", 1),
        /// `FairVisitorCheckedIn`.
        VisitorCheckedIn(FairVisitorCheckedIn) = ("FairVisitorCheckedIn", 1),
        /// `FairStandVisited`.
        StandVisited(FairStandVisited) = ("FairStandVisited", 1),
    }
}
