//! Resident identity card numbers (公民身份号码, GB 11643-1999).

use std::fmt;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use super::DivisionCode;
use crate::calendar::china_today;
use crate::refusal::Coded;

/// ISO 7064 MOD 11-2 weights of the first 17 characters.
const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
/// The check character for each remainder of the weighted sum modulo 11.
const CHECK_CHARACTERS: [u8; 11] = *b"10X98765432";
/// Nobody registering for work was born before this year; earlier years are
/// typing errors.
const EARLIEST_BIRTH_YEAR: i32 = 1900;

/// An 18-character resident identity number: six digits of division (where
/// it was first issued), eight of birth date, three of sequence (odd for
/// men, even for women), and a check character (a digit or `X`).
///
/// It is personal data: [`Debug`](fmt::Debug) and [`Display`](fmt::Display)
/// print only the [masked](Self::masked) form (`410105********123X`), so a
/// full number never reaches a log by accident. The full number is read
/// with [`as_str`](Self::as_str) and kept in events, where it can be erased
/// by crypto-shredding.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ResidentId {
    number: String,
    division: DivisionCode,
    birth_date: NaiveDate,
}

/// The sex recorded in a resident identity number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sex {
    /// An odd sequence digit.
    Male,
    /// An even sequence digit.
    Female,
}

/// Why a text is not a resident identity number. No variant carries the
/// number itself, so these errors are safe to log.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ResidentIdError {
    /// Not 18 characters long.
    #[error("a resident id number has 18 characters, not {actual}")]
    Length {
        /// How many characters were given.
        actual: usize,
    },
    /// The first 17 characters are not all digits, or the last is neither a
    /// digit nor `X`.
    #[error("a resident id number has 17 digits followed by a digit or X")]
    Characters,
    /// The check character does not match the first 17 digits.
    #[error("the check character of the resident id number does not match its digits")]
    CheckCharacter,
    /// The first six digits are not an administrative division code.
    #[error("the division code in the resident id number is not valid: {0}")]
    Division(#[from] super::DivisionCodeError),
    /// Digits 7–14 are not a date of the calendar.
    #[error("the birth date in the resident id number is not a calendar date")]
    BirthDate,
    /// The birth date is after today (or the given reference date).
    #[error("the birth date in the resident id number is in the future")]
    BirthDateInFuture,
    /// The birth date is before 1900.
    #[error("the birth date in the resident id number is before {EARLIEST_BIRTH_YEAR}")]
    BirthDateTooEarly,
}

impl Coded for ResidentIdError {
    fn code(&self) -> &'static str {
        match self {
            Self::Length { .. } => "resident_id.length",
            Self::Characters => "resident_id.characters",
            Self::CheckCharacter => "resident_id.check_character",
            Self::Division(_) => "resident_id.division",
            Self::BirthDate => "resident_id.birth_date",
            Self::BirthDateInFuture => "resident_id.birth_date_in_future",
            Self::BirthDateTooEarly => "resident_id.birth_date_too_early",
        }
    }
}

impl ResidentId {
    /// Parses a resident identity number, refusing birth dates after today
    /// in China. Surrounding whitespace is ignored; a lowercase `x` check
    /// character is accepted and stored as `X`.
    pub fn parse(input: &str) -> Result<Self, ResidentIdError> {
        Self::parse_on(input, china_today())
    }

    /// Parses as [`parse`](Self::parse) does, with `today` as the reference
    /// date for refusing future birth dates (pure: no clock).
    pub fn parse_on(input: &str, today: NaiveDate) -> Result<Self, ResidentIdError> {
        let number = input.trim().to_ascii_uppercase();
        let length = number.chars().count();
        if length != 18 {
            return Err(ResidentIdError::Length { actual: length });
        }
        let bytes = number.as_bytes();
        let (body, check) = bytes.split_at(17);
        if !body.iter().all(u8::is_ascii_digit) || !(check[0].is_ascii_digit() || check[0] == b'X')
        {
            return Err(ResidentIdError::Characters);
        }
        if check_character(body) != check[0] {
            return Err(ResidentIdError::CheckCharacter);
        }
        // The code of first registration stays in the number after its
        // division is merged or renamed: only its form is checked.
        let division = DivisionCode::parse_issued(&number[0..6])?;
        let birth_date = NaiveDate::parse_from_str(&number[6..14], "%Y%m%d")
            .map_err(|_| ResidentIdError::BirthDate)?;
        if birth_date.year() < EARLIEST_BIRTH_YEAR {
            return Err(ResidentIdError::BirthDateTooEarly);
        }
        if birth_date > today {
            return Err(ResidentIdError::BirthDateInFuture);
        }
        Ok(Self {
            number,
            division,
            birth_date,
        })
    }

    /// The full number. Personal data: never log it.
    pub fn as_str(&self) -> &str {
        &self.number
    }

    /// The number with its birth date and sequence hidden: the first six
    /// and the last four characters kept (`410105********123X`).
    pub fn masked(&self) -> String {
        format!("{}********{}", &self.number[0..6], &self.number[14..18])
    }

    /// The date of birth (digits 7–14).
    pub fn birth_date(&self) -> NaiveDate {
        self.birth_date
    }

    /// The division where the number was first issued (digits 1–6). It may
    /// be an old code since merged or renamed; it is not where the person
    /// lives.
    pub fn division(&self) -> &DivisionCode {
        &self.division
    }

    /// The sex recorded in the sequence digits (digit 17: odd for men).
    pub fn sex(&self) -> Sex {
        if (self.number.as_bytes()[16] - b'0') % 2 == 1 {
            Sex::Male
        } else {
            Sex::Female
        }
    }

    /// Age in whole years on `date` (0 before the first birthday; a person
    /// born on 29 February turns a year older on 1 March in common years).
    pub fn age_on(&self, date: NaiveDate) -> u32 {
        let birth = self.birth_date;
        if date < birth {
            return 0;
        }
        let years = date.year() - birth.year();
        let birthday_passed = (date.month(), date.day()) >= (birth.month(), birth.day());
        let age = if birthday_passed { years } else { years - 1 };
        u32::try_from(age).unwrap_or(0)
    }
}

/// The ISO 7064 MOD 11-2 check character of 17 ASCII digits.
fn check_character(body: &[u8]) -> u8 {
    let weighted_sum: u32 = body
        .iter()
        .zip(WEIGHTS)
        .map(|(digit, weight)| u32::from(digit - b'0') * weight)
        .sum();
    CHECK_CHARACTERS[(weighted_sum % 11) as usize]
}

impl AsRef<str> for ResidentId {
    fn as_ref(&self) -> &str {
        &self.number
    }
}

impl TryFrom<String> for ResidentId {
    type Error = ResidentIdError;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<ResidentId> for String {
    fn from(value: ResidentId) -> Self {
        value.number
    }
}

impl fmt::Display for ResidentId {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(&self.masked())
    }
}

impl fmt::Debug for ResidentId {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "ResidentId({})", self.masked())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The specimen number printed in GB 11643-1999 itself.
    const SPECIMEN: &str = "11010519491231002X";
    /// A Zhengzhou (Jinshui) man born 1990-03-07, without the check
    /// character (computed by `with_check`).
    const ZHENGZHOU_BODY: &str = "41010519900307123";

    fn with_check(body: &str) -> String {
        let check = check_character(body.as_bytes());
        format!("{body}{}", check as char)
    }

    fn date(year: i32, month: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(year, month, day).unwrap()
    }

    #[test]
    fn the_specimen_of_the_standard_parses() {
        let id = ResidentId::parse(SPECIMEN).unwrap();
        assert_eq!(id.as_str(), SPECIMEN);
        assert_eq!(id.birth_date(), date(1949, 12, 31));
        assert_eq!(id.division().as_str(), "110105");
        assert_eq!(id.sex(), Sex::Female);
    }

    #[test]
    fn check_characters_follow_mod_11_2() {
        assert_eq!(check_character(b"11010519491231002"), b'X');
        assert_eq!(with_check(ZHENGZHOU_BODY).len(), 18);
        let id = ResidentId::parse(&with_check(ZHENGZHOU_BODY)).unwrap();
        assert_eq!(id.sex(), Sex::Male);
        assert_eq!(id.birth_date(), date(1990, 3, 7));
    }

    #[test]
    fn a_lowercase_x_is_accepted_and_stored_uppercase() {
        let id = ResidentId::parse(" 11010519491231002x ").unwrap();
        assert_eq!(id.as_str(), SPECIMEN);
    }

    #[test]
    fn every_single_character_typo_is_caught() {
        let valid = SPECIMEN.as_bytes();
        for position in 0..18 {
            for replacement in b"0123456789X" {
                if *replacement == valid[position] || (position < 17 && *replacement == b'X') {
                    continue;
                }
                let mut typo = valid.to_vec();
                typo[position] = *replacement;
                let typo = String::from_utf8(typo).unwrap();
                assert!(
                    ResidentId::parse(&typo).is_err(),
                    "typo at {position} should be refused"
                );
            }
        }
    }

    #[test]
    fn swapping_two_adjacent_different_digits_is_caught() {
        let valid = SPECIMEN.as_bytes();
        for position in 0..16 {
            if valid[position] == valid[position + 1] {
                continue;
            }
            let mut swapped = valid.to_vec();
            swapped.swap(position, position + 1);
            let swapped = String::from_utf8(swapped).unwrap();
            assert_eq!(
                ResidentId::parse(&swapped).unwrap_err(),
                ResidentIdError::CheckCharacter,
                "swap at {position}"
            );
        }
    }

    #[test]
    fn a_wrong_check_character_is_refused() {
        assert_eq!(
            ResidentId::parse("110105194912310021"),
            Err(ResidentIdError::CheckCharacter)
        );
    }

    #[test]
    fn wrong_lengths_are_refused_including_old_fifteen_digit_numbers() {
        assert_eq!(
            ResidentId::parse("110105491231002"),
            Err(ResidentIdError::Length { actual: 15 })
        );
        assert_eq!(
            ResidentId::parse(""),
            Err(ResidentIdError::Length { actual: 0 })
        );
        assert_eq!(
            ResidentId::parse("11010519491231002X0"),
            Err(ResidentIdError::Length { actual: 19 })
        );
    }

    #[test]
    fn letters_other_than_a_final_x_are_refused() {
        assert_eq!(
            ResidentId::parse("1101051949123100XX"),
            Err(ResidentIdError::Characters)
        );
        assert_eq!(
            ResidentId::parse("11010519491231002Y"),
            Err(ResidentIdError::Characters)
        );
        assert_eq!(
            ResidentId::parse("１１０１０５１９４９１２３１００２X"),
            Err(ResidentIdError::Characters)
        );
    }

    #[test]
    fn an_impossible_birth_date_is_refused() {
        for body in [
            "41010519900230123",
            "41010520230229123",
            "41010519901301123",
        ] {
            assert_eq!(
                ResidentId::parse(&with_check(body)),
                Err(ResidentIdError::BirthDate),
                "{body}"
            );
        }
    }

    #[test]
    fn a_leap_day_birth_date_is_accepted() {
        let id = ResidentId::parse(&with_check("41010520000229123")).unwrap();
        assert_eq!(id.birth_date(), date(2000, 2, 29));
    }

    #[test]
    fn a_birth_date_in_the_future_is_refused() {
        let number = with_check("41010520300101123");
        assert_eq!(
            ResidentId::parse_on(&number, date(2029, 12, 31)),
            Err(ResidentIdError::BirthDateInFuture)
        );
        assert!(ResidentId::parse_on(&number, date(2030, 1, 1)).is_ok());
    }

    #[test]
    fn a_birth_date_before_1900_is_refused() {
        assert_eq!(
            ResidentId::parse(&with_check("41010518991231123")),
            Err(ResidentIdError::BirthDateTooEarly)
        );
    }

    #[test]
    fn a_number_from_an_unknown_province_is_refused() {
        assert!(matches!(
            ResidentId::parse(&with_check("99010519900307123")),
            Err(ResidentIdError::Division(_))
        ));
    }

    #[test]
    fn masking_keeps_the_first_six_and_last_four_characters() {
        let id = ResidentId::parse(SPECIMEN).unwrap();
        assert_eq!(id.masked(), "110105********002X");
    }

    #[test]
    fn debug_and_display_never_show_the_full_number() {
        let id = ResidentId::parse(SPECIMEN).unwrap();
        assert_eq!(id.to_string(), "110105********002X");
        assert_eq!(format!("{id:?}"), "ResidentId(110105********002X)");
        assert!(!format!("{id:?} {id} {id:#?}").contains("19491231"));
    }

    #[test]
    fn age_counts_whole_years() {
        let id = ResidentId::parse(&with_check(ZHENGZHOU_BODY)).unwrap();
        assert_eq!(id.age_on(date(2006, 3, 6)), 15);
        assert_eq!(id.age_on(date(2006, 3, 7)), 16);
        assert_eq!(id.age_on(date(1980, 1, 1)), 0);
        let leap = ResidentId::parse(&with_check("41010520000229123")).unwrap();
        assert_eq!(leap.age_on(date(2016, 2, 28)), 15);
        assert_eq!(leap.age_on(date(2016, 3, 1)), 16);
    }

    #[test]
    fn serde_writes_the_full_number_and_reads_through_parse() {
        let id = ResidentId::parse(SPECIMEN).unwrap();
        let json = serde_json::to_string(&id).unwrap();
        assert_eq!(json, format!("\"{SPECIMEN}\""));
        assert_eq!(serde_json::from_str::<ResidentId>(&json).unwrap(), id);
        assert!(serde_json::from_str::<ResidentId>("\"110105194912310021\"").is_err());
    }

    #[test]
    fn errors_have_stable_codes_and_do_not_contain_the_number() {
        let error = ResidentId::parse("110105194912310021").unwrap_err();
        assert_eq!(error.code(), "resident_id.check_character");
        assert!(!error.to_string().contains("1949"));
    }
}
