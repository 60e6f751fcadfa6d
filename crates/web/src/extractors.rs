//! Error handlers for actix's JSON, query and path extractors, so that bad
//! input is answered with problem+json (400, 413, 415 or 422), never 500.

use actix_web::error::{JsonPayloadError, PathError, PayloadError, QueryPayloadError};
use actix_web::{HttpRequest, web};

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

    #[test]
    fn serde_positions_are_stripped_from_messages() {
        assert_eq!(
            strip_position("missing field `name` at line 1 column 2"),
            "missing field `name`"
        );
    }
}
