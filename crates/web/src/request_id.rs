//! Request ids and the middleware that observes every request: it takes
//! `X-Request-Id` (or makes one), echoes it, opens a tracing span with it,
//! logs one line per request (method, path without the query string and
//! with any ID number a client put in it starred out, status, duration —
//! never bodies or query strings, so ID numbers are never logged) and counts the request in the [`Metrics`]. An error from inside
//! it is rendered with the request's id too.

use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::error::InternalError;
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{Error, web};
use labex_eventsourcing::EventContext;
use tracing::Instrument;

use crate::metrics::Metrics;

/// The header that carries the request id, both ways.
pub const REQUEST_ID_HEADER: HeaderName = HeaderName::from_static("x-request-id");

/// The longest request id taken from a client.
const MAX_REQUEST_ID_LENGTH: usize = 128;

tokio::task_local! {
    static REQUEST_ID: String;
}

/// The id of the request being served, if called within one.
pub fn current() -> Option<String> {
    REQUEST_ID.try_with(Clone::clone).ok()
}

fn accepted_id(value: Option<&HeaderValue>) -> Option<String> {
    let text = value?.to_str().ok()?.trim();
    let acceptable = !text.is_empty()
        && text.len() <= MAX_REQUEST_ID_LENGTH
        && text.bytes().all(|byte| byte.is_ascii_graphic());
    acceptable.then(|| text.to_owned())
}

/// The path as logged: a run of 15 or more digits (an ID number a client
/// put in a URL, in its 15- or 18-character form, `X` check included) is
/// replaced by `*`s of its length.
fn logged_path(path: &str) -> String {
    let bytes = path.as_bytes();
    let mut logged = String::with_capacity(path.len());
    let mut at = 0;
    while at < bytes.len() {
        let digits = bytes[at..]
            .iter()
            .take_while(|byte| byte.is_ascii_digit())
            .count();
        if digits == 0 {
            let character = path[at..].chars().next().unwrap_or_default();
            logged.push(character);
            at += character.len_utf8().max(1);
            continue;
        }
        let mut end = at + digits;
        if digits >= 15 && matches!(bytes.get(end), Some(b'X' | b'x')) {
            end += 1;
        }
        if digits >= 15 {
            logged.extend(std::iter::repeat_n('*', end - at));
        } else {
            logged.push_str(&path[at..end]);
        }
        at = end;
    }
    logged
}

/// The methods HTTP defines (RFC 9110, and PATCH); any other is counted
/// and logged as `OTHER`, so that a client cannot add label values without
/// bound.
fn method_label(method: &str) -> &'static str {
    const STANDARD: [&str; 9] = [
        "GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH",
    ];
    STANDARD
        .into_iter()
        .find(|standard| *standard == method)
        .unwrap_or("OTHER")
}

/// The middleware, for `App::wrap(actix_web::middleware::from_fn(observe))`.
/// It finds the [`Metrics`] in the app data when present.
pub async fn observe(
    request: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let request_id = accepted_id(request.headers().get(&REQUEST_ID_HEADER))
        .unwrap_or_else(|| uuid::Uuid::now_v7().to_string());
    let metrics = request.app_data::<web::Data<Metrics>>().cloned();
    let method = method_label(request.method().as_str());
    let path = logged_path(request.path());
    // The caller's role and office are recorded once the token is read
    // (never who they are, nor anything personal).
    let span = tracing::info_span!(
        "request",
        request_id = %request_id,
        method = %method,
        path = %path,
        role = tracing::field::Empty,
        office = tracing::field::Empty,
    );
    let started = Instant::now();
    let outcome = REQUEST_ID
        .scope(request_id.clone(), next.call(request))
        .instrument(span.clone())
        .await;
    let elapsed = started.elapsed();
    let mut response = match outcome {
        Ok(response) => response,
        Err(error) => {
            // A middleware inside this one failed, or a handler panicked
            // ([`catch_panic`](crate::catch_panic)). Without the request
            // there is no response to hand back, so the error is rendered
            // here, within the request's id scope (its `instance`), given
            // the id header, and handed on already rendered.
            let status = error.as_response_error().status_code().as_u16();
            if let Some(metrics) = metrics {
                metrics.observe(method, "unmatched", status, elapsed);
            }
            span.in_scope(|| {
                tracing::info!(
                    status,
                    duration_ms = elapsed.as_secs_f64() * 1000.0,
                    "request failed"
                )
            });
            let mut rendered = REQUEST_ID.sync_scope(request_id.clone(), || error.error_response());
            if let Ok(value) = HeaderValue::from_str(&request_id) {
                rendered.headers_mut().insert(REQUEST_ID_HEADER, value);
            }
            return Err(InternalError::from_response(error, rendered).into());
        }
    };
    let status = response.status().as_u16();
    let route = response
        .request()
        .match_pattern()
        .unwrap_or_else(|| "unmatched".to_owned());
    if let Some(metrics) = metrics {
        metrics.observe(method, &route, status, elapsed);
    }
    span.in_scope(|| {
        tracing::info!(
            status,
            route = %route,
            duration_ms = elapsed.as_secs_f64() * 1000.0,
            "request served"
        );
    });
    if let Ok(value) = HeaderValue::from_str(&request_id) {
        response.headers_mut().insert(REQUEST_ID_HEADER, value);
    }
    Ok(response)
}

/// The event context of the request being served: its id (a UUID; a
/// client's own request id that is not one is hashed into one) as
/// correlation and causation, the caller as actor, on behalf of `office`.
pub fn request_context(
    actor: &str,
    office: Option<labex_domain::value::DivisionCode>,
) -> EventContext {
    EventContext::for_request(request_correlation_id(), actor, office)
}

/// The correlation id of the request being served: its id (a UUID; a
/// client's own request id that is not one is hashed into one), or a new
/// one outside a request.
pub(crate) fn request_correlation_id() -> uuid::Uuid {
    current()
        .map(|text| {
            uuid::Uuid::try_parse(&text)
                .unwrap_or_else(|_| uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_OID, text.as_bytes()))
        })
        .unwrap_or_else(uuid::Uuid::now_v7)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_standard_methods_are_label_values() {
        assert_eq!(method_label("GET"), "GET");
        assert_eq!(method_label("PATCH"), "PATCH");
        assert_eq!(method_label("FROBNICATE"), "OTHER");
        assert_eq!(method_label("get"), "OTHER");
    }

    #[test]
    fn id_numbers_in_paths_are_not_logged() {
        assert_eq!(
            logged_path("/v1/jobseekers/11010519491231002X/matches"),
            "/v1/jobseekers/******************/matches"
        );
        assert_eq!(
            logged_path("/v1/x/110105491231002"),
            "/v1/x/***************"
        );
        assert_eq!(
            logged_path("/v1/vacancies/0193a6f0-7c1d-7d3e-9f00-1234567890ab"),
            "/v1/vacancies/0193a6f0-7c1d-7d3e-9f00-1234567890ab"
        );
        assert_eq!(logged_path("/v1/搜索/12345"), "/v1/搜索/12345");
    }

    #[test]
    fn client_ids_are_taken_only_when_visible_ascii_and_short() {
        let good = HeaderValue::from_static("abc-123");
        assert_eq!(accepted_id(Some(&good)).as_deref(), Some("abc-123"));
        let spaced = HeaderValue::from_static("a b");
        assert_eq!(accepted_id(Some(&spaced)), None);
        let long = HeaderValue::from_str(&"a".repeat(129)).unwrap();
        assert_eq!(accepted_id(Some(&long)), None);
        assert_eq!(accepted_id(None), None);
    }
}
