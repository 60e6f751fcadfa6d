//! Names and free text: trimmed, bounded, without control characters.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::refusal::Coded;

/// Why a text was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TextError {
    /// Nothing but whitespace.
    #[error("the text is empty")]
    Empty,
    /// More characters than the field allows (counted after trimming).
    #[error("the text has {actual} characters, more than the {max} allowed")]
    TooLong {
        /// The most allowed.
        max: usize,
        /// How many there were.
        actual: usize,
    },
    /// A control character (line breaks and tabs are allowed in multi-line
    /// text only).
    #[error("the text contains a control character")]
    ControlCharacter,
    /// A character that has no place in a person's name.
    #[error("'{character}' has no place in a name")]
    ForbiddenCharacter {
        /// The first offending character.
        character: char,
    },
}

impl Coded for TextError {
    fn code(&self) -> &'static str {
        match self {
            Self::Empty => "text.empty",
            Self::TooLong { .. } => "text.too_long",
            Self::ControlCharacter => "text.control_character",
            Self::ForbiddenCharacter { .. } => "text.forbidden_character",
        }
    }
}

/// Trims a single-line text and folds every run of whitespace (including
/// the ideographic space U+3000) into one space.
fn normalise_single_line(input: &str, max: usize) -> Result<String, TextError> {
    let trimmed = input.trim();
    if trimmed
        .chars()
        .any(|character| character.is_control() && character != '\t')
    {
        return Err(TextError::ControlCharacter);
    }
    let text = trimmed.split_whitespace().collect::<Vec<_>>().join(" ");
    check_length(text, max)
}

/// Trims a multi-line text and writes every line break as `\n`.
fn normalise_multi_line(input: &str, max: usize) -> Result<String, TextError> {
    let unified = input.replace("\r\n", "\n").replace('\r', "\n");
    if unified
        .chars()
        .any(|character| character.is_control() && !matches!(character, '\n' | '\t'))
    {
        return Err(TextError::ControlCharacter);
    }
    check_length(unified.trim().to_owned(), max)
}

fn check_length(text: String, max: usize) -> Result<String, TextError> {
    let length = text.chars().count();
    if length == 0 {
        return Err(TextError::Empty);
    }
    if length > max {
        return Err(TextError::TooLong {
            max,
            actual: length,
        });
    }
    Ok(text)
}

macro_rules! text_value {
    ($(#[$attribute:meta])* $name:ident, max = $max:expr, $normalise:ident) => {
        $(#[$attribute])*
        #[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            /// The most characters allowed.
            pub const MAX_CHARS: usize = $max;

            /// Trims and checks the text.
            pub fn parse(input: &str) -> Result<Self, TextError> {
                $normalise(input, Self::MAX_CHARS).map(Self)
            }

            /// The text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl TryFrom<String> for $name {
            type Error = TextError;

            fn try_from(value: String) -> Result<Self, Self::Error> {
                Self::parse(&value)
            }
        }

        impl From<$name> for String {
            fn from(value: $name) -> Self {
                value.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
                formatter.write_str(&self.0)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(formatter, "{}({:?})", stringify!($name), self.0)
            }
        }
    };
}

text_value!(
    /// The name of an employer or other organisation, one line of at most
    /// 100 characters.
    OrganisationName,
    max = 100,
    normalise_single_line
);

text_value!(
    /// The title of a vacancy, one line of at most 100 characters.
    Title,
    max = 100,
    normalise_single_line
);

text_value!(
    /// A short label: a skill, an occupation, a major, an industry. One line
    /// of at most 50 characters.
    Label,
    max = 50,
    normalise_single_line
);

text_value!(
    /// A note by a counsellor (on a referral, a registration), up to 1,000
    /// characters, line breaks allowed.
    Note,
    max = 1_000,
    normalise_multi_line
);

text_value!(
    /// A long text (a vacancy's description, a job seeker's summary), up to
    /// 5,000 characters, line breaks allowed.
    Description,
    max = 5_000,
    normalise_multi_line
);

/// A person's name (姓名), one line of at most 50 characters, without
/// digits or markup characters; the middle dot of minority names (`·`) is
/// fine.
///
/// It is personal data: [`Debug`](fmt::Debug) and [`Display`](fmt::Display)
/// print only its first character (`张*`); [`as_str`](Self::as_str) gives
/// the name.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PersonName(String);

impl PersonName {
    /// The most characters allowed.
    pub const MAX_CHARS: usize = 50;

    /// The characters, besides the ASCII digits, that have no place in a
    /// name.
    pub const FORBIDDEN_CHARACTERS: &'static str = "<>{}[]\"\\/@#$%^&*=_|;:";

    /// Trims and checks a name.
    pub fn parse(input: &str) -> Result<Self, TextError> {
        let name = normalise_single_line(input, Self::MAX_CHARS)?;
        if let Some(character) = name.chars().find(|character| {
            character.is_ascii_digit() || Self::FORBIDDEN_CHARACTERS.contains(*character)
        }) {
            return Err(TextError::ForbiddenCharacter { character });
        }
        Ok(Self(name))
    }

    /// The name. Personal data: never log it.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The first character followed by one `*` for each other character
    /// (`张*`, `欧阳**` → `欧**`); a one-character name is all `*`.
    pub fn masked(&self) -> String {
        let mut characters = self.0.chars();
        let length = self.0.chars().count();
        match (characters.next(), length) {
            (Some(first), 2..) => format!("{first}{}", "*".repeat(length - 1)),
            _ => "*".to_owned(),
        }
    }
}

impl AsRef<str> for PersonName {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for PersonName {
    type Error = TextError;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<PersonName> for String {
    fn from(value: PersonName) -> Self {
        value.0
    }
}

impl fmt::Display for PersonName {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(&self.masked())
    }
}

impl fmt::Debug for PersonName {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "PersonName({})", self.masked())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_trimmed_and_inner_whitespace_folded() {
        assert_eq!(PersonName::parse("  张伟 ").unwrap().as_str(), "张伟");
        assert_eq!(
            PersonName::parse("Li\u{3000} \tMing").unwrap().as_str(),
            "Li Ming"
        );
        assert_eq!(
            PersonName::parse("阿卜杜拉·艾买提").unwrap().as_str(),
            "阿卜杜拉·艾买提"
        );
    }

    #[test]
    fn an_empty_or_blank_name_is_refused() {
        assert_eq!(PersonName::parse(""), Err(TextError::Empty));
        assert_eq!(PersonName::parse(" \u{3000}\t "), Err(TextError::Empty));
    }

    #[test]
    fn a_name_of_fifty_characters_is_accepted_and_fifty_one_refused() {
        assert!(PersonName::parse(&"王".repeat(50)).is_ok());
        assert_eq!(
            PersonName::parse(&"王".repeat(51)),
            Err(TextError::TooLong {
                max: 50,
                actual: 51
            })
        );
    }

    #[test]
    fn digits_and_markup_in_names_are_refused() {
        assert_eq!(
            PersonName::parse("张3"),
            Err(TextError::ForbiddenCharacter { character: '3' })
        );
        assert_eq!(
            PersonName::parse("<script>"),
            Err(TextError::ForbiddenCharacter { character: '<' })
        );
    }

    #[test]
    fn line_breaks_and_control_characters_in_a_name_are_refused() {
        assert_eq!(
            PersonName::parse("张\n伟"),
            Err(TextError::ControlCharacter)
        );
        assert_eq!(
            PersonName::parse("张\u{0}伟"),
            Err(TextError::ControlCharacter)
        );
        assert_eq!(Title::parse("焊工\u{7}"), Err(TextError::ControlCharacter));
    }

    #[test]
    fn a_single_trailing_line_break_is_trimmed_from_one_line_text() {
        assert_eq!(Title::parse("焊工\n").unwrap().as_str(), "焊工");
        assert_eq!(Title::parse("焊工\r\n").unwrap().as_str(), "焊工");
    }

    #[test]
    fn names_are_masked_in_debug_and_display() {
        let name = PersonName::parse("欧阳娜娜").unwrap();
        assert_eq!(name.masked(), "欧***");
        assert_eq!(name.to_string(), "欧***");
        assert_eq!(format!("{name:?}"), "PersonName(欧***)");
        assert_eq!(PersonName::parse("伟").unwrap().masked(), "*");
    }

    #[test]
    fn multi_line_text_keeps_line_breaks_and_unifies_them() {
        let description = Description::parse("\r\n负责焊接。\r\n要求持证。\t\n").unwrap();
        assert_eq!(description.as_str(), "负责焊接。\n要求持证。");
        assert_eq!(Note::parse("a\u{1b}[31m"), Err(TextError::ControlCharacter));
    }

    #[test]
    fn limits_differ_by_kind_of_text() {
        assert!(Label::parse(&"a".repeat(50)).is_ok());
        assert!(Label::parse(&"a".repeat(51)).is_err());
        assert!(Title::parse(&"a".repeat(100)).is_ok());
        assert!(OrganisationName::parse(&"a".repeat(101)).is_err());
        assert!(Note::parse(&"a".repeat(1_000)).is_ok());
        assert!(Description::parse(&"字".repeat(5_000)).is_ok());
        assert_eq!(
            Description::parse(&"字".repeat(5_001)),
            Err(TextError::TooLong {
                max: 5_000,
                actual: 5_001
            })
        );
    }

    #[test]
    fn serde_goes_through_parse() {
        let title: Title = serde_json::from_str("\"  电焊工  \"").unwrap();
        assert_eq!(title.as_str(), "电焊工");
        assert_eq!(serde_json::to_string(&title).unwrap(), "\"电焊工\"");
        assert!(serde_json::from_str::<Title>("\"   \"").is_err());
        let name: PersonName = serde_json::from_str("\"张伟\"").unwrap();
        assert_eq!(serde_json::to_string(&name).unwrap(), "\"张伟\"");
    }

    #[test]
    fn errors_have_stable_codes() {
        assert_eq!(Label::parse("").unwrap_err().code(), "text.empty");
        assert_eq!(
            PersonName::parse("张3").unwrap_err().code(),
            "text.forbidden_character"
        );
    }
}
