//! What the API answers about job seekers. The resident ID number is
//! always masked (`410105********123X`), and nothing else answered gives
//! away the digits the mask hides: not the birth date (digits 7–14), only
//! the age in whole years, which counsellors need (programmes for workers
//! over 40 or 50) and which names no day.

use chrono::NaiveDate;
use labex_domain::jobseeker::JobSeeker;
use serde::Serialize;
use utoipa::ToSchema;

/// A job seeker's current state (or as of a past moment). Once their
/// personal data is erased, `erased` says when and why, and `name`,
/// `id_number`, `age` and `phone` are `null` (also for any moment before
/// the erasure).
#[derive(Debug, Serialize, ToSchema)]
pub struct JobSeekerView {
    pub id: String,
    /// `null` once erased.
    pub name: Option<String>,
    /// Masked: the first six and last four characters; `null` once erased.
    pub id_number: Option<String>,
    /// Age in whole years on the day (in China) the answer describes:
    /// today, or the `as_of` moment's day when replaying to the past;
    /// `null` once erased.
    pub age: Option<u32>,
    pub phone: Option<String>,
    pub education: String,
    pub major: Option<String>,
    pub graduation_year: Option<u16>,
    pub categories: Vec<String>,
    pub skills: Vec<String>,
    pub desired_occupations: Vec<String>,
    /// The wish (求职意向) in the national occupational classification
    /// (职业分类大典 2022), most wanted first.
    pub desired_occupation_codes: Vec<String>,
    /// Those codes' titles in the classification, in the same order
    /// (`电工` beside `6-31-01-03`).
    pub desired_occupation_titles: Vec<String>,
    pub desired_regions: Vec<String>,
    pub summary: Option<String>,
    pub office: String,
    /// seeking, registered_unemployed or employed.
    pub status: String,
    #[schema(value_type = Option<String>, format = Date)]
    pub unemployed_since: Option<NaiveDate>,
    pub employment: Option<EmploymentView>,
    /// When and why the personal data was erased; `null` while it is kept.
    pub erased: Option<ErasureView>,
    /// A migrant worker's returns home (返乡), latest first.
    pub returns: Vec<ReturnView>,
    /// The stream revision, also the `ETag`.
    pub revision: u64,
}

/// A return home (返乡): from where, when, and what they mean to do.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReturnView {
    /// The division code of where they worked.
    pub from_region: String,
    /// Its name (GB/T 2260), when the code is in the list.
    pub from_region_name: Option<String>,
    #[schema(value_type = String, format = Date)]
    pub returned_on: NaiveDate,
    /// local_work, start_business, leave_again or undecided.
    pub intention: String,
}

/// When and why a job seeker's personal data was erased.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErasureView {
    /// RFC 3339.
    #[schema(value_type = String, format = DateTime)]
    pub erased_at: chrono::DateTime<chrono::Utc>,
    /// The ground (PIPL art. 47).
    pub ground: String,
}

/// The job a job seeker holds.
#[derive(Debug, Serialize, ToSchema)]
pub struct EmploymentView {
    #[schema(value_type = String, format = Date)]
    pub started_on: NaiveDate,
    pub employer_id: Option<String>,
    pub employer_name: Option<String>,
    pub vacancy_id: Option<String>,
    pub referral_id: Option<String>,
}

impl JobSeekerView {
    /// The view of `jobseeker` at `revision`, its age taken on `on`.
    pub fn new(jobseeker: &JobSeeker, revision: u64, on: NaiveDate) -> Self {
        let profile = &jobseeker.profile;
        let personal = jobseeker.personal.known();
        Self {
            id: jobseeker.id.to_string(),
            name: personal.map(|personal| personal.name.as_str().to_owned()),
            id_number: personal.map(|personal| personal.id_number.masked()),
            age: personal.map(|personal| personal.id_number.age_on(on)),
            phone: personal
                .and_then(|personal| personal.phone.as_ref())
                .map(|phone| phone.as_str().to_owned()),
            education: profile.education.as_str().to_owned(),
            major: profile
                .major
                .as_ref()
                .map(|major| major.as_str().to_owned()),
            graduation_year: profile.graduation_year.map(|year| year.get()),
            categories: profile
                .categories
                .iter()
                .map(|category| category.as_str().to_owned())
                .collect(),
            skills: labels(&profile.skills),
            desired_occupations: labels(&profile.desired_occupations),
            desired_occupation_codes: profile
                .desired_occupation_codes
                .iter()
                .map(|code| code.as_str().to_owned())
                .collect(),
            desired_occupation_titles: profile
                .desired_occupation_codes
                .iter()
                .map(|code| code.title().to_owned())
                .collect(),
            desired_regions: profile
                .desired_regions
                .iter()
                .map(|region| region.as_str().to_owned())
                .collect(),
            summary: profile
                .summary
                .as_ref()
                .map(|summary| summary.as_str().to_owned()),
            office: jobseeker.office.as_str().to_owned(),
            status: jobseeker.status.as_str().to_owned(),
            unemployed_since: jobseeker.unemployed_since,
            employment: jobseeker.employment.as_ref().map(|job| EmploymentView {
                started_on: job.started_on,
                employer_id: job.employer_id.map(|id| id.to_string()),
                employer_name: job
                    .employer_name
                    .as_ref()
                    .map(|name| name.as_str().to_owned()),
                vacancy_id: job.vacancy_id.map(|id| id.to_string()),
                referral_id: job.referral_id.map(|id| id.to_string()),
            }),
            returns: jobseeker
                .returns
                .iter()
                .rev()
                .map(|back| ReturnView {
                    from_region: back.from_region.as_str().to_owned(),
                    from_region_name: labex_domain::value::Divisions::get()
                        .name(back.from_region.as_str())
                        .map(str::to_owned),
                    returned_on: back.returned_on,
                    intention: back.intention.as_str().to_owned(),
                })
                .collect(),
            erased: jobseeker.erasure.map(|erasure| ErasureView {
                erased_at: erasure.erased_at,
                ground: erasure.ground.as_str().to_owned(),
            }),
            revision,
        }
    }
}

fn labels(labels: &[labex_domain::value::Label]) -> Vec<String> {
    labels
        .iter()
        .map(|label| label.as_str().to_owned())
        .collect()
}

/// One job seeker in a list; an erased one without name, ID number and
/// age.
#[derive(Debug, Serialize, ToSchema)]
pub struct JobSeekerSummary {
    pub id: String,
    /// `null` once erased.
    pub name: Option<String>,
    /// Masked; `null` once erased.
    pub id_number: Option<String>,
    /// Age in whole years today (in China); `null` once erased.
    pub age: Option<u32>,
    /// Whether the personal data was erased.
    pub erased: bool,
    pub office: String,
    pub status: String,
    pub education: String,
    pub categories: Vec<String>,
    /// When the registration was recorded (RFC 3339).
    pub registered_at: String,
}

/// A page of job seekers.
#[derive(Debug, Serialize, ToSchema)]
pub struct JobSeekerPage {
    pub items: Vec<JobSeekerSummary>,
    /// The cursor of the next page; `null` on the last.
    pub next_cursor: Option<String>,
}

/// One read of a job seeker's full record by a member of staff.
#[derive(Debug, Serialize, ToSchema)]
pub struct AccessEntry {
    /// Who read: their user id (the token's `sub`).
    pub reader: String,
    /// Their role: `counsellor`, `office_admin` or `province`.
    pub role: String,
    /// Their office.
    pub office: String,
    /// The endpoint the record was shown through.
    pub endpoint: String,
    /// When (RFC 3339).
    pub read_at: String,
}

/// A page of a job seeker's access log, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct AccessLogPage {
    pub items: Vec<AccessEntry>,
    /// The cursor of the next page; `null` on the last.
    pub next_cursor: Option<String>,
}

/// `POST /v1/layoff-plans/{id}/outcome/registrations`: what became of each
/// person laid off, and how the plan's registrations stand against the
/// people it laid off.
#[derive(Debug, Serialize, ToSchema)]
pub struct LayoffRegistrationsView {
    pub plan_id: String,
    /// People laid off, as the plan's outcome records.
    pub laid_off: Option<u32>,
    /// People registered as unemployed from the plan so far, this request
    /// included: never more than `laid_off`.
    pub registered_unemployed: u32,
    /// Each person, in the order sent.
    pub people: Vec<LaidOffLineView>,
}

/// One person of the list.
#[derive(Debug, Serialize, ToSchema)]
pub struct LaidOffLineView {
    /// The line's index in `people`.
    pub index: usize,
    pub jobseeker_id: String,
    /// `registered` (a new job seeker, 求职登记 and 失业登记),
    /// `unemployment_registered` (a registered job seeker, now 失业登记),
    /// or `already_unemployed` (nothing written: already registered as
    /// unemployed).
    pub outcome: String,
}

impl LayoffRegistrationsView {
    /// The view of what was done.
    pub fn new(done: &crate::layoffs::LayoffRegistrationsDone) -> Self {
        Self {
            plan_id: done.plan.id.to_string(),
            laid_off: done.plan.laid_off,
            registered_unemployed: u32::try_from(done.plan.registered.len()).unwrap_or(u32::MAX),
            people: done
                .lines
                .iter()
                .map(|line| LaidOffLineView {
                    index: line.index,
                    jobseeker_id: line.jobseeker_id.to_string(),
                    outcome: line.outcome.as_str().to_owned(),
                })
                .collect(),
        }
    }
}
