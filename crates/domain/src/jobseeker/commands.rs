//! What may be asked of a job seeker.

use std::collections::BTreeSet;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::{ErasureGround, JobSeekerProfile, PersonalData};
use crate::ids::{EmployerId, JobSeekerId, ReferralId, VacancyId};
use crate::serde_helpers::double_option;
use crate::value::{
    Description, DivisionCode, Education, GraduationYear, JobSeekerCategory, Label, MobilePhone,
    Note, OccupationCode, OrganisationName, PersonName,
};

/// Register a job seeker (求职登记).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegisterJobSeeker {
    /// The new job seeker's id.
    pub jobseeker_id: JobSeekerId,
    /// Name, resident id number, phone.
    pub personal: PersonalData,
    /// Education, skills, wishes.
    pub profile: JobSeekerProfile,
    /// The registering office.
    pub office: DivisionCode,
    /// The day of registration (in China), for the minimum-age rule.
    pub registered_on: NaiveDate,
}

/// Changes to personal data; `None` leaves a field as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PersonalDataChanges {
    /// A corrected name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<PersonName>,
    /// A new phone (`Some(None)` removes it).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "double_option"
    )]
    pub phone: Option<Option<MobilePhone>>,
}

impl PersonalDataChanges {
    pub(crate) fn is_empty(&self) -> bool {
        self.name.is_none() && self.phone.is_none()
    }
}

/// Changes to the profile; `None` leaves a field as it is, `Some(None)`
/// clears an optional one.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProfileChanges {
    /// New education.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub education: Option<Education>,
    /// New major.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "double_option"
    )]
    pub major: Option<Option<Label>>,
    /// New graduation year.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "double_option"
    )]
    pub graduation_year: Option<Option<GraduationYear>>,
    /// New categories (the whole set).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub categories: Option<BTreeSet<JobSeekerCategory>>,
    /// New skills (the whole list).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub skills: Option<Vec<Label>>,
    /// New desired occupations (the whole list).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub desired_occupations: Option<Vec<Label>>,
    /// New desired occupation codes (the whole list, most wanted first).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub desired_occupation_codes: Option<Vec<OccupationCode>>,
    /// New desired regions (the whole set).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub desired_regions: Option<BTreeSet<DivisionCode>>,
    /// New summary.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "double_option"
    )]
    pub summary: Option<Option<Description>>,
}

impl ProfileChanges {
    pub(crate) fn is_empty(&self) -> bool {
        self == &Self::default()
    }
}

/// Update a job seeker's profile and contact (a PATCH).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UpdateJobSeekerProfile {
    /// Changes to name and phone.
    pub personal: PersonalDataChanges,
    /// Changes to the rest.
    pub profile: ProfileChanges,
}

/// Register a job seeker as unemployed (失业登记).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegisterUnemployment {
    /// The day of registration.
    pub registered_on: NaiveDate,
    /// The counsellor's note (the reason, the former employer).
    pub note: Option<Note>,
}

/// Register a job seeker as employed (就业登记), by a counsellor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegisterEmployment {
    /// First day of work.
    pub started_on: NaiveDate,
    /// The employer, when registered with Labex.
    pub employer_id: Option<EmployerId>,
    /// The employer's name, when not.
    pub employer_name: Option<OrganisationName>,
    /// The counsellor's note.
    pub note: Option<Note>,
}

/// Record that a referral ended in a hire: the placement process manager's
/// command. Idempotent: a referral already recorded produces no events.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordJobSeekerPlacement {
    /// The referral that was hired.
    pub referral_id: ReferralId,
    /// The vacancy filled.
    pub vacancy_id: VacancyId,
    /// The hiring employer.
    pub employer_id: EmployerId,
    /// First day of work (the outcome's date).
    pub started_on: NaiveDate,
}

/// What may be asked of a job seeker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JobSeekerCommand {
    /// Register.
    Register(RegisterJobSeeker),
    /// Update profile and contact.
    UpdateProfile(UpdateJobSeekerProfile),
    /// Register unemployment.
    RegisterUnemployment(RegisterUnemployment),
    /// Register employment.
    RegisterEmployment(RegisterEmployment),
    /// Record a hire through a referral.
    RecordPlacement(RecordJobSeekerPlacement),
    /// Erase the personal data.
    Erase(EraseJobSeeker),
    /// Record a migrant worker's return home (返乡).
    RecordReturn(super::RecordReturn),
}

/// Erase a job seeker's personal data (their name, ID number, phone and
/// the notes about them): what the office keeps of them besides stays.
/// Idempotent: erasing an erased job seeker produces no events.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EraseJobSeeker {
    /// Why (PIPL art. 47).
    pub ground: ErasureGround,
    /// When it was asked for.
    pub erased_at: DateTime<Utc>,
}
