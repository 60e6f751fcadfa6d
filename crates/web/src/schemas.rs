//! The schemas of the codes offices use, for request fields of every
//! service: a field says `#[schema(value_type = labex_web::DivisionCode)]`
//! and the document states the rule the domain's parser applies, as one
//! named component ([`value_schemas`] adds them to the merged document).
//! What a schema cannot state (a check character) is said in its
//! description.

use labex_domain::course::{CertificateLevel, CourseKind};
use labex_domain::enterprise_report::OperatingState;
use labex_domain::household::{ContactChannel, ExitReason, HouseholdStatus, Measure};
use labex_domain::jobseeker::{ErasureGround, JobSeekerStatus, ReturnIntention};
use labex_domain::monitoring::PointKind;
use labex_domain::referral::ReferralOutcome;
use labex_domain::vacancy::{CloseReason, VacancyStatus};
use labex_domain::value::{
    Description, DivisionLevel, Divisions, Education, ExperienceYears, Fen, GraduationYear,
    Headcount, JobSeekerCategory, Label, Note, OrganisationName, PersonName, SALARY_CAP_YUAN,
    Title,
};
use labex_domain::venture_case::CaseStage;
use labex_domain::welfare::WelfareExitReason;
use utoipa::ToSchema;
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};

/// Declares a unit type whose schema is `$schema` (an `ObjectBuilder` or
/// a `Schema`), named after the type, for a field's
/// `#[schema(value_type = …)]`: the way a service states a rule built from
/// the domain's own constants and lists rather than retyped in an
/// attribute.
#[macro_export]
macro_rules! value_schema {
    ($(#[$doc:meta])* $vis:vis $name:ident, $schema:expr) => {
        $(#[$doc])*
        $vis struct $name;

        impl $crate::__utoipa::PartialSchema for $name {
            fn schema() -> $crate::__utoipa::openapi::RefOr<$crate::__utoipa::openapi::schema::Schema> {
                $schema.into()
            }
        }

        impl $crate::__utoipa::ToSchema for $name {
            fn name() -> ::std::borrow::Cow<'static, str> {
                ::std::borrow::Cow::Borrowed(stringify!($name))
            }
        }
    };
}

/// A whole number from `min` to `max`, described by `description`.
pub fn whole_number(description: &str, min: i64, max: i64) -> ObjectBuilder {
    ObjectBuilder::new()
        .schema_type(Type::Integer)
        .description(Some(description))
        .minimum(Some(min as f64))
        .maximum(Some(max as f64))
}

value_schema!(
    /// An administrative division code (GB/T 2260) on the list of
    /// divisions in use: a province, a prefecture-level city or a county.
    pub DivisionCode,
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

/// The codes in use of divisions at `levels`, sorted.
fn division_codes_at(levels: &[DivisionLevel]) -> Vec<&'static str> {
    let mut codes: Vec<&str> = Divisions::get()
        .codes()
        .filter(|code| {
            labex_domain::value::DivisionCode::parse(code)
                .is_ok_and(|division| levels.contains(&division.level()))
        })
        .collect();
    codes.sort_unstable();
    codes
}

value_schema!(
    /// A mainland mobile phone number as people write it.
    pub MobilePhoneText,
    ObjectBuilder::new()
        .schema_type(Type::String)
        .pattern(Some(
            r"^\s*(\+[ -]*8[ -]*6|[ -]*0[ -]*0[ -]*8[ -]*6|[ -]*8[ -]*6)?[ -]*1[ -]*[3-9]([ -]*[0-9]){9}[ -]*\s*$"
        ))
        .description(Some(
            "A mainland mobile number: eleven digits starting 13 to 19, with the country code (+86, 86, 0086) or without, spaces and dashes allowed (+86 138-0013-8000); kept as its eleven digits (422 mobile_phone.*).",
        ))
);

value_schema!(
    /// The id of a record, a UUID.
    pub IdText,
    ObjectBuilder::new()
        .schema_type(Type::String)
        .format(Some(utoipa::openapi::SchemaFormat::Custom("uuid".to_owned())))
        .description(Some("The id of a record (a UUID), as the API returned it."))
);

value_schema!(
    /// A county-level division code (GB/T 2260) in use.
    pub CountyCode,
    ObjectBuilder::new()
        .schema_type(Type::String)
        .description(Some(
            "A county-level division code (GB/T 2260) in use: a county, a county-level city or a district (422 region_not_county otherwise).",
        ))
        .enum_values(Some(division_codes_at(&[DivisionLevel::County])))
);

value_schema!(
    /// A division code (GB/T 2260) in use below the provinces.
    pub CityOrCountyCode,
    ObjectBuilder::new()
        .schema_type(Type::String)
        .description(Some(
            "A division code (GB/T 2260) in use below the provinces: a prefecture-level city or a county (422 region_is_province for a province).",
        ))
        .enum_values(Some(division_codes_at(&[DivisionLevel::City, DivisionLevel::County])))
);

value_schema!(
    /// A resident identity number (GB 11643).
    pub ResidentIdNumber,
    ObjectBuilder::new()
        .schema_type(Type::String)
        .pattern(Some("^[0-9]{17}[0-9X]$"))
        .description(Some(
            "A resident identity number (GB 11643): the division code of first registration, the birth date YYYYMMDD, a serial and a check character (0-9 or X) computed from the others; a wrong check character is refused (422 resident_id.check_character).",
        ))
);

value_schema!(
    /// A unified social credit code (GB 32100).
    pub CreditCode,
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
    pub Month,
    ObjectBuilder::new()
        .schema_type(Type::String)
        .pattern(Some("^20[0-9]{2}-(0[1-9]|1[0-2])$"))
        .description(Some(
            "A month written YYYY-MM, such as 2026-11, between 2000-01 and 2099-12."
        ))
);

/// The control characters (Unicode category Cc, what `char::is_control`
/// finds) in a regular expression's character class, but for those in
/// `allowed`.
fn control_characters_but(allowed: &[char]) -> String {
    let mut class = String::new();
    let mut run: Option<(u32, u32)> = None;
    let controls = (0x00..=0x1F).chain(0x7F..=0x9F);
    let flush = |run: (u32, u32), class: &mut String| {
        if run.0 == run.1 {
            class.push_str(&format!("\\u{:04X}", run.0));
        } else {
            class.push_str(&format!("\\u{:04X}-\\u{:04X}", run.0, run.1));
        }
    };
    for code in controls {
        let character = char::from_u32(code).expect("a control character is a char");
        if allowed.contains(&character) {
            if let Some(done) = run.take() {
                flush(done, &mut class);
            }
            continue;
        }
        run = match run {
            Some((first, last)) if last + 1 == code => Some((first, code)),
            Some(done) => {
                flush(done, &mut class);
                Some((code, code))
            }
            None => Some((code, code)),
        };
    }
    if let Some(done) = run {
        flush(done, &mut class);
    }
    class
}

/// `characters` escaped for a regular expression's character class.
fn in_class(characters: &str) -> String {
    characters
        .chars()
        .map(|character| match character {
            '\\' | ']' | '[' | '^' | '-' => format!("\\{character}"),
            other => other.to_string(),
        })
        .collect()
}

/// The pattern of a text the domain trims and checks: none of the control
/// characters but `allowed`, none of `forbidden`, and at least one
/// character that is neither whitespace nor control (a blank text is
/// refused, 422 text.empty).
fn text_pattern(allowed: &[char], forbidden: &str) -> String {
    let any = format!("[^{}{forbidden}]", control_characters_but(allowed));
    let solid = format!("[^\\s{}{forbidden}]", control_characters_but(&[]));
    format!("^{any}*{solid}{any}*$")
}

/// A text of at most `max` characters on one line: tabs allowed, no other
/// control character, not blank.
fn one_line(description: &'static str, max: usize, forbidden: &str) -> ObjectBuilder {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .description(Some(description))
        .min_length(Some(1))
        .max_length(Some(max))
        .pattern(Some(text_pattern(&['\t'], forbidden)))
}

/// A text of at most `max` characters with line breaks and tabs allowed, no
/// other control character, not blank.
fn multi_line(description: &'static str, max: usize) -> ObjectBuilder {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .description(Some(description))
        .min_length(Some(1))
        .max_length(Some(max))
        .pattern(Some(text_pattern(&['\t', '\n', '\r'], "")))
}

value_schema!(
    /// A short label (a skill, an occupation, a major), one line.
    pub LabelText,
    one_line(
        "One line of text (tabs allowed, no other control character), not blank; trimmed, and runs of whitespace count as one space (422 text.empty, text.too_long, text.control_character).",
        Label::MAX_CHARS,
        "",
    )
);

value_schema!(
    /// A title, one line.
    pub TitleText,
    one_line(
        "A title: one line (tabs allowed, no other control character), not blank; trimmed, and runs of whitespace count as one space.",
        Title::MAX_CHARS,
        "",
    )
);

value_schema!(
    /// The name of an organisation, one line.
    pub OrganisationNameText,
    one_line(
        "The name of an organisation: one line (tabs allowed, no other control character), not blank; trimmed, and runs of whitespace count as one space.",
        OrganisationName::MAX_CHARS,
        "",
    )
);

value_schema!(
    /// A person's name.
    pub PersonNameText,
    one_line(
        "A person's name (姓名): one line, not blank, without digits or the characters <>{}[]\"\\/@#$%^&*=_|;: (the middle dot of minority names is fine); trimmed, and runs of whitespace count as one space (422 text.forbidden_character).",
        PersonName::MAX_CHARS,
        &format!("0-9{}", in_class(PersonName::FORBIDDEN_CHARACTERS)),
    )
);

value_schema!(
    /// A counsellor's note, line breaks allowed.
    pub NoteText,
    multi_line(
        "A note: line breaks and tabs allowed, no other control character, not blank; trimmed.",
        Note::MAX_CHARS,
    )
);

value_schema!(
    /// A long text, line breaks allowed.
    pub DescriptionText,
    multi_line(
        "A long text: line breaks and tabs allowed, no other control character, not blank; trimmed.",
        Description::MAX_CHARS,
    )
);

/// A schema of a text that is one of `names`, described by `description`.
pub fn names(
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
    pub EducationLevel,
    names(
        "A level of education, lowest first: none, primary, junior_secondary, senior_secondary, associate, bachelor, master, doctorate.",
        Education::ALL.map(Education::as_str),
    )
);

value_schema!(
    /// A job-seeker category.
    pub JobSeekerCategoryName,
    names(
        "A job-seeker category (graduate, migrant_worker, laid_off, …).",
        JobSeekerCategory::ALL.map(JobSeekerCategory::as_str),
    )
);

value_schema!(
    /// Where a job seeker stands.
    pub JobSeekerStatusName,
    names(
        "seeking, registered_unemployed or employed.",
        JobSeekerStatus::ALL.map(JobSeekerStatus::as_str),
    )
);

value_schema!(
    /// Where a vacancy stands.
    pub VacancyStatusName,
    names(
        "open, filled or closed.",
        VacancyStatus::ALL.map(VacancyStatus::as_str),
    )
);

value_schema!(
    /// Where a household stands.
    pub HouseholdStatusName,
    names(
        "declared, rejected, registered, cleared, stabilised or exited.",
        HouseholdStatus::ALL.iter().map(|status| status.as_str()),
    )
);

value_schema!(
    /// A kind of course.
    pub CourseKindName,
    names(
        "employment, re_employment, on_the_job, order_based or entrepreneurship.",
        CourseKind::ALL.iter().map(|kind| kind.as_str()),
    )
);

value_schema!(
    /// A stage of a one-stop entrepreneurship case.
    pub CaseStageName,
    names(
        "consultation, training, business_plan, risk_assessment, financing, started or follow_up.",
        CaseStage::ALL.map(CaseStage::as_str),
    )
);

value_schema!(
    /// Where a business-startup loan stands.
    pub LoanStatusName,
    names(
        "applied, rejected, approved, guaranteed, disbursed, repaid or defaulted.",
        ["applied", "rejected", "approved", "guaranteed", "disbursed", "repaid", "defaulted"],
    )
);

value_schema!(
    /// Whether a referral is still open.
    pub ReferralState,
    names("open or concluded.", ["open", "concluded"])
);

value_schema!(
    /// Which vacancies a search covers.
    pub SearchScope,
    names("open (the default) or all.", ["open", "all"])
);

value_schema!(
    /// How search results are ordered.
    pub SearchOrder,
    names("relevance (the default), newest or salary.", ["relevance", "newest", "salary"])
);

value_schema!(
    /// A kind of job fair.
    pub FairKindName,
    names("onsite or online.", ["onsite", "online"])
);

value_schema!(
    /// A year of graduation.
    pub GraduationYearNumber,
    whole_number(
        "A year of graduation; whether it fits the person's age is checked too (422 jobseeker.graduation_year).",
        GraduationYear::MIN.into(),
        GraduationYear::MAX.into(),
    )
);

value_schema!(
    /// How many people a vacancy hires.
    pub HeadcountNumber,
    whole_number("How many people.", Headcount::MIN.into(), Headcount::MAX.into())
);

value_schema!(
    /// Years of work experience asked for.
    pub ExperienceYearsNumber,
    whole_number(
        "Years of work experience.",
        ExperienceYears::MIN.into(),
        ExperienceYears::MAX.into(),
    )
);

value_schema!(
    /// A monthly salary in yuan.
    pub SalaryYuan,
    whole_number(
        "Yuan a month, more than zero; the lower end may not be above the upper (422 salary.min_above_max).",
        1,
        SALARY_CAP_YUAN.into(),
    )
);

value_schema!(
    /// An amount in fen.
    pub AmountFen,
    whole_number(
        "An amount in fen (hundredths of a yuan), from zero to 10^13.",
        0,
        Fen::MAX as i64,
    )
);

value_schema!(
    /// The level of a skill certificate.
    pub CertificateLevelName,
    names(
        "A certificate level, level_5 (the lowest) to level_1.",
        CertificateLevel::ALL.iter().map(|level| level.as_str()),
    )
);

value_schema!(
    /// How a household was contacted.
    pub ContactChannelName,
    names(
        "visit, phone or online.",
        ContactChannel::ALL.iter().map(|channel| channel.as_str()),
    )
);

value_schema!(
    /// Why a household leaves the register.
    pub HouseholdExitReasonName,
    names(
        "moved_away, no_longer_eligible, refused_referrals or other.",
        ExitReason::ALL.iter().map(|reason| reason.as_str()),
    )
);

value_schema!(
    /// A measure of a household's assistance plan.
    pub MeasureName,
    names(
        "policy_consultation, job_referral, training, public_welfare_post or entrepreneurship_support.",
        Measure::ALL.iter().map(|measure| measure.as_str()),
    )
);

value_schema!(
    /// The ground of an erasure of personal data.
    pub ErasureGroundName,
    names(
        "purpose_fulfilled, retention_ended, consent_withdrawn, unlawful_processing or other_legal_ground.",
        ErasureGround::ALL.map(ErasureGround::as_str),
    )
);

value_schema!(
    /// What a returning migrant worker means to do.
    pub ReturnIntentionName,
    names(
        "local_work, start_business, leave_again or undecided.",
        ReturnIntention::ALL.map(ReturnIntention::as_str),
    )
);

value_schema!(
    /// A kind of monitoring point.
    pub PointKindName,
    names(
        "community_platform or labour_office.",
        PointKind::ALL.map(PointKind::as_str),
    )
);

value_schema!(
    /// Whether an enterprise operates.
    pub OperatingStateName,
    names(
        "operating, stopped or closed.",
        OperatingState::ALL.map(OperatingState::as_str),
    )
);

value_schema!(
    /// How a referral ended.
    pub ReferralOutcomeName,
    names(
        "hired, rejected, no_show or withdrawn.",
        ReferralOutcome::ALL.map(ReferralOutcome::as_str),
    )
);

value_schema!(
    /// Why a vacancy is closed.
    pub CloseReasonName,
    names(
        "withdrawn, expired or filled_elsewhere.",
        CloseReason::ALL.map(CloseReason::as_str),
    )
);

value_schema!(
    /// Why a welfare placement ends early.
    pub WelfareExitReasonName,
    names(
        "moved_to_regular_job or ended.",
        WelfareExitReason::ALL.map(WelfareExitReason::as_str),
    )
);

value_schema!(
    /// A day, `YYYY-MM-DD`.
    pub Day,
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
        named::<DivisionCode>(),
        named::<ResidentIdNumber>(),
        named::<CreditCode>(),
        named::<Month>(),
        named::<EducationLevel>(),
        named::<JobSeekerCategoryName>(),
        named::<JobSeekerStatusName>(),
        named::<VacancyStatusName>(),
        named::<HouseholdStatusName>(),
        named::<CourseKindName>(),
        named::<CaseStageName>(),
        named::<LoanStatusName>(),
        named::<ReferralState>(),
        named::<SearchScope>(),
        named::<SearchOrder>(),
        named::<FairKindName>(),
        named::<Day>(),
        named::<CertificateLevelName>(),
        named::<ContactChannelName>(),
        named::<HouseholdExitReasonName>(),
        named::<MeasureName>(),
        named::<ErasureGroundName>(),
        named::<ReturnIntentionName>(),
        named::<PointKindName>(),
        named::<OperatingStateName>(),
        named::<ReferralOutcomeName>(),
        named::<CloseReasonName>(),
        named::<WelfareExitReasonName>(),
        named::<GraduationYearNumber>(),
        named::<HeadcountNumber>(),
        named::<ExperienceYearsNumber>(),
        named::<SalaryYuan>(),
        named::<AmountFen>(),
        named::<IdText>(),
        named::<MobilePhoneText>(),
        named::<CountyCode>(),
        named::<CityOrCountyCode>(),
        named::<LabelText>(),
        named::<TitleText>(),
        named::<OrganisationNameText>(),
        named::<PersonNameText>(),
        named::<NoteText>(),
        named::<DescriptionText>(),
    ]
}

/// A schema under its name, as the document's components hold it.
pub(crate) fn named<T: ToSchema>() -> (String, RefOr<Schema>) {
    (T::name().into_owned(), T::schema())
}

#[cfg(test)]
mod tests {
    use utoipa::PartialSchema;

    use super::*;

    #[test]
    fn control_characters_are_named_in_runs_around_the_allowed_ones() {
        assert_eq!(
            control_characters_but(&['\t', '\n']),
            "\\u0000-\\u0008\\u000B-\\u001F\\u007F-\\u009F"
        );
    }

    #[test]
    fn the_mobile_phone_pattern_takes_what_the_domain_takes() {
        let RefOr::T(Schema::Object(schema)) = MobilePhoneText::schema() else {
            panic!("an object schema");
        };
        let pattern = fancy_regex::Regex::new(&schema.pattern.unwrap()).unwrap();
        for number in [
            "13800138000",
            "+86 138-0013-8000",
            "8613800138000",
            "0086 13800138000",
            " 138 0013 8000 ",
            "19912345678",
            "12345678901",
            "1380013800",
            "+0086 13800138000",
            "138001380000",
            "138a0138000",
            "+87 13800138000",
        ] {
            assert_eq!(
                pattern.is_match(number).unwrap(),
                labex_domain::value::MobilePhone::parse(number).is_ok(),
                "{number}"
            );
        }
    }

    #[test]
    fn a_name_pattern_leaves_out_digits_and_markup() {
        let pattern = text_pattern(&['\t'], &format!("0-9{}", in_class("[]\\^-")));
        assert!(pattern.contains("0-9\\[\\]\\\\\\^\\-"), "{pattern}");
    }
}
