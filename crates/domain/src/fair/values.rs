//! The values of a fair that no other context uses: its kind, the link of
//! an online fair, the number of visitor places.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::refusal::Coded;

/// On site (专场招聘会, at a venue) or online (网上招聘会, at a link).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FairKind {
    /// At a venue: visitors check in at the door.
    Onsite,
    /// Online: visitors follow the fair's live feed of vacancies.
    Online,
}

/// A kind that is neither `onsite` nor `online`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a fair's kind is onsite or online")]
pub struct FairKindError;

impl Coded for FairKindError {
    fn code(&self) -> &'static str {
        "fair_kind.unknown"
    }
}

impl FairKind {
    /// The kind of its snake_case name.
    pub fn parse(input: &str) -> Result<Self, FairKindError> {
        match input.trim() {
            "onsite" => Ok(Self::Onsite),
            "online" => Ok(Self::Online),
            _ => Err(FairKindError),
        }
    }

    /// The snake_case name used in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Onsite => "onsite",
            Self::Online => "online",
        }
    }
}

impl fmt::Display for FairKind {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(self.as_str())
    }
}

/// The address of an online fair: an `https://` (or `http://`) URL of at
/// most 500 characters, with a host and no spaces.
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct WebLink(String);

/// A link that is not a web address.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a link is an http or https address of at most 500 characters")]
pub struct WebLinkError;

impl Coded for WebLinkError {
    fn code(&self) -> &'static str {
        "link.invalid"
    }
}

impl WebLink {
    /// The longest link kept.
    pub const MAX_CHARS: usize = 500;

    /// Checks the scheme, the host and the length.
    pub fn parse(input: &str) -> Result<Self, WebLinkError> {
        let text = input.trim();
        let rest = text
            .strip_prefix("https://")
            .or_else(|| text.strip_prefix("http://"))
            .ok_or(WebLinkError)?;
        let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
        let fits = text.chars().count() <= Self::MAX_CHARS;
        let clean = !text.chars().any(|c| c.is_whitespace() || c.is_control());
        if host.is_empty() || !fits || !clean {
            return Err(WebLinkError);
        }
        Ok(Self(text.to_owned()))
    }

    /// The address.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for WebLink {
    type Error = WebLinkError;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<WebLink> for String {
    fn from(link: WebLink) -> Self {
        link.0
    }
}

impl fmt::Debug for WebLink {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "WebLink({})", self.0)
    }
}

/// How many job seekers a fair takes: 1 to 1,000,000 places.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "i64", into = "i64")]
pub struct Capacity(u32);

/// A capacity outside 1 to 1,000,000.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a fair's capacity is from 1 to 1000000 places")]
pub struct CapacityError;

impl Coded for CapacityError {
    fn code(&self) -> &'static str {
        "capacity.out_of_range"
    }
}

impl Capacity {
    /// The most places of one fair.
    pub const MAX: u32 = 1_000_000;

    /// Checks the range.
    pub fn parse(value: i64) -> Result<Self, CapacityError> {
        u32::try_from(value)
            .ok()
            .filter(|places| (1..=Self::MAX).contains(places))
            .map(Self)
            .ok_or(CapacityError)
    }

    /// The number of places.
    pub fn get(self) -> u32 {
        self.0
    }
}

impl TryFrom<i64> for Capacity {
    type Error = CapacityError;

    fn try_from(value: i64) -> Result<Self, Self::Error> {
        Self::parse(value)
    }
}

impl From<Capacity> for i64 {
    fn from(capacity: Capacity) -> Self {
        i64::from(capacity.0)
    }
}

impl fmt::Debug for Capacity {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "Capacity({})", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_parse_by_name() {
        assert_eq!(FairKind::parse(" online "), Ok(FairKind::Online));
        assert_eq!(FairKind::parse("onsite"), Ok(FairKind::Onsite));
        assert_eq!(FairKind::parse("hybrid"), Err(FairKindError));
    }

    #[test]
    fn links_need_a_web_scheme_and_a_host() {
        assert!(WebLink::parse("https://job.example.cn/fair/12").is_ok());
        assert!(WebLink::parse("http://10.1.2.3:8080").is_ok());
        assert_eq!(WebLink::parse("ftp://x.cn"), Err(WebLinkError));
        assert_eq!(WebLink::parse("https://"), Err(WebLinkError));
        assert_eq!(WebLink::parse("https://a.cn/x y"), Err(WebLinkError));
        let long = format!("https://a.cn/{}", "x".repeat(500));
        assert_eq!(WebLink::parse(&long), Err(WebLinkError));
    }

    #[test]
    fn capacity_is_at_least_one_place() {
        assert_eq!(Capacity::parse(1).map(Capacity::get), Ok(1));
        assert_eq!(Capacity::parse(0), Err(CapacityError));
        assert_eq!(Capacity::parse(1_000_001), Err(CapacityError));
        assert!(serde_json::from_str::<Capacity>("-3").is_err());
    }
}
