//! What every resource's handlers share: the aggregate id in the path
//! ([`Id`]), `?as_of=` ([`AsOf`]), and the answer of an aggregate with its
//! `ETag` (and `Location` when it was created): [`aggregate_answer`].

use std::future::{Ready, ready};

use actix_web::dev::Payload;
use actix_web::http::StatusCode;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use labex_domain::AggregateId;
use serde::Serialize;

use crate::error::{ApiError, ErrorCode};
use crate::responses::etag;
use crate::validate::parse_as_of;

/// The id of an aggregate in the request path (the segment named `id`, or
/// the first segment when none is): a UUID, or a 400 `invalid_path` that
/// names what the id should be.
#[derive(Debug, Clone, Copy)]
pub struct Id<I>(pub I);

impl<I: AggregateId> Id<I> {
    /// The id.
    pub fn get(self) -> I {
        self.0
    }
}

impl<I: AggregateId> FromRequest for Id<I> {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(request: &HttpRequest, _payload: &mut Payload) -> Self::Future {
        let segment = request
            .match_info()
            .get("id")
            .or_else(|| request.match_info().iter().next().map(|(_, value)| value))
            .unwrap_or_default();
        ready(I::parse(segment).map(Id).map_err(|_| {
            ApiError::new(
                ErrorCode::InvalidPath,
                format!(
                    "The {} id in the path is not a UUID; use the id the API returned.",
                    I::NAME
                ),
            )
        }))
    }
}

/// `?as_of=`: the moment to replay an aggregate to, or `None` for now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AsOf(pub Option<DateTime<Utc>>);

#[derive(serde::Deserialize)]
struct RawAsOf {
    as_of: Option<String>,
}

impl FromRequest for AsOf {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(request: &HttpRequest, _payload: &mut Payload) -> Self::Future {
        // A query that cannot be read (`as_of` twice, say) is refused, not
        // read as no `as_of`: that would answer the present for a request
        // that asked for the past.
        let raw = match actix_web::web::Query::<RawAsOf>::from_query(request.query_string()) {
            Ok(query) => query.into_inner().as_of,
            Err(_) => {
                return ready(Err(ApiError::new(
                    ErrorCode::InvalidQuery,
                    "as_of must be given at most once, as a time in RFC 3339, such as 2026-11-28T09:00:00+08:00.",
                )));
            }
        };
        ready(parse_as_of(raw.as_deref()).map(AsOf))
    }
}

/// The answer of an aggregate: its view as JSON with `ETag: "<revision>"`,
/// and for one just created `201 Created` with `Location` (the path of
/// the resource). Everything else is `200 OK`.
pub fn aggregate_answer(
    created_at: Option<String>,
    revision: u64,
    view: &impl Serialize,
) -> HttpResponse {
    let mut response = match &created_at {
        Some(_) => HttpResponse::build(StatusCode::CREATED),
        None => HttpResponse::Ok(),
    };
    if let Some(location) = created_at {
        response.insert_header((header::LOCATION, location));
    }
    response.insert_header(etag(revision)).json(view)
}
