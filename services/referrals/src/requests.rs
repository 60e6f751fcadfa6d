//! Request bodies as clients send them (raw JSON values), and their
//! parsing into ids and value objects with every invalid field reported.

use chrono::NaiveDate;
use labex_app::{Error, InputError, Validator};
use labex_domain::referral::{RecordReferralOutcome, ReferralOutcome};
use labex_domain::value::Note;
use labex_domain::{FairId, JobSeekerId, VacancyId};
use serde::Deserialize;
use utoipa::ToSchema;

/// `POST /v1/referrals`: refer a job seeker to a vacancy (职业介绍).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReferBody {
    /// The job seeker referred.
    #[schema(format = "uuid")]
    pub jobseeker_id: String,
    /// The vacancy referred to.
    #[schema(format = "uuid")]
    pub vacancy_id: String,
    /// The counsellor's note.
    #[serde(default)]
    #[schema(value_type = Option<labex_web::NoteText>)]
    pub note: Option<String>,
    /// The job fair (招聘会) the referral came from, if any.
    #[serde(default)]
    #[schema(format = "uuid")]
    pub fair_id: Option<String>,
}

/// A referral request, parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refer {
    pub jobseeker_id: JobSeekerId,
    pub vacancy_id: VacancyId,
    pub note: Option<Note>,
    pub fair_id: Option<FairId>,
}

impl ReferBody {
    /// Parses every field; a 422 lists all that are invalid.
    pub fn parse(&self) -> Result<Refer, Error> {
        let mut fields = Validator::new();
        let jobseeker_id = fields.check("jobseeker_id", JobSeekerId::parse(&self.jobseeker_id));
        let vacancy_id = fields.check("vacancy_id", VacancyId::parse(&self.vacancy_id));
        let note = optional_note(&mut fields, self.note.as_deref());
        let fair_id = match self.fair_id.as_deref() {
            None => Some(None),
            Some(text) => fields.check("fair_id", FairId::parse(text)).map(Some),
        };
        fields.finish(|| {
            Some(Refer {
                jobseeker_id: jobseeker_id?,
                vacancy_id: vacancy_id?,
                note: note?,
                fair_id: fair_id?,
            })
        })
    }
}

/// `POST /v1/referrals/{id}/outcome`: how the referral ended.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OutcomeBody {
    /// hired, rejected, no_show or withdrawn.
    #[schema(value_type = labex_web::ReferralOutcomeName)]
    pub outcome: String,
    /// The day, `YYYY-MM-DD` (for a hire, the first day of work).
    #[schema(format = Date)]
    pub date: String,
    /// A note.
    #[serde(default)]
    #[schema(value_type = Option<labex_web::NoteText>)]
    pub note: Option<String>,
}

impl OutcomeBody {
    /// Parses every field; a 422 lists all that are invalid.
    pub fn parse(&self) -> Result<RecordReferralOutcome, Error> {
        let mut fields = Validator::new();
        let outcome = parse_outcome(&self.outcome);
        if outcome.is_none() {
            fields.fail(
                "outcome",
                InputError::ReferralOutcomeUnknown,
                "must be hired, rejected, no_show or withdrawn",
            );
        }
        let date: Option<NaiveDate> = fields.date("date", &self.date);
        let note = optional_note(&mut fields, self.note.as_deref());
        fields.finish(|| {
            Some(RecordReferralOutcome {
                outcome: outcome?,
                date: date?,
                note: note?,
            })
        })
    }
}

/// An outcome by its API name.
pub fn parse_outcome(text: &str) -> Option<ReferralOutcome> {
    match text.trim() {
        "hired" => Some(ReferralOutcome::Hired),
        "rejected" => Some(ReferralOutcome::Rejected),
        "no_show" => Some(ReferralOutcome::NoShow),
        "withdrawn" => Some(ReferralOutcome::Withdrawn),
        _ => None,
    }
}

/// An optional note: `Some(None)` when absent, `None` when invalid.
fn optional_note(fields: &mut Validator, text: Option<&str>) -> Option<Option<Note>> {
    match text {
        None => Some(None),
        Some(text) => fields.check("note", Note::parse(text)).map(Some),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields_of(error: Error) -> Vec<String> {
        error
            .field_errors()
            .iter()
            .map(|error| error.field.clone())
            .collect()
    }

    #[test]
    fn a_referral_with_valid_ids_and_a_note_parses() {
        let body = ReferBody {
            jobseeker_id: "0190f5a8-3c1e-7d2a-9b4f-0123456789ab".to_owned(),
            vacancy_id: "0190f5a8-3c1e-7d2a-9b4f-0123456789ac".to_owned(),
            note: Some("已电话确认面试时间".to_owned()),
            fair_id: Some("0190f5a8-3c1e-7d2a-9b4f-0123456789ad".to_owned()),
        };
        let refer = body.parse().unwrap();
        assert_eq!(refer.note.unwrap().as_str(), "已电话确认面试时间");
        assert_eq!(
            refer.fair_id.map(|fair| fair.to_string()).as_deref(),
            Some("0190f5a8-3c1e-7d2a-9b4f-0123456789ad")
        );
    }

    #[test]
    fn every_bad_field_of_a_referral_is_listed() {
        let body = ReferBody {
            jobseeker_id: "42".to_owned(),
            vacancy_id: "vacancy".to_owned(),
            note: Some("\u{1b}[31m".to_owned()),
            fair_id: Some("fair".to_owned()),
        };
        assert_eq!(
            fields_of(body.parse().unwrap_err()),
            ["jobseeker_id", "vacancy_id", "note", "fair_id"]
        );
    }

    #[test]
    fn outcomes_take_the_four_names_and_a_calendar_date() {
        let body = OutcomeBody {
            outcome: "no_show".to_owned(),
            date: "2026-11-30".to_owned(),
            note: None,
        };
        let outcome = body.parse().unwrap();
        assert_eq!(outcome.outcome, ReferralOutcome::NoShow);
        assert_eq!(outcome.date.to_string(), "2026-11-30");
        let bad = OutcomeBody {
            outcome: "Hired".to_owned(),
            date: "2026-02-30".to_owned(),
            note: None,
        };
        assert_eq!(fields_of(bad.parse().unwrap_err()), ["outcome", "date"]);
    }
}
