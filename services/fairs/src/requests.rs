//! Request bodies as clients send them (raw JSON values), and their
//! parsing into ids, value objects and commands' parts, with every invalid
//! field reported at once.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use labex_app::{Error, InputError, Validator};
use labex_domain::fair::{Capacity, FairDetails, FairKind, WebLink};
use labex_domain::value::{DivisionCode, JobSeekerCategory, Label, Note, Title};
use labex_domain::{EmployerId, JobSeekerId, VacancyId, double_option};
use labex_employers::{Publication, PublishVacancyBody};
use serde::Deserialize;
use utoipa::ToSchema;

labex_web::value_schema!(
    /// The places of a fair.
    pub FairCapacity,
    labex_web::whole_number(
        "How many visitors the fair has places for.",
        1,
        labex_domain::fair::Capacity::MAX.into(),
    )
);

/// `POST /v1/fairs`: announce a job fair (招聘会).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScheduleFairBody {
    /// The title (2026届高校毕业生专场招聘会).
    #[schema(value_type = labex_web::TitleText)]
    pub title: String,
    /// `onsite` (专场招聘会, at a venue) or `online` (网上招聘会, at a link).
    #[schema(value_type = labex_web::FairKindName)]
    pub kind: String,
    /// The job-seeker categories it is for (graduate, migrant_worker,
    /// laid_off, …); none: everyone.
    #[serde(default)]
    #[schema(value_type = Vec<labex_web::JobSeekerCategoryName>)]
    pub audience: Vec<String>,
    /// Where: a six-digit administrative division code.
    #[schema(value_type = labex_web::DivisionCode)]
    pub region: String,
    /// The venue (required on site).
    #[serde(default)]
    #[schema(value_type = Option<labex_web::TitleText>)]
    pub venue: Option<String>,
    /// The address of an online fair (required online), `https://…`.
    #[serde(default)]
    pub link: Option<String>,
    /// When it opens (RFC 3339).
    #[schema(format = DateTime)]
    pub starts_at: String,
    /// When it closes (RFC 3339), after it opens (422
    /// fair_ends_before_start otherwise).
    #[schema(format = DateTime)]
    pub ends_at: String,
    /// How many visitors it takes; later registrations wait for a place.
    #[schema(value_type = FairCapacity)]
    pub capacity: i64,
    /// The campaign it belongs to (高校毕业生就业服务月, 服务周).
    #[serde(default)]
    #[schema(value_type = Option<labex_web::LabelText>)]
    pub campaign: Option<String>,
}

impl ScheduleFairBody {
    /// Parses every field; a 422 lists all that are invalid.
    pub fn parse(&self) -> Result<FairDetails, Error> {
        let mut fields = Validator::new();
        let title = fields.check("title", Title::parse(&self.title));
        let kind = fields.check("kind", FairKind::parse(&self.kind));
        let audience = audience(&mut fields, &self.audience);
        let region = fields.check("region", DivisionCode::parse(&self.region));
        let venue = optional(&mut fields, "venue", self.venue.as_deref(), Title::parse);
        let link = optional(&mut fields, "link", self.link.as_deref(), WebLink::parse);
        let starts_at = fields.instant("starts_at", &self.starts_at);
        let ends_at = fields.instant("ends_at", &self.ends_at);
        let capacity = fields.check("capacity", Capacity::parse(self.capacity));
        let campaign = optional(
            &mut fields,
            "campaign",
            self.campaign.as_deref(),
            Label::parse,
        );
        fields.finish(|| {
            Some(FairDetails {
                title: title?,
                kind: kind?,
                audience: audience?,
                region: region?,
                venue: venue?,
                link: link?,
                starts_at: starts_at?,
                ends_at: ends_at?,
                capacity: capacity?,
                campaign: campaign?,
            })
        })
    }
}

fn audience(fields: &mut Validator, items: &[String]) -> Option<BTreeSet<JobSeekerCategory>> {
    fields.each("audience", items, JobSeekerCategory::parse)
}

/// An optional field: `Some(None)` when absent, `None` when invalid.
fn optional<T, E>(
    fields: &mut Validator,
    field: &str,
    text: Option<&str>,
    parse: impl Fn(&str) -> Result<T, E>,
) -> Option<Option<T>>
where
    E: labex_domain::Coded + std::fmt::Display,
{
    match text {
        None => Some(None),
        Some(text) => fields.check(field, parse(text)).map(Some),
    }
}

/// `PATCH /v1/fairs/{id}`: only the fields present change; `null` clears
/// `venue`, `link` and `campaign`. A body that changes no field is refused
/// (422 update.empty).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AmendFairBody {
    #[serde(default)]
    #[schema(value_type = Option<labex_web::TitleText>)]
    pub title: Option<String>,
    #[serde(default)]
    #[schema(value_type = Option<labex_web::FairKindName>)]
    pub kind: Option<String>,
    #[serde(default)]
    #[schema(value_type = Option<Vec<labex_web::JobSeekerCategoryName>>)]
    pub audience: Option<Vec<String>>,
    #[serde(default)]
    #[schema(value_type = Option<labex_web::DivisionCode>)]
    pub region: Option<String>,
    #[serde(default, with = "double_option")]
    #[schema(value_type = Option<labex_web::TitleText>)]
    pub venue: Option<Option<String>>,
    #[serde(default, with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub link: Option<Option<String>>,
    #[serde(default)]
    #[schema(format = DateTime)]
    pub starts_at: Option<String>,
    #[serde(default)]
    #[schema(format = DateTime)]
    pub ends_at: Option<String>,
    #[serde(default)]
    #[schema(value_type = Option<FairCapacity>)]
    pub capacity: Option<i64>,
    #[serde(default, with = "double_option")]
    #[schema(value_type = Option<labex_web::LabelText>)]
    pub campaign: Option<Option<String>>,
}

/// An amendment, parsed: what changes.
#[derive(Debug, Clone, Default)]
pub struct FairEdit {
    title: Option<Title>,
    kind: Option<FairKind>,
    audience: Option<BTreeSet<JobSeekerCategory>>,
    region: Option<DivisionCode>,
    venue: Option<Option<Title>>,
    link: Option<Option<WebLink>>,
    starts_at: Option<DateTime<Utc>>,
    ends_at: Option<DateTime<Utc>>,
    capacity: Option<Capacity>,
    campaign: Option<Option<Label>>,
}

impl FairEdit {
    /// The details after the edit.
    pub fn apply_to(self, current: &FairDetails) -> FairDetails {
        let current = current.clone();
        FairDetails {
            title: self.title.unwrap_or(current.title),
            kind: self.kind.unwrap_or(current.kind),
            audience: self.audience.unwrap_or(current.audience),
            region: self.region.unwrap_or(current.region),
            venue: self.venue.unwrap_or(current.venue),
            link: self.link.unwrap_or(current.link),
            starts_at: self.starts_at.unwrap_or(current.starts_at),
            ends_at: self.ends_at.unwrap_or(current.ends_at),
            capacity: self.capacity.unwrap_or(current.capacity),
            campaign: self.campaign.unwrap_or(current.campaign),
        }
    }
}

/// A changed nullable field: absent, cleared, or set (when valid).
fn nullable<T, E>(
    fields: &mut Validator,
    field: &str,
    value: &Option<Option<String>>,
    parse: impl Fn(&str) -> Result<T, E>,
) -> Option<Option<Option<T>>>
where
    E: labex_domain::Coded + std::fmt::Display,
{
    match value {
        None => Some(None),
        Some(None) => Some(Some(None)),
        Some(Some(text)) => fields.check(field, parse(text)).map(|v| Some(Some(v))),
    }
}

impl AmendFairBody {
    /// Parses every field present; a 422 lists all that are invalid, and
    /// an amendment that names no field.
    pub fn parse(&self) -> Result<FairEdit, Error> {
        let mut fields = Validator::new();
        let mut edit = FairEdit::default();
        if let Some(title) = &self.title {
            edit.title = fields.check("title", Title::parse(title));
        }
        if let Some(kind) = &self.kind {
            edit.kind = fields.check("kind", FairKind::parse(kind));
        }
        if let Some(items) = &self.audience {
            edit.audience = audience(&mut fields, items);
        }
        if let Some(region) = &self.region {
            edit.region = fields.check("region", DivisionCode::parse(region));
        }
        let venue = nullable(&mut fields, "venue", &self.venue, Title::parse);
        let link = nullable(&mut fields, "link", &self.link, WebLink::parse);
        let campaign = nullable(&mut fields, "campaign", &self.campaign, Label::parse);
        if let Some(starts_at) = &self.starts_at {
            edit.starts_at = fields.instant("starts_at", starts_at);
        }
        if let Some(ends_at) = &self.ends_at {
            edit.ends_at = fields.instant("ends_at", ends_at);
        }
        if let Some(capacity) = self.capacity {
            edit.capacity = fields.check("capacity", Capacity::parse(capacity));
        }
        let empty = self.title.is_none()
            && self.kind.is_none()
            && self.audience.is_none()
            && self.region.is_none()
            && self.venue.is_none()
            && self.link.is_none()
            && self.starts_at.is_none()
            && self.ends_at.is_none()
            && self.capacity.is_none()
            && self.campaign.is_none();
        if empty {
            fields.fail(
                "body",
                InputError::UpdateEmpty,
                "names no field to change; send at least one",
            );
        }
        fields.finish(|| {
            edit.venue = venue?;
            edit.link = link?;
            edit.campaign = campaign?;
            Some(edit)
        })
    }
}

/// `POST /v1/fairs/{id}/cancellation`: call the fair off.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CancelFairBody {
    /// Why, for the visitors and exhibitors.
    #[serde(default)]
    #[schema(value_type = Option<labex_web::NoteText>)]
    pub reason: Option<String>,
}

impl CancelFairBody {
    /// The reason, checked.
    pub fn parse(&self) -> Result<Option<Note>, Error> {
        let mut fields = Validator::new();
        let reason = optional(&mut fields, "reason", self.reason.as_deref(), Note::parse);
        fields.finish(|| reason)
    }
}

/// `POST /v1/fairs/{id}/exhibitors`: an employer takes a stand with its
/// open vacancies, new vacancies an office publishes for it, or both; at
/// least one of `vacancy_ids` and `new_vacancies` names one (422
/// body.missing_field otherwise).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExhibitBody {
    /// The exhibitor.
    #[schema(format = "uuid")]
    pub employer_id: String,
    /// Its open vacancies it brings.
    #[serde(default)]
    pub vacancy_ids: Vec<String>,
    /// New vacancies to publish for it (用工信息 an office collected), as
    /// `POST /v1/vacancies` takes them; each names the same employer.
    #[serde(default)]
    pub new_vacancies: Vec<PublishVacancyBody>,
}

/// An exhibitor's request, parsed.
#[derive(Debug, Clone)]
pub struct Exhibition {
    pub employer_id: EmployerId,
    pub vacancy_ids: Vec<VacancyId>,
    pub new_vacancies: Vec<Publication>,
}

impl ExhibitBody {
    /// Parses every field; a 422 lists all that are invalid (each new
    /// vacancy's fields named under `new_vacancies[i]`).
    pub fn parse(&self) -> Result<Exhibition, Error> {
        let mut fields = Validator::new();
        let employer_id = fields.check("employer_id", EmployerId::parse(&self.employer_id));
        let vacancy_ids: Option<Vec<VacancyId>> =
            fields.each("vacancy_ids", &self.vacancy_ids, VacancyId::parse);
        let mut new_vacancies = Vec::with_capacity(self.new_vacancies.len());
        for (index, body) in self.new_vacancies.iter().enumerate() {
            match body.parse() {
                Ok(publication) => {
                    if employer_id.is_some_and(|id| id != publication.employer_id) {
                        fields.fail(
                            &format!("new_vacancies[{index}].employer_id"),
                            InputError::EmployerUnknown,
                            "must name the exhibitor, the employer_id of the request",
                        );
                    }
                    new_vacancies.push(publication);
                }
                Err(Error::Invalid(errors)) => {
                    for mut error in errors {
                        error.field = format!("new_vacancies[{index}].{}", error.field);
                        fields.push(error);
                    }
                }
                Err(other) => return Err(other),
            }
        }
        if self.vacancy_ids.is_empty() && self.new_vacancies.is_empty() {
            fields.fail(
                "vacancy_ids",
                InputError::MissingField,
                "must list at least one vacancy, or new_vacancies one to publish",
            );
        }
        fields.finish(|| {
            Some(Exhibition {
                employer_id: employer_id?,
                vacancy_ids: vacancy_ids?,
                new_vacancies,
            })
        })
    }
}

/// `POST /v1/fairs/{id}/registrations`: a job seeker registers to visit.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegisterVisitorBody {
    /// Who.
    #[schema(format = "uuid")]
    pub jobseeker_id: String,
}

impl RegisterVisitorBody {
    /// The job seeker's id, checked.
    pub fn parse(&self) -> Result<JobSeekerId, Error> {
        let mut fields = Validator::new();
        let id = fields.check("jobseeker_id", JobSeekerId::parse(&self.jobseeker_id));
        fields.finish(|| id)
    }
}

/// `POST /v1/fairs/{id}/attendance`: a visitor at the door (check-in), or
/// at an exhibitor's stand (`employer_id`).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AttendanceBody {
    /// Who.
    #[schema(format = "uuid")]
    pub jobseeker_id: String,
    /// Whose stand; absent: the door of an on-site fair.
    #[serde(default)]
    #[schema(format = "uuid")]
    pub employer_id: Option<String>,
}

/// Attendance, parsed.
#[derive(Debug, Clone, Copy)]
pub struct Attendance {
    pub jobseeker_id: JobSeekerId,
    pub stand: Option<EmployerId>,
}

impl AttendanceBody {
    /// Parses every field; a 422 lists all that are invalid.
    pub fn parse(&self) -> Result<Attendance, Error> {
        let mut fields = Validator::new();
        let jobseeker_id = fields.check("jobseeker_id", JobSeekerId::parse(&self.jobseeker_id));
        let stand = optional(
            &mut fields,
            "employer_id",
            self.employer_id.as_deref(),
            EmployerId::parse,
        );
        fields.finish(|| {
            Some(Attendance {
                jobseeker_id: jobseeker_id?,
                stand: stand?,
            })
        })
    }
}
