//! Occupation codes of the national occupational classification
//! (职业分类大典, 2022 edition), and the classification itself as data
//! (`data/occupations.tsv`: major, medium and minor groups and
//! occupations with their codes and titles).
//!
//! A code is written `6-31-01-03`: major group `6`, medium group `31`,
//! minor group `01`, occupation `03`; a group's code ends in `00` pairs
//! (`6-31-00-00` is a medium group). Its significant prefix
//! ([`OccupationCode::prefix`], `6-31`) is what filters compare: a medium
//! group covers its minor groups and their occupations.

use std::collections::HashMap;
use std::fmt;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use crate::refusal::Coded;

/// The classification, as kept in the repository.
const DATA: &str = include_str!("../../data/occupations.tsv");

/// The level of an entry of the classification.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum OccupationLevel {
    /// 大类 (`6-00-00-00`).
    Major,
    /// 中类 (`6-31-00-00`).
    Medium,
    /// 小类 (`6-31-01-00`).
    Minor,
    /// 细类, an occupation (`6-31-01-03`).
    Occupation,
}

/// A code of the classification (`6-31-01-03`), of any level, known to it.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct OccupationCode(String);

/// Why a text is not an occupation code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OccupationCodeError {
    /// Not of the form `d-dd-dd-dd` (or a prefix of it, where a prefix is
    /// allowed).
    #[error(
        "an occupation code is written d-dd-dd-dd (6-31-01-03), a group's with trailing 00 pairs"
    )]
    Form,
    /// Well formed, but not in the classification.
    #[error("{code} is not in the occupational classification (2022)")]
    Unknown {
        /// The code given.
        code: String,
    },
}

impl Coded for OccupationCodeError {
    fn code(&self) -> &'static str {
        match self {
            Self::Form => "occupation_code.form",
            Self::Unknown { .. } => "occupation_code.unknown",
        }
    }
}

/// The significant part of a well-formed code or prefix: `6-31` of
/// `6-31-00-00`, of `6-31` and of `6-31-00`.
fn significant(input: &str) -> Result<String, OccupationCodeError> {
    let parts: Vec<&str> = input.trim().split('-').collect();
    if parts.len() > 4 {
        return Err(OccupationCodeError::Form);
    }
    let (major, rest) = parts.split_first().ok_or(OccupationCodeError::Form)?;
    if major.len() != 1 || !major.bytes().all(|byte| byte.is_ascii_digit()) || *major == "0" {
        return Err(OccupationCodeError::Form);
    }
    if rest
        .iter()
        .any(|part| part.len() != 2 || !part.bytes().all(|byte| byte.is_ascii_digit()))
    {
        return Err(OccupationCodeError::Form);
    }
    let mut kept = parts.clone();
    while kept.len() > 1 && kept.last() == Some(&"00") {
        kept.pop();
    }
    // A 00 group with something under it is no code (`6-00-01-00`), but
    // for an occupation straight under a medium group (`1-01-00-01`).
    let straight_under_medium = |index: usize| index == 2 && kept.len() == 4;
    if kept
        .iter()
        .enumerate()
        .skip(1)
        .any(|(index, part)| *part == "00" && !straight_under_medium(index))
    {
        return Err(OccupationCodeError::Form);
    }
    Ok(kept.join("-"))
}

/// The prefixes of a significant prefix, widest first, none ending in a
/// 00 group.
fn prefixes_of(prefix: &str) -> Vec<String> {
    let parts: Vec<&str> = prefix.split('-').collect();
    (1..=parts.len())
        .filter(|&length| parts[length - 1] != "00")
        .map(|length| parts[..length].join("-"))
        .collect()
}

impl OccupationCode {
    /// Parses a full code (`6-31-01-03`, `6-31-00-00`) and accepts it only
    /// if the classification has it.
    pub fn parse(input: &str) -> Result<Self, OccupationCodeError> {
        let code = input.trim();
        if code.split('-').count() != 4 {
            return Err(OccupationCodeError::Form);
        }
        significant(code)?;
        if Occupations::get().contains(code) {
            Ok(Self(code.to_owned()))
        } else {
            Err(OccupationCodeError::Unknown {
                code: code.to_owned(),
            })
        }
    }

    /// The significant prefix of a code or of a prefix given as a filter
    /// (`6`, `6-31`, `6-31-00-00`, `6-31-01`), checked against the
    /// classification: `6-31` for `6-31-00-00`.
    pub fn parse_prefix(input: &str) -> Result<String, OccupationCodeError> {
        let prefix = significant(input)?;
        if Occupations::get().has_prefix(&prefix) {
            Ok(prefix)
        } else {
            Err(OccupationCodeError::Unknown {
                code: input.trim().to_owned(),
            })
        }
    }

    /// The code (`6-31-01-03`).
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Its level.
    pub fn level(&self) -> OccupationLevel {
        let parts: Vec<&str> = self.0.split('-').collect();
        match (parts[1], parts[2], parts[3]) {
            ("00", _, _) => OccupationLevel::Major,
            (_, "00", "00") => OccupationLevel::Medium,
            (_, _, "00") => OccupationLevel::Minor,
            _ => OccupationLevel::Occupation,
        }
    }

    /// The code without its trailing `00` pairs (`6-31` for `6-31-00-00`).
    pub fn prefix(&self) -> String {
        significant(&self.0).expect("a parsed code is well formed")
    }

    /// Every prefix a filter may name, widest first (`6`, `6-31`,
    /// `6-31-01`, `6-31-01-03`).
    pub fn prefixes(&self) -> Vec<String> {
        prefixes_of(&self.prefix())
    }

    /// Its title in the classification (`电工`).
    pub fn title(&self) -> &'static str {
        Occupations::get()
            .title(&self.0)
            .expect("a parsed code is in the classification")
    }
}

impl TryFrom<String> for OccupationCode {
    type Error = OccupationCodeError;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<OccupationCode> for String {
    fn from(value: OccupationCode) -> Self {
        value.0
    }
}

impl fmt::Display for OccupationCode {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(&self.0)
    }
}

impl fmt::Debug for OccupationCode {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "OccupationCode({})", self.0)
    }
}

/// One entry of the classification.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Occupation {
    /// Its code (`6-31-01-03`).
    pub code: &'static str,
    /// Its title (`电工`).
    pub title: &'static str,
    /// Major, medium or minor group, or occupation.
    pub level: OccupationLevel,
}

/// The classification, with look-ups by code and prefix.
#[derive(Debug)]
pub struct Occupations {
    entries: Vec<Occupation>,
    by_code: HashMap<&'static str, usize>,
    prefixes: std::collections::HashSet<String>,
}

impl Occupations {
    /// The classification in the repository, read at first use.
    pub fn get() -> &'static Occupations {
        static OCCUPATIONS: OnceLock<Occupations> = OnceLock::new();
        OCCUPATIONS.get_or_init(|| Occupations::read(DATA))
    }

    fn read(data: &'static str) -> Occupations {
        let mut entries = Vec::new();
        let mut by_code = HashMap::new();
        let mut prefixes = std::collections::HashSet::new();
        for line in data.lines() {
            if line.starts_with('#') || line.trim().is_empty() {
                continue;
            }
            let mut columns = line.split('\t');
            let (Some(code), Some(title), Some(level)) =
                (columns.next(), columns.next(), columns.next())
            else {
                panic!("occupations.tsv: a row of three columns, not {line:?}");
            };
            let level = match level {
                "major" => OccupationLevel::Major,
                "medium" => OccupationLevel::Medium,
                "minor" => OccupationLevel::Minor,
                "occupation" => OccupationLevel::Occupation,
                other => panic!("occupations.tsv: no level {other:?}"),
            };
            let prefix = significant(code)
                .unwrap_or_else(|_| panic!("occupations.tsv: {code:?} is no code"));
            prefixes.extend(prefixes_of(&prefix));
            by_code.insert(code, entries.len());
            entries.push(Occupation { code, title, level });
        }
        Occupations {
            entries,
            by_code,
            prefixes,
        }
    }

    /// Every entry, in code order.
    pub fn entries(&self) -> &[Occupation] {
        &self.entries
    }

    /// Whether the classification has this code.
    pub fn contains(&self, code: &str) -> bool {
        self.by_code.contains_key(code)
    }

    /// Whether some code starts with this significant prefix (`6-31`).
    pub fn has_prefix(&self, prefix: &str) -> bool {
        self.prefixes.contains(prefix)
    }

    /// The title of a code.
    pub fn title(&self, code: &str) -> Option<&'static str> {
        self.by_code
            .get(code)
            .map(|&index| self.entries[index].title)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_of_every_level_parse_with_their_titles() {
        let electrician = OccupationCode::parse("6-31-01-03").unwrap();
        assert_eq!(electrician.title(), "电工");
        assert_eq!(electrician.level(), OccupationLevel::Occupation);
        assert_eq!(
            electrician.prefixes(),
            ["6", "6-31", "6-31-01", "6-31-01-03"]
        );
        let medium = OccupationCode::parse("6-31-00-00").unwrap();
        assert_eq!(medium.level(), OccupationLevel::Medium);
        assert_eq!(medium.prefix(), "6-31");
        assert_eq!(
            OccupationCode::parse("2-00-00-00").unwrap().level(),
            OccupationLevel::Major
        );
        // An occupation straight under a medium group.
        let party = OccupationCode::parse("1-01-00-01").unwrap();
        assert_eq!(party.prefixes(), ["1", "1-01", "1-01-00-01"]);
    }

    #[test]
    fn prefixes_are_checked_and_trimmed_of_zero_pairs() {
        assert_eq!(OccupationCode::parse_prefix("6-31").unwrap(), "6-31");
        assert_eq!(OccupationCode::parse_prefix("6-31-00-00").unwrap(), "6-31");
        assert_eq!(OccupationCode::parse_prefix("6").unwrap(), "6");
        assert!(matches!(
            OccupationCode::parse_prefix("6-98"),
            Err(OccupationCodeError::Unknown { .. })
        ));
        assert_eq!(
            OccupationCode::parse_prefix("631"),
            Err(OccupationCodeError::Form)
        );
    }

    #[test]
    fn malformed_and_unknown_codes_are_refused() {
        assert_eq!(
            OccupationCode::parse("6-31-01"),
            Err(OccupationCodeError::Form)
        );
        assert_eq!(
            OccupationCode::parse("6-3-01-03"),
            Err(OccupationCodeError::Form)
        );
        assert_eq!(
            OccupationCode::parse("6-00-01-00"),
            Err(OccupationCodeError::Form)
        );
        assert_eq!(
            OccupationCode::parse("6-31-01-99").unwrap_err().code(),
            "occupation_code.unknown"
        );
        assert!(serde_json::from_str::<OccupationCode>("\"6-31-01-03\"").is_ok());
        assert!(serde_json::from_str::<OccupationCode>("\"6-31-01-99\"").is_err());
    }

    #[test]
    fn the_classification_is_read_whole() {
        let occupations = Occupations::get();
        let count = |level| {
            occupations
                .entries()
                .iter()
                .filter(|entry| entry.level == level)
                .count()
        };
        assert_eq!(count(OccupationLevel::Major), 8);
        assert!(count(OccupationLevel::Medium) >= 70);
        assert!(count(OccupationLevel::Minor) >= 400);
        assert!(count(OccupationLevel::Occupation) >= 1_500);
    }
}
