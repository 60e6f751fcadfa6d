//! Request bodies as clients send them (raw JSON values), and their
//! parsing into commands with every invalid field reported at once.

use std::collections::{BTreeMap, BTreeSet};

use labex_app::{Error, InputError, Validator};
use labex_domain::arrears::WageArrearsCommand;
use labex_domain::enterprise_report::{OperatingState, ReportFigures, Separations};
use labex_domain::layoff::{PlanChanges, PlanDetails};
use labex_domain::monitoring::{LabourOfficeId, Period, PointKind};
use labex_domain::value::{Description, DivisionCode, OrganisationName, OutOfRange};
use labex_domain::{EmployerId, IdError, JobSeekerId};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::commands::{
    CaseOpening, OfficeRegistration, PlanFiling, PointDesignation, ReportFiling,
};

/// The largest count a report or a plan may state.
const COUNT_MAX: i64 = 10_000_000;

labex_web::value_schema!(
    /// A count of people in a report or a plan.
    pub PeopleCount,
    labex_web::whole_number("A count of people.", 0, COUNT_MAX)
);

labex_web::value_schema!(
    /// An amount owed or paid, in fen.
    pub OwedFen,
    labex_web::whole_number("An amount in fen (hundredths of a yuan), more than zero.", 1, MAX_FEN)
);

/// A count field: a whole number from 0 to [`COUNT_MAX`].
fn count(fields: &mut Validator, field: &str, value: i64) -> Option<u32> {
    fields
        .check(field, within(value, 0, COUNT_MAX))
        .and_then(|value| u32::try_from(value).ok())
}

/// `value` when within `min..=max`.
fn within(value: i64, min: i64, max: i64) -> Result<i64, OutOfRange> {
    if (min..=max).contains(&value) {
        Ok(value)
    } else {
        Err(OutOfRange { value, min, max })
    }
}

/// The most fen an amount may be (a thousand million yuan).
const MAX_FEN: i64 = 100_000_000_000;

/// A worker named twice in a case.
#[derive(Debug, thiserror::Error)]
#[error("this worker is named twice; name each worker once")]
struct DuplicateWorker;

impl labex_domain::Coded for DuplicateWorker {
    fn code(&self) -> &'static str {
        "worker.duplicate"
    }
}

fn employer_ids(
    fields: &mut Validator,
    field: &str,
    items: &[String],
) -> Option<BTreeSet<EmployerId>> {
    fields.each(field, items, |text| EmployerId::parse(text).map_err(IdCode))
}

/// An id error with the `id.*` codes.
#[derive(Debug)]
struct IdCode(IdError);

impl std::fmt::Display for IdCode {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(formatter, "must be an id (a UUID): {}", self.0)
    }
}

impl labex_domain::Coded for IdCode {
    fn code(&self) -> &'static str {
        labex_domain::Coded::code(&self.0)
    }
}

/// `POST /v1/monitoring/offices`: a labour-security office (劳动保障事务所).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OfficeBody {
    /// Its name.
    #[schema(value_type = labex_web::OrganisationNameText)]
    pub name: String,
    /// The county it serves: a six-digit division code of county level.
    #[schema(value_type = labex_web::CountyCode)]
    pub region: String,
}

impl OfficeBody {
    /// Parses every field.
    pub fn parse(&self) -> Result<OfficeRegistration, Error> {
        let mut fields = Validator::new();
        let name = fields.check("name", OrganisationName::parse(&self.name));
        let region = fields.check("region", DivisionCode::parse(&self.region));
        fields.finish(|| {
            Some(OfficeRegistration {
                name: name?,
                region: region?,
            })
        })
    }
}

/// `POST /v1/monitoring/points`: a monitoring point (监测点).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PointBody {
    /// `community_platform` (街道社区劳动保障平台) or `labour_office`.
    #[schema(value_type = labex_web::PointKindName)]
    pub kind: String,
    /// Its name.
    #[schema(value_type = labex_web::OrganisationNameText)]
    pub name: String,
    /// Where it is (a labour office's point lies in the office's county).
    #[schema(value_type = labex_web::CityOrCountyCode)]
    pub region: String,
    /// For a `labour_office` point: the registered office, required then
    /// and absent for a `community_platform` (422 labour_office_mismatch
    /// otherwise).
    #[serde(default)]
    #[schema(format = "uuid")]
    pub labour_office_id: Option<String>,
    /// The enterprises (employer ids) it follows.
    #[serde(default)]
    pub employers: Vec<String>,
}

impl PointBody {
    /// Parses every field.
    pub fn parse(&self) -> Result<PointDesignation, Error> {
        let mut fields = Validator::new();
        let kind = fields.check("kind", PointKind::parse(&self.kind));
        let name = fields.check("name", OrganisationName::parse(&self.name));
        let region = fields.check("region", DivisionCode::parse(&self.region));
        let labour_office_id = match self.labour_office_id.as_deref() {
            None => Some(None),
            Some(text) => fields
                .check(
                    "labour_office_id",
                    LabourOfficeId::parse(text).map_err(IdCode),
                )
                .map(Some),
        };
        let employers = employer_ids(&mut fields, "employers", &self.employers);
        fields.finish(|| {
            Some(PointDesignation {
                kind: kind?,
                name: name?,
                region: region?,
                labour_office_id: labour_office_id?,
                employers: employers?,
            })
        })
    }
}

/// `POST /v1/monitoring/points/{id}/enterprises`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FollowBody {
    /// Employer ids to follow from now on, each a registered employer
    /// (422 employer.unknown otherwise).
    #[serde(default)]
    #[schema(value_type = Vec<labex_web::IdText>)]
    pub follow: Vec<String>,
    /// Employer ids to follow no more.
    #[serde(default)]
    #[schema(value_type = Vec<labex_web::IdText>)]
    pub unfollow: Vec<String>,
}

impl FollowBody {
    /// Parses every field.
    pub fn parse(&self) -> Result<(BTreeSet<EmployerId>, BTreeSet<EmployerId>), Error> {
        let mut fields = Validator::new();
        let follow = employer_ids(&mut fields, "follow", &self.follow);
        let unfollow = employer_ids(&mut fields, "unfollow", &self.unfollow);
        fields.finish(|| Some((follow?, unfollow?)))
    }
}

/// Separations of a month, by reason.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SeparationsBody {
    #[serde(default)]
    #[schema(value_type = PeopleCount)]
    pub quits: i64,
    #[serde(default)]
    #[schema(value_type = PeopleCount)]
    pub layoffs: i64,
    #[serde(default)]
    #[schema(value_type = PeopleCount)]
    pub contract_ends: i64,
    #[serde(default)]
    #[schema(value_type = PeopleCount)]
    pub other: i64,
}

/// `POST /v1/monitoring/reports` (and `…/corrections`): an enterprise's
/// report of a month.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReportBody {
    /// The enterprise, a registered employer (422 employer.unknown
    /// otherwise).
    #[schema(format = "uuid")]
    pub employer_id: String,
    /// The month, `YYYY-MM`.
    #[schema(value_type = labex_web::Month)]
    pub period: String,
    /// People employed at the end of the month.
    #[schema(value_type = PeopleCount)]
    pub headcount: i64,
    /// People hired in the month.
    #[serde(default)]
    #[schema(value_type = PeopleCount)]
    pub hires: i64,
    /// People who left, by reason (`quits`, `layoffs`, `contract_ends`,
    /// `other`).
    #[serde(default)]
    pub separations: SeparationsBody,
    /// `operating`, `stopped` (停产) or `closed` (关闭).
    #[schema(value_type = labex_web::OperatingStateName)]
    pub state: String,
}

impl ReportBody {
    /// Parses every field.
    pub fn parse(&self) -> Result<ReportFiling, Error> {
        let mut fields = Validator::new();
        let employer_id = fields.check(
            "employer_id",
            EmployerId::parse(&self.employer_id).map_err(IdCode),
        );
        let period = fields.check("period", Period::parse(&self.period));
        let headcount = count(&mut fields, "headcount", self.headcount);
        let hires = count(&mut fields, "hires", self.hires);
        let quits = count(&mut fields, "separations.quits", self.separations.quits);
        let layoffs = count(&mut fields, "separations.layoffs", self.separations.layoffs);
        let contract_ends = count(
            &mut fields,
            "separations.contract_ends",
            self.separations.contract_ends,
        );
        let other = count(&mut fields, "separations.other", self.separations.other);
        let state = fields.check("state", OperatingState::parse(&self.state));
        fields.finish(|| {
            Some(ReportFiling {
                employer_id: employer_id?,
                period: period?,
                figures: ReportFigures {
                    headcount: headcount?,
                    hires: hires?,
                    separations: Separations {
                        quits: quits?,
                        layoffs: layoffs?,
                        contract_ends: contract_ends?,
                        other: other?,
                    },
                    state: state?,
                },
            })
        })
    }
}

/// `POST /v1/layoff-plans`: a layoff pre-report (裁员预报).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LayoffPlanBody {
    /// The enterprise, a registered employer (422 employer.unknown
    /// otherwise).
    #[schema(format = "uuid")]
    pub employer_id: String,
    /// People employed before the layoff.
    #[schema(value_type = PeopleCount)]
    pub workforce: i64,
    /// People to be laid off.
    #[schema(value_type = PeopleCount)]
    pub planned: i64,
    /// Why.
    #[schema(value_type = labex_web::DescriptionText)]
    pub reasons: String,
    /// The day it takes effect, `YYYY-MM-DD`.
    #[schema(format = Date)]
    pub planned_from: String,
    /// What is done for the people concerned.
    #[schema(value_type = labex_web::DescriptionText)]
    pub measures: String,
}

impl LayoffPlanBody {
    /// Parses every field.
    pub fn parse(&self) -> Result<PlanFiling, Error> {
        let mut fields = Validator::new();
        let employer_id = fields.check(
            "employer_id",
            EmployerId::parse(&self.employer_id).map_err(IdCode),
        );
        let workforce = count(&mut fields, "workforce", self.workforce);
        let planned = count(&mut fields, "planned", self.planned);
        let reasons = fields.check("reasons", Description::parse(&self.reasons));
        let planned_from = fields.date("planned_from", &self.planned_from);
        let measures = fields.check("measures", Description::parse(&self.measures));
        fields.finish(|| {
            Some(PlanFiling {
                employer_id: employer_id?,
                details: PlanDetails {
                    workforce: workforce?,
                    planned: planned?,
                    reasons: reasons?,
                    planned_from: planned_from?,
                    measures: measures?,
                },
            })
        })
    }
}

/// `PATCH /v1/layoff-plans/{id}`: only the fields present change.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AmendPlanBody {
    #[serde(default)]
    #[schema(value_type = Option<PeopleCount>)]
    pub workforce: Option<i64>,
    #[serde(default)]
    #[schema(value_type = Option<PeopleCount>)]
    pub planned: Option<i64>,
    #[serde(default)]
    #[schema(value_type = Option<labex_web::DescriptionText>)]
    pub reasons: Option<String>,
    #[serde(default)]
    #[schema(format = Date)]
    pub planned_from: Option<String>,
    #[serde(default)]
    #[schema(value_type = Option<labex_web::DescriptionText>)]
    pub measures: Option<String>,
}

impl AmendPlanBody {
    /// Parses every field present.
    pub fn parse(&self) -> Result<PlanChanges, Error> {
        let mut fields = Validator::new();
        let workforce = self
            .workforce
            .map(|value| count(&mut fields, "workforce", value));
        let planned = self
            .planned
            .map(|value| count(&mut fields, "planned", value));
        let reasons = self
            .reasons
            .as_deref()
            .map(|text| fields.check("reasons", Description::parse(text)));
        let planned_from = self
            .planned_from
            .as_deref()
            .map(|text| fields.date("planned_from", text));
        let measures = self
            .measures
            .as_deref()
            .map(|text| fields.check("measures", Description::parse(text)));
        fields.finish(|| {
            Some(PlanChanges {
                workforce: workforce.map(|value| value.ok_or(())).transpose().ok()?,
                planned: planned.map(|value| value.ok_or(())).transpose().ok()?,
                reasons: reasons.map(|value| value.ok_or(())).transpose().ok()?,
                planned_from: planned_from.map(|value| value.ok_or(())).transpose().ok()?,
                measures: measures.map(|value| value.ok_or(())).transpose().ok()?,
            })
        })
    }
}

/// `POST /v1/layoff-plans/{id}/outcome`.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(as = LayoffOutcomeBody)]
#[serde(deny_unknown_fields)]
pub struct OutcomeBody {
    /// People laid off.
    #[schema(value_type = PeopleCount)]
    pub laid_off: i64,
}

impl OutcomeBody {
    /// Parses it.
    pub fn parse(&self) -> Result<u32, Error> {
        let mut fields = Validator::new();
        let laid_off = count(&mut fields, "laid_off", self.laid_off);
        fields.finish(|| laid_off)
    }
}

/// A worker of a wage-arrears case.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WorkerBody {
    /// The worker, a registered job seeker.
    #[schema(format = "uuid")]
    pub jobseeker_id: String,
    /// Owed, in fen.
    #[schema(value_type = OwedFen)]
    pub owed_fen: i64,
}

/// `POST /v1/wage-arrears`: a wage-arrears case (欠薪).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CaseBody {
    /// The employer, a registered one (422 employer.unknown otherwise).
    #[schema(format = "uuid")]
    pub employer_id: String,
    /// The workers owed, at least one, each named once.
    #[schema(min_items = 1)]
    pub workers: Vec<WorkerBody>,
}

impl CaseBody {
    /// Parses every field; a worker named twice is an error.
    pub fn parse(&self) -> Result<CaseOpening, Error> {
        let mut fields = Validator::new();
        let employer_id = fields.check(
            "employer_id",
            EmployerId::parse(&self.employer_id).map_err(IdCode),
        );
        let mut workers = BTreeMap::new();
        for (index, worker) in self.workers.iter().enumerate() {
            let field = format!("workers[{index}].jobseeker_id");
            let id = fields.check(
                &field,
                JobSeekerId::parse(&worker.jobseeker_id).map_err(IdCode),
            );
            let owed = fields
                .check(
                    &format!("workers[{index}].owed_fen"),
                    within(worker.owed_fen, 1, MAX_FEN),
                )
                .and_then(|owed| u64::try_from(owed).ok());
            if let (Some(id), Some(owed)) = (id, owed)
                && workers.insert(id, owed).is_some()
            {
                fields.check::<(), _>(&field, Err(DuplicateWorker));
            }
        }
        if self.workers.is_empty() {
            fields.fail(
                "workers",
                InputError::MissingField,
                "must name at least one worker",
            );
        }
        fields.finish(|| {
            Some(CaseOpening {
                employer_id: employer_id?,
                workers,
            })
        })
    }
}

/// `POST /v1/wage-arrears/{id}/payments`: what a worker actually received.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PaymentBody {
    /// The worker.
    #[schema(format = "uuid")]
    pub jobseeker_id: String,
    /// Paid, in fen.
    #[schema(value_type = OwedFen)]
    pub amount_fen: i64,
    /// The day, `YYYY-MM-DD` (today when absent).
    #[serde(default)]
    #[schema(format = Date)]
    pub paid_on: Option<String>,
}

impl PaymentBody {
    /// Parses every field.
    pub fn parse(&self, today: chrono::NaiveDate) -> Result<WageArrearsCommand, Error> {
        let mut fields = Validator::new();
        let jobseeker_id = fields.check(
            "jobseeker_id",
            JobSeekerId::parse(&self.jobseeker_id).map_err(IdCode),
        );
        let amount_fen = fields
            .check("amount_fen", within(self.amount_fen, 1, MAX_FEN))
            .and_then(|amount| u64::try_from(amount).ok());
        let paid_on = match self.paid_on.as_deref() {
            None => Some(today),
            Some(text) => fields.date("paid_on", text),
        };
        fields.finish(|| {
            Some(WageArrearsCommand::Pay {
                jobseeker_id: jobseeker_id?,
                amount_fen: amount_fen?,
                paid_on: paid_on?,
            })
        })
    }
}

/// `POST /v1/reports/monthly/submissions`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SubmissionBody {
    /// The region (the caller's office when absent).
    #[serde(default)]
    #[schema(value_type = Option<labex_web::DivisionCode>)]
    pub region: Option<String>,
    /// The month, `YYYY-MM`.
    #[schema(value_type = labex_web::Month)]
    pub period: String,
}

impl SubmissionBody {
    /// Parses every field.
    pub fn parse(&self, office: &DivisionCode) -> Result<(DivisionCode, Period), Error> {
        let mut fields = Validator::new();
        let region = match self.region.as_deref() {
            None => Some(office.clone()),
            Some(text) => fields.check("region", DivisionCode::parse(text)),
        };
        let period = fields.check("period", Period::parse(&self.period));
        fields.finish(|| Some((region?, period?)))
    }
}
