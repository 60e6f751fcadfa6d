//! Request fields checked into value objects: [`Validator`] collects every
//! invalid field of a request before answering, so that a client learns
//! all that is wrong at once; each [`FieldError`] carries a stable code,
//! either a value object's own (`resident_id.check_character`) or an
//! [`InputError`] of the request itself (`date.invalid`).

use std::fmt;

use chrono::{DateTime, NaiveDate, Utc};
use labex_domain::Coded;
use serde::Serialize;

use crate::error::Error;

macro_rules! input_errors {
    ($($(#[$doc:meta])* $variant:ident => $code:literal,)*) => {
        /// Every code of a field error that belongs to the request rather
        /// than to a value object: what a field of the body or the query
        /// string got wrong. Codes never change once published.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum InputError {
            $($(#[$doc])* $variant,)*
        }

        impl InputError {
            /// Every entry, for tests and documentation.
            pub const ALL: &'static [InputError] = &[$(InputError::$variant,)*];
        }

        impl Coded for InputError {
            fn code(&self) -> &'static str {
                match self { $(Self::$variant => $code,)* }
            }
        }
    };
}

input_errors! {
    /// A required field of the body is missing.
    MissingField => "body.missing_field",
    /// Not a calendar date written `YYYY-MM-DD`.
    DateInvalid => "date.invalid",
    /// Not a time in RFC 3339.
    TimeInvalid => "time.invalid",
    /// A salary field that cannot be a salary (a minimum above the maximum).
    SalaryInvalid => "salary.invalid",
    /// A PATCH that changes nothing.
    UpdateEmpty => "update.empty",
    /// A field only office staff may change, sent by someone else.
    StaffOnly => "update.staff_only",
    /// A reason for closing a vacancy that is not one of the reasons.
    CloseReasonUnknown => "close_reason.unknown",
    /// An outcome of a referral that is not one of the outcomes.
    ReferralOutcomeUnknown => "referral_outcome.unknown",
    /// A ground of erasure that is not one of the grounds (PIPL art. 47).
    ErasureGroundUnknown => "erasure_ground.unknown",
    /// An employer id that names no registered employer.
    EmployerUnknown => "employer.unknown",
    /// A job-seeker id that names no registered job seeker.
    JobSeekerUnknown => "jobseeker.unknown",
    /// A vacancy id that names no published vacancy.
    VacancyUnknown => "vacancy.unknown",
    /// A training-provider id that names no registered provider.
    ProviderUnknown => "provider.unknown",
    /// An amount of yuan that cannot be one (negative, or too large).
    AmountInvalid => "amount.invalid",
    /// A stage of a one-stop service case that is not one of the stages.
    CaseStageUnknown => "case_stage.unknown",
    /// A review decision that is neither approved nor rejected.
    ReviewDecisionUnknown => "review_decision.unknown",
    /// A loan with neither a guarantor nor a ground for going without
    /// collateral, or with both.
    LoanSecurity => "loan_security.required",
    /// A query parameter that must be given is missing or empty.
    QueryRequired => "query.required",
    /// A query text longer than allowed.
    QueryTooLong => "query.too_long",
    /// A query parameter that is not a whole number.
    QueryNumber => "query.number",
    /// A query parameter that is not `true` or `false`.
    QueryBoolean => "query.boolean",
    /// A query parameter outside its range (a minimum above a maximum).
    QueryRange => "query.range",
    /// A sort order that is not one of the orders.
    QuerySort => "query.sort",
    /// A status filter that is not one of the statuses.
    QueryStatus => "query.status",
    /// A division code in the query string that is not six digits.
    DivisionCodeInvalid => "division_code.invalid",
    /// An occupation code (or prefix) in the query string that is not one
    /// of the occupational classification.
    OccupationCodeInvalid => "occupation_code.invalid",
    /// An education level in the query string that is not one of the levels.
    EducationUnknown => "education.unknown",
    /// A job-seeker category in the query string that is not one of them.
    CategoryUnknown => "job_seeker_category.unknown",
    /// A feed position that is not one this service issued, or names no
    /// event.
    FeedPosition => "feed.position",
    /// A readiness check that failed (in `/readyz`'s problem).
    ReadinessFailed => "readiness.failed",
    /// A list with more items than one request may carry.
    ListTooLong => "list.too_long",
    /// A person named twice in one list (the same resident ID number).
    PersonRepeated => "person.repeated",
    /// A job seeker registered with an office outside the caller's scope.
    JobSeekerOutsideScope => "jobseeker.outside_scope",
}

/// One invalid field of a request, as listed in a problem's `errors`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct FieldError {
    /// The field, named as in the API (`id_number`, `skills[2]`).
    pub field: String,
    /// A stable machine code (`resident_id.check_character`).
    #[schema(value_type = String)]
    pub code: &'static str,
    /// A sentence saying what is wrong.
    pub detail: String,
}

impl FieldError {
    /// A field error from a value object's error: its stable code, and its
    /// lowercase message turned into a sentence.
    pub fn new<E>(field: &str, error: &E) -> Self
    where
        E: Coded + fmt::Display,
    {
        Self {
            field: field.to_owned(),
            code: error.code(),
            detail: sentence(&error.to_string()),
        }
    }

    /// A field error of the request itself; `detail` finishes a sentence
    /// that starts with the field's name ("must be a date …").
    pub fn input(field: &str, error: InputError, detail: &str) -> Self {
        Self {
            field: field.to_owned(),
            code: error.code(),
            detail: sentence(&format!("{field} {detail}")),
        }
    }

    /// A field error of the request whose detail is a whole sentence.
    pub fn with_sentence(field: &str, error: InputError, detail: impl Into<String>) -> Self {
        Self {
            field: field.to_owned(),
            code: error.code(),
            detail: detail.into(),
        }
    }
}

/// Collects the field errors of one request while its fields are parsed.
#[derive(Debug, Default)]
pub struct Validator {
    errors: Vec<FieldError>,
}

impl Validator {
    /// A validator with no errors yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// The value, or `None` with the error noted against `field`.
    pub fn check<T, E>(&mut self, field: &str, result: Result<T, E>) -> Option<T>
    where
        E: Coded + fmt::Display,
    {
        result
            .map_err(|error| self.errors.push(FieldError::new(field, &error)))
            .ok()
    }

    /// Parses each item of a list; errors name the item (`skills[2]`).
    pub fn each<T, E, C>(
        &mut self,
        field: &str,
        items: &[String],
        parse: impl Fn(&str) -> Result<T, E>,
    ) -> Option<C>
    where
        E: Coded + fmt::Display,
        C: FromIterator<T>,
    {
        let before = self.errors.len();
        let parsed: Vec<T> = items
            .iter()
            .enumerate()
            .filter_map(|(index, item)| self.check(&format!("{field}[{index}]"), parse(item)))
            .collect();
        (self.errors.len() == before).then(|| parsed.into_iter().collect())
    }

    /// A calendar date `YYYY-MM-DD`.
    pub fn date(&mut self, field: &str, text: &str) -> Option<NaiveDate> {
        NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
            .map_err(|_| {
                self.fail(
                    field,
                    InputError::DateInvalid,
                    "must be a date written YYYY-MM-DD",
                )
            })
            .ok()
    }

    /// A moment in RFC 3339 (`2026-11-28T09:00:00+08:00`).
    pub fn instant(&mut self, field: &str, text: &str) -> Option<DateTime<Utc>> {
        DateTime::parse_from_rfc3339(text.trim())
            .map(|moment| moment.with_timezone(&Utc))
            .map_err(|_| {
                self.fail(
                    field,
                    InputError::TimeInvalid,
                    "must be a time in RFC 3339, such as 2026-11-28T09:00:00+08:00",
                )
            })
            .ok()
    }

    /// Notes an error of the request itself against `field`; `detail`
    /// finishes a sentence that starts with the field's name.
    pub fn fail(&mut self, field: &str, error: InputError, detail: &str) {
        self.errors.push(FieldError::input(field, error, detail));
    }

    /// Notes a field error made elsewhere.
    pub fn push(&mut self, error: FieldError) {
        self.errors.push(error);
    }

    /// Whether any field failed so far.
    pub fn has_errors(&self) -> bool {
        !self.errors.is_empty()
    }

    /// `Ok(value)` when every field parsed, else [`Error::Invalid`] listing
    /// them all. `value` runs only when there were no errors, so it may
    /// unwrap what [`check`](Self::check) returned.
    pub fn finish<T>(self, value: impl FnOnce() -> Option<T>) -> Result<T, Error> {
        if self.errors.is_empty()
            && let Some(value) = value()
        {
            return Ok(value);
        }
        Err(Error::Invalid(self.errors))
    }

    /// As [`finish`](Self::finish), for query parameters: the errors are
    /// [`Error::InvalidQuery`].
    pub fn finish_query<T>(self, value: impl FnOnce() -> Option<T>) -> Result<T, Error> {
        self.finish(value).map_err(|error| match error {
            Error::Invalid(errors) => Error::InvalidQuery(errors),
            other => other,
        })
    }
}

/// A lowercase log-style message as a sentence: capitalised, full stop.
pub fn sentence(message: &str) -> String {
    let mut characters = message.chars();
    let mut text = match characters.next() {
        Some(first) => first.to_uppercase().chain(characters).collect::<String>(),
        None => return String::new(),
    };
    if !text.ends_with(['.', '?', '!']) {
        text.push('.');
    }
    text
}

#[cfg(test)]
mod tests {
    use labex_domain::value::{Education, Label};

    use super::*;

    #[test]
    fn every_bad_field_is_reported_once() {
        let mut validator = Validator::new();
        let education = validator.check("education", Education::parse("phd"));
        let skills: Option<Vec<Label>> = validator.each(
            "skills",
            &["welding".to_owned(), " ".to_owned()],
            Label::parse,
        );
        let date = validator.date("started_on", "2026-13-01");
        assert!(education.is_none() && skills.is_none() && date.is_none());
        let Err(Error::Invalid(errors)) = validator.finish(|| Some(())) else {
            panic!("invalid fields");
        };
        let fields: Vec<_> = errors.iter().map(|error| error.field.clone()).collect();
        assert_eq!(fields, ["education", "skills[1]", "started_on"]);
        assert_eq!(errors[2].code, "date.invalid");
        assert_eq!(
            errors[2].detail,
            "Started_on must be a date written YYYY-MM-DD."
        );
    }

    #[test]
    fn good_fields_finish() {
        let mut validator = Validator::new();
        let date = validator.date("on", "2026-11-28");
        let value = validator.finish(|| date).unwrap();
        assert_eq!(value.to_string(), "2026-11-28");
    }

    #[test]
    fn input_codes_are_unique_and_dotted() {
        let mut codes: Vec<_> = InputError::ALL.iter().map(Coded::code).collect();
        for code in &codes {
            assert!(
                code.chars()
                    .all(|c| c.is_ascii_lowercase() || c == '_' || c == '.')
                    && code.contains('.'),
                "{code}"
            );
        }
        codes.sort_unstable();
        let count = codes.len();
        codes.dedup();
        assert_eq!(codes.len(), count);
    }

    #[test]
    fn log_messages_become_sentences() {
        assert_eq!(sentence("the vacancy is closed"), "The vacancy is closed.");
        assert_eq!(sentence("Done."), "Done.");
    }
}
