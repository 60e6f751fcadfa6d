//! Request bodies as clients send them (raw JSON values), and their
//! parsing into commands with every invalid field reported at once.

use chrono::NaiveDate;
use labex_app::{Error, InputError, Validator};
use labex_domain::JobSeekerId;
use labex_domain::loan::{ReviewDecision, Security};
use labex_domain::value::{
    CreditCode, Description, DivisionCode, Fen, JobSeekerCategory, Label, OrganisationName, Title,
};
use labex_domain::venture_case::CaseStage;
use labex_domain::venture_project::ProjectDetails;
use serde::Deserialize;
use utoipa::ToSchema;

labex_web::value_schema!(
    /// A stage a case's counsellor records by hand: those after the
    /// consultation that opens a case and before the business started.
    pub RecordedStageName,
    labex_web::names(
        "training, business_plan, risk_assessment or financing; a stage must come after the case's current one (409 otherwise).",
        CaseStage::ALL
            .into_iter()
            .filter(|stage| *stage > CaseStage::Consultation && *stage < CaseStage::Started)
            .map(CaseStage::as_str),
    )
);

/// The decisions of a loan's review by their names.
const REVIEW_DECISIONS: [(&str, ReviewDecision); 2] = [
    ("approved", ReviewDecision::Approved),
    ("rejected", ReviewDecision::Rejected),
];

labex_web::value_schema!(
    /// A loan review's decision.
    pub ReviewDecisionName,
    labex_web::names(
        "approved or rejected.",
        REVIEW_DECISIONS.map(|(name, _)| name),
    )
);

labex_web::value_schema!(
    /// An amount of yuan a project states.
    pub InvestmentYuan,
    labex_web::whole_number(
        "Yuan, 0 or more; the lower end may not be above the upper.",
        0,
        u32::MAX.into(),
    )
);

/// `POST /v1/ventures/projects`: a project for the library (创业项目库).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProjectBody {
    #[schema(value_type = labex_web::TitleText)]
    pub title: String,
    #[schema(value_type = labex_web::LabelText)]
    pub industry: String,
    /// The least investment needed, in yuan.
    #[schema(value_type = InvestmentYuan)]
    pub investment_min_yuan: i64,
    /// The most investment needed, in yuan, no less than the least (422
    /// investment_range otherwise).
    #[schema(value_type = InvestmentYuan)]
    pub investment_max_yuan: i64,
    /// Where: a six-digit division code.
    #[schema(value_type = labex_web::DivisionCode)]
    pub region: String,
    #[schema(value_type = labex_web::DescriptionText)]
    pub description: String,
    /// The organisation to contact.
    #[schema(value_type = labex_web::OrganisationNameText)]
    pub contact_organisation: String,
    /// The listing office; the caller's when absent.
    #[serde(default)]
    #[schema(value_type = Option<labex_web::DivisionCode>)]
    pub office: Option<String>,
}

/// A project to list, parsed.
#[derive(Debug, Clone)]
pub struct ProjectListing {
    pub office: Option<DivisionCode>,
    pub details: ProjectDetails,
}

fn yuan(fields: &mut Validator, field: &str, value: i64) -> Option<u32> {
    u32::try_from(value)
        .map_err(|_| {
            fields.fail(
                field,
                InputError::AmountInvalid,
                "must be a whole number of yuan, 0 or more",
            )
        })
        .ok()
}

impl ProjectBody {
    /// Parses every field; a 422 lists all that are invalid.
    pub fn parse(&self) -> Result<ProjectListing, Error> {
        let mut fields = Validator::new();
        let title = fields.check("title", Title::parse(&self.title));
        let industry = fields.check("industry", Label::parse(&self.industry));
        let min = yuan(&mut fields, "investment_min_yuan", self.investment_min_yuan);
        let max = yuan(&mut fields, "investment_max_yuan", self.investment_max_yuan);
        let region = fields.check("region", DivisionCode::parse(&self.region));
        let description = fields.check("description", Description::parse(&self.description));
        let contact = fields.check(
            "contact_organisation",
            OrganisationName::parse(&self.contact_organisation),
        );
        let office = match self.office.as_deref() {
            None => Some(None),
            Some(text) => fields.check("office", DivisionCode::parse(text)).map(Some),
        };
        fields.finish(|| {
            Some(ProjectListing {
                office: office?,
                details: ProjectDetails {
                    title: title?,
                    industry: industry?,
                    investment_min_yuan: min?,
                    investment_max_yuan: max?,
                    region: region?,
                    description: description?,
                    contact_organisation: contact?,
                },
            })
        })
    }
}

/// `POST /v1/ventures/cases`: open a one-stop service case (一条龙服务).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OpenCaseBody {
    /// The person starting a business.
    #[schema(format = "uuid")]
    pub jobseeker_id: String,
    /// The day of the consultation, `YYYY-MM-DD`.
    #[schema(format = Date)]
    pub on: String,
}

impl OpenCaseBody {
    /// Parses every field.
    pub fn parse(&self) -> Result<(JobSeekerId, NaiveDate), Error> {
        let mut fields = Validator::new();
        let id = fields.check("jobseeker_id", JobSeekerId::parse(&self.jobseeker_id));
        let on = fields.date("on", &self.on);
        fields.finish(|| Some((id?, on?)))
    }
}

/// `POST /v1/ventures/cases/{id}/stages`: a later stage reached.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StageBody {
    /// training, business_plan, risk_assessment or financing.
    #[schema(value_type = RecordedStageName)]
    pub stage: String,
    /// The day, `YYYY-MM-DD`.
    #[schema(format = Date)]
    pub on: String,
}

impl StageBody {
    /// Parses every field.
    pub fn parse(&self) -> Result<(CaseStage, NaiveDate), Error> {
        let mut fields = Validator::new();
        let stage = CaseStage::parse(&self.stage);
        if stage.is_none() {
            fields.fail(
                "stage",
                InputError::CaseStageUnknown,
                "must be training, business_plan, risk_assessment or financing",
            );
        }
        let on = fields.date("on", &self.on);
        fields.finish(|| Some((stage?, on?)))
    }
}

/// `POST /v1/ventures/cases/{id}/business`: the business started.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BusinessBody {
    /// Its name.
    #[schema(value_type = labex_web::OrganisationNameText)]
    pub name: String,
    /// Its unified social credit code, once registered.
    #[serde(default)]
    #[schema(value_type = Option<labex_web::CreditCode>)]
    pub credit_code: Option<String>,
    /// The day it started, `YYYY-MM-DD`.
    #[schema(format = Date)]
    pub started_on: String,
}

/// A started business, parsed.
#[derive(Debug, Clone)]
pub struct BusinessStart {
    pub name: OrganisationName,
    pub credit_code: Option<CreditCode>,
    pub started_on: NaiveDate,
}

impl BusinessBody {
    /// Parses every field.
    pub fn parse(&self) -> Result<BusinessStart, Error> {
        let mut fields = Validator::new();
        let name = fields.check("name", OrganisationName::parse(&self.name));
        let credit_code = match self.credit_code.as_deref() {
            None => Some(None),
            Some(text) => fields
                .check("credit_code", CreditCode::parse(text))
                .map(Some),
        };
        let started_on = fields.date("started_on", &self.started_on);
        fields.finish(|| {
            Some(BusinessStart {
                name: name?,
                credit_code: credit_code?,
                started_on: started_on?,
            })
        })
    }
}

/// `POST /v1/ventures/cases/{id}/business/registration`: the started
/// business registered (工商登记).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegistrationBody {
    /// Its unified social credit code.
    #[schema(value_type = labex_web::CreditCode)]
    pub credit_code: String,
    /// The day, `YYYY-MM-DD`.
    #[schema(format = Date)]
    pub on: String,
}

impl RegistrationBody {
    /// Parses every field.
    pub fn parse(&self) -> Result<(CreditCode, NaiveDate), Error> {
        let mut fields = Validator::new();
        let code = fields.check("credit_code", CreditCode::parse(&self.credit_code));
        let on = fields.date("on", &self.on);
        fields.finish(|| Some((code?, on?)))
    }
}

/// `POST /v1/ventures/cases/{id}/follow-ups`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FollowUpBody {
    /// The day, `YYYY-MM-DD`.
    #[schema(format = Date)]
    pub on: String,
    /// Whether the business still operates.
    pub operating: bool,
    /// How many people it employs.
    pub employees: u32,
}

/// `POST /v1/ventures/loans`: apply for a guaranteed small loan (小额担保贷款).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoanBody {
    /// The borrower (a registered job seeker).
    #[schema(format = "uuid")]
    pub borrower: String,
    /// The amount, in fen.
    #[schema(value_type = labex_web::AmountFen)]
    pub amount_fen: i64,
    /// The term, in months.
    pub term_months: u32,
    /// What it is for.
    #[schema(value_type = labex_web::LabelText)]
    pub purpose: String,
    /// A guarantor organisation's name, or absent for a loan without
    /// collateral: exactly one of `guarantor` and
    /// `collateral_free_category` is given (422 loan_security.required
    /// otherwise).
    #[serde(default)]
    #[schema(value_type = Option<labex_web::OrganisationNameText>)]
    pub guarantor: Option<String>,
    /// For a loan without collateral (免担保): the job-seeker category
    /// the rules exempt (`graduate`, `returning_migrant` by default) that
    /// the borrower is registered in.
    #[serde(default)]
    #[schema(value_type = Option<labex_web::JobSeekerCategoryName>)]
    pub collateral_free_category: Option<String>,
}

/// A loan application, parsed.
#[derive(Debug, Clone)]
pub struct LoanApplication {
    pub borrower: JobSeekerId,
    pub amount_fen: Fen,
    pub term_months: u32,
    pub purpose: Label,
    pub security: Security,
}

impl LoanBody {
    /// Parses every field; a 422 lists all that are invalid.
    pub fn parse(&self) -> Result<LoanApplication, Error> {
        let mut fields = Validator::new();
        let borrower = fields.check("borrower", JobSeekerId::parse(&self.borrower));
        let amount = fields.check("amount_fen", Fen::parse(self.amount_fen));
        let purpose = fields.check("purpose", Label::parse(&self.purpose));
        let security = match (&self.guarantor, &self.collateral_free_category) {
            (Some(guarantor), None) => fields
                .check("guarantor", OrganisationName::parse(guarantor))
                .map(|guarantor| Security::Guarantor { guarantor }),
            (None, Some(category)) => fields
                .check(
                    "collateral_free_category",
                    JobSeekerCategory::parse(category),
                )
                .map(|category| Security::CollateralFree { category }),
            _ => {
                fields.fail(
                    "guarantor",
                    InputError::LoanSecurity,
                    "or collateral_free_category must be given, and only one of them",
                );
                None
            }
        };
        fields.finish(|| {
            Some(LoanApplication {
                borrower: borrower?,
                amount_fen: amount?,
                term_months: self.term_months,
                purpose: purpose?,
                security: security?,
            })
        })
    }
}

/// `POST /v1/ventures/loans/{id}/review`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewBody {
    /// approved or rejected.
    #[schema(value_type = ReviewDecisionName)]
    pub decision: String,
    /// The day, `YYYY-MM-DD`.
    #[schema(format = Date)]
    pub on: String,
}

impl ReviewBody {
    /// Parses every field.
    pub fn parse(&self) -> Result<(ReviewDecision, NaiveDate), Error> {
        let mut fields = Validator::new();
        let named = REVIEW_DECISIONS
            .iter()
            .find(|(name, _)| *name == self.decision.trim())
            .map(|(_, decision)| *decision);
        let decision = match named {
            Some(decision) => Some(decision),
            None => {
                fields.fail(
                    "decision",
                    InputError::ReviewDecisionUnknown,
                    "must be approved or rejected",
                );
                None
            }
        };
        let on = fields.date("on", &self.on);
        fields.finish(|| Some((decision?, on?)))
    }
}

/// `POST /v1/ventures/loans/{id}/guarantee`: the guarantee fund's approval.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GuaranteeBody {
    /// The guarantee fund (担保基金).
    #[schema(value_type = labex_web::OrganisationNameText)]
    pub guarantee_fund: String,
    /// The day, `YYYY-MM-DD`.
    #[schema(format = Date)]
    pub on: String,
}

impl GuaranteeBody {
    /// Parses every field.
    pub fn parse(&self) -> Result<(OrganisationName, NaiveDate), Error> {
        let mut fields = Validator::new();
        let fund = fields.check(
            "guarantee_fund",
            OrganisationName::parse(&self.guarantee_fund),
        );
        let on = fields.date("on", &self.on);
        fields.finish(|| Some((fund?, on?)))
    }
}

/// `POST /v1/ventures/loans/{id}/disbursement`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DisbursementBody {
    /// The day, `YYYY-MM-DD`.
    #[schema(format = Date)]
    pub on: String,
    /// The annual rate, in basis points (385 = 3.85 %).
    pub annual_rate_bp: u32,
}

/// `POST /v1/ventures/loans/{id}/repayments`: an instalment.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RepaymentBody {
    /// Principal repaid, in fen (interest is computed).
    #[schema(value_type = labex_web::AmountFen)]
    pub principal_fen: i64,
    /// The day, `YYYY-MM-DD`.
    #[schema(format = Date)]
    pub on: String,
}

impl RepaymentBody {
    /// Parses every field.
    pub fn parse(&self) -> Result<(Fen, NaiveDate), Error> {
        let mut fields = Validator::new();
        let principal = fields.check("principal_fen", Fen::parse(self.principal_fen));
        let on = fields.date("on", &self.on);
        fields.finish(|| Some((principal?, on?)))
    }
}

/// `POST /v1/ventures/loans/{id}/default`: the loan defaulted.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DefaultBody {
    /// What the guarantee fund paid out, in fen.
    #[schema(value_type = labex_web::AmountFen)]
    pub guarantee_payout_fen: i64,
    /// The day, `YYYY-MM-DD`.
    #[schema(format = Date)]
    pub on: String,
}

impl DefaultBody {
    /// Parses every field.
    pub fn parse(&self) -> Result<(Fen, NaiveDate), Error> {
        let mut fields = Validator::new();
        let payout = fields.check(
            "guarantee_payout_fen",
            Fen::parse(self.guarantee_payout_fen),
        );
        let on = fields.date("on", &self.on);
        fields.finish(|| Some((payout?, on?)))
    }
}

/// A day in a body, parsed alone.
pub fn day(field: &str, text: &str) -> Result<NaiveDate, Error> {
    let mut fields = Validator::new();
    let on = fields.date(field, text);
    fields.finish(|| on)
}
