//! What a job seeker's stream records, and how its old shapes are read.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use super::commands::{PersonalDataChanges, ProfileChanges};
use super::{ErasureGround, JobSeekerProfile, PersonalData};
use crate::ids::{EmployerId, JobSeekerId, ReferralId, VacancyId};
use crate::personal::Personal;
use crate::value::{DivisionCode, Note, OrganisationName};

/// `JobSeekerRegistered` (schema 2): a job seeker was registered.
///
/// Schema 1 had `name`, `id_number` and a required `phone` at the top level
/// and one `category`; it is upcast on reading.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JobSeekerRegistered {
    /// The job seeker.
    pub jobseeker_id: JobSeekerId,
    /// Name, resident id number, phone: sealed with the job seeker's key.
    pub personal: Personal<PersonalData>,
    /// Education, skills, wishes.
    pub profile: JobSeekerProfile,
    /// The registering office.
    pub office: DivisionCode,
}

/// `JobSeekerProfileUpdated` (schema 1): profile or contact changed; only
/// the fields that changed are present.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JobSeekerProfileUpdated {
    /// The job seeker.
    pub jobseeker_id: JobSeekerId,
    /// Changed name or phone: sealed with the job seeker's key.
    #[serde(default, skip_serializing_if = "no_personal_changes")]
    pub personal: Personal<PersonalDataChanges>,
    /// Changed profile fields.
    #[serde(default, skip_serializing_if = "ProfileChanges::is_empty")]
    pub profile: ProfileChanges,
}

/// `UnemploymentRegistered` (schema 1): registered as unemployed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UnemploymentRegistered {
    /// The job seeker.
    pub jobseeker_id: JobSeekerId,
    /// The day of registration.
    pub registered_on: NaiveDate,
    /// The counsellor's note: sealed with the job seeker's key.
    pub note: Option<Personal<Note>>,
}

/// `EmploymentRegistered` (schema 1): registered as employed, by a
/// counsellor or through a referral's hire (then `referral_id` and
/// `vacancy_id` are set).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EmploymentRegistered {
    /// The job seeker.
    pub jobseeker_id: JobSeekerId,
    /// First day of work.
    pub started_on: NaiveDate,
    /// The employer, when registered with Labex.
    pub employer_id: Option<EmployerId>,
    /// The employer's name, when not.
    pub employer_name: Option<OrganisationName>,
    /// The vacancy filled, for a placement.
    pub vacancy_id: Option<VacancyId>,
    /// The referral hired, for a placement.
    pub referral_id: Option<ReferralId>,
    /// The counsellor's note: sealed with the job seeker's key.
    pub note: Option<Personal<Note>>,
}

/// `JobSeekerErased` (schema 1): the job seeker's personal data was
/// erased (their key destroyed), on a ground of the Personal Information
/// Protection Law (art. 47). It holds no personal data itself; what the
/// job seeker's stream records besides stays, for the office's counts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JobSeekerErased {
    /// The job seeker.
    pub jobseeker_id: JobSeekerId,
    /// Why.
    pub ground: ErasureGround,
    /// When.
    pub erased_at: DateTime<Utc>,
}

fn no_personal_changes(changes: &Personal<PersonalDataChanges>) -> bool {
    changes.known().is_some_and(PersonalDataChanges::is_empty)
}

crate::domain_events! {
    /// What happens to a job seeker.
    pub enum JobSeekerEvent in jobseeker_id {
        /// `JobSeekerRegistered`.
        Registered(JobSeekerRegistered) = ("JobSeekerRegistered", 2)
            personal ["personal" of "jobseeker_id"],
        /// `JobSeekerProfileUpdated`.
        ProfileUpdated(JobSeekerProfileUpdated) = ("JobSeekerProfileUpdated", 1)
            personal ["personal" of "jobseeker_id"],
        /// `UnemploymentRegistered`.
        UnemploymentRegistered(UnemploymentRegistered) = ("UnemploymentRegistered", 1)
            personal ["note" of "jobseeker_id"],
        /// `EmploymentRegistered`.
        EmploymentRegistered(EmploymentRegistered) = ("EmploymentRegistered", 1)
            personal ["note" of "jobseeker_id"],
        /// `JobSeekerErased`.
        Erased(JobSeekerErased) = ("JobSeekerErased", 1) erases "jobseeker_id",
        /// `MigrantReturnRecorded`.
        ReturnRecorded(super::MigrantReturnRecorded) = ("MigrantReturnRecorded", 1),
    }
    upcasters = &[crate::event::Upcaster {
        event_type: "JobSeekerRegistered",
        from_version: 1,
        step: job_seeker_registered_v1_to_v2,
    }];
}

/// `JobSeekerRegistered` 1 → 2.
///
/// Schema 1 kept `name`, `id_number` and a required `phone` string at the
/// top level with the profile fields, and one `category`. Schema 2 groups
/// the personal data under `personal` (so that it can be encrypted and
/// erased as one), makes `phone` optional (an empty string becomes `null`),
/// groups the profile under `profile`, and holds a list of `categories`.
fn job_seeker_registered_v1_to_v2(
    mut v1: Map<String, Value>,
) -> Result<Map<String, Value>, String> {
    let mut take = |field: &str| v1.remove(field).unwrap_or(Value::Null);
    let phone = match take("phone") {
        Value::String(phone) if phone.trim().is_empty() => Value::Null,
        phone => phone,
    };
    let categories = match take("category") {
        Value::Null => json!([]),
        Value::String(category) => json!([category]),
        other => return Err(format!("category is not a string but {other}")),
    };
    let list_or_empty = |value: Value| match value {
        Value::Null => json!([]),
        list => list,
    };
    let personal = json!({
        "name": take("name"),
        "id_number": take("id_number"),
        "phone": phone,
    });
    let profile = json!({
        "education": take("education"),
        "major": take("major"),
        "graduation_year": take("graduation_year"),
        "categories": categories,
        "skills": list_or_empty(take("skills")),
        "desired_occupations": list_or_empty(take("desired_occupations")),
        "desired_regions": list_or_empty(take("desired_regions")),
        "summary": take("summary"),
    });
    let jobseeker_id = take("jobseeker_id");
    let office = take("office");
    let mut v2 = Map::new();
    v2.insert("jobseeker_id".to_owned(), jobseeker_id);
    v2.insert("personal".to_owned(), personal);
    v2.insert("profile".to_owned(), profile);
    v2.insert("office".to_owned(), office);
    // Fields schema 1 never had stay, so that deserialising refuses them;
    // one that collides with a field of schema 2 means the data is not
    // schema 1 at all.
    for (field, value) in v1 {
        if v2.contains_key(&field) {
            return Err(format!("{field} is not a field of schema 1"));
        }
        v2.insert(field, value);
    }
    Ok(v2)
}
