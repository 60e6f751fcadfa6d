//! What the API answers about referrals: one shape, a pure function of
//! the referral's folded state, for a referral read by id and for each
//! item of a list.

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use labex_app::arrears_marks::ArrearsMark;
use labex_domain::Personal;
use labex_domain::referral::Referral;
use labex_domain::value::Note;
use serde::Serialize;
use utoipa::ToSchema;

/// Whether a referral still awaits its outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReferralStatus {
    /// Awaiting its outcome.
    Open,
    /// Ended, with an outcome.
    Concluded,
}

impl ReferralStatus {
    /// Every status.
    pub const ALL: [Self; 2] = [Self::Open, Self::Concluded];

    /// The status of `referral`.
    pub fn of(referral: &Referral) -> Self {
        if referral.is_open() {
            Self::Open
        } else {
            Self::Concluded
        }
    }

    /// Its name in the API (and in the read model).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Concluded => "concluded",
        }
    }

    /// A status by its name.
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|status| status.as_str() == text.trim())
    }
}

/// A moment as the read model sorts it: RFC 3339 in UTC with
/// microseconds, so that the text orders as the time does. Answers give
/// moments in the API's one format, milliseconds (`rfc3339_millis`).
pub fn timestamp(moment: DateTime<Utc>) -> String {
    moment.to_rfc3339_opts(SecondsFormat::Micros, true)
}

/// A referral (职业介绍): who was referred to which vacancy, and how it
/// ended once it has.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct ReferralView {
    pub id: String,
    pub jobseeker_id: String,
    pub vacancy_id: String,
    /// The employer whose vacancy it is.
    pub employer_id: String,
    /// The counsellor's note; `null` once the job seeker's personal data
    /// was erased.
    pub note: Option<String>,
    /// When the referral was made (RFC 3339).
    pub referred_at: String,
    /// `open` while it awaits an outcome, `concluded` once it has one.
    pub status: String,
    /// How it ended; `null` while open.
    pub outcome: Option<OutcomeView>,
    /// The job fair (招聘会) it came from; `null` for none.
    pub fair_id: Option<String>,
    /// The stream revision, also the `ETag`.
    pub revision: u64,
    /// Shown to office staff only, while the employer has open
    /// wage-arrears cases (欠薪): how many, and since the day the oldest
    /// was opened, as it stands now. Absent otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub employer_arrears: Option<ArrearsMark>,
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
            note: known_note(conclusion.note.as_ref()),
        });
        Self {
            id: referral.id.to_string(),
            jobseeker_id: referral.jobseeker_id.to_string(),
            vacancy_id: referral.vacancy_id.to_string(),
            employer_id: referral.employer_id.to_string(),
            note: known_note(referral.note.as_ref()),
            referred_at: labex_domain::rfc3339_millis(referral.referred_at),
            status: ReferralStatus::of(referral).as_str().to_owned(),
            outcome,
            fair_id: referral.fair_id.map(|fair| fair.to_string()),
            revision,
            employer_arrears: None,
        }
    }
}

/// A note's text, unless erased.
fn known_note(note: Option<&Personal<Note>>) -> Option<String> {
    note.and_then(Personal::known)
        .map(|note| note.as_str().to_owned())
}

/// A page of referrals.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReferralPage {
    pub items: Vec<ReferralView>,
    /// The cursor of the next page; `null` on the last.
    pub next_cursor: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_sort_as_text_in_time_order() {
        let earlier: DateTime<Utc> = "2026-11-28T06:00:00.9Z".parse().unwrap();
        let later: DateTime<Utc> = "2026-11-28T06:00:01Z".parse().unwrap();
        assert_eq!(timestamp(later), "2026-11-28T06:00:01.000000Z");
        assert!(timestamp(earlier) < timestamp(later));
    }

    #[test]
    fn statuses_are_open_or_concluded() {
        assert_eq!(ReferralStatus::parse(" open"), Some(ReferralStatus::Open));
        assert_eq!(
            ReferralStatus::parse("concluded"),
            Some(ReferralStatus::Concluded)
        );
        assert_eq!(ReferralStatus::parse("hired"), None);
    }
}
