//! Error handlers for actix's JSON, query and path extractors, so that bad
//! input is answered with problem+json (400, 413, 415 or 422), never 500;
//! and [`Json`], the extractor of every service's request body, which reads
//! a number with a zero fraction (`48.0`) as the integer it equals
//! (decision 106).

use std::ops::Deref;

use actix_web::dev::Payload;
use actix_web::error::{JsonPayloadError, PathError, PayloadError, QueryPayloadError};
use actix_web::{FromRequest, HttpRequest, web};
use futures::future::LocalBoxFuture;
use serde::de::DeserializeOwned;
use serde_json::{Number, Value};

use labex_app::{FieldError, InputError};

use crate::error::{ApiError, ErrorCode, sentence};

/// The default limit of a JSON body.
pub const DEFAULT_JSON_LIMIT: usize = 64 * 1024;

/// Registers the extractor configurations with a JSON body limit of
/// [`DEFAULT_JSON_LIMIT`]: `App::new().configure(configure_extractors)`.
pub fn configure_extractors(config: &mut web::ServiceConfig) {
    configure_extractors_with_limit(DEFAULT_JSON_LIMIT)(config);
}

/// As [`configure_extractors`], with another JSON body limit in bytes.
pub fn configure_extractors_with_limit(limit: usize) -> impl FnOnce(&mut web::ServiceConfig) {
    move |config| {
        config
            .app_data(
                web::JsonConfig::default()
                    .limit(limit)
                    .error_handler(|error, _request| json_error(error).into()),
            )
            .app_data(web::PayloadConfig::new(limit))
            .app_data(
                web::QueryConfig::default()
                    .error_handler(|error, _request| query_error(error).into()),
            )
            .app_data(
                web::PathConfig::default()
                    .error_handler(|error, request| path_error(error, request).into()),
            );
    }
}

/// A JSON request body read as `T`. It is actix's `web::Json` (the same
/// limit, media type and problems, set by [`configure_extractors`]) with one
/// difference: a number written with a zero fraction, such as `48.0`, is
/// read as the integer it equals, so that a field the document calls an
/// integer takes every value JSON Schema counts as one. A number with a
/// fraction (`48.5`) is still refused where an integer is due.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Json<T>(pub T);

impl<T> Json<T> {
    /// The body read.
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> Deref for Json<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: DeserializeOwned + 'static> FromRequest for Json<T> {
    type Error = actix_web::Error;
    type Future = LocalBoxFuture<'static, Result<Self, actix_web::Error>>;

    fn from_request(request: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let document = web::Json::<Value>::from_request(request, payload);
        Box::pin(async move {
            let mut document = document.await?.into_inner();
            integral_numbers_as_integers(&mut document);
            serde_json::from_value(document)
                .map(Json)
                .map_err(|error| body_error(&error).into())
        })
    }
}

/// Reads `bytes` as JSON into `T` the way [`Json`] reads a body: a number
/// with a zero fraction is the integer it equals. For a handler that reads
/// its body itself (an optional body, a body chosen by a path segment).
pub fn from_json_slice<T: DeserializeOwned>(bytes: &[u8]) -> serde_json::Result<T> {
    let mut document: Value = serde_json::from_slice(bytes)?;
    integral_numbers_as_integers(&mut document);
    serde_json::from_value(document)
}

/// Rewrites every number with a zero fraction that fits a 64-bit integer
/// (`48.0`, `-3.0`, `1e3`) as that integer, throughout `value`.
fn integral_numbers_as_integers(value: &mut Value) {
    match value {
        Value::Number(number) => {
            if let Some(integer) = integral(number) {
                *number = integer;
            }
        }
        Value::Array(items) => items.iter_mut().for_each(integral_numbers_as_integers),
        Value::Object(fields) => fields.values_mut().for_each(integral_numbers_as_integers),
        Value::Null | Value::Bool(_) | Value::String(_) => {}
    }
}

/// The integer a float with a zero fraction equals, when one fits 64 bits.
fn integral(number: &Number) -> Option<Number> {
    if !number.is_f64() {
        return None;
    }
    let float = number.as_f64()?;
    if float.fract() != 0.0 {
        return None;
    }
    // The bounds are powers of two, exact as floats: 2^63 and 2^64.
    const TWO_TO_63: f64 = 9_223_372_036_854_775_808.0;
    const TWO_TO_64: f64 = 18_446_744_073_709_551_616.0;
    if (-TWO_TO_63..0.0).contains(&float) {
        Some(Number::from(float as i64))
    } else if (0.0..TWO_TO_64).contains(&float) {
        Some(Number::from(float as u64))
    } else {
        None
    }
}

fn too_large(limit: usize) -> ApiError {
    ApiError::new(
        ErrorCode::PayloadTooLarge,
        format!("The request body is larger than the limit of {limit} bytes; send a smaller body."),
    )
}

/// The problem for a JSON body that could not be read.
pub fn json_error(error: JsonPayloadError) -> ApiError {
    match error {
        JsonPayloadError::Overflow { limit } => too_large(limit),
        JsonPayloadError::OverflowKnownLength { limit, .. } => too_large(limit),
        JsonPayloadError::Payload(PayloadError::Overflow) => too_large(DEFAULT_JSON_LIMIT),
        JsonPayloadError::ContentType => ApiError::new(
            ErrorCode::UnsupportedMediaType,
            "The request body must be JSON; send it with Content-Type: application/json.",
        ),
        JsonPayloadError::Deserialize(error) => body_error(&error),
        JsonPayloadError::Payload(error) => ApiError::new(
            ErrorCode::MalformedJson,
            format!("The request body could not be read ({error}); send it again."),
        ),
        other => ApiError::internal(&other),
    }
}

fn body_error(error: &serde_json::Error) -> ApiError {
    use serde_json::error::Category;
    let message = strip_position(&error.to_string());
    match error.classify() {
        Category::Syntax | Category::Eof | Category::Io => ApiError::new(
            ErrorCode::MalformedJson,
            format!(
                "The request body is not well-formed JSON ({message} at line {}, column {}); send valid JSON.",
                error.line(),
                error.column()
            ),
        ),
        Category::Data => {
            let missing = message
                .strip_prefix("missing field `")
                .and_then(|rest| rest.strip_suffix('`'));
            let errors = missing
                .map(|field| {
                    FieldError::with_sentence(
                        field,
                        InputError::MissingField,
                        format!("The field {field} is required."),
                    )
                })
                .into_iter()
                .collect();
            ApiError::new(
                ErrorCode::InvalidBody,
                format!(
                    "{} Correct the request body and send it again.",
                    sentence(&message)
                ),
            )
            .with_errors(errors)
        }
    }
}

/// serde_json appends " at line L column C"; the detail says it its own way.
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(index) => message[..index].to_owned(),
        None => message.to_owned(),
    }
}

fn query_error(error: QueryPayloadError) -> ApiError {
    let message = match &error {
        QueryPayloadError::Deserialize(error) => error.to_string(),
        other => other.to_string(),
    };
    ApiError::new(
        ErrorCode::InvalidQuery,
        format!(
            "The query string is invalid: {}; correct the query parameters.",
            message.trim_end_matches('.')
        ),
    )
}

fn path_error(error: PathError, request: &HttpRequest) -> ApiError {
    let PathError::Deserialize(error) = error else {
        return ApiError::internal(&error);
    };
    tracing::debug!(path = request.path(), error = %error, "path parameter refused");
    ApiError::new(
        ErrorCode::InvalidPath,
        format!(
            "A path parameter is invalid: {}; check the URL.",
            error.to_string().trim_end_matches('.')
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Value {
        let mut value = serde_json::from_str(text).unwrap();
        integral_numbers_as_integers(&mut value);
        value
    }

    #[test]
    fn a_number_with_a_zero_fraction_is_the_integer_it_equals() {
        assert_eq!(
            read(r#"{"hours": 48.0, "list": [-3.0, 1e3], "deep": {"n": 0.0}}"#),
            serde_json::json!({"hours": 48, "list": [-3, 1000], "deep": {"n": 0}})
        );
        let hours: u32 = serde_json::from_value(read("48.0")).unwrap();
        assert_eq!(hours, 48);
    }

    #[test]
    fn a_number_with_a_fraction_or_beyond_64_bits_stays_a_float() {
        assert_eq!(read("48.5"), serde_json::json!(48.5));
        assert!(read("1e20").is_f64());
        assert!(read("-1e19").is_f64());
        assert!(serde_json::from_value::<u32>(read("48.5")).is_err());
        let amount: f64 = serde_json::from_value(read("12.0")).unwrap();
        assert_eq!(amount, 12.0);
    }

    #[test]
    fn serde_positions_are_stripped_from_messages() {
        assert_eq!(
            strip_position("missing field `name` at line 1 column 2"),
            "missing field `name`"
        );
    }
}
