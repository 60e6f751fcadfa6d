//! Helpers for responses and request headers: `ETag` of a revision,
//! `If-Match`, `Idempotency-Key`, and cursor paging.

use std::future::{Ready, ready};

use futures::StreamExt;
use futures::future::LocalBoxFuture;

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

/// What a write's `If-Match` asks for (RFC 9110 §13.1.1), in the form the
/// services can honour: a write is appended with one expected revision.
///
/// - No header: [`IfMatch::Absent`]. The write is decided on the latest
///   revision and decided again after losing a race.
/// - `*`: [`IfMatch::Any`], "proceed if the resource exists". The write is
///   decided on the latest revision, as without the header; the handlers
///   already refuse a resource that does not exist (404, which RFC 9110
///   §13.2.1 lets take precedence over the precondition), and an aggregate
///   with no events refuses every command but its creation.
/// - One strong entity tag (`"3"`), or a list whose strong tags all name
///   that one revision (`"3", W/"2"`, `"3", "3"`; several header lines count
///   as one list): [`IfMatch::Revision`], "proceed only at exactly this
///   revision"; a stale one is 412.
///
/// Refused before the handler runs:
///
/// - Only weak tags (`W/"3"`): 412 `precondition_failed`. `If-Match`
///   compares entity tags strongly, so a weak tag never matches (RFC 9110
///   §8.8.3.2); a weak tag among strong ones is simply never the match. The
///   detail says why, since this service issues only strong tags and a weak
///   one usually means something between weakened it.
/// - A list naming two or more different revisions: 400 `invalid_if_match`.
///   At most one of them can be current, but which one is only known once
///   the aggregate is loaded, and a write carries one expected revision;
///   rather than guess, the client is asked for the one ETag it holds.
/// - Anything else (`3`, `"abc"`, `*` inside a list, an empty value): 400
///   `invalid_if_match`. Every ETag this service issues is a quoted
///   revision, so no other tag could ever match.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum IfMatch {
    /// No `If-Match` header.
    #[default]
    Absent,
    /// `If-Match: *`: the resource exists, at any revision.
    Any,
    /// The resource is exactly at this revision.
    Revision(u64),
}

impl IfMatch {
    /// `options` expecting the revision of the header, when it names one;
    /// without the header and with `*` they are left as they are.
    pub fn apply_to(
        self,
        options: labex_eventsourcing::ExecuteOptions,
    ) -> labex_eventsourcing::ExecuteOptions {
        match self {
            Self::Revision(revision) => options.if_match(revision),
            Self::Absent | Self::Any => options,
        }
    }

    /// Whether the request carried the header, `*` included (a conflict is
    /// then 412). With `*` a conflict can only come from writers that
    /// outran every retry.
    pub fn is_present(&self) -> bool {
        !matches!(self, Self::Absent)
    }

    /// The revision the header names, if it names one.
    pub fn revision(&self) -> Option<u64> {
        match self {
            Self::Revision(revision) => Some(*revision),
            Self::Absent | Self::Any => None,
        }
    }
}

fn malformed_if_match() -> ApiError {
    ApiError::new(
        ErrorCode::InvalidIfMatch,
        "If-Match must be * or the ETag of the resource, a quoted revision such as \"3\"; send the ETag you received.",
    )
}

/// One member of an `If-Match` list: a quoted revision, weak or strong.
struct EntityTag {
    weak: bool,
    revision: u64,
}

fn parse_entity_tag(text: &str) -> Option<EntityTag> {
    let (weak, quoted) = match text.strip_prefix("W/") {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let revision = quoted
        .strip_prefix('"')
        .and_then(|rest| rest.strip_suffix('"'))
        .filter(|digits| !digits.is_empty() && digits.bytes().all(|byte| byte.is_ascii_digit()))
        .and_then(|digits| digits.parse().ok())?;
    Some(EntityTag { weak, revision })
}

/// Parses an `If-Match` value (several header lines joined with commas):
/// `*`, or a list of quoted revisions of which the strong ones name one
/// revision. See [`IfMatch`] for what is refused and how.
pub fn parse_if_match(value: &str) -> Result<IfMatch, ApiError> {
    let text = value.trim();
    if text == "*" {
        return Ok(IfMatch::Any);
    }
    // RFC 9110 §5.6.1: empty list elements are allowed and ignored.
    let members = text
        .split(',')
        .map(str::trim)
        .filter(|member| !member.is_empty());
    let mut tags = Vec::new();
    for member in members {
        tags.push(parse_entity_tag(member).ok_or_else(malformed_if_match)?);
    }
    if tags.is_empty() {
        return Err(malformed_if_match());
    }
    let mut strong = tags.iter().filter(|tag| !tag.weak).map(|tag| tag.revision);
    let Some(revision) = strong.next() else {
        return Err(ApiError::new(
            ErrorCode::PreconditionFailed,
            "If-Match compares entity tags strongly, so a weak tag such as W/\"3\" never matches; send the ETag exactly as this service gave it, without W/.",
        ));
    };
    if strong.any(|other| other != revision) {
        return Err(ApiError::new(
            ErrorCode::InvalidIfMatch,
            "If-Match may name only one revision, because a change is written against exactly one; send only the ETag you received last.",
        ));
    }
    Ok(IfMatch::Revision(revision))
}

impl FromRequest for IfMatch {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(request: &HttpRequest, _payload: &mut Payload) -> Self::Future {
        let mut lines = request.headers().get_all(header::IF_MATCH).peekable();
        if lines.peek().is_none() {
            return ready(Ok(Self::Absent));
        }
        // Several lines of a list header are one list (RFC 9110 §5.3).
        let joined = lines
            .map(|line| line.to_str().map_err(|_| malformed_if_match()))
            .collect::<Result<Vec<_>, _>>()
            .map(|lines| lines.join(","));
        ready(joined.and_then(|value| parse_if_match(&value)))
    }
}

/// The request's `Idempotency-Key`, if any, bound to the request: the key
/// carries a keyed digest of the method, the path and the body
/// ([`request_digest`](labex_eventsourcing::request_digest)), so that the
/// same key with another request is refused rather than answered with the
/// first one's result. Reading the body for the digest leaves it in place
/// for the body's own extractor ([`Json`](crate::Json)) after this one. An invalid
/// key is refused with 400.
///
/// A service adopts it by taking this extractor before the body and
/// passing the key to the repository (`ExecuteOptions::idempotency_key`),
/// or, where it claims or takes a turn first, by calling
/// `Repository::remember_request` before that.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdempotencyKeyHeader(pub Option<IdempotencyKey>);

impl FromRequest for IdempotencyKeyHeader {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(request: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let refuse = || {
            ApiError::new(
                ErrorCode::InvalidIdempotencyKey,
                "Idempotency-Key must be 1 to 255 visible ASCII characters; send a key such as a UUID.",
            )
        };
        let key = match request.headers().get(&IDEMPOTENCY_KEY_HEADER) {
            None => return Box::pin(ready(Ok(Self(None)))),
            Some(value) => value
                .to_str()
                .map_err(|_| refuse())
                .and_then(|text| IdempotencyKey::parse(text).map_err(|_| refuse())),
        };
        let key = match key {
            Ok(key) => key,
            Err(error) => return Box::pin(ready(Err(error))),
        };
        let method = request.method().as_str().to_owned();
        let path = request.path().to_owned();
        // The body's own extractor enforces the service's limit; this one
        // only bounds what it holds.
        let limit = 16 * crate::extractors::DEFAULT_JSON_LIMIT;
        let mut taken = payload.take();
        let slot = PayloadSlot::new(payload);
        Box::pin(async move {
            let mut body = web::BytesMut::new();
            while let Some(chunk) = taken.next().await {
                let chunk = chunk.map_err(|_| {
                    ApiError::new(
                        ErrorCode::MalformedJson,
                        "The request body could not be read; send it again.",
                    )
                })?;
                if body.len() + chunk.len() > limit {
                    return Err(ApiError::new(
                        ErrorCode::PayloadTooLarge,
                        format!("The request body is larger than {limit} bytes; send less."),
                    ));
                }
                body.extend_from_slice(&chunk);
            }
            let body = body.freeze();
            let digest = labex_eventsourcing::request_digest(&method, &path, &body);
            slot.put_back(body);
            Ok(Self(Some(key.bound_to(digest))))
        })
    }
}

/// Where a body read for its digest goes back, for the extractors after
/// (actix polls every extractor of a handler at once: theirs waits until
/// the body is back).
struct PayloadSlot {
    sender: tokio::sync::oneshot::Sender<web::Bytes>,
}

impl PayloadSlot {
    /// Replaces `payload` by one that yields what [`put_back`](Self::put_back)
    /// is given.
    fn new(payload: &mut Payload) -> Self {
        let (sender, receiver) = tokio::sync::oneshot::channel::<web::Bytes>();
        let stream = futures::stream::once(async move {
            receiver
                .await
                .map_err(|_| actix_web::error::PayloadError::Incomplete(None))
        });
        *payload = Payload::Stream {
            payload: Box::pin(stream),
        };
        Self { sender }
    }

    fn put_back(self, body: web::Bytes) {
        let _ = self.sender.send(body);
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

    /// The page a use case reads: the limit, and the key the cursor holds.
    pub fn list_page(self) -> labex_app::ListPage {
        labex_app::ListPage {
            limit: self.limit,
            after: self.cursor.map(|cursor| cursor.0),
        }
    }
}

/// The `next_cursor` of a page whose use case answered `next`, the key to
/// continue after (`None` on the last page).
pub fn next_cursor(next: Option<String>) -> Option<String> {
    next.map(|key| Cursor::new(key).encode())
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
    fn if_match_takes_star_and_quoted_revisions_that_name_one_revision() {
        assert_eq!(parse_if_match("\"3\"").unwrap(), IfMatch::Revision(3));
        assert_eq!(parse_if_match(" * ").unwrap(), IfMatch::Any);
        assert_eq!(
            parse_if_match("\"3\", W/\"2\"").unwrap(),
            IfMatch::Revision(3)
        );
        assert_eq!(
            parse_if_match("\"3\" ,, \"3\"").unwrap(),
            IfMatch::Revision(3)
        );
        for malformed in ["3", "\"abc\"", "\"\"", "", " , ", "*, \"3\"", "W/3"] {
            let error = parse_if_match(malformed).unwrap_err();
            assert_eq!(error.code(), "invalid_if_match", "{malformed:?}");
        }
    }

    #[test]
    fn weak_tags_never_match_and_several_revisions_are_refused() {
        let weak = parse_if_match("W/\"12\"").unwrap_err();
        assert_eq!(weak.code(), "precondition_failed");
        let weak_only = parse_if_match("W/\"12\", W/\"13\"").unwrap_err();
        assert_eq!(weak_only.code(), "precondition_failed");
        let several = parse_if_match("\"3\", \"4\"").unwrap_err();
        assert_eq!(several.code(), "invalid_if_match");
    }

    #[test]
    fn only_a_named_revision_constrains_the_write() {
        use labex_eventsourcing::ExecuteOptions;
        let options = ExecuteOptions::default;
        assert_eq!(
            IfMatch::Revision(3).apply_to(options()),
            options().if_match(3)
        );
        assert_eq!(IfMatch::Any.apply_to(options()), options());
        assert_eq!(IfMatch::Absent.apply_to(options()), options());
        assert!(IfMatch::Any.is_present() && IfMatch::Revision(0).is_present());
        assert!(!IfMatch::Absent.is_present());
        assert_eq!(IfMatch::Any.revision(), None);
    }

    #[test]
    fn cursors_round_trip_and_garbage_is_refused() {
        let cursor = Cursor::new("2026-01-01|0193");
        assert_eq!(Cursor::decode(&cursor.encode()).unwrap(), cursor);
        assert!(Cursor::decode("%%%").is_err());
    }

    #[test]
    fn a_cursor_carries_the_key_a_use_case_continues_after() {
        let next = next_cursor(Some("2026-01-01T00:00:00.000Z 0193".to_owned()));
        let page = Page::new(Some(5), next.as_deref()).unwrap().list_page();
        assert_eq!(page.limit, 5);
        assert_eq!(page.after.as_deref(), Some("2026-01-01T00:00:00.000Z 0193"));
        assert_eq!(next_cursor(None), None);
        assert_eq!(Page::new(None, None).unwrap().list_page().after, None);
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
