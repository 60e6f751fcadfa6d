//! The schemas of the codes offices use, for request fields of every
//! service: a field says `#[schema(value_type = labex_web::DivisionCode)]`
//! and the document states the rule the domain's parser applies, as one
//! named component ([`value_schemas`] adds them to the merged document).
//! What a schema cannot state (a check character) is said in its
//! description.

use std::borrow::Cow;

use labex_domain::course::CourseKind;
use labex_domain::household::HouseholdStatus;
use labex_domain::jobseeker::JobSeekerStatus;
use labex_domain::vacancy::VacancyStatus;
use labex_domain::value::{Divisions, Education, JobSeekerCategory};
use labex_domain::venture_case::CaseStage;
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
use utoipa::{PartialSchema, ToSchema};

macro_rules! value_schema {
    ($(#[$doc:meta])* $name:ident, $schema:expr) => {
        $(#[$doc])*
        pub struct $name;

        impl PartialSchema for $name {
            fn schema() -> RefOr<Schema> {
                $schema.into()
            }
        }

        impl ToSchema for $name {
            fn name() -> Cow<'static, str> {
                Cow::Borrowed(stringify!($name))
            }
        }
    };
}

value_schema!(
    /// An administrative division code (GB/T 2260) on the list of
    /// divisions in use: a province, a prefecture-level city or a county.
    DivisionCode,
    {
        let mut codes: Vec<&str> = Divisions::get().codes().collect();
        codes.sort_unstable();
        ObjectBuilder::new()
            .schema_type(Type::String)
            .description(Some(
                "An administrative division code (GB/T 2260) in use: a province, a prefecture-level city or a county.",
            ))
            .enum_values(Some(codes))
    }
);

value_schema!(
    /// A resident identity number (GB 11643).
    ResidentIdNumber,
    ObjectBuilder::new()
        .schema_type(Type::String)
        .pattern(Some("^[0-9]{17}[0-9X]$"))
        .description(Some(
            "A resident identity number (GB 11643): the division code of first registration, the birth date YYYYMMDD, a serial and a check character (0-9 or X) computed from the others; a wrong check character is refused (422 resident_id.check_character).",
        ))
);

value_schema!(
    /// A unified social credit code (GB 32100).
    CreditCode,
    ObjectBuilder::new()
        .schema_type(Type::String)
        .pattern(Some(
            "^[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}$"
        ))
        .description(Some(
            "A unified social credit code (GB 32100): 18 characters of 0-9 and capitals without I, O, S, V and Z, the last a check character computed from the others; a wrong check character is refused (422 credit_code.check_character).",
        ))
);

value_schema!(
    /// A month, `YYYY-MM`.
    Month,
    ObjectBuilder::new()
        .schema_type(Type::String)
        .pattern(Some("^20[0-9]{2}-(0[1-9]|1[0-2])$"))
        .description(Some(
            "A month written YYYY-MM, such as 2026-11, between 2000-01 and 2099-12."
        ))
);

/// A schema of a text that is one of `names`, described by `description`.
fn names(
    description: &'static str,
    names: impl IntoIterator<Item = &'static str>,
) -> ObjectBuilder {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .description(Some(description))
        .enum_values(Some(names.into_iter().collect::<Vec<_>>()))
}

value_schema!(
    /// A level of education.
    EducationLevel,
    names(
        "A level of education, lowest first: none, primary, junior_secondary, senior_secondary, associate, bachelor, master, doctorate.",
        Education::ALL.map(Education::as_str),
    )
);

value_schema!(
    /// A job-seeker category.
    JobSeekerCategoryName,
    names(
        "A job-seeker category (graduate, migrant_worker, laid_off, …).",
        JobSeekerCategory::ALL.map(JobSeekerCategory::as_str),
    )
);

value_schema!(
    /// Where a job seeker stands.
    JobSeekerStatusName,
    names(
        "seeking, registered_unemployed or employed.",
        JobSeekerStatus::ALL.map(JobSeekerStatus::as_str),
    )
);

value_schema!(
    /// Where a vacancy stands.
    VacancyStatusName,
    names(
        "open, filled or closed.",
        VacancyStatus::ALL.map(VacancyStatus::as_str),
    )
);

value_schema!(
    /// Where a household stands.
    HouseholdStatusName,
    names(
        "declared, rejected, registered, cleared, stabilised or exited.",
        HouseholdStatus::ALL.iter().map(|status| status.as_str()),
    )
);

value_schema!(
    /// A kind of course.
    CourseKindName,
    names(
        "employment, re_employment, on_the_job, order_based or entrepreneurship.",
        CourseKind::ALL.iter().map(|kind| kind.as_str()),
    )
);

value_schema!(
    /// A stage of a one-stop entrepreneurship case.
    CaseStageName,
    names(
        "consultation, training, business_plan, risk_assessment, financing, started or follow_up.",
        CaseStage::ALL.map(CaseStage::as_str),
    )
);

value_schema!(
    /// Where a business-startup loan stands.
    LoanStatusName,
    names(
        "applied, rejected, approved, guaranteed, disbursed, repaid or defaulted.",
        ["applied", "rejected", "approved", "guaranteed", "disbursed", "repaid", "defaulted"],
    )
);

value_schema!(
    /// Whether a referral is still open.
    ReferralState,
    names("open or concluded.", ["open", "concluded"])
);

value_schema!(
    /// Which vacancies a search covers.
    SearchScope,
    names("open (the default) or all.", ["open", "all"])
);

value_schema!(
    /// How search results are ordered.
    SearchOrder,
    names("relevance (the default), newest or salary.", ["relevance", "newest", "salary"])
);

value_schema!(
    /// A kind of job fair.
    FairKindName,
    names("onsite or online.", ["onsite", "online"])
);

value_schema!(
    /// A day, `YYYY-MM-DD`.
    Day,
    ObjectBuilder::new()
        .schema_type(Type::String)
        .format(Some(utoipa::openapi::SchemaFormat::KnownFormat(
            utoipa::openapi::KnownFormat::Date
        )))
        .description(Some("A day written YYYY-MM-DD."))
);

/// The value schemas by name, for the components of the merged document.
pub fn value_schemas() -> Vec<(String, RefOr<Schema>)> {
    vec![
        (DivisionCode::name().into_owned(), DivisionCode::schema()),
        (
            ResidentIdNumber::name().into_owned(),
            ResidentIdNumber::schema(),
        ),
        (CreditCode::name().into_owned(), CreditCode::schema()),
        (Month::name().into_owned(), Month::schema()),
        (
            EducationLevel::name().into_owned(),
            EducationLevel::schema(),
        ),
        (
            JobSeekerCategoryName::name().into_owned(),
            JobSeekerCategoryName::schema(),
        ),
        (
            JobSeekerStatusName::name().into_owned(),
            JobSeekerStatusName::schema(),
        ),
        (
            VacancyStatusName::name().into_owned(),
            VacancyStatusName::schema(),
        ),
        (
            HouseholdStatusName::name().into_owned(),
            HouseholdStatusName::schema(),
        ),
        (
            CourseKindName::name().into_owned(),
            CourseKindName::schema(),
        ),
        (CaseStageName::name().into_owned(), CaseStageName::schema()),
        (
            LoanStatusName::name().into_owned(),
            LoanStatusName::schema(),
        ),
        (ReferralState::name().into_owned(), ReferralState::schema()),
        (SearchScope::name().into_owned(), SearchScope::schema()),
        (SearchOrder::name().into_owned(), SearchOrder::schema()),
        (FairKindName::name().into_owned(), FairKindName::schema()),
        (Day::name().into_owned(), Day::schema()),
    ]
}
