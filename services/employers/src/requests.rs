//! Request bodies as clients send them (raw JSON values), and their
//! parsing into the domain's commands with every invalid field reported.

use std::collections::BTreeSet;

use labex_app::{Error, InputError, Validator};
use labex_domain::EmployerId;
use labex_domain::double_option;
use labex_domain::vacancy::{CloseReason, CloseVacancy, VacancyChanges, VacancyDetails};
use labex_domain::value::{
    CreditCode, Description, DivisionCode, Education, ExperienceYears, Headcount,
    JobSeekerCategory, Label, Note, OccupationCode, OrganisationName, SalaryRange, Title,
};
use serde::Deserialize;
use utoipa::ToSchema;

/// `POST /v1/employers`: an employer's registration.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegisterEmployerBody {
    /// Registered name.
    #[schema(value_type = labex_web::OrganisationNameText)]
    pub name: String,
    /// Unified social credit code (GB 32100, 18 characters).
    #[schema(value_type = labex_web::CreditCode)]
    pub credit_code: String,
    /// Where it is: a six-digit administrative division code.
    #[schema(value_type = labex_web::DivisionCode)]
    pub region: String,
    /// Its industry.
    #[schema(value_type = labex_web::LabelText)]
    pub industry: String,
}

/// An employer's registration, parsed.
#[derive(Debug, Clone)]
pub struct EmployerRegistration {
    pub name: OrganisationName,
    pub credit_code: CreditCode,
    pub region: DivisionCode,
    pub industry: Label,
}

impl RegisterEmployerBody {
    /// Parses every field; a 422 lists all that are invalid.
    pub fn parse(&self) -> Result<EmployerRegistration, Error> {
        let mut fields = Validator::new();
        let name = fields.check("name", OrganisationName::parse(&self.name));
        let credit_code = fields.check("credit_code", CreditCode::parse(&self.credit_code));
        let region = fields.check("region", DivisionCode::parse(&self.region));
        let industry = fields.check("industry", Label::parse(&self.industry));
        fields.finish(|| {
            Some(EmployerRegistration {
                name: name?,
                credit_code: credit_code?,
                region: region?,
                industry: industry?,
            })
        })
    }
}

/// `POST /v1/vacancies`: a vacancy (用工信息) to publish.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PublishVacancyBody {
    /// The hiring employer's id, a registered employer (422
    /// employer.unknown otherwise).
    #[schema(format = "uuid")]
    pub employer_id: String,
    /// Job title.
    #[schema(value_type = labex_web::TitleText)]
    pub title: String,
    /// What the work is, what it asks.
    #[schema(value_type = labex_web::DescriptionText)]
    pub description: String,
    /// The occupation.
    #[schema(value_type = labex_web::LabelText)]
    pub occupation: String,
    /// The occupation's code in the national classification (职业分类大典
    /// 2022): `6-31-01-03` (电工), or a group's (`6-31-00-00`).
    #[serde(default)]
    pub occupation_code: Option<String>,
    /// Where the work is: a six-digit administrative division code.
    #[schema(value_type = labex_web::DivisionCode)]
    pub region: String,
    /// Lowest monthly salary in yuan.
    #[schema(value_type = labex_web::SalaryYuan)]
    pub salary_min_yuan: i64,
    /// Highest monthly salary in yuan.
    #[schema(value_type = labex_web::SalaryYuan)]
    pub salary_max_yuan: i64,
    /// How many people it hires.
    #[schema(value_type = labex_web::HeadcountNumber)]
    pub headcount: i64,
    /// Minimum education: none (the default), primary, junior_secondary,
    /// senior_secondary, associate, bachelor, master, doctorate.
    #[serde(default)]
    #[schema(value_type = Option<labex_web::EducationLevel>)]
    pub education: Option<String>,
    /// Minimum years of experience (0 when absent).
    #[serde(default)]
    #[schema(value_type = Option<labex_web::ExperienceYearsNumber>)]
    pub experience_years: Option<i64>,
    /// Job-seeker categories it invites in particular.
    #[serde(default)]
    #[schema(value_type = Vec<labex_web::JobSeekerCategoryName>)]
    pub welcomes: Vec<String>,
    /// A public-welfare post (公益性岗位).
    #[serde(default)]
    pub public_welfare: bool,
    /// When applications close (RFC 3339); open until closed when absent.
    #[serde(default)]
    #[schema(format = DateTime)]
    pub closes_at: Option<String>,
}

/// A vacancy to publish, parsed.
#[derive(Debug, Clone)]
pub struct Publication {
    pub employer_id: EmployerId,
    pub details: VacancyDetails,
}

impl PublishVacancyBody {
    /// Parses every field; a 422 lists all that are invalid.
    pub fn parse(&self) -> Result<Publication, Error> {
        let mut fields = Validator::new();
        let employer_id = fields.check("employer_id", EmployerId::parse(&self.employer_id));
        let title = fields.check("title", Title::parse(&self.title));
        let description = fields.check("description", Description::parse(&self.description));
        let occupation = fields.check("occupation", Label::parse(&self.occupation));
        let occupation_code = match self.occupation_code.as_deref() {
            None => Some(None),
            Some(text) => fields
                .check("occupation_code", OccupationCode::parse(text))
                .map(Some),
        };
        let region = fields.check("region", DivisionCode::parse(&self.region));
        let salary = salary_range(&mut fields, self.salary_min_yuan, self.salary_max_yuan);
        let headcount = fields.check("headcount", Headcount::parse(self.headcount));
        let education = match self.education.as_deref() {
            None => Some(Education::None),
            Some(text) => fields.check("education", Education::parse(text)),
        };
        let experience_years = fields.check(
            "experience_years",
            ExperienceYears::parse(self.experience_years.unwrap_or(0)),
        );
        let welcomes: Option<BTreeSet<JobSeekerCategory>> =
            fields.each("welcomes", &self.welcomes, JobSeekerCategory::parse);
        let closes_at = match self.closes_at.as_deref() {
            None => Some(None),
            Some(text) => fields.instant("closes_at", text).map(Some),
        };
        fields.finish(|| {
            Some(Publication {
                employer_id: employer_id?,
                details: VacancyDetails {
                    title: title?,
                    description: description?,
                    occupation: occupation?,
                    occupation_code: occupation_code?,
                    region: region?,
                    salary: salary?,
                    headcount: headcount?,
                    education: education?,
                    experience_years: experience_years?,
                    welcomes: welcomes?,
                    public_welfare: self.public_welfare,
                    closes_at: closes_at?,
                },
            })
        })
    }
}

/// A salary amount as the domain takes it; a negative or huge number is
/// noted against its field.
fn yuan(fields: &mut Validator, field: &str, amount: i64) -> Option<u32> {
    u32::try_from(amount)
        .map_err(|_| {
            fields.fail(
                field,
                InputError::SalaryInvalid,
                "must be a whole number of yuan above 0",
            )
        })
        .ok()
}

/// The salary range of two amounts; a range error is noted against
/// `salary_min_yuan` (the field a client adjusts first).
fn salary_range(fields: &mut Validator, min_yuan: i64, max_yuan: i64) -> Option<SalaryRange> {
    let min = yuan(fields, "salary_min_yuan", min_yuan);
    let max = yuan(fields, "salary_max_yuan", max_yuan);
    let (min, max) = (min?, max?);
    fields.check("salary_min_yuan", SalaryRange::parse(min, max))
}

/// `PATCH /v1/vacancies/{id}`: only the fields present change; `null`
/// clears `closes_at`. A body that changes no field is refused (422
/// update.empty).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateVacancyBody {
    #[serde(default)]
    #[schema(value_type = Option<labex_web::TitleText>)]
    pub title: Option<String>,
    #[serde(default)]
    #[schema(value_type = Option<labex_web::DescriptionText>)]
    pub description: Option<String>,
    #[serde(default)]
    #[schema(value_type = Option<labex_web::LabelText>)]
    pub occupation: Option<String>,
    #[serde(default)]
    #[schema(value_type = Option<labex_web::DivisionCode>)]
    pub region: Option<String>,
    #[serde(default)]
    #[schema(value_type = Option<labex_web::SalaryYuan>)]
    pub salary_min_yuan: Option<i64>,
    #[serde(default)]
    #[schema(value_type = Option<labex_web::SalaryYuan>)]
    pub salary_max_yuan: Option<i64>,
    #[serde(default)]
    #[schema(value_type = Option<labex_web::HeadcountNumber>)]
    pub headcount: Option<i64>,
    #[serde(default)]
    #[schema(value_type = Option<labex_web::EducationLevel>)]
    pub education: Option<String>,
    #[serde(default)]
    #[schema(value_type = Option<labex_web::ExperienceYearsNumber>)]
    pub experience_years: Option<i64>,
    #[serde(default)]
    #[schema(value_type = Option<Vec<labex_web::JobSeekerCategoryName>>)]
    pub welcomes: Option<Vec<String>>,
    #[serde(default)]
    pub public_welfare: Option<bool>,
    /// RFC 3339; `null` keeps the vacancy open until it is closed.
    #[serde(default, with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub closes_at: Option<Option<String>>,
    /// A code of the occupational classification (职业分类大典 2022);
    /// `null` drops it.
    #[serde(default, with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub occupation_code: Option<Option<String>>,
}

/// An edit of a vacancy, parsed: every change the body names, and a
/// salary bound sent without the other, which is paired with the other
/// bound of the vacancy as it stands once it is loaded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VacancyEdit {
    /// The changes (the salary range among them when both bounds were
    /// sent).
    pub changes: VacancyChanges,
    /// One salary bound sent alone.
    pub lone_salary_bound: Option<SalaryBound>,
}

/// One bound of a salary range, in yuan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SalaryBound {
    /// `salary_min_yuan`.
    Min(u32),
    /// `salary_max_yuan`.
    Max(u32),
}

impl VacancyEdit {
    /// The changes to a vacancy whose salary range is `current`: a lone
    /// bound is paired with the other bound of `current`; a range upside
    /// down is noted against `salary_min_yuan`.
    pub fn changes_to(self, current: SalaryRange) -> Result<VacancyChanges, Error> {
        let Some(bound) = self.lone_salary_bound else {
            return Ok(self.changes);
        };
        let (min, max) = match bound {
            SalaryBound::Min(min) => (min, current.max_yuan()),
            SalaryBound::Max(max) => (current.min_yuan(), max),
        };
        let mut fields = Validator::new();
        let salary = fields.check("salary_min_yuan", SalaryRange::parse(min, max));
        fields.finish(|| {
            Some(VacancyChanges {
                salary: Some(salary?),
                ..self.changes
            })
        })
    }
}

impl UpdateVacancyBody {
    /// Parses every field present; a 422 lists all that are invalid, and
    /// a body that names no field is refused too. A salary bound sent
    /// alone is kept for [`VacancyEdit::changes_to`].
    pub fn parse(&self) -> Result<VacancyEdit, Error> {
        let mut fields = Validator::new();
        let title = self
            .title
            .as_deref()
            .map(|text| fields.check("title", Title::parse(text)));
        let description = self
            .description
            .as_deref()
            .map(|text| fields.check("description", Description::parse(text)));
        let occupation = self
            .occupation
            .as_deref()
            .map(|text| fields.check("occupation", Label::parse(text)));
        let region = self
            .region
            .as_deref()
            .map(|text| fields.check("region", DivisionCode::parse(text)));
        let occupation_code = self.occupation_code.as_ref().map(|code| match code {
            None => Some(None),
            Some(text) => fields
                .check("occupation_code", OccupationCode::parse(text))
                .map(Some),
        });
        let (salary, lone_salary_bound) =
            salary_edit(&mut fields, self.salary_min_yuan, self.salary_max_yuan);
        let headcount = self
            .headcount
            .map(|count| fields.check("headcount", Headcount::parse(count)));
        let education = self
            .education
            .as_deref()
            .map(|text| fields.check("education", Education::parse(text)));
        let experience_years = self
            .experience_years
            .map(|years| fields.check("experience_years", ExperienceYears::parse(years)));
        let welcomes = self.welcomes.as_ref().map(|items| {
            fields.each::<_, _, BTreeSet<_>>("welcomes", items, JobSeekerCategory::parse)
        });
        let closes_at = self.closes_at.as_ref().map(|closes_at| match closes_at {
            None => Some(None),
            Some(text) => fields.instant("closes_at", text).map(Some),
        });
        let edit = fields.finish(|| {
            Some(VacancyEdit {
                changes: VacancyChanges {
                    title: present(title)?,
                    description: present(description)?,
                    occupation: present(occupation)?,
                    occupation_code: present(occupation_code)?,
                    region: present(region)?,
                    salary: present(salary)?,
                    headcount: present(headcount)?,
                    education: present(education)?,
                    experience_years: present(experience_years)?,
                    welcomes: present(welcomes)?,
                    public_welfare: self.public_welfare,
                    closes_at: present(closes_at)?,
                },
                lone_salary_bound: present(lone_salary_bound)?,
            })
        })?;
        if edit.changes == VacancyChanges::default() && edit.lone_salary_bound.is_none() {
            let mut fields = Validator::new();
            fields.fail(
                "body",
                InputError::UpdateEmpty,
                "names no field to change; send at least one field",
            );
            return fields.finish(|| None);
        }
        Ok(edit)
    }
}

/// The salary fields of an edit, each absent (`None`), invalid and noted
/// (`Some(None)`) or parsed: the range when both bounds are sent, or the
/// one bound sent alone.
type SalaryFields = (Option<Option<SalaryRange>>, Option<Option<SalaryBound>>);

fn salary_edit(
    fields: &mut Validator,
    min_yuan: Option<i64>,
    max_yuan: Option<i64>,
) -> SalaryFields {
    match (min_yuan, max_yuan) {
        (None, None) => (None, None),
        (Some(min), Some(max)) => (Some(salary_range(fields, min, max)), None),
        (Some(min), None) => {
            let min = yuan(fields, "salary_min_yuan", min);
            (None, Some(min.map(SalaryBound::Min)))
        }
        (None, Some(max)) => {
            let max = yuan(fields, "salary_max_yuan", max);
            (None, Some(max.map(SalaryBound::Max)))
        }
    }
}

/// A field that is absent (`Some(None)`), parsed (`Some(Some(value))`) or
/// invalid (`None`, already noted).
fn present<T>(field: Option<Option<T>>) -> Option<Option<T>> {
    match field {
        None => Some(None),
        Some(parsed) => parsed.map(Some),
    }
}

/// `POST /v1/vacancies/{id}/close`: withdraw or close a vacancy.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CloseVacancyBody {
    /// withdrawn, expired or filled_elsewhere.
    #[schema(value_type = labex_web::CloseReasonName)]
    pub reason: String,
    /// A note.
    #[serde(default)]
    #[schema(value_type = Option<labex_web::NoteText>)]
    pub note: Option<String>,
}

impl CloseVacancyBody {
    /// Parses the reason and the note.
    pub fn parse(&self) -> Result<CloseVacancy, Error> {
        let mut fields = Validator::new();
        let reason = CloseReason::parse(self.reason.trim());
        if reason.is_none() {
            fields.fail(
                "reason",
                InputError::CloseReasonUnknown,
                "must be withdrawn, expired or filled_elsewhere",
            );
        }
        let note = match self.note.as_deref() {
            None => Some(None),
            Some(text) => fields.check("note", Note::parse(text)).map(Some),
        };
        fields.finish(|| {
            Some(CloseVacancy {
                reason: reason?,
                note: note?,
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn publish_body() -> serde_json::Value {
        json!({
            "employer_id": "0192f0a0-0000-7000-8000-000000000001",
            "title": "后端工程师",
            "description": "负责服务端开发",
            "occupation": "软件工程师",
            "region": "410105",
            "salary_min_yuan": 8000,
            "salary_max_yuan": 15000,
            "headcount": 2
        })
    }

    fn fields_of(error: Error) -> Vec<String> {
        error
            .field_errors()
            .iter()
            .map(|error| error.field.clone())
            .collect()
    }

    #[test]
    fn a_minimal_vacancy_parses_with_defaults() {
        let body: PublishVacancyBody = serde_json::from_value(publish_body()).unwrap();
        let publication = body.parse().unwrap();
        assert_eq!(publication.details.education, Education::None);
        assert_eq!(publication.details.experience_years.get(), 0);
        assert!(publication.details.welcomes.is_empty());
        assert_eq!(publication.details.closes_at, None);
    }

    #[test]
    fn every_invalid_field_of_a_vacancy_is_reported() {
        let mut value = publish_body();
        value["employer_id"] = json!("nope");
        value["region"] = json!("12");
        value["salary_min_yuan"] = json!(-5);
        value["headcount"] = json!(0);
        value["welcomes"] = json!(["graduate", "astronaut"]);
        value["closes_at"] = json!("tomorrow");
        let body: PublishVacancyBody = serde_json::from_value(value).unwrap();
        let fields = fields_of(body.parse().unwrap_err());
        assert_eq!(
            fields,
            [
                "employer_id",
                "region",
                "salary_min_yuan",
                "headcount",
                "welcomes[1]",
                "closes_at"
            ]
        );
    }

    #[test]
    fn a_salary_range_upside_down_is_refused() {
        let mut value = publish_body();
        value["salary_min_yuan"] = json!(20000);
        let body: PublishVacancyBody = serde_json::from_value(value).unwrap();
        assert_eq!(fields_of(body.parse().unwrap_err()), ["salary_min_yuan"]);
    }

    #[test]
    fn an_update_pairs_one_salary_bound_with_the_current_other() {
        let current = SalaryRange::parse(5000, 9000).unwrap();
        let body: UpdateVacancyBody =
            serde_json::from_value(json!({"salary_max_yuan": 12000})).unwrap();
        let changes = body.parse().unwrap().changes_to(current).unwrap();
        assert_eq!(
            changes.salary,
            Some(SalaryRange::parse(5000, 12000).unwrap())
        );
        let body: UpdateVacancyBody =
            serde_json::from_value(json!({"salary_max_yuan": 4000})).unwrap();
        assert_eq!(
            fields_of(body.parse().unwrap().changes_to(current).unwrap_err()),
            ["salary_min_yuan"]
        );
    }

    #[test]
    fn an_update_checks_both_salary_bounds_with_every_other_field() {
        let body: UpdateVacancyBody = serde_json::from_value(
            json!({"region": "x", "salary_min_yuan": 9000, "salary_max_yuan": 100}),
        )
        .unwrap();
        assert_eq!(
            fields_of(body.parse().unwrap_err()),
            ["region", "salary_min_yuan"]
        );
        let body: UpdateVacancyBody =
            serde_json::from_value(json!({"salary_min_yuan": -1})).unwrap();
        assert_eq!(fields_of(body.parse().unwrap_err()), ["salary_min_yuan"]);
    }

    #[test]
    fn an_update_clears_the_closing_time_with_null_and_refuses_an_empty_body() {
        let current = SalaryRange::parse(5000, 9000).unwrap();
        let body: UpdateVacancyBody = serde_json::from_value(json!({"closes_at": null})).unwrap();
        let changes = body.parse().unwrap().changes_to(current).unwrap();
        assert_eq!(changes.closes_at, Some(None));
        let body: UpdateVacancyBody = serde_json::from_value(json!({})).unwrap();
        assert_eq!(fields_of(body.parse().unwrap_err()), ["body"]);
    }

    #[test]
    fn a_close_reason_must_be_known() {
        let body: CloseVacancyBody = serde_json::from_value(json!({"reason": "bored"})).unwrap();
        assert_eq!(fields_of(body.parse().unwrap_err()), ["reason"]);
        let body: CloseVacancyBody =
            serde_json::from_value(json!({"reason": "withdrawn", "note": "招满了"})).unwrap();
        assert_eq!(body.parse().unwrap().reason, CloseReason::Withdrawn);
    }
}
