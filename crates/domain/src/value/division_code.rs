//! Administrative division codes (行政区划代码, GB/T 2260).

use std::fmt;

use serde::{Deserialize, Serialize};

use super::Divisions;
use crate::refusal::Coded;

/// Province-level codes (first two digits) in use: the 34 provincial
/// divisions, from Beijing (11) to Macao (82).
const PROVINCE_RANGES: [(u8, u8); 9] = [
    (11, 15),
    (21, 23),
    (31, 37),
    (41, 46),
    (50, 54),
    (61, 65),
    (71, 71),
    (81, 81),
    (82, 82),
];

/// A six-digit administrative division code (GB/T 2260): two digits of
/// province, two of prefecture-level city, two of county.
///
/// `410000` is Henan province, `410100` the city of Zhengzhou, `410105`
/// Jinshui district of Zhengzhou. Offices are identified by their division
/// code, and an office's scope is every code that starts with its code once
/// the trailing `00` pairs are dropped ([`DivisionCode::covers`]).
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct DivisionCode(String);

/// The level of an administrative division.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DivisionLevel {
    /// Province, autonomous region, municipality (省级): `xx0000`.
    Province,
    /// Prefecture-level city or equivalent (地级): `xxyy00`.
    City,
    /// County, county-level city or district (县级): `xxyyzz`.
    County,
}

/// Why a text is not an administrative division code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DivisionCodeError {
    /// Not six characters long.
    #[error("an administrative division code has 6 digits, not {actual} characters")]
    Length {
        /// How many characters were given.
        actual: usize,
    },
    /// A character other than an ASCII digit.
    #[error("an administrative division code has only digits")]
    NotDigits,
    /// The first two digits name no province.
    #[error("{province} is not a province code of GB/T 2260")]
    UnknownProvince {
        /// The two digits given.
        province: String,
    },
    /// The city digits are `00` while the county digits are not.
    #[error(
        "a county code needs a city code: the city digits are 00 but the county digits are not"
    )]
    CountyWithoutCity,
    /// Well formed, but no division of the list ([`Divisions`]) has it.
    #[error("{code} is not an administrative division of GB/T 2260")]
    Unknown {
        /// The code given.
        code: String,
    },
}

impl Coded for DivisionCodeError {
    fn code(&self) -> &'static str {
        match self {
            Self::Length { .. } => "division_code.length",
            Self::NotDigits => "division_code.not_digits",
            Self::UnknownProvince { .. } => "division_code.unknown_province",
            Self::CountyWithoutCity => "division_code.county_without_city",
            Self::Unknown { .. } => "division_code.unknown",
        }
    }
}

impl DivisionCode {
    /// Parses a six-digit code, surrounding whitespace ignored, and
    /// accepts it only if it names a division of the list ([`Divisions`]:
    /// provinces, prefecture-level cities, counties).
    pub fn parse(input: &str) -> Result<Self, DivisionCodeError> {
        let code = Self::parse_issued(input)?;
        if Divisions::get().contains(code.as_str()) {
            Ok(code)
        } else {
            Err(DivisionCodeError::Unknown { code: code.0 })
        }
    }

    /// Parses a code as it was once issued, checking only its form (six
    /// digits, a province in use, no county without a city): for the codes
    /// that outlive their division, as the first six digits of a resident
    /// identity number, which keep the code of the place of first
    /// registration even after that division was merged or renamed.
    pub fn parse_issued(input: &str) -> Result<Self, DivisionCodeError> {
        let code = input.trim();
        let length = code.chars().count();
        if length != 6 {
            return Err(DivisionCodeError::Length { actual: length });
        }
        if !code.bytes().all(|byte| byte.is_ascii_digit()) {
            return Err(DivisionCodeError::NotDigits);
        }
        let province: u8 = code[0..2]
            .parse()
            .map_err(|_| DivisionCodeError::NotDigits)?;
        let known_province = PROVINCE_RANGES
            .iter()
            .any(|&(first, last)| (first..=last).contains(&province));
        if !known_province {
            return Err(DivisionCodeError::UnknownProvince {
                province: code[0..2].to_owned(),
            });
        }
        if &code[2..4] == "00" && &code[4..6] != "00" {
            return Err(DivisionCodeError::CountyWithoutCity);
        }
        Ok(Self(code.to_owned()))
    }

    /// The six digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Province, city or county, from the trailing `00` pairs.
    pub fn level(&self) -> DivisionLevel {
        if self.0.ends_with("0000") {
            DivisionLevel::Province
        } else if self.0.ends_with("00") {
            DivisionLevel::City
        } else {
            DivisionLevel::County
        }
    }

    /// The significant prefix: the code without its trailing `00` pairs
    /// (`41` for `410000`, `4101` for `410100`, `410105` for `410105`).
    pub fn scope_prefix(&self) -> &str {
        match self.level() {
            DivisionLevel::Province => &self.0[0..2],
            DivisionLevel::City => &self.0[0..4],
            DivisionLevel::County => &self.0,
        }
    }

    /// Whether an office with this code may act on `other`: `other` starts
    /// with this code's [`scope_prefix`](Self::scope_prefix). A code covers
    /// itself; `410100` covers `410105` but not `410000` nor `420100`.
    pub fn covers(&self, other: &DivisionCode) -> bool {
        other.0.starts_with(self.scope_prefix())
    }

    /// The province this division belongs to (itself for a province).
    pub fn province(&self) -> DivisionCode {
        Self(format!("{}0000", &self.0[0..2]))
    }

    /// The prefecture-level city this division belongs to (itself for a
    /// city); `None` for a province.
    pub fn city(&self) -> Option<DivisionCode> {
        match self.level() {
            DivisionLevel::Province => None,
            DivisionLevel::City | DivisionLevel::County => {
                Some(Self(format!("{}00", &self.0[0..4])))
            }
        }
    }

    /// The division one level up; `None` for a province.
    pub fn parent(&self) -> Option<DivisionCode> {
        match self.level() {
            DivisionLevel::Province => None,
            DivisionLevel::City => Some(self.province()),
            DivisionLevel::County => self.city(),
        }
    }
}

impl AsRef<str> for DivisionCode {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for DivisionCode {
    type Error = DivisionCodeError;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<DivisionCode> for String {
    fn from(value: DivisionCode) -> Self {
        value.0
    }
}

impl std::str::FromStr for DivisionCode {
    type Err = DivisionCodeError;

    fn from_str(input: &str) -> Result<Self, Self::Err> {
        Self::parse(input)
    }
}

impl fmt::Display for DivisionCode {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(&self.0)
    }
}

impl fmt::Debug for DivisionCode {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "DivisionCode({})", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(text: &str) -> DivisionCode {
        DivisionCode::parse(text).unwrap()
    }

    #[test]
    fn a_county_code_parses_with_its_level() {
        let jinshui = code("410105");
        assert_eq!(jinshui.as_str(), "410105");
        assert_eq!(jinshui.level(), DivisionLevel::County);
    }

    #[test]
    fn levels_come_from_the_trailing_zero_pairs() {
        assert_eq!(code("410000").level(), DivisionLevel::Province);
        assert_eq!(code("410100").level(), DivisionLevel::City);
        assert_eq!(code("419001").level(), DivisionLevel::County);
        assert_eq!(code("110101").level(), DivisionLevel::County);
    }

    #[test]
    fn surrounding_whitespace_is_ignored() {
        assert_eq!(code(" 410100\n").as_str(), "410100");
    }

    #[test]
    fn every_province_range_is_accepted_at_both_ends() {
        for province in [
            "11", "15", "21", "23", "31", "37", "41", "46", "50", "54", "61", "65", "71", "81",
            "82",
        ] {
            let text = format!("{province}0000");
            assert!(DivisionCode::parse(&text).is_ok(), "{text} should parse");
        }
    }

    #[test]
    fn codes_outside_the_province_ranges_are_refused() {
        for province in [
            "00", "10", "16", "20", "24", "30", "38", "40", "47", "49", "55", "60", "66", "70",
            "72", "80", "83", "99",
        ] {
            let text = format!("{province}0101");
            assert_eq!(
                DivisionCode::parse(&text),
                Err(DivisionCodeError::UnknownProvince {
                    province: province.to_owned()
                }),
                "{text}"
            );
        }
    }

    #[test]
    fn a_code_of_the_wrong_length_is_refused() {
        assert_eq!(
            DivisionCode::parse("41010"),
            Err(DivisionCodeError::Length { actual: 5 })
        );
        assert_eq!(
            DivisionCode::parse("4101050"),
            Err(DivisionCodeError::Length { actual: 7 })
        );
        assert_eq!(
            DivisionCode::parse(""),
            Err(DivisionCodeError::Length { actual: 0 })
        );
    }

    #[test]
    fn a_code_with_letters_or_full_width_digits_is_refused() {
        assert_eq!(
            DivisionCode::parse("41010A"),
            Err(DivisionCodeError::NotDigits)
        );
        assert_eq!(
            DivisionCode::parse("４１０１０５"),
            Err(DivisionCodeError::NotDigits)
        );
        assert_eq!(
            DivisionCode::parse("-41010"),
            Err(DivisionCodeError::NotDigits)
        );
    }

    #[test]
    fn a_county_without_a_city_is_refused() {
        assert_eq!(
            DivisionCode::parse("410005"),
            Err(DivisionCodeError::CountyWithoutCity)
        );
    }

    #[test]
    fn a_city_office_covers_its_counties_and_itself_only() {
        let zhengzhou = code("410100");
        assert!(zhengzhou.covers(&code("410100")));
        assert!(zhengzhou.covers(&code("410105")));
        assert!(zhengzhou.covers(&code("410185")));
        assert!(!zhengzhou.covers(&code("410000")));
        assert!(!zhengzhou.covers(&code("410205")));
        assert!(!zhengzhou.covers(&code("420100")));
    }

    #[test]
    fn a_province_office_covers_the_whole_province() {
        let henan = code("410000");
        assert!(henan.covers(&code("410000")));
        assert!(henan.covers(&code("411700")));
        assert!(henan.covers(&code("419001")));
        assert!(!henan.covers(&code("420000")));
    }

    #[test]
    fn a_county_office_covers_only_itself() {
        let jinshui = code("410105");
        assert!(jinshui.covers(&code("410105")));
        assert!(!jinshui.covers(&code("410106")));
        assert!(!jinshui.covers(&code("410100")));
    }

    #[test]
    fn scope_prefixes_drop_trailing_zero_pairs() {
        assert_eq!(code("410000").scope_prefix(), "41");
        assert_eq!(code("410100").scope_prefix(), "4101");
        assert_eq!(code("410105").scope_prefix(), "410105");
        assert_eq!(code("410100").scope_prefix(), "4101");
    }

    #[test]
    fn a_well_formed_code_of_no_division_is_refused_but_may_have_been_issued() {
        assert_eq!(
            DivisionCode::parse("410199"),
            Err(DivisionCodeError::Unknown {
                code: "410199".to_owned()
            })
        );
        assert_eq!(
            DivisionCode::parse("410199").unwrap_err().code(),
            "division_code.unknown"
        );
        assert_eq!(
            DivisionCode::parse_issued("410199").map(|code| code.level()),
            Ok(DivisionLevel::County)
        );
        assert_eq!(
            DivisionCode::parse_issued("410005"),
            Err(DivisionCodeError::CountyWithoutCity)
        );
    }

    #[test]
    fn provinces_cities_and_parents_are_derived() {
        let jinshui = code("410105");
        assert_eq!(jinshui.province(), code("410000"));
        assert_eq!(jinshui.city(), Some(code("410100")));
        assert_eq!(jinshui.parent(), Some(code("410100")));
        assert_eq!(code("410100").parent(), Some(code("410000")));
        assert_eq!(code("410100").city(), Some(code("410100")));
        assert_eq!(code("410000").parent(), None);
        assert_eq!(code("410000").city(), None);
    }

    #[test]
    fn serde_goes_through_parse() {
        let parsed: DivisionCode = serde_json::from_str("\"410105\"").unwrap();
        assert_eq!(parsed, code("410105"));
        assert_eq!(serde_json::to_string(&parsed).unwrap(), "\"410105\"");
        assert!(serde_json::from_str::<DivisionCode>("\"990105\"").is_err());
        assert!(serde_json::from_str::<DivisionCode>("410105").is_err());
    }

    #[test]
    fn errors_have_stable_codes() {
        assert_eq!(
            DivisionCode::parse("1").unwrap_err().code(),
            "division_code.length"
        );
        assert_eq!(
            DivisionCode::parse("410005").unwrap_err().code(),
            "division_code.county_without_city"
        );
    }
}
