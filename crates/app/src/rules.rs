//! Rules an office or the province sets — thresholds, periods, caps — as
//! data with defaults, never constants in code.
//!
//! A context keeps its rules as one type in the domain (serde, every field
//! defaulted to the notice's value, so a file need only name what it
//! changes) and passes them to `decide` in its commands. A [`RuleBook`]
//! holds the province's rules and any office's own: read from a JSON file
//! of a deployment (`<data>/<service>/rules.json`), defaults when there is
//! none:
//!
//! ```json
//! {
//!   "rules": { "verification_working_days": 5 },
//!   "offices": { "410100": { "verification_working_days": 3 } }
//! }
//! ```
//!
//! An office's rules are those of the most specific office whose scope
//! covers it (`410100` covers `410105`), else the province's.

use std::collections::BTreeMap;
use std::path::Path;

use labex_domain::value::DivisionCode;
use serde::Deserialize;
use serde::de::DeserializeOwned;

/// The name of a service's rules file in its folder.
pub const RULES_FILE: &str = "rules.json";

/// Why a rules file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum RulesError {
    /// The file exists but cannot be read.
    #[error("cannot read the rules file {path}: {source}")]
    Read {
        /// The file.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// The file is not rules of this kind.
    #[error("the rules file {path} is invalid: {source}")]
    Invalid {
        /// The file.
        path: String,
        /// What serde found.
        source: serde_json::Error,
    },
    /// An office key that is not a division code.
    #[error("the rules file {path} names {office}, which is not a division code")]
    Office {
        /// The file.
        path: String,
        /// The key.
        office: String,
    },
}

/// The province's rules and the offices' own.
#[derive(Debug, Clone, PartialEq)]
pub struct RuleBook<R> {
    province: R,
    /// Most specific first (longest scope prefix).
    offices: Vec<(DivisionCode, R)>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RulesFile<R> {
    #[serde(default)]
    rules: Option<R>,
    #[serde(default)]
    offices: BTreeMap<String, R>,
}

impl<R: Default> Default for RuleBook<R> {
    fn default() -> Self {
        Self {
            province: R::default(),
            offices: Vec::new(),
        }
    }
}

impl<R: DeserializeOwned + Default> RuleBook<R> {
    /// The rules of the file at `path`, or the defaults when there is none.
    pub fn load(path: &Path) -> Result<Self, RulesError> {
        let shown = path.display().to_string();
        match std::fs::read_to_string(path) {
            Ok(text) => Self::from_json(&text, &shown),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(Self::default()),
            Err(source) => Err(RulesError::Read {
                path: shown,
                source,
            }),
        }
    }

    /// The rules of a JSON text (named `source` in errors).
    pub fn from_json(text: &str, source: &str) -> Result<Self, RulesError> {
        let file: RulesFile<R> =
            serde_json::from_str(text).map_err(|error| RulesError::Invalid {
                path: source.to_owned(),
                source: error,
            })?;
        let mut offices = file
            .offices
            .into_iter()
            .map(|(office, rules)| {
                DivisionCode::parse(&office)
                    .map(|code| (code, rules))
                    .map_err(|_| RulesError::Office {
                        path: source.to_owned(),
                        office,
                    })
            })
            .collect::<Result<Vec<_>, _>>()?;
        offices.sort_by_key(|(code, _)| std::cmp::Reverse(code.scope_prefix().len()));
        Ok(Self {
            province: file.rules.unwrap_or_default(),
            offices,
        })
    }
}

impl<R> RuleBook<R> {
    /// The rules that hold in `office`.
    pub fn for_office(&self, office: &DivisionCode) -> &R {
        self.offices
            .iter()
            .find(|(code, _)| code.covers(office))
            .map_or(&self.province, |(_, rules)| rules)
    }

    /// The province's rules.
    pub fn province(&self) -> &R {
        &self.province
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Clone, PartialEq, Deserialize)]
    #[serde(default, deny_unknown_fields)]
    struct Rules {
        days: u32,
        share: u32,
    }

    impl Default for Rules {
        fn default() -> Self {
            Self { days: 7, share: 10 }
        }
    }

    fn code(text: &str) -> DivisionCode {
        DivisionCode::parse(text).unwrap()
    }

    #[test]
    fn the_most_specific_office_wins_and_unnamed_fields_keep_their_defaults() {
        let book: RuleBook<Rules> = RuleBook::from_json(
            r#"{"rules": {"days": 5}, "offices": {"410000": {"share": 20}, "410100": {"days": 3}}}"#,
            "test",
        )
        .unwrap();
        assert_eq!(book.province(), &Rules { days: 5, share: 10 });
        assert_eq!(
            book.for_office(&code("410105")),
            &Rules { days: 3, share: 10 }
        );
        assert_eq!(
            book.for_office(&code("410305")),
            &Rules { days: 7, share: 20 }
        );
        assert_eq!(
            book.for_office(&code("420100")),
            &Rules { days: 5, share: 10 }
        );
    }

    #[test]
    fn no_file_means_the_defaults_and_a_bad_one_is_refused() {
        let book: RuleBook<Rules> =
            RuleBook::load(Path::new("/nonexistent/labex/rules.json")).unwrap();
        assert_eq!(book.for_office(&code("410105")), &Rules::default());
        assert!(matches!(
            RuleBook::<Rules>::from_json(r#"{"rules": {"dayz": 1}}"#, "test"),
            Err(RulesError::Invalid { .. })
        ));
        assert!(matches!(
            RuleBook::<Rules>::from_json(r#"{"offices": {"41": {}}}"#, "test"),
            Err(RulesError::Office { .. })
        ));
    }
}
