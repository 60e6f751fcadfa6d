//! Request bodies as clients send them (raw JSON values), and their
//! parsing into the domain's commands with every invalid field reported.

use std::collections::BTreeSet;

use chrono::NaiveDate;
use labex_app::{Error, InputError, Validator};
use labex_domain::EmployerId;
use labex_domain::double_option;
use labex_domain::jobseeker::{
    ErasureGround, JobSeekerProfile, PersonalData, PersonalDataChanges, ProfileChanges,
    RegisterEmployment, RegisterUnemployment, UpdateJobSeekerProfile,
};
use labex_domain::value::{
    Description, DivisionCode, Education, GraduationYear, JobSeekerCategory, Label, MobilePhone,
    Note, OccupationCode, OrganisationName, PersonName, ResidentId,
};
use serde::Deserialize;
use utoipa::ToSchema;

/// `POST /v1/jobseekers`: a registration (求职登记).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegisterBody {
    /// Full name.
    #[schema(value_type = labex_web::PersonNameText)]
    pub name: String,
    /// Resident ID number (GB 11643, 18 characters).
    #[schema(value_type = labex_web::ResidentIdNumber)]
    pub id_number: String,
    /// Mainland mobile phone.
    #[serde(default)]
    #[schema(value_type = Option<labex_web::MobilePhoneText>)]
    pub phone: Option<String>,
    /// Highest education: none, primary, junior_secondary, senior_secondary,
    /// associate, bachelor, master, doctorate.
    #[schema(value_type = labex_web::EducationLevel)]
    pub education: String,
    /// Field of study.
    #[serde(default)]
    #[schema(value_type = Option<labex_web::LabelText>)]
    pub major: Option<String>,
    /// Year of graduation.
    #[serde(default)]
    #[schema(value_type = Option<labex_web::GraduationYearNumber>)]
    pub graduation_year: Option<i64>,
    /// Categories: graduate, migrant_worker, laid_off, urban_new_labour,
    /// hardship, zero_employment_household, returning_migrant, disabled,
    /// student_loan_graduate, long_term_unemployed. zero_employment_household
    /// is kept as declared, unverified: matching puts members of
    /// zero-employment households first only as the household register says
    /// (`POST /v1/households`, verified), never by this declaration.
    #[serde(default)]
    #[schema(value_type = Vec<labex_web::JobSeekerCategoryName>)]
    pub categories: Vec<String>,
    /// Skills.
    #[serde(default)]
    #[schema(value_type = Vec<labex_web::LabelText>)]
    pub skills: Vec<String>,
    /// Occupations wished for, in the person's own words.
    #[serde(default)]
    #[schema(value_type = Vec<labex_web::LabelText>)]
    pub desired_occupations: Vec<String>,
    /// The wish (求职意向) in the national occupational classification
    /// (职业分类大典 2022): codes of occupations (`6-31-01-03`) or groups
    /// (`6-31-00-00`), most wanted first, at most 5. Matching ranks
    /// vacancies coded in the same minor group, or within a wished group,
    /// first.
    #[serde(default)]
    pub desired_occupation_codes: Vec<String>,
    /// Division codes where work is wished for.
    #[serde(default)]
    #[schema(value_type = Vec<labex_web::DivisionCode>)]
    pub desired_regions: Vec<String>,
    /// Free text about the person.
    #[serde(default)]
    #[schema(value_type = Option<labex_web::DescriptionText>)]
    pub summary: Option<String>,
    /// The registering office (division code); the caller's office when
    /// absent.
    #[serde(default)]
    #[schema(value_type = Option<labex_web::DivisionCode>)]
    pub office: Option<String>,
}

/// A registration, parsed.
#[derive(Debug)]
pub struct Registration {
    pub personal: PersonalData,
    pub profile: JobSeekerProfile,
    pub office: Option<DivisionCode>,
}

impl RegisterBody {
    /// Parses every field; a 422 lists all that are invalid.
    pub fn parse(&self) -> Result<Registration, Error> {
        let mut fields = Validator::new();
        let name = fields.check("name", PersonName::parse(&self.name));
        let id_number = fields.check("id_number", ResidentId::parse(&self.id_number));
        let phone = optional(
            &mut fields,
            "phone",
            self.phone.as_deref(),
            MobilePhone::parse,
        );
        let education = fields.check("education", Education::parse(&self.education));
        let major = optional(&mut fields, "major", self.major.as_deref(), Label::parse);
        let graduation_year = self
            .graduation_year
            .map(|year| fields.check("graduation_year", GraduationYear::parse(year)));
        let categories: Option<BTreeSet<JobSeekerCategory>> =
            fields.each("categories", &self.categories, JobSeekerCategory::parse);
        let skills: Option<Vec<Label>> = fields.each("skills", &self.skills, Label::parse);
        let desired_occupations: Option<Vec<Label>> = fields.each(
            "desired_occupations",
            &self.desired_occupations,
            Label::parse,
        );
        let desired_occupation_codes: Option<Vec<OccupationCode>> = fields.each(
            "desired_occupation_codes",
            &self.desired_occupation_codes,
            OccupationCode::parse,
        );
        let desired_regions: Option<BTreeSet<DivisionCode>> = fields.each(
            "desired_regions",
            &self.desired_regions,
            DivisionCode::parse,
        );
        let summary = optional(
            &mut fields,
            "summary",
            self.summary.as_deref(),
            Description::parse,
        );
        let office = optional(
            &mut fields,
            "office",
            self.office.as_deref(),
            DivisionCode::parse,
        );
        fields.finish(|| {
            Some(Registration {
                personal: PersonalData {
                    name: name?,
                    id_number: id_number?,
                    phone: phone?,
                },
                profile: JobSeekerProfile {
                    education: education?,
                    major: major?,
                    graduation_year: graduation_year.map_or(Some(None), |year| year.map(Some))?,
                    categories: categories?,
                    skills: skills?,
                    desired_occupations: desired_occupations?,
                    desired_occupation_codes: desired_occupation_codes?,
                    desired_regions: desired_regions?,
                    summary: summary?,
                },
                office: office?,
            })
        })
    }
}

/// `PATCH /v1/jobseekers/{id}`: only the fields present change; `null`
/// clears an optional one. A job seeker may change their own contact,
/// skills, wishes and free profile (`phone`, `skills`,
/// `desired_occupations`, `desired_occupation_codes`, `desired_regions`,
/// `summary`, `major`); who they
/// are and what they qualify for (`name`, `education`, `graduation_year`,
/// `categories`) only office staff change. A body that changes no field
/// is refused (422 update.empty).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateBody {
    /// Office staff only.
    #[serde(default)]
    #[schema(value_type = Option<labex_web::PersonNameText>)]
    pub name: Option<String>,
    #[serde(default, with = "double_option")]
    #[schema(value_type = Option<labex_web::MobilePhoneText>)]
    pub phone: Option<Option<String>>,
    /// Office staff only.
    #[serde(default)]
    #[schema(value_type = Option<labex_web::EducationLevel>)]
    pub education: Option<String>,
    #[serde(default, with = "double_option")]
    #[schema(value_type = Option<labex_web::LabelText>)]
    pub major: Option<Option<String>>,
    /// Office staff only.
    #[serde(default, with = "double_option")]
    #[schema(value_type = Option<labex_web::GraduationYearNumber>)]
    pub graduation_year: Option<Option<i64>>,
    /// Office staff only.
    #[serde(default)]
    #[schema(value_type = Option<Vec<labex_web::JobSeekerCategoryName>>)]
    pub categories: Option<Vec<String>>,
    #[serde(default)]
    #[schema(value_type = Option<Vec<labex_web::LabelText>>)]
    pub skills: Option<Vec<String>>,
    #[serde(default)]
    #[schema(value_type = Option<Vec<labex_web::LabelText>>)]
    pub desired_occupations: Option<Vec<String>>,
    /// Codes of the occupational classification (职业分类大典 2022), most
    /// wanted first, at most 5: the whole list (`[]` clears it).
    #[serde(default)]
    pub desired_occupation_codes: Option<Vec<String>>,
    #[serde(default)]
    #[schema(value_type = Option<Vec<labex_web::DivisionCode>>)]
    pub desired_regions: Option<Vec<String>>,
    #[serde(default, with = "double_option")]
    #[schema(value_type = Option<labex_web::DescriptionText>)]
    pub summary: Option<Option<String>>,
}

/// An update as read: every field the request named (a `null` names a
/// field too), for the rule of who may change which, and its changes or
/// why they are invalid. Who may send those fields is decided first, so a
/// job seeker sending a field that is not theirs learns that, whatever its
/// value.
#[derive(Debug)]
pub struct ProfileUpdate {
    pub fields: Vec<&'static str>,
    pub changes: Result<UpdateJobSeekerProfile, Error>,
}

impl UpdateBody {
    /// The fields the body names. Every field is listed here, so a field
    /// added later is named too.
    pub fn named_fields(&self) -> Vec<&'static str> {
        let Self {
            name,
            phone,
            education,
            major,
            graduation_year,
            categories,
            skills,
            desired_occupations,
            desired_occupation_codes,
            desired_regions,
            summary,
        } = self;
        [
            ("name", name.is_some()),
            ("phone", phone.is_some()),
            ("education", education.is_some()),
            ("major", major.is_some()),
            ("graduation_year", graduation_year.is_some()),
            ("categories", categories.is_some()),
            ("skills", skills.is_some()),
            ("desired_occupations", desired_occupations.is_some()),
            (
                "desired_occupation_codes",
                desired_occupation_codes.is_some(),
            ),
            ("desired_regions", desired_regions.is_some()),
            ("summary", summary.is_some()),
        ]
        .into_iter()
        .filter_map(|(field, present)| present.then_some(field))
        .collect()
    }

    /// Reads the body: the fields it names, and every field present parsed
    /// (all that are invalid are listed; a body that changes nothing is
    /// refused too).
    pub fn parse(&self) -> ProfileUpdate {
        ProfileUpdate {
            fields: self.named_fields(),
            changes: self.parse_changes(),
        }
    }

    fn parse_changes(&self) -> Result<UpdateJobSeekerProfile, Error> {
        let mut fields = Validator::new();
        let name = self
            .name
            .as_deref()
            .map(|name| fields.check("name", PersonName::parse(name)));
        let phone = clearable(&mut fields, "phone", &self.phone, MobilePhone::parse);
        let education = self
            .education
            .as_deref()
            .map(|education| fields.check("education", Education::parse(education)));
        let major = clearable(&mut fields, "major", &self.major, Label::parse);
        let graduation_year = self.graduation_year.map(|year| match year {
            None => Some(None),
            Some(year) => fields
                .check("graduation_year", GraduationYear::parse(year))
                .map(Some),
        });
        let categories = self.categories.as_ref().map(|items| {
            fields.each::<_, _, BTreeSet<_>>("categories", items, JobSeekerCategory::parse)
        });
        let skills = self
            .skills
            .as_ref()
            .map(|items| fields.each::<_, _, Vec<_>>("skills", items, Label::parse));
        let desired_occupations = self
            .desired_occupations
            .as_ref()
            .map(|items| fields.each::<_, _, Vec<_>>("desired_occupations", items, Label::parse));
        let desired_occupation_codes = self.desired_occupation_codes.as_ref().map(|items| {
            fields.each::<_, _, Vec<_>>("desired_occupation_codes", items, OccupationCode::parse)
        });
        let desired_regions = self.desired_regions.as_ref().map(|items| {
            fields.each::<_, _, BTreeSet<_>>("desired_regions", items, DivisionCode::parse)
        });
        let summary = clearable(&mut fields, "summary", &self.summary, Description::parse);
        let update = fields.finish(|| {
            Some(UpdateJobSeekerProfile {
                personal: PersonalDataChanges {
                    name: name.map_or(Some(None), |value| value.map(Some))?,
                    phone: phone?,
                },
                profile: ProfileChanges {
                    education: education.map_or(Some(None), |value| value.map(Some))?,
                    major: major?,
                    graduation_year: graduation_year.map_or(Some(None), |value| value.map(Some))?,
                    categories: categories.map_or(Some(None), |value| value.map(Some))?,
                    skills: skills.map_or(Some(None), |value| value.map(Some))?,
                    desired_occupations: desired_occupations
                        .map_or(Some(None), |value| value.map(Some))?,
                    desired_occupation_codes: desired_occupation_codes
                        .map_or(Some(None), |value| value.map(Some))?,
                    desired_regions: desired_regions.map_or(Some(None), |value| value.map(Some))?,
                    summary: summary?,
                },
            })
        })?;
        if update == UpdateJobSeekerProfile::default() {
            let mut fields = Validator::new();
            fields.fail(
                "body",
                InputError::UpdateEmpty,
                "names no field to change; send at least one field",
            );
            return fields.finish(|| None);
        }
        Ok(update)
    }
}

/// `POST /v1/jobseekers/{id}/unemployment`: unemployment registration
/// (失业登记).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UnemploymentBody {
    /// The day of registration (`YYYY-MM-DD`); today in China when absent.
    #[serde(default)]
    #[schema(format = Date)]
    pub registered_on: Option<String>,
    /// The counsellor's note.
    #[serde(default)]
    #[schema(value_type = Option<labex_web::NoteText>)]
    pub note: Option<String>,
}

impl UnemploymentBody {
    /// Parses the body, `today` filling a missing date.
    pub fn parse(&self, today: NaiveDate) -> Result<RegisterUnemployment, Error> {
        let mut fields = Validator::new();
        let registered_on = match self.registered_on.as_deref() {
            None => Some(today),
            Some(text) => fields.date("registered_on", text),
        };
        let note = optional(&mut fields, "note", self.note.as_deref(), Note::parse);
        fields.finish(|| {
            Some(RegisterUnemployment {
                registered_on: registered_on?,
                note: note?,
            })
        })
    }
}

/// `POST /v1/jobseekers/{id}/employment`: employment registration
/// (就业登记).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EmploymentBody {
    /// First day of work (`YYYY-MM-DD`).
    #[schema(format = Date)]
    pub started_on: String,
    /// The employer, when registered with Labex.
    #[serde(default)]
    #[schema(format = "uuid")]
    pub employer_id: Option<String>,
    /// The employer's name, when not.
    #[serde(default)]
    #[schema(value_type = Option<labex_web::OrganisationNameText>)]
    pub employer_name: Option<String>,
    /// The counsellor's note.
    #[serde(default)]
    #[schema(value_type = Option<labex_web::NoteText>)]
    pub note: Option<String>,
}

impl EmploymentBody {
    /// Parses the body.
    pub fn parse(&self) -> Result<RegisterEmployment, Error> {
        let mut fields = Validator::new();
        let started_on = fields.date("started_on", &self.started_on);
        let employer_id = optional(
            &mut fields,
            "employer_id",
            self.employer_id.as_deref(),
            EmployerId::parse,
        );
        let employer_name = optional(
            &mut fields,
            "employer_name",
            self.employer_name.as_deref(),
            OrganisationName::parse,
        );
        let note = optional(&mut fields, "note", self.note.as_deref(), Note::parse);
        fields.finish(|| {
            Some(RegisterEmployment {
                started_on: started_on?,
                employer_id: employer_id?,
                employer_name: employer_name?,
                note: note?,
            })
        })
    }
}

/// An optional field: `Some(None)` when absent, `Some(Some(value))` when
/// valid, `None` when invalid (the error noted).
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

/// A field of a change set that `null` clears: `Some(None)` unchanged,
/// `Some(Some(None))` cleared, `Some(Some(Some(value)))` set, `None` invalid.
#[allow(clippy::option_option)]
fn clearable<T, E>(
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
        Some(Some(text)) => fields
            .check(field, parse(text))
            .map(|value| Some(Some(value))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(json: serde_json::Value) -> RegisterBody {
        serde_json::from_value(json).unwrap()
    }

    #[test]
    fn a_full_registration_parses() {
        let registration = body(serde_json::json!({
            "name": "张伟", "id_number": "11010519491231002X", "phone": "13800138000",
            "education": "bachelor", "major": "机械工程", "graduation_year": 2026,
            "categories": ["graduate"], "skills": ["焊接", "CAD"],
            "desired_occupations": ["机械设计"], "desired_regions": ["410100"],
            "summary": "应届毕业生", "office": "410105"
        }))
        .parse()
        .unwrap();
        assert_eq!(
            registration.personal.id_number.masked(),
            "110105********002X"
        );
        assert_eq!(registration.profile.skills.len(), 2);
        assert_eq!(registration.office.unwrap().as_str(), "410105");
    }

    #[test]
    fn every_invalid_field_is_listed() {
        let error = body(serde_json::json!({
            "name": "", "id_number": "110105194912310021", "phone": "12345",
            "education": "phd", "categories": ["graduate", "astronaut"],
            "desired_regions": ["999999"], "office": "41"
        }))
        .parse()
        .unwrap_err();
        let fields: Vec<_> = error
            .field_errors()
            .iter()
            .map(|error| error.field.clone())
            .collect();
        assert_eq!(
            fields,
            [
                "name",
                "id_number",
                "phone",
                "education",
                "categories[1]",
                "desired_regions[0]",
                "office"
            ]
        );
    }

    #[test]
    fn occupation_codes_are_checked_against_the_classification_each_by_its_index() {
        let error = body(serde_json::json!({
            "name": "张伟", "id_number": "11010519491231002X", "education": "bachelor",
            "desired_occupation_codes": ["6-31-01-03", "6-31-01-99", "6-31", "6-31-00-00"]
        }))
        .parse()
        .unwrap_err();
        let errors: Vec<(String, &str)> = error
            .field_errors()
            .iter()
            .map(|error| (error.field.clone(), error.code))
            .collect();
        assert_eq!(
            errors,
            [
                (
                    "desired_occupation_codes[1]".to_owned(),
                    "occupation_code.unknown"
                ),
                (
                    "desired_occupation_codes[2]".to_owned(),
                    "occupation_code.form"
                ),
            ]
        );
        let update: UpdateBody = serde_json::from_value(serde_json::json!({
            "desired_occupation_codes": ["6-18-02-04", "9-99-99-99"]
        }))
        .unwrap();
        let parsed = update.parse();
        assert_eq!(parsed.fields, ["desired_occupation_codes"]);
        let Err(Error::Invalid(errors)) = parsed.changes else {
            panic!("an unknown code is invalid");
        };
        assert_eq!(errors[0].field, "desired_occupation_codes[1]");
        assert_eq!(errors[0].code, "occupation_code.unknown");
    }

    #[test]
    fn an_update_distinguishes_absent_null_and_values() {
        let update: UpdateBody =
            serde_json::from_value(serde_json::json!({"phone": null, "skills": ["电工"]})).unwrap();
        let parsed = update.parse();
        assert_eq!(parsed.fields, ["phone", "skills"]);
        let changes = parsed.changes.unwrap();
        assert_eq!(changes.personal.phone, Some(None));
        assert_eq!(changes.personal.name, None);
        assert_eq!(changes.profile.skills.unwrap().len(), 1);
        let Err(Error::Invalid(errors)) = UpdateBody::default().parse().changes else {
            panic!("an empty update is invalid");
        };
        assert_eq!(errors[0].code, "update.empty");
    }

    fn staff_only(update: &UpdateBody) -> Vec<&'static str> {
        update
            .named_fields()
            .into_iter()
            .filter(|field| crate::commands::STAFF_ONLY_FIELDS.contains(field))
            .collect()
    }

    #[test]
    fn identity_and_eligibility_fields_are_staff_only_even_when_null() {
        let update: UpdateBody = serde_json::from_value(serde_json::json!({
            "phone": null, "skills": ["电工"], "desired_occupations": [], "desired_regions": [],
            "desired_occupation_codes": ["6-31-01-03"], "summary": "x", "major": null
        }))
        .unwrap();
        assert!(staff_only(&update).is_empty());
        let update: UpdateBody = serde_json::from_value(serde_json::json!({
            "categories": ["hardship"], "graduation_year": null, "skills": ["电工"],
            "education": "master", "name": "王强"
        }))
        .unwrap();
        assert_eq!(
            staff_only(&update),
            ["name", "education", "graduation_year", "categories"]
        );
    }

    #[test]
    fn employment_needs_a_real_date() {
        let body: EmploymentBody =
            serde_json::from_value(serde_json::json!({"started_on": "2026-02-30"})).unwrap();
        assert_eq!(
            body.parse().unwrap_err().field_errors()[0].field,
            "started_on"
        );
        let today = NaiveDate::from_ymd_opt(2026, 11, 28).unwrap();
        let unemployment = UnemploymentBody::default().parse(today).unwrap();
        assert_eq!(unemployment.registered_on, today);
    }
}

/// `POST /v1/jobseekers/{id}/erasure`: erase a job seeker's personal data.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ErasureBody {
    /// The ground (Personal Information Protection Law, art. 47):
    /// purpose_fulfilled, retention_ended, consent_withdrawn,
    /// unlawful_processing or other_legal_ground.
    #[schema(value_type = labex_web::ErasureGroundName)]
    pub ground: String,
}

impl ErasureBody {
    /// The ground, or a 422 naming the field.
    pub fn parse(&self) -> Result<ErasureGround, Error> {
        let mut fields = Validator::new();
        let ground = ErasureGround::parse(self.ground.trim());
        if ground.is_none() {
            fields.fail(
                "ground",
                InputError::ErasureGroundUnknown,
                "ground must be one of purpose_fulfilled, retention_ended, consent_withdrawn, unlawful_processing, other_legal_ground.",
            );
        }
        fields.finish(|| ground)
    }
}

/// `POST /v1/jobseekers/{id}/returns`: a migrant worker's return home
/// (返乡).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReturnBody {
    /// Where they worked: a six-digit division code.
    #[schema(value_type = labex_web::DivisionCode)]
    pub from_region: String,
    /// The day they came back (`YYYY-MM-DD`); today in China when absent.
    #[serde(default)]
    #[schema(format = Date)]
    pub returned_on: Option<String>,
    /// `local_work`, `start_business`, `leave_again` or `undecided`.
    #[schema(value_type = labex_web::ReturnIntentionName)]
    pub intention: String,
}

impl ReturnBody {
    /// Parses the body, `today` filling a missing date.
    pub fn parse(&self, today: NaiveDate) -> Result<labex_domain::jobseeker::RecordReturn, Error> {
        let mut fields = Validator::new();
        let from_region = fields.check("from_region", DivisionCode::parse(&self.from_region));
        let returned_on = match self.returned_on.as_deref() {
            None => Some(today),
            Some(text) => fields.date("returned_on", text),
        };
        let intention = fields.check(
            "intention",
            labex_domain::jobseeker::ReturnIntention::parse(&self.intention),
        );
        fields.finish(|| {
            Some(labex_domain::jobseeker::RecordReturn {
                from_region: from_region?,
                returned_on: returned_on?,
                intention: intention?,
            })
        })
    }
}

/// The most people one request of
/// `POST /v1/layoff-plans/{id}/outcome/registrations` carries: a bound on
/// the request, not a rule of the offices (a larger layoff is sent in
/// several requests, each all or nothing).
pub const MAX_PEOPLE_PER_REQUEST: usize = 1000;

/// One person laid off, as `POST /v1/layoff-plans/{id}/outcome/registrations`
/// lists them: what registering them as a job seeker (求职登记) and as
/// unemployed (失业登记) takes. A person already registered as a job seeker
/// is found by the ID number; the other fields then change nothing.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LaidOffPersonBody {
    /// Resident ID number (居民身份证号, GB 11643, 18 characters with its
    /// check character).
    #[schema(value_type = labex_web::ResidentIdNumber)]
    pub id_number: String,
    /// Full name (姓名).
    #[schema(value_type = labex_web::PersonNameText)]
    pub name: String,
    /// Mainland mobile phone.
    #[serde(default)]
    #[schema(value_type = Option<labex_web::MobilePhoneText>)]
    pub phone: Option<String>,
    /// Highest education: none, primary, junior_secondary, senior_secondary,
    /// associate, bachelor, master, doctorate.
    #[schema(value_type = labex_web::EducationLevel)]
    pub education: String,
    /// The counsellor's note on the unemployment registration.
    #[serde(default)]
    #[schema(value_type = Option<labex_web::NoteText>)]
    pub note: Option<String>,
}

/// `POST /v1/layoff-plans/{id}/outcome/registrations`: the people a
/// concluded layoff plan laid off, to be registered as unemployed
/// (失业登记) in one step, all or none.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LayoffRegistrationsBody {
    /// The office that registers them (division code); the plan's region
    /// (the enterprise's) when absent.
    #[serde(default)]
    #[schema(value_type = Option<labex_web::DivisionCode>)]
    pub office: Option<String>,
    /// The people, 1 to 1000.
    pub people: Vec<LaidOffPersonBody>,
}

/// One person laid off, parsed.
#[derive(Debug, Clone)]
pub struct LaidOffPerson {
    /// Name, ID number, phone.
    pub personal: PersonalData,
    /// Highest education.
    pub education: Education,
    /// The note on the unemployment registration.
    pub note: Option<Note>,
}

/// The registrations of people laid off, parsed.
#[derive(Debug, Clone)]
pub struct LayoffRegistrations {
    /// The registering office, when given.
    pub office: Option<DivisionCode>,
    /// The people, in the order sent.
    pub people: Vec<LaidOffPerson>,
}

impl LayoffRegistrationsBody {
    /// Parses every line; a 422 lists every invalid field of every line
    /// (`people[3].id_number`), and a person named twice.
    pub fn parse(&self) -> Result<LayoffRegistrations, Error> {
        let mut fields = Validator::new();
        let office = optional(
            &mut fields,
            "office",
            self.office.as_deref(),
            DivisionCode::parse,
        );
        if self.people.is_empty() || self.people.len() > MAX_PEOPLE_PER_REQUEST {
            fields.fail(
                "people",
                InputError::ListTooLong,
                &format!(
                    "must list 1 to {MAX_PEOPLE_PER_REQUEST} people; send a larger layoff in several requests"
                ),
            );
        }
        let mut first_line_of = std::collections::BTreeMap::new();
        let mut people = Vec::with_capacity(self.people.len());
        for (index, line) in self.people.iter().enumerate() {
            let field = |name: &str| format!("people[{index}].{name}");
            let id_number = fields.check(&field("id_number"), ResidentId::parse(&line.id_number));
            let name = fields.check(&field("name"), PersonName::parse(&line.name));
            let phone = optional(
                &mut fields,
                &field("phone"),
                line.phone.as_deref(),
                MobilePhone::parse,
            );
            let education = fields.check(&field("education"), Education::parse(&line.education));
            let note = optional(
                &mut fields,
                &field("note"),
                line.note.as_deref(),
                Note::parse,
            );
            if let Some(id_number) = &id_number
                && let Some(first) = first_line_of.insert(id_number.clone(), index)
            {
                first_line_of.insert(id_number.clone(), first);
                fields.push(labex_app::FieldError::with_sentence(
                    &field("id_number"),
                    InputError::PersonRepeated,
                    format!(
                        "people[{index}] repeats the ID number of people[{first}]; list each person once."
                    ),
                ));
            }
            if let (Some(id_number), Some(name), Some(phone), Some(education), Some(note)) =
                (id_number, name, phone, education, note)
            {
                people.push(LaidOffPerson {
                    personal: PersonalData {
                        name,
                        id_number,
                        phone,
                    },
                    education,
                    note,
                });
            }
        }
        fields.finish(|| {
            Some(LayoffRegistrations {
                office: office?,
                people,
            })
        })
    }
}
