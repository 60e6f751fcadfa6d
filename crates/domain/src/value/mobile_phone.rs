//! Mainland China mobile phone numbers.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::refusal::Coded;

/// A mainland mobile number, stored as its 11 digits (`13800138000`).
///
/// Parsing accepts the country code (`+86`, `86`, `0086`) and spaces or
/// dashes as people write them (`+86 138-0013-8000`). It is personal data:
/// [`Debug`](fmt::Debug) and [`Display`](fmt::Display) print the masked
/// form (`138****8000`); [`as_str`](Self::as_str) gives the digits.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct MobilePhone(String);

/// Why a text is not a mainland mobile number.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MobilePhoneError {
    /// A character other than digits, spaces, dashes and a leading `+`.
    #[error("a mobile number has only digits, spaces, dashes and a leading +")]
    Characters,
    /// Not 11 digits once the country code is removed.
    #[error("a mainland mobile number has 11 digits, not {actual}")]
    Length {
        /// How many digits remained.
        actual: usize,
    },
    /// Does not start with 1 followed by 3–9.
    #[error("a mainland mobile number starts with 13 to 19")]
    Prefix,
}

impl Coded for MobilePhoneError {
    fn code(&self) -> &'static str {
        match self {
            Self::Characters => "mobile_phone.characters",
            Self::Length { .. } => "mobile_phone.length",
            Self::Prefix => "mobile_phone.prefix",
        }
    }
}

impl MobilePhone {
    /// Parses a number, normalising it to its 11 digits.
    pub fn parse(input: &str) -> Result<Self, MobilePhoneError> {
        let trimmed = input.trim();
        let (had_plus, rest) = match trimmed.strip_prefix('+') {
            Some(rest) => (true, rest),
            None => (false, trimmed),
        };
        let mut digits = String::with_capacity(rest.len());
        for character in rest.chars() {
            match character {
                '0'..='9' => digits.push(character),
                ' ' | '-' => {}
                _ => return Err(MobilePhoneError::Characters),
            }
        }
        let national = if had_plus {
            digits.strip_prefix("86").ok_or(MobilePhoneError::Prefix)?
        } else if digits.len() == 15 && digits.starts_with("0086") {
            &digits[4..]
        } else if digits.len() == 13 && digits.starts_with("86") {
            &digits[2..]
        } else {
            &digits
        };
        if national.len() != 11 {
            return Err(MobilePhoneError::Length {
                actual: national.len(),
            });
        }
        let bytes = national.as_bytes();
        if bytes[0] != b'1' || !(b'3'..=b'9').contains(&bytes[1]) {
            return Err(MobilePhoneError::Prefix);
        }
        Ok(Self(national.to_owned()))
    }

    /// The 11 digits. Personal data: never log them.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The first three and last four digits (`138****8000`).
    pub fn masked(&self) -> String {
        format!("{}****{}", &self.0[0..3], &self.0[7..11])
    }
}

impl AsRef<str> for MobilePhone {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for MobilePhone {
    type Error = MobilePhoneError;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<MobilePhone> for String {
    fn from(value: MobilePhone) -> Self {
        value.0
    }
}

impl fmt::Display for MobilePhone {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(&self.masked())
    }
}

impl fmt::Debug for MobilePhone {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "MobilePhone({})", self.masked())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn digits(input: &str) -> String {
        MobilePhone::parse(input).unwrap().as_str().to_owned()
    }

    #[test]
    fn eleven_digits_parse() {
        assert_eq!(digits("13800138000"), "13800138000");
        assert_eq!(digits("19912345678"), "19912345678");
    }

    #[test]
    fn country_codes_spaces_and_dashes_are_removed() {
        assert_eq!(digits("+86 138-0013-8000"), "13800138000");
        assert_eq!(digits("+8613800138000"), "13800138000");
        assert_eq!(digits("86 13800138000"), "13800138000");
        assert_eq!(digits("0086 138 0013 8000"), "13800138000");
        assert_eq!(digits("  138 0013 8000 "), "13800138000");
    }

    #[test]
    fn a_plus_with_another_country_code_is_refused() {
        assert_eq!(
            MobilePhone::parse("+852 9123 4567"),
            Err(MobilePhoneError::Prefix)
        );
    }

    #[test]
    fn wrong_lengths_are_refused() {
        assert_eq!(
            MobilePhone::parse("1380013800"),
            Err(MobilePhoneError::Length { actual: 10 })
        );
        assert_eq!(
            MobilePhone::parse("138001380001"),
            Err(MobilePhoneError::Length { actual: 12 })
        );
        assert_eq!(
            MobilePhone::parse(""),
            Err(MobilePhoneError::Length { actual: 0 })
        );
        assert_eq!(
            MobilePhone::parse("+86"),
            Err(MobilePhoneError::Length { actual: 0 })
        );
    }

    #[test]
    fn landlines_and_bad_prefixes_are_refused() {
        assert_eq!(
            MobilePhone::parse("03712345678"),
            Err(MobilePhoneError::Prefix)
        );
        assert_eq!(
            MobilePhone::parse("12012345678"),
            Err(MobilePhoneError::Prefix)
        );
        assert_eq!(
            MobilePhone::parse("23812345678"),
            Err(MobilePhoneError::Prefix)
        );
    }

    #[test]
    fn other_characters_are_refused() {
        assert_eq!(
            MobilePhone::parse("138(0013)8000"),
            Err(MobilePhoneError::Characters)
        );
        assert_eq!(
            MobilePhone::parse("1380013800a"),
            Err(MobilePhoneError::Characters)
        );
        assert_eq!(
            MobilePhone::parse("138+00138000"),
            Err(MobilePhoneError::Characters)
        );
    }

    #[test]
    fn debug_and_display_are_masked() {
        let phone = MobilePhone::parse("13800138000").unwrap();
        assert_eq!(phone.masked(), "138****8000");
        assert_eq!(phone.to_string(), "138****8000");
        assert_eq!(format!("{phone:?}"), "MobilePhone(138****8000)");
    }

    #[test]
    fn serde_writes_the_digits_and_reads_through_parse() {
        let phone: MobilePhone = serde_json::from_str("\"+86 138-0013-8000\"").unwrap();
        assert_eq!(serde_json::to_string(&phone).unwrap(), "\"13800138000\"");
        assert!(serde_json::from_str::<MobilePhone>("\"12345\"").is_err());
    }

    #[test]
    fn errors_have_stable_codes() {
        assert_eq!(
            MobilePhone::parse("1").unwrap_err().code(),
            "mobile_phone.length"
        );
    }
}
