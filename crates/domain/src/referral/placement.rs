//! The placement process: what a hire through a referral means for the job
//! seeker and the vacancy.
//!
//! A process manager subscribed to referral events hands every
//! `ReferralOutcomeRecorded` to [`placement_commands`]; for a hire it gets
//! one command for the job seeker and one for the vacancy, and executes
//! each on its aggregate. Both commands carry the referral id, so a
//! redelivered event (or a retry after a crash between the two) yields no
//! second employment and no second fall of the headcount.

use super::{ReferralOutcome, ReferralOutcomeRecorded};
use crate::ids::{JobSeekerId, VacancyId};
use crate::jobseeker::{JobSeekerCommand, RecordJobSeekerPlacement};
use crate::vacancy::{RecordVacancyPlacement, VacancyCommand};

/// The commands that carry out one hire.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlacementCommands {
    /// The job seeker hired.
    pub jobseeker_id: JobSeekerId,
    /// Records their employment.
    pub jobseeker: JobSeekerCommand,
    /// The vacancy filled.
    pub vacancy_id: VacancyId,
    /// Lowers its open headcount (and fills it at zero).
    pub vacancy: VacancyCommand,
}

/// The commands a referral outcome calls for: some for `hired`, none for
/// every other outcome.
pub fn placement_commands(outcome: &ReferralOutcomeRecorded) -> Option<PlacementCommands> {
    if outcome.outcome != ReferralOutcome::Hired {
        return None;
    }
    Some(PlacementCommands {
        jobseeker_id: outcome.jobseeker_id,
        jobseeker: JobSeekerCommand::RecordPlacement(RecordJobSeekerPlacement {
            referral_id: outcome.referral_id,
            vacancy_id: outcome.vacancy_id,
            employer_id: outcome.employer_id,
            started_on: outcome.date,
        }),
        vacancy_id: outcome.vacancy_id,
        vacancy: VacancyCommand::RecordPlacement(RecordVacancyPlacement {
            referral_id: outcome.referral_id,
            jobseeker_id: outcome.jobseeker_id,
            hired_on: outcome.date,
        }),
    })
}
