//! The one catalogue of HTTP errors and [`ApiError`], which renders RFC 9457
//! `application/problem+json`. Every status a Labex service answers with
//! for a refusal is chosen here, and nowhere else.

use std::borrow::Cow;
use std::fmt;

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::{HttpResponse, ResponseError};
use labex_app::{Error as UseCaseError, FieldError};
use labex_domain::{ErrorKind, Refused};
use labex_eventsourcing::RepositoryError;
use serde::Serialize;
use utoipa::ToSchema;

use crate::request_id;

/// The media type of every error body.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// The prefix of every problem `type` URI.
pub const PROBLEM_TYPE_BASE: &str = "https://labex.example/problems/";

macro_rules! catalogue {
    ($($(#[$doc:meta])* $variant:ident => $code:literal, $status:ident, $title:literal;)*) => {
        /// Every kind of problem a Labex service answers with: a stable code
        /// (the last segment of the `type` URI), a title and a status.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum ErrorCode {
            $($(#[$doc])* $variant,)*
        }

        impl ErrorCode {
            /// Every entry, for tests and documentation.
            pub const ALL: &'static [ErrorCode] = &[$(ErrorCode::$variant,)*];

            /// The stable code: snake_case, never changed once published.
            pub fn code(self) -> &'static str {
                match self { $(Self::$variant => $code,)* }
            }

            /// The HTTP status.
            pub fn status(self) -> StatusCode {
                match self { $(Self::$variant => StatusCode::$status,)* }
            }

            /// The short human title, the same for every occurrence.
            pub fn title(self) -> &'static str {
                match self { $(Self::$variant => $title,)* }
            }
        }
    };
}

catalogue! {
    /// The body is not well-formed JSON.
    MalformedJson => "malformed_json", BAD_REQUEST, "Malformed JSON";
    /// The body is JSON of the wrong shape: wrong types, missing fields.
    InvalidBody => "invalid_body", UNPROCESSABLE_ENTITY, "Invalid request body";
    /// Well-formed input with invalid values; see `errors`.
    ValidationFailed => "validation_failed", UNPROCESSABLE_ENTITY, "Validation failed";
    /// The body is not JSON.
    UnsupportedMediaType => "unsupported_media_type", UNSUPPORTED_MEDIA_TYPE, "Unsupported media type";
    /// The body exceeds the size limit.
    PayloadTooLarge => "payload_too_large", PAYLOAD_TOO_LARGE, "Payload too large";
    /// The query string cannot be read.
    InvalidQuery => "invalid_query", BAD_REQUEST, "Invalid query parameters";
    /// A path segment cannot be read (an id that is not a UUID).
    InvalidPath => "invalid_path", BAD_REQUEST, "Invalid path parameter";
    /// The `If-Match` header is neither `*` nor quoted revisions, or it
    /// names more than one revision.
    InvalidIfMatch => "invalid_if_match", BAD_REQUEST, "Invalid If-Match header";
    /// The `Idempotency-Key` header is not 1–255 visible ASCII characters.
    InvalidIdempotencyKey => "invalid_idempotency_key", BAD_REQUEST, "Invalid Idempotency-Key header";
    /// The `Idempotency-Key` was used before, by the same caller, for
    /// another request (method, path or body); nothing was written.
    IdempotencyKeyReused => "idempotency_key_reused", UNPROCESSABLE_ENTITY, "Idempotency-Key used for another request";
    /// The paging cursor was not issued by this service.
    InvalidCursor => "invalid_cursor", BAD_REQUEST, "Invalid cursor";
    /// The paging limit is out of range.
    InvalidLimit => "invalid_limit", BAD_REQUEST, "Invalid limit";
    /// No bearer token, or one that is malformed, badly signed or expired.
    Unauthenticated => "unauthenticated", UNAUTHORIZED, "Authentication required";
    /// The caller may not do this.
    Forbidden => "forbidden", FORBIDDEN, "Forbidden";
    /// No such resource.
    NotFound => "not_found", NOT_FOUND, "Not found";
    /// The resource does not take this method.
    MethodNotAllowed => "method_not_allowed", METHOD_NOT_ALLOWED, "Method not allowed";
    /// The request (its body, say) did not arrive and was not answered in
    /// time.
    RequestTimeout => "request_timeout", REQUEST_TIMEOUT, "Request timeout";
    /// Too many requests or connections from this client, or in all.
    TooManyRequests => "too_many_requests", TOO_MANY_REQUESTS, "Too many requests";
    /// The current state forbids the command.
    Conflict => "conflict", CONFLICT, "Conflict";
    /// The resource changed since the revision given in `If-Match`, or
    /// `If-Match` held only weak tags, which never match.
    PreconditionFailed => "precondition_failed", PRECONDITION_FAILED, "Precondition failed";
    /// The command breaks a rule of the domain.
    Unprocessable => "unprocessable", UNPROCESSABLE_ENTITY, "Unprocessable command";
    /// The event store cannot be reached.
    StoreUnavailable => "store_unavailable", SERVICE_UNAVAILABLE, "Service unavailable";
    /// A readiness check failed.
    NotReady => "not_ready", SERVICE_UNAVAILABLE, "Not ready";
    /// A fault of the service.
    Internal => "internal", INTERNAL_SERVER_ERROR, "Internal server error";
}

impl ErrorCode {
    /// The `type` URI.
    pub fn type_uri(self) -> String {
        format!("{PROBLEM_TYPE_BASE}{}", self.code())
    }
}

/// The body of every error response (RFC 9457).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Problem {
    /// A URI naming the kind of problem, stable.
    #[serde(rename = "type")]
    pub problem_type: String,
    /// A short summary of the kind of problem.
    pub title: String,
    /// The HTTP status.
    pub status: u16,
    /// What went wrong here and what to do about it.
    pub detail: String,
    /// The request id, for support.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub instance: Option<String>,
    /// The invalid fields, for validation problems.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
}

/// An error answered to an HTTP client as problem+json.
#[derive(Debug, Clone)]
pub struct ApiError {
    code: Cow<'static, str>,
    title: &'static str,
    status: StatusCode,
    detail: String,
    errors: Vec<FieldError>,
    headers: Vec<(HeaderName, HeaderValue)>,
}

impl ApiError {
    /// A problem of the catalogue with a detail sentence.
    pub fn new(code: ErrorCode, detail: impl Into<String>) -> Self {
        Self {
            code: Cow::Borrowed(code.code()),
            title: code.title(),
            status: code.status(),
            detail: detail.into(),
            errors: Vec::new(),
            headers: Vec::new(),
        }
    }

    /// A 422 listing the invalid fields.
    pub fn validation(errors: Vec<FieldError>) -> Self {
        let mut error = Self::new(
            ErrorCode::ValidationFailed,
            "Some fields are invalid; correct the fields listed in errors and send the request again.",
        );
        error.errors = errors;
        error
    }

    /// A 400 naming every invalid query parameter.
    pub fn invalid_parameters(errors: Vec<FieldError>) -> Self {
        let mut names: Vec<&str> = errors.iter().map(|error| error.field.as_str()).collect();
        names.dedup();
        let detail = format!(
            "These query parameters are invalid: {}; see errors.",
            names.join(", ")
        );
        let mut error = Self::new(ErrorCode::InvalidQuery, detail);
        error.errors = errors;
        error
    }

    /// A 401 with `WWW-Authenticate: Bearer`.
    pub fn unauthenticated(detail: impl Into<String>) -> Self {
        Self::new(ErrorCode::Unauthenticated, detail)
            .with_header(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"))
    }

    /// A 403.
    pub fn forbidden(detail: impl Into<String>) -> Self {
        Self::new(ErrorCode::Forbidden, detail)
    }

    /// A 500 that logs its cause and shows the client a generic sentence.
    pub fn internal(cause: &dyn fmt::Display) -> Self {
        tracing::error!(error = %cause, "internal error");
        Self::new(
            ErrorCode::Internal,
            "Something went wrong on our side; try again later, and quote the instance if it persists.",
        )
    }

    /// A 400 for a query parameter that cannot be used.
    pub fn invalid_query(detail: impl Into<String>) -> Self {
        Self::new(ErrorCode::InvalidQuery, detail)
    }

    /// A 503 for a store that cannot be reached, with a retry hint.
    pub fn store_unavailable(cause: &dyn fmt::Display) -> Self {
        tracing::warn!(error = %cause, "event store unavailable");
        Self::new(
            ErrorCode::StoreUnavailable,
            "The event store cannot be reached right now; retry in a few seconds.",
        )
        .with_header(header::RETRY_AFTER, HeaderValue::from_static("5"))
    }

    /// A domain refusal: 404, 409 or 422 by its kind, with the domain's own
    /// code as the problem type, and its field listed where it has one.
    pub fn from_refused(error: &Refused) -> Self {
        let (title, status) = match error.kind() {
            ErrorKind::NotFound => (ErrorCode::NotFound.title(), StatusCode::NOT_FOUND),
            ErrorKind::Conflict => (ErrorCode::Conflict.title(), StatusCode::CONFLICT),
            ErrorKind::Unprocessable => (
                ErrorCode::Unprocessable.title(),
                StatusCode::UNPROCESSABLE_ENTITY,
            ),
        };
        let detail = sentence(&error.to_string());
        let errors = error
            .field()
            .map(|field| FieldError {
                field: field.to_owned(),
                code: error.code(),
                detail: detail.clone(),
            })
            .into_iter()
            .collect();
        Self {
            code: Cow::Borrowed(error.code()),
            title,
            status,
            detail,
            errors,
            headers: Vec::new(),
        }
    }

    /// A repository error, knowing whether the request carried `If-Match`:
    /// a conflict is then 412 (the client's revision is stale), else 409.
    pub fn from_repository(error: RepositoryError, had_if_match: bool) -> Self {
        UseCaseError::from_repository(error, had_if_match).into()
    }

    /// Adds a response header.
    pub fn with_header(mut self, name: HeaderName, value: HeaderValue) -> Self {
        self.headers.push((name, value));
        self
    }

    /// Adds field errors.
    pub fn with_errors(mut self, errors: Vec<FieldError>) -> Self {
        self.errors.extend(errors);
        self
    }

    /// The stable code (last segment of the `type`).
    pub fn code(&self) -> &str {
        &self.code
    }

    /// The body as it is sent, with `instance` the current request id.
    pub fn problem(&self) -> Problem {
        Problem {
            problem_type: format!("{PROBLEM_TYPE_BASE}{}", self.code),
            title: self.title.to_owned(),
            status: self.status.as_u16(),
            detail: self.detail.clone(),
            instance: request_id::current(),
            errors: self.errors.clone(),
        }
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            formatter,
            "{} ({}): {}",
            self.code, self.status, self.detail
        )
    }
}

impl std::error::Error for ApiError {}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.status
    }

    fn error_response(&self) -> HttpResponse {
        let mut response = HttpResponse::build(self.status);
        response.insert_header((header::CONTENT_TYPE, PROBLEM_JSON));
        for (name, value) in &self.headers {
            response.insert_header((name.clone(), value.clone()));
        }
        response.json(self.problem())
    }
}

impl From<UseCaseError> for ApiError {
    /// The one place a use case's error becomes an HTTP answer.
    fn from(error: UseCaseError) -> Self {
        match error {
            UseCaseError::Forbidden { detail, errors } => {
                Self::forbidden(detail).with_errors(errors)
            }
            UseCaseError::NotFound { detail } => Self::new(ErrorCode::NotFound, detail),
            UseCaseError::Refused(refused) => Self::from_refused(&refused),
            UseCaseError::Invalid(errors) => Self::validation(errors),
            UseCaseError::InvalidQuery(errors) => Self::invalid_parameters(errors),
            UseCaseError::Conflict { detail } => Self::new(ErrorCode::Conflict, detail),
            UseCaseError::BadCursor => Self::new(
                ErrorCode::InvalidCursor,
                "The cursor is not one this service issued; use the next_cursor of the previous page, or none for the first page.",
            ),
            UseCaseError::Stale => Self::new(
                ErrorCode::PreconditionFailed,
                "The resource has changed since the revision in If-Match; fetch it again and retry with its new ETag.",
            ),
            UseCaseError::NotReady { detail } => Self::new(ErrorCode::NotReady, detail)
                .with_header(header::RETRY_AFTER, HeaderValue::from_static("5")),
            UseCaseError::Unavailable { cause } => Self::store_unavailable(&cause),
            UseCaseError::IdempotencyKeyReused { key } => Self::new(
                ErrorCode::IdempotencyKeyReused,
                format!(
                    "The Idempotency-Key \"{key}\" was used before for another request; nothing was done. Send a new key for a new request, or repeat the first request exactly to retry it."
                ),
            ),
            UseCaseError::TooMany { detail } => Self::new(ErrorCode::TooManyRequests, detail)
                .with_header(header::RETRY_AFTER, HeaderValue::from_static("5")),
            UseCaseError::Internal { cause } => Self::internal(&cause),
        }
    }
}

impl From<RepositoryError> for ApiError {
    /// Without knowledge of `If-Match`: a conflict is 409. Handlers that
    /// take `If-Match` use [`ApiError::from_repository`].
    fn from(error: RepositoryError) -> Self {
        Self::from_repository(error, false)
    }
}

pub(crate) use labex_app::sentence;

#[cfg(test)]
mod tests {
    use super::*;
    use labex_domain::jobseeker::JobSeekerError;
    use labex_domain::referral::ReferralError;
    use labex_domain::vacancy::VacancyError;

    #[test]
    fn catalogue_codes_are_unique_snake_case() {
        let mut codes: Vec<_> = ErrorCode::ALL.iter().map(|code| code.code()).collect();
        for code in &codes {
            assert!(
                code.chars().all(|c| c.is_ascii_lowercase() || c == '_'),
                "{code}"
            );
        }
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), ErrorCode::ALL.len());
    }

    #[test]
    fn domain_errors_map_by_kind() {
        let not_found = ApiError::from(UseCaseError::refused(VacancyError::NotFound));
        assert_eq!(not_found.status_code(), StatusCode::NOT_FOUND);
        let conflict = ApiError::from(UseCaseError::refused(JobSeekerError::AlreadyEmployed));
        assert_eq!(conflict.status_code(), StatusCode::CONFLICT);
        assert_eq!(conflict.code(), "already_employed");
        let unprocessable =
            ApiError::from(UseCaseError::refused(ReferralError::OutcomeBeforeReferral));
        assert_eq!(
            unprocessable.status_code(),
            StatusCode::UNPROCESSABLE_ENTITY
        );
        assert_eq!(unprocessable.problem().errors[0].field, "date");
    }

    #[test]
    fn a_stale_revision_is_412_with_if_match_and_409_without() {
        let conflict = || RepositoryError::Conflict {
            stream: "vacancy-1".to_owned(),
            expected: Some(1),
            actual: Some(2),
        };
        assert_eq!(
            ApiError::from_repository(conflict(), true).status_code(),
            StatusCode::PRECONDITION_FAILED
        );
        assert_eq!(
            ApiError::from_repository(conflict(), false).status_code(),
            StatusCode::CONFLICT
        );
        let missing = RepositoryError::NotFound {
            stream: "vacancy-1".to_owned(),
        };
        assert_eq!(ApiError::from(missing).status_code(), StatusCode::NOT_FOUND);
    }

    #[test]
    fn an_internal_error_shows_a_generic_sentence_not_its_cause() {
        let error = ApiError::internal(&"sqlite: disk i/o error at /srv/labex/data");
        let problem = error.problem();
        assert_eq!(problem.status, 500);
        assert!(!problem.detail.contains("sqlite"));
        assert_eq!(
            problem.detail,
            "Something went wrong on our side; try again later, and quote the instance if it persists."
        );
    }
}
