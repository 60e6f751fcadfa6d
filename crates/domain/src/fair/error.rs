//! Why a command on a fair was refused.

use chrono::{DateTime, Utc};

use crate::ids::VacancyId;
use crate::refusal::{Coded, ErrorKind, Refusal};

/// A refusal by the fair's `decide`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FairError {
    /// A command on a fair that was never scheduled.
    #[error("no such fair")]
    NotFound,
    /// A scheduling under an id already used.
    #[error("the fair already exists")]
    AlreadyExists,
    /// An end at or before the start.
    #[error("the fair ends before it starts")]
    EndsBeforeStart,
    /// A start that has already passed.
    #[error("the fair would start in the past")]
    StartsInPast,
    /// An on-site fair without a venue.
    #[error("an onsite fair needs a venue")]
    VenueRequired,
    /// An online fair without a link.
    #[error("an online fair needs a link")]
    LinkRequired,
    /// A change to a cancelled fair.
    #[error("the fair was cancelled")]
    Cancelled,
    /// A change only allowed before the start, after it.
    #[error("the fair started at {starts_at}")]
    AlreadyStarted {
        /// Its start.
        starts_at: DateTime<Utc>,
    },
    /// A change only allowed before the end, after it.
    #[error("the fair ended at {ends_at}")]
    Ended {
        /// Its end.
        ends_at: DateTime<Utc>,
    },
    /// A capacity below the places already given.
    #[error("{taken} places are taken, more than the new capacity")]
    CapacityBelowPlacesTaken {
        /// Places given.
        taken: u32,
    },
    /// An exhibitor with no vacancy.
    #[error("an exhibitor brings at least one vacancy")]
    NoVacancies,
    /// A vacancy of another employer.
    #[error("vacancy {vacancy_id} is another employer's")]
    VacancyOfAnotherEmployer {
        /// The vacancy.
        vacancy_id: VacancyId,
    },
    /// A vacancy that is closed or filled.
    #[error("vacancy {vacancy_id} is not open")]
    VacancyNotOpen {
        /// The vacancy.
        vacancy_id: VacancyId,
    },
    /// An employer that has no stand at the fair.
    #[error("the employer does not exhibit at the fair")]
    NotAnExhibitor,
    /// A job seeker not registered for the fair.
    #[error("the job seeker is not registered for the fair")]
    NotRegistered,
    /// A job seeker still on the waiting list.
    #[error("the job seeker is on the waiting list, without a place")]
    NoPlace,
    /// A check-in at an online fair.
    #[error("an online fair has no door to check in at")]
    OnlineFairHasNoCheckIn,
    /// A check-in before the door opens or after the end.
    #[error("check-in is open from {opens_at} until {ends_at}")]
    CheckInClosed {
        /// When the door opens.
        opens_at: DateTime<Utc>,
        /// When the fair ends.
        ends_at: DateTime<Utc>,
    },
    /// A visit to a stand at an on-site fair before checking in.
    #[error("the visitor has not checked in")]
    NotCheckedIn,
    /// A visit to a stand when the fair is not under way.
    #[error("the fair is not under way")]
    NotUnderWay,
    /// A withdrawal of a registration already used at the door.
    #[error("the visitor has already checked in")]
    AlreadyCheckedIn,
}

impl Coded for FairError {
    fn code(&self) -> &'static str {
        match self {
            Self::NotFound => "not_found",
            Self::AlreadyExists => "already_exists",
            Self::EndsBeforeStart => "fair_ends_before_start",
            Self::StartsInPast => "fair_starts_in_past",
            Self::VenueRequired => "fair_venue_required",
            Self::LinkRequired => "fair_link_required",
            Self::Cancelled => "fair_cancelled",
            Self::AlreadyStarted { .. } => "fair_already_started",
            Self::Ended { .. } => "fair_ended",
            Self::CapacityBelowPlacesTaken { .. } => "fair_capacity_below_places_taken",
            Self::NoVacancies => "exhibitor_without_vacancies",
            Self::VacancyOfAnotherEmployer { .. } => "vacancy_of_another_employer",
            Self::VacancyNotOpen { .. } => "vacancy_not_open",
            Self::NotAnExhibitor => "not_an_exhibitor",
            Self::NotRegistered => "not_registered_for_fair",
            Self::NoPlace => "fair_place_not_confirmed",
            Self::OnlineFairHasNoCheckIn => "online_fair_has_no_check_in",
            Self::CheckInClosed { .. } => "fair_check_in_closed",
            Self::NotCheckedIn => "fair_visitor_not_checked_in",
            Self::NotUnderWay => "fair_not_under_way",
            Self::AlreadyCheckedIn => "fair_visitor_already_checked_in",
        }
    }
}

impl Refusal for FairError {
    fn kind(&self) -> ErrorKind {
        match self {
            Self::NotFound | Self::NotAnExhibitor | Self::NotRegistered => ErrorKind::NotFound,
            Self::EndsBeforeStart
            | Self::StartsInPast
            | Self::VenueRequired
            | Self::LinkRequired
            | Self::NoVacancies
            | Self::VacancyOfAnotherEmployer { .. } => ErrorKind::Unprocessable,
            Self::AlreadyExists
            | Self::Cancelled
            | Self::AlreadyStarted { .. }
            | Self::Ended { .. }
            | Self::CapacityBelowPlacesTaken { .. }
            | Self::VacancyNotOpen { .. }
            | Self::NoPlace
            | Self::OnlineFairHasNoCheckIn
            | Self::CheckInClosed { .. }
            | Self::NotCheckedIn
            | Self::NotUnderWay
            | Self::AlreadyCheckedIn => ErrorKind::Conflict,
        }
    }

    fn field(&self) -> Option<&'static str> {
        match self {
            Self::EndsBeforeStart => Some("ends_at"),
            Self::StartsInPast => Some("starts_at"),
            Self::VenueRequired => Some("venue"),
            Self::LinkRequired => Some("link"),
            Self::CapacityBelowPlacesTaken { .. } => Some("capacity"),
            Self::NoVacancies
            | Self::VacancyOfAnotherEmployer { .. }
            | Self::VacancyNotOpen { .. } => Some("vacancy_ids"),
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
        let moment = DateTime::UNIX_EPOCH;
        let vacancy_id = VacancyId::generate();
        assert_codes_unique(&[
            &FairError::NotFound,
            &FairError::AlreadyExists,
            &FairError::EndsBeforeStart,
            &FairError::StartsInPast,
            &FairError::VenueRequired,
            &FairError::LinkRequired,
            &FairError::Cancelled,
            &FairError::AlreadyStarted { starts_at: moment },
            &FairError::Ended { ends_at: moment },
            &FairError::CapacityBelowPlacesTaken { taken: 3 },
            &FairError::NoVacancies,
            &FairError::VacancyOfAnotherEmployer { vacancy_id },
            &FairError::VacancyNotOpen { vacancy_id },
            &FairError::NotAnExhibitor,
            &FairError::NotRegistered,
            &FairError::NoPlace,
            &FairError::OnlineFairHasNoCheckIn,
            &FairError::CheckInClosed {
                opens_at: moment,
                ends_at: moment,
            },
            &FairError::NotCheckedIn,
            &FairError::NotUnderWay,
            &FairError::AlreadyCheckedIn,
        ]);
    }

    #[test]
    fn a_detail_at_fault_names_its_field() {
        assert_eq!(FairError::EndsBeforeStart.field(), Some("ends_at"));
        assert_eq!(
            FairError::CapacityBelowPlacesTaken { taken: 2 }.kind(),
            ErrorKind::Conflict
        );
    }
}
