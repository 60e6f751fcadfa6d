//! Job seekers (求职者): registration (求职登记), profile, unemployment
//! registration (失业登记) and employment registration (就业登记).

use std::collections::BTreeSet;

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::aggregate::Aggregate;
use crate::ids::{EmployerId, JobSeekerId, ReferralId, VacancyId};
use crate::personal::Personal;
use crate::value::{
    Description, DivisionCode, Education, GraduationYear, JobSeekerCategory, Label, MobilePhone,
    OccupationCode, OrganisationName, PersonName, ResidentId,
};

mod commands;
mod error;
mod events;
mod returns;

pub use commands::{
    EraseJobSeeker, JobSeekerCommand, PersonalDataChanges, ProfileChanges,
    RecordJobSeekerPlacement, RegisterEmployment, RegisterJobSeeker, RegisterUnemployment,
    UpdateJobSeekerProfile,
};
pub use error::JobSeekerError;
pub use events::{
    EmploymentRegistered, JobSeekerErased, JobSeekerEvent, JobSeekerProfileUpdated,
    JobSeekerRegistered, UnemploymentRegistered,
};
pub use returns::{MigrantReturnRecorded, RecordReturn, ReturnIntention, ReturnIntentionError};

/// Nobody younger may register for work (Labour Law art. 15).
pub const MINIMUM_WORKING_AGE: u32 = 16;
/// The most skills a profile lists.
pub const MAX_SKILLS: usize = 30;
/// The most desired occupations a profile lists.
pub const MAX_DESIRED_OCCUPATIONS: usize = 10;
/// The most occupation codes a wish (求职意向) names: each widens matching
/// to a group of the classification, so a few say all a wish can.
pub const MAX_DESIRED_OCCUPATION_CODES: usize = 5;
/// The most desired regions a profile lists.
pub const MAX_DESIRED_REGIONS: usize = 10;
/// Graduation is plausible from this age …
const EARLIEST_GRADUATION_AGE: i32 = 10;
/// … up to this one.
const LATEST_GRADUATION_AGE: i32 = 70;

/// The personal data of a job seeker, kept together in events so that it
/// can be encrypted with a per-person key and erased (crypto-shredding)
/// without rewriting history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PersonalData {
    /// Name (姓名).
    pub name: PersonName,
    /// Resident identity number (公民身份号码).
    pub id_number: ResidentId,
    /// Mobile phone, if they gave one.
    pub phone: Option<MobilePhone>,
}

/// What a job seeker can do and wants: everything of the profile but the
/// personal data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JobSeekerProfile {
    /// Highest education completed.
    pub education: Education,
    /// Field of study (专业).
    pub major: Option<Label>,
    /// Year of graduation (or expected graduation).
    pub graduation_year: Option<GraduationYear>,
    /// Groups the person belongs to.
    pub categories: BTreeSet<JobSeekerCategory>,
    /// Skills, most important first, no repeats.
    pub skills: Vec<Label>,
    /// Occupations wanted, most wanted first, no repeats: the person's own
    /// words.
    pub desired_occupations: Vec<Label>,
    /// The same wish (求职意向) in the national occupational classification
    /// (职业分类大典 2022): codes of occupations or groups, most wanted
    /// first, no repeats. Left out of the JSON when empty, so that events
    /// written before it existed read and encode as they did.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub desired_occupation_codes: Vec<OccupationCode>,
    /// Where they want to work.
    pub desired_regions: BTreeSet<DivisionCode>,
    /// A few words about themselves.
    pub summary: Option<Description>,
}

/// Why a job seeker's personal data was erased: the grounds of the
/// Personal Information Protection Law, art. 47, on which a handler must
/// delete personal information.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErasureGround {
    /// The purpose is achieved, cannot be achieved, or no longer needs the
    /// data (处理目的已实现、无法实现或者不再必要).
    PurposeFulfilled,
    /// The service ended or the retention period expired (停止提供服务或者保存期限已届满).
    RetentionEnded,
    /// The person withdrew their consent (个人撤回同意).
    ConsentWithdrawn,
    /// The data was processed against the law or the agreement (违法违约处理).
    UnlawfulProcessing,
    /// Another ground a law or regulation names (法律、行政法规规定的其他情形).
    OtherLegalGround,
}

impl ErasureGround {
    /// Every ground.
    pub const ALL: [Self; 5] = [
        Self::PurposeFulfilled,
        Self::RetentionEnded,
        Self::ConsentWithdrawn,
        Self::UnlawfulProcessing,
        Self::OtherLegalGround,
    ];

    /// The snake_case name used in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::PurposeFulfilled => "purpose_fulfilled",
            Self::RetentionEnded => "retention_ended",
            Self::ConsentWithdrawn => "consent_withdrawn",
            Self::UnlawfulProcessing => "unlawful_processing",
            Self::OtherLegalGround => "other_legal_ground",
        }
    }

    /// The ground of its snake_case name.
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|ground| ground.as_str() == text)
    }
}

/// When and why a job seeker's personal data was erased.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Erasure {
    /// Why.
    pub ground: ErasureGround,
    /// When.
    pub erased_at: DateTime<Utc>,
}

/// Where a job seeker stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JobSeekerStatus {
    /// Registered as looking for work.
    Seeking,
    /// Registered as unemployed (登记失业).
    RegisteredUnemployed,
    /// Registered as employed (就业登记).
    Employed,
}

impl JobSeekerStatus {
    /// Every status.
    pub const ALL: [Self; 3] = [Self::Seeking, Self::RegisteredUnemployed, Self::Employed];

    /// The status of its snake_case name, or `None`.
    pub fn parse(text: &str) -> Result<Self, UnknownStatus> {
        Self::ALL
            .into_iter()
            .find(|status| status.as_str() == text)
            .ok_or(UnknownStatus)
    }

    /// The snake_case name used in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Seeking => "seeking",
            Self::RegisteredUnemployed => "registered_unemployed",
            Self::Employed => "employed",
        }
    }
}

/// A text that names no job-seeker status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("not a job-seeker status")]
pub struct UnknownStatus;

/// The job a job seeker holds, as registered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Employment {
    /// First day of work.
    pub started_on: NaiveDate,
    /// The employer, when it is registered with Labex.
    pub employer_id: Option<EmployerId>,
    /// The employer's name, when it is not.
    pub employer_name: Option<OrganisationName>,
    /// The vacancy filled, for a placement.
    pub vacancy_id: Option<VacancyId>,
    /// The referral that led to it, for a placement.
    pub referral_id: Option<ReferralId>,
}

/// A registered job seeker, as folded from their events.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobSeeker {
    /// Its id.
    pub id: JobSeekerId,
    /// Name, resident id number, phone; none once erased.
    pub personal: Personal<PersonalData>,
    /// Education, skills, wishes.
    pub profile: JobSeekerProfile,
    /// The office that registered them (its division code).
    pub office: DivisionCode,
    /// Seeking, registered unemployed, or employed.
    pub status: JobSeekerStatus,
    /// The day of the current unemployment registration.
    pub unemployed_since: Option<NaiveDate>,
    /// The current job, once employed.
    pub employment: Option<Employment>,
    /// Referrals whose hire has been recorded (so a redelivered placement
    /// is recognised).
    pub placements: BTreeSet<ReferralId>,
    /// When and why the personal data was erased.
    #[serde(default)]
    pub erasure: Option<Erasure>,
    /// Returns home (返乡) recorded, in the order recorded.
    #[serde(default)]
    pub returns: Vec<HomeReturn>,
}

/// A migrant worker's return home as it stands on the job seeker.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HomeReturn {
    /// Where they worked.
    pub from_region: DivisionCode,
    /// The day they came back.
    pub returned_on: NaiveDate,
    /// What they mean to do.
    pub intention: ReturnIntention,
}

/// What the referral rules need to know of a job seeker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobSeekerForReferral {
    /// The job seeker's categories.
    pub categories: BTreeSet<JobSeekerCategory>,
}

impl JobSeeker {
    /// The facts about this job seeker that a referral decision takes.
    pub fn for_referral(&self) -> JobSeekerForReferral {
        JobSeekerForReferral {
            categories: self.profile.categories.clone(),
        }
    }
}

impl Aggregate for JobSeeker {
    type Id = JobSeekerId;
    type Command = JobSeekerCommand;
    type Event = JobSeekerEvent;
    type Error = JobSeekerError;

    fn decide(
        state: Option<&Self>,
        command: JobSeekerCommand,
    ) -> Result<Vec<JobSeekerEvent>, JobSeekerError> {
        match (state, command) {
            (None, JobSeekerCommand::Register(register)) => register_job_seeker(register),
            (Some(_), JobSeekerCommand::Register(_)) => Err(JobSeekerError::AlreadyExists),
            (None, _) => Err(JobSeekerError::NotFound),
            (Some(jobseeker), JobSeekerCommand::Erase(erase)) => {
                Ok(erase_job_seeker(jobseeker, erase))
            }
            (Some(jobseeker), JobSeekerCommand::RecordPlacement(placement)) => {
                record_placement(jobseeker, placement)
            }
            // Nothing but facts (a hire) is recorded of an erased job seeker.
            (Some(jobseeker), _) if jobseeker.erasure.is_some() => Err(JobSeekerError::Erased),
            (Some(jobseeker), JobSeekerCommand::UpdateProfile(update)) => {
                update_profile(jobseeker, update)
            }
            (Some(jobseeker), JobSeekerCommand::RegisterUnemployment(registration)) => {
                register_unemployment(jobseeker, registration)
            }
            (Some(jobseeker), JobSeekerCommand::RegisterEmployment(registration)) => {
                register_employment(jobseeker, registration)
            }
            (Some(jobseeker), JobSeekerCommand::RecordReturn(recorded)) => {
                Ok(vec![JobSeekerEvent::ReturnRecorded(
                    MigrantReturnRecorded {
                        jobseeker_id: jobseeker.id,
                        from_region: recorded.from_region,
                        returned_on: recorded.returned_on,
                        intention: recorded.intention,
                    },
                )])
            }
        }
    }

    fn evolve(state: Option<Self>, event: &JobSeekerEvent) -> Option<Self> {
        match (state, event) {
            (None, JobSeekerEvent::Registered(registered)) => Some(JobSeeker {
                id: registered.jobseeker_id,
                personal: registered.personal.clone(),
                profile: registered.profile.clone(),
                office: registered.office.clone(),
                status: JobSeekerStatus::Seeking,
                unemployed_since: None,
                employment: None,
                placements: BTreeSet::new(),
                erasure: None,
                returns: Vec::new(),
            }),
            (Some(mut jobseeker), JobSeekerEvent::ProfileUpdated(updated)) => {
                match (&mut jobseeker.personal, &updated.personal) {
                    (Personal::Known(personal), Personal::Known(changes)) => {
                        apply_personal_changes(personal, changes);
                    }
                    // Changes that can no longer be read: the data they
                    // changed is gone too.
                    (personal, Personal::Erased) => *personal = Personal::Erased,
                    (Personal::Erased, Personal::Known(_)) => {}
                }
                apply_profile_changes(&mut jobseeker.profile, &updated.profile);
                Some(jobseeker)
            }
            (Some(mut jobseeker), JobSeekerEvent::Erased(erased)) => {
                jobseeker.personal = Personal::Erased;
                jobseeker.erasure = Some(Erasure {
                    ground: erased.ground,
                    erased_at: erased.erased_at,
                });
                Some(jobseeker)
            }
            (Some(mut jobseeker), JobSeekerEvent::UnemploymentRegistered(registered)) => {
                jobseeker.status = JobSeekerStatus::RegisteredUnemployed;
                jobseeker.unemployed_since = Some(registered.registered_on);
                jobseeker.employment = None;
                Some(jobseeker)
            }
            (Some(mut jobseeker), JobSeekerEvent::EmploymentRegistered(registered)) => {
                jobseeker.status = JobSeekerStatus::Employed;
                jobseeker.unemployed_since = None;
                jobseeker.employment = Some(Employment {
                    started_on: registered.started_on,
                    employer_id: registered.employer_id,
                    employer_name: registered.employer_name.clone(),
                    vacancy_id: registered.vacancy_id,
                    referral_id: registered.referral_id,
                });
                if let Some(referral_id) = registered.referral_id {
                    jobseeker.placements.insert(referral_id);
                }
                Some(jobseeker)
            }
            (Some(mut jobseeker), JobSeekerEvent::ReturnRecorded(recorded)) => {
                jobseeker.returns.push(HomeReturn {
                    from_region: recorded.from_region.clone(),
                    returned_on: recorded.returned_on,
                    intention: recorded.intention,
                });
                Some(jobseeker)
            }
            (state, _) => state,
        }
    }
}

fn register_job_seeker(register: RegisterJobSeeker) -> Result<Vec<JobSeekerEvent>, JobSeekerError> {
    let age = register.personal.id_number.age_on(register.registered_on);
    if age < MINIMUM_WORKING_AGE {
        return Err(JobSeekerError::UnderMinimumWorkingAge {
            minimum_age: MINIMUM_WORKING_AGE,
        });
    }
    let profile = normalise_profile(register.profile);
    check_profile(&register.personal.id_number, &profile)?;
    Ok(vec![JobSeekerEvent::Registered(JobSeekerRegistered {
        jobseeker_id: register.jobseeker_id,
        personal: Personal::Known(register.personal),
        profile,
        office: register.office,
    })])
}

fn update_profile(
    jobseeker: &JobSeeker,
    update: UpdateJobSeekerProfile,
) -> Result<Vec<JobSeekerEvent>, JobSeekerError> {
    let Some(current_personal) = jobseeker.personal.known() else {
        return Err(JobSeekerError::Erased);
    };
    let personal = PersonalDataChanges {
        name: update
            .personal
            .name
            .filter(|name| name != &current_personal.name),
        phone: update
            .personal
            .phone
            .filter(|phone| phone != &current_personal.phone),
    };
    let current = &jobseeker.profile;
    let requested = update.profile;
    let profile = ProfileChanges {
        education: requested
            .education
            .filter(|education| education != &current.education),
        major: requested.major.filter(|major| major != &current.major),
        graduation_year: requested
            .graduation_year
            .filter(|year| year != &current.graduation_year),
        categories: requested
            .categories
            .filter(|categories| categories != &current.categories),
        skills: requested
            .skills
            .map(deduplicate)
            .filter(|skills| skills != &current.skills),
        desired_occupations: requested
            .desired_occupations
            .map(deduplicate)
            .filter(|occupations| occupations != &current.desired_occupations),
        desired_occupation_codes: requested
            .desired_occupation_codes
            .map(deduplicate)
            .filter(|codes| codes != &current.desired_occupation_codes),
        desired_regions: requested
            .desired_regions
            .filter(|regions| regions != &current.desired_regions),
        summary: requested
            .summary
            .filter(|summary| summary != &current.summary),
    };
    if personal.is_empty() && profile.is_empty() {
        return Ok(vec![]);
    }
    let mut resulting_profile = current.clone();
    apply_profile_changes(&mut resulting_profile, &profile);
    check_profile(&current_personal.id_number, &resulting_profile)?;
    Ok(vec![JobSeekerEvent::ProfileUpdated(
        JobSeekerProfileUpdated {
            jobseeker_id: jobseeker.id,
            personal: Personal::Known(personal),
            profile,
        },
    )])
}

fn register_unemployment(
    jobseeker: &JobSeeker,
    registration: RegisterUnemployment,
) -> Result<Vec<JobSeekerEvent>, JobSeekerError> {
    if jobseeker.status == JobSeekerStatus::RegisteredUnemployed {
        return Err(JobSeekerError::AlreadyRegisteredUnemployed);
    }
    if let Some(employment) = &jobseeker.employment
        && registration.registered_on < employment.started_on
    {
        return Err(JobSeekerError::UnemploymentBeforeEmploymentStart);
    }
    Ok(vec![JobSeekerEvent::UnemploymentRegistered(
        UnemploymentRegistered {
            jobseeker_id: jobseeker.id,
            registered_on: registration.registered_on,
            note: registration.note.map(Personal::Known),
        },
    )])
}

fn register_employment(
    jobseeker: &JobSeeker,
    registration: RegisterEmployment,
) -> Result<Vec<JobSeekerEvent>, JobSeekerError> {
    if jobseeker.status == JobSeekerStatus::Employed {
        return Err(JobSeekerError::AlreadyEmployed);
    }
    Ok(vec![JobSeekerEvent::EmploymentRegistered(
        EmploymentRegistered {
            jobseeker_id: jobseeker.id,
            started_on: registration.started_on,
            employer_id: registration.employer_id,
            employer_name: registration.employer_name,
            vacancy_id: None,
            referral_id: None,
            note: registration.note.map(Personal::Known),
        },
    )])
}

fn erase_job_seeker(jobseeker: &JobSeeker, erase: EraseJobSeeker) -> Vec<JobSeekerEvent> {
    if jobseeker.erasure.is_some() {
        return vec![];
    }
    vec![JobSeekerEvent::Erased(JobSeekerErased {
        jobseeker_id: jobseeker.id,
        ground: erase.ground,
        erased_at: erase.erased_at,
    })]
}

/// A hire is a fact: it is recorded whatever the job seeker's status (they
/// may have registered other work meanwhile), once per referral.
fn record_placement(
    jobseeker: &JobSeeker,
    placement: RecordJobSeekerPlacement,
) -> Result<Vec<JobSeekerEvent>, JobSeekerError> {
    if jobseeker.placements.contains(&placement.referral_id) {
        return Ok(vec![]);
    }
    Ok(vec![JobSeekerEvent::EmploymentRegistered(
        EmploymentRegistered {
            jobseeker_id: jobseeker.id,
            started_on: placement.started_on,
            employer_id: Some(placement.employer_id),
            employer_name: None,
            vacancy_id: Some(placement.vacancy_id),
            referral_id: Some(placement.referral_id),
            note: None,
        },
    )])
}

/// Removes repeated skills, occupations and occupation codes, keeping the
/// first of each.
fn normalise_profile(mut profile: JobSeekerProfile) -> JobSeekerProfile {
    profile.skills = deduplicate(profile.skills);
    profile.desired_occupations = deduplicate(profile.desired_occupations);
    profile.desired_occupation_codes = deduplicate(profile.desired_occupation_codes);
    profile
}

/// The items in their order, each only the first time it comes.
fn deduplicate<T: Ord + Clone>(items: Vec<T>) -> Vec<T> {
    let mut seen = BTreeSet::new();
    items
        .into_iter()
        .filter(|item| seen.insert(item.clone()))
        .collect()
}

/// The rules a profile obeys, at registration and after every update.
fn check_profile(id_number: &ResidentId, profile: &JobSeekerProfile) -> Result<(), JobSeekerError> {
    for (field, length, max) in [
        ("skills", profile.skills.len(), MAX_SKILLS),
        (
            "desired_occupations",
            profile.desired_occupations.len(),
            MAX_DESIRED_OCCUPATIONS,
        ),
        (
            "desired_occupation_codes",
            profile.desired_occupation_codes.len(),
            MAX_DESIRED_OCCUPATION_CODES,
        ),
        (
            "desired_regions",
            profile.desired_regions.len(),
            MAX_DESIRED_REGIONS,
        ),
    ] {
        if length > max {
            return Err(JobSeekerError::TooManyItems { field, max });
        }
    }
    if let Some(graduation_year) = profile.graduation_year {
        let birth_year = id_number.birth_date().year();
        let year = i32::from(graduation_year.get());
        let plausible =
            (birth_year + EARLIEST_GRADUATION_AGE)..=(birth_year + LATEST_GRADUATION_AGE);
        if !plausible.contains(&year) {
            return Err(JobSeekerError::GraduationYearImplausible {
                graduation_year: graduation_year.get(),
                birth_year,
            });
        }
    }
    if let Some(category) = profile
        .categories
        .iter()
        .find(|category| category.requires_higher_education())
        && !profile.education.is_higher()
    {
        return Err(JobSeekerError::CategoryRequiresEducation {
            category: *category,
            minimum: Education::Associate,
        });
    }
    Ok(())
}

impl PersonalData {
    /// These data with `changes` made, as `evolve` makes them.
    pub fn apply(&mut self, changes: &PersonalDataChanges) {
        apply_personal_changes(self, changes);
    }
}

impl JobSeekerProfile {
    /// This profile with `changes` made, as `evolve` makes them.
    pub fn apply(&mut self, changes: &ProfileChanges) {
        apply_profile_changes(self, changes);
    }
}

fn apply_personal_changes(personal: &mut PersonalData, changes: &PersonalDataChanges) {
    if let Some(name) = &changes.name {
        personal.name = name.clone();
    }
    if let Some(phone) = &changes.phone {
        personal.phone = phone.clone();
    }
}

fn apply_profile_changes(profile: &mut JobSeekerProfile, changes: &ProfileChanges) {
    if let Some(education) = changes.education {
        profile.education = education;
    }
    if let Some(major) = &changes.major {
        profile.major = major.clone();
    }
    if let Some(graduation_year) = changes.graduation_year {
        profile.graduation_year = graduation_year;
    }
    if let Some(categories) = &changes.categories {
        profile.categories = categories.clone();
    }
    if let Some(skills) = &changes.skills {
        profile.skills = skills.clone();
    }
    if let Some(occupations) = &changes.desired_occupations {
        profile.desired_occupations = occupations.clone();
    }
    if let Some(codes) = &changes.desired_occupation_codes {
        profile.desired_occupation_codes = codes.clone();
    }
    if let Some(regions) = &changes.desired_regions {
        profile.desired_regions = regions.clone();
    }
    if let Some(summary) = &changes.summary {
        profile.summary = summary.clone();
    }
}
