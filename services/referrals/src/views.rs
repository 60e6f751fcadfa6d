//! What the API answers about referrals: one shape for a referral read by
//! id and for each item of a list.

use chrono::NaiveDate;
use labex_domain::referral::Referral;
use serde::Serialize;
use utoipa::ToSchema;

use crate::read_model::{CONCLUDED, OPEN, timestamp};

/// A referral (职业介绍): who was referred to which vacancy, and how it
/// ended once it has.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct ReferralView {
    pub id: String,
    pub jobseeker_id: String,
    pub vacancy_id: String,
    /// The employer whose vacancy it is.
    pub employer_id: String,
    /// The counsellor's note.
    pub note: Option<String>,
    /// When the referral was made (RFC 3339).
    pub referred_at: String,
    /// `open` while it awaits an outcome, `concluded` once it has one.
    pub status: String,
    /// How it ended; `null` while open.
    pub outcome: Option<OutcomeView>,
    /// The stream revision, also the `ETag`.
    pub revision: u64,
}

/// How a referral ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct OutcomeView {
    /// hired, rejected, no_show or withdrawn.
    pub outcome: String,
    /// The day (for a hire, the first day of work).
    #[schema(value_type = String, format = Date)]
    pub date: NaiveDate,
    pub note: Option<String>,
}

impl ReferralView {
    /// The view of `referral` at `revision`.
    pub fn new(referral: &Referral, revision: u64) -> Self {
        let outcome = referral.conclusion.as_ref().map(|conclusion| OutcomeView {
            outcome: conclusion.outcome.as_str().to_owned(),
            date: conclusion.date,
            note: conclusion
                .note
                .as_ref()
                .map(|note| note.as_str().to_owned()),
        });
        Self {
            id: referral.id.to_string(),
            jobseeker_id: referral.jobseeker_id.to_string(),
            vacancy_id: referral.vacancy_id.to_string(),
            employer_id: referral.employer_id.to_string(),
            note: referral.note.as_ref().map(|note| note.as_str().to_owned()),
            referred_at: timestamp(referral.referred_at),
            status: if referral.is_open() { OPEN } else { CONCLUDED }.to_owned(),
            outcome,
            revision,
        }
    }
}

/// A page of referrals.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReferralPage {
    pub items: Vec<ReferralView>,
    /// The cursor of the next page; `null` on the last.
    pub next_cursor: Option<String>,
}
