//! Reading `?as_of=` and `?office=`; the validation of request fields is
//! [`labex_app::Validator`], re-exported.

use chrono::{DateTime, Utc};
use labex_domain::value::DivisionCode;

use crate::error::ApiError;

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

/// Parses `?office=` of an office's list: a division code, or a 400
/// problem.
pub fn parse_office(text: Option<&str>) -> Result<Option<DivisionCode>, ApiError> {
    text.map(DivisionCode::parse).transpose().map_err(|_| {
        ApiError::invalid_query("office must be a six-digit administrative division code.")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn as_of_is_rfc_3339() {
        assert!(parse_as_of(Some("yesterday")).is_err());
        assert!(
            parse_as_of(Some("2026-11-28T09:00:00+08:00"))
                .unwrap()
                .is_some()
        );
        assert_eq!(parse_as_of(None).unwrap(), None);
    }

    #[test]
    fn an_office_is_a_division_code() {
        assert_eq!(
            parse_office(Some("41")).unwrap_err().code(),
            "invalid_query"
        );
        assert_eq!(
            parse_office(Some("410100"))
                .unwrap()
                .map(|office| office.to_string()),
            Some("410100".to_owned())
        );
        assert_eq!(parse_office(None).unwrap(), None);
    }
}
