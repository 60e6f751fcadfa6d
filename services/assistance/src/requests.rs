//! Request bodies as clients send them (raw JSON values), and their
//! parsing into ids and value objects with every invalid field reported.

use std::collections::BTreeSet;

use chrono::NaiveDate;
use labex_app::{Error, Validator};
use labex_domain::JobSeekerId;
use labex_domain::household::{
    Address, ContactChannel, ExitReason, Measure, UnknownName, VerificationDecision,
};
use labex_domain::value::{DivisionCode, Note};
use serde::Deserialize;
use utoipa::ToSchema;

/// `POST /v1/households`: a household's declaration (申报).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DeclareBody {
    /// The office that keeps its register (division code); the caller's
    /// office when absent.
    #[serde(default)]
    #[schema(value_type = Option<labex_web::DivisionCode>)]
    pub office: Option<String>,
    /// Where the household lives (one line, at most 100 characters).
    #[schema(value_type = labex_web::TitleText)]
    pub address: String,
    /// The job-seeker ids of its working-age members, all registered.
    #[schema(value_type = Vec<labex_web::IdText>, min_items = 1)]
    pub members: Vec<String>,
    /// The day of the declaration, `YYYY-MM-DD`; today when absent.
    #[serde(default)]
    #[schema(format = Date)]
    pub declared_on: Option<String>,
}

/// A declaration, parsed.
#[derive(Debug, Clone)]
pub struct Declaration {
    pub office: Option<DivisionCode>,
    pub address: Address,
    pub members: Vec<JobSeekerId>,
    pub declared_on: Option<NaiveDate>,
}

impl DeclareBody {
    /// Parses every field; a 422 lists all that are invalid.
    pub fn parse(&self) -> Result<Declaration, Error> {
        let mut fields = Validator::new();
        let office = self
            .office
            .as_deref()
            .map(|office| fields.check("office", DivisionCode::parse(office)));
        let address = fields.check("address", Address::parse(&self.address));
        let members: Option<Vec<JobSeekerId>> =
            fields.each("members", &self.members, JobSeekerId::parse);
        let declared_on = self
            .declared_on
            .as_deref()
            .map(|day| fields.date("declared_on", day));
        fields.finish(|| {
            Some(Declaration {
                office: office.map_or(Some(None), |office| office.map(Some))?,
                address: address?,
                members: members?,
                declared_on: declared_on.map_or(Some(None), |day| day.map(Some))?,
            })
        })
    }
}

/// `POST /v1/households/{id}/verification`: the office's decision (审核).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VerificationBody {
    /// verified (enters the register) or rejected.
    #[schema(value_type = VerificationDecisionName)]
    pub decision: String,
    /// The office's note (入户核实 …); a rejection must say why
    /// (`note_required` otherwise).
    #[serde(default)]
    #[schema(value_type = Option<labex_web::NoteText>)]
    pub note: Option<String>,
    /// The day of the decision, `YYYY-MM-DD`; today when absent.
    #[serde(default)]
    #[schema(format = Date)]
    pub on: Option<String>,
}

/// A decision, parsed.
#[derive(Debug, Clone)]
pub struct Verification {
    pub decision: VerificationDecision,
    pub note: Option<Note>,
    pub on: Option<NaiveDate>,
}

impl VerificationBody {
    /// Parses every field; a 422 lists all that are invalid.
    pub fn parse(&self) -> Result<Verification, Error> {
        let mut fields = Validator::new();
        let decision = fields.check("decision", parse_decision(&self.decision));
        let note = optional_note(&mut fields, self.note.as_deref());
        let on = optional_date(&mut fields, "on", self.on.as_deref());
        fields.finish(|| {
            Some(Verification {
                decision: decision?,
                note: note?,
                on: on?,
            })
        })
    }
}

/// The decisions of a verification by their names.
const VERIFICATION_DECISIONS: [(&str, VerificationDecision); 2] = [
    ("verified", VerificationDecision::Verified),
    ("rejected", VerificationDecision::Rejected),
];

labex_web::value_schema!(
    /// A verification's decision.
    pub VerificationDecisionName,
    labex_web::names(
        "verified (the household enters the register) or rejected.",
        VERIFICATION_DECISIONS.map(|(name, _)| name),
    )
);

fn parse_decision(text: &str) -> Result<VerificationDecision, UnknownName> {
    VERIFICATION_DECISIONS
        .iter()
        .find(|(name, _)| *name == text.trim())
        .map(|(_, decision)| *decision)
        .ok_or(UnknownName {
            code: "verification_decision.unknown",
            expected: &["verified", "rejected"],
        })
}

/// `POST /v1/households/{id}/exit`: the household leaves the register for
/// a reason other than work.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExitBody {
    /// moved_away, no_longer_eligible, refused_referrals or other.
    #[schema(value_type = labex_web::HouseholdExitReasonName)]
    pub reason: String,
    /// For refused_referrals: how many suitable referrals a member refused.
    #[serde(default)]
    pub refused_referrals: Option<u32>,
    /// The office's note (required for other).
    #[serde(default)]
    #[schema(value_type = Option<labex_web::NoteText>)]
    pub note: Option<String>,
    /// The day, `YYYY-MM-DD`; today when absent.
    #[serde(default)]
    #[schema(format = Date)]
    pub on: Option<String>,
}

/// An exit, parsed.
#[derive(Debug, Clone)]
pub struct Departure {
    pub reason: ExitReason,
    pub refused_referrals: Option<u32>,
    pub note: Option<Note>,
    pub on: Option<NaiveDate>,
}

impl ExitBody {
    /// Parses every field; a 422 lists all that are invalid.
    pub fn parse(&self) -> Result<Departure, Error> {
        let mut fields = Validator::new();
        let reason = fields.check("reason", ExitReason::parse(&self.reason));
        let note = optional_note(&mut fields, self.note.as_deref());
        let on = optional_date(&mut fields, "on", self.on.as_deref());
        fields.finish(|| {
            Some(Departure {
                reason: reason?,
                refused_referrals: self.refused_referrals,
                note: note?,
                on: on?,
            })
        })
    }
}

/// `POST /v1/households/{id}/plan`: the one-to-one assistance plan.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PlanBody {
    /// The counsellor responsible (user id); the caller when absent.
    #[serde(default)]
    #[schema(value_type = Option<labex_web::LabelText>)]
    pub counsellor: Option<String>,
    /// policy_consultation, job_referral, training, public_welfare_post,
    /// entrepreneurship_support.
    #[schema(value_type = Vec<labex_web::MeasureName>)]
    pub measures: Vec<String>,
    /// When the next contact is due, `YYYY-MM-DD`.
    #[schema(format = Date)]
    pub next_contact_due: String,
    /// The day the plan is made; today when absent.
    #[serde(default)]
    #[schema(format = Date)]
    pub made_on: Option<String>,
}

/// A plan, parsed.
#[derive(Debug, Clone)]
pub struct PlanRequest {
    pub counsellor: Option<String>,
    pub measures: BTreeSet<Measure>,
    pub next_contact_due: NaiveDate,
    pub made_on: Option<NaiveDate>,
}

impl PlanBody {
    /// Parses every field; a 422 lists all that are invalid.
    pub fn parse(&self) -> Result<PlanRequest, Error> {
        let mut fields = Validator::new();
        let counsellor = self.counsellor.as_deref().map(|counsellor| {
            fields.check("counsellor", labex_domain::value::Label::parse(counsellor))
        });
        let measures = fields.each("measures", &self.measures, Measure::parse);
        let next_contact_due = fields.date("next_contact_due", &self.next_contact_due);
        let made_on = optional_date(&mut fields, "made_on", self.made_on.as_deref());
        fields.finish(|| {
            Some(PlanRequest {
                counsellor: counsellor.map_or(Some(None), |label| {
                    label.map(|label| Some(label.as_str().to_owned()))
                })?,
                measures: measures?,
                next_contact_due: next_contact_due?,
                made_on: made_on?,
            })
        })
    }
}

/// `POST /v1/households/{id}/contacts`: a follow-up contact.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContactBody {
    /// visit, phone or online.
    #[schema(value_type = labex_web::ContactChannelName)]
    pub channel: String,
    /// What was delivered (measures, as in the plan).
    #[serde(default)]
    #[schema(value_type = Vec<labex_web::MeasureName>)]
    pub measures: Vec<String>,
    /// The day of the contact; today when absent.
    #[serde(default)]
    #[schema(format = Date)]
    pub contacted_on: Option<String>,
    /// When the next contact is due, `YYYY-MM-DD`.
    #[schema(format = Date)]
    pub next_contact_due: String,
    /// What was said and agreed.
    #[serde(default)]
    #[schema(value_type = Option<labex_web::NoteText>)]
    pub note: Option<String>,
}

/// A contact, parsed.
#[derive(Debug, Clone)]
pub struct ContactRequest {
    pub channel: ContactChannel,
    pub measures: BTreeSet<Measure>,
    pub contacted_on: Option<NaiveDate>,
    pub next_contact_due: NaiveDate,
    pub note: Option<Note>,
}

impl ContactBody {
    /// Parses every field; a 422 lists all that are invalid.
    pub fn parse(&self) -> Result<ContactRequest, Error> {
        let mut fields = Validator::new();
        let channel = fields.check("channel", ContactChannel::parse(&self.channel));
        let measures = fields.each("measures", &self.measures, Measure::parse);
        let contacted_on = optional_date(&mut fields, "contacted_on", self.contacted_on.as_deref());
        let next_contact_due = fields.date("next_contact_due", &self.next_contact_due);
        let note = optional_note(&mut fields, self.note.as_deref());
        fields.finish(|| {
            Some(ContactRequest {
                channel: channel?,
                measures: measures?,
                contacted_on: contacted_on?,
                next_contact_due: next_contact_due?,
                note: note?,
            })
        })
    }
}

/// An optional note: `Some(None)` when absent, `None` when invalid.
fn optional_note(fields: &mut Validator, text: Option<&str>) -> Option<Option<Note>> {
    match text {
        None => Some(None),
        Some(text) => fields.check("note", Note::parse(text)).map(Some),
    }
}

/// An optional date: `Some(None)` when absent, `None` when invalid.
fn optional_date(
    fields: &mut Validator,
    field: &str,
    text: Option<&str>,
) -> Option<Option<NaiveDate>> {
    match text {
        None => Some(None),
        Some(text) => fields.date(field, text).map(Some),
    }
}

/// `POST /v1/welfare-placements/{id}/exit`: a placement ends before its
/// period is over.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WelfareExitBody {
    /// moved_to_regular_job or ended.
    #[schema(value_type = labex_web::WelfareExitReasonName)]
    pub reason: String,
    /// The day, `YYYY-MM-DD`; today when absent.
    #[serde(default)]
    #[schema(format = Date)]
    pub on: Option<String>,
    /// The office's note.
    #[serde(default)]
    #[schema(value_type = Option<labex_web::NoteText>)]
    pub note: Option<String>,
}

/// A placement's exit, parsed.
#[derive(Debug, Clone)]
pub struct WelfareExit {
    pub reason: labex_domain::welfare::WelfareExitReason,
    pub on: Option<NaiveDate>,
    pub note: Option<Note>,
}

impl WelfareExitBody {
    /// Parses every field; a 422 lists all that are invalid.
    pub fn parse(&self) -> Result<WelfareExit, Error> {
        let mut fields = Validator::new();
        let reason = fields.check(
            "reason",
            labex_domain::welfare::WelfareExitReason::parse(&self.reason),
        );
        let on = optional_date(&mut fields, "on", self.on.as_deref());
        let note = optional_note(&mut fields, self.note.as_deref());
        fields.finish(|| {
            Some(WelfareExit {
                reason: reason?,
                on: on?,
                note: note?,
            })
        })
    }
}

/// `POST /v1/internships`: an internship agreement (就业见习协议).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InternshipBody {
    /// The intern: a registered graduate, or a registered-unemployed young
    /// person (422 jobseeker.unknown for an id no job seeker has).
    #[schema(format = "uuid")]
    pub jobseeker_id: String,
    /// The host employer (见习单位), a registered one (422
    /// employer.unknown otherwise).
    #[schema(format = "uuid")]
    pub employer_id: String,
    /// How many months (the office's range, 3 to 12 by default).
    pub months: u32,
    /// The monthly subsidy in fen (分).
    pub monthly_subsidy_fen: u64,
    /// The tutor's name (带教老师).
    #[schema(value_type = labex_web::PersonNameText)]
    pub tutor: String,
}

impl InternshipBody {
    /// Parses every field; a 422 lists all that are invalid.
    pub fn parse(&self) -> Result<crate::internships::Agreement, Error> {
        let mut fields = Validator::new();
        let jobseeker_id = fields.check("jobseeker_id", JobSeekerId::parse(&self.jobseeker_id));
        let employer_id = fields.check(
            "employer_id",
            labex_domain::EmployerId::parse(&self.employer_id),
        );
        let tutor = fields.check("tutor", labex_domain::value::PersonName::parse(&self.tutor));
        fields.finish(|| {
            Some(crate::internships::Agreement {
                jobseeker_id: jobseeker_id?,
                employer_id: employer_id?,
                months: self.months,
                monthly_subsidy_fen: self.monthly_subsidy_fen,
                tutor: tutor?,
            })
        })
    }
}

/// `POST /v1/internships/{id}/start` and `/completion`: the day.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DayBody {
    /// `YYYY-MM-DD`; today when absent.
    #[serde(default)]
    pub on: Option<String>,
}

impl DayBody {
    /// The day, today when absent.
    pub fn parse(&self) -> Result<NaiveDate, Error> {
        let mut fields = Validator::new();
        let on = optional_date(&mut fields, "on", self.on.as_deref());
        fields.finish(|| {
            on.map(|on| on.unwrap_or_else(|| labex_domain::china_date(chrono::Utc::now())))
        })
    }
}

/// `POST /v1/internships/{id}/attendance`: a month's attendance.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(as = InternshipAttendanceBody)]
#[serde(deny_unknown_fields)]
pub struct AttendanceBody {
    /// The month, `YYYY-MM`.
    pub month: String,
    /// Days attended.
    pub days_attended: u32,
    /// Working days of the month at the host.
    pub working_days: u32,
}

impl AttendanceBody {
    /// The command, or every invalid field.
    pub fn parse(&self) -> Result<labex_domain::internship::InternshipCommand, Error> {
        let mut fields = Validator::new();
        let month = fields.date("month", &format!("{}-01", self.month.trim()));
        fields.finish(|| {
            Some(
                labex_domain::internship::InternshipCommand::RecordAttendance {
                    month: month?,
                    days_attended: self.days_attended,
                    working_days: self.working_days,
                },
            )
        })
    }
}

/// `POST /v1/internships/{id}/end`: ended early.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EndBody {
    /// Why.
    pub reason: String,
    /// `YYYY-MM-DD`; today when absent.
    #[serde(default)]
    pub on: Option<String>,
}

impl EndBody {
    /// The command, or every invalid field.
    pub fn parse(&self) -> Result<labex_domain::internship::InternshipCommand, Error> {
        let mut fields = Validator::new();
        let reason = fields.check("reason", Note::parse(&self.reason));
        let on = optional_date(&mut fields, "on", self.on.as_deref());
        fields.finish(|| {
            Some(labex_domain::internship::InternshipCommand::EndEarly {
                on: on?.unwrap_or_else(|| labex_domain::china_date(chrono::Utc::now())),
                reason: reason?,
            })
        })
    }
}
