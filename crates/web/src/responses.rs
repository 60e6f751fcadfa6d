//! Helpers for responses and request headers: `ETag` of a revision,
//! `If-Match`, `Idempotency-Key`, and cursor paging.

use std::future::{Ready, ready};

use actix_web::dev::Payload;
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::{FromRequest, HttpRequest, web};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use labex_eventsourcing::IdempotencyKey;
use serde::Deserialize;

use crate::error::{ApiError, ErrorCode};

/// The `Idempotency-Key` header.
pub const IDEMPOTENCY_KEY_HEADER: HeaderName = HeaderName::from_static("idempotency-key");

/// The `ETag` header of an aggregate at `revision`: `"<revision>"`.
pub fn etag(revision: u64) -> (HeaderName, HeaderValue) {
    let value = HeaderValue::from_str(&format!("\"{revision}\""))
        .expect("a quoted number is a valid header value");
    (header::ETAG, value)
}

/// The revision a write expects, from `If-Match: "<n>"`; `None` without the
/// header. A malformed header is refused with 400.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IfMatch(pub Option<u64>);

impl IfMatch {
    /// `options` expecting the revision of the header, when there is one.
    pub fn apply_to(
        self,
        options: labex_eventsourcing::ExecuteOptions,
    ) -> labex_eventsourcing::ExecuteOptions {
        match self.0 {
            Some(revision) => options.if_match(revision),
            None => options,
        }
    }

    /// Whether the request carried the header (a conflict is then 412).
    pub fn is_present(&self) -> bool {
        self.0.is_some()
    }
}

/// Parses an `If-Match` value: one quoted revision, optionally weak (`W/`).
pub fn parse_if_match(value: &str) -> Result<u64, ApiError> {
    let text = value.trim();
    let text = text.strip_prefix("W/").unwrap_or(text);
    text.strip_prefix('"')
        .and_then(|rest| rest.strip_suffix('"'))
        .filter(|digits| !digits.is_empty() && digits.bytes().all(|byte| byte.is_ascii_digit()))
        .and_then(|digits| digits.parse().ok())
        .ok_or_else(|| {
            ApiError::new(
                ErrorCode::InvalidIfMatch,
                "If-Match must be the ETag of the resource, a quoted revision such as \"3\"; send the ETag you received.",
            )
        })
}

impl FromRequest for IfMatch {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(request: &HttpRequest, _payload: &mut Payload) -> Self::Future {
        let result = match request.headers().get(header::IF_MATCH) {
            None => Ok(Self(None)),
            Some(value) => value
                .to_str()
                .map_err(|_| parse_if_match("").unwrap_err())
                .and_then(parse_if_match)
                .map(|revision| Self(Some(revision))),
        };
        ready(result)
    }
}

/// The request's `Idempotency-Key`, if any; an invalid one is refused with
/// 400.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdempotencyKeyHeader(pub Option<IdempotencyKey>);

impl FromRequest for IdempotencyKeyHeader {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(request: &HttpRequest, _payload: &mut Payload) -> Self::Future {
        let refuse = || {
            ApiError::new(
                ErrorCode::InvalidIdempotencyKey,
                "Idempotency-Key must be 1 to 255 visible ASCII characters; send a key such as a UUID.",
            )
        };
        let result = match request.headers().get(&IDEMPOTENCY_KEY_HEADER) {
            None => Ok(Self(None)),
            Some(value) => value
                .to_str()
                .map_err(|_| refuse())
                .and_then(|text| IdempotencyKey::parse(text).map_err(|_| refuse()))
                .map(|key| Self(Some(key))),
        };
        ready(result)
    }
}

/// The default page size.
pub const DEFAULT_LIMIT: u32 = 20;
/// The largest page size; larger limits are capped to it.
pub const MAX_LIMIT: u32 = 100;

/// An opaque paging cursor: base64url of a position or key that only the
/// service reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor(String);

impl Cursor {
    /// A cursor at `position`.
    pub fn new(position: impl Into<String>) -> Self {
        Self(position.into())
    }

    /// The position it holds.
    pub fn position(&self) -> &str {
        &self.0
    }

    /// The opaque form given to clients.
    pub fn encode(&self) -> String {
        URL_SAFE_NO_PAD.encode(self.0.as_bytes())
    }

    /// Reads a cursor a client sent back; anything not issued here is 400.
    pub fn decode(text: &str) -> Result<Self, ApiError> {
        URL_SAFE_NO_PAD
            .decode(text.trim())
            .ok()
            .and_then(|bytes| String::from_utf8(bytes).ok())
            .filter(|position| !position.is_empty())
            .map(Self)
            .ok_or_else(|| {
                ApiError::new(
                    ErrorCode::InvalidCursor,
                    "The cursor is not one this service issued; use the next_cursor of the previous page, or none for the first page.",
                )
            })
    }
}

/// `limit` and `cursor` of a list request, checked: the limit defaults to
/// [`DEFAULT_LIMIT`] and is capped at [`MAX_LIMIT`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    /// How many items at most.
    pub limit: u32,
    /// Where to continue, `None` for the first page.
    pub cursor: Option<Cursor>,
}

#[derive(Deserialize)]
struct RawPage {
    limit: Option<u32>,
    cursor: Option<String>,
}

impl Page {
    /// Checks raw values.
    pub fn new(limit: Option<u32>, cursor: Option<&str>) -> Result<Self, ApiError> {
        let limit = match limit {
            None => DEFAULT_LIMIT,
            Some(0) => {
                return Err(ApiError::new(
                    ErrorCode::InvalidLimit,
                    format!("The limit must be between 1 and {MAX_LIMIT}; send a positive limit."),
                ));
            }
            Some(limit) => limit.min(MAX_LIMIT),
        };
        let cursor = cursor
            .filter(|text| !text.is_empty())
            .map(Cursor::decode)
            .transpose()?;
        Ok(Self { limit, cursor })
    }
}

impl FromRequest for Page {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(request: &HttpRequest, _payload: &mut Payload) -> Self::Future {
        let result = web::Query::<RawPage>::from_query(request.query_string())
            .map_err(|_| {
                ApiError::new(
                    ErrorCode::InvalidLimit,
                    format!("The limit must be a whole number between 1 and {MAX_LIMIT}; correct the limit parameter."),
                )
            })
            .and_then(|raw| Page::new(raw.limit, raw.cursor.as_deref()));
        ready(result)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn if_match_takes_quoted_revisions_only() {
        assert_eq!(parse_if_match("\"3\"").unwrap(), 3);
        assert_eq!(parse_if_match("W/\"12\"").unwrap(), 12);
        assert!(parse_if_match("3").is_err());
        assert!(parse_if_match("\"abc\"").is_err());
        assert!(parse_if_match("\"\"").is_err());
    }

    #[test]
    fn cursors_round_trip_and_garbage_is_refused() {
        let cursor = Cursor::new("2026-01-01|0193");
        assert_eq!(Cursor::decode(&cursor.encode()).unwrap(), cursor);
        assert!(Cursor::decode("%%%").is_err());
    }

    #[test]
    fn limits_default_to_20_and_are_capped_at_100() {
        assert_eq!(Page::new(None, None).unwrap().limit, 20);
        assert_eq!(Page::new(Some(1000), None).unwrap().limit, 100);
        assert!(Page::new(Some(0), None).is_err());
    }

    #[test]
    fn etags_are_quoted_revisions() {
        assert_eq!(etag(7).1, "\"7\"");
    }
}
