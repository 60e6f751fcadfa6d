//! Turning a request body of raw values into value objects, collecting
//! every invalid field before answering, so that a client learns all that
//! is wrong with its request at once.

use std::fmt;

use chrono::{DateTime, NaiveDate, Utc};

use crate::error::{ApiError, FieldError};

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
        E: labex_domain::ErrorCode + fmt::Display,
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
        E: labex_domain::ErrorCode + fmt::Display,
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
            .map_err(|_| self.fail(field, "date.invalid", "must be a date written YYYY-MM-DD"))
            .ok()
    }

    /// A moment in RFC 3339 (`2026-11-28T09:00:00+08:00`).
    pub fn instant(&mut self, field: &str, text: &str) -> Option<DateTime<Utc>> {
        DateTime::parse_from_rfc3339(text.trim())
            .map(|moment| moment.with_timezone(&Utc))
            .map_err(|_| {
                self.fail(
                    field,
                    "time.invalid",
                    "must be a time in RFC 3339, such as 2026-11-28T09:00:00+08:00",
                )
            })
            .ok()
    }

    /// Notes an error of the request itself against `field`.
    pub fn fail(&mut self, field: &str, code: &str, detail: &str) {
        self.errors.push(FieldError {
            field: field.to_owned(),
            code: code.to_owned(),
            detail: crate::error::sentence(&format!("{field} {detail}")),
        });
    }

    /// Whether any field failed so far.
    pub fn has_errors(&self) -> bool {
        !self.errors.is_empty()
    }

    /// `Ok(value)` when every field parsed, else a 422 listing them all.
    /// `value` runs only when there were no errors, so it may unwrap what
    /// [`check`](Self::check) returned.
    pub fn finish<T>(self, value: impl FnOnce() -> Option<T>) -> Result<T, ApiError> {
        if self.errors.is_empty()
            && let Some(value) = value()
        {
            return Ok(value);
        }
        Err(ApiError::validation(self.errors))
    }
}

/// Parses `?as_of=`: an RFC 3339 moment, or a 400 problem.
pub fn parse_as_of(text: Option<&str>) -> Result<Option<DateTime<Utc>>, ApiError> {
    text.map(|text| {
        DateTime::parse_from_rfc3339(text.trim())
            .map(|moment| moment.with_timezone(&Utc))
            .map_err(|_| {
                ApiError::new(
                    crate::error::ErrorCode::InvalidQuery,
                    "as_of must be a time in RFC 3339, such as 2026-11-28T09:00:00+08:00.",
                )
            })
    })
    .transpose()
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
        let error = validator.finish(|| Some(())).unwrap_err();
        let fields: Vec<_> = error
            .problem()
            .errors
            .iter()
            .map(|error| error.field.clone())
            .collect();
        assert_eq!(fields, ["education", "skills[1]", "started_on"]);
    }

    #[test]
    fn good_fields_finish() {
        let mut validator = Validator::new();
        let date = validator.date("on", "2026-11-28");
        let value = validator.finish(|| date).unwrap();
        assert_eq!(value.to_string(), "2026-11-28");
        assert!(parse_as_of(Some("yesterday")).is_err());
        assert!(
            parse_as_of(Some("2026-11-28T09:00:00+08:00"))
                .unwrap()
                .is_some()
        );
        assert_eq!(parse_as_of(None).unwrap(), None);
    }
}
