//! What the API answers about employers and vacancies. Times are written
//! as [`rfc3339_millis`] writes them; a vacancy's status and close reason
//! are those at the moment the answer describes
//! ([`Vacancy::status_at`]).

use chrono::{DateTime, Utc};
use labex_app::arrears_marks::ArrearsMark;
use labex_domain::employer::Employer;
use labex_domain::rfc3339_millis;
use labex_domain::vacancy::Vacancy;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// An employer's state (or as of a past moment).
#[derive(Debug, Serialize, ToSchema)]
pub struct EmployerView {
    pub id: String,
    pub name: String,
    /// Unified social credit code.
    pub credit_code: String,
    /// Division code of where it is.
    pub region: String,
    pub industry: String,
    /// Always `registered`.
    pub status: String,
    /// The stream revision, also the `ETag`.
    pub revision: u64,
}

impl EmployerView {
    /// The view of `employer` at `revision`.
    pub fn new(employer: &Employer, revision: u64) -> Self {
        Self {
            id: employer.id.to_string(),
            name: employer.name.as_str().to_owned(),
            credit_code: employer.credit_code.as_str().to_owned(),
            region: employer.region.as_str().to_owned(),
            industry: employer.industry.as_str().to_owned(),
            status: "registered".to_owned(),
            revision,
        }
    }
}

/// A vacancy's state (or as of a past moment).
#[derive(Debug, Serialize, ToSchema)]
pub struct VacancyView {
    pub id: String,
    pub employer_id: String,
    pub title: String,
    pub description: String,
    pub occupation: String,
    /// The occupation's code in the national classification (职业分类大典
    /// 2022), if the employer gave one.
    pub occupation_code: Option<String>,
    /// That code's title in the classification.
    pub occupation_title: Option<String>,
    /// Division code of where the work is.
    pub region: String,
    pub salary_min_yuan: u32,
    pub salary_max_yuan: u32,
    pub headcount: u32,
    /// Minimum education.
    pub education: String,
    pub experience_years: u8,
    /// Job-seeker categories it invites.
    pub welcomes: Vec<String>,
    /// A public-welfare post (公益性岗位).
    pub public_welfare: bool,
    pub closes_at: Option<String>,
    pub published_at: String,
    /// open, filled or closed, at the moment described (now, or `as_of`
    /// when earlier): past its closing time an open vacancy is closed.
    pub status: String,
    /// Why it was closed: withdrawn, expired (its closing time passed) or
    /// filled_elsewhere.
    pub close_reason: Option<String>,
    /// Places not yet taken.
    pub open_headcount: u32,
    /// The stream revision, also the `ETag`.
    pub revision: u64,
    /// Shown to office staff only, while the employer has open
    /// wage-arrears cases (欠薪): how many, and since the day the oldest
    /// was opened, as it stands now. Absent otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub employer_arrears: Option<ArrearsMark>,
}

impl VacancyView {
    /// The view of `vacancy` at `revision`, with its status at `moment`.
    pub fn new(vacancy: &Vacancy, revision: u64, moment: DateTime<Utc>) -> Self {
        let details = &vacancy.details;
        Self {
            id: vacancy.id.to_string(),
            employer_id: vacancy.employer_id.to_string(),
            title: details.title.as_str().to_owned(),
            description: details.description.as_str().to_owned(),
            occupation: details.occupation.as_str().to_owned(),
            occupation_code: details
                .occupation_code
                .as_ref()
                .map(|code| code.as_str().to_owned()),
            occupation_title: details
                .occupation_code
                .as_ref()
                .map(|code| code.title().to_owned()),
            region: details.region.as_str().to_owned(),
            salary_min_yuan: details.salary.min_yuan(),
            salary_max_yuan: details.salary.max_yuan(),
            headcount: details.headcount.get(),
            education: details.education.as_str().to_owned(),
            experience_years: details.experience_years.get(),
            welcomes: details
                .welcomes
                .iter()
                .map(|category| category.as_str().to_owned())
                .collect(),
            public_welfare: details.public_welfare,
            closes_at: details.closes_at.map(rfc3339_millis),
            published_at: rfc3339_millis(vacancy.published_at),
            status: vacancy.status_at(moment).as_str().to_owned(),
            close_reason: vacancy
                .close_reason_at(moment)
                .map(|reason| reason.as_str().to_owned()),
            open_headcount: vacancy.open_headcount,
            revision,
            employer_arrears: None,
        }
    }
}

/// A vacancy in a list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct VacancySummary {
    pub id: String,
    pub employer_id: String,
    pub title: String,
    pub occupation: String,
    pub region: String,
    pub salary_min_yuan: u32,
    pub salary_max_yuan: u32,
    pub headcount: u32,
    pub open_headcount: u32,
    pub public_welfare: bool,
    /// open, filled or closed, now (past its closing time an open vacancy
    /// is closed).
    pub status: String,
    pub published_at: String,
    pub closes_at: Option<String>,
    /// Shown to office staff only, while the employer has open
    /// wage-arrears cases (欠薪); absent otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub employer_arrears: Option<ArrearsMark>,
}

/// A page of vacancies.
#[derive(Debug, Serialize, ToSchema)]
pub struct VacancyPage {
    pub items: Vec<VacancySummary>,
    /// Pass as `cursor` for the next page; `null` on the last.
    pub next_cursor: Option<String>,
}

/// An employer in an office's list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct EmployerSummary {
    pub id: String,
    pub name: String,
    /// Unified social credit code.
    pub credit_code: String,
    /// Division code of where it is.
    pub region: String,
    pub industry: String,
    /// When it was registered.
    pub registered_at: String,
}

/// A page of employers.
#[derive(Debug, Serialize, ToSchema)]
pub struct EmployerPage {
    pub items: Vec<EmployerSummary>,
    /// Pass as `cursor` for the next page; `null` on the last.
    pub next_cursor: Option<String>,
}
