//! Request bodies as clients send them (raw JSON values), and their
//! parsing into commands with every invalid field reported at once.

use std::collections::BTreeSet;

use chrono::NaiveDate;
use labex_app::{Error, Validator};
use labex_domain::course::{
    CertificateLevel, CommittedHires, CourseDetails, CourseHours, CourseKind, OrderCommitment,
    Seats,
};
use labex_domain::provider::ProviderId;
use labex_domain::value::{
    CreditCode, Description, DivisionCode, Fen, JobSeekerCategory, Label, OccupationCode,
    OrganisationName, Title,
};
use labex_domain::{EmployerId, JobSeekerId};
use serde::Deserialize;
use utoipa::ToSchema;

labex_web::value_schema!(
    /// The hours of a course.
    pub CourseHoursNumber,
    labex_web::whole_number("Hours of teaching.", CourseHours::MIN.into(), CourseHours::MAX.into())
);

labex_web::value_schema!(
    /// The seats of a course.
    pub SeatsNumber,
    labex_web::whole_number("Seats.", Seats::MIN.into(), Seats::MAX.into())
);

labex_web::value_schema!(
    /// The hires an employer commits to.
    pub CommittedHiresNumber,
    labex_web::whole_number(
        "Hires the employer commits to.",
        CommittedHires::MIN.into(),
        CommittedHires::MAX.into(),
    )
);

/// `POST /v1/training/providers`: a training provider (培训机构) to register.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegisterProviderBody {
    /// Registered name.
    #[schema(value_type = labex_web::OrganisationNameText)]
    pub name: String,
    /// Unified social credit code (GB 32100).
    #[schema(value_type = labex_web::CreditCode)]
    pub credit_code: String,
    /// The registering office; the caller's when absent.
    #[serde(default)]
    #[schema(value_type = Option<labex_web::DivisionCode>)]
    pub office: Option<String>,
}

/// A provider's registration, parsed.
#[derive(Debug, Clone)]
pub struct ProviderRegistration {
    pub name: OrganisationName,
    pub credit_code: CreditCode,
    pub office: Option<DivisionCode>,
}

impl RegisterProviderBody {
    /// Parses every field; a 422 lists all that are invalid.
    pub fn parse(&self) -> Result<ProviderRegistration, Error> {
        let mut fields = Validator::new();
        let name = fields.check("name", OrganisationName::parse(&self.name));
        let credit_code = fields.check("credit_code", CreditCode::parse(&self.credit_code));
        let office = match self.office.as_deref() {
            None => Some(None),
            Some(text) => fields.check("office", DivisionCode::parse(text)).map(Some),
        };
        fields.finish(|| {
            Some(ProviderRegistration {
                name: name?,
                credit_code: credit_code?,
                office: office?,
            })
        })
    }
}

/// The employer and hires of an order-based course (订单式培训).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrderBody {
    /// The employer the course trains for, a registered one (422
    /// employer.unknown otherwise).
    #[schema(format = "uuid")]
    pub employer_id: String,
    /// How many trainees it commits to hire.
    #[schema(value_type = CommittedHiresNumber)]
    pub committed_hires: i64,
}

/// `POST /v1/courses`: a course to open.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OpenCourseBody {
    /// The provider giving it, a registered one (422 provider.unknown
    /// otherwise).
    #[schema(format = "uuid")]
    pub provider_id: String,
    /// Title.
    #[schema(value_type = labex_web::TitleText)]
    pub title: String,
    /// employment, re_employment, on_the_job, order_based or entrepreneurship.
    #[schema(value_type = labex_web::CourseKindName)]
    pub kind: String,
    /// The occupation trained for: its code in the occupational
    /// classification where there is one.
    #[serde(default)]
    pub occupation: Option<String>,
    /// What it teaches.
    #[serde(default)]
    #[schema(value_type = Option<labex_web::DescriptionText>)]
    pub description: Option<String>,
    /// Hours of teaching (课时).
    #[schema(value_type = CourseHoursNumber)]
    pub hours: i64,
    /// Seats.
    #[schema(value_type = SeatsNumber)]
    pub seats: i64,
    /// First day, `YYYY-MM-DD`.
    #[schema(format = Date)]
    pub starts_on: String,
    /// Last day, `YYYY-MM-DD`.
    #[schema(format = Date)]
    pub ends_on: String,
    /// Where it is given: a six-digit division code.
    #[schema(value_type = labex_web::DivisionCode)]
    pub region: String,
    /// Training subsidy per trainee, in fen.
    #[serde(default)]
    #[schema(value_type = labex_web::AmountFen)]
    pub subsidy_per_trainee_fen: i64,
    /// The job-seeker categories it is for; empty: anyone.
    #[serde(default)]
    #[schema(value_type = Vec<labex_web::JobSeekerCategoryName>)]
    pub eligible_categories: Vec<String>,
    /// For an order-based course: the employer and its committed hires.
    #[serde(default)]
    pub order: Option<OrderBody>,
}

/// A course to open, parsed.
#[derive(Debug, Clone)]
pub struct CourseOpening {
    pub provider_id: ProviderId,
    pub details: CourseDetails,
}

impl OpenCourseBody {
    /// Parses every field; a 422 lists all that are invalid.
    pub fn parse(&self) -> Result<CourseOpening, Error> {
        let mut fields = Validator::new();
        let provider_id = fields.check("provider_id", ProviderId::parse(&self.provider_id));
        let title = fields.check("title", Title::parse(&self.title));
        let kind = fields.check("kind", CourseKind::parse(&self.kind));
        // A code where the classification has one (checked against it), a
        // name otherwise.
        let occupation = match self.occupation.as_deref() {
            None => Some(None),
            Some(text) if looks_like_a_code(text) => fields
                .check("occupation", OccupationCode::parse(text))
                .and_then(|code| fields.check("occupation", Label::parse(code.as_str())))
                .map(Some),
            Some(text) => fields.check("occupation", Label::parse(text)).map(Some),
        };
        let description = match self.description.as_deref() {
            None => Some(None),
            Some(text) => fields
                .check("description", Description::parse(text))
                .map(Some),
        };
        let hours = fields.check("hours", CourseHours::parse(self.hours));
        let seats = fields.check("seats", Seats::parse(self.seats));
        let starts_on = fields.date("starts_on", &self.starts_on);
        let ends_on = fields.date("ends_on", &self.ends_on);
        let region = fields.check("region", DivisionCode::parse(&self.region));
        let subsidy = fields.check(
            "subsidy_per_trainee_fen",
            Fen::parse(self.subsidy_per_trainee_fen),
        );
        let eligible: Option<BTreeSet<JobSeekerCategory>> = fields.each(
            "eligible_categories",
            &self.eligible_categories,
            JobSeekerCategory::parse,
        );
        let order = match &self.order {
            None => Some(None),
            Some(order) => {
                let employer_id =
                    fields.check("order.employer_id", EmployerId::parse(&order.employer_id));
                let hires = fields.check(
                    "order.committed_hires",
                    CommittedHires::parse(order.committed_hires),
                );
                employer_id
                    .zip(hires)
                    .map(|(employer_id, committed_hires)| {
                        Some(OrderCommitment {
                            employer_id,
                            committed_hires,
                        })
                    })
            }
        };
        fields.finish(|| {
            Some(CourseOpening {
                provider_id: provider_id?,
                details: CourseDetails {
                    title: title?,
                    kind: kind?,
                    occupation: occupation?,
                    description: description?,
                    hours: hours?,
                    seats: seats?,
                    starts_on: starts_on?,
                    ends_on: ends_on?,
                    region: region?,
                    subsidy_per_trainee_fen: subsidy?,
                    eligible_categories: eligible?,
                    order: order?,
                },
            })
        })
    }
}

/// `POST /v1/courses/{id}/enrolments`: enrol a job seeker.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EnrolBody {
    /// The job seeker.
    #[schema(format = "uuid")]
    pub jobseeker_id: String,
}

impl EnrolBody {
    /// The job seeker's id, or a 422.
    pub fn parse(&self) -> Result<JobSeekerId, Error> {
        let mut fields = Validator::new();
        let id = fields.check("jobseeker_id", JobSeekerId::parse(&self.jobseeker_id));
        fields.finish(|| id)
    }
}

/// `POST /v1/enrolments/{id}/completion`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CompletionBody {
    /// The day, `YYYY-MM-DD`.
    #[schema(format = Date)]
    pub completed_on: String,
}

impl CompletionBody {
    /// The day, or a 422.
    pub fn parse(&self) -> Result<NaiveDate, Error> {
        let mut fields = Validator::new();
        let day = fields.date("completed_on", &self.completed_on);
        fields.finish(|| day)
    }
}

/// `POST /v1/enrolments/{id}/drop-out`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DropOutBody {
    /// The day the trainee left, `YYYY-MM-DD`.
    #[schema(format = Date)]
    pub left_on: String,
}

impl DropOutBody {
    /// The day, or a 422.
    pub fn parse(&self) -> Result<NaiveDate, Error> {
        let mut fields = Validator::new();
        let day = fields.date("left_on", &self.left_on);
        fields.finish(|| day)
    }
}

/// `POST /v1/enrolments/{id}/appraisal`: a skill appraisal's result
/// (职业技能鉴定).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AppraisalBody {
    /// level_5 (五级/初级工), level_4 (四级/中级工), level_3 (三级/高级工),
    /// level_2 (二级/技师) or level_1 (一级/高级技师).
    #[schema(value_type = labex_web::CertificateLevelName)]
    pub level: String,
    /// Whether it was passed.
    pub passed: bool,
    /// The day, `YYYY-MM-DD`.
    #[schema(format = Date)]
    pub appraised_on: String,
}

/// An appraisal, parsed.
#[derive(Debug, Clone, Copy)]
pub struct AppraisalResult {
    pub level: CertificateLevel,
    pub passed: bool,
    pub appraised_on: NaiveDate,
}

impl AppraisalBody {
    /// Parses every field; a 422 lists all that are invalid.
    pub fn parse(&self) -> Result<AppraisalResult, Error> {
        let mut fields = Validator::new();
        let level = fields.check("level", CertificateLevel::parse(&self.level));
        let appraised_on = fields.date("appraised_on", &self.appraised_on);
        fields.finish(|| {
            Some(AppraisalResult {
                level: level?,
                passed: self.passed,
                appraised_on: appraised_on?,
            })
        })
    }
}

/// A search's words longer than this are refused.
pub const MAX_QUERY_CHARS: usize = 200;

/// Whether an occupation as given is meant as a code of the occupational
/// classification (职业分类大典 2022): it starts with a digit, as every
/// code does and no occupation's name.
pub fn looks_like_a_code(text: &str) -> bool {
    text.trim().starts_with(|c: char| c.is_ascii_digit())
}
