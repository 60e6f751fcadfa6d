//! Unified social credit codes (统一社会信用代码, GB 32100-2015).

use std::fmt;

use serde::{Deserialize, Serialize};

use super::DivisionCode;
use crate::refusal::Coded;

/// The 31 characters of the code, in the order of their values (no I, O, S,
/// V, Z).
const CHARSET: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
/// Weights of the first 17 characters: 3^i mod 31.
const WEIGHTS: [u32; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];
/// Digits 3–8 of organisations registered at national level.
const NATIONAL_DIVISION: &str = "100000";

/// An 18-character unified social credit code, the identifier of every
/// employer: registration authority (1 character), organisation kind (1),
/// division of the registering office (6 digits), organisation code (9),
/// check character (1).
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CreditCode(String);

/// Why a text is not a unified social credit code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CreditCodeError {
    /// Not 18 characters long.
    #[error("a unified social credit code has 18 characters, not {actual}")]
    Length {
        /// How many characters were given.
        actual: usize,
    },
    /// A character outside the code's alphabet (digits and capital letters
    /// except I, O, S, V, Z).
    #[error("'{character}' is not a character of unified social credit codes")]
    Character {
        /// The first offending character.
        character: char,
    },
    /// Characters 3–8 are not six digits.
    #[error("characters 3 to 8 of a unified social credit code are a six-digit division code")]
    DivisionDigits,
    /// The check character does not match the first 17 characters.
    #[error("the check character of the unified social credit code does not match")]
    CheckCharacter,
}

impl Coded for CreditCodeError {
    fn code(&self) -> &'static str {
        match self {
            Self::Length { .. } => "credit_code.length",
            Self::Character { .. } => "credit_code.character",
            Self::DivisionDigits => "credit_code.division",
            Self::CheckCharacter => "credit_code.check_character",
        }
    }
}

impl CreditCode {
    /// Parses a code; surrounding whitespace is ignored and lowercase
    /// letters are taken as capitals.
    pub fn parse(input: &str) -> Result<Self, CreditCodeError> {
        let code = input.trim().to_ascii_uppercase();
        let length = code.chars().count();
        if length != 18 {
            return Err(CreditCodeError::Length { actual: length });
        }
        let mut values = [0u32; 18];
        for (value, character) in values.iter_mut().zip(code.chars()) {
            *value = character_value(character).ok_or(CreditCodeError::Character { character })?;
        }
        if !code[2..8].bytes().all(|byte| byte.is_ascii_digit()) {
            return Err(CreditCodeError::DivisionDigits);
        }
        if check_value(&values[..17]) != values[17] {
            return Err(CreditCodeError::CheckCharacter);
        }
        Ok(Self(code))
    }

    /// The code's 18 characters.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The registration authority (登记管理部门), first character: `1`
    /// establishment offices, `5` civil affairs, `9` market regulation
    /// (companies), `Y` others, and so on.
    pub fn registration_authority(&self) -> char {
        char::from(self.0.as_bytes()[0])
    }

    /// The kind of organisation within the authority (机构类别), second
    /// character: for market regulation `1` enterprise, `2` sole
    /// proprietorship, `3` farmers' cooperative.
    pub fn organisation_kind(&self) -> char {
        char::from(self.0.as_bytes()[1])
    }

    /// Characters 3–8, the division of the registering office, as written.
    pub fn division_digits(&self) -> &str {
        &self.0[2..8]
    }

    /// The division of the registering office; `None` for organisations
    /// registered at national level (`100000`) or under a code that is no
    /// longer a valid division.
    pub fn division(&self) -> Option<DivisionCode> {
        if self.division_digits() == NATIONAL_DIVISION {
            return None;
        }
        DivisionCode::parse(self.division_digits()).ok()
    }

    /// The organisation code (组织机构代码), characters 9–17.
    pub fn organisation_code(&self) -> &str {
        &self.0[8..17]
    }
}

fn character_value(character: char) -> Option<u32> {
    let byte = u8::try_from(character).ok()?;
    let position = CHARSET.iter().position(|&candidate| candidate == byte)?;
    u32::try_from(position).ok()
}

/// The value of the check character: 31 − (weighted sum mod 31), with 31
/// written as 0.
fn check_value(values: &[u32]) -> u32 {
    let weighted_sum: u32 = values
        .iter()
        .zip(WEIGHTS)
        .map(|(value, weight)| value * weight)
        .sum();
    (31 - weighted_sum % 31) % 31
}

impl AsRef<str> for CreditCode {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for CreditCode {
    type Error = CreditCodeError;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<CreditCode> for String {
    fn from(value: CreditCode) -> Self {
        value.0
    }
}

impl std::str::FromStr for CreditCode {
    type Err = CreditCodeError;

    fn from_str(input: &str) -> Result<Self, Self::Err> {
        Self::parse(input)
    }
}

impl fmt::Display for CreditCode {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(&self.0)
    }
}

impl fmt::Debug for CreditCode {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "CreditCode({})", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The specimen often printed with the standard (Fuzhou).
    const FUZHOU: &str = "91350100M000100Y43";
    /// A Beijing enterprise code.
    const BEIJING: &str = "91110000600037341L";

    fn with_check(body: &str) -> String {
        let values: Vec<u32> = body.chars().map(|c| character_value(c).unwrap()).collect();
        let check = CHARSET[check_value(&values) as usize];
        format!("{body}{}", check as char)
    }

    #[test]
    fn known_codes_parse() {
        let fuzhou = CreditCode::parse(FUZHOU).unwrap();
        assert_eq!(fuzhou.as_str(), FUZHOU);
        assert_eq!(fuzhou.registration_authority(), '9');
        assert_eq!(fuzhou.organisation_kind(), '1');
        assert_eq!(fuzhou.division_digits(), "350100");
        assert_eq!(
            fuzhou.division(),
            Some(DivisionCode::parse("350100").unwrap())
        );
        assert_eq!(fuzhou.organisation_code(), "M000100Y4");
        assert!(CreditCode::parse(BEIJING).is_ok());
    }

    #[test]
    fn lowercase_and_whitespace_are_normalised() {
        let code = CreditCode::parse(" 91110000600037341l\t").unwrap();
        assert_eq!(code.as_str(), BEIJING);
    }

    #[test]
    fn a_check_value_of_31_is_written_as_zero() {
        // Search organisation codes until one whose weighted sum is 0 mod 31.
        let body = (0..1000)
            .map(|serial| format!("91410100{serial:09}"))
            .find(|body| {
                let values: Vec<u32> = body.chars().map(|c| character_value(c).unwrap()).collect();
                values.iter().zip(WEIGHTS).map(|(v, w)| v * w).sum::<u32>() % 31 == 0
            })
            .unwrap();
        let code = format!("{body}0");
        assert!(CreditCode::parse(&code).is_ok(), "{code}");
    }

    #[test]
    fn a_check_value_of_30_is_written_as_y() {
        let body = (0..1000)
            .map(|serial| format!("91410100{serial:09}"))
            .find(|body| with_check(body).ends_with('Y'))
            .unwrap();
        assert!(CreditCode::parse(&format!("{body}Y")).is_ok());
    }

    #[test]
    fn every_single_character_typo_is_caught() {
        let valid: Vec<char> = FUZHOU.chars().collect();
        for position in 0..18 {
            for replacement in CHARSET.iter().map(|&byte| char::from(byte)) {
                if replacement == valid[position] {
                    continue;
                }
                let mut typo = valid.clone();
                typo[position] = replacement;
                let typo: String = typo.into_iter().collect();
                assert!(CreditCode::parse(&typo).is_err(), "{typo}");
            }
        }
    }

    #[test]
    fn a_wrong_check_character_is_refused() {
        assert_eq!(
            CreditCode::parse("91350100M000100Y44"),
            Err(CreditCodeError::CheckCharacter)
        );
    }

    #[test]
    fn letters_outside_the_alphabet_are_refused() {
        for letter in ['I', 'O', 'S', 'V', 'Z', '-', '中'] {
            let code = format!("91350100M000100{letter}43");
            assert_eq!(
                CreditCode::parse(&code),
                Err(CreditCodeError::Character { character: letter }),
                "{code}"
            );
        }
    }

    #[test]
    fn wrong_lengths_are_refused() {
        assert_eq!(
            CreditCode::parse("91350100M000100Y4"),
            Err(CreditCodeError::Length { actual: 17 })
        );
        assert_eq!(
            CreditCode::parse(""),
            Err(CreditCodeError::Length { actual: 0 })
        );
    }

    #[test]
    fn letters_in_the_division_digits_are_refused() {
        let code = with_check("913501A0M000100Y4");
        assert_eq!(
            CreditCode::parse(&code),
            Err(CreditCodeError::DivisionDigits)
        );
    }

    #[test]
    fn nationally_registered_organisations_have_no_division() {
        let code = CreditCode::parse(&with_check("12100000400000398")).unwrap();
        assert_eq!(code.division_digits(), "100000");
        assert_eq!(code.division(), None);
    }

    #[test]
    fn serde_goes_through_parse() {
        let code: CreditCode = serde_json::from_str(&format!("\"{FUZHOU}\"")).unwrap();
        assert_eq!(
            serde_json::to_string(&code).unwrap(),
            format!("\"{FUZHOU}\"")
        );
        assert!(serde_json::from_str::<CreditCode>("\"91350100M000100Y44\"").is_err());
    }

    #[test]
    fn errors_have_stable_codes() {
        assert_eq!(
            CreditCode::parse("91350100M000100Y44").unwrap_err().code(),
            "credit_code.check_character"
        );
    }
}
